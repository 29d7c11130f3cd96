"""The drift history (SPEC §5.2) as a CSV table and an Excel workbook (pandas).

- CSV: a row per date and category (date, currency, category, percent, target, low, high,
  outside, total, untargeted, uncategorized), the long form a spreadsheet's pivot table
  reads; each row stands alone, as the drift CSV's do (``tables``);
- Excel: that table, the percents wide (a column per category, for a chart), the
  rebalances and the review, each a ``Sheet`` finished like every other sheet
  (``workbook``; the columns' headers and kinds from ``columns.COLUMNS``).

Figures are rounded as in the JSON (two places, half up); pandas is imported only here.
"""

from __future__ import annotations

import pandas as pd

from fava_rebalance.core.formatting import round2
from fava_rebalance.core.history import History, targeted_categories
from fava_rebalance.core.review import Review
from fava_rebalance.views.columns import COLUMNS
from fava_rebalance.views.sheet import DATE, FLAG, NAME, PERCENT, TEXT, Column, Sheet
from fava_rebalance.views.summary_sheet import Item, item_sheet

HISTORY_COLUMNS = ["date", "currency", "category", "percent", "target", "low", "high", "outside", "total",
                   "untargeted", "uncategorized"]
HISTORY_SHEET_ORDER = ("date", "category", "percent", "target", "low", "high", "outside", "total",
                       "untargeted", "uncategorized")


def history_frame(history: History) -> pd.DataFrame:
    """One row per date and targeted category (a date with no target: one row, no category)."""
    rows: list[dict[str, object]] = []
    for point in history.points:
        common = {"total": round2(point.total), "untargeted": round2(point.untargeted_percent),
                  "uncategorized": round2(point.uncategorized_percent)}
        where = {"date": point.date, "currency": history.currency}
        if not point.categories:
            rows.append({**where, "category": "", **common})
        for row in point.categories:
            rows.append({**where, "category": row.category,
                         "percent": round2(row.percent), "target": round2(row.target),
                         "low": round2(row.low), "high": round2(row.high),
                         "outside": row.category in point.outside, **common})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def review_items(review: Review) -> list[Item]:
    """The review calendar as item/value rows (SPEC §5.1's ``review`` object, in words)."""
    return [
        ("Last rebalanced", review.last_rebalance, DATE),
        ("Review every", review.every.name if review.every is not None else "", NAME),
        ("Next review", review.next_review, DATE),
        ("Overdue", review.overdue, FLAG),
        ("Pending (flag !)", ", ".join(d.isoformat() for d in review.pending_dates), TEXT),
    ]


def history_sheets(history: History) -> dict[str, Sheet]:
    """The workbook: Drift (long), Percent (a column per category), Rebalances, Review.

    Not "History": Excel keeps that sheet name for itself.
    """
    names = targeted_categories(history.points)
    wide = []
    for point in history.points:
        by_name = {row.category: round2(row.percent) for row in point.categories}
        wide.append({"date": point.date, "total": round2(point.total),
                     **{name: by_name.get(name) for name in names}})
    span = (f"From {history.points[0].date} to {history.points[-1].date}, every {history.every}; "
            f"amounts in {history.currency}.") if history.points else ""
    percents = {**COLUMNS, **{name: Column(name, PERCENT) for name in names}}
    return {
        "Drift": Sheet(history_frame(history), "Drift history",
                         f"{span} Percents of the portfolio's total; outside: beyond the band.", COLUMNS,
                         HISTORY_SHEET_ORDER, empty="No history."),
        "Percent": Sheet(pd.DataFrame(wide, columns=["date", "total", *names]), "Each category's percent",
                         span, percents, empty="No history."),
        "Rebalances": Sheet(pd.DataFrame(
            [{"date": r.date, "narration": r.narration, "pending": r.pending} for r in history.rebalances],
            columns=["date", "narration", "pending"]), "Rebalances in the ledger",
            f"{span} Transactions tagged #rebalance; pending: flagged ! (planned, not yet done).", COLUMNS,
            empty="No #rebalance transaction."),
        "Review": item_sheet("Review calendar", f"As of {history.points[-1].date}." if history.points else "",
                             review_items(history.review)),
    }
