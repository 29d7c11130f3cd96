"""Canada's adjusted cost base and superficial losses (``tax-rules ca``).

- **Adjusted cost base** (ITA s 47; CRA, "Identical properties"): identical properties bought
  at different prices are one property at their average cost: each purchase adds its cost
  and units, a sale takes the average cost of the units it sells and leaves the average of
  the rest unchanged. The ACB is the taxpayer's, across every non-registered (taxable)
  account of the ledger, in the portfolio or not; TFSA and RRSP holdings are outside it.
- **Superficial loss** (ITA s 54, subparagraph 40(2)(g)(i), paragraph 53(1)(f)): a loss on a
  disposal is denied when the same or identical property is acquired in the period from 30
  days before to 30 days after it, in any account of the household, and is still owned at
  the end of that period. When fewer are acquired or still owned than sold, only that
  share of the loss is denied (CRA, IT-456R ¶12: 50 held, 20 sold at a loss, 15 reacquired:
  the superficial loss is limited to the 15): the loss times the least of the units sold,
  acquired in the period and owned at its end, over the units sold. A denied loss is added
  to the cost of the substituted property when it is bought in a non-registered account,
  and lost for good when bought in a TFSA or RRSP (no ACB there). "Identical" is the same
  commodity or one the ledger declares ``substantially-identical``.

``acb_book`` replays the ledger (``core.movements``) to the report date: each commodity's units
and ACB, each earlier disposal's gain and denied loss (the allowance and the year's gains),
the losses of the last 30 days a purchase now would still deny, and, for a sale on the
report date, the units the window already covers (``LotFact.covered``).
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.movements import Change, Movement, household_net
from fava_rebalance.planner.lots import LotFact
from fava_rebalance.planner.model import ACB, SINGLE, TAXABLE, WashSale

ZERO = Decimal(0)
WINDOW = datetime.timedelta(days=30)
Identical = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class Acquisition:
    """Units of a commodity the household acquired into ``account`` on ``date`` (any account)."""

    commodity: str
    date: datetime.date
    account: str
    units: Decimal


@dataclass(frozen=True)
class AcbDisposal:
    """A disposal the ledger made from the non-registered accounts, at the ACB of its day.

    ``gain`` before the superficial-loss rule (``None`` without a cost or a value);
    ``denied`` the loss it denies (positive) and ``denied_units`` the units it covers.
    """

    commodity: str
    date: datetime.date
    account: str
    units: Decimal
    gain: Decimal | None
    denied: Decimal
    denied_units: Decimal

    @property
    def allowed(self) -> Decimal:
        """The gain or loss that counts: the gain with the denied part of a loss added back."""
        return (self.gain or ZERO) + self.denied


def acquisitions(found: Sequence[Movement]) -> list[Acquisition]:
    """The household's acquisitions: units a transaction brings in, by the accounts they land in.

    A move in kind between own accounts brings nothing in and acquires nothing. Each is dated
    by its lot's own date, as the US wash-sale window dates them (``core.recent``): a split
    written with the lots' original dates acquires nothing in the window around it.
    """
    nets = household_net(found)
    incoming: dict[tuple[int, str], list[Movement]] = {}
    for m in found:
        if m.units > 0 and nets[(m.transaction, m.commodity)] > 0:
            incoming.setdefault((m.transaction, m.commodity), []).append(m)
    result: list[Acquisition] = []
    for key, members in incoming.items():
        share = nets[key] / sum((m.units for m in members), ZERO)
        result.extend(Acquisition(m.commodity, min(m.acquired or m.date, m.date), m.account, m.units * share)
                      for m in members)
    result.sort(key=lambda a: (a.date, a.account, a.commodity))
    return result


@dataclass(frozen=True)
class _Window:
    acquired: tuple[Acquisition, ...]
    held: Decimal

    @property
    def covered(self) -> Decimal:
        return min(sum((a.units for a in self.acquired), ZERO), max(self.held, ZERO))


class _History:
    """The household's acquisitions and holdings by commodity, for superficial-loss windows."""

    def __init__(self, found: Sequence[Movement], identical_to: Identical) -> None:
        self.identical_to = identical_to
        self.bought: dict[str, list[Acquisition]] = {}
        for bought in acquisitions(found):
            self.bought.setdefault(bought.commodity, []).append(bought)
        self.dates: dict[str, list[datetime.date]] = {}
        self.totals: dict[str, list[Decimal]] = {}  # units held at the end of each date, all accounts
        for m in sorted(found, key=lambda m: m.date):
            dates, totals = self.dates.setdefault(m.commodity, []), self.totals.setdefault(m.commodity, [])
            before = totals[-1] if totals else ZERO
            if dates and dates[-1] == m.date:
                totals[-1] = before + m.units
            else:
                dates.append(m.date)
                totals.append(before + m.units)
        self.memo: dict[tuple[frozenset[str], datetime.date], _Window] = {}

    def held(self, commodity: str, date: datetime.date) -> Decimal:
        """Units of ``commodity`` the household holds at the end of ``date``."""
        at = bisect.bisect_right(self.dates.get(commodity, []), date)
        return self.totals[commodity][at - 1] if at else ZERO

    def window(self, commodity: str, date: datetime.date) -> _Window:
        """Acquisitions of the identical property in the 30 days around ``date``, and the units held after."""
        group = self.identical_to(commodity)
        key = (group, date)
        if key not in self.memo:
            acquired = tuple(sorted((a for c in group for a in self.bought.get(c, ())
                                     if date - WINDOW <= a.date <= date + WINDOW),
                                    key=lambda a: (a.date, a.account, a.commodity)))
            held = sum((self.held(c, date + WINDOW) for c in group), ZERO)
            self.memo[key] = _Window(acquired, held)
        return self.memo[key]


def _denied(loss: Decimal, sold: Decimal, window: _Window) -> tuple[Decimal, Decimal]:
    """The superficial part of a loss (positive) and the units it covers: loss × min(S, P, B) / S."""
    units = min(sold, window.covered)
    if units <= 0 or loss <= 0:
        return ZERO, ZERO
    return loss * units / sold, units


@dataclass(frozen=True)
class AcbBook:
    """Each commodity's ACB as of the report date, and what the superficial-loss rule needs."""

    currency: str
    date: datetime.date
    history: _History = field(compare=False, repr=False)
    pools: Mapping[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)
    disposals: tuple[AcbDisposal, ...] = ()

    def identical_to(self, commodity: str) -> frozenset[str]:
        """The commodity and those declared substantially identical to it: identical property."""
        return self.history.identical_to(commodity)

    def per_unit(self, commodity: str) -> Decimal | None:
        """The ACB of one unit (``None``: none held in non-registered accounts, or no cost)."""
        units, cost = self.pools.get(commodity, (ZERO, ZERO))
        return cost / units if cost is not None and units > 0 else None

    def facts(self, account: str, commodity: str, units: Decimal, price: Decimal,
              rate: Decimal) -> tuple[LotFact, ...]:
        """``units`` sold from ``account``: all at the ACB, the window's covered units first."""
        basis = self.per_unit(commodity)
        lot = Lot(units, basis, self.currency if basis is not None else None, None)
        gain = price - basis if basis is not None else ZERO
        covered = self.window(commodity).covered
        return (LotFact(lot, basis, SINGLE, gain, rate, min(units, covered) if gain < 0 else ZERO,
                        averaged=True, match=ACB),)

    def window(self, commodity: str) -> _Window:
        """Acquisitions of identical property in the 30 days around the report date; units held after."""
        return self.history.window(commodity, self.date)

    def recent_losses(self) -> list[AcbDisposal]:
        """Losses of the last 30 days not wholly denied: a purchase now would deny more of them."""
        return [d for d in self.disposals if self.date - WINDOW <= d.date <= self.date
                and d.gain is not None and d.gain < 0 and d.units > d.denied_units]

    def superficial(self, sales: Sequence[tuple[int, str, Decimal, Decimal]], sold: Mapping[str, Decimal],
                    status_of: Callable[[str], str]) -> dict[int, tuple[WashSale, ...]]:
        """The plan's superficial losses: per sale ``(key, commodity, units, loss)`` (loss > 0), the denials.

        A group of identical properties sold at a loss on the report date is one disposal:
        ``S`` units at a loss, ``P`` acquired in the window, ``B`` held at its end less what
        the plan sells anywhere (``sold``, per commodity). Each sale's share of the denied
        units is matched with the window's acquisitions, earliest first; its ``status``
        says whether the loss is added to their cost or lost (a TFSA or RRSP).
        """
        found: dict[int, list[WashSale]] = {}
        groups: dict[frozenset[str], list[tuple[int, str, Decimal, Decimal]]] = {}
        for sale in sales:
            groups.setdefault(self.identical_to(sale[1]), []).append(sale)
        for group, members in groups.items():
            window = self.window(members[0][1])
            held = window.held - sum((sold.get(c, ZERO) for c in group), ZERO)
            total = sum((units for _, _, units, _ in members), ZERO)
            denied_units = min(total, _Window(window.acquired, held).covered)
            if denied_units <= 0:
                continue
            left = [a.units for a in window.acquired]
            for key, _, units, loss in members:
                need = units * denied_units / total
                per_unit = loss / units
                for i, bought in enumerate(window.acquired):
                    if need <= 0:
                        break
                    matched = min(need, left[i])
                    if matched <= 0:
                        continue
                    left[i] -= matched
                    need -= matched
                    found.setdefault(key, []).append(WashSale(
                        bought.account, bought.commodity, bought.date, matched, matched * per_unit,
                        status_of(bought.account), SINGLE))
        return {key: tuple(washes) for key, washes in found.items()}


def acb_book(found: Sequence[Movement], pool: Sequence[Change], date: datetime.date, currency: str,
             identical_to: Identical, status_of: Callable[[str], str]) -> AcbBook:
    """Replay the non-registered accounts' changes (``pool``) to ``date``, in order.

    ``found``: every movement of the household (for the superficial-loss windows).
    """
    history = _History(found, identical_to)
    pools: dict[str, _Pool] = {}
    pending: list[tuple[datetime.date, str, Decimal]] = []  # denied losses added to a later cost
    disposals: list[AcbDisposal] = []

    def settle(until: datetime.date) -> None:
        for item in [p for p in pending if p[0] <= until]:
            pending.remove(item)
            state = pools.get(item[1])
            if state is not None and state.units > 0 and state.cost is not None:
                state.cost += item[2]

    for change in pool:
        if change.date > date:
            break
        state = pools.setdefault(change.commodity, _Pool())
        if change.units > 0:
            state.units += change.units
            state.cost = None if state.cost is None or change.cost is None else state.cost + change.cost
            continue
        settle(change.date)
        sold = -change.units
        share = state.take(sold)
        gain = sold * change.value - share if change.value is not None and share is not None else None
        denied = denied_units = ZERO
        if gain is not None and gain < 0:
            window = history.window(change.commodity, change.date)
            denied, denied_units = _denied(-gain, sold, window)
            left = denied_units
            for bought in window.acquired:  # the denied loss follows the substituted property
                part = min(left, bought.units)
                if part <= 0:
                    continue
                left -= part
                if status_of(bought.account) == TAXABLE:
                    when = max(bought.date, change.date)
                    pending.append((when, bought.commodity, denied * part / denied_units))
        disposals.append(AcbDisposal(change.commodity, change.date, change.account, sold, gain, denied,
                                     denied_units))
    settle(date)
    frozen = {c: (s.units, s.cost) for c, s in pools.items()}
    return AcbBook(currency, date, history, frozen, tuple(disposals))


@dataclass
class _Pool:
    """A commodity's units and total ACB in the non-registered accounts (``None``: a cost unknown)."""

    units: Decimal = ZERO
    cost: Decimal | None = ZERO

    def take(self, sold: Decimal) -> Decimal | None:
        """Remove ``sold`` units at the average cost; their ACB (``None`` if unknown or more than held)."""
        taken = min(sold, self.units)
        share = None
        if self.cost is not None and taken == sold:
            share = self.cost * taken / self.units if self.units > 0 else ZERO
        if self.cost is not None and self.units > 0:
            self.cost -= self.cost * taken / self.units
        self.units -= taken
        return share
