"""Germany: first in, first out within each depot (``tax-rules de``).

§ 20 Abs. 4 Satz 7 EStG: for securities held in collective custody, "the securities acquired
first are deemed to be sold first"; instructions to sell particular lots do not count, and
the rule applies per depot. So whatever lot the ledger's booking reduced, a sale takes the
oldest units the depot still holds by that rule: this replays every acquisition and disposal
of each taxable trading account (the depot: SPEC §7; its sub-accounts are one depot) from the
ledger's history (``core.movements``) in date order, each sale taking the oldest units first.

Acquisitions join the queue by their own date (a lot moved in kind from another depot keeps
the date and cost the ledger carries for it); a lot moved between accounts of one depot
changes nothing, and one moved out to another depot takes the lot the ledger names where the
queue has it, else the oldest units. Costs in another currency are converted at the rate of
the acquisition's day and proceeds at the sale's (§ 20 Abs. 4 Satz 1 EStG). Each sale's
gain, less the commodity's ``partial-exemption`` (InvStG § 20), counts toward the allowance
the year has used.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.movements import Movement, household_net
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
    """Each depot's queue of lots per commodity as of the report date, and its sales.

    ``depot_of`` names the depot (the trading account) of an account.
    """

    currency: str
    depot_of: Callable[[str], str]
    queues: Mapping[tuple[str, str], tuple[QueuedLot, ...]] = field(default_factory=dict)
    sales: tuple[FifoSale, ...] = ()

    def facts(self, account: str, commodity: str, units: Decimal, price: Decimal,
              rate: Decimal) -> tuple[LotFact, ...]:
        """``units`` sold from ``account``: its depot's oldest lots first (units beyond them: no cost)."""
        return tuple(fact for fact, _ in self.allocate(account, commodity, ((0, units),), price, rate)[0])

    def allocate(self, account: str, commodity: str, sales: Iterable[tuple[int, Decimal]], price: Decimal,
                 rate: Decimal) -> dict[int, list[tuple[LotFact, Decimal]]]:
        """Sales from one depot (key, units), in order, each given the next of its oldest lots."""
        queue = list(self.queues.get((self.depot_of(account), commodity), ()))
        found: dict[int, list[tuple[LotFact, Decimal]]] = {}
        for key, units in sales:
            taken = []
            for lot in _take(queue, units):
                gain = price - lot.basis if lot.basis is not None else ZERO
                when = lot.date if lot.basis is not None else None
                bought = Lot(lot.units, lot.cost, lot.cost_currency, when)
                taken.append((LotFact(bought, lot.basis, SINGLE, gain, rate, match=FIFO), lot.units))
            found[key] = taken
        return found


def _by_lot(members: Sequence[Movement]) -> dict[tuple[datetime.date | None, Decimal | None], list[Movement]]:
    found: dict[tuple[datetime.date | None, Decimal | None], list[Movement]] = {}
    for m in members:
        found.setdefault((m.acquired, m.cost), []).append(m)
    return found


def depot_fifo(found: Sequence[Movement], date: datetime.date, currency: str,
               taxed: Callable[[str], bool], depot_of: Callable[[str], str]) -> DepotFifo:
    """Replay the movements of the taxable accounts, depot by depot, up to ``date``, first in, first out."""
    nets = household_net(found)
    groups: dict[tuple[int, str, str], list[Movement]] = {}
    for m in found:
        if m.date <= date and taxed(m.account):
            groups.setdefault((m.transaction, depot_of(m.account), m.commodity), []).append(m)
    queues: dict[tuple[str, str], list[QueuedLot]] = {}
    sales: list[FifoSale] = []
    for (transaction, depot, commodity), members in sorted(groups.items(),
                                                           key=lambda item: (item[1][0].date, item[0])):
        queue = queues.setdefault((depot, commodity), [])
        moved_out: list[Movement] = []
        for lot_members in _by_lot(members).values():  # a lot moved within the depot nets out
            net = sum((m.units for m in lot_members), ZERO)
            first = lot_members[0]
            if net > 0:
                queue.append(QueuedLot(first.acquired or first.date, net, first.cost, first.cost_currency,
                                       first.basis))
                queue.sort(key=lambda lot: lot.date)
            elif net < 0:
                moved_out.append(replace(first, units=net))
        household = nets[(transaction, commodity)]
        for m in moved_out:
            if household >= 0:  # nothing left the household: a move in kind to another depot
                _take(queue, -m.units, m)
                continue
            taken = _take(queue, -m.units)
            value = next((x.value for x in members if x.units < 0 and x.value is not None), None)
            gain: Decimal | None = None
            if value is not None and all(lot.basis is not None for lot in taken):
                gain = sum((lot.units * (value - (lot.basis or ZERO)) for lot in taken), ZERO)
            sales.append(FifoSale(m.account, commodity, m.date, -m.units, gain))
    frozen = {key: tuple(queue) for key, queue in queues.items() if queue}
    return DepotFifo(currency, depot_of, frozen, tuple(sales))
