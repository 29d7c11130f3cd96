"""Drift history (SPEC §5.2): where each targeted category stood at a series of dates.

Each point is exactly the report as of its date (``pipeline.analyse``): the same holdings
(every entry up to the end of the day), the same prices (``Ledger.price_book`` for the
date, routed as the report routes them, with the same cost fallback), the same settings
(``Declarations.as_of(date, portfolio)``, the one function that says which options and
targets are in force on a date: stepped, or gliding day by day)
and the same sums, in the same order, so the percentages agree to the last digit.

A history is one portfolio's (SPEC §6.1; ``Main`` unless the ledger names others): its
accounts, its targets and bands, its rebalances and its review calendar.

It is computed in **one pass** over the entries, not one report per point: the lots of
every account that can be in the portfolio are kept running as the entries go by, and at
each point the positions are valued (a price looked up per commodity and point, memoised by
the point's price book). The cost grows with the number of entries plus the number of points
times the number of positions held; a position's lots are re-read only when an entry changed
them. Nothing here warns: the report of the last date carries the warnings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core import data
from beancount.core.position import Cost

from fava_rebalance.core.allocation import NO_VALUE, WITHIN_BAND, percent_of, within_band
from fava_rebalance.core.categories import Share
from fava_rebalance.core.declarations import Settings
from fava_rebalance.core.holdings import NO_LOT, ZERO, LotKey, lot_key, lot_order
from fava_rebalance.core.periods import period_ends
from fava_rebalance.core.portfolios import MAIN
from fava_rebalance.core.pricebook import PriceBook
from fava_rebalance.core.rebalances import Rebalance, between
from fava_rebalance.core.review import Review

if TYPE_CHECKING:  # pragma: no cover
    from fava_rebalance.core.pipeline import Ledger, Report

@dataclass(frozen=True)
class CategoryPoint:
    """One targeted category at one date: its value and percent, its target and band."""

    category: str
    value: Decimal
    percent: Decimal
    target: Decimal
    band: Decimal

    @property
    def low(self) -> Decimal:
        """The band's lower edge, in percent."""
        return self.target - self.band

    @property
    def high(self) -> Decimal:
        """The band's upper edge, in percent."""
        return self.target + self.band

    @property
    def drift(self) -> Decimal:
        """Percent minus target, in percentage points (positive: overweight)."""
        return self.percent - self.target


@dataclass(frozen=True)
class HistoryPoint:
    """The portfolio at the end of one date: total, targeted categories, what has no target.

    ``outside`` (per category, by ``allocation.within_band``, exact) is decided here once;
    a portfolio worth nothing has no category outside its band, as the report says.
    """

    date: datetime.date
    currency: str
    total: Decimal
    categories: tuple[CategoryPoint, ...]
    outside: frozenset[str]
    untargeted: Decimal
    uncategorized: Decimal

    @property
    def untargeted_percent(self) -> Decimal:
        """The holdings in a category without a target, in percent of the total."""
        return percent_of(self.untargeted, self.total)

    @property
    def uncategorized_percent(self) -> Decimal:
        """The holdings in no category, in percent of the total."""
        return percent_of(self.uncategorized, self.total)


@dataclass
class _Position:
    """The running lots of one account and commodity, and what was last read from them.

    ``units`` is the sum of the lots and ``via`` their cost currencies in the report's lot
    order (``holdings.positions_as_of``, ``valuation``); both are re-read only after an
    entry changed the lots, and the lots are sorted only when that order matters (several
    cost currencies) or the position has no price (``kept``).
    """

    lots: dict[LotKey, Decimal]
    changed: bool = True
    units: Decimal = ZERO
    held: bool = False
    via: tuple[str, ...] = ()

    def refresh(self) -> None:
        """Read units and cost currencies again after a change."""
        self.units = sum((number for number in self.lots.values() if number != 0), ZERO)
        self.held = any(number != 0 for number in self.lots.values())
        currencies = {key[1] for key, number in self.lots.items() if number != 0 and key[1]}
        if len(currencies) > 1:
            currencies_in_order = (key[1] for key, _ in self.kept() if key[1])
            self.via = tuple(dict.fromkeys(currencies_in_order))
        else:
            self.via = tuple(currencies)
        self.changed = False

    def kept(self) -> list[tuple[LotKey, Decimal]]:
        """The lots held (units not 0) in the report's lot order (date, then cost)."""
        return [(key, number) for key, number in sorted(self.lots.items(), key=lot_order) if number != 0]


def _cost_value(position: _Position, book: PriceBook) -> Decimal | None:
    """A position without a price at cost, as ``valuation`` values it (``None``: left out)."""
    total = ZERO
    for (cost, currency, _, _), number in position.kept():
        if cost is None or currency is None:
            return None
        rate = book.quote(currency)
        if rate is None:
            return None
        total += number * cost * rate.rate
    return total


Resolved = tuple[tuple[str | None, Decimal], ...] | None  # (targeted owner or None, fraction) per share


class _Classes:
    """Which row each holding counts toward, remembered per set of target names.

    A holding's shares (``Declarations.category_of``) and the nearest category with a
    target (``Settings.target_for``) depend only on which categories have targets, so
    they are resolved once per set of names, not once per point.
    """

    def __init__(self, classify: Callable[[str, str], tuple[Share, ...] | None]) -> None:
        self.classify = classify
        self.known: dict[tuple[str, ...], dict[tuple[str, str], Resolved]] = {}

    def of(self, settings: Settings) -> Callable[[tuple[str, str]], Resolved]:
        names = tuple(sorted(settings.targets))
        resolved = self.known.setdefault(names, {})

        def lookup(key: tuple[str, str]) -> Resolved:
            if key in resolved:
                return resolved[key]
            shares = self.classify(*key)
            found = resolved[key] = None if shares is None else tuple(
                (settings.target_for(share.category), share.fraction) for share in shares)
            return found

        return lookup


def _point(date: datetime.date, settings: Settings, total: Decimal, targeted: Mapping[str, Decimal],
           untargeted: Decimal, uncategorized: Decimal) -> HistoryPoint:
    """A point from its sums, with each targeted category's band and whether it is outside."""
    options = settings.options
    rows = []
    outside = set()
    for name in sorted(targeted):
        value = targeted[name]
        target = settings.targets[name].percent
        band = options.band_width(target)
        rows.append(CategoryPoint(name, value, percent_of(value, total), target, band))
        if total > 0 and not within_band(value, target, band, total):
            outside.add(name)
    return HistoryPoint(date, options.currency, total, tuple(rows), frozenset(outside), untargeted,
                        uncategorized)


class _Pass:
    """The running positions of one pass and how each point reads them."""

    def __init__(self, ledger: Ledger, account_match: Callable[[str], bool] | None) -> None:
        self.ledger = ledger
        self.account_match = account_match
        self.positions: dict[tuple[str, str], _Position] = {}
        self.order: list[tuple[str, str]] = []  # the positions' keys, sorted as the report sorts holdings
        self.classes = _Classes(ledger.declarations.category_of)
        self.scopes: dict[tuple[str, str, frozenset[str]], dict[str, bool]] = {}

    def add(self, account: str, commodity: str, key: LotKey, number: Decimal) -> None:
        position = self.positions.get((account, commodity))
        if position is None:
            position = self.positions[(account, commodity)] = _Position({})
            self.order = []
        position.lots[key] = position.lots.get(key, ZERO) + number
        position.changed = True

    def in_scope(self, settings: Settings) -> Callable[[str], bool]:
        """``settings.in_portfolio`` and the account filter, remembered per ``accounts`` pattern."""
        key = (settings.portfolio, settings.options.accounts.pattern, settings.excluded)
        seen = self.scopes.setdefault(key, {})
        match = self.account_match

        def belongs(account: str) -> bool:
            found = seen.get(account)
            if found is None:
                found = seen[account] = settings.in_portfolio(account) and (match is None or match(account))
            return found

        return belongs

    def evaluate(self, date: datetime.date, settings: Settings) -> HistoryPoint:
        """The point at the end of ``date``: every position in the portfolio valued and summed."""
        book = self.ledger.price_book(settings.options.currency, date)
        resolve = self.classes.of(settings)
        belongs = self.in_scope(settings)
        if not self.order:
            self.order = sorted(self.positions)
        rates: dict[tuple[str, tuple[str, ...]], Decimal | None] = {}
        total = untargeted = uncategorized = ZERO
        targeted = dict.fromkeys(settings.targets, ZERO)
        for key in self.order:
            if not belongs(key[0]):
                continue
            position = self.positions[key]
            if position.changed:
                position.refresh()
            if not position.held or position.units == 0:
                continue
            commodity = key[1]
            slot = (commodity, position.via)
            if slot in rates:
                rate = rates[slot]
            else:
                quote = book.quote(commodity, position.via)
                rate = rates[slot] = quote.rate if quote is not None else None
            if rate is not None:
                value = position.units * rate
            else:
                found = _cost_value(position, book)
                if found is None:
                    continue
                value = found
            total += value
            shares = resolve(key)
            if shares is None:
                uncategorized += value
                continue
            for owner, fraction in shares:
                part = value * fraction
                if owner is None:
                    untargeted += part
                else:
                    targeted[owner] += part
        return _point(date, settings, total, targeted, untargeted, uncategorized)


def drift_history(
    ledger: Ledger,
    dates: Sequence[datetime.date],
    *,
    entries: Sequence[data.Directive] | None = None,
    account_match: Callable[[str], bool] | None = None,
    portfolio: str = MAIN,
) -> tuple[HistoryPoint, ...]:
    """``portfolio`` at the end of each of ``dates`` (ascending), in one pass over the entries.

    ``entries`` and ``account_match`` narrow the holdings as they narrow ``analyse``'s (Fava's
    filters); each point equals ``analyse(ledger, date, entries=..., account_match=...,
    portfolio=portfolio)``.
    """
    if not dates:
        return ()
    settings = [ledger.declarations.as_of(date, portfolio) for date in dates]
    may_belong = _may_belong(settings, account_match)
    running = _Pass(ledger, account_match)
    points: list[HistoryPoint] = []
    index = 0
    for entry in ledger.entries if entries is None else entries:
        if not isinstance(entry, data.Transaction):
            continue
        while index < len(dates) and entry.date > dates[index]:
            points.append(running.evaluate(dates[index], settings[index]))
            index += 1
        if index == len(dates):
            break
        for posting in entry.postings:
            units = posting.units
            if units is None or not isinstance(units.number, Decimal) or not may_belong(posting.account):
                continue
            cost = posting.cost
            key = lot_key(cost) if isinstance(cost, Cost) else NO_LOT
            running.add(posting.account, units.currency, key, units.number)
    while index < len(dates):
        points.append(running.evaluate(dates[index], settings[index]))
        index += 1
    return tuple(points)


def _may_belong(
    settings: Iterable[Settings], account_match: Callable[[str], bool] | None
) -> Callable[[str], bool]:
    """Whether an account is in the portfolio on any of the dates (remembered per account)."""
    distinct = list({(s.portfolio, s.options.accounts.pattern, s.excluded): s for s in settings}.values())
    seen: dict[str, bool] = {}

    def belongs(account: str) -> bool:
        found = seen.get(account)
        if found is None:
            found = seen[account] = (account_match is None or account_match(account)) and any(
                s.in_portfolio(account) for s in distinct)
        return found

    return belongs


def outside_since(points: Sequence[HistoryPoint]) -> dict[str, datetime.date]:
    """For each category outside its band at the last point, the first point of that run.

    The run is uninterrupted: it ends at the last point and goes back while the category is
    outside its band at every point (a point where it has no target ends it too).
    """
    if not points:
        return {}
    found = {}
    for name in points[-1].outside:
        since = points[-1].date
        for point in reversed(points[:-1]):
            if name not in point.outside:
                break
            since = point.date
        found[name] = since
    return found


@dataclass(frozen=True)
class History:
    """The drift history of SPEC §5.2 of one portfolio: the points, the rebalances, the review.

    ``rebalances`` are the portfolio's (``Ledger.rebalances_of``) dated from the first
    point's period to the last point, pending ones included; ``review`` is its calendar as
    of the last point.
    """

    every: str
    currency: str
    points: tuple[HistoryPoint, ...]
    rebalances: tuple[Rebalance, ...]
    review: Review
    portfolio: str = MAIN


def targeted_categories(points: Sequence[HistoryPoint]) -> list[str]:
    """Every category with a target at some point, in order of first appearance."""
    seen: dict[str, None] = {}
    for point in points:
        for row in point.categories:
            seen.setdefault(row.category)
    return list(seen)


def first_date(ledger: Ledger, last: datetime.date, portfolio: str = MAIN) -> datetime.date:
    """Where a history starts by default: the date of ``portfolio``'s first target (``last`` without one)."""
    waypoints = ledger.declarations.target_path(portfolio).waypoints
    return min(waypoints[0].date, last) if waypoints else last


# ``outside_since`` looks back at most this many years (1,200 month-ends): a report dated far
# past its first target (time=9998) would otherwise value the portfolio at every month-end
# between, 95,000 of them, to answer one request.
SINCE_LOOKBACK_YEARS = 100


def since_first(ledger: Ledger, last: datetime.date, portfolio: str = MAIN) -> datetime.date:
    """Where the monthly history that ``outside_since`` reads starts.

    The portfolio's first target, at most ``SINCE_LOOKBACK_YEARS`` before the year of ``last``.
    """
    floor = datetime.date(max(last.year - SINCE_LOOKBACK_YEARS, 1), 1, 1)
    return max(first_date(ledger, last, portfolio), floor)


def drift_history_of(
    ledger: Ledger,
    last: datetime.date,
    *,
    first: datetime.date | None = None,
    every: str = "month",
    entries: Sequence[data.Directive] | None = None,
    account_match: Callable[[str], bool] | None = None,
    portfolio: str = MAIN,
) -> History:
    """``portfolio``'s history from ``first`` (default: its first target) to ``last``, every ``every``."""
    start = first_date(ledger, last, portfolio) if first is None else first
    dates = period_ends(start, last, every)
    points = drift_history(ledger, dates, entries=entries, account_match=account_match, portfolio=portfolio)
    return History(every, points[-1].currency, points, between(ledger.rebalances_of(portfolio), start, last),
                   ledger.review_on(last, portfolio), portfolio)


def outside_now(report: Report) -> bool:
    """Whether a targeted category of ``report`` is outside its band (``outside_since`` reads history).

    As the table decided it (``TargetRow.why_no_action``): a row is outside unless within its
    band or the portfolio is worth nothing; below ``min-trade`` it is still outside.
    """
    return any(row.why_no_action not in (NO_VALUE, WITHIN_BAND) for row in report.allocation.targeted)


def with_outside_since(report: Report, ledger: Ledger) -> Report:
    """``report`` (of the whole ``ledger``) with ``outside_since`` from the monthly history.

    The history starts at ``since_first`` (at most ``SINCE_LOOKBACK_YEARS`` back) and is read
    only when a category is outside its band. The Fava tab, whose reports are filtered and
    whose history is cached for its own section, does the same in ``extension._with_since``.
    """
    if not outside_now(report):
        return replace(report, outside_since={})
    first = since_first(ledger, report.date, report.portfolio)
    history = drift_history_of(ledger, report.date, first=first, portfolio=report.portfolio)
    return replace(report, outside_since=outside_since(history.points))
