"""Market value of positions on a date, in the reporting currency, and their lots' cost rates.

units × the latest price on or before the date, converted into the reporting currency the
way ``pricebook`` routes it (directly, via the cost currency, or along a chain of prices).
No price at all: cost, with a warning; neither: left out, with a warning. A price older than
30 days before the date (for a chain, its oldest price): a "stale price" warning. Prices
dated later are ignored.

Each lot's cost is converted at the rate of its acquisition date (the latest on or before
it) for the planner's gains; proceeds are at the report date's price. A lot with no date
takes the report date's rate, and so does one bought before the ledger's first rate for
its cost currency, with a warning.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from fava_rebalance.core.formatting import grouped
from fava_rebalance.core.holdings import ZERO, Lot, Position
from fava_rebalance.core.pricebook import DatedRate, PriceBook

STALE_DAYS = 30
ONE = Decimal(1)


@dataclass(frozen=True)
class Holding:
    """A position valued on the report date.

    ``basis`` is how it was valued: ``price``, ``cost`` (no price; fallback) or ``currency``
    (the reporting currency itself). ``price`` is per unit in the reporting currency.
    ``cost_rates``: for each lot (same order), the rate that converts its cost into the
    reporting currency at its acquisition date (see ``cost_rate``).
    """

    account: str
    commodity: str
    units: Decimal
    lots: tuple[Lot, ...]
    value: Decimal
    price: Decimal | None
    price_date: datetime.date | None
    basis: str
    cost_rates: tuple[Decimal | None, ...] = ()

    @cached_property
    def _rate_of_lot(self) -> Mapping[Lot, Decimal | None]:
        return dict(zip(self.lots, self.cost_rates, strict=False))

    def cost_rate(self, lot: Lot) -> Decimal | None:
        """Rate of ``lot``'s cost currency into the reporting currency on its acquisition date.

        ``None``: the lot has no cost, or there is no rate at all for its currency.
        """
        return self._rate_of_lot.get(lot)


def value_positions(
    positions: Iterable[Position], book: PriceBook
) -> tuple[list[Holding], list[str]]:
    """Value each position; return the holdings and the warnings, each naming its holding."""
    holdings: list[Holding] = []
    warnings: list[str] = []
    stale_before = book.date - datetime.timedelta(days=STALE_DAYS)
    stale_seen: set[str] = set()
    for pos in positions:
        rates, early = _cost_rates(pos, book)
        cost_currencies = tuple(dict.fromkeys(lot.cost_currency for lot in pos.lots if lot.cost_currency))
        quote = book.quote(pos.commodity, cost_currencies)
        if quote is not None:
            if quote.date is not None and quote.date < stale_before and pos.commodity not in stale_seen:
                stale_seen.add(pos.commodity)
                age = (book.date - quote.date).days
                warnings.append(f"stale price for {pos.commodity}: the latest is from {quote.date}, "
                                f"{age} days before {book.date}")
            basis = "currency" if pos.commodity == book.currency else "price"
            holdings.append(Holding(pos.account, pos.commodity, pos.units, pos.lots,
                                    pos.units * quote.rate, quote.rate, quote.date, basis, rates))
            warnings += early
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
                                cost_value, per_unit, None, "cost", rates))
        warnings += early
    return holdings, warnings


def _cost_value(pos: Position, book: PriceBook) -> Decimal | None:
    """The position at cost, converted at the report date's rates (what it is worth now)."""
    total = ZERO
    for lot in pos.lots:
        if lot.cost is None or lot.cost_currency is None:
            return None
        quote = book.quote(lot.cost_currency)
        if quote is None:
            return None
        total += lot.units * lot.cost * quote.rate
    return total


def _cost_rates(pos: Position, book: PriceBook) -> tuple[tuple[Decimal | None, ...], list[str]]:
    """Each lot's cost rate at its acquisition date; a warning where the ledger has none yet."""
    rates: list[Decimal | None] = []
    early: dict[str, datetime.date] = {}  # cost currency → the oldest date without a rate
    for lot in pos.lots:
        currency = lot.cost_currency
        if lot.cost is None or currency is None:
            rates.append(None)
            continue
        if currency == book.currency:
            rates.append(ONE)
            continue
        found: DatedRate | None = book.rate_on(currency, lot.date or book.date)
        if found is None and lot.date is not None:
            found = book.quote(currency)
            if found is not None:
                early[currency] = min(lot.date, early.get(currency, lot.date))
        rates.append(found.rate if found is not None else None)
    warnings = [f"no {currency} to {book.currency} rate on or before {date}, when {pos.commodity} in "
                f"{pos.account} was bought; its cost is converted at the rate of {book.date} for the "
                "tax estimates" for currency, date in early.items()]
    return tuple(rates), warnings
