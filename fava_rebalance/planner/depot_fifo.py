"""Germany: first in, first out within each depot (``tax-rules de``).

§ 20 Abs. 4 Satz 7 EStG: for securities held in collective custody, "the securities acquired
first are deemed to be sold first"; instructions to sell particular lots do not count, and
the rule applies per depot, a sub-depot being a depot of its own. So whatever lot the
ledger's booking reduced, a sale takes the oldest units the account still holds by that
rule: this replays every acquisition and disposal of each taxable account (``core.history``)
in date order, each sale taking the oldest units first (an account of the ledger is the
depot, or the sub-depot, its commodity is held in).

Acquisitions join the queue by their own date (a lot moved in kind keeps the date and cost
the ledger carries for it); a move in kind out of an account takes the lot the ledger names
where the queue has it, else the oldest units. Costs in another currency are converted at
the rate of the acquisition's day and proceeds at the sale's (§ 20 Abs. 4 Satz 1 EStG).
Each sale's gain, less the commodity's ``partial-exemption`` (InvStG § 20), counts toward
the allowance the year has used.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fava_rebalance.core.history import Movement, household_net
from fava_rebalance.core.holdings import Lot
from fava_rebalance.planner.lots import LotFact
from fava_rebalance.planner.model import FIFO, SINGLE

ZERO = Decimal(0)


@dataclass(frozen=True)
class QueuedLot:
    """Units of one acquisition left in the depot: date, cost as written and in the reporting currency."""

    date: datetime.date
    units: Decimal
    cost: Decimal | None
    cost_currency: str | None
    basis: Decimal | None


@dataclass(frozen=True)
class FifoSale:
    """A sale the ledger made, as the FIFO rule identifies it: its gain (``None`` without a cost or value)."""

    account: str
    commodity: str
    date: datetime.date
    units: Decimal
    gain: Decimal | None


def _take(queue: list[QueuedLot], units: Decimal, named: Movement | None = None) -> list[QueuedLot]:
    """Remove ``units`` from the queue, oldest first (or the lot ``named`` first, for a move in kind)."""
    taken: list[QueuedLot] = []
    order = list(range(len(queue)))
    if named is not None:
        order.sort(key=lambda i: (queue[i].date, queue[i].cost) != (named.acquired, named.cost))
    left = units
    for i in order:
        if left <= 0:
            break
        lot = queue[i]
        part = min(lot.units, left)
        left -= part
        taken.append(QueuedLot(lot.date, part, lot.cost, lot.cost_currency, lot.basis))
        queue[i] = QueuedLot(lot.date, lot.units - part, lot.cost, lot.cost_currency, lot.basis)
    queue[:] = [lot for lot in queue if lot.units > 0]
    if left > 0:  # more than the depot held: no cost for the rest
        taken.append(QueuedLot(datetime.date.min, left, None, None, None))
    return taken


@dataclass(frozen=True)
class DepotFifo:
    """Each taxable account's queue of lots per commodity as of the report date, and its sales."""

    currency: str
    queues: Mapping[tuple[str, str], tuple[QueuedLot, ...]] = field(default_factory=dict)
    sales: tuple[FifoSale, ...] = ()

    def facts(self, account: str, commodity: str, units: Decimal, price: Decimal,
              rate: Decimal) -> tuple[LotFact, ...]:
        """``units`` sold from ``account``: its oldest lots first (units beyond them: no cost)."""
        found = []
        left = units
        for lot in self.queues.get((account, commodity), ()):
            if left <= 0:
                break
            part = min(lot.units, left)
            left -= part
            gain = price - lot.basis if lot.basis is not None else ZERO
            bought = Lot(part, lot.cost, lot.cost_currency, lot.date)
            found.append(LotFact(bought, lot.basis, SINGLE, gain, rate, match=FIFO))
        if left > 0:
            found.append(LotFact(Lot(left, None, None, None), None, SINGLE, ZERO, rate, match=FIFO))
        return tuple(found)


def depot_fifo(found: Sequence[Movement], date: datetime.date, currency: str,
               taxed: Callable[[str], bool]) -> DepotFifo:
    """Replay the movements of the accounts ``taxed`` accepts, up to ``date``, first in, first out."""
    nets = household_net(found)
    queues: dict[tuple[str, str], list[QueuedLot]] = {}
    sales: list[FifoSale] = []
    for m in sorted((m for m in found if m.date <= date and taxed(m.account)),
                    key=lambda m: (m.date, m.transaction, m.units < 0)):
        queue = queues.setdefault((m.account, m.commodity), [])
        if m.units > 0:
            queue.append(QueuedLot(m.acquired or m.date, m.units, m.cost, m.cost_currency, m.basis))
            queue.sort(key=lambda lot: lot.date)
            continue
        moved = nets[(m.transaction, m.commodity)] >= 0  # nothing left the household: a move in kind
        taken = _take(queue, -m.units, m if moved else None)
        if moved:
            continue
        gain: Decimal | None = None
        if m.value is not None and all(lot.basis is not None for lot in taken):
            gain = sum((lot.units * (m.value - (lot.basis or ZERO)) for lot in taken), ZERO)
        sales.append(FifoSale(m.account, m.commodity, m.date, -m.units, gain))
    frozen = {key: tuple(queue) for key, queue in queues.items() if queue}
    return DepotFifo(currency, frozen, tuple(sales))
