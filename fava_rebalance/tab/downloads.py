"""The tab's downloads: the report and its plan as CSV, Excel and JSON, masked under incognito.

Each renderer takes the report, the plan (``None`` for the drift table alone), whether
``fava --incognito`` is on and the declarations of the ledger load the report was made from
(with several portfolios the file carries the portfolio's name: a ``portfolio`` column, a
``"portfolio"`` key), and returns the file's body; the figures are the CLI's
(``views.tables``, ``views.serialize``), masked as the page masks them (``incognito``). The
tables import pandas when first called: a Fava start that never downloads does not pay for
importing it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner import Plan
from fava_rebalance.tab.incognito import mask, mask_frame, mask_json, mask_sheet
from fava_rebalance.views.ledger_entries import plan_entries
from fava_rebalance.views.portfolios import named_dict, named_sheets, with_portfolio
from fava_rebalance.views.serialize import report_to_dict

Render = Callable[[Report, Plan | None, bool, Declarations], str | bytes]


def drift_csv(report: Report, _: Plan | None, masked: bool, declarations: Declarations) -> str:
    """The drift table as CSV."""
    from fava_rebalance.views.tables import drift_frame, to_csv

    frame = drift_frame(report)
    frame = with_portfolio(frame, report.portfolio) if declarations.several_portfolios else frame
    return to_csv(mask_frame(frame) if masked else frame)


def trades_csv(report: Report, plan: Plan | None, masked: bool, declarations: Declarations) -> str:
    """The plan's orders as CSV (empty without a plan)."""
    from fava_rebalance.views.tables import to_csv, trades_frame

    if plan is None:
        return ""
    frame = trades_frame(plan)
    frame = with_portfolio(frame, report.portfolio) if declarations.several_portfolios else frame
    return to_csv(mask_frame(frame) if masked else frame)


def workbook(report: Report, plan: Plan | None, masked: bool, declarations: Declarations) -> bytes:
    """The report and the plan as an Excel workbook."""
    from fava_rebalance.views.tables import report_sheets, to_excel

    made = report_sheets(report, plan)
    sheets = named_sheets(made, report.portfolio) if declarations.several_portfolios else dict(made)
    return to_excel({name: mask_sheet(sheet) for name, sheet in sheets.items()} if masked else sheets)


def json_text(report: Report, plan: Plan | None, masked: bool, declarations: Declarations) -> str:
    """The report and the plan as the CLI's JSON object (``--portfolio``'s, with several portfolios)."""
    data = named_dict(report, plan) if declarations.several_portfolios else report_to_dict(report, plan)
    return json.dumps(mask_json(data) if masked else data, indent=2)


def ledger_entries(report: Report, plan: Plan | None, masked: bool, declarations: Declarations) -> str:
    """The plan as ledger entries (SPEC §5.3); every digit masked under incognito, as on the page."""
    if plan is None:
        return ""
    text = plan_entries(report, plan, declarations)
    return str(mask(text)) if masked else text
