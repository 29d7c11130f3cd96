"""Market value of positions on a date, in the reporting currency.

units × the latest price on or before the date, converted directly or via an operating
currency. No price at all: cost, with a warning; neither: left out, with a warning. A price
older than 30 days before the date: a "stale price" warning. Prices dated later are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import prices as bc_prices

from fava_rebalance.formatting import grouped
from fava_rebalance.holdings import ZERO, Lot, Position

STALE_DAYS = 30
ONE = Decimal(1)


@dataclass(frozen=True)
class Quote:
    """A rate from one currency into the reporting currency, with its (oldest) date."""

    rate: Decimal
    date: datetime.date | None


@dataclass(frozen=True)
class Holding:
    """A position valued on the report date.

    ``basis`` is how it was valued: ``price``, ``cost`` (no price; fallback) or ``currency``
    (the reporting currency itself). ``price`` is per unit in the reporting currency.
    """

    account: str
    commodity: str
    units: Decimal
    lots: tuple[Lot, ...]
    value: Decimal
    price: Decimal | None
    price_date: datetime.date | None
    basis: str


class PriceBook:
    """Looks up rates into one currency, as of one date, memoised per currency."""

    def __init__(
        self,
        price_map: Any,
        currency: str,
        date: datetime.date,
        operating: Sequence[str] = (),
    ) -> None:
        self.price_map = price_map
        self.currency = currency
        self.date = date
        self.via = [c for c in operating if c != currency]
        self._memo: dict[str, Quote | None] = {}

    def _get(self, base: str, quote: str) -> tuple[datetime.date | None, Decimal | None]:
        found: tuple[datetime.date | None, Decimal | None]
        fava_lookup = getattr(self.price_map, "get_price_point", None)
        if fava_lookup is not None:  # Fava's FavaPriceMap: same answers, already built by Fava
            found = fava_lookup((base, quote), self.date)
        else:
            found = bc_prices.get_price(self.price_map, (base, quote), self.date)
        return found

    def quote(self, commodity: str) -> Quote | None:
        """The rate of ``commodity`` in the reporting currency, or ``None`` without prices."""
        if commodity == self.currency:
            return Quote(ONE, None)
        if commodity in self._memo:
            return self._memo[commodity]
        # Every route (direct, then via each operating currency); the freshest wins, so an
        # old direct price never beats a current one through EUR. A route is as old as
        # the older of its two prices.
        routes: list[Quote] = []
        date, rate = self._get(commodity, self.currency)
        if rate is not None:
            routes.append(Quote(rate, date))
        for middle in self.via:
            if middle == commodity:
                continue
            date1, rate1 = self._get(commodity, middle)
            if rate1 is None:
                continue
            date2, rate2 = self._get(middle, self.currency)
            if rate2 is None:
                continue
            dates = [d for d in (date1, date2) if d is not None]
            routes.append(Quote(rate1 * rate2, min(dates) if dates else None))
        found = max(routes, key=lambda q: q.date or datetime.date.min) if routes else None
        self._memo[commodity] = found
        return found


def value_positions(
    positions: Iterable[Position], book: PriceBook
) -> tuple[list[Holding], list[str]]:
    """Value each position; return the holdings and the warnings, each naming its holding."""
    holdings: list[Holding] = []
    warnings: list[str] = []
    stale_before = book.date - datetime.timedelta(days=STALE_DAYS)
    stale_seen: set[str] = set()
    for pos in positions:
        quote = book.quote(pos.commodity)
        if quote is not None:
            if quote.date is not None and quote.date < stale_before and pos.commodity not in stale_seen:
                stale_seen.add(pos.commodity)
                age = (book.date - quote.date).days
                warnings.append(f"stale price for {pos.commodity}: the latest is from {quote.date}, "
                                f"{age} days before {book.date}")
            basis = "currency" if pos.commodity == book.currency else "price"
            holdings.append(Holding(pos.account, pos.commodity, pos.units, pos.lots,
                                    pos.units * quote.rate, quote.rate, quote.date, basis))
            continue
        cost_value = _cost_value(pos, book)
        if cost_value is None:
            warnings.append(f"no price for {pos.commodity} in {pos.account} and no cost to fall back "
                            f"on; {pos.units} {pos.commodity} left out of the portfolio")
            continue
        warnings.append(f"no price for {pos.commodity} in {pos.account} on or before {book.date}; "
                        f"valued at cost ({grouped(cost_value)} {book.currency})")
        per_unit = cost_value / pos.units if pos.units else None
        holdings.append(Holding(pos.account, pos.commodity, pos.units, pos.lots,
                                cost_value, per_unit, None, "cost"))
    return holdings, warnings


def _cost_value(pos: Position, book: PriceBook) -> Decimal | None:
    total = ZERO
    for lot in pos.lots:
        if lot.cost is None or lot.cost_currency is None:
            return None
        quote = book.quote(lot.cost_currency)
        if quote is None:
            return None
        total += lot.units * lot.cost * quote.rate
    return total
