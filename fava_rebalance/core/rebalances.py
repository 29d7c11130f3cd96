"""Rebalances recorded in the ledger: transactions tagged ``#rebalance`` (SPEC §5.1).

```beancount
2026-03-02 * "Vanguard" "Rebalance: bonds back to target" #rebalance
2026-11-20 ! "Rebalance" #rebalance          ; pending: planned, not yet confirmed
```

A transaction's date is a rebalance date. Flag ``!`` makes it *pending* (planned, not yet
done: ``bean-rebalance --format beancount`` writes plans that way); any other flag (``*``)
makes it done. Read from every entry of the ledger, whatever Fava's filters: a rebalance
is the household's, like the review calendar it resets.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from beancount.core import data

TAG = "rebalance"
PENDING_FLAG = "!"


@dataclass(frozen=True)
class Rebalance:
    """One ``#rebalance`` transaction: its date, narration and whether it is pending (``!``)."""

    date: datetime.date
    narration: str
    pending: bool
    entry: data.Transaction


def read_rebalances(entries: Iterable[data.Directive]) -> tuple[Rebalance, ...]:
    """Every ``#rebalance`` transaction, in the entries' (date) order."""
    return tuple(
        Rebalance(entry.date, entry.narration or "", entry.flag == PENDING_FLAG, entry)
        for entry in entries
        if isinstance(entry, data.Transaction) and entry.tags and TAG in entry.tags
    )


def between(
    rebalances: Iterable[Rebalance], first: datetime.date, last: datetime.date
) -> tuple[Rebalance, ...]:
    """The rebalances dated from ``first`` to ``last``, both included."""
    return tuple(r for r in rebalances if first <= r.date <= last)
