"""The trade planner's panel on the Rebalance tab: a view-model built from a ``Plan``.

``build_plan_view`` is pure: it takes the plan (or the reason there is none), the cash form's
state and the page's ``Numbers``, and returns display strings only, rounded and written as
the rest of the page (``page.Numbers``), so the panel, the JSON and the workbook agree. The
templates ``_rebalance_plan*.html`` only loop and print (``|incognito`` on every figure).

What it shows: the cash form, a summary, the orders grouped by trading account (sells
first, lots per order, wash sales), totals by account, the tax summary with the break-even
(the tax of the plan next to the drift left by each of ``Plan.alternatives``: a withdrawal
raised at the least tax, trading only in tax-advantaged accounts), each category before
and after with a chart, the asset location review and the warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner import (
    AccountTotal,
    AfterRow,
    Alternative,
    CashAccounts,
    LotSale,
    Plan,
    TaxSummary,
    Trade,
    WashSale,
)
from fava_rebalance.planner.cashflow import DEFAULT_ACCOUNT_RULE
from fava_rebalance.planner.model import SELL, TAXABLE
from fava_rebalance.tab.chart import BAND, MARKER, Bar, Chart, ChartItem, bar_chart
from fava_rebalance.tab.page import Numbers
from fava_rebalance.views.labels import (
    action_label,
    averaged_cost,
    gain_known,
    lot_cost_label,
    lot_date_label,
    lot_term_label,
    saving_words,
    trade_term_label,
)
from fava_rebalance.views.ledger_entries import plan_entries
from fava_rebalance.views.moves_vs_plan import change_words, compare
from fava_rebalance.views.plan_summary import plan_summary
from fava_rebalance.views.tax_terms import NO_TAX, PERCENT, has_terms, no_tax, percent, tax_lines

AFTER_LEGEND = (("before", "Before"), ("after", "After the trades"), (MARKER, "Target"), (BAND, "Band"))
ZERO = Decimal(0)


@dataclass(frozen=True)
class AccountChoice:
    """One entry of the form's account list (``default``: the planner's own choice)."""

    name: str
    tax_status: str
    cash: str
    selected: bool
    default: bool


@dataclass(frozen=True)
class CashForm:
    """The GET form: where it goes, the page's filters as hidden fields, what was typed.

    ``default_rule``: how the planner picks the account marked default (the README and
    ``--help`` say the same words).
    """

    action: str
    hidden: tuple[tuple[str, str], ...]
    cash: str
    choices: tuple[AccountChoice, ...]
    default_rule: str = DEFAULT_ACCOUNT_RULE


@dataclass(frozen=True)
class LotView:
    """Units taken from one lot."""

    date: str
    units: str
    cost: str
    gain: str
    term: str


@dataclass(frozen=True)
class WashView:
    """The loss of a sale that a recent purchase disallows, and what becomes of it.

    The order's reason names the purchase (units, commodity, date, account).
    """

    disallowed: str
    fate: str


@dataclass(frozen=True)
class TradeView:
    """One order. ``gain`` and ``term`` are empty where no tax is due (buys, IRAs) or the ledger has no cost.

    ``held_in``: the account that holds the commodity when it is not the trading account
    the order is listed under (a sweep sub-account), else ``None``.
    """

    key: str
    account: str
    held_in: str | None
    action: str
    action_label: str
    commodity: str
    commodity_name: str
    units: str
    price: str
    amount: str
    gain: str
    term: str
    lots: tuple[LotView, ...]
    lots_label: str
    washes: tuple[WashView, ...]
    reason: str


@dataclass(frozen=True)
class TradeGroup:
    """The orders of one trading account, sells before buys."""

    account: str
    tax_status: str
    trades: tuple[TradeView, ...]


@dataclass(frozen=True)
class AccountView:
    """What the plan does to one trading account's cash."""

    account: str
    tax_status: str
    cash_before: str
    flow: str
    sold: str
    bought: str
    costs: str
    cash_after: str
    trades: str


@dataclass(frozen=True)
class BreakEvenColumn:
    """One column of the break-even: tax, the largest drift left, what stays outside a band."""

    estimated_tax: str
    largest_drift: str
    outside_band: str
    trades: str
    label: str = "This plan"


@dataclass(frozen=True)
class BreakEven:
    """The plan's column, then one per alternative (``Plan.alternatives``); what each saves (``notes``)."""

    columns: tuple[BreakEvenColumn, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TaxLineView:
    """One line of a uk, ca or de tax panel: its label and its figure, written."""

    label: str
    value: str
    money: bool


@dataclass(frozen=True)
class TaxView:
    """The tax summary: realized gains after wash sales, the estimate at the rates, costs.

    ``rules`` is the regime; under uk, ca and de ``lines`` replace the short- and long-term
    rows (``views.tax_terms``); under none ``note`` says there are no tax figures.
    """

    short_term_gain: str
    long_term_gain: str
    estimated_tax: str
    disallowed_loss: str
    trade_costs: str
    short_term_rate: str
    long_term_rate: str
    break_even: BreakEven | None
    rules: str = "us"
    lines: tuple[TaxLineView, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class AfterView:
    """A targeted category before and after the plan; ``state`` ``within`` or ``outside`` (its band)."""

    category: str
    before: str
    after: str
    target: str
    band: str
    difference: str
    state: str
    within_label: str


@dataclass(frozen=True)
class LocationView:
    """A holding better held in another type of account."""

    category: str
    commodity: str
    account: str
    value: str
    tax_status: str
    preferred: str


@dataclass(frozen=True)
class VersusRow:
    """A category the plan changes by another amount than the suggested moves."""

    category: str
    move: str
    plan: str


@dataclass(frozen=True)
class VersusView:
    """The suggested moves against the plan: the categories that differ, and why (``note``)."""

    rows: tuple[VersusRow, ...]
    note: str


@dataclass(frozen=True)
class FlowView:
    """The deposit or withdrawal planned: ``label`` ``Deposit`` or ``Withdrawal``."""

    label: str
    amount: str
    preposition: str
    account: str | None


@dataclass(frozen=True)
class PlanView:
    """The whole panel; with ``problem`` set, only the form and the problem are shown.

    ``column``: the plan's own break-even column (orders, tax, largest drift), which the
    summary shows. ``pending``: nobody has asked for a plan yet (the tab was opened without
    a ``cash`` parameter); only the form is shown, since the household-wide optimisation can
    take seconds on a large ledger and the drift report should not wait for it.
    """

    currency: str
    form: CashForm
    problem: str | None
    summary: str = ""
    versus: VersusView | None = None
    flow: FlowView | None = None
    column: BreakEvenColumn | None = None
    groups: tuple[TradeGroup, ...] = ()
    accounts: tuple[AccountView, ...] = ()
    tax: TaxView | None = None
    after: tuple[AfterView, ...] = ()
    chart: Chart | None = None
    locations: tuple[LocationView, ...] = ()
    warnings: tuple[str, ...] = ()
    pending: bool = False
    lot_rule: str = "Term"
    entries: str = ""  # the plan as ledger entries (SPEC §5.3), to copy into the ledger


def cash_form(
    action: str,
    hidden: Sequence[tuple[str, str]],
    cash: str,
    chosen: str,
    accounts: CashAccounts,
    numbers: Numbers,
) -> CashForm:
    """The form's state; the chosen account is selected, else the planner's default."""
    selected = chosen if any(a.name == chosen for a in accounts.accounts) else accounts.default
    choices = tuple(
        AccountChoice(a.name, a.tax_status, numbers.money(a.cash), selected=a.name == selected,
                      default=a.name == accounts.default)
        for a in accounts.accounts
    )
    return CashForm(action, tuple(hidden), cash, choices)


def _lot(lot: LotSale, numbers: Numbers) -> LotView:
    gain = numbers.money(lot.gain) if lot.cost is not None else "none counted"
    cost = lot_cost_label(lot, numbers.units, numbers.money) if averaged_cost(lot) else lot_cost_label(
        lot, numbers.units)
    return LotView(lot_date_label(lot), numbers.units(lot.units), cost, gain, lot_term_label(lot))


def _wash(wash: WashSale, numbers: Numbers) -> WashView:
    fate = ("added to the basis of the replacement shares" if wash.status == TAXABLE
            else f"lost for good (the replacement is in a {wash.status} account)")
    return WashView(numbers.money(wash.disallowed), fate)


def _trade(index: int, trade: Trade, numbers: Numbers, declarations: Declarations) -> TradeView:
    taxed = trade.action == SELL and trade.tax_status == TAXABLE and bool(trade.lots) and gain_known(trade)
    count = len(trade.lots)
    return TradeView(
        key=f"trade-{index}",
        account=trade.account,
        held_in=trade.account if trade.account != trade.trading_account else None,
        action=trade.action,
        action_label=action_label(trade.action),
        commodity=trade.commodity,
        commodity_name=declarations.commodity_name(trade.commodity),
        units=numbers.units(trade.units),
        price=numbers.price(trade.price),
        amount=numbers.money(trade.amount),
        gain=numbers.money(trade.gain) if taxed else "",
        term=trade_term_label(trade) if taxed else "",
        lots=tuple(_lot(lot, numbers) for lot in trade.lots),
        lots_label=f"{count} lot" if count == 1 else f"{count} lots",
        washes=tuple(_wash(w, numbers) for w in trade.washes),
        reason=numbers.text(trade.reason),
    )


def _groups(trades: Sequence[Trade], numbers: Numbers, declarations: Declarations) -> tuple[TradeGroup, ...]:
    """Orders by trading account (in the plan's order), sells before buys within each."""
    order: dict[str, list[tuple[int, Trade]]] = {}
    for index, trade in enumerate(trades):
        order.setdefault(trade.trading_account, []).append((index, trade))
    groups = []
    for account, members in order.items():
        members.sort(key=lambda item: item[1].action != SELL)  # stable: the plan's order otherwise
        groups.append(TradeGroup(account, members[0][1].tax_status,
                                 tuple(_trade(i, t, numbers, declarations) for i, t in members)))
    return tuple(groups)


def _account(total: AccountTotal, numbers: Numbers) -> AccountView:
    return AccountView(total.account, total.tax_status, numbers.money(total.cash_before),
                       numbers.signed(total.flow), numbers.money(total.sold), numbers.money(total.bought),
                       numbers.money(total.costs), numbers.money(total.cash_after), str(total.trades))


def _column(column: Plan | Alternative, numbers: Numbers) -> BreakEvenColumn:
    """The break-even column of the plan itself or of one of its alternatives."""
    if isinstance(column, Plan):
        label, tax, trades = "This plan", column.tax.estimated_tax, len(column.trades)
    else:
        label, tax, trades = column.label, column.estimated_tax, column.trades
    return BreakEvenColumn(numbers.money(tax), numbers.money(column.largest_drift),
                   ", ".join(column.outside_band) or "none", str(trades), label)


def _saving(other: Alternative, tax: Decimal, currency: str, numbers: Numbers) -> str:
    """What ``other`` would cost in tax against the plan's ``tax``, in a sentence.

    The saving is the difference of the two figures as shown (each rounded to the cent), so
    that the sentence adds up with the columns.
    """
    return f"{saving_words(other, tax, currency, numbers.money)}."


def _tax(plan: Plan, currency: str, numbers: Numbers) -> TaxView:
    tax: TaxSummary = plan.tax
    break_even = None
    if plan.alternatives:
        break_even = BreakEven(
            (_column(plan, numbers), *(_column(a, numbers) for a in plan.alternatives)),
            tuple(_saving(a, tax.estimated_tax, currency, numbers) for a in plan.alternatives),
        )
    lines = () if has_terms(tax) else tuple(
        TaxLineView(line.label, percent(line.value) if line.kind == PERCENT else numbers.money(line.value),
                    line.kind != PERCENT)
        for line in tax_lines(tax))
    return TaxView(
        short_term_gain=numbers.money(tax.short_term_gain),
        long_term_gain=numbers.money(tax.long_term_gain),
        estimated_tax=numbers.money(tax.estimated_tax),
        disallowed_loss=numbers.money(tax.disallowed_loss),
        trade_costs=numbers.money(tax.trade_costs),
        short_term_rate=f"{numbers.money(tax.short_term_rate * 100)}%",
        long_term_rate=f"{numbers.money(tax.long_term_rate * 100)}%",
        break_even=break_even,
        rules=tax.rules,
        lines=lines,
        note=NO_TAX if no_tax(tax) else "",
    )


def _after(row: AfterRow, numbers: Numbers) -> AfterView:
    return AfterView(row.category, numbers.money(row.percent_before), numbers.money(row.percent),
                     numbers.money(row.target), f"±{numbers.money(row.band)}", numbers.signed(row.difference),
                     "within" if row.within_band else "outside", "Yes" if row.within_band else "No")


def _after_chart(rows: Sequence[AfterRow], numbers: Numbers) -> Chart:
    items = [
        ChartItem(row.category,
                  (Bar("before", row.percent_before, f"{numbers.money(row.percent_before)}%", muted=True),
                   Bar("after", row.percent,
                       f"{numbers.money(row.percent)}%, target {numbers.money(row.target)}%")),
                  row.target, row.band, marker=True)
        for row in rows
    ]
    return bar_chart(items, AFTER_LEGEND)


def _versus(report: Report, plan: Plan, numbers: Numbers) -> VersusView | None:
    found = compare(report.suggested, plan, numbers.money, report.currency)
    if found is None:
        return None
    money = numbers.money
    rows = tuple(VersusRow(d.category, change_words(d.move, money), change_words(d.plan, money))
                 for d in found.differences)
    return VersusView(rows, found.note)


def _flow(plan: Plan, numbers: Numbers) -> FlowView | None:
    if plan.cash is None or not plan.cash.amount:
        return None
    amount = plan.cash.amount
    if amount > 0:
        return FlowView("Deposit", numbers.money(amount), "into", plan.cash_account)
    return FlowView("Withdrawal", numbers.money(-amount), "from", plan.cash_account)


def build_plan_view(
    report: Report,
    form: CashForm,
    plan: Plan | None,
    problem: str | None,
    numbers: Numbers,
    declarations: Declarations,
) -> PlanView:
    """The panel for ``plan``; without one (or with ``problem``) only the form and the problem.

    A plan that could not be made as asked (``plan.errors``) is shown as its problem.
    """
    if plan is not None and problem is None:
        problem = plan.problem
    if plan is None or problem is not None:
        return PlanView(report.currency, form, numbers.text(problem or "No plan."))
    return PlanView(
        currency=report.currency,
        form=form,
        problem=None,
        summary=plan_summary(plan, report.settings.options.min_trade, numbers.money, report.currency),
        versus=_versus(report, plan, numbers),
        flow=_flow(plan, numbers),
        column=_column(plan, numbers),
        groups=_groups(plan.trades, numbers, declarations),
        accounts=tuple(_account(a, numbers) for a in plan.accounts),
        tax=_tax(plan, report.currency, numbers),
        after=tuple(_after(r, numbers) for r in plan.after),
        chart=_after_chart(plan.after, numbers) if plan.after else None,
        locations=tuple(
            LocationView(n.category, n.commodity, n.account, numbers.money(n.value), n.tax_status,
                         n.preferred)
            for n in plan.locations
        ),
        warnings=numbers.texts(plan.warnings),
        lot_rule="Term" if has_terms(plan.tax) else "Identified as",
        entries=plan_entries(report, plan, declarations),
    )
