"""The review calendar (SPEC §5.1): when the portfolio was last rebalanced and is due again.

- ``last_rebalance``: the latest done (not ``!``) ``#rebalance`` transaction on or before
  the report date;
- ``next_review``: that date plus the ``review`` period; with no rebalance yet, the date of
  the first target plus the period; ``None`` without a ``review`` option;
- ``overdue``: the report date is past ``next_review`` (on the day itself it is due, not
  overdue);
- ``pending``: the ``!`` rebalances dated on or before the report date (a plan written into
  the ledger and not yet confirmed); they do not reset the calendar.

Month arithmetic is ``periods.add_months`` (2024-01-31 plus a month is 2024-02-29).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from fava_rebalance.core.periods import ReviewPeriod
from fava_rebalance.core.rebalances import Rebalance


@dataclass(frozen=True)
class Review:
    """The review calendar as of one date."""

    last_rebalance: datetime.date | None
    every: ReviewPeriod | None
    next_review: datetime.date | None
    overdue: bool
    pending: tuple[Rebalance, ...] = ()

    @property
    def pending_dates(self) -> list[datetime.date]:
        """The pending rebalances' dates, each once, in order (SPEC §5.1's ``pending``).

        A plan written as entries is one transaction per trading account, all of one date:
        it is one rebalance, so its date is listed once.
        """
        return sorted({r.date for r in self.pending})

    @property
    def anything(self) -> bool:
        """Whether there is anything to say: a rebalance, a pending one, or a review period."""
        return self.last_rebalance is not None or self.every is not None or bool(self.pending)


NO_REVIEW = Review(None, None, None, False)


def review_of(
    rebalances: Sequence[Rebalance],
    every: ReviewPeriod | None,
    first_target: datetime.date | None,
    date: datetime.date,
) -> Review:
    """The review calendar on ``date`` from the ledger's rebalances and the ``review`` period."""
    done = [r.date for r in rebalances if not r.pending and r.date <= date]
    last = max(done, default=None)
    pending = tuple(r for r in rebalances if r.pending and r.date <= date)
    start = last if last is not None else first_target
    due = every.after(start) if every is not None and start is not None else None
    return Review(last, every, due, due is not None and date > due, pending)

