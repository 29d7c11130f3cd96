"""The review calendar in words, the same on the tab and in the terminal (SPEC §5.1)."""

from __future__ import annotations

from fava_rebalance.core.review import Review


def review_line(review: Review) -> str:
    """``Last rebalanced 2026-03-02 · next review 2026-09-02 (overdue)``, for the tab and the CLI.

    Empty when there is nothing to say; pending rebalances are for ``pending_words``.
    """
    parts = []
    if review.last_rebalance is not None:
        parts.append(f"Last rebalanced {review.last_rebalance.isoformat()}")
    elif review.every is not None:
        parts.append("Not rebalanced yet")
    if review.next_review is not None and review.every is not None:
        overdue = " (overdue)" if review.overdue else ""
        parts.append(f"next review {review.next_review.isoformat()}{overdue}, {review.every.name}")
    return " · ".join(parts)


def pending_words(review: Review) -> str:
    """``Pending rebalance (! not yet confirmed): 2026-11-23 (3 transactions)``, or empty without one."""
    if not review.pending:
        return ""
    days: dict[str, list[str]] = {}
    for rebalance in review.pending:
        days.setdefault(rebalance.date.isoformat(), []).append(rebalance.narration)
    listed = ", ".join(f"{day} ({len(found)} transactions)" if len(found) > 1 else
                       f"{day} ({found[0]})" if found[0] else day for day, found in days.items())
    noun = "rebalance" if len(days) == 1 else "rebalances"
    return f"Pending {noun} (flag !, not yet confirmed): {listed}"
