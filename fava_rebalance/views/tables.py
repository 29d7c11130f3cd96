"""The report as pandas tables, for the CSV and Excel downloads (same figures as the page).

Money and percents are rounded to two places and kept as exact ``Decimal`` text in CSV; in
Excel they are written as numbers (a spreadsheet has no decimal type), each sheet finished
by ``workbook`` with the headers and kinds of ``columns``. Text never reaches a
spreadsheet as a formula (``spreadsheet``). A row of the drift CSV stands alone: it
carries the report's date and currency and the category's band.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pandas as pd

from fava_rebalance.core.band_deposit import deposit_sentences
from fava_rebalance.core.formatting import grouped, round2
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.model import Plan
from fava_rebalance.views.columns import COLUMNS
from fava_rebalance.views.labels import gain_known, lot_words
from fava_rebalance.views.sheet import Sheet
from fava_rebalance.views.spreadsheet import csv_text
from fava_rebalance.views.summary_sheet import item_sheet, summary_sheet, tax_items
from fava_rebalance.views.workbook import write_workbook

DRIFT_COLUMNS = ["date", "currency", "section", "category", "accounts", "value", "percent", "target", "band",
                 "difference", "amount", "action"]
TRADE_COLUMNS = ["account", "tax_status", "action", "commodity", "units", "price", "amount", "gain",
                 "term", "lots", "reason"]
AFTER_COLUMNS = ["category", "target", "value_before", "percent_before", "value_after", "percent_after",
                 "difference_after", "within_band"]
ACCOUNT_COLUMNS = ["account", "tax_status", "cash_before", "flow", "sold", "bought", "costs", "cash_after",
                   "trades"]


def drift_frame(report: Report) -> pd.DataFrame:
    """One row per category or uncategorized commodity, in the page's order."""
    alloc = report.allocation
    where = {"date": report.date, "currency": report.currency}
    rows: list[dict[str, object]] = []
    for row in alloc.targeted:
        rows.append({**where, "section": "targeted", "category": row.category, "accounts": "",
                     "value": round2(row.value), "percent": round2(row.percent),
                     "target": round2(row.target), "band": round2(row.band),
                     "difference": round2(row.difference), "amount": round2(row.amount),
                     "action": row.action})
    for urow in alloc.untargeted:
        rows.append({**where, "section": "untargeted", "category": urow.category, "accounts": "",
                     "value": round2(urow.value), "percent": round2(urow.percent),
                     "target": None, "band": None, "difference": None, "amount": None, "action": ""})
    for crow in alloc.uncategorized:
        rows.append({**where, "section": "uncategorized", "category": crow.commodity,
                     "accounts": ", ".join(crow.accounts), "value": round2(crow.value),
                     "percent": round2(crow.percent), "target": None, "band": None, "difference": None,
                     "amount": None, "action": ""})
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def _csv_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return csv_text(value) if isinstance(value, str) else value


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text with Decimals written exactly (``1234.50``, never ``1234.5``).

    Text that a spreadsheet would run as a formula is neutralised (``spreadsheet``).
    """
    buffer = io.StringIO()
    frame.map(_csv_cell).to_csv(buffer, index=False)
    return buffer.getvalue()


def to_excel(sheets: Mapping[str, Sheet | pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one finished sheet per entry (``workbook``; a bare frame is finished too).

    Numbers are numbers with their formats; text is never a formula (``spreadsheet``).
    """
    return write_workbook(sheets)


def trades_frame(plan: Plan) -> pd.DataFrame:
    """One row per order, account by account, sells first; the lots in words (``lot_words``).

    An order whose lots all lack a cost has no gain and no term (empty): the ledger does not
    say what they cost, and the lots say so.
    """
    rows = []
    for t in plan.trades:
        known = gain_known(t)
        rows.append({"account": t.account, "tax_status": t.tax_status, "action": t.action,
                     "commodity": t.commodity, "units": t.units, "price": round2(t.price),
                     "amount": round2(t.amount), "gain": round2(t.gain) if known else None,
                     "term": (t.term or "") if known else "",
                     "lots": "; ".join(lot_words(lot, grouped) for lot in t.lots), "reason": t.reason})
    return pd.DataFrame(rows, columns=TRADE_COLUMNS)


def after_frame(plan: Plan) -> pd.DataFrame:
    """Each targeted category before and after the plan."""
    rows = [{"category": r.category, "target": round2(r.target), "value_before": round2(r.value_before),
             "percent_before": round2(r.percent_before), "value_after": round2(r.value),
             "percent_after": round2(r.percent), "difference_after": round2(r.difference),
             "within_band": r.within_band} for r in plan.after]
    return pd.DataFrame(rows, columns=AFTER_COLUMNS)


def accounts_frame(plan: Plan) -> pd.DataFrame:
    """Totals by trading account: cash before and after, sold, bought, costs."""
    rows = [{"account": a.account, "tax_status": a.tax_status, "cash_before": round2(a.cash_before),
             "flow": round2(a.flow), "sold": round2(a.sold), "bought": round2(a.bought),
             "costs": round2(a.costs), "cash_after": round2(a.cash_after), "trades": a.trades}
            for a in plan.accounts]
    return pd.DataFrame(rows, columns=ACCOUNT_COLUMNS)


def _sheet(frame: pd.DataFrame, title: str, note: str, order: Sequence[str] = (),
           empty: str = "None.") -> Sheet:
    """``frame`` as a finished sheet, its columns described by ``columns.COLUMNS``."""
    return Sheet(frame, title, note, COLUMNS, tuple(order), empty=empty)


TRADE_SHEET_ORDER = ("account", "action", "commodity", "units", "price", "lots", "amount", "gain", "term",
                     "tax_status", "reason")
DRIFT_SHEET_ORDER = ("section", "category", "accounts", "value", "percent", "target", "band", "difference",
                     "amount", "action")


def report_sheets(report: Report, plan: Plan | None = None) -> dict[str, Sheet]:
    """The workbook's sheets: Summary, Drift, Moves, (with a plan) Trades, Tax, Before-After, ...

    The plan adds Accounts and Location too; Warnings come last. Each is a ``Sheet``: its
    frame (``.frame``, the CSV's columns) and how the workbook shows it.
    """
    cur = report.currency
    asof = f"As of {report.date}, amounts in {cur}."
    deposits = deposit_sentences(report.cash_needed, report.band_deposit, cur)
    moves = pd.DataFrame({"move": [*report.moves_text, *deposits]})
    messages = [*(e.describe() for e in report.errors), *report.warnings]
    sheets = {
        "Summary": summary_sheet(report, plan),
        "Drift": _sheet(drift_frame(report), "Allocation against the targets",
                        f"{asof} Difference: current minus target, in points; no action inside the band.",
                        DRIFT_SHEET_ORDER, "Nothing is held."),
        "Moves": _sheet(moves, "Suggested moves", asof, empty="Nothing to do."),
    }
    if plan is not None:
        messages += [*(e.message for e in plan.errors), *plan.warnings]
        sheets["Trades"] = _sheet(
            trades_frame(plan), "Orders for the broker",
            f"{asof} Sells before buys in each account. The limit price is the ledger's latest price "
            "on that date: check the market before you order. Name the lots to sell to the broker.",
            TRADE_SHEET_ORDER, "No orders.")
        sheets["Tax"] = item_sheet("Tax of the plan", f"{asof} Estimates at the configured rates.",
                                   tax_items(plan))
        sheets["Before-After"] = _sheet(after_frame(plan), "Each category before and after the trades", asof)
        sheets["Accounts"] = _sheet(accounts_frame(plan), "Cash by trading account",
                                    f"{asof} Money never moves between accounts.")
        sheets["Location"] = _sheet(pd.DataFrame(
            [{"category": n.category, "commodity": n.commodity, "account": n.account,
              "value": round2(n.value), "tax_status": n.tax_status, "preferred": n.preferred}
             for n in plan.locations],
            columns=["category", "commodity", "account", "value", "tax_status", "preferred"]),
            "Asset location", f"{asof} Holdings better held in another type of account.")
    sheets["Warnings"] = _sheet(pd.DataFrame({"warning": messages}), "Warnings", asof)
    return sheets
