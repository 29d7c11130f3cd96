"""Several portfolios in one ledger (SPEC §6.1): which account, target and option is whose.

``portfolio: "College"`` on an ``open`` puts that account and its sub-accounts (the nearest
tag wins) in the portfolio ``College``; the accounts of the ``accounts`` scope without a tag
form the default portfolio, ``Main``. The same key on a ``custom "rebalance-target"``,
``"rebalance-option"`` or ``"rebalance-location"`` scopes it to that portfolio: a target
without it is ``Main``'s, an option or location without it applies to every portfolio that
does not set its own.

A few options describe the household, not a portfolio, and cannot be scoped: the reporting
currency (one household total) and the tax rates (one tax estimate for the household).

This module reads and checks the key; ``Declarations`` keeps the tags and resolves a
portfolio's settings (``as_of(date, portfolio)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from beancount.core import data

from fava_rebalance.core.account_pattern import AccountPattern
from fava_rebalance.core.categories import ancestors, is_within
from fava_rebalance.core.errors import RebalanceError, error_at

MAIN = "Main"
KEY = "portfolio"
HOUSEHOLD_OPTIONS = frozenset({"currency", "short-term-rate", "long-term-rate",
                               "tax-rules", "tax-rate", "allowance", "inclusion"})


class PortfolioError(ValueError):
    """A bad ``portfolio:`` value; the message says why."""


def portfolio_name(value: Any) -> str:
    """The portfolio a ``portfolio:`` value names, or ``PortfolioError``."""
    if not isinstance(value, str) or not value.strip():
        raise PortfolioError(f'portfolio must be a name in quotes, such as portfolio: "College", '
                             f"not {value!r}")
    return value.strip()


def portfolio_of(tags: Mapping[str, str], account: str) -> str:
    """The portfolio of ``account``: its nearest tagged ancestor's (itself included), else ``Main``."""
    if not tags:
        return MAIN
    for name in ancestors(account):
        found = tags.get(name)
        if found is not None:
            return found
    return MAIN


def ordered(names: Iterable[str]) -> tuple[str, ...]:
    """Portfolio names in the order every view lists them: ``Main`` first, then A–Z."""
    unique = set(names)
    return (*((MAIN,) if MAIN in unique else ()), *sorted(unique - {MAIN}))


def unknown_portfolio_message(name: str, known: Iterable[str]) -> str:
    """What to say when ``name`` is not one of the ledger's portfolios (CLI, tab, downloads)."""
    return f"no portfolio named {name!r}; the ledger's portfolios are {', '.join(ordered(known))}"


def unmatched_errors(
    opens: Mapping[str, data.Open],
    tags: Mapping[str, str],
    matches: Mapping[str, AccountPattern],
    excluded: Iterable[str],
) -> list[RebalanceError]:
    """An error at each tagged ``open`` whose portfolio's ``accounts`` pattern matches none of it.

    ``matches``: portfolio name → its ``accounts`` pattern (``search``) in force. The account
    or one of its opened sub-accounts that keeps its tag must match, or the tag puts nothing
    in the portfolio (most often the ``accounts`` option for that portfolio is missing).
    Accounts left out with ``rebalance: FALSE`` are not checked.
    """
    left_out = tuple(excluded)
    errors = []
    for account, name in sorted(tags.items()):
        pattern = matches.get(name)
        if pattern is None or any(is_within(account, other) for other in left_out):
            continue
        inside = [other for other in opens if is_within(other, account) and portfolio_of(tags, other) == name]
        if any(pattern.search(other) for other in inside):
            continue
        errors.append(error_at(opens[account], (
            f"{account} is in portfolio {name}, but the accounts option in force for {name} "
            f"({pattern.pattern}) matches neither it nor its sub-accounts, so the portfolio leaves it "
            f'out; add custom "rebalance-option" "accounts" with portfolio: "{name}"')))
    return errors


def unnamed_errors(
    scoped: Iterable[tuple[str, data.Directive]], tagged: Iterable[str]
) -> list[RebalanceError]:
    """An error at each directive scoped to a portfolio that no ``open`` names (a typo?)."""
    known = {*tagged, MAIN}
    return [error_at(entry, f"portfolio {name!r} is named here but on no open directive (a typo?); "
                            f"the ledger's portfolios are {', '.join(ordered(known))}")
            for name, entry in scoped if name not in known]

