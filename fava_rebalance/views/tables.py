"""The report as pandas tables, for the CSV and Excel downloads (same figures as the page).

Money and percents are rounded to two places and kept as exact ``Decimal`` text in CSV; in
Excel they are written as numbers (a spreadsheet has no decimal type). Text never reaches
a spreadsheet as a formula (``spreadsheet``).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd

from fava_rebalance.core.band_deposit import deposit_sentences
from fava_rebalance.core.formatting import round2
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.model import Plan
from fava_rebalance.views.labels import lot_cost_label, lot_rule_label
from fava_rebalance.views.spreadsheet import csv_text, xlsx_text
from fava_rebalance.views.tax_terms import NO_TAX, PERCENT, has_terms, no_tax, tax_lines

DRIFT_COLUMNS = ["section", "category", "accounts", "value", "percent", "target", "difference",
                 "amount", "action"]
TRADE_COLUMNS = ["account", "tax_status", "action", "commodity", "units", "price", "amount", "gain",
                 "term", "lots", "reason"]
AFTER_COLUMNS = ["category", "target", "value_before", "percent_before", "value_after", "percent_after",
                 "difference_after", "within_band"]
ACCOUNT_COLUMNS = ["account", "tax_status", "cash_before", "flow", "sold", "bought", "costs", "cash_after",
                   "trades"]


def drift_frame(report: Report) -> pd.DataFrame:
    """One row per category or uncategorized commodity, in the page's order."""
    alloc = report.allocation
    rows: list[dict[str, object]] = []
    for row in alloc.targeted:
        rows.append({"section": "targeted", "category": row.category, "accounts": "",
                     "value": round2(row.value), "percent": round2(row.percent),
                     "target": round2(row.target), "difference": round2(row.difference),
                     "amount": round2(row.amount), "action": row.action})
    for urow in alloc.untargeted:
        rows.append({"section": "untargeted", "category": urow.category, "accounts": "",
                     "value": round2(urow.value), "percent": round2(urow.percent),
                     "target": None, "difference": None, "amount": None, "action": ""})
    for crow in alloc.uncategorized:
        rows.append({"section": "uncategorized", "category": crow.commodity,
                     "accounts": ", ".join(crow.accounts), "value": round2(crow.value),
                     "percent": round2(crow.percent), "target": None, "difference": None,
                     "amount": None, "action": ""})
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def _csv_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return csv_text(value) if isinstance(value, str) else value


def _xlsx_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return xlsx_text(value) if isinstance(value, str) else value


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text with Decimals written exactly (``1234.50``, never ``1234.5``).

    Text that a spreadsheet would run as a formula is neutralised (``spreadsheet``).
    """
    buffer = io.StringIO()
    frame.map(_csv_cell).to_csv(buffer, index=False)
    return buffer.getvalue()


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (openpyxl through pandas).

    Numbers are numbers; text is never a formula (``spreadsheet``).
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.map(_xlsx_cell).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def trades_frame(plan: Plan) -> pd.DataFrame:
    """One row per order, account by account, sells first; lots as ``date units @ cost``."""
    rows = []
    for t in plan.trades:
        lots = "; ".join(
            f"{lot.date or '?'} {lot.units:f} @ {lot_cost_label(lot.cost, lot.cost_currency, lot.match)} "
            f"gain {round2(lot.gain)} {lot_rule_label(lot.term, lot.match).lower()}".rstrip()
            for lot in t.lots)
        rows.append({"account": t.account, "tax_status": t.tax_status, "action": t.action,
                     "commodity": t.commodity, "units": t.units, "price": round2(t.price),
                     "amount": round2(t.amount), "gain": round2(t.gain), "term": t.term or "",
                     "lots": lots, "reason": t.reason})
    return pd.DataFrame(rows, columns=TRADE_COLUMNS)


def tax_frame(plan: Plan) -> pd.DataFrame:
    """The tax summary as item/value rows, with the break-even's alternatives."""
    tax = plan.tax
    rows: list[dict[str, object]] = [] if has_terms(tax) else [{"item": "tax rules", "value": tax.rules}]
    if has_terms(tax):
        rows += [
            {"item": "short-term gain", "value": round2(tax.short_term_gain)},
            {"item": "long-term gain", "value": round2(tax.long_term_gain)},
            {"item": "estimated tax", "value": round2(tax.estimated_tax)},
            {"item": "disallowed loss (wash sales)", "value": round2(tax.disallowed_loss)},
            {"item": "trade costs", "value": round2(tax.trade_costs)},
            {"item": "short-term rate", "value": tax.short_term_rate},
            {"item": "long-term rate", "value": tax.long_term_rate},
        ]
    elif no_tax(tax):
        rows += [{"item": "note", "value": NO_TAX}, {"item": "trade costs", "value": round2(tax.trade_costs)}]
    else:
        rows += [{"item": line.label.lower(),
                  "value": line.value if line.kind == PERCENT else round2(line.value)}
                 for line in tax_lines(tax)]
        rows.append({"item": "trade costs", "value": round2(tax.trade_costs)})
    for other in plan.alternatives:
        name = other.label.lower()
        rows.append({"item": f"estimated tax, {name}", "value": round2(other.estimated_tax)})
        rows.append({"item": f"largest drift (points), {name}", "value": round2(other.largest_drift)})
        rows.append({"item": f"outside band, {name}", "value": ", ".join(other.outside_band) or "none"})
    return pd.DataFrame(rows, columns=["item", "value"])


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


def report_sheets(report: Report, plan: Plan | None = None) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: Drift, Moves, (with a plan) Trades, Tax, Before-After, ...

    The plan adds Accounts and Location too; Warnings come last.
    """
    deposits = deposit_sentences(report.cash_needed, report.band_deposit, report.currency)
    moves = pd.DataFrame({"move": [*report.moves_text, *deposits]})
    messages = [*(e.describe() for e in report.errors), *report.warnings]
    sheets = {"Drift": drift_frame(report), "Moves": moves}
    if plan is not None:
        messages += [*(e.message for e in plan.errors), *plan.warnings]
        sheets["Trades"] = trades_frame(plan)
        sheets["Tax"] = tax_frame(plan)
        sheets["Before-After"] = after_frame(plan)
        sheets["Accounts"] = accounts_frame(plan)
        sheets["Location"] = pd.DataFrame(
            [{"category": n.category, "commodity": n.commodity, "account": n.account,
              "value": round2(n.value), "tax_status": n.tax_status, "preferred": n.preferred}
             for n in plan.locations],
            columns=["category", "commodity", "account", "value", "tax_status", "preferred"])
    sheets["Warnings"] = pd.DataFrame({"warning": messages})
    return sheets
