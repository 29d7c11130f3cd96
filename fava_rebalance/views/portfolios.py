"""Several portfolios in every view (SPEC §6.1): the JSON, the CSV and Excel tables, the terminal.

A report about one named portfolio carries its name: ``"portfolio"`` first in its JSON
object, a ``portfolio`` column first in every table, a heading in the terminal. Every
portfolio at once is ``{"portfolios": [...], "household": {"total", "tax"}}`` in JSON,
the tables of each portfolio one under the other (with their ``portfolio`` column) plus a
``Household`` sheet, and each portfolio in turn in the terminal, then the household. A
ledger with just ``Main`` uses none of this: its outputs are those of a single report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fava_rebalance.core.formatting import grouped, plain, round2
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.model import Plan, TaxSummary
from fava_rebalance.views.serialize import report_to_dict, tax_to_dict
from fava_rebalance.views.sheet import Sheet
from fava_rebalance.views.tax_terms import NO_TAX, has_terms, no_tax, tax_lines
from fava_rebalance.views.terminal import BOLD, RESET, render, tax_figure

if TYPE_CHECKING:  # pragma: no cover - pandas is imported when a table is asked for
    import pandas as pd

PORTFOLIO = "portfolio"
HOUSEHOLD_SHEET = "Household"


def household_total(reports: Sequence[Report]) -> Decimal:
    """The household's value: every portfolio's total, added up (exact)."""
    return sum((report.total for report in reports), Decimal(0))


def named_dict(report: Report, plan: Plan | None = None) -> dict[str, Any]:
    """SPEC §3's object for one portfolio, with ``"portfolio": NAME`` first."""
    return {PORTFOLIO: report.portfolio, **report_to_dict(report, plan)}


def household_dict(
    reports: Sequence[Report], plans: Sequence[Plan | None], tax: TaxSummary | None
) -> dict[str, Any]:
    """``{"portfolios": [...], "household": {"total", "tax"}}``: every portfolio and the household.

    ``tax`` is the household's one summary of the plans made together (``None``: no plans).
    """
    return {
        "portfolios": [named_dict(report, plan) for report, plan in zip(reports, plans, strict=True)],
        "household": {"total": plain(household_total(reports)),
                      "tax": tax_to_dict(tax) if tax is not None else None},
    }


def with_portfolio(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with a first column ``portfolio`` holding ``name``."""
    named = frame.copy()
    named.insert(0, PORTFOLIO, name)
    return named


def sheet_with_portfolio(sheet: Sheet | pd.DataFrame, name: str) -> Sheet | pd.DataFrame:
    """A workbook sheet (or bare frame) with a first column ``portfolio`` holding ``name``.

    An item/value sheet names the portfolio in its title instead.
    """
    if not isinstance(sheet, Sheet):
        return with_portfolio(sheet, name)
    if sheet.row_kinds:  # an item/value list (Summary, Tax): the portfolio goes in its title
        return replace(sheet, title=f"{sheet.title}: portfolio {name}")
    order = (PORTFOLIO, *sheet.order) if sheet.order else ()
    return replace(sheet, frame=with_portfolio(sheet.frame, name), order=order)


def named_sheets(sheets: Mapping[str, Sheet | pd.DataFrame], name: str) -> dict[str, Sheet | pd.DataFrame]:
    """Every sheet of one portfolio's workbook with its ``portfolio`` column."""
    return {key: sheet_with_portfolio(sheet, name) for key, sheet in sheets.items()}


def stacked(frames: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Each portfolio's table (``(name, frame)``), one under the other, with its ``portfolio`` column."""
    import pandas as pd

    named = [with_portfolio(frame, name) for name, frame in frames]
    return pd.concat(named, ignore_index=True) if named else pd.DataFrame()


def stacked_sheets(
    sheets: Sequence[tuple[str, Mapping[str, Sheet | pd.DataFrame]]],
) -> dict[str, Sheet | pd.DataFrame]:
    """Each portfolio's workbook (``(name, sheets)``) as one: each sheet stacked over the portfolios.

    A stacked sheet keeps the first portfolio's title and columns, with the ``portfolio``
    column first; an item/value list (Summary, Tax, Review) is one sheet per portfolio instead.
    """
    names: list[str] = []
    for _, found in sheets:
        names += [name for name in found if name not in names]
    book: dict[str, Sheet | pd.DataFrame] = {}
    for name in names:
        parts = [(portfolio, found[name]) for portfolio, found in sheets if name in found]
        if any(isinstance(part, Sheet) and part.row_kinds for _, part in parts):
            for portfolio, part in parts:  # item/value lists are not stacked: one sheet each
                book[f"{name} {portfolio}"] = sheet_with_portfolio(part, portfolio)
            continue
        frame = stacked([(portfolio, part.frame if isinstance(part, Sheet) else part)
                         for portfolio, part in parts])
        first = parts[0][1]
        if isinstance(first, Sheet):
            order = (PORTFOLIO, *first.order) if first.order else ()
            book[name] = replace(first, frame=frame, order=order)
        else:
            book[name] = frame
    return book


def household_sheets(
    sheets: Sequence[tuple[str, Mapping[str, Sheet | pd.DataFrame]]], reports: Sequence[Report],
    tax: TaxSummary | None,
) -> dict[str, Sheet | pd.DataFrame]:
    """One workbook for every portfolio: each sheet stacked over the portfolios, and ``Household``.

    The sheets as ``stacked_sheets`` makes them, then the household's value and its one tax
    summary, in the rules' own terms (as each plan's Summary has it).
    """
    from fava_rebalance.views.sheet import MONEY
    from fava_rebalance.views.summary_sheet import Item, item_sheet, summary_tax_items

    book = stacked_sheets(sheets)
    items: list[Item] = [(f"value of portfolio {r.portfolio}", round2(r.total), MONEY) for r in reports]
    items.append(("household value", round2(household_total(reports)), MONEY))
    if tax is not None:
        items += summary_tax_items(tax)
    book[HOUSEHOLD_SHEET] = item_sheet(HOUSEHOLD_SHEET, "Every portfolio's value, and the tax of the plans "
                                       "made together (one summary for the household)", items)
    return book


def heading(name: str, colour: bool) -> str:
    """``Portfolio College``, bold on a terminal that takes colour."""
    text = f"Portfolio {name}"
    return f"{BOLD}{text}{RESET}" if colour else text


def render_named(report: Report, plan: Plan | None = None, *, colour: bool = False) -> str:
    """One portfolio's terminal table, under its name."""
    return f"{heading(report.portfolio, colour)}\n\n{render(report, plan, colour=colour)}"


def render_household(
    reports: Sequence[Report], plans: Sequence[Plan | None], tax: TaxSummary | None, *, colour: bool = False
) -> str:
    """Every portfolio in turn, then the household's value and its one tax summary."""
    parts = [render_named(report, plan, colour=colour) for report, plan in zip(reports, plans, strict=True)]
    currency = reports[0].currency if reports else ""
    lines = [f"{BOLD}Household{RESET}" if colour else "Household",
             f"  Value {grouped(household_total(reports))} {currency}: "
             + ", ".join(f"{r.portfolio} {grouped(r.total)}" for r in reports)]
    if tax is not None and no_tax(tax):
        lines.append(f"  {NO_TAX}")
    elif tax is not None and not has_terms(tax):
        lines.append(f"  The plans together, tax rules {tax.rules}:")
        lines += [f"    {line.label}: {tax_figure(line, currency)}" for line in tax_lines(tax)]
        own = sum((plan.tax.estimated_tax for plan in plans if plan is not None), Decimal(0))
        if round2(own) != round2(tax.estimated_tax):
            lines.append(f"  (the plans' own estimates add up to {grouped(own)} {currency}: each counts the "
                         "whole allowance left and its own gains alone, as if it were the only plan; the "
                         "household counts them once)")
    elif tax is not None:
        lines.append(f"  The plans together: short-term gain {grouped(tax.short_term_gain)}, long-term gain "
                     f"{grouped(tax.long_term_gain)}, estimated tax {grouped(tax.estimated_tax)} {currency}")
        own = sum((plan.tax.estimated_tax for plan in plans if plan is not None), Decimal(0))
        if round2(own) != round2(tax.estimated_tax):
            lines.append(f"  (the plans' own estimates add up to {grouped(own)} {currency}: the household "
                         "nets one plan's losses against another's gains, so each order's \"about\" tax "
                         "is its own plan's share)")
        if tax.disallowed_loss:
            lines.append(f"  Losses disallowed by wash sales: {grouped(tax.disallowed_loss)} {currency}")
    return "\n".join([*parts, "\n".join(lines) + "\n"])


def named_output(report: Report, plan: Plan | None, fmt: str, *, colour: bool = False) -> str | bytes:
    """One portfolio asked for by name, in ``fmt`` (``json``, ``csv``, ``xlsx``, ``table``)."""
    from fava_rebalance.views.tables import drift_frame, report_sheets, to_csv, to_excel

    name = report.portfolio
    if fmt == "json":
        return json.dumps(named_dict(report, plan), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(with_portfolio(drift_frame(report), name))
    if fmt == "xlsx":
        return to_excel(named_sheets(report_sheets(report, plan), name))
    return render_named(report, plan, colour=colour)


def household_output(reports: Sequence[Report], plans: Sequence[Plan | None], tax: TaxSummary | None,
                     fmt: str, *, colour: bool = False) -> str | bytes:
    """Every portfolio, and the household, in ``fmt`` (``json``, ``csv``, ``xlsx``, ``table``)."""
    from fava_rebalance.views.tables import drift_frame, report_sheets, to_csv, to_excel

    if fmt == "json":
        return json.dumps(household_dict(reports, plans, tax), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(stacked([(report.portfolio, drift_frame(report)) for report in reports]))
    if fmt == "xlsx":
        sheets = [(r.portfolio, report_sheets(r, plan)) for r, plan in zip(reports, plans, strict=True)]
        return to_excel(household_sheets(sheets, reports, tax))
    return render_household(reports, plans, tax, colour=colour)
