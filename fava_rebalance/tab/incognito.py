"""The downloads under ``fava --incognito``, masked as the page is masked.

Fava's incognito mode replaces every digit of a figure with ``X`` (its ``incognito``
template filter); the tab's templates apply it to every figure and every sentence that
holds one (moves, reasons, warnings), and show names as they are. The downloads follow the
same rule: the values of fields and columns that hold names (``NAMES``: categories,
commodities, accounts, tax statuses, actions, terms, dates, the tax rules and how they
matched a lot) are kept, and everything else,
figures and sentences, is masked. A field not listed is masked: a new figure never leaks.
In the workbook's item/value sheets (the Summary) a row keeps its value only when its kind
is a name or a date (``views.sheet``); the sheets' notes are masked too.

The page's charts are masked too (``masked_page``): their geometry would give every share
away, so they are laid out again from placeholder figures (``chart.masked``; the drift
history's chart is laid out from placeholders in the first place, ``history_page``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fava.template_filters import replace_numbers

from fava_rebalance.tab.chart import masked as masked_chart
from fava_rebalance.tab.page import Page, Panel
from fava_rebalance.tab.plan_page import PlanView
from fava_rebalance.views.sheet import BY_ROW, DATE, NAME, Sheet

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NAMES = frozenset({
    "date", "currency", "section", "category", "commodity", "account", "accounts", "trading_account",
    "tax_status", "action", "term", "cost_currency", "mode", "outside_band", "preferred", "item",
    "within_band", "portfolio", "match", "rules", "outside_since", "last_rebalance", "every", "next_review",
    "overdue", "pending",
})


def mask(value: object) -> object:
    """``value`` with each digit an ``X`` (exact Decimal text first); ``None``, booleans, NaN kept."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and math.isnan(value)):
        return value
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return replace_numbers(text)


def mask_json(data: Any, key: str | None = None) -> Any:
    """The JSON download's object with every figure masked (the value of a ``NAMES`` key kept)."""
    if isinstance(data, dict):
        return {k: mask_json(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_json(v, key) for v in data]
    return data if key in NAMES else mask(data)


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV or Excel table with the cells of every column but the ``NAMES`` masked."""
    masked = frame.copy()
    for column in masked.columns:
        if column not in NAMES:
            masked[column] = masked[column].map(mask).astype(object)
    return masked


def mask_sheet(sheet: Sheet | pd.DataFrame) -> Sheet | pd.DataFrame:
    """A workbook sheet masked as ``mask_frame`` masks a table; by-row values kept only for names, dates.

    A bare frame (a sheet added without a spec) is masked as a table.
    """
    if not isinstance(sheet, Sheet):
        return mask_frame(sheet)
    frame = mask_frame(sheet.frame)
    for key in sheet.shown():
        if key not in NAMES and sheet.column(key).kind == BY_ROW:
            pairs = zip(sheet.frame[key], frame[key], strict=True)
            frame[key] = [value if sheet.kind_at(key, row) in (NAME, DATE) else masked
                          for row, (value, masked) in enumerate(pairs)]
    return replace(sheet, frame=frame, note=str(mask(sheet.note)))


def masked_page(page: Page) -> Page:
    """``page`` with its charts, and its plan's, laid out from placeholder figures."""
    panels = tuple(
        Panel(p.template, replace(p.data, chart=masked_chart(p.data.chart)))
        if isinstance(p.data, PlanView) and p.data.chart is not None else p
        for p in page.panels)
    return replace(page, chart=masked_chart(page.chart), panels=panels)

