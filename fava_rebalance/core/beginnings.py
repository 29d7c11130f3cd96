"""When the portfolio begins: the date of the first target and of the first holding.

A report dated before them (``--date 1999-01-01``, Fava's ``time=1990``) lacks targets or
holdings only because it is too early: the ledger has them later. The page and the terminal
then say so, with these dates, instead of suggesting lines the ledger already holds. Looked
up only when a report misses targets or holdings (``Report.missing``): one pass over the
transactions, stopping at the first that posts to a portfolio account.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import Ledger


@dataclass(frozen=True)
class Beginnings:
    """The first target's date and the first day a portfolio account holds something (``None``: never)."""

    first_target: datetime.date | None
    first_holding: datetime.date | None

    def targets_later(self, date: datetime.date) -> datetime.date | None:
        """The first target's date when it is after ``date`` (the report is too early for targets)."""
        return self.first_target if self.first_target is not None and self.first_target > date else None

    def holdings_later(self, date: datetime.date) -> datetime.date | None:
        """The first holding's date when it is after ``date`` (the report is too early for holdings)."""
        return self.first_holding if self.first_holding is not None and self.first_holding > date else None


def first_holding(entries: Iterable[data.Directive], belongs: Callable[[str], bool]) -> datetime.date | None:
    """The date of the first transaction that posts units to an account ``belongs`` accepts."""
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            units = posting.units
            if (units is not None and isinstance(units.number, Decimal) and units.number != 0
                    and belongs(posting.account)):
                return entry.date
    return None


def beginnings(entries: Iterable[data.Directive], declarations: Declarations,
               belongs: Callable[[str], bool]) -> Beginnings:
    """When the targets and the holdings of the portfolio (accounts ``belongs`` accepts) begin."""
    first_target = min((target.date for target in declarations.targets), default=None)
    return Beginnings(first_target, first_holding(entries, belongs))


def ledger_beginnings(ledger: Ledger, date: datetime.date, entries: Sequence[data.Directive] | None = None,
                      account_match: Callable[[str], bool] | None = None) -> Beginnings:
    """The beginnings of ``ledger``'s portfolio, as a report dated ``date`` would see them.

    The portfolio's accounts are those of the latest ``accounts`` option (a report dated
    before the option would otherwise count the bank); ``entries`` and ``account_match``
    narrow them as ``analyse``'s do (Fava's filters).
    """
    latest = ledger.declarations.as_of(max(ledger.last_date or date, date)).in_portfolio

    def belongs(account: str) -> bool:
        return latest(account) and (account_match is None or account_match(account))

    return beginnings(ledger.entries if entries is None else entries, ledger.declarations, belongs)
