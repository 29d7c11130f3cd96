"""The household-wide trade optimisation, as a mixed-integer programme solved by HiGHS.

One model for every mode. Variables: whole units (or ``fractional`` quanta) to sell of each
holding, split over its lots (merged into a few segments); whole units to buy of each
commodity in each trading account; cash drawn from each cash holding and cash added to each
account. Rows: each trading account's cash balances (sells fund buys in the same account,
fees included, the deposit or withdrawal applied), each targeted category's distance from
its goal, ``min-trade``, never buy and sell one commodity in one account, never buy anywhere
what is sold at a loss (nor a substantially identical commodity).

Solved in two phases: first the smallest distance from the goals (with going outside a band
weighted ten times, and pushing a category that was inside its band out of it a hundred
times), then, holding that distance to within the rounding of one unit and the bands of the
categories that were inside them exactly, the least estimated tax plus trading costs. The
tax is the household's, as Schedule D nets it: short- and long-term results offset when
their signs differ, modelled exactly with three binaries (``_Problem.tax``). Phase two
breaks ties with small costs, each well under a unit of currency: fewer trades, buying what
the account already holds, less turnover, and sharing drift that cannot be avoided evenly
between the categories.

HiGHS does this better than any hand-written heuristic could; the floats it works in are
turned back into exact integers of quanta here, and every figure is then recomputed exactly
from units × price. A household too big for one model (more than ``EXACT_LIMIT`` integer
variables) is first solved relaxed, and the whole orders are chosen among what the
relaxation trades (``solve``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal

from fava_rebalance.core.allocation import within_band
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.planner.accounts import Household
from fava_rebalance.planner.budget import UNLIMITED, Deadline, OutOfTime
from fava_rebalance.planner.lots import LotFact, Piece, piece_cost, pieces_of
from fava_rebalance.planner.milp import TIME_LIMIT_SECONDS, Model, SolverResult
from fava_rebalance.planner.model import LONG

ZERO = Decimal(0)
BAND_WEIGHT = 10.0
CROSS_WEIGHT = 100.0     # pushing a category that was inside (or on the other side of) its band past it
TRADE_TIEBREAK = 0.01
TIER_COST = (0.0, 0.002, 0.004)
TURNOVER_COST = 1e-5
CASH_TIEBREAK = 1e-6
DRIFT_TIEBREAK = 1e-4
SLACK_SHARE_OF_TOTAL = Decimal("0.01")
SPREAD_STEPS = tuple(Decimal(p) / 1000 for p in (0, 10, 30, 100, 300))
SPREAD_WEIGHT = 10.0     # phase two: per unit of relative deviation beyond each step
DRIFT_TOLERANCE = 1.0    # phase one: within a unit of currency
BAND_TOLERANCE = 0.01    # phase two: a band that held in phase one holds to the cent
COST_TOLERANCE = 0.001   # phase two within a tenth of a cent (the tie-breaks are larger)
# Under uk, ca, de and none many orders cost the same tax (a pool's or an ACB's cost is the
# same in every account; under none nothing is taxed), so the tie-breaks alone tell them
# apart and HiGHS could not prove the last tenth of a cent in its 5 s on the benchmark
# household (1,200 holdings): there phase two is solved to within ten cents, which the tax
# never needs (0.28 s and 0.04 s there, the same plans to the cent of tie-breaks).
TIE_TOLERANCE = 0.1
SEGMENTS = 4             # lots of a holding merged into at most this many pieces per kind
EXACT_LIMIT = 400        # integer variables up to which the whole household is solved at once
ACTIVE = 1e-6            # a relaxed quantity above this is a candidate trade


@dataclass(frozen=True)
class Segment:
    """Pieces of lots of one holding next to each other in sell order, merged for the model.

    All pieces of a segment share a term and a kind (gain, loss, washed loss). ``gain`` is
    the average realized gain per unit and ``penalty`` the average saving a washed loss
    loses, per unit: exact at the segment's ends, a chord in between (the pieces are taken
    cheapest first, so the model never under-counts the tax). ``first`` is the index of the
    segment (the same lot's covered units) that must be sold whole before this one is used.
    """

    units: Decimal
    gain: Decimal
    penalty: Decimal
    term: str
    is_loss: bool
    washed: bool
    pieces: tuple[Piece, ...]
    first: int | None = None


def _merged(pieces: Sequence[Piece], harvest: bool) -> Segment:
    units = sum((p.units for p in pieces), ZERO)
    fact = pieces[0].fact
    gain = sum((p.units * p.fact.gain_per_unit for p in pieces), ZERO) / units
    penalty = (sum((p.units * p.fact.rate * -p.fact.gain_per_unit for p in pieces), ZERO) / units
               if pieces[0].washed else ZERO)
    return Segment(units, gain, penalty, fact.term, fact.is_loss, pieces[0].washed, tuple(pieces))


def segments(facts: Sequence[LotFact], *, taxable: bool, harvest: bool,
             limit: int = SEGMENTS, exact: bool = True, fifo: bool = False,
             runs: int | None = None) -> list[Segment]:
    """A holding's lots as at most ``limit`` segments per kind and term (gain, loss, washed loss).

    Outside taxable accounts tax is 0 and losses do not matter: one segment. A loss lot that
    replacements cover in part is two segments of its own (its covered units first, tied by
    ``first``, which costs the model a binary); without ``exact`` (large households) the
    whole lot counts as washed instead, which never under-counts a wash sale. The other lots
    are sorted cheapest first within their kind and cut into runs of nearly equal length.
    With ``fifo`` (a net position, or lots the tax rules sell in order) the order is the
    facts' own: see ``fifo_segments`` (``runs`` caps how many it keeps).
    """
    if taxable and fifo:
        return fifo_segments(facts, harvest=harvest, exact=exact, limit=runs)
    if not taxable:
        pieces = tuple(p for f in facts for p in pieces_of(f) if p.units > 0)
        units = sum((p.units for p in pieces), ZERO)
        if units <= 0:
            return []
        whole = tuple(Piece(p.fact, p.units, False) for p in pieces)
        return [Segment(units, ZERO, ZERO, "", False, False, whole)]
    found: list[Segment] = []
    kinds: dict[tuple[bool, bool, str], list[Piece]] = {}
    for fact in facts:
        split = pieces_of(fact)
        if len(split) == 2 and not exact:  # covered in part: counted washed whole
            split = [Piece(fact, fact.units, True)]
        if len(split) == 2:  # covered in part: the covered units are sold first
            found.append(_merged(split[:1], harvest))
            found.append(replace(_merged(split[1:], harvest), first=len(found) - 1))
            continue
        piece = split[0]
        kinds.setdefault((fact.is_loss, piece.washed, fact.term), []).append(piece)
    for _, group in sorted(kinds.items()):
        group.sort(key=lambda p: (piece_cost(p, harvest), p.fact.tax_per_unit()))
        count = min(limit, len(group))
        for i in range(count):
            run = group[i * len(group) // count:(i + 1) * len(group) // count]
            if sum((p.units for p in run), ZERO) > 0:
                found.append(_merged(run, harvest))
    return found


def fifo_segments(facts: Sequence[LotFact], *, harvest: bool, exact: bool = True,
                  limit: int | None = None) -> list[Segment]:
    """Lots sold strictly in their own order (a net position; uk, ca, de) as segments.

    Consecutive pieces alike in term, washed or not, and gain per unit are merged (exactly:
    a net position's shares all have one basis, so only term and washing split them), and
    each segment may be used only once the one before it is sold whole (``first``, a binary
    each), which keeps the model to the order. With ``limit`` (lots of different costs: a
    German depot's), consecutive segments alike in term and washing are merged further, into
    at most ``limit`` runs of nearly equal count, each at its average gain: exact at the
    runs' ends, a chord in between (the orders then take the exact lots). Without ``exact``
    a share covered in part counts as washed whole, as for lots.
    """
    pieces: list[Piece] = []
    for fact in facts:
        split = pieces_of(fact)
        if len(split) == 2 and not exact:
            split = [Piece(fact, fact.units, True)]
        pieces.extend(p for p in split if p.units > 0)
    runs: list[list[Piece]] = []
    for piece in pieces:
        if runs and _alike(runs[-1][0], piece):
            runs[-1].append(piece)
        else:
            runs.append([piece])
    if limit is not None:
        runs = _capped(runs, limit)
    return [replace(_merged(run, harvest), first=i - 1 if i else None) for i, run in enumerate(runs)]


def _alike(one: Piece, other: Piece) -> bool:
    return ((one.fact.term, one.washed, one.fact.gain_per_unit)
            == (other.fact.term, other.washed, other.fact.gain_per_unit))


def _capped(runs: list[list[Piece]], limit: int) -> list[list[Piece]]:
    """Runs merged, within each stretch alike in term and washing, into at most ``limit`` per stretch."""
    stretches: list[list[list[Piece]]] = []
    for run in runs:
        head = run[0]
        if stretches and (stretches[-1][0][0].fact.term, stretches[-1][0][0].washed) == (head.fact.term,
                                                                                      head.washed):
            stretches[-1].append(run)
        else:
            stretches.append([run])
    capped: list[list[Piece]] = []
    for stretch in stretches:
        count = min(limit, len(stretch))
        for i in range(count):
            part = stretch[i * len(stretch) // count:(i + 1) * len(stretch) // count]
            capped.append([piece for run in part for piece in run])
    return capped


@dataclass(frozen=True)
class PastLoss:
    """Losses the ledger realized in the window that a buy of ``group`` would wash.

    ``units`` still open; ``short`` and ``long`` the total losses (positive) of those units
    by character, in the reporting currency.
    """

    group: frozenset[str]
    units: Decimal
    short: Decimal
    long: Decimal


@dataclass(frozen=True)
class SolveScope:
    """What one solve may do: which sells, buys and cash draws, and the money flows."""

    sells: frozenset[int]
    buys: frozenset[int]
    draws: frozenset[int]
    flows: Mapping[str, Decimal] = field(default_factory=dict)
    bands: bool = True
    caps: Mapping[str, Decimal] = field(default_factory=dict)
    rebalancing: bool = True
    """False for a plan that only raises cash (the break-even): the goals are where the
    categories stand, so there is no band around them and no harvest-in-class rule (it buys
    nothing); with ``bands`` a category inside its band still stays inside."""


@dataclass(frozen=True)
class Solution:
    """Exact units per sell and buy option, and the cash draws' order of preference."""

    sells: Mapping[int, Decimal]
    buys: Mapping[int, Decimal]
    draws: Mapping[int, float]
    losses: frozenset[str]
    message: str = ""
    lots: Mapping[int, tuple[tuple[Piece, Decimal], ...]] = field(default_factory=dict)


def rounding(units: Iterable[Decimal], total: Decimal) -> Decimal:
    """One unit's rounding: the largest unit value traded, at most 1% of ``total``, at least a cent.

    Phase two may leave this much more drift than phase one found, to save tax; a category
    this close to its band is not reported as outside it (``explain``).
    """
    unit = max(units, default=ZERO)
    return max(min(unit, SLACK_SHARE_OF_TOTAL * max(total, ZERO)), Decimal("0.01"))


def floor_units(amount: Decimal, quantum: Decimal) -> int:
    """How many whole quanta fit in ``amount``."""
    return int((amount / quantum).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Held:
    """Phase one's result, in currency units.

    The distance from the goals; how far categories are outside their bands or pushed past
    the other edge; how far categories inside their bands are pushed out of them.
    """

    distance: float
    outside: float
    crossed: float


class _Problem:
    """The model of one solve and the indices of its variables."""

    def __init__(self, household: Household, goals: Mapping[str, Decimal], scope: SolveScope,
                 past: Sequence[PastLoss], identical_to: Callable[[str], frozenset[str]],
                 *, whole: bool = True, pieces: dict[int, list[Segment]] | None = None,
                 exact: bool = True, deadline: Deadline = UNLIMITED) -> None:
        self.household = household
        self.deadline = deadline  # each solve gets what is left of it (``budget``)
        self.whole = whole
        self.pieces = {} if pieces is None else pieces  # segments per sell option, shared between models
        self.exact = exact  # partly covered lots as two segments tied by a binary
        self.goals = goals
        self.scope = scope
        self.past = past
        self.identical_to = identical_to
        self.model = Model()
        self.sell_n: dict[int, int] = {}
        self.sell_z: dict[int, int] = {}
        self.sell_max: dict[int, int] = {}
        self.lot_x: dict[int, list[tuple[Segment, int]]] = {}
        self.buy_n: dict[int, int] = {}
        self.buy_z: dict[int, int] = {}
        self.buy_max: dict[int, int] = {}
        self.draw: dict[int, int] = {}
        self.add: dict[str, int] = {}
        self.dev: dict[str, tuple[int, int, int | None]] = {}
        self.loss_flags: dict[str, int] = {}
        self.unit_values: list[Decimal] = []
        self.spreads: dict[int, float] = {}
        self.kept: list[int] = []       # how far a category inside its band would leave it
        self.overshot: list[int] = []   # how far a category outside would pass the other edge
        self.short: dict[int, float] = {}   # S: the plan's short-term result, per variable
        self.long: dict[int, float] = {}    # L: its long-term result
        self.penalties: dict[int, float] = {}

    # -- variables -------------------------------------------------------------------------
    def sells(self) -> None:
        options = self.household.options
        for s in self.household.sells:
            if s.key not in self.scope.sells:
                continue
            most = floor_units(s.max_units, s.quantum)
            if most <= 0:
                continue
            n = self.model.var(0, most, integer=self.whole and s.quantum == 1)  # else rounded after
            z = self.model.binary()
            self.sell_n[s.key], self.sell_z[s.key], self.sell_max[s.key] = n, z, most
            if s.key not in self.pieces:
                self.pieces[s.key] = segments(s.lots, taxable=s.taxed, harvest=options.harvest,
                                              exact=self.exact, fifo=s.in_order,
                                              runs=SEGMENTS if s.ordered else None)
            lots = [(seg, self.model.var(0, float(seg.units))) for seg in self.pieces[s.key]]
            self.lot_x[s.key] = lots
            self.model.row({**{x: 1.0 for _, x in lots}, n: -float(s.quantum)}, 0.0, 0.0)
            self.model.row({n: 1.0, z: -float(most)}, upper=0.0)
            self.model.row({n: float(s.price * s.quantum), z: -float(options.min_trade)}, lower=0.0)
            self.unit_values.append(s.price * s.quantum)
            for seg, x in lots:
                if seg.first is not None:  # a lot's other units only once its covered units are sold
                    covered, y = lots[seg.first], self.model.binary()
                    self.model.row({x: 1.0, y: -float(seg.units)}, upper=0.0)
                    self.model.row({covered[1]: 1.0, y: -float(covered[0].units)}, lower=0.0)

    def cash_ceiling(self, account: str) -> Decimal:
        """The most an account could spend: its drawable cash, a deposit, all it may sell."""
        pots = sum((p.amount for p in self.household.pots
                    if p.trading_account == account and p.key in self.scope.draws and p.spendable), ZERO)
        sold = sum((s.price * s.max_units for s in self.household.sells
                    if s.trading_account == account and s.key in self.sell_n), ZERO)
        return pots + max(self.scope.flows.get(account, ZERO), ZERO) + sold

    def buys(self) -> None:
        options = self.household.options
        ceilings: dict[str, Decimal] = {}
        for b in self.household.buys:
            if b.key not in self.scope.buys:
                continue
            if b.trading_account not in ceilings:
                ceilings[b.trading_account] = self.cash_ceiling(b.trading_account)
            most = floor_units(ceilings[b.trading_account] / b.price, b.quantum)
            if most <= 0:
                continue
            n = self.model.var(0, most, integer=self.whole and b.quantum == 1)
            z = self.model.binary()
            self.buy_n[b.key], self.buy_z[b.key], self.buy_max[b.key] = n, z, most
            self.model.row({n: 1.0, z: -float(most)}, upper=0.0)
            self.model.row({n: float(b.price * b.quantum), z: -float(options.min_trade)}, lower=0.0)
            self.unit_values.append(b.price * b.quantum)

    def capped(self) -> None:
        """At most ``scope.caps[account]`` sold in a trading account (the break-even plan)."""
        for account, cap in self.scope.caps.items():
            coefs = {n: float(self.household.sells[k].price * self.household.sells[k].quantum)
                     for k, n in self.sell_n.items() if self.household.sells[k].trading_account == account}
            self.model.row(coefs, upper=float(cap))

    def cash(self) -> None:
        for p in self.household.pots:
            if p.key in self.scope.draws and p.spendable and p.amount > 0:
                self.draw[p.key] = self.model.var(0, float(p.amount))
        involved = {*self.scope.flows}
        involved.update(self.household.sells[k].trading_account for k in self.sell_n)
        involved.update(self.household.buys[k].trading_account for k in self.buy_n)
        involved.update(self.household.pots[k].trading_account for k in self.draw)
        fee = float(self.household.options.trade_cost)
        for account in sorted(involved):
            a = self.model.var(0)
            self.add[account] = a
            coefs: dict[int, float] = {a: -1.0}
            for k, n in self.sell_n.items():
                s = self.household.sells[k]
                if s.trading_account == account:
                    coefs[n] = float(s.price * s.quantum)
                    coefs[self.sell_z[k]] = -fee
            for k, n in self.buy_n.items():
                b = self.household.buys[k]
                if b.trading_account == account:
                    coefs[n] = -float(b.price * b.quantum)
                    coefs[self.buy_z[k]] = -fee
            for k, d in self.draw.items():
                if self.household.pots[k].trading_account == account:
                    coefs[d] = 1.0
            flow = -float(self.scope.flows.get(account, ZERO))
            self.model.row(coefs, flow, flow)

    def categories(self) -> None:
        total_after = self.household.total + sum(self.scope.flows.values(), ZERO)
        for cat in self.household.categories:
            self.deadline.check()  # one row per category: thousands take seconds to build
            name = cat.name
            coefs: dict[int, float] = {}
            for k, n in self.sell_n.items():
                s = self.household.sells[k]
                share = s.fractions.get(name)
                if share:
                    coefs[n] = -float(s.price * s.quantum * share)
            for k, n in self.buy_n.items():
                b = self.household.buys[k]
                if b.category == name:
                    coefs[n] = float(b.price * b.quantum)
            for k, d in self.draw.items():
                share = self.household.pots[k].fractions.get(name)
                if share:
                    coefs[d] = coefs.get(d, 0.0) - float(share)
            for account, a in self.add.items():
                share = self.household.account(account).sink_fractions.get(name)
                if share:
                    coefs[a] = coefs.get(a, 0.0) + float(share)
            over, under = self.model.var(0), self.model.var(0)
            coefs[over], coefs[under] = -1.0, 1.0
            gap = float(self.goals.get(name, cat.value) - cat.value)
            self.model.row(coefs, gap, gap)
            excess = None
            if self.scope.bands and self.scope.rebalancing:
                excess = self.model.var(0)
                band = float(cat.band * max(total_after, ZERO) / HUNDRED)
                self.model.row({over: 1.0, under: 1.0, excess: -1.0}, upper=band)
            self.dev[name] = (over, under, excess)
            goal = self.goals.get(name, cat.value)
            self.no_new_drift(goal, cat.value, cat.target, cat.band, total_after, over, under)

    def no_new_drift(self, goal: Decimal, value: Decimal, target: Decimal, band: Decimal,
                     total_after: Decimal, over: int, under: int) -> None:
        """Penalise pushing a category past the far edge of its band (weighted ``CROSS_WEIGHT``).

        Trading one category past its band to make room for another is never a fair trade
        for the user: a category inside its band (or on the other side) before the plan must
        not leave it afterwards, unless a cash flow forces it. ``after = goal + over − under``.
        """
        middle = target * max(total_after, ZERO) / HUNDRED
        width = band * max(total_after, ZERO) / HUNDRED
        lower, upper = middle - width, middle + width
        # Inside its band (the total after the cash flow, the category untouched): phase two
        # holds it there to the cent (``hold``); outside, on one side, it may overshoot the
        # other edge by one unit's rounding, as it would with whole units and a band of 0.
        kept = self.kept if within_band(value, target, band, max(total_after, ZERO)) else self.overshot
        if value >= lower:  # after ≥ lower − cross  ⇔  −over + under − cross ≤ goal − lower
            cross = self.model.var(0)
            self.model.row({over: -1.0, under: 1.0, cross: -1.0}, upper=float(goal - lower))
            kept.append(cross)
        if value <= upper:  # after ≤ upper + cross  ⇔  over − under − cross ≤ upper − goal
            cross = self.model.var(0)
            self.model.row({over: 1.0, under: -1.0, cross: -1.0}, upper=float(upper - goal))
            kept.append(cross)

    def exclusions(self) -> None:
        by_place: dict[tuple[str, str], list[int]] = {}
        for k in self.sell_n:
            s = self.household.sells[k]
            by_place.setdefault((s.trading_account, s.holding.commodity), []).append(k)
        for k, z in self.buy_z.items():
            b = self.household.buys[k]
            for s_key in by_place.get((b.trading_account, b.commodity), ()):
                self.model.row({z: 1.0, self.sell_z[s_key]: 1.0}, upper=1.0)
        self.rematched(by_place)
        losing: dict[str, list[int]] = {}  # commodity → taxable sells with loss lots
        for k, lots in self.lot_x.items():
            s = self.household.sells[k]
            if s.taxed and self.household.regime.denies_losses and any(f.is_loss for f, _ in lots):
                losing.setdefault(s.holding.commodity, []).append(k)
        bought: dict[str, list[int]] = {}
        for k in self.buy_n:
            bought.setdefault(self.household.buys[k].commodity, []).append(k)
        for commodity in sorted(losing):
            group = self.identical_to(commodity)
            clashing = sorted(k for c in group & bought.keys() for k in bought[c])
            if not clashing:
                continue
            y = self.model.binary()
            self.loss_flags[commodity] = y
            for k in losing[commodity]:
                for seg, x in self.lot_x[k]:
                    if seg.is_loss:
                        self.model.row({x: 1.0, y: -float(seg.units)}, upper=0.0)
            for k in clashing:
                most = float(self.buy_max[k])
                self.model.row({self.buy_n[k]: 1.0, y: most}, upper=most)
        self.harvest_in_class()

    def rematched(self, by_place: Mapping[tuple[str, str], list[int]]) -> None:
        """uk: never buy in a taxable account what a taxable account sells (it would be matched with it).

        A purchase within 30 days after a disposal in a general account is identified with
        it (the same-day and 30-day rules), whatever the gain; one in an ISA or SIPP is not
        ("bed and ISA"), so only taxable accounts' buys and sells exclude each other.
        """
        if not self.household.regime.rematches:
            return
        taxed = {k: z for k, z in self.sell_z.items() if self.household.sells[k].taxed}
        for k, z in self.buy_z.items():
            b = self.household.buys[k]
            if not self.household.regime.taxed(self.household.account(b.trading_account).status):
                continue
            for s_key, s_z in taxed.items():
                s = self.household.sells[s_key]
                here = by_place.get((b.trading_account, b.commodity), ())
                if s.holding.commodity == b.commodity and s_key not in here:
                    self.model.row({z: 1.0, s_z: 1.0}, upper=1.0)

    def harvest_in_class(self) -> None:
        """A loss taken in a taxable account is replaced there, or reduces its class.

        Per category: what each taxable account sells of it at a loss beyond what it buys of
        the category itself is "unreplaced"; the unreplaced amounts of all accounts add up to
        at most the category's planned reduction (value − goal, when positive). So a loss
        is harvested with another commodity of the class bought in the same account, or as
        part of reducing an overweight class: it is never bought back in another account,
        which would only move the class between accounts. With a withdrawal the reduction is
        given one unit's rounding (the dearest unit sold at a loss in the class): whole units
        may have to overshoot it to raise the cash. Continuous variables only, so the
        rule costs the solver nothing in branching. Off where ``scope.rebalancing`` is false
        (the break-even's withdrawal that rebalances nothing: it buys nothing anywhere).
        """
        if not self.scope.rebalancing:
            return
        taxable = {k: lots for k, lots in self.lot_x.items() if self.household.sells[k].taxed
                   and any(seg.is_loss for seg, _ in lots)}
        places: dict[tuple[str, str], dict[int, float]] = {}
        unit: dict[str, Decimal] = {}
        for k, lots in taxable.items():
            s = self.household.sells[k]
            for category, share in s.fractions.items():
                unit[category] = max(unit.get(category, ZERO), s.price * s.quantum * share)
                coefs = places.setdefault((s.trading_account, category), {})
                for seg, x in lots:
                    if seg.is_loss:
                        coefs[x] = coefs.get(x, 0.0) + float(s.price * share)
        unreplaced: dict[str, dict[int, float]] = {}
        for (account, category), coefs in sorted(places.items()):
            for k, n in self.buy_n.items():
                b = self.household.buys[k]
                if b.trading_account == account and b.category == category:
                    coefs[n] = -float(b.price * b.quantum)
            u = self.model.var(0)
            self.model.row({**coefs, u: -1.0}, upper=0.0)
            unreplaced.setdefault(category, {})[u] = 1.0
        values = {c.name: c.value for c in self.household.categories}
        for category, us in unreplaced.items():
            value = values.get(category, ZERO)
            reduction = max(value - self.goals.get(category, value), ZERO)
            if any(flow < 0 for flow in self.scope.flows.values()):
                reduction += unit.get(category, ZERO)
            self.model.row(us, upper=float(reduction))

    def tax(self) -> None:
        """The plan's short- and long-term results (``S``, ``L``) as linear expressions.

        ``S`` and ``L`` are the results in taxable accounts (a washed loss counts 0: it is
        disallowed; with ``harvest`` off a loss counts 0 too, as it may not be sold for its
        saving), plus the losses the ledger realized in the window that the plan's buys
        wash (``past``: the washed units are at least ``min(bought, open units)``, one binary
        per group). The tax on them is ``pieces``. Under uk, ca and de there is one result,
        kept in ``short``: each gain times its ``Regime.factor``, taxed by ``one_rate_tax``.
        """
        options = self.household.options
        regime = self.household.regime
        for k, lots in self.lot_x.items():
            commodity = self.household.sells[k].holding.commodity
            factor = float(regime.factor(commodity)) if regime.one_rate else 1.0
            for seg, x in lots:
                if seg.washed:
                    self.penalties[x] = float(seg.penalty)
                    continue
                if not seg.term or seg.gain == 0 or (seg.is_loss and not options.harvest):
                    continue
                side = self.long if seg.term == LONG else self.short
                side[x] = side.get(x, 0.0) + factor * float(seg.gain)
        for past in self.past:
            coefs = {self.buy_n[k]: float(self.household.buys[k].quantum) for k in self.buy_n
                     if self.household.buys[k].commodity in past.group}
            if not coefs or past.units <= 0:
                continue
            most = sum(float(self.buy_max[k] * self.household.buys[k].quantum) for k in self.buy_n
                       if self.household.buys[k].commodity in past.group)
            washed, y = self.model.var(0, float(past.units)), self.model.binary()
            self.model.row({washed: 1.0, **{n: -c for n, c in coefs.items()}, y: most}, lower=0.0)  # ≥ b−M·y
            self.model.row({washed: 1.0, y: -float(past.units)}, lower=0.0)                       # ≥ Q·y
            if regime.one_rate:
                share = regime.factor(min(past.group))
                self.short[washed] = float(share * (past.short + past.long) / past.units)
                continue
            if past.short:
                self.short[washed] = float(past.short / past.units)
            if past.long:
                self.long[washed] = float(past.long / past.units)

    def one_rate_tax(self) -> dict[int, float]:
        """uk, ca, de: ``rate × max(used + X − allowance, 0)`` as one variable ``w`` and one row.

        ``X`` is the plan's taxable result (``short``); ``w ≥ X + used − allowance`` and
        ``w ≥ 0``, costing the rate: convex, so exact with no binary (``Regime.tax`` is the
        same less a constant). Added to the model here; the caller resets it after solving.
        """
        regime = self.household.regime
        if not self.short:
            return {}
        w = self.model.var(0)
        floor = float(regime.used - regime.allowance)
        self.model.row({w: 1.0, **{i: -c for i, c in self.short.items()}}, lower=floor)
        return {w: float(regime.rate)}

    def signs(self, side: Mapping[int, float]) -> tuple[bool, bool]:
        """Whether a side's result can be negative, and whether it can be positive."""
        return (any(c < 0 for c in side.values()), any(c > 0 for c in side.values()))

    def tax_pieces(self) -> list[int]:
        """The convex pieces of the netting that can matter here (see ``cheapest``).

        With ``d`` = short rate − long rate, Schedule D's netted tax is exactly
        ``T = st·S + lt·L + |d|·min(P₁, P₂, P₃)``; for ``d > 0``: ``P₁ = max(−S, 0)``,
        ``P₂ = max(L, 0)``, ``P₃ = max(−S, L)`` (for ``d < 0`` the mirror image: ``S`` and
        ``−L`` swapped). The identity: the netted tax is ``st·S + lt·L − d·median(S, −L, 0)``
        in every quadrant, and ``−median(a, b, 0) = min(max(−a, 0), max(−b, 0), max(−a, −b))``.
        Each piece is convex, so the least tax is the least of a few linear programmes, with
        no binary and no big number. ``P₁`` needs a possible short-term loss, ``P₂`` a
        possible long-term gain, ``P₃`` (which alone can be negative) both a possible
        short-term gain and a long-term loss; otherwise a piece never is the smallest.
        """
        if self.household.options.short_term_rate == self.household.options.long_term_rate:
            return []
        s_neg, s_pos = self.signs(self.short)
        l_neg, l_pos = self.signs(self.long)
        if self.household.options.short_term_rate < self.household.options.long_term_rate:  # mirror: S ↔ −L
            s_neg, s_pos, l_neg, l_pos = l_pos, l_neg, s_pos, s_neg
        return [k for k, possible in ((1, s_neg), (2, l_pos), (3, s_pos and l_neg)) if possible]

    def add_tax(self, piece: int) -> dict[int, float]:
        """The tax as piece ``piece`` counts it (0: no netting), as objective costs.

        ``st·S + lt·L`` is separable: each result's rate goes on its own variable. The
        piece's ``|d|·w`` needs one variable ``w`` and one row (two for ``P₃``) over the
        results, added to the model here; the caller resets the model after solving.
        """
        options = self.household.options
        st, lt = float(options.short_term_rate), float(options.long_term_rate)
        m = self.model
        costs: dict[int, float] = {}
        for i, c in self.short.items():
            costs[i] = costs.get(i, 0.0) + st * c
        for i, c in self.long.items():
            costs[i] = costs.get(i, 0.0) + lt * c
        d = st - lt
        if piece:
            short, long = (self.short, self.long) if d > 0 else (
                {i: -c for i, c in self.long.items()}, {i: -c for i, c in self.short.items()})
            w = m.var(0 if piece != 3 else -math.inf)
            if piece in (1, 3):  # w ≥ −S
                m.row({w: 1.0, **short}, lower=0.0)
            if piece in (2, 3):  # w ≥ L
                m.row({w: 1.0, **{i: -c for i, c in long.items()}}, lower=0.0)
            costs[w] = abs(d)
        return costs

    # -- objectives ------------------------------------------------------------------------
    def spread(self) -> None:
        """Share drift that cannot be avoided out evenly, relative to each category's goal.

        A tie-break of phase two: when holdings without a target leave every category short,
        the shortfall could sit on any of them at the same distance from the goals; and one
        unit's rounding may leave a category nearer its goal or further. A category's
        deviation relative to its goal costs ``SPREAD_WEIGHT`` for every step of
        ``SPREAD_STEPS`` it lies beyond: a convex penalty, so the cheapest split is the one
        where the relative deviations are about equal. Evening out a percent of relative
        deviation is worth at most about one currency unit of tax.
        """
        if not self.scope.bands:
            return
        for cat in self.household.categories:
            goal = self.goals.get(cat.name, cat.value)
            if goal <= 0:
                continue
            over, under, _ = self.dev[cat.name]
            for step in SPREAD_STEPS:
                beyond = self.model.var(0)
                self.model.row({over: 1.0, under: 1.0, beyond: -1.0}, upper=float(goal * step))
                self.spreads[beyond] = SPREAD_WEIGHT / float(goal)

    def drift_cost(self) -> dict[int, float]:
        cost: dict[int, float] = {}
        for over, under, excess in self.dev.values():
            cost[over] = 1.0
            cost[under] = 1.0
            if excess is not None:
                cost[excess] = BAND_WEIGHT
        for cross in (*self.kept, *self.overshot):
            cost[cross] = CROSS_WEIGHT
        return cost

    def keep_bands(self) -> bool:
        """Hold the categories inside their bands first: the least crossing any plan can do.

        Phase one weighs crossing a hundred times the distance, which a whole unit elsewhere
        can outweigh; when its plan pushes an in-band category out, this finds the least
        crossing possible and holds the model to it (to the cent). False when it does not help.
        """
        kept = dict.fromkeys(self.kept, 1.0)
        least = self.solve(kept, BAND_TOLERANCE)
        if not least.found:
            return False
        self.model.row(kept, upper=least.objective + BAND_TOLERANCE)
        return True

    def tax_cost(self, tax: Mapping[int, float] | None) -> dict[int, float]:
        """Phase two's objective: the tax (``add_tax``), penalties, fees and the tie-breaks."""
        options = self.household.options
        fee = float(options.trade_cost) + TRADE_TIEBREAK
        cost: dict[int, float] = dict(self.penalties)
        for i, c in (tax or {}).items():
            cost[i] = cost.get(i, 0.0) + c
        for k, z in self.sell_z.items():
            cost[z] = fee
            s = self.household.sells[k]
            cost[self.sell_n[k]] = cost.get(self.sell_n[k], 0.0) + TURNOVER_COST * float(s.price * s.quantum)
        for k, z in self.buy_z.items():
            b = self.household.buys[k]
            cost[z] = fee + TIER_COST[b.tier]
            cost[self.buy_n[k]] = TURNOVER_COST * float(b.price * b.quantum)
        for v in (*self.draw.values(), *self.add.values()):
            cost[v] = CASH_TIEBREAK
        for i, c in self.drift_cost().items():
            cost[i] = cost.get(i, 0.0) + DRIFT_TIEBREAK * c
        cost.update(self.spreads)
        return cost

    def held(self, values: Sequence[float]) -> Held:
        """Phase one's result: the distance from the goals, outside the bands, across bands."""
        distance = sum(values[i] for over, under, _ in self.dev.values() for i in (over, under))
        outside = sum(values[e] for _, _, e in self.dev.values() if e is not None)
        outside += sum(values[c] for c in self.overshot)
        return Held(distance, outside, sum(values[c] for c in self.kept))

    def hold(self, held: Held, slack: float) -> None:
        """Keep phase one's result (``held``) in phase two.

        The total distance from the goals and the total outside the bands may each grow by
        ``slack`` (one unit's rounding, whatever the weights of phase one), to save tax. A
        category that was inside its band (or on its other side) is pushed past it by no more
        than phase one found, to the cent: a band that holds is never given up for tax.
        """
        total = {i: 1.0 for over, under, _ in self.dev.values() for i in (over, under)}
        self.model.row(total, upper=held.distance + slack)
        excess = {e: 1.0 for _, _, e in self.dev.values() if e is not None}
        excess.update(dict.fromkeys(self.overshot, 1.0))
        if excess:
            self.model.row(excess, upper=held.outside + slack)
        if self.kept:
            self.model.row(dict.fromkeys(self.kept, 1.0), upper=held.crossed + BAND_TOLERANCE)

    def slack(self) -> float:
        """How much drift phase two may give up: one unit's rounding (``rounding``)."""
        return float(rounding(self.unit_values, self.household.total + sum(self.scope.flows.values(), ZERO)))

    def build(self) -> None:
        for step in (self.sells, self.capped, self.buys, self.cash, self.categories, self.spread,
                     self.exclusions, self.tax):
            self.deadline.check()
            step()

    def solve(self, cost: Mapping[int, float], tolerance: float, *, relaxed: bool = False) -> SolverResult:
        """``Model.solve`` limited to what is left of the deadline (``OutOfTime`` if nothing)."""
        return self.model.solve(cost, tolerance=tolerance, relaxed=relaxed,
                            time_limit=self.deadline.limit(TIME_LIMIT_SECONDS))

    def cheapest(self, *, relaxed: bool = False) -> SolverResult:
        """Phase two: the least tax and costs, the least over the tax's convex pieces.

        The tax is ``st·S + lt·L + |d|·min(P₁, P₂, P₃)`` (``tax_pieces``). First the plan that
        counts only ``st·S + lt·L`` (separable, as fast as a model without netting); its true
        cost adds ``|d|·min(P)`` at its own solution. ``P₁`` and ``P₂`` are never negative,
        so their plans cannot beat that one's own objective: they are solved only when the
        first plan pays some netting (``min(P) > 0``) at its solution. ``P₃`` may be negative
        (a short-term gain against a long-term loss): it is solved when its relaxation could
        beat the best plan found. Every plan is judged by its true cost; the pieces' extra
        row is dropped again after each solve. ``relaxed``: the same, every solve relaxed
        (the candidates of a large household).
        """
        tolerance = COST_TOLERANCE if self.household.regime.picks_lots else TIE_TOLERANCE
        if not self.short and not self.long:
            return self.solve(self.tax_cost(None), tolerance, relaxed=relaxed)
        if self.household.regime.one_rate:
            mark = self.model.mark()
            outcome = self.solve(self.tax_cost(self.one_rate_tax()), tolerance, relaxed=relaxed)
            self.model.reset(mark)
            return outcome
        pieces = self.tax_pieces()
        mark = self.model.mark()

        def solved(piece: int, *, lp: bool) -> SolverResult:
            outcome = self.solve(self.tax_cost(self.add_tax(piece)), COST_TOLERANCE, relaxed=lp)
            self.model.reset(mark)
            return outcome

        def true_cost(outcome: SolverResult, piece: int) -> float:
            extra = self.netting(outcome.values or ())
            own = 0.0 if piece == 0 else self.piece_value(outcome.values or (), piece)
            return outcome.objective - own + extra

        best = solved(0, lp=relaxed)
        if not best.found:
            return best
        best_cost = true_cost(best, 0)
        tried: list[int] = [p for p in (1, 2) if p in pieces and best_cost > best.objective + COST_TOLERANCE]
        if 3 in pieces:
            tried.append(3)
        for piece in tried:
            if not relaxed and piece == 3:
                bound = solved(piece, lp=True)
                if not bound.found or bound.objective >= best_cost - COST_TOLERANCE:
                    continue
            outcome = solved(piece, lp=relaxed)
            if outcome.found and true_cost(outcome, piece) < best_cost - COST_TOLERANCE:
                best, best_cost = outcome, true_cost(outcome, piece)
        return best

    def piece_values(self, values: Sequence[float]) -> dict[int, float]:
        """``|d|·P₁``, ``|d|·P₂``, ``|d|·P₃`` at ``values`` (see ``tax_pieces``)."""
        short = sum(c * values[i] for i, c in self.short.items())
        long = sum(c * values[i] for i, c in self.long.items())
        options = self.household.options
        d = float(options.short_term_rate - options.long_term_rate)
        if d < 0:
            short, long = -long, -short
        return {1: abs(d) * max(-short, 0.0), 2: abs(d) * max(long, 0.0), 3: abs(d) * max(-short, long)}

    def piece_value(self, values: Sequence[float], piece: int) -> float:
        """One piece's ``|d|·P`` at ``values``."""
        return self.piece_values(values)[piece]

    def netting(self, values: Sequence[float]) -> float:
        """What Schedule D's netting adds to ``st·S + lt·L`` at ``values``: ``|d|·min(P)``."""
        if self.household.options.short_term_rate == self.household.options.long_term_rate:
            return 0.0
        return min(self.piece_values(values).values())

    def candidates(self) -> tuple[SolveScope, Held] | None:
        """A smaller scope, from both phases solved as linear programmes (no whole units).

        Keeps the sells the relaxation makes and, in each trading account, every buy option
        of the categories it buys there (so that a commodity barred by a wash sale has
        another of its class). The relaxation is fast at any size; what it leaves out would
        not have been traded, give or take the rounding to whole units.
        """
        first = self.solve(self.drift_cost(), DRIFT_TOLERANCE, relaxed=True)
        if not first.found:
            return None
        held = self.held(first.values or ())
        self.hold(held, self.slack())
        second = self.cheapest(relaxed=True)
        values = (second if second.found else first).values or ()
        sells = frozenset(k for k, n in self.sell_n.items() if values[n] > ACTIVE)
        offers = self.household.buys
        places = {(offers[k].trading_account, offers[k].category)
                  for k, n in self.buy_n.items() if values[n] > ACTIVE}
        buys = frozenset(k for k in self.buy_n if (offers[k].trading_account, offers[k].category) in places)
        return replace(self.scope, sells=sells, buys=buys), held

    def read(self, outcome: SolverResult, message: str) -> Solution:
        values = outcome.values or ()
        sells = {k: self.household.sells[k].quantum * round(values[n]) for k, n in self.sell_n.items()
                 if round(values[n]) > 0}
        buys = {k: self.household.buys[k].quantum * round(values[n]) for k, n in self.buy_n.items()
                if round(values[n]) > 0}
        draws = {k: values[d] for k, d in self.draw.items()}
        blocked = {c for c, y in self.loss_flags.items() if round(values[y]) == 0}
        losses = frozenset(
            self.household.sells[k].holding.commodity for k in self.lot_x
            if self.household.sells[k].holding.commodity not in blocked
        )
        return Solution(sells, buys, draws, losses, message,
                        {k: self.order(k, values, units) for k, units in sells.items()})

    def order(self, key: int, values: Sequence[float], units: Decimal) -> tuple[tuple[Piece, Decimal], ...]:
        """The units of a sell's lots as the solver split them, in whole quanta adding up to ``units``.

        Segment by segment as solved (rounded to the holding's quantum, the difference put on
        the fullest segments first or taken from the emptiest), each segment's pieces taken in
        order. ``trades`` takes exactly these lots unless it has to change the sell.
        """
        option = self.household.sells[key]
        quantum = option.quantum
        lots = self.lot_x.get(key, [])
        solved = [(seg, min(seg.units, quantum * round(values[x] / float(quantum)))) for seg, x in lots]
        fill = sorted(range(len(solved)), key=lambda i: -values[lots[i][1]] / float(lots[i][0].units))
        amounts = [max(amount, ZERO) for _, amount in solved]
        for i in fill:  # add what rounding lost, fullest first
            short = units - sum(amounts, ZERO)
            if short <= 0:
                break
            amounts[i] += min(short, solved[i][0].units - amounts[i])
        for i in reversed(fill):  # or take back what it added, emptiest first
            extra = sum(amounts, ZERO) - units
            if extra <= 0:
                break
            amounts[i] -= min(extra, amounts[i])
        if sum(amounts, ZERO) != units:
            return ()
        taken: list[tuple[Piece, Decimal]] = []
        for i in fill:
            left = amounts[i]
            for piece in solved[i][0].pieces:
                if left <= 0:
                    break
                part = min(piece.units, left)
                taken.append((piece, part))
                left -= part
        return tuple(taken)

def solve(
    household: Household,
    goals: Mapping[str, Decimal],
    scope: SolveScope,
    past: Sequence[PastLoss],
    identical_to: Callable[[str], frozenset[str]],
    deadline: Deadline = UNLIMITED,
) -> Solution | str:
    """The trades closest to ``goals`` within ``scope``, then the cheapest in tax and costs.

    Returns a message instead when there is no feasible plan (a withdrawal larger than what
    the account can raise) or the solver found nothing in its time limit. ``OutOfTime`` when
    ``deadline`` passes before any plan is found.
    """
    problem = _Problem(household, goals, scope, past, identical_to, deadline=deadline)
    problem.build()
    if problem.model.integers <= EXACT_LIMIT:
        return _phases(problem, scope)
    found = problem.candidates()
    shared: dict[int, list[Segment]] = {}  # a lot covered in part counts as washed whole there
    if found is not None:
        narrowed, held = found
        # Phase one is the relaxation's (its distance from the goals, plus one unit's
        # rounding); only if whole orders cannot keep to that is it solved again, whole.
        for hold in (held, None):
            # Unit counts continuous there: trades.py rounds them to whole units (a unit
            # per order at most) and re-checks every rule, as for fractional commodities.
            smaller = _Problem(household, goals, narrowed, past, identical_to, whole=False,
                               pieces=shared, exact=False, deadline=deadline)
            smaller.build()
            result = _phases(smaller, scope, hold)
            if not isinstance(result, str):
                return result
    whole = _Problem(household, goals, scope, past, identical_to, pieces=shared, exact=False,
                     deadline=deadline)
    whole.build()
    return _phases(whole, scope)


def _phases(problem: _Problem, scope: SolveScope, held: Held | None = None) -> Solution | str:
    """Phase one (the distance from the goals, unless ``held`` gives it), then phase two."""
    slack = problem.slack()
    first = None
    if held is None:
        first = problem.solve(problem.drift_cost(), DRIFT_TOLERANCE)
        if not first.found:
            return f"no feasible plan ({first.message})"
        held = problem.held(first.values or ())
        if held.crossed > BAND_TOLERANCE and problem.keep_bands():
            # A band that holds comes first: phase one again, within the least crossing.
            again = problem.solve(problem.drift_cost(), DRIFT_TOLERANCE)
            if again.found:
                first, held = again, problem.held(again.values or ())
    problem.hold(held, slack)
    try:
        second = problem.cheapest()
    except OutOfTime as exc:
        if first is None:
            raise
        return problem.read(first, str(exc))  # the best found: as close, without least tax
    if not second.found:
        if first is None:
            return f"no feasible plan ({second.message})"
        return problem.read(first, f"tax phase: {second.message}")
    return problem.read(second, second.message)
