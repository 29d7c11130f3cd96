"""What a Fava request asks the Rebalance tab for: its filters and the report date.

Fava's time filter gives the report date (its last day, ``g.filtered.end_date``, which is
inclusive); with no time filter it is today. Fava's account filter keeps whole transactions
that touch a matching account; ``account_matcher`` narrows the holdings to the matching
accounts themselves, matching names exactly as Fava's ``AccountFilter`` does. ``portfolio``
names the portfolio shown (empty: the default one).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from beancount.core import account as bc_account
from fava.core.filters import Match


@dataclass(frozen=True)
class RequestScope:
    """The request's ``time``, ``account``, ``filter`` and ``portfolio`` parameters and the report date."""

    time: str
    account: str
    filter: str
    date: datetime.date
    portfolio: str = ""


def scope_of(
    args: Mapping[str, str], end_date: datetime.date | None, today: datetime.date
) -> RequestScope:
    """The scope of a request with query ``args`` and Fava's inclusive ``end_date``."""
    return RequestScope(
        time=args.get("time", "") or "",
        account=args.get("account", "") or "",
        filter=args.get("filter", "") or "",
        date=end_date or today,
        portfolio=(args.get("portfolio", "") or "").strip(),
    )


def account_matcher(value: str) -> Callable[[str], bool] | None:
    """A predicate for account names under Fava's account filter ``value`` (``None``: all).

    An account matches when ``value`` is one of its components (``IRA`` matches
    ``Assets:Invest:IRA``) or when ``value``, as a case-insensitive regular expression,
    is found in its name.
    """
    if not value:
        return None
    match = Match(value)

    def matches(name: str) -> bool:
        return bc_account.has_component(name, value) or match(name)

    return matches
