"""What the portfolio holds on a date: units and lots per account and commodity.

One pass over the transactions up to and including the date, keeping only postings to
portfolio accounts (``Settings.in_portfolio``: the ``accounts`` regex, minus
``rebalance: FALSE`` accounts). Lots keep
their cost and acquisition date for the planner's tax estimates. Valuation is elsewhere, and
so are the purchases the wash-sale rule looks at (``recent``: every account, not only these).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.position import Cost

ZERO = Decimal(0)
LotKey = tuple[Decimal | None, str | None, datetime.date | None, str | None]
NO_LOT: LotKey = (None, None, None, None)  # units held without a cost


@dataclass(frozen=True)
class Lot:
    """Units of one commodity bought at one cost on one date (cost ``None``: no cost basis)."""

    units: Decimal
    cost: Decimal | None
    cost_currency: str | None
    date: datetime.date | None
    label: str | None = None


@dataclass(frozen=True)
class Position:
    """All units of one commodity held in one account."""

    account: str
    commodity: str
    units: Decimal
    lots: tuple[Lot, ...]


def positions_as_of(
    entries: Iterable[data.Directive],
    date: datetime.date,
    belongs: Callable[[str], bool],
) -> list[Position]:
    """Positions held at the end of ``date``.

    Entries must be sorted (as Beancount returns them). Positions whose units net to zero are
    dropped; lots are kept per (cost, date, label) as Beancount books them.
    """
    lots: dict[tuple[str, str], dict[LotKey, Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if entry.date > date:
            break
        for posting in entry.postings:
            account = posting.account
            units = posting.units
            if units is None or not isinstance(units.number, Decimal) or not belongs(account):
                continue
            cost = posting.cost
            key = lot_key(cost) if isinstance(cost, Cost) else NO_LOT
            bucket = lots.setdefault((account, units.currency), {})
            bucket[key] = bucket.get(key, ZERO) + units.number
    positions = []
    for (account, commodity), bucket in lots.items():
        kept = tuple(
            Lot(number, key[0], key[1], key[2], key[3])
            for key, number in sorted(bucket.items(), key=lot_order)
            if number != 0
        )
        total = sum((lot.units for lot in kept), ZERO)
        if kept and total != 0:
            positions.append(Position(account, commodity, total, kept))
    positions.sort(key=lambda p: (p.account, p.commodity))
    return positions


def lot_key(cost: Cost) -> LotKey:
    """The lot a posting's cost names: (cost, cost currency, acquisition date, label)."""
    return (cost.number, cost.currency, cost.date, cost.label)


def lot_order(item: tuple[LotKey, Decimal]) -> tuple[datetime.date, Decimal]:
    """The report's order of lots: by acquisition date, then cost (no date or cost first)."""
    key = item[0]
    return (key[2] or datetime.date.min, key[0] if key[0] is not None else ZERO)
