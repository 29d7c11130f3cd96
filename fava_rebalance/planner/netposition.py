"""Holdings sold as a net position: booked without lots, or holding lots of both signs.

``option "booking_method" "NONE"`` (or ``open ACCOUNT "NONE"``) lets a sale post
``-5 VTI {120 USD}`` without matching a lot, so a holding becomes a mix of positive and
negative lots; a lot-matching booking can leave lots of both signs too. There are then no
lots to choose from, and the planner sells the net position (at most the net units) the way
the single-category average basis method does (IRS Pub. 550, "Average basis"; Treas. Reg.
§1.1012-1(e)):

- **Basis**: the average cost of the net position as the ledger states it: Σ(units × cost)
  over every lot, the negative ones included, each lot's cost converted at the rate of its
  own date (``Holding.cost_rate``), ÷ the net units. A lot without a cost or a rate leaves the
  basis unknown (the gain is taken as 0, as for any lot without a cost, and the order says
  so). An average below 0 (reductions written at costs above what was paid) is taken as 0:
  no basis a user could defend is negative.
- **Holding period**: first in, first out. Walking the lots by date, each reduction takes the
  oldest units then held (a purchase first covers what is short), so the units that remain
  keep their purchases' dates, and a sale takes the oldest of them first. ``NONE`` booking
  does not say which units a reduction sold; first in, first out is what the tax rules
  assume when the shares sold are not identified (Treas. Reg. §1.1012-1(c)(1)) and what the
  average basis method prescribes for the holding period. A lot without a date leaves the
  holding period unknown: the estimate then takes the term that costs more tax (``costlier``:
  with the default rates short-term for a gain, long-term for a loss, which saves less).
- **Wash sales**: each share of the position keeps, as ``LotFact.purchase``, the ledger lot
  its units remain from, so a purchase in the window is not counted as the replacement of
  its own units; a share of unknown date has no purchase and every purchase may replace it.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.options import Options
from fava_rebalance.planner.lots import LotFact, term_of
from fava_rebalance.planner.model import LONG, SHORT

ZERO = Decimal(0)
NONE_BOOKING = "NONE"
BOOKED_WITHOUT_LOTS = "booked without lots"
MIXED_SIGNS = "lots of both signs"


def sold_as_net(booking: str, lots: Sequence[Lot]) -> bool:
    """True when a holding is sold as a net position: booked ``NONE``, or lots of both signs."""
    return booking == NONE_BOOKING or (any(lot.units > 0 for lot in lots)
                                       and any(lot.units < 0 for lot in lots))


@dataclass(frozen=True)
class NetPosition:
    """How a net position is sold: why, at what average cost, and whether its units are dated.

    ``basis`` is per unit in the reporting currency (``None``: a lot without a cost or a
    rate); ``cost`` the same average in the lots' cost currency as the ledger states it
    (``None`` when the lots have no cost or several currencies; then the reporting currency
    is shown); ``floored`` when the ledger's average was below 0 and is taken as 0;
    ``dated`` when every remaining unit's purchase date is known.
    """

    cause: str
    units: Decimal
    basis: Decimal | None
    cost: Decimal | None
    cost_currency: str | None
    dated: bool
    floored: bool


def remaining(lots: Sequence[Lot]) -> list[tuple[Lot, Decimal]] | None:
    """The ledger lots whose units are still held, oldest first, with how many of each.

    First in, first out: by date (purchases before reductions of the same day), a reduction
    takes the oldest units held and a purchase first covers units held short. ``None``
    when a lot has no date.
    """
    if any(lot.date is None for lot in lots):
        return None
    held: deque[tuple[Lot, Decimal]] = deque()
    short: deque[tuple[Lot, Decimal]] = deque()
    for lot in sorted(lots, key=lambda x: (x.date or datetime.date.min, x.units < 0)):
        opposite, same = (short, held) if lot.units > 0 else (held, short)
        left = abs(lot.units)
        while left > 0 and opposite:
            first, units = opposite[0]
            taken = min(left, units)
            left -= taken
            if taken == units:
                opposite.popleft()
            else:
                opposite[0] = (first, units - taken)
        if left > 0:
            same.append((lot, left))
    return list(held)


def costlier(gain: Decimal, options: Options) -> str:
    """The term that costs more tax on ``gain`` per unit.

    The higher rate for a gain; the lower for a loss, which then saves less.
    """
    short_dearer = options.short_term_rate >= options.long_term_rate
    if gain >= 0:
        return SHORT if short_dearer else LONG
    return LONG if short_dearer else SHORT


def _average(lots: Sequence[Lot], net: Decimal, rate_of: Callable[[Lot], Decimal | None],
             currency: str) -> tuple[Decimal | None, Decimal | None, str | None]:
    """The average cost per unit in the reporting currency, and as the ledger states it."""
    if any(lot.cost is None or lot.cost_currency is None for lot in lots):
        return None, None, None
    currencies = {lot.cost_currency for lot in lots}
    stated = sum((lot.units * (lot.cost or ZERO) for lot in lots), ZERO) / net
    rates = [rate_of(lot) for lot in lots]
    basis = None
    if all(rate is not None for rate in rates):
        paid = (lot.units * (lot.cost or ZERO) * (r or ZERO) for lot, r in zip(lots, rates, strict=True))
        basis = sum(paid, ZERO) / net
    if len(currencies) == 1:
        return basis, stated, currencies.pop()
    return basis, basis, currency if basis is not None else None


def net_position(
    lots: Sequence[Lot],
    booking: str,
    price: Decimal,
    as_of: datetime.date,
    options: Options,
    rate_of: Callable[[Lot], Decimal | None],
) -> tuple[NetPosition, tuple[LotFact, ...]]:
    """The net position of a holding priced ``price`` and its shares, oldest first.

    Each share is a ``LotFact`` (``averaged``) with the average basis and the date of the
    ledger lot its units remain from. Only for a position whose net units are above 0.
    """
    net = sum((lot.units for lot in lots), ZERO)
    basis, cost, cost_currency = _average(lots, net, rate_of, options.currency)
    floored = basis is not None and basis < 0
    if floored:
        basis, cost = ZERO, ZERO
    gain = price - basis if basis is not None else ZERO
    kept = remaining(lots)
    shares: list[tuple[Lot | None, Decimal, str]]
    if kept is None:
        shares = [(None, net, costlier(gain, options))]
    else:
        shares = [(lot, units, term_of(lot.date, as_of)) for lot, units in kept]
    facts = tuple(
        LotFact(Lot(units, cost, cost_currency, lot.date if lot is not None else None), basis, term, gain,
                options.long_term_rate if term == LONG else options.short_term_rate,
                purchase=lot, averaged=True)
        for lot, units, term in shares)
    cause = BOOKED_WITHOUT_LOTS if booking == NONE_BOOKING else MIXED_SIGNS
    return NetPosition(cause, net, basis, cost, cost_currency, kept is not None, floored), facts
