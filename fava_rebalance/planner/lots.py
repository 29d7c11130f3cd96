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

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.options import Options
from fava_rebalance.planner.model import LONG, LOT, SHORT, LotSale

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
    """A lot as the planner sees it: its units, basis in the reporting currency, gain, rate.

    ``covered`` is how many of its units a loss sale would see washed: the units bought in
    the wash-sale window that could replace them (``washsale.replacements``), at most the
    lot's units; 0 for a gain or outside taxable accounts. A sale takes the covered units
    first: selling ``x`` units washes ``min(x, covered)`` of them.
    """

    lot: Lot
    basis: Decimal | None
    term: str
    gain_per_unit: Decimal
    rate: Decimal
    covered: Decimal = ZERO
    purchase: Lot | None = None
    averaged: bool = False
    match: str = LOT

    @property
    def units(self) -> Decimal:
        """Units in the lot."""
        return self.lot.units

    @property
    def bought(self) -> Lot:
        """The ledger lot whose purchase these units are: ``purchase``, else the lot itself.

        A share of a net position (``averaged``, ``netposition``) is no lot of the ledger; its
        ``purchase`` is the ledger lot its units remain from, which the wash-sale rule must
        not count as their own replacement.
        """
        return self.purchase if self.purchase is not None else self.lot

    @property
    def is_loss(self) -> bool:
        """True when selling it realizes a loss."""
        return self.gain_per_unit < 0

    def tax_per_unit(self) -> Decimal:
        """Estimated tax of selling one unit at the lot's own rate (negative for a loss)."""
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
    """What selling one unit of the lot costs, at the lot's own rate: the order to sell lots in.

    A gain costs its tax. A loss saves its tax when harvesting is on, and counts 0 when it
    is off. A washed loss (a replacement bought in the window) costs the saving it loses,
    so it comes after the gains that cost less. The optimiser itself nets the plan's
    short- and long-term results exactly (``optimize``); this only orders lots within a kind.
    """
    if not fact.is_loss:
        return fact.tax_per_unit()
    if washed:
        return -fact.tax_per_unit()
    return fact.tax_per_unit() if harvest else ZERO


@dataclass(frozen=True)
class Piece:
    """Units of one lot that sell together: all washed, or none (``washed``)."""

    fact: LotFact
    units: Decimal
    washed: bool


def pieces_of(fact: LotFact) -> list[Piece]:
    """A lot as the pieces a sale takes in order: its covered (washed) units first."""
    if fact.is_loss and fact.covered > 0:
        covered = min(fact.covered, fact.units)
        found = [Piece(fact, covered, True)]
        if fact.units > covered:
            found.append(Piece(fact, fact.units - covered, False))
        return found
    return [Piece(fact, fact.units, False)]


def piece_cost(piece: Piece, harvest: bool) -> Decimal:
    """``harvest_cost`` of one unit of the piece."""
    return harvest_cost(piece.fact, washed=piece.washed, harvest=harvest)


def sell_order(
    facts: Sequence[LotFact],
    *,
    harvest: bool = True,
    losses: bool = True,
    fifo: bool = False,
) -> list[Piece]:
    """The pieces of a holding's lots in the order to sell them, cheapest first.

    Cheapest by ``harvest_cost``, then the larger loss, the higher basis, the older lot; a
    lot's covered units always come before the rest of it (the wash-sale rule matches the
    first units sold). With ``losses`` false, loss lots are left out (a wash sale the plan
    must not cause). With ``fifo`` (a net position, ``netposition``) the order is the
    facts' own, oldest first: no choice is left.
    """
    usable = [p for f in facts if losses or not f.is_loss for p in pieces_of(f)]
    if fifo:
        return usable
    ordered = sorted(usable, key=lambda p: (piece_cost(p, harvest), p.fact.tax_per_unit(),
                                            -(p.fact.basis or ZERO), p.fact.lot.date or datetime.date.min,
                                            not p.washed))
    return keep_lot_order(ordered)


def keep_lot_order(pieces: Sequence[Piece]) -> list[Piece]:
    """``pieces`` with each lot's washed piece moved before its other piece, if it came after."""
    result: list[Piece] = []
    placed: set[int] = set()
    for index, piece in enumerate(pieces):
        if index in placed:
            continue
        if not piece.washed:
            sibling = next((i for i in range(index + 1, len(pieces))
                            if i not in placed and pieces[i].fact is piece.fact and pieces[i].washed), None)
            if sibling is not None:
                result.append(pieces[sibling])
                placed.add(sibling)
        result.append(piece)
        placed.add(index)
    return result


def take_lots(order: Sequence[Piece], units: Decimal) -> tuple[list[tuple[LotFact, Decimal]], Decimal]:
    """Split ``units`` over the pieces in ``order``; the units taken per lot, and what is left over."""
    taken: list[tuple[Piece, Decimal]] = []
    left = units
    for piece in order:
        if left <= 0:
            break
        amount = min(piece.units, left)
        taken.append((piece, amount))
        left -= amount
    return merge_pieces(taken), left


def merge_pieces(taken: Iterable[tuple[Piece, Decimal]]) -> list[tuple[LotFact, Decimal]]:
    """Units taken per lot, each lot once (its covered and other pieces added up), in order."""
    merged: dict[int, tuple[LotFact, Decimal]] = {}
    for piece, amount in taken:
        if amount <= 0:
            continue
        fact, before = merged.get(id(piece.fact), (piece.fact, ZERO))
        merged[id(piece.fact)] = (fact, before + amount)
    return list(merged.values())


def washed_units(fact: LotFact, units: Decimal) -> Decimal:
    """Units of a sale of ``units`` from the lot that the wash-sale rule disallows."""
    return min(units, fact.covered) if fact.is_loss else ZERO


def lot_sales(pieces: Iterable[tuple[LotFact, Decimal]]) -> tuple[LotSale, ...]:
    """The lots a sell takes, with their gains in the reporting currency."""
    return tuple(
        LotSale(f.lot.date, units, f.lot.cost, f.lot.cost_currency, units * f.gain_per_unit, f.term,
                f.lot.label, f.averaged, f.match)
        for f, units in pieces
    )


def netted_rates(short_gain: Decimal, long_gain: Decimal, options: Options) -> tuple[Decimal, Decimal]:
    """The rates at which the plan's short- and long-term results are taxed, after netting.

    Schedule D order: short- and long-term results of the same sign keep their own rates;
    of opposite signs they offset, and what remains keeps the character (and rate) of the
    larger side, so every result of the plan is taxed at that one rate. The estimate is
    ``short × first + long × second``, and each order's share of it is its own results at
    the same two rates: the shares add up to the estimate exactly.
    """
    st, lt = options.short_term_rate, options.long_term_rate
    if short_gain * long_gain >= 0:  # same sign, or one side is nothing: no offset
        return st, lt
    # The side that remains: the positive one when the net is a gain, else the negative one.
    remains_short = short_gain > 0 if short_gain + long_gain >= 0 else short_gain < 0
    rate = st if remains_short else lt
    return rate, rate


def estimated_tax(short_gain: Decimal, long_gain: Decimal, options: Options) -> Decimal:
    """Tax at the configured rates after netting short- against long-term (``netted_rates``).

    A net loss gives a negative figure: the tax it would save against other gains.
    """
    short_rate, long_rate = netted_rates(short_gain, long_gain, options)
    return short_gain * short_rate + long_gain * long_rate
