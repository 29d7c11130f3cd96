"""The review calendar in words, the same on the tab and in the terminal (SPEC §5.1)."""

from __future__ import annotations

from fava_rebalance.core.review import Review


def describe(review: Review) -> str:
    """``Last rebalanced 2026-03-02 · next review 2026-09-02 (overdue)``, for the tab and the CLI.

    Empty when there is nothing to say; pending rebalances are left to ``pending_words``.
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
    """``Pending rebalance: 2026-11-23 (Rebalance)``, or empty without one."""
    if not review.pending:
        return ""
    noun = "rebalance" if len(review.pending) == 1 else "rebalances"
    listed = ", ".join(f"{r.date.isoformat()} ({r.narration})" if r.narration else r.date.isoformat()
                       for r in review.pending)
    return f"Pending {noun}: {listed}"
