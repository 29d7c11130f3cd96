"""Lots: holding periods, gains, the order in which to sell them, and the tax estimate.

A lot is long-term when held more than one year on the as-of date. Its gain per unit is the
price minus its cost converted into the reporting currency at the rate of the day it was
bought (proceeds at the as-of date's rate). A lot without a usable cost
(a money-market sweep booked without one, say) is taken as no gain, and its sell says so.
Sells take lots in the order that costs the least tax per unit: losses first (the short-term
ones, taxed higher, before the long-term), then gains from the smallest tax per unit up,
which puts high-basis long-term lots first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fava_rebalance.holdings import Lot
from fava_rebalance.options import Options
from fava_rebalance.planner.model import LONG, SHORT, LotSale

ZERO = Decimal(0)


@lru_cache(maxsize=4096)
def one_year_after(acquired: datetime.date) -> datetime.date:
    """The same day a year later (28 February for a 29 February)."""
    if acquired.month == 2 and acquired.day == 29:
        return datetime.date(acquired.year + 1, 2, 28)
    return acquired.replace(year=acquired.year + 1)


def term_of(acquired: datetime.date | None, sold: datetime.date) -> str:
    """``long`` when held more than one year on ``sold``; ``short`` otherwise or unknown."""
    if acquired is None:
        return SHORT
    return LONG if sold > one_year_after(acquired) else SHORT


@dataclass(frozen=True)
class LotFact:
    """A lot as the planner sees it: its units, basis in the reporting currency, gain, rate."""

    lot: Lot
    basis: Decimal | None
    term: str
    gain_per_unit: Decimal
    rate: Decimal

    @property
    def units(self) -> Decimal:
        """Units in the lot."""
        return self.lot.units

    @property
    def is_loss(self) -> bool:
        """True when selling it realizes a loss."""
        return self.gain_per_unit < 0

    def tax_per_unit(self) -> Decimal:
        """Estimated tax of selling one unit (negative for a loss: a saving)."""
        return self.rate * self.gain_per_unit


def lot_facts(
    lots: Iterable[Lot],
    price: Decimal,
    as_of: datetime.date,
    options: Options,
    rate_of: Callable[[Lot], Decimal | None],
) -> tuple[LotFact, ...]:
    """Facts for each long lot (positive units) of a holding priced ``price``.

    ``rate_of(lot)`` converts the lot's cost into the reporting currency at the rate of its
    acquisition date (``Holding.cost_rate``); ``price`` is the report date's.
    """
    facts = []
    for lot in lots:
        if lot.units <= 0:
            continue
        basis: Decimal | None = None
        if lot.cost is not None and lot.cost_currency is not None:
            rate = rate_of(lot)
            if rate is not None:
                basis = lot.cost * rate
        term = term_of(lot.date, as_of)
        gain = price - basis if basis is not None else ZERO
        tax_rate = options.long_term_rate if term == LONG else options.short_term_rate
        facts.append(LotFact(lot, basis, term, gain, tax_rate))
    return tuple(facts)


def harvest_cost(fact: LotFact, *, washed: bool, harvest: bool) -> Decimal:
    """What selling one unit of the lot costs the plan, as the optimiser counts it.

    A gain costs its tax. A loss saves its tax when harvesting is on, and counts 0 when it
    is off. A loss that a recent purchase would disallow (a wash sale) costs the saving it
    loses, so the plan avoids it where it can.
    """
    if not fact.is_loss:
        return fact.tax_per_unit()
    if washed:
        return -fact.tax_per_unit()
    return fact.tax_per_unit() if harvest else ZERO


def sell_order(
    facts: Sequence[LotFact],
    cost: Callable[[LotFact], Decimal] | None = None,
    *,
    losses: bool = True,
) -> list[LotFact]:
    """Lots in the order to sell them, cheapest first.

    Cheapest by ``cost`` (default: the tax per unit), then the larger loss, the higher
    basis, the older lot.

    With ``losses`` false, loss lots are left out (a wash sale the plan must not cause).
    """
    price_of = cost or LotFact.tax_per_unit
    usable = [f for f in facts if losses or not f.is_loss]
    return sorted(usable, key=lambda f: (price_of(f), f.tax_per_unit(), -(f.basis or ZERO),
                                         f.lot.date or datetime.date.min))


def take_lots(
    facts: Sequence[LotFact],
    units: Decimal,
    cost: Callable[[LotFact], Decimal] | None = None,
    *,
    losses: bool = True,
) -> tuple[list[tuple[LotFact, Decimal]], Decimal]:
    """Split ``units`` over the lots in sell order; returns the pieces and what is left over."""
    pieces = []
    left = units
    for fact in sell_order(facts, cost, losses=losses):
        if left <= 0:
            break
        piece = min(fact.units, left)
        pieces.append((fact, piece))
        left -= piece
    return pieces, left


def lot_sales(pieces: Iterable[tuple[LotFact, Decimal]]) -> tuple[LotSale, ...]:
    """The lots a sell takes, with their gains in the reporting currency."""
    return tuple(
        LotSale(f.lot.date, units, f.lot.cost, f.lot.cost_currency, units * f.gain_per_unit, f.term)
        for f, units in pieces
    )


def estimated_tax(short_gain: Decimal, long_gain: Decimal, options: Options) -> Decimal:
    """Tax at the configured rates after netting short- against long-term (Schedule D order).

    Short- and long-term results of opposite signs offset each other; what remains keeps
    the character (and rate) of the larger side. A net loss gives a negative figure: the
    tax it would save against other gains.
    """
    st, lt = options.short_term_rate, options.long_term_rate
    if (short_gain >= 0) == (long_gain >= 0):
        return short_gain * st + long_gain * lt
    net = short_gain + long_gain
    if net >= 0:
        return net * (st if short_gain > 0 else lt)
    return net * (st if short_gain < 0 else lt)
