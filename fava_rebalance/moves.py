"""Suggested moves: the rows that need action as plain sentences, biggest first."""

from __future__ import annotations

from collections.abc import Iterable

from fava_rebalance.formatting import grouped, plain
from fava_rebalance.report import NONE, TargetRow


def suggested_moves(rows: Iterable[TargetRow], currency: str) -> list[str]:
    """``Sell 10,000.00 USD of Equities (70.00% now, target 60.00%).`` per row needing action."""
    acting = sorted((r for r in rows if r.action != NONE), key=lambda r: (-r.amount, r.category))
    return [
        f"{row.action.capitalize()} {grouped(row.amount)} {currency} of {row.category} "
        f"({plain(row.percent)}% now, target {plain(row.target)}%)."
        for row in acting
    ]
