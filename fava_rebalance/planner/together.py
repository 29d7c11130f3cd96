"""Plans for several portfolios made together, with one household's taxes (SPEC §6.1).

Each portfolio has its own plan: its own targets, bands, cash flow and accounts (its
household holds only its own accounts, so a plan never trades another portfolio's). Taxes
and wash sales are the household's, so when the plans are made together
(``bean-rebalance`` without ``--portfolio``) they are made **in turn**, ``Main`` first and
then the others A–Z, each knowing what the plans before it do:

- **No buy-back.** Under us and ca, what an earlier plan sells at a loss in a taxable
  account, and every commodity declared substantially identical to it, is never bought by
  a later plan, in any account (as within one plan the optimiser never buys what it sells
  at a loss): for that plan it is as if the commodity said ``rebalance-buy: FALSE``, and its
  warnings say why. Under uk, what an earlier plan sells in a general account (at a gain
  too) is not bought in a later plan's general accounts (the same-day rule would match
  them), but may be in an ISA or SIPP ("bed and ISA"). Under de and none nothing is barred.
- **Earlier buys are purchases.** An earlier plan's buys count, for the later plans, as
  purchases in the wash-sale window (in their accounts, on the report date): a loss a later
  plan would sell of the same or a substantially identical commodity is washed, which its
  optimiser avoids where it can, and its orders report (the purchase, the disallowed loss)
  where it cannot.
- **A replacement share replaces once.** A purchase in the window that an earlier plan's
  loss was matched with (``Trade.washes``), or whose own units an earlier plan sells, is
  used up: the later plans see only what is left of it (``_unused``), so the household's
  disallowed loss counts each replacement share once (Treas. Reg. §1.1091-1(b)).
- **One tax summary.** The plans' realized gains are added up and the household's tax is
  estimated once under the rules in force (``orders.tax_summary`` over every order of every
  plan, with the ledger's ``Regime``): under us short- against long-term netted as in one
  plan; under uk, ca and de one result against one allowance (each plan's own summary
  counts the whole allowance left, as if it were the only plan; the household's counts it
  once).

Limits, which planning them as one model would lift: an earlier plan does not know what a
later one needs (it may sell at a loss the only fund a later portfolio could buy for a
class; the later plan then leaves that class where it is and says so), and each plan
minimises its own tax rather than the household's netting (a loss harvested in one
portfolio is not chosen to offset a gain another portfolio's plan realizes). A portfolio
planned alone (``--portfolio``, the Fava tab) knows only the ledger, not the other plans.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import Report
from fava_rebalance.core.portfolios import MAIN
from fava_rebalance.core.recent import LotKey, Purchase
from fava_rebalance.planner.budget import Deadline
from fava_rebalance.planner.cashflow import known_accounts
from fava_rebalance.planner.collector import collector_paused
from fava_rebalance.planner.model import BUY, SELL, TAXABLE, CashFlow, PlanRequest, TaxSummary, Trade
from fava_rebalance.planner.orders import tax_summary
from fava_rebalance.planner.plan import plan_request
from fava_rebalance.planner.regime import Regime
from fava_rebalance.planner.tax_rules import regime_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class HouseholdPlan:
    """Every portfolio's plan, made together, and the household's one tax summary.

    ``requests`` are in the order of the reports given; ``total`` is the household's value
    (every portfolio's total, added up).
    """

    requests: tuple[PlanRequest, ...]
    tax: TaxSummary
    total: Decimal


@dataclass(frozen=True)
class _Barred:
    """A commodity no later plan may buy, and the loss sale that bars it."""

    commodity: str
    sold: str
    portfolio: str
    taxable_only: bool = False  # uk: barred in general accounts only


def cash_portfolio(
    cash: CashFlow | None, reports: Sequence[Report], declarations: Declarations
) -> str | None:
    """Which of ``reports``' portfolios takes ``cash``: the named account's, else ``Main``.

    An account in no portfolio goes to ``Main`` (or the first), whose plan then says it is
    not an account of the portfolio.
    """
    if cash is None or not reports:
        return None
    if cash.account is not None:
        trading = declarations.trading_account(cash.account)
        for report in reports:
            if report.settings.in_portfolio(cash.account) or trading in known_accounts(report, declarations):
                return report.portfolio
    names = [report.portfolio for report in reports]
    return MAIN if MAIN in names else names[0]


def plan_together(
    reports: Sequence[Report],
    declarations: Declarations,
    cash: CashFlow | None = None,
    *,
    deadline: Deadline | None = None,
) -> HouseholdPlan:
    """The plans of ``reports`` (one per portfolio, same date) made in turn, and the household's tax.

    ``cash`` goes to the portfolio ``cash_portfolio`` names; the others are planned without
    a cash flow. ``deadline``: for each plan, as ``plan_request`` takes it. The garbage
    collector stays paused from the first plan to the last (``planner/collector.py``).
    """
    with collector_paused():
        return _in_turn(reports, declarations, cash, deadline)


def _in_turn(reports: Sequence[Report], declarations: Declarations, cash: CashFlow | None,
             deadline: Deadline | None) -> HouseholdPlan:
    """``plan_together``'s work."""
    home = cash_portfolio(cash, reports, declarations)
    order = sorted(range(len(reports)), key=lambda i: (reports[i].portfolio != MAIN, reports[i].portfolio))
    # Tax options are the household's and the history replayed is every account's: one regime
    # for every plan and the household's summary (a portfolio's own would replay it again).
    regime = regime_of(reports[0], declarations) if reports else None
    found: dict[int, PlanRequest] = {}
    pool: tuple[Purchase, ...] | None = None  # the household's purchases not yet used up
    barred: dict[str, _Barred] = {}
    for index in order:
        report = reports[index]
        if pool is not None:
            report = replace(report, purchases=pool)
        allowed = declarations
        if barred:
            everywhere = {c for c, why in barred.items() if not why.taxable_only}
            allowed = replace(declarations, no_buy_commodities=declarations.no_buy_commodities | everywhere,
                              no_buy_taxable=declarations.no_buy_taxable | (set(barred) - everywhere))
        asked = plan_request(report, allowed, cash if report.portfolio == home else None, deadline=deadline,
                             regime=regime)
        notes = _barred_warnings(report, declarations, barred)
        if notes:
            asked = replace(asked, plan=replace(asked.plan, warnings=(*asked.plan.warnings, *notes)))
        found[index] = asked
        bought = [Purchase(trade.account, trade.commodity, trade.units, report.date,
                           (trade.price, report.currency, report.date, None))
                  for trade in asked.plan.trades if trade.action == BUY]
        pool = tuple(sorted((*_unused(report.purchases, asked.plan.trades), *bought),
                            key=lambda p: (p.date, p.account, p.commodity)))
        for trade in asked.plan.trades:
            if trade.action != BUY and regime is not None:
                for commodity, why in _bars(trade, regime, declarations, report.portfolio):
                    barred.setdefault(commodity, why)
    requests = tuple(found[i] for i in range(len(reports)))
    trades = [trade for request in requests for trade in request.plan.trades]
    costs = sum((request.plan.tax.trade_costs for request in requests), ZERO)
    if reports and regime is not None:
        tax = tax_summary(trades, reports[0].settings.options, costs, regime)
    else:
        tax = TaxSummary(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
    return HouseholdPlan(requests, tax, sum((report.total for report in reports), ZERO))


def _unused(purchases: Sequence[Purchase], trades: Sequence[Trade]) -> list[Purchase]:
    """What is left of ``purchases`` for a later plan once ``trades`` have been made.

    A purchase a loss of ``trades`` was matched with (a sell's ``washes``) has replaced those
    units; the units of a lot a sell takes are sold, not held as replacements (as within
    one plan: ``washsale.disallowances``). Taken in the order the matching takes them.
    """
    left = [p.units for p in purchases]

    def take(units: Decimal, account: str, commodity: str, lot: LotKey | None = None,
             date: datetime.date | None = None) -> None:
        """``units`` of the purchases of ``commodity`` into ``account``: the lot ``lot``, or on ``date``."""
        for i, p in enumerate(purchases):
            if units <= 0:
                break
            if (left[i] > 0 and (p.account, p.commodity) == (account, commodity)
                    and (p.lot == lot if date is None else p.date == date)):
                used = min(left[i], units)
                left[i] -= used
                units -= used

    for trade in trades:
        if trade.action != SELL:
            continue
        for sale in trade.lots:
            if not sale.averaged:
                key = (sale.cost, sale.cost_currency, sale.date, sale.label)
                take(sale.units, trade.account, trade.commodity, key)
        for wash in trade.washes:
            if not wash.of_sale:
                take(wash.units, wash.account, wash.commodity, date=wash.date)
    return [replace(p, units=units) for p, units in zip(purchases, left, strict=True) if units > 0]


def _sold_at_loss(trade: Trade) -> bool:
    """A sale in a taxable account with a lot sold below its cost (the plan's own rule)."""
    return trade.action == SELL and trade.tax_status == TAXABLE and any(lot.gain < 0 for lot in trade.lots)


def _bars(trade: Trade, regime: Regime, declarations: Declarations,
          portfolio: str) -> list[tuple[str, _Barred]]:
    """What ``trade`` (an earlier plan's) keeps later plans from buying, under the rules in force.

    us, ca: a loss sold in a taxable account bars the commodity and every one substantially
    identical to it, in any account (a wash sale, a superficial loss). uk: any sale in a
    general account bars the same commodity in general accounts only (the same-day rule
    would match the purchase with it; an ISA or SIPP purchase is not matched: "bed and ISA").
    de, none: no loss rule, nothing barred.
    """
    if regime.denies_losses and _sold_at_loss(trade):
        group = declarations.identical_to(trade.commodity)
        return [(c, _Barred(c, trade.commodity, portfolio)) for c in group]
    if regime.rematches and trade.action == SELL and trade.tax_status == TAXABLE:
        return [(trade.commodity, _Barred(trade.commodity, trade.commodity, portfolio, taxable_only=True))]
    return []


def _barred_warnings(report: Report, declarations: Declarations, barred: dict[str, _Barred]) -> list[str]:
    """Why this plan buys none of ``barred``, for the commodities it holds or has a target for."""
    relevant: dict[tuple[bool, str, str], list[str]] = {}
    held = {holding.commodity for holding in report.holdings}
    general = any(declarations.tax_status_of(holding.account) == TAXABLE for holding in report.holdings)
    for commodity, why in sorted(barred.items()):
        if why.taxable_only and not general:  # no general account here: nothing is barred
            continue
        classes = declarations.commodity_classes.get(commodity, ())
        if commodity in held or any(report.settings.target_for(share.category) for share in classes):
            relevant.setdefault((why.taxable_only, why.portfolio, why.sold), []).append(commodity)
    return [(f"the plan buys no {' or '.join(names)} in a general account: portfolio {portfolio}'s plan "
             f"sells {sold} in one, and a purchase in a general account the same day (or in the 30 days "
             "after) would be matched with that sale (the same-day and 30-day rules); an ISA or SIPP may "
             "buy it")
            if general else
            (f"the plan buys no {' or '.join(names)}: portfolio {portfolio}'s plan sells {sold} at a loss, "
             "and a purchase of it (or of one substantially identical) within 30 days, in any account of "
             "the household, would disallow that loss (wash sale)")
            for (general, portfolio, sold), names in sorted(relevant.items())]
