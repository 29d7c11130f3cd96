"""UK share identification (``tax-rules uk``): same day, the next 30 days, the section 104 pool.

HMRC's order for a disposal of shares (TCGA 1992 ss 104, 105, 106A; HMRC Capital Gains
Manual CG51555), whatever lot the ledger's booking reduced:

1. acquisitions on the same day (all of a day's acquisitions are one acquisition, all of a
   day's disposals one disposal);
2. acquisitions in the 30 days after the disposal, earliest first ("bed and breakfast");
   each acquisition is matched with the earliest disposal it can be;
3. the section 104 pool: every other share acquired before, at their average cost; a
   disposal takes the pool's cost in proportion to the shares it takes.

Shares acquired under 1 or 2 never enter the pool. The pool is the person's, across every
taxable ("general") account of the ledger, in the portfolio or not; an ISA or SIPP is
outside it and its purchases are never matched ("bed and ISA"). A move in kind between
general accounts changes nothing; a move out of them is a disposal at the day's value.

``share_pools`` replays the ledger's history (``core.movements``) to the report date: each
earlier disposal's gain (for the allowance the tax year has used) and, for a disposal on the
report date, the tranches it takes in order: what is left of that day's acquisitions, then
of the next 30 days' (the ledger's own purchases after the report date, where it has them),
then the pool. The plan's sale is taken as the day's last disposal: the ledger's own
transactions of the report date are identified first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.movements import Change
from fava_rebalance.planner.lots import LotFact
from fava_rebalance.planner.model import POOL, SAME_DAY, SINGLE, THIRTY_DAYS

ZERO = Decimal(0)
WINDOW = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Tranche:
    """Units a disposal on the report date is identified with, at one cost per unit.

    ``rule``: ``SAME_DAY``, ``THIRTY_DAYS`` or ``POOL``; ``basis`` per unit in the reporting
    currency (``None``: the ledger gives no cost for some of them); ``date`` the
    acquisition's (``None`` for the pool).
    """

    rule: str
    units: Decimal
    basis: Decimal | None
    date: datetime.date | None


@dataclass(frozen=True)
class Disposal:
    """A disposal the ledger made, as identified: its gain (``None`` without a cost or a value)."""

    commodity: str
    date: datetime.date
    account: str
    units: Decimal
    gain: Decimal | None


@dataclass
class _Day:
    acquired: Decimal = ZERO
    cost: Decimal | None = ZERO
    disposed: Decimal = ZERO
    proceeds: Decimal | None = ZERO
    account: str = ""
    split: Decimal = ZERO

    def unit_cost(self) -> Decimal | None:
        if self.cost is None or self.acquired <= 0:
            return None
        return self.cost / self.acquired


def _add(total: Decimal | None, part: Decimal | None) -> Decimal | None:
    return None if total is None or part is None else total + part


def _times(units: Decimal, per_unit: Decimal | None) -> Decimal | None:
    return None if per_unit is None else units * per_unit


@dataclass(frozen=True)
class _Identified:
    tranches: tuple[Tranche, ...]
    disposals: tuple[Disposal, ...]


def _identify(commodity: str, found: Sequence[Change], as_of: datetime.date) -> _Identified:
    """The three rules over one security's changes (acquisitions up to 30 days after ``as_of``)."""
    days: dict[datetime.date, _Day] = {}
    for change in found:
        if change.units < 0 and change.date > as_of:
            continue  # disposals after the report date come after the plan's
        day = days.setdefault(change.date, _Day())
        if change.reorganised:  # a split: more shares of the same holding, not an acquisition
            day.split += change.units
        elif change.units > 0:
            day.acquired += change.units
            day.cost = _add(day.cost, change.cost)
        else:
            day.disposed -= change.units
            day.proceeds = _add(day.proceeds, _times(-change.units, change.value))
            day.account = day.account or change.account
    dates = sorted(days)
    left = {d: days[d].acquired for d in dates}     # acquisitions not yet identified
    need = {d: days[d].disposed for d in dates}     # disposals not yet identified
    cost: dict[datetime.date, Decimal | None] = dict.fromkeys(dates, ZERO)
    for d in dates:  # 1. the same day
        matched = min(left[d], need[d])
        if matched > 0:
            cost[d] = _add(cost[d], _times(matched, days[d].unit_cost()))
            left[d] -= matched
            need[d] -= matched
    for d in dates:  # 2. the next 30 days, earliest acquisition first, earliest disposal first
        for a in dates:
            if need[d] <= 0:
                break
            if a <= d or a > d + WINDOW or left[a] <= 0:
                continue
            matched = min(left[a], need[d])
            cost[d] = _add(cost[d], _times(matched, days[a].unit_cost()))
            left[a] -= matched
            need[d] -= matched
    units = ZERO  # 3. the section 104 pool: its shares and their cost
    pooled: Decimal | None = ZERO
    disposals: list[Disposal] = []
    for d in (d for d in dates if d <= as_of):
        day = days[d]
        if need[d] > 0:
            taken = min(need[d], units)
            share: Decimal | None = ZERO
            if taken > 0:
                share = pooled * taken / units if pooled is not None else None
            cost[d] = _add(cost[d], share)
            if need[d] > taken:  # more than was held: no cost for the rest
                cost[d] = None
            units -= taken
            pooled = None if pooled is None or share is None else pooled - share
        if d < as_of and left[d] > 0:
            units += left[d]
            pooled = _add(pooled, _times(left[d], day.unit_cost()))
        units += day.split
        if day.disposed > 0:
            gain = None if day.proceeds is None or cost[d] is None else day.proceeds - (cost[d] or ZERO)
            disposals.append(Disposal(commodity, d, day.account, day.disposed, gain))
    tranches = []
    if as_of in days and left[as_of] > 0:
        tranches.append(Tranche(SAME_DAY, left[as_of], days[as_of].unit_cost(), as_of))
    for a in dates:
        if as_of < a <= as_of + WINDOW and left[a] > 0:
            tranches.append(Tranche(THIRTY_DAYS, left[a], days[a].unit_cost(), a))
    if units > 0:
        tranches.append(Tranche(POOL, units, pooled / units if pooled is not None else None, None))
    return _Identified(tuple(tranches), tuple(disposals))


@dataclass(frozen=True)
class SharePools:
    """Each security's tranches for a disposal on the report date, and the ledger's disposals."""

    currency: str
    tranches: Mapping[str, tuple[Tranche, ...]] = field(default_factory=dict)
    disposals: tuple[Disposal, ...] = ()

    def facts(self, account: str, commodity: str, units: Decimal, price: Decimal,
              rate: Decimal) -> tuple[LotFact, ...]:
        """``units`` sold from ``account`` as the rules identify them: the tranches in order."""
        return tuple(fact for fact, _ in self.allocate(commodity, ((0, units),), price, rate)[0])

    def allocate(self, commodity: str, sales: Iterable[tuple[int, Decimal]], price: Decimal,
                 rate: Decimal) -> dict[int, list[tuple[LotFact, Decimal]]]:
        """Sales of one day (key, units), in order, each given the next units of the tranches.

        All of a day's disposals are one disposal (TCGA 1992 s 105): whichever general
        account sells, the units come from the same tranches, first the same day's, then the
        next 30 days', then the pool. Units beyond what the ledger shows acquired have no
        cost (their gain is taken as 0).
        """
        tranches = self.tranches.get(commodity, ())
        rest = [t.units for t in tranches]
        found: dict[int, list[tuple[LotFact, Decimal]]] = {}
        for key, units in sales:
            left = units
            taken: list[tuple[LotFact, Decimal]] = []
            for i, tranche in enumerate(tranches):
                if left <= 0:
                    break
                part = min(rest[i], left)
                if part <= 0:
                    continue
                rest[i] -= part
                left -= part
                taken.append((self._fact(tranche, part, price, rate), part))
            if left > 0:
                taken.append((self._fact(Tranche(POOL, left, None, None), left, price, rate), left))
            found[key] = taken
        return found

    def _fact(self, tranche: Tranche, units: Decimal, price: Decimal, rate: Decimal) -> LotFact:
        basis = tranche.basis
        lot = Lot(units, basis, self.currency if basis is not None else None, tranche.date)
        gain = price - basis if basis is not None else ZERO
        return LotFact(lot, basis, SINGLE, gain, rate, averaged=tranche.rule == POOL, match=tranche.rule)

    def recent(self, date: datetime.date) -> list[Disposal]:
        """The ledger's disposals in the 30 days up to ``date``: a purchase now would be matched with them."""
        return [d for d in self.disposals if date - WINDOW <= d.date <= date]


def share_pools(found: Sequence[Change], as_of: datetime.date, currency: str) -> SharePools:
    """The pools of every security in ``found`` (the general accounts' changes) as of ``as_of``."""
    by_commodity: dict[str, list[Change]] = {}
    for change in found:
        by_commodity.setdefault(change.commodity, []).append(change)
    tranches: dict[str, tuple[Tranche, ...]] = {}
    disposals: list[Disposal] = []
    for commodity, members in sorted(by_commodity.items()):
        identified = _identify(commodity, members, as_of)
        tranches[commodity] = identified.tranches
        disposals.extend(identified.disposals)
    disposals.sort(key=lambda d: (d.date, d.commodity))
    return SharePools(currency, tranches, tuple(disposals))
