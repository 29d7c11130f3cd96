"""The report as pandas tables, for the CSV and Excel downloads (same figures as the page).

Money and percents are rounded to two places and kept as exact ``Decimal`` text in CSV; in
Excel they are written as numbers (a spreadsheet has no decimal type).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd

from fava_rebalance.analysis import Report
from fava_rebalance.formatting import round2

DRIFT_COLUMNS = ["section", "category", "accounts", "value", "percent", "target", "difference",
                 "amount", "action"]


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


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text with Decimals written exactly (``1234.50``, never ``1234.5``)."""
    buffer = io.StringIO()
    frame.map(lambda v: f"{v:f}" if isinstance(v, Decimal) else v).to_csv(buffer, index=False)
    return buffer.getvalue()


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (openpyxl through pandas)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            numeric = frame.map(lambda v: float(v) if isinstance(v, Decimal) else v)
            numeric.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def report_sheets(report: Report) -> dict[str, pd.DataFrame]:
    """The workbook's sheets; the planner adds Trades, Tax and Before-After."""
    moves = pd.DataFrame({"move": list(report.moves)})
    warnings = pd.DataFrame({"warning": [*(e.describe() for e in report.errors), *report.warnings]})
    return {"Drift": drift_frame(report), "Moves": moves, "Warnings": warnings}
