"""Rates from any currency into the reporting currency, on a date, through chains of prices.

A rate is read from the ledger's price map (Beancount's ``PriceMap`` or Fava's
``FavaPriceMap``, which hold every pair in both directions): each price is the latest on or
before the date, as ``beancount.core.prices.get_price`` gives it. Where there is no direct
price, a *route* multiplies prices along a chain of currencies (VUKE → GBP → EUR → USD).

How routes are searched and which one wins:

- breadth-first from the commodity over the currencies it has prices with, at most
  ``MAX_PRICES`` prices long, never visiting a currency twice, nor one that cannot finish
  a route (priced against a single currency, or too far from the reporting currency);
- a route is as old as the oldest price on it (that date is what the stale-price warning
  judges), and the freshest route wins, so an old direct price never beats today's route
  through EUR;
- between equally fresh routes the shorter one wins, then Beancount's own order: direct,
  via the lot's cost currency (``beancount.core.convert.convert_position``), via the
  operating currencies in the order of the options, then the others alphabetically.

So wherever Beancount converts a position (directly or via its cost currency) and no other
route is fresher, the rate is Beancount's exactly, and ``bean-query``'s
``convert(sum(position), CUR, DATE)`` gives the same total; where Beancount gives up (a fund
bought in EUR and priced only in USD, reported in EUR), a longer chain still finds a price.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import prices as bc_prices

ONE = Decimal(1)
MAX_PRICES = 4
Point = tuple[datetime.date | None, Decimal | None]
Graph = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class DatedRate:
    """A rate from one currency into the reporting currency, with its (oldest) date."""

    rate: Decimal
    date: datetime.date | None


@dataclass(frozen=True)
class _Partial:
    """A route from the commodity to ``path[-1]``: the product of its prices, its oldest date."""

    rate: Decimal
    date: datetime.date
    path: tuple[str, ...]


class PriceSeries:
    """Each pair's prices read once from the price map, then looked up by (C) bisection.

    Gives exactly what the map's own lookup gives (``beancount.core.prices.get_price`` or
    Fava's ``get_price_point``: the latest price on or before the date, from the same list).
    A pair's list is read the second time the pair is asked for: a report of one date asks
    once and pays nothing, the drift history asks for hundreds of dates per pair.
    """

    def __init__(self, price_map: Any) -> None:
        self.price_map = price_map
        self._asked: set[tuple[str, str]] = set()
        self._pairs: dict[tuple[str, str], tuple[list[datetime.date], Sequence[Point]]] = {}

    def _read(self, base: str, quote: str) -> tuple[list[datetime.date], Sequence[Point]]:
        fava_all = getattr(self.price_map, "get_all_prices", None)
        listed: Sequence[Point] | None
        if fava_all is not None and not isinstance(self.price_map, dict):  # Fava's FavaPriceMap
            listed = fava_all((base, quote))
        else:
            try:
                listed = bc_prices.get_all_prices(self.price_map, (base, quote))
            except KeyError:
                listed = None
        points = listed or []
        return [day for day, _ in points], points  # type: ignore[misc]

    def point(self, base: str, quote: str, date: datetime.date) -> Point | None:
        """The latest (date, price) of ``base`` in ``quote`` on or before ``date``, else ``(None, None)``.

        ``None`` the first time a pair is asked for: the caller looks it up in the map itself.
        """
        if base == quote:
            return (None, ONE)
        key = (base, quote)
        found = self._pairs.get(key)
        if found is None:
            if key not in self._asked:
                self._asked.add(key)
                return None
            found = self._pairs[key] = self._read(base, quote)
        days, points = found
        index = bisect.bisect_right(days, date)
        return points[index - 1] if index else (None, None)


class PriceBook:
    """Looks up rates into one currency, as of one date (or any other), memoised.

    ``graph`` says which currencies have prices with which (``price_graph``); by default it
    is read from the price map. Fava's map lists a pair written equally often both ways in
    neither direction, so a caller that holds the price entries passes its own.
    """

    def __init__(
        self,
        price_map: Any,
        currency: str,
        date: datetime.date,
        operating: Sequence[str] = (),
        graph: Graph | None = None,
        series: PriceSeries | None = None,
    ) -> None:
        self.price_map = price_map
        self.currency = currency
        self.date = date
        self.operating = tuple(c for c in operating if c != currency)
        self._memo: dict[tuple[str, datetime.date, tuple[str, ...]], DatedRate | None] = {}
        self._points: dict[tuple[str, str, datetime.date], Point] = {}
        self._graph = graph
        self._reach: dict[str, int] | None = None
        self._step_memo: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._series = series

    def quote(self, commodity: str, via: Sequence[str] = ()) -> DatedRate | None:
        """The rate of ``commodity`` on the book's date, or ``None`` without a route.

        ``via``: the cost currencies of the position, tried first among equally fresh
        routes (as Beancount tries the cost currency when there is no direct price).
        """
        return self.rate_on(commodity, self.date, via)

    def rate_on(self, currency: str, date: datetime.date, via: Sequence[str] = ()) -> DatedRate | None:
        """The rate of ``currency`` on ``date`` (latest prices on or before it), or ``None``."""
        if currency == self.currency:
            return DatedRate(ONE, None)
        key = (currency, date, tuple(via))
        if key not in self._memo:
            self._memo[key] = self._search(currency, date, key[2])
        return self._memo[key]

    def _point(self, base: str, quote: str, date: datetime.date) -> Point:
        key = (base, quote, date)
        found = self._points.get(key)
        if found is None and self._series is not None:  # the same answer, read faster
            found = self._series.point(base, quote, date)
            if found is not None:
                self._points[key] = found
        if found is None:
            found = self._points[key] = price_point(self.price_map, base, quote, date)
        return found

    def _steps(self, here: str, first: tuple[str, ...]) -> list[str]:
        """Where a route at ``here`` may go next: ``first`` in order, then A–Z.

        Left out: currencies that cannot reach the reporting currency within ``MAX_PRICES``,
        and those priced against ``here`` alone (a fund priced only in USD is a dead end for
        a route through USD), so that a currency priced against hundreds of funds costs
        nothing to pass through.
        """
        key = (here, first)
        found = self._step_memo.get(key)
        if found is None:
            graph, reach = self._graph_and_reach()
            useful = [c for c in graph.get(here, ()) if c == self.currency
                      or (len(graph[c]) > 1 and reach.get(c, MAX_PRICES) < MAX_PRICES)]
            ranked = [c for c in dict.fromkeys(first) if c in useful]
            found = self._step_memo[key] = ranked + [c for c in useful if c not in ranked]
        return found

    def _graph_and_reach(self) -> tuple[Graph, dict[str, int]]:
        """The price graph and each currency's fewest prices to the reporting currency."""
        graph = self._graph
        if graph is None:
            graph = self._graph = _graph_of(self.price_map)
        reach = self._reach
        if reach is None:
            reach = self._reach = {self.currency: 0}
            layer = [self.currency]
            while layer:
                following = []
                for currency in layer:
                    for other in graph.get(currency, ()):
                        if other not in reach:
                            reach[other] = reach[currency] + 1
                            following.append(other)
                layer = following
        return graph, reach

    def _search(self, commodity: str, date: datetime.date, via: tuple[str, ...]) -> DatedRate | None:
        graph, reach = self._graph_and_reach()
        if graph.get(commodity, ()) == (self.currency,):  # priced in the reporting currency alone
            day, rate = self._point(commodity, self.currency, date)  # the only route: the same answer
            return DatedRate(ONE * rate, day) if rate is not None and day is not None else None
        first = (self.currency, *via, *self.operating)
        if reach.get(commodity, MAX_PRICES + 1) > MAX_PRICES:
            return None
        best: DatedRate | None = None
        freshest: dict[str, datetime.date] = {}  # the freshest route kept to each currency
        frontier = [_Partial(ONE, datetime.date.max, (commodity,))]
        for used in range(1, MAX_PRICES + 1):
            following: dict[str, _Partial] = {}
            for route in frontier:
                here = route.path[-1]
                for there in self._steps(here, first):
                    if there in route.path or reach[there] > MAX_PRICES - used:
                        continue
                    day, rate = self._point(here, there, date)
                    if rate is None or day is None:
                        continue
                    oldest = min(day, route.date)
                    if best is not None and best.date is not None and oldest <= best.date:
                        continue  # not fresher than the route found (ties go to the first found)
                    if there == self.currency:
                        best = DatedRate(route.rate * rate, oldest)
                        if oldest == date:  # no route can be fresher than the date itself
                            return best
                        continue
                    if oldest <= freshest.get(there, datetime.date.min):
                        continue
                    freshest[there] = oldest
                    following[there] = _Partial(route.rate * rate, oldest, (*route.path, there))
            frontier = list(following.values())
            if not frontier:
                break
        return best


def price_point(price_map: Any, base: str, quote: str, date: datetime.date) -> Point:
    """The latest (date, price) of ``base`` in ``quote`` on or before ``date`` in ``price_map``.

    ``(None, None)`` without one. Beancount's ``get_price``, or Fava's ``get_price_point`` on
    its ``FavaPriceMap`` (the same answers, from the map Fava has already built).
    """
    fava_lookup = getattr(price_map, "get_price_point", None)
    found: Point = (fava_lookup((base, quote), date) if fava_lookup is not None
                    else bc_prices.get_price(price_map, (base, quote), date))
    return found


def price_graph(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Each currency → the currencies it has prices with (in either direction), A–Z."""
    found: dict[str, set[str]] = {}
    for base, quote in pairs:
        found.setdefault(base, set()).add(quote)
        found.setdefault(quote, set()).add(base)
    return {currency: tuple(sorted(others)) for currency, others in found.items()}


def _graph_of(price_map: Any) -> dict[str, tuple[str, ...]]:
    commodity_pairs = getattr(price_map, "commodity_pairs", None)
    if commodity_pairs is not None:  # Fava's FavaPriceMap: the pairs mostly written one way
        return price_graph(commodity_pairs(()))
    return price_graph(price_map.keys())  # Beancount's PriceMap: keyed by (base, quote), inverses too
