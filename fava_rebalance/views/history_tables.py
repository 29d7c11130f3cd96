"""The drift history (SPEC §5.2) as a CSV table and an Excel workbook (pandas).

- CSV: a row per date and category (date, category, percent, target, low, high, outside,
  total, untargeted, uncategorized), the long form a spreadsheet's pivot table reads;
- Excel: that table, the percents wide (a column per category, for a chart), the
  rebalances and the review.

Figures are rounded as in the JSON (two places, half up); pandas is imported only here.
"""

from __future__ import annotations

import pandas as pd

from fava_rebalance.core.formatting import round2
from fava_rebalance.core.history import History
from fava_rebalance.views.history_data import categories_of, review_to_dict

HISTORY_COLUMNS = ["date", "category", "percent", "target", "low", "high", "outside", "total", "untargeted",
                   "uncategorized"]


def history_frame(history: History) -> pd.DataFrame:
    """One row per date and targeted category (a date with no target: one row, no category)."""
    rows: list[dict[str, object]] = []
    for point in history.points:
        common = {"total": round2(point.total), "untargeted": round2(point.untargeted_percent),
                  "uncategorized": round2(point.uncategorized_percent)}
        if not point.categories:
            rows.append({"date": point.date.isoformat(), "category": "", **common})
        for row in point.categories:
            rows.append({"date": point.date.isoformat(), "category": row.category,
                         "percent": round2(row.percent), "target": round2(row.target),
                         "low": round2(row.low), "high": round2(row.high),
                         "outside": row.category in point.outside, **common})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def history_sheets(history: History) -> dict[str, pd.DataFrame]:
    """The workbook: History (long), Percent (a column per category), Rebalances, Review."""
    names = categories_of(history)
    wide = []
    for point in history.points:
        by_name = {row.category: round2(row.percent) for row in point.categories}
        wide.append({"date": point.date.isoformat(), "total": round2(point.total),
                     **{name: by_name.get(name) for name in names}})
    review = review_to_dict(history.review)
    review["pending"] = ", ".join(review["pending"])
    return {
        "History": history_frame(history),
        "Percent": pd.DataFrame(wide, columns=["date", "total", *names]),
        "Rebalances": pd.DataFrame(
            [{"date": r.date.isoformat(), "narration": r.narration, "pending": r.pending}
             for r in history.rebalances], columns=["date", "narration", "pending"]),
        "Review": pd.DataFrame([{"item": key, "value": value} for key, value in review.items()],
                               columns=["item", "value"]),
    }
