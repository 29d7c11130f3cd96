"""The household-wide trade optimisation, as a mixed-integer programme solved by HiGHS.

One model for every mode. Variables: whole units (or ``fractional`` quanta) to sell of each
holding, split over its lots (merged into a few segments); whole units to buy of each
commodity in each trading account; cash drawn from each cash holding and cash added to each
account. Rows: each trading account's cash balances (sells fund buys in the same account,
fees included, the deposit or withdrawal applied), each targeted category's distance from
its goal, ``min-trade``, never buy and sell one commodity in one account, never buy anywhere
what is sold at a loss (nor a substantially identical commodity).

Solved in two phases: first the smallest distance from the goals (with going outside a band
weighted ten times), then, holding that distance to within the rounding of one unit, the
least estimated tax plus trading costs. Phase two breaks ties with small costs, each well
under a unit of currency: fewer trades, buying what the account already holds, less
turnover, and sharing drift that cannot be avoided evenly between the categories.

HiGHS does this better than any hand-written heuristic could; the floats it works in are
turned back into exact integers of quanta here, and every figure is then recomputed exactly
from units × price. A household too big for one model (more than ``EXACT_LIMIT`` integer
variables) is first solved relaxed, and the whole orders are chosen among what the
relaxation trades (``solve``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal
from functools import partial

from fava_rebalance.categories import HUNDRED
from fava_rebalance.holdings import Purchase
from fava_rebalance.planner.accounts import Household, SellOption
from fava_rebalance.planner.budget import UNLIMITED, Deadline, OutOfTime
from fava_rebalance.planner.lots import LotFact, harvest_cost
from fava_rebalance.planner.milp import TIME_LIMIT_SECONDS, Model, Outcome
from fava_rebalance.planner.washsale import replacements

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
COST_TOLERANCE = 0.001   # phase two within a tenth of a cent (the tie-breaks are larger)
SEGMENTS = 4             # lots of a holding merged into at most this many pieces per kind
EXACT_LIMIT = 400        # integer variables up to which the whole household is solved at once
ACTIVE = 1e-6            # a relaxed quantity above this is a candidate trade


@dataclass(frozen=True)
class Segment:
    """Lots of one holding next to each other in sell order, merged for the model.

    ``cost`` is the average per unit as the optimiser counts it (``harvest_cost``): exact
    at the segment's ends, a chord in between, so the model never under-counts the tax.
    """

    units: Decimal
    cost: Decimal
    is_loss: bool


def segments(facts: Sequence[LotFact], cost: Callable[[LotFact], Decimal], washed: Callable[[LotFact], bool],
             *, taxable: bool, limit: int = SEGMENTS) -> list[Segment]:
    """A holding's lots as at most ``limit`` segments per kind (gain, loss, washed loss).

    Outside taxable accounts tax is 0 and losses do not matter: one segment. Each kind's
    lots are sorted cheapest first and cut into runs of nearly equal length.
    """
    if not taxable:
        units = sum((f.units for f in facts), ZERO)
        return [Segment(units, ZERO, False)] if units > 0 else []
    kinds: dict[tuple[bool, bool], list[tuple[Decimal, Decimal]]] = {}  # kind → (cost, units) per lot
    for fact in facts:
        kind = (fact.is_loss, fact.is_loss and washed(fact))
        kinds.setdefault(kind, []).append((cost(fact), fact.units))
    found = []
    for (is_loss, _), group in sorted(kinds.items()):
        group.sort(key=lambda lot: lot[0])
        runs = min(limit, len(group))
        for i in range(runs):
            run = group[i * len(group) // runs:(i + 1) * len(group) // runs]
            units = sum((u for _, u in run), ZERO)
            if units > 0:
                found.append(Segment(units, sum((c * u for c, u in run), ZERO) / units, is_loss))
    return found


@dataclass(frozen=True)
class Scope:
    """What one solve may do: which sells, buys and cash draws, and the money flows."""

    sells: frozenset[int]
    buys: frozenset[int]
    draws: frozenset[int]
    flows: Mapping[str, Decimal] = field(default_factory=dict)
    bands: bool = True
    caps: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Solution:
    """Exact units per sell and buy option, and the cash draws' order of preference."""

    sells: Mapping[int, Decimal]
    buys: Mapping[int, Decimal]
    draws: Mapping[int, float]
    losses: frozenset[str]
    message: str = ""


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


class _Problem:
    """The model of one solve and the indices of its variables."""

    def __init__(self, household: Household, goals: Mapping[str, Decimal], scope: Scope,
                 purchases: Sequence[Purchase], identical_to: Callable[[str], frozenset[str]],
                 *, whole: bool = True, pieces: dict[int, list[Segment]] | None = None,
                 deadline: Deadline = UNLIMITED) -> None:
        self.h = household
        self.deadline = deadline  # each solve gets what is left of it (``budget``)
        self.whole = whole
        self.pieces = {} if pieces is None else pieces  # segments per sell option, shared between models
        self._washed: dict[tuple[str, str, datetime.date | None], bool] = {}
        self.goals = goals
        self.scope = scope
        self.purchases = purchases
        self.identical_to = identical_to
        self.m = Model()
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
        self.crossed: list[int] = []

    # -- variables -------------------------------------------------------------------------
    def sells(self) -> None:
        options = self.h.options
        for s in self.h.sells:
            if s.key not in self.scope.sells:
                continue
            most = floor_units(s.max_units, s.quantum)
            if most <= 0:
                continue
            n = self.m.var(0, most, integer=self.whole and s.quantum == 1)  # else rounded after
            z = self.m.binary()
            self.sell_n[s.key], self.sell_z[s.key], self.sell_max[s.key] = n, z, most
            if s.key not in self.pieces:
                self.pieces[s.key] = segments(s.lots, partial(self.lot_cost, s), partial(self.washed, s),
                                              taxable=s.status == "taxable")
            lots = [(seg, self.m.var(0, float(seg.units))) for seg in self.pieces[s.key]]
            self.lot_x[s.key] = lots
            self.m.row({**{x: 1.0 for _, x in lots}, n: -float(s.quantum)}, 0.0, 0.0)
            self.m.row({n: 1.0, z: -float(most)}, upper=0.0)
            self.m.row({n: float(s.price * s.quantum), z: -float(options.min_trade)}, lower=0.0)
            self.unit_values.append(s.price * s.quantum)

    def washed(self, s: SellOption, fact: LotFact) -> bool:
        """Whether selling this loss lot would be a wash sale (a recent purchase replaces it)."""
        if not fact.is_loss:
            return False
        key = (s.holding.account, s.holding.commodity, fact.lot.date)
        if key not in self._washed:
            self._washed[key] = replacements(self.purchases, s.holding.account, s.holding.commodity,
                                             fact.lot.date, self.identical_to) > 0
        return self._washed[key]

    def lot_cost(self, s: SellOption, fact: LotFact) -> Decimal:
        """What selling one unit of the lot costs the plan (``harvest_cost``)."""
        return harvest_cost(fact, washed=self.washed(s, fact), harvest=self.h.options.harvest)

    def cash_ceiling(self, account: str) -> Decimal:
        """The most an account could spend: its drawable cash, a deposit, all it may sell."""
        pots = sum((p.amount for p in self.h.pots
                    if p.trading_account == account and p.key in self.scope.draws and p.spendable), ZERO)
        sold = sum((s.price * s.max_units for s in self.h.sells
                    if s.trading_account == account and s.key in self.sell_n), ZERO)
        return pots + max(self.scope.flows.get(account, ZERO), ZERO) + sold

    def buys(self) -> None:
        options = self.h.options
        ceilings: dict[str, Decimal] = {}
        for b in self.h.buys:
            if b.key not in self.scope.buys:
                continue
            if b.trading_account not in ceilings:
                ceilings[b.trading_account] = self.cash_ceiling(b.trading_account)
            most = floor_units(ceilings[b.trading_account] / b.price, b.quantum)
            if most <= 0:
                continue
            n = self.m.var(0, most, integer=self.whole and b.quantum == 1)
            z = self.m.binary()
            self.buy_n[b.key], self.buy_z[b.key], self.buy_max[b.key] = n, z, most
            self.m.row({n: 1.0, z: -float(most)}, upper=0.0)
            self.m.row({n: float(b.price * b.quantum), z: -float(options.min_trade)}, lower=0.0)
            self.unit_values.append(b.price * b.quantum)

    def capped(self) -> None:
        """At most ``scope.caps[account]`` sold in a trading account (the break-even plan)."""
        for account, cap in self.scope.caps.items():
            coefs = {n: float(self.h.sells[k].price * self.h.sells[k].quantum)
                     for k, n in self.sell_n.items() if self.h.sells[k].trading_account == account}
            self.m.row(coefs, upper=float(cap))

    def cash(self) -> None:
        for p in self.h.pots:
            if p.key in self.scope.draws and p.spendable and p.amount > 0:
                self.draw[p.key] = self.m.var(0, float(p.amount))
        involved = {*self.scope.flows}
        involved.update(self.h.sells[k].trading_account for k in self.sell_n)
        involved.update(self.h.buys[k].trading_account for k in self.buy_n)
        involved.update(self.h.pots[k].trading_account for k in self.draw)
        fee = float(self.h.options.trade_cost)
        for account in sorted(involved):
            a = self.m.var(0)
            self.add[account] = a
            coefs: dict[int, float] = {a: -1.0}
            for k, n in self.sell_n.items():
                s = self.h.sells[k]
                if s.trading_account == account:
                    coefs[n] = float(s.price * s.quantum)
                    coefs[self.sell_z[k]] = -fee
            for k, n in self.buy_n.items():
                b = self.h.buys[k]
                if b.trading_account == account:
                    coefs[n] = -float(b.price * b.quantum)
                    coefs[self.buy_z[k]] = -fee
            for k, d in self.draw.items():
                if self.h.pots[k].trading_account == account:
                    coefs[d] = 1.0
            flow = -float(self.scope.flows.get(account, ZERO))
            self.m.row(coefs, flow, flow)

    def categories(self) -> None:
        total_after = self.h.total + sum(self.scope.flows.values(), ZERO)
        for cat in self.h.categories:
            self.deadline.check()  # one row per category: thousands take seconds to build
            name = cat.name
            coefs: dict[int, float] = {}
            for k, n in self.sell_n.items():
                s = self.h.sells[k]
                share = s.fractions.get(name)
                if share:
                    coefs[n] = -float(s.price * s.quantum * share)
            for k, n in self.buy_n.items():
                b = self.h.buys[k]
                if b.category == name:
                    coefs[n] = float(b.price * b.quantum)
            for k, d in self.draw.items():
                share = self.h.pots[k].fractions.get(name)
                if share:
                    coefs[d] = coefs.get(d, 0.0) - float(share)
            for account, a in self.add.items():
                share = self.h.account(account).sink_fractions.get(name)
                if share:
                    coefs[a] = coefs.get(a, 0.0) + float(share)
            over, under = self.m.var(0), self.m.var(0)
            coefs[over], coefs[under] = -1.0, 1.0
            gap = float(self.goals.get(name, cat.value) - cat.value)
            self.m.row(coefs, gap, gap)
            excess = None
            if self.scope.bands:
                excess = self.m.var(0)
                band = float(cat.band * max(total_after, ZERO) / HUNDRED)
                self.m.row({over: 1.0, under: 1.0, excess: -1.0}, upper=band)
            self.dev[name] = (over, under, excess)
            if self.scope.bands:
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
        if value >= lower:  # after ≥ lower − cross  ⇔  −over + under − cross ≤ goal − lower
            cross = self.m.var(0)
            self.m.row({over: -1.0, under: 1.0, cross: -1.0}, upper=float(goal - lower))
            self.crossed.append(cross)
        if value <= upper:  # after ≤ upper + cross  ⇔  over − under − cross ≤ upper − goal
            cross = self.m.var(0)
            self.m.row({over: 1.0, under: -1.0, cross: -1.0}, upper=float(upper - goal))
            self.crossed.append(cross)

    def exclusions(self) -> None:
        by_place: dict[tuple[str, str], list[int]] = {}
        for k in self.sell_n:
            s = self.h.sells[k]
            by_place.setdefault((s.trading_account, s.holding.commodity), []).append(k)
        for k, z in self.buy_z.items():
            b = self.h.buys[k]
            for s_key in by_place.get((b.trading_account, b.commodity), ()):
                self.m.row({z: 1.0, self.sell_z[s_key]: 1.0}, upper=1.0)
        losing: dict[str, list[int]] = {}  # commodity → taxable sells with loss lots
        for k, lots in self.lot_x.items():
            s = self.h.sells[k]
            if s.status == "taxable" and any(f.is_loss for f, _ in lots):
                losing.setdefault(s.holding.commodity, []).append(k)
        bought: dict[str, list[int]] = {}
        for k in self.buy_n:
            bought.setdefault(self.h.buys[k].commodity, []).append(k)
        for commodity in sorted(losing):
            group = self.identical_to(commodity)
            clashing = sorted(k for c in group & bought.keys() for k in bought[c])
            if not clashing:
                continue
            y = self.m.binary()
            self.loss_flags[commodity] = y
            for k in losing[commodity]:
                for seg, x in self.lot_x[k]:
                    if seg.is_loss:
                        self.m.row({x: 1.0, y: -float(seg.units)}, upper=0.0)
            for k in clashing:
                most = float(self.buy_max[k])
                self.m.row({self.buy_n[k]: 1.0, y: most}, upper=most)
        self.harvest_in_class()

    def harvest_in_class(self) -> None:
        """A loss taken in a taxable account is replaced there, or reduces its class.

        Per category: what each taxable account sells of it at a loss beyond what it buys of
        the category itself is "unreplaced"; the unreplaced amounts of all accounts add up to
        at most the category's planned reduction (value − goal, when positive). So a loss
        is harvested with another commodity of the class bought in the same account, or as
        part of reducing an overweight class: it is never bought back in another account,
        which would only move the class between accounts. Continuous variables only, so the
        rule costs the solver nothing in branching.
        """
        taxable = {k: lots for k, lots in self.lot_x.items() if self.h.sells[k].status == "taxable"
                   and any(seg.is_loss for seg, _ in lots)}
        places: dict[tuple[str, str], dict[int, float]] = {}
        for k, lots in taxable.items():
            s = self.h.sells[k]
            for category, share in s.fractions.items():
                coefs = places.setdefault((s.trading_account, category), {})
                for seg, x in lots:
                    if seg.is_loss:
                        coefs[x] = coefs.get(x, 0.0) + float(s.price * share)
        unreplaced: dict[str, dict[int, float]] = {}
        for (account, category), coefs in sorted(places.items()):
            for k, n in self.buy_n.items():
                b = self.h.buys[k]
                if b.trading_account == account and b.category == category:
                    coefs[n] = -float(b.price * b.quantum)
            u = self.m.var(0)
            self.m.row({**coefs, u: -1.0}, upper=0.0)
            unreplaced.setdefault(category, {})[u] = 1.0
        values = {c.name: c.value for c in self.h.categories}
        for category, us in unreplaced.items():
            value = values.get(category, ZERO)
            reduction = max(value - self.goals.get(category, value), ZERO)
            self.m.row(us, upper=float(reduction))

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
        for cat in self.h.categories:
            goal = self.goals.get(cat.name, cat.value)
            if goal <= 0:
                continue
            over, under, _ = self.dev[cat.name]
            for step in SPREAD_STEPS:
                beyond = self.m.var(0)
                self.m.row({over: 1.0, under: 1.0, beyond: -1.0}, upper=float(goal * step))
                self.spreads[beyond] = SPREAD_WEIGHT / float(goal)

    def drift_cost(self) -> dict[int, float]:
        cost: dict[int, float] = {}
        for over, under, excess in self.dev.values():
            cost[over] = 1.0
            cost[under] = 1.0
            if excess is not None:
                cost[excess] = BAND_WEIGHT
        for cross in self.crossed:
            cost[cross] = CROSS_WEIGHT
        return cost

    def tax_cost(self) -> dict[int, float]:
        options = self.h.options
        fee = float(options.trade_cost) + TRADE_TIEBREAK
        cost: dict[int, float] = {}
        for lots in self.lot_x.values():
            for seg, x in lots:
                cost[x] = float(seg.cost)
        for k, z in self.sell_z.items():
            cost[z] = fee
            s = self.h.sells[k]
            cost[self.sell_n[k]] = cost.get(self.sell_n[k], 0.0) + TURNOVER_COST * float(s.price * s.quantum)
        for k, z in self.buy_z.items():
            b = self.h.buys[k]
            cost[z] = fee + TIER_COST[b.tier]
            cost[self.buy_n[k]] = TURNOVER_COST * float(b.price * b.quantum)
        for v in (*self.draw.values(), *self.add.values()):
            cost[v] = CASH_TIEBREAK
        for i, c in self.drift_cost().items():
            cost[i] = cost.get(i, 0.0) + DRIFT_TIEBREAK * c
        cost.update(self.spreads)
        return cost

    def held(self, values: Sequence[float]) -> tuple[float, float]:
        """Phase one's result: the total distance from the goals, the total outside the bands."""
        distance = sum(values[i] for over, under, _ in self.dev.values() for i in (over, under))
        outside = sum(values[e] for _, _, e in self.dev.values() if e is not None)
        return distance, outside + sum(values[c] for c in self.crossed)

    def hold(self, held: tuple[float, float], slack: float) -> None:
        """Keep phase one's result (``held``) in phase two, give or take ``slack`` currency units.

        Separately for the total distance from the goals and the total outside the bands,
        so that the slack means one unit's rounding whatever the weights of phase one.
        """
        total = {i: 1.0 for over, under, _ in self.dev.values() for i in (over, under)}
        self.m.row(total, upper=held[0] + slack)
        excess = {e: 1.0 for _, _, e in self.dev.values() if e is not None}
        excess.update(dict.fromkeys(self.crossed, 1.0))
        if excess:
            self.m.row(excess, upper=held[1] + slack)

    def slack(self) -> float:
        """How much drift phase two may give up: one unit's rounding (``rounding``)."""
        return float(rounding(self.unit_values, self.h.total + sum(self.scope.flows.values(), ZERO)))

    def build(self) -> None:
        for step in (self.sells, self.capped, self.buys, self.cash, self.categories, self.spread,
                     self.exclusions):
            self.deadline.check()
            step()

    def solve(self, cost: Mapping[int, float], tolerance: float, *, relaxed: bool = False) -> Outcome:
        """``Model.solve`` limited to what is left of the deadline (``OutOfTime`` if nothing)."""
        return self.m.solve(cost, tolerance=tolerance, relaxed=relaxed,
                            time_limit=self.deadline.limit(TIME_LIMIT_SECONDS))

    def candidates(self) -> tuple[Scope, tuple[float, float]] | None:
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
        second = self.solve(self.tax_cost(), COST_TOLERANCE, relaxed=True)
        values = (second if second.found else first).values or ()
        sells = frozenset(k for k, n in self.sell_n.items() if values[n] > ACTIVE)
        places = {(self.h.buys[k].trading_account, self.h.buys[k].category)
                  for k, n in self.buy_n.items() if values[n] > ACTIVE}
        buys = frozenset(k for k in self.buy_n
                         if (self.h.buys[k].trading_account, self.h.buys[k].category) in places)
        return replace(self.scope, sells=sells, buys=buys), held

    def read(self, outcome: Outcome, message: str) -> Solution:
        values = outcome.values or ()
        sells = {k: self.h.sells[k].quantum * round(values[n]) for k, n in self.sell_n.items()
                 if round(values[n]) > 0}
        buys = {k: self.h.buys[k].quantum * round(values[n]) for k, n in self.buy_n.items()
                if round(values[n]) > 0}
        draws = {k: values[d] for k, d in self.draw.items()}
        blocked = {c for c, y in self.loss_flags.items() if round(values[y]) == 0}
        losses = frozenset(
            self.h.sells[k].holding.commodity for k in self.lot_x
            if self.h.sells[k].holding.commodity not in blocked
        )
        return Solution(sells, buys, draws, losses, message)


def solve(
    household: Household,
    goals: Mapping[str, Decimal],
    scope: Scope,
    purchases: Sequence[Purchase],
    identical_to: Callable[[str], frozenset[str]],
    deadline: Deadline = UNLIMITED,
) -> Solution | str:
    """The trades closest to ``goals`` within ``scope``, then the cheapest in tax and costs.

    Returns a message instead when there is no feasible plan (a withdrawal larger than what
    the account can raise) or the solver found nothing in its time limit. ``OutOfTime`` when
    ``deadline`` passes before any plan is found.
    """
    problem = _Problem(household, goals, scope, purchases, identical_to, deadline=deadline)
    problem.build()
    if problem.m.integers <= EXACT_LIMIT:
        return _phases(problem, scope)
    found = problem.candidates()
    if found is not None:
        narrowed, held = found
        # Phase one is the relaxation's (its distance from the goals, plus one unit's
        # rounding); only if whole orders cannot keep to that is it solved again, whole.
        for hold in (held, None):
            # Unit counts continuous there: trades.py rounds them to whole units (a unit
            # per order at most) and re-checks every rule, as for fractional commodities.
            smaller = _Problem(household, goals, narrowed, purchases, identical_to, whole=False,
                               pieces=problem.pieces, deadline=deadline)
            smaller.build()
            result = _phases(smaller, scope, hold)
            if not isinstance(result, str):
                return result
    whole = _Problem(household, goals, scope, purchases, identical_to, pieces=problem.pieces,
                     deadline=deadline)
    whole.build()
    return _phases(whole, scope)


def _phases(problem: _Problem, scope: Scope, held: tuple[float, float] | None = None) -> Solution | str:
    """Phase one (the distance from the goals, unless ``held`` gives it), then phase two."""
    slack = problem.slack()
    first = None
    if held is None:
        weight = 1 + BAND_WEIGHT if scope.bands else 1  # a currency unit outside a band costs this
        first = problem.solve(problem.drift_cost(), DRIFT_TOLERANCE * weight)
        if not first.found:
            return f"no feasible plan ({first.message})"
        held = problem.held(first.values or ())
    problem.hold(held, slack)
    try:
        second = problem.solve(problem.tax_cost(), COST_TOLERANCE)
    except OutOfTime as exc:
        if first is None:
            raise
        return problem.read(first, str(exc))  # the best found: as close, without least tax
    if not second.found:
        if first is None:
            return f"no feasible plan ({second.message})"
        return problem.read(first, f"tax phase: {second.message}")
    return problem.read(second, second.message)
