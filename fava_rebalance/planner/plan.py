"""The trade planner's entry point: ``plan(report, declarations, cash)`` → ``Plan``.

- No cash flow: when a targeted category is outside its band, every category goes to its
  target (the band is the trigger, the target the destination); inside every band, nothing.
- A deposit only buys, in its trading account, by optimal lazy rebalancing (``lazy``); a
  withdrawal only sells there, the mirror image. Either one trades more, across the whole
  household, only if a category would still sit outside its band.
- Where to trade and which lots: the household-wide optimisation (``optimize``), then exact
  orders (``trades``) with reasons (``orders``), the tax summary, the categories after, and
  the asset location review (``location``).

Nothing here raises for bad ledger content or prints; problems are warnings or ``errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.allocation import NONE, within_band
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.formatting import grouped, round2
from fava_rebalance.core.limits import cash_problem
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner import lazy
from fava_rebalance.planner.accounts import Household
from fava_rebalance.planner.budget import SPENT, UNLIMITED, Deadline, OutOfTime
from fava_rebalance.planner.cashflow import (
    accounts_for_cash,
    declared_accounts,
    default_account,
    household_of,
    known_accounts,
    resolve_account,
)
from fava_rebalance.planner.collector import collector_paused
from fava_rebalance.planner.explain import outside, untradable, why_outside
from fava_rebalance.planner.location import review
from fava_rebalance.planner.lots import lot_sales
from fava_rebalance.planner.model import (
    DEPOSIT,
    LONG,
    NOTHING,
    RAISE_CASH_ONLY,
    REBALANCE,
    TAXABLE,
    WITHDRAWAL,
    WITHOUT_TAXABLE_SALES,
    AccountTotal,
    AfterRow,
    Alternative,
    CashFlow,
    LocationNote,
    Plan,
    PlanError,
    PlanRequest,
    TaxSummary,
    Trade,
    largest_drift,
    outside_band,
)
from fava_rebalance.planner.optimize import PastLoss, Solution, SolveScope, solve
from fava_rebalance.planner.orders import Context, orders, tax_summary
from fava_rebalance.planner.regime import Regime
from fava_rebalance.planner.regime_checks import identified, regime_warnings, replaced_losses, superficial
from fava_rebalance.planner.share_pool import Disposal, SharePools
from fava_rebalance.planner.tax_rules import regime_of
from fava_rebalance.planner.trades import Draft, Settlement, realize, settle
from fava_rebalance.planner.washsale import (
    LossSale,
    OpenLoss,
    PlannedBuy,
    buy_back_warning,
    buyback_disallowances,
    disallowances,
    lot_key,
    open_loss_warning,
    open_losses,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class SolvedOrders:
    """One solved and settled set of orders, with what it was solved for."""

    draft: Draft
    settlement: Settlement
    scope: SolveScope
    goals: Mapping[str, Decimal]
    message: str


def _past_losses(
    losses: list[OpenLoss], identical_to: Callable[[str], frozenset[str]]
) -> tuple[PastLoss, ...]:
    """The open losses per group of substantially identical commodities, for the optimiser."""
    groups: dict[frozenset[str], list[OpenLoss]] = {}
    for loss in losses:
        groups.setdefault(identical_to(loss.sale.commodity), []).append(loss)
    return tuple(
        PastLoss(group, sum((x.units for x in found), ZERO),
                 sum((x.units * x.loss for x in found if x.term != LONG), ZERO),
                 sum((x.units * x.loss for x in found if x.term == LONG), ZERO))
        for group, found in sorted(groups.items(), key=lambda item: sorted(item[0])))


class _Planner:
    def __init__(self, report: Report, declarations: Declarations, household: Household,
                 deadline: Deadline = UNLIMITED) -> None:
        self.report = report
        self.deadline = deadline
        self.declarations = declarations
        self.household = household
        self.options = household.options
        self.warnings: list[str] = []

        self.regime: Regime = household.regime
        if self.regime.picks_lots:
            self.open = open_losses(report.realized_losses, report.purchases, declarations.identical_to,
                                    declarations.tax_status_of, report.price_of, report.date)
        else:  # ca: the ACB's recent losses a purchase would make superficial; none elsewhere
            self.open = replaced_losses(self.regime, report.currency)
        self.past = _past_losses(self.open, declarations.identical_to)

    # -- helpers ---------------------------------------------------------------------------
    def targets_after(self, flow: Decimal) -> dict[str, Decimal]:
        total = self.household.total + flow
        return {c.name: c.target * total / HUNDRED for c in self.household.categories}

    def run(self, goals: Mapping[str, Decimal], scope: SolveScope) -> SolvedOrders | str:
        solution = solve(self.household, goals, scope, self.past, self.declarations.identical_to,
                         self.deadline)
        if isinstance(solution, str):
            return solution
        draft = realize(self.household, solution, scope, self.declarations.identical_to)
        if isinstance(draft, str):
            return draft
        return SolvedOrders(draft, settle(self.household, draft, scope, solution.draws), scope, goals,
                            _solver_note(solution))

    def full_scope(self, flows: Mapping[str, Decimal]) -> SolveScope:
        return SolveScope(
            frozenset(s.key for s in self.household.sells),
            frozenset(b.key for b in self.household.buys),
            frozenset(p.key for p in self.household.pots if p.spendable),
            dict(flows),
        )

    def idle(self, flows: Mapping[str, Decimal]) -> SolvedOrders:
        scope = SolveScope(frozenset(), frozenset(), frozenset(), dict(flows))
        draft = Draft({}, {}, {})
        goals = {c.name: c.value for c in self.household.categories}
        return SolvedOrders(draft, settle(self.household, draft, scope, {}), scope, goals, "")

    # -- modes -----------------------------------------------------------------------------
    def rebalance(self, flows: Mapping[str, Decimal]) -> SolvedOrders | str:
        flow = sum(flows.values(), ZERO)
        return self.run(self.targets_after(flow), self.full_scope(flows))

    def deposit(self, account: str, amount: Decimal) -> SolvedOrders | str:
        targets = self.targets_after(amount)
        buyable = {b.category for b in self.household.buys if b.trading_account == account}
        sink = self.household.account(account).sink_fractions
        if len(sink) == 1 and next(iter(sink.values())) == 1:  # cash kept there is in a category
            buyable |= set(sink)
        slots = {c.name: lazy.Slot(c.value, targets[c.name], None if c.name in buyable else ZERO)
                 for c in self.household.categories}
        shares = lazy.deposit(slots, amount)
        unreachable = lazy.deposit({k: lazy.Slot(s.value, s.target) for k, s in slots.items()}, amount)
        for name in sorted(k for k, v in unreachable.items() if v > 0 and k not in buyable):
            self.warnings.append(f"{name} needs money but nothing wholly in {name} can be bought in "
                                 f"{account}; the deposit goes to the other categories.")
        goals = {c.name: c.value + shares[c.name] for c in self.household.categories}
        buys = frozenset(b.key for b in self.household.buys if b.trading_account == account)
        scope = SolveScope(frozenset(), buys, frozenset(), {account: amount}, bands=False)
        return self.run(goals, scope)

    def withdrawal(self, account: str, amount: Decimal) -> SolvedOrders | str:
        targets = self.targets_after(-amount)
        pots = [p for p in self.household.pots if p.trading_account == account and p.spendable]
        free = sum((p.amount for p in pots if not p.fractions), ZERO)
        caps = {c.name: ZERO for c in self.household.categories}
        for s in self.household.sells:
            if s.trading_account == account:
                for name, share in s.fractions.items():
                    caps[name] += s.price * s.max_units * share
        for p in pots:
            for name, share in p.fractions.items():
                caps[name] += p.amount * share
        room = free + sum(caps.values(), ZERO)
        if room < amount:
            return (f"a withdrawal of {grouped(amount)} {self.household.currency} is more than {account} can "
                    f"raise ({grouped(room)} {self.household.currency} in cash and holdings it may sell)")
        needed = max(amount - free, ZERO)
        slots = {c.name: lazy.Slot(c.value, targets[c.name], caps[c.name]) for c in self.household.categories}
        shares = lazy.withdrawal(slots, needed)
        goals = {c.name: c.value - shares[c.name] for c in self.household.categories}
        scope = SolveScope(frozenset(s.key for s in self.household.sells if s.trading_account == account),
                           frozenset(), frozenset(p.key for p in pots), {account: -amount}, bands=False)
        result = self.run(goals, scope)
        if isinstance(result, str):
            currency = self.household.currency
            return (f"a withdrawal of {grouped(amount)} {currency} cannot be raised in {account} "
                    f"in whole units with trades of at least {grouped(self.options.min_trade)} "
                    f"{self.household.currency} (min-trade): {result}")
        return result

    def orders_of(self, outcome: SolvedOrders, mode: str) -> tuple[Trade, ...]:
        """The orders of an outcome, with their lots, wash sales and reasons."""
        h = self.household
        draft = identified(h, outcome.draft)
        if self.regime.picks_lots:
            loss_sales = [LossSale(key, h.sells[key].holding.account, h.sells[key].holding.commodity,
                                   lot_sales(draft.lots.get(key, [])),
                                   tuple(lot_key(f.bought) for f, _ in draft.lots.get(key, [])))
                          for key in draft.sells if h.sells[key].taxed]
            washes = disallowances(loss_sales, self.report.purchases, self.declarations.identical_to,
                                   self.declarations.tax_status_of)
        else:
            washes = superficial(h, draft, self.declarations.tax_status_of)
        buys = [PlannedBuy(key, h.buys[key].account, h.buys[key].commodity, units)
                for key, units in draft.buys.items()]
        buybacks = buyback_disallowances(buys, self.open, self.declarations.identical_to,
                                         self.declarations.tax_status_of)
        rematched: dict[str, tuple[str, ...]] = {}
        for sold in self.regime_recent():
            rematched[sold.commodity] = tuple(sorted({*rematched.get(sold.commodity, ()), str(sold.date)}))
        context = Context(h, mode, outcome.scope.flows, outcome.goals, rematched)
        return orders(draft, washes, buybacks, context)

    def regime_recent(self) -> list[Disposal]:
        """uk: the ledger's own disposals in general accounts in the last 30 days."""
        book = self.regime.book
        return book.recent(self.report.date) if isinstance(book, SharePools) else []

    def without_taxable_sales(self, outcome: SolvedOrders, mode: str) -> Alternative | None:
        """The plan's goals selling nothing in taxable accounts, for the break-even.

        A withdrawal from a taxable account may still sell there, up to the withdrawal
        (and one unit's rounding): the least tax the withdrawal itself costs.
        """
        scope = outcome.scope
        caps: dict[str, Decimal] = {}
        for account, flow in scope.flows.items():
            if flow < 0 and self.household.account(account).status == TAXABLE:
                unit = max((s.price * s.quantum for s in self.household.sells
                            if s.trading_account == account), default=ZERO)
                caps[account] = -flow + unit
        base = self.full_scope(scope.flows) if scope.bands else scope
        narrowed = SolveScope(
            frozenset(k for k in base.sells
                      if (sell := self.household.sells[k]).status != TAXABLE or sell.trading_account in caps),
            base.buys, base.draws, base.flows, base.bands, caps)
        label = "No taxable sales beyond the withdrawal" if caps else "No sales in taxable accounts"
        return self.alternative(WITHOUT_TAXABLE_SALES, label, self.run(outcome.goals, narrowed), mode)

    def raise_cash_only(self, account: str, amount: Decimal, mode: str) -> Alternative | None:
        """A withdrawal of ``amount`` raised in ``account`` at the least tax, rebalancing nothing.

        The goals are the categories as they are, so the optimiser's first phase (distance
        from the goals) only counts what is sold, the same for every way of raising the
        amount, and keeps every category that is inside its band inside it (``bands``);
        the second phase then picks the least tax. Cash in no category is used first. It
        buys nothing, so a loss may be taken in any category (``rebalancing`` off).
        """
        goals = {c.name: c.value for c in self.household.categories}
        pots = frozenset(p.key for p in self.household.pots if p.trading_account == account and p.spendable)
        sells = frozenset(s.key for s in self.household.sells if s.trading_account == account)
        scope = SolveScope(sells, frozenset(), pots, {account: -amount}, bands=True, rebalancing=False)
        return self.alternative(RAISE_CASH_ONLY, "Only raising the cash", self.run(goals, scope), mode)

    def alternative(self, kind: str, label: str, result: SolvedOrders | str, mode: str) -> Alternative | None:
        """``result`` as a column of the break-even (``None`` when it could not be solved)."""
        if isinstance(result, str):
            return None
        trades = self.orders_of(result, mode)
        tax = tax_summary(trades, self.options, sum(result.settlement.fees.values(), ZERO), self.regime)
        after = after_rows(self.household, result.settlement)
        return Alternative(kind, label, after, len(trades), tax.estimated_tax)


def _column(after: tuple[AfterRow, ...], trades: int, tax: Decimal) -> tuple[object, ...]:
    """What a break-even column shows: tax, largest drift (rounded), what is outside, orders."""
    return round2(tax), round2(largest_drift(after)), outside_band(after), trades


def _distinct(plan_column: tuple[object, ...], found: list[Alternative | None]) -> tuple[Alternative, ...]:
    """The alternatives whose column differs from the plan's and from every one kept before."""
    seen = [plan_column]
    kept = []
    for alternative in found:
        if alternative is None:
            continue
        column = _column(alternative.after, alternative.trades, alternative.estimated_tax)
        if column not in seen:
            seen.append(column)
            kept.append(alternative)
    return tuple(kept)


def after_rows(household: Household, settlement: Settlement) -> tuple[AfterRow, ...]:
    """Each targeted category before and after, as percentages of the totals."""
    rows = []
    for cat in household.categories:
        value = settlement.values[cat.name]
        before = cat.value / household.total * HUNDRED if household.total > 0 else ZERO
        after = value / settlement.total * HUNDRED if settlement.total > 0 else ZERO
        rows.append(AfterRow(cat.name, cat.target, cat.band, cat.value, before, value, after,
                             within_band(value, cat.target, cat.band, settlement.total)))
    return tuple(rows)


def _solver_note(solution: Solution) -> str:
    text = solution.message.lower()
    if SPENT in text:
        return f"{solution.message}: the plan is as close to the targets as found, but not the least tax"
    if "time limit" in text:
        return "the optimiser stopped at its time limit; the plan balances but may not be the cheapest"
    return ""


def _empty(report: Report, cash: CashFlow | None, warnings: list[str],
           errors: tuple[PlanError, ...] = (), locations: tuple[LocationNote, ...] = ()) -> Plan:
    options = report.settings.options
    tax = TaxSummary(ZERO, ZERO, ZERO, ZERO, ZERO, options.short_term_rate, options.long_term_rate,
                     rules=options.tax_rules)
    return Plan(NOTHING, cash, None, (), (), tax, (), report.total, locations, tuple(warnings), errors)


def plan_request(
    report: Report,
    declarations: Declarations,
    cash: CashFlow | None = None,
    *,
    deadline: Deadline | None = None,
    regime: Regime | None = None,
) -> PlanRequest:
    """The plan for ``report`` and ``cash``, with the accounts cash may use: what a request asks.

    The one call the command line and the Fava tab make. The household is built once, for
    both; ``PlanRequest.refusal`` says whether a failed plan refuses the request (only when
    cash was asked for). ``regime``: the tax rules in force when the caller has them already
    (``together``: the household's, for every plan); else ``regime_of`` the report.
    """
    with collector_paused():  # planner/collector.py: a full collection in Fava costs 0.8 s
        settings = report.settings
        known = known_accounts(report, declarations)
        named: str | PlanError | None = None
        if cash is not None and cash.account is not None:
            named = resolve_account(cash.account, known, declarations, settings)
        extra = [*(() if known else declared_accounts(declarations, settings)),
                 *((named,) if isinstance(named, str) else ())]
        rules = regime if regime is not None else regime_of(report, declarations)
        household = household_of(report, declarations, extra, report.purchases, rules)
        found = _plan(report, declarations, cash, household, named, deadline)
        return PlanRequest(found, accounts_for_cash(household, report, declarations), cash is not None)


def plan(
    report: Report,
    declarations: Declarations,
    cash: CashFlow | None = None,
    *,
    deadline: Deadline | None = None,
) -> Plan:
    """The concrete orders for ``report``: which, where, which lots, at what tax cost.

    ``cash`` is a deposit (positive) or withdrawal (negative) in the reporting currency;
    commodities the portfolio does not hold are priced from the report (``Report.price_of``);
    ``deadline`` ends the planning (default: the ``time-budget`` option from now).
    """
    return plan_request(report, declarations, cash, deadline=deadline).plan


def _plan(report: Report, declarations: Declarations, cash: CashFlow | None, household: Household,
          named: str | PlanError | None, deadline: Deadline | None) -> Plan:
    """``plan`` on the request's ``household``; ``named``: the trading account of the account asked for."""
    settings = report.settings
    if deadline is None:
        deadline = Deadline.start(settings.options.time_budget)
    locations = review(report.holdings, settings.locations, declarations.category_of,
                       declarations.tax_status_of)
    rows = report.allocation.targeted
    if not rows:
        return _empty(report, cash, ["no targets in force: nothing to plan"], locations=locations)
    flow = cash.amount if cash is not None else ZERO
    problem = cash_problem(flow)
    if problem is not None:  # beyond the optimiser's floats: refused, not a crash
        return _empty(report, cash, [], (PlanError(problem),), locations)
    if flow < 0 and report.total + flow <= 0:
        error = PlanError(f"a withdrawal of {grouped(-flow)} {report.currency} takes the whole portfolio")
        return _empty(report, cash, [], (error,), locations)
    if report.total + flow <= 0:
        return _empty(report, cash, ["nothing is held: nothing to plan"], locations=locations)
    if isinstance(named, PlanError):
        return _empty(report, cash, [], (named,), locations)
    planner = _Planner(report, declarations, household, deadline)
    planner.warnings += household.regime.warnings
    buying = {b.trading_account for b in household.buys}
    account = named if named is not None else default_account(household.accounts, buying) if flow else None
    if flow and account is None:
        error = PlanError("no account to put the cash in: name the account it goes to")
        return _empty(report, cash, [], (error,), locations)
    flows = {account: flow} if account is not None and flow else {}

    mode = NOTHING
    outcome: SolvedOrders | str
    try:
        if flow > 0 and account is not None:
            mode, outcome = DEPOSIT, planner.deposit(account, flow)
        elif flow < 0 and account is not None:
            mode, outcome = WITHDRAWAL, planner.withdrawal(account, -flow)
        elif any(r.action != NONE for r in rows):
            mode, outcome = REBALANCE, planner.rebalance(flows)
        else:
            outcome = planner.idle(flows)
    except OutOfTime as exc:
        outcome = f"{exc} before a plan was found; give it more with the time-budget option"
    if isinstance(outcome, str):
        if deadline.expired and SPENT not in outcome:  # the solver stopped at what was left
            outcome = f"{deadline.message} before a plan was found ({outcome})"
        return _empty(report, cash, planner.warnings, (PlanError(outcome),), locations)
    if mode in (DEPOSIT, WITHDRAWAL) and outside(household, outcome.settlement):
        try:
            more: SolvedOrders | str = planner.rebalance(flows)
        except OutOfTime as exc:
            more = str(exc)
            planner.warnings.append(f"{exc}: the plan does not trade across the household, though a "
                                    "category stays outside its band")
        if isinstance(more, SolvedOrders):
            planner.warnings.append(f"after the {mode} alone a category would still be outside its band, "
                                    "so the plan trades across the household toward every target")
            mode, outcome = REBALANCE, more
    return _finish(planner, report, cash, account, mode, outcome, locations)


def _finish(planner: _Planner, report: Report, cash: CashFlow | None, account: str | None, mode: str,
            outcome: SolvedOrders, locations: tuple[LocationNote, ...]) -> Plan:
    household = planner.household
    declarations = planner.declarations
    trades = planner.orders_of(outcome, mode)
    settlement = outcome.settlement
    costs = sum(settlement.fees.values(), ZERO)
    tax = tax_summary(trades, household.options, costs, household.regime)
    after = after_rows(household, settlement)
    alternatives: tuple[Alternative, ...] = ()
    if tax.estimated_tax > 0:
        flow = sum(outcome.scope.flows.values(), ZERO)
        try:
            raising = account is not None and flow < 0
            found = [planner.raise_cash_only(account, -flow, mode) if raising and account else None,
                     planner.without_taxable_sales(outcome, mode)]
        except OutOfTime as exc:
            found = [None, None]
            planner.warnings.append(f"{exc}: the plan is not compared with other ways of doing it")
        alternatives = _distinct(_column(after, len(trades), tax.estimated_tax), found)
    if outcome.message:
        planner.warnings.append(outcome.message)
    planner.warnings += untradable(household)
    planner.warnings += why_outside(household, settlement, report.allocation, declarations.can_sell)
    if household.regime.picks_lots:
        for commodity in sorted({t.commodity for t in trades if t.tax_status == TAXABLE
                                 and any(lot.gain < 0 for lot in t.lots)}):
            identical = declarations.identical_to(commodity)
            planner.warnings.append(buy_back_warning(commodity, identical, report.date))
        for loss in planner.open:
            planner.warnings.append(open_loss_warning(loss, declarations.identical_to(loss.sale.commodity),
                                                      household.currency, grouped))
    else:
        planner.warnings += regime_warnings(household.regime, trades, planner.open, planner.regime_recent(),
                                            declarations.identical_to, report.date, household.currency)
    if account is not None and mode == DEPOSIT:
        left = settlement.cash[account] - household.account(account).cash
        if left > 0:
            planner.warnings.append(f"{grouped(left)} {household.currency} of the deposit stays as cash in "
                                    f"{account} (whole units only)")
    totals = _account_totals(household, trades, settlement, outcome.scope)
    return Plan(mode, cash, account, trades, totals, tax,
                after, settlement.total, locations, tuple(planner.warnings), alternatives=alternatives)


def _account_totals(household: Household, trades: tuple[Trade, ...], settlement: Settlement,
                    scope: SolveScope) -> tuple[AccountTotal, ...]:
    totals = []
    for name in sorted({*(t.trading_account for t in trades), *scope.flows}):
        account = household.account(name)
        mine = [t for t in trades if t.trading_account == name]
        sold = sum((t.amount for t in mine if t.action == "sell"), ZERO)
        bought = sum((t.amount for t in mine if t.action == "buy"), ZERO)
        moves = tuple(sorted(settlement.moved.get(name, {}).items()))
        totals.append(AccountTotal(name, account.status, account.cash, scope.flows.get(name, ZERO), sold,
                                   bought, settlement.fees[name], settlement.cash[name], len(mine), moves,
                                   account.sink))
    return tuple(totals)
