"""Rebalancing over time as plain data (SPEC §5): the review object and the drift history.

Numbers are strings with two decimals, dates ISO text, as in the report's JSON
(``serialize``, which puts ``review`` in the report). ``bean-rebalance --history --format
json`` prints ``history_to_dict``.
"""

from __future__ import annotations

import datetime
from typing import Any

from fava_rebalance.core.formatting import plain
from fava_rebalance.core.history import History
from fava_rebalance.core.review import Review


def day(date: datetime.date | None) -> str | None:
    """An ISO date, or ``None``."""
    return date.isoformat() if date is not None else None


def review_to_dict(review: Review) -> dict[str, Any]:
    """SPEC §5.1's ``review`` object: last rebalance, period, next review, overdue, pending dates."""
    return {
        "last_rebalance": day(review.last_rebalance),
        "every": review.every.name if review.every is not None else None,
        "next_review": day(review.next_review),
        "overdue": review.overdue,
        "pending": [d.isoformat() for d in review.pending_dates],
    }


def history_to_dict(history: History) -> dict[str, Any]:
    """SPEC §5.2's object: the points (each category's percent, target, band, outside), rebalances, review.

    ``untargeted`` and ``uncategorized`` are percents of the point's total, as the
    categories' are.
    """
    return {
        "currency": history.currency,
        "every": history.every,
        "points": [
            {
                "date": point.date.isoformat(),
                "total": plain(point.total),
                "categories": [
                    {
                        "category": c.category,
                        "percent": plain(c.percent),
                        "target": plain(c.target),
                        "low": plain(c.low),
                        "high": plain(c.high),
                        "outside": c.category in point.outside,
                    }
                    for c in point.categories
                ],
                "untargeted": plain(point.untargeted_percent),
                "uncategorized": plain(point.uncategorized_percent),
            }
            for point in history.points
        ],
        "rebalances": [{"date": r.date.isoformat(), "narration": r.narration, "pending": r.pending}
                       for r in history.rebalances],
        "review": review_to_dict(history.review),
    }


