"""Rebalances recorded in the ledger: transactions tagged ``#rebalance`` (SPEC §5.1).

```beancount
2026-03-02 * "Vanguard" "Rebalance: bonds back to target" #rebalance
2026-11-20 ! "Rebalance" #rebalance          ; pending: planned, not yet confirmed
```

A transaction's date is a rebalance date. Flag ``!`` makes it *pending* (planned, not yet
done: ``bean-rebalance --format beancount`` writes plans that way); any other flag (``*``)
makes it done. Read from every entry of the ledger, whatever Fava's filters: a rebalance
is the household's, like the review calendar it resets.

With several portfolios (SPEC §6.1) a rebalance is each portfolio's that one of its postings
is in (``Settings.in_portfolio`` on its date): the plan of one portfolio, written as entries,
resets that portfolio's calendar only. One that posts to no portfolio's account (say a
transfer between accounts outside every scope) is the household's: every portfolio's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beancount.core import data

if TYPE_CHECKING:  # pragma: no cover
    from fava_rebalance.core.declarations import Declarations

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


def by_portfolio(
    rebalances: Iterable[Rebalance], declarations: Declarations
) -> Mapping[str, tuple[Rebalance, ...]]:
    """Each portfolio's rebalances: those with a posting in it, and those in no portfolio."""
    names = declarations.portfolio_names
    found: dict[str, list[Rebalance]] = {name: [] for name in names}
    for rebalance in rebalances:
        accounts = {posting.account for posting in rebalance.entry.postings}
        mine = [name for name in names if any(declarations.as_of(rebalance.date, name).in_portfolio(account)
                                              for account in accounts)]
        for name in mine or names:
            found[name].append(rebalance)
    return {name: tuple(found[name]) for name in names}
