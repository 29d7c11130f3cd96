"""Orders with their reasons: the trade list, the lots each sell takes, and the tax summary.

Each order says why it is there in words a user can check against the table: which category
is over- or underweight, where the money comes from, what it costs in tax (nothing in a
tax-deferred or tax-free account), which basis a sale of a net position uses, and which
recent purchase makes a loss a wash sale. Within each trading account the sells come before
the buys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.formatting import grouped, plain
from fava_rebalance.core.formatting import units as units_text
from fava_rebalance.core.options import Options
from fava_rebalance.planner.accounts import BuyOption, Household, SellOption
from fava_rebalance.planner.lots import estimated_tax, lot_sales, netted_rates
from fava_rebalance.planner.model import (
    BUY,
    LONG,
    MIXED,
    SELL,
    SHORT,
    SINGLE,
    TAXABLE,
    WITHDRAWAL,
    LotSale,
    TaxSummary,
    Trade,
    WashSale,
)
from fava_rebalance.planner.netposition import BOOKED_WITHOUT_LOTS, NetPosition
from fava_rebalance.planner.regime import CA, Regime
from fava_rebalance.planner.regime_words import (
    basis_words,
    one_rate_tax_words,
    rematch_words,
    superficial_buy_words,
    superficial_words,
)
from fava_rebalance.planner.trades import Draft

ZERO = Decimal(0)


@dataclass(frozen=True)
class Context:
    """What the reasons refer to: the mode, each category's state and goal, the flows."""

    household: Household
    mode: str
    flows: Mapping[str, Decimal]
    goals: Mapping[str, Decimal]
    rematched: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """uk: commodities the ledger disposed of in general accounts in the last 30 days, and when."""

    @property
    def regime(self) -> Regime:
        """The tax rules in force."""
        return self.household.regime

    @property
    def currency(self) -> str:
        """The reporting currency."""
        return self.household.currency

    def state(self, category: str) -> str:
        """``Bonds (25.00% now, target 30.00%)``."""
        cat = next(c for c in self.household.categories if c.name == category)
        percent = cat.value / self.household.total * HUNDRED if self.household.total > 0 else ZERO
        return f"{category} ({plain(percent)}% now, target {plain(cat.target)}%)"

    def overweight(self, category: str) -> bool:
        """True when the category is above its goal for this plan."""
        cat = next(c for c in self.household.categories if c.name == category)
        return cat.value > self.goals.get(category, cat.value)

    def money(self, amount: Decimal) -> str:
        """``1,234.50 USD``."""
        return f"{grouped(amount)} {self.currency}"


def _term(pieces: Sequence[LotSale]) -> str | None:
    terms = {p.term for p in pieces}
    if not terms:
        return None
    return terms.pop() if len(terms) == 1 else MIXED


def results(lots: Sequence[LotSale], washes: Sequence[WashSale]) -> tuple[Decimal, Decimal]:
    """Short- and long-term results of one order after wash sales (a disallowed loss counts 0)."""
    short = long = ZERO
    for lot in lots:
        if lot.term == LONG:
            long += lot.gain
        else:
            short += lot.gain
    for wash in washes:
        if wash.term == LONG:
            long += wash.disallowed
        else:
            short += wash.disallowed
    return short, long


def _rate_words(rates: tuple[Decimal, Decimal], ctx: Context) -> str:
    options = ctx.household.options
    if rates == (options.short_term_rate, options.long_term_rate):
        return ""
    return f", at the {plain(rates[0] * 100)}% rate left after netting short- against long-term"


def _tax_words(option: SellOption, gain: Decimal, term: str | None, tax: Decimal,
               rates: tuple[Decimal, Decimal], ctx: Context) -> str:
    if option.status != TAXABLE:
        return f"sold in a {option.status} account: no tax"
    if not option.taxed:
        return "no tax under tax-rules none"
    word = f"{term}-term " if term in (SHORT, LONG) else ""
    if gain > 0:
        rate = _rate_words(rates, ctx)
        return f"realizes a {word}gain of {ctx.money(gain)} (about {ctx.money(tax)} tax{rate})"
    if gain < 0:
        saved = f"; about {ctx.money(-tax)} less tax{_rate_words(rates, ctx)}" if tax < 0 else ""
        return f"realizes a {word}loss of {ctx.money(-gain)}{saved}"
    return "realizes no gain"


def _net_words(net: NetPosition, lots: Sequence[LotSale], ctx: Context) -> str:
    """Which basis and holding period a sale of a net position uses, and why."""
    why = ("booked without lots (booking NONE)" if net.cause == BOOKED_WITHOUT_LOTS
           else "its lots in the ledger are both long and short")
    if net.basis is None:
        basis = "the net position, whose average cost the ledger cannot state"
    else:
        stated = (f" ({grouped(net.cost)} {net.cost_currency} as the ledger states it)"
                  if net.cost is not None and net.cost_currency not in (None, ctx.currency) else "")
        basis = f"the net position at its average cost, {ctx.money(net.basis)} a unit{stated}"
        if net.floored:
            basis += " (the ledger's costs average below 0; taken as 0)"
    if net.dated:
        period = "oldest units first for the holding period"
    else:
        terms = sorted({lot.term for lot in lots})
        taken = f"; taken as {terms[0]}-term, which costs more tax" if len(terms) == 1 else ""
        period = f"the ledger does not date all its units, so the holding period is unknown{taken}"
    return f"{why}, so there are no lots to choose from: sold from {basis}, {period}"


def _wash_words(wash: WashSale, ctx: Context) -> str:
    fate = ("added to the basis of those shares" if wash.status == TAXABLE
            else f"lost for good, as they are in a {wash.status} account")
    return (f"wash sale: {units_text(wash.units)} {wash.commodity} bought {wash.date} in {wash.account} "
            f"disallow {ctx.money(wash.disallowed)} of the loss ({fate})")


def _buyback_words(wash: WashSale, ctx: Context) -> str:
    fate = ("added to the basis of the shares bought" if wash.status == TAXABLE
            else f"lost for good, as it buys in a {wash.status} account")
    return (f"wash sale: buys back {units_text(wash.units)} of the {wash.commodity} sold at a loss on "
            f"{wash.date} in {wash.account}, which disallows {ctx.money(wash.disallowed)} of that loss "
            f"({fate})")


def taxable_result(regime: Regime, commodity: str, lots: Sequence[LotSale],
                   washes: Sequence[WashSale]) -> Decimal:
    """uk, ca, de: an order's gains after denied losses, times the regime's factor (what is taxed)."""
    short, long = results(lots, washes)
    return regime.factor(commodity) * (short + long)


def ledger_lots(option: SellOption, units: Decimal, ctx: Context) -> tuple[LotSale, ...]:
    """The ledger's own lots a sale of ``units`` reduces, oldest first, where the rules' lots are not theirs.

    Under uk, ca and de the lots the rules sell (a pool, the ACB, the depot's oldest lot)
    are not the lots a ledger booked STRICT holds; these are, as Beancount's FIFO booking
    would reduce them, with each one's gain at its own cost. A net position (booked NONE)
    has none: its reduction states the average cost (``Trade.average_cost``).
    """
    if not option.ordered or option.net is not None:
        return ()
    found = []
    left = units
    for lot in sorted((lot for lot in option.holding.lots if lot.units > 0),
                      key=lambda lot: (lot.date is None, lot.date, lot.cost or ZERO)):
        if left <= 0:
            break
        part = min(lot.units, left)
        left -= part
        rate = option.holding.cost_rate(lot)
        gain = part * (option.price - lot.cost * rate) if lot.cost is not None and rate is not None else ZERO
        found.append(LotSale(lot.date, part, lot.cost, lot.cost_currency, gain, SINGLE, lot.label))
    return tuple(found)


def sell_trade(option: SellOption, units: Decimal, draft: Draft, washes: tuple[WashSale, ...],
               rates: tuple[Decimal, Decimal], ctx: Context) -> Trade:
    """A sell with its lots (taxable accounts), gain, term, share of the tax and reason."""
    taxable = option.taxed
    regime = ctx.regime
    lots = lot_sales(draft.lots.get(option.key, [])) if taxable else ()
    gain = sum((lot.gain for lot in lots), ZERO)
    term = _term(lots) if taxable and regime.picks_lots else None
    short, long = results(lots, washes)
    tax = short * rates[0] + long * rates[1]
    if regime.one_rate:
        tax = taxable_result(regime, option.holding.commodity, lots, washes) * rates[0]
    category = max(option.fractions, key=lambda c: (option.fractions[c], c))
    parts = []
    if ctx.mode == WITHDRAWAL and ctx.flows.get(option.trading_account, ZERO) < 0:
        parts.append(f"raises the withdrawal; {ctx.state(category)}")
    elif ctx.overweight(category):
        parts.append(f"{ctx.state(category)} overweight")
    elif taxable and gain < 0:
        parts.append(f"tax-loss harvest in {ctx.state(category)}; the proceeds buy another fund of the class")
    else:
        parts.append(f"raises cash in {option.trading_account} for its buys; {ctx.state(category)}")
    if taxable and regime.one_rate:
        parts.append(one_rate_tax_words(regime, option.holding.commodity, gain, tax, rates[1], ctx.money))
        parts.append(basis_words(regime, lots, ctx.money))
        parts.extend(superficial_words(w, ctx.money) for w in washes)
    else:
        parts.append(_tax_words(option, gain, term, tax, rates, ctx))
        if taxable and option.net is not None:
            parts.append(_net_words(option.net, lots, ctx))
        if taxable and any(f.basis is None for f, _ in draft.lots.get(option.key, [])):
            parts.append("the ledger has no cost for some of these units: their gain is taken as 0")
        parts.extend(_wash_words(w, ctx) for w in washes)
    net = option.net
    return Trade(option.holding.account, option.trading_account, option.status, SELL,
                 option.holding.commodity, units, option.price, units * option.price, lots, gain,
                 term, washes, "; ".join(parts), tax, option.booking,
                 net.cost if net is not None else None, net.cost_currency if net is not None else None,
                 ledger_lots(option, units, ctx) if taxable else ())


def buy_trade(option: BuyOption, units: Decimal, funded_by_sales: bool, replaces: Sequence[str],
              washes: tuple[WashSale, ...], rates: tuple[Decimal, Decimal], ctx: Context) -> Trade:
    """A buy with its reason (which category, paid with what, which earlier loss it washes)."""
    state = ctx.state(option.category)
    if replaces:
        parts = [f"{state}: replaces {', '.join(replaces)} sold at a loss here (not substantially identical)"]
    elif ctx.overweight(option.category):
        parts = [f"{state}: bought here while sold elsewhere, to keep it at target"]
    else:
        parts = [f"{state} underweight"]
    if ctx.flows.get(option.trading_account, ZERO) > 0:
        parts.append("paid with the deposit" + (" and this account's sales" if funded_by_sales else ""))
    elif funded_by_sales:
        parts.append("paid with this account's sales")
    else:
        parts.append("paid with cash already in the account")
    short, long = results((), washes)
    tax = short * rates[0] + long * rates[1]
    status = ctx.household.account(option.trading_account).status
    regime = ctx.regime
    if regime.one_rate:
        tax = taxable_result(regime, option.commodity, (), washes) * rates[0]
        parts.extend(superficial_buy_words(wash, ctx.money) for wash in washes)
        if regime.rematches and regime.taxed(status) and option.commodity in ctx.rematched:
            parts.append(rematch_words(option.commodity, ctx.rematched[option.commodity]))
    else:
        for wash in washes:
            parts.append(_buyback_words(wash, ctx))
    if washes:
        parts.append(f"about {ctx.money(tax)} more tax")
    return Trade(option.account, option.trading_account, status, BUY, option.commodity, units,
                 option.price, units * option.price, (), ZERO, None, washes, "; ".join(parts), tax,
                 option.booking)


def orders(draft: Draft, washes: Mapping[int, tuple[WashSale, ...]],
           buybacks: Mapping[int, tuple[WashSale, ...]], ctx: Context) -> tuple[Trade, ...]:
    """Every order, account by account, sells first (biggest first), then buys.

    ``washes``: per sell, the purchases that disallow its losses; ``buybacks``: per buy, the
    earlier losses it washes. Each order's ``tax`` is its share at the plan's netted rates.
    """
    h = ctx.household
    short = long = ZERO
    for key in draft.sells:
        if h.sells[key].taxed:
            s, lt = results(lot_sales(draft.lots.get(key, [])), washes.get(key, ()))
            short, long = short + s, long + lt
    for key in draft.buys:
        s, lt = results((), buybacks.get(key, ()))
        short, long = short + s, long + lt
    rates = netted_rates(short, long, h.options)
    if h.regime.one_rate:
        rates = one_rate_shares(draft, washes, buybacks, h)
    trades: list[Trade] = []
    sold_at_loss: dict[tuple[str, str], list[str]] = {}
    for key, units in draft.sells.items():
        option = h.sells[key]
        trade = sell_trade(option, units, draft, washes.get(key, ()), rates, ctx)
        trades.append(trade)
        if trade.gain < 0:
            for category in option.fractions:
                sold_at_loss.setdefault((option.trading_account, category), []).append(trade.commodity)
    selling = {t.trading_account for t in trades}
    for key, units in draft.buys.items():
        buy = h.buys[key]
        replaced = sorted(set(sold_at_loss.get((buy.trading_account, buy.category), [])))
        trades.append(buy_trade(buy, units, buy.trading_account in selling, replaced, buybacks.get(key, ()),
                                rates, ctx))
    return tuple(sorted(trades, key=lambda t: (t.trading_account, t.action != SELL, -t.amount,
                                               t.account, t.commodity)))


def one_rate_shares(draft: Draft, washes: Mapping[int, tuple[WashSale, ...]],
                    buybacks: Mapping[int, tuple[WashSale, ...]], h: Household) -> tuple[Decimal, Decimal]:
    """uk, ca, de: the rate each order's taxable result is taxed at, and the plan's whole result.

    The tax is ``Regime.tax`` of the plan's result; every order's share is its own result
    at the plan's average rate (the tax over the result), so the shares add up to it. The
    second figure is the plan's result, for the words (why a gain costs no tax).
    """
    regime = h.regime
    total = ZERO
    for key in draft.sells:
        option = h.sells[key]
        if option.taxed:
            total += taxable_result(regime, option.holding.commodity, lot_sales(draft.lots.get(key, [])),
                                    washes.get(key, ()))
    for key in draft.buys:
        total += taxable_result(regime, h.buys[key].commodity, (), buybacks.get(key, ()))
    return (regime.tax(total) / total if total else ZERO), total


def tax_summary(trades: Sequence[Trade], options: Options, costs: Decimal,
                regime: Regime | None = None) -> TaxSummary:
    """Realized short- and long-term gains (after wash-sale disallowance) and the estimate.

    Under uk, ca and de the gains are one figure (``TaxSummary.gain``), taxed by the regime
    (``Regime.tax``); under none there is no tax at all.
    """
    if regime is not None and not regime.picks_lots:
        return _regime_summary(trades, costs, regime)
    short = long = disallowed = rebought = ZERO
    for trade in trades:
        s, lt = results(trade.lots, trade.washes)
        short, long = short + s, long + lt
        for wash in trade.washes:
            if wash.of_sale:
                rebought += wash.disallowed
            else:
                disallowed += wash.disallowed
    return TaxSummary(short, long, estimated_tax(short, long, options), disallowed, costs,
                      options.short_term_rate, options.long_term_rate, rebought)


def _regime_summary(trades: Sequence[Trade], costs: Decimal, regime: Regime) -> TaxSummary:
    """The tax summary under uk, ca, de (one result, an allowance) or none (nothing)."""
    gain = included = disallowed = rebought = ZERO
    for trade in trades:
        short, long = results(trade.lots, trade.washes)
        gain += short + long
        included += regime.factor(trade.commodity) * (short + long)
        for wash in trade.washes:
            if wash.of_sale:
                rebought += wash.disallowed
            else:
                disallowed += wash.disallowed
    exempt = sum((regime.exempt(t.commodity) * sum(results(t.lots, t.washes), ZERO) for t in trades), ZERO)
    return TaxSummary(ZERO, ZERO, regime.tax(included), disallowed, costs, ZERO, ZERO, rebought,
                      rules=regime.name, gain=gain, exempt_gain=exempt, included_gain=included,
                      rate=regime.rate, inclusion=regime.inclusion if regime.name == CA else Decimal(1),
                      allowance=regime.allowance, allowance_used=regime.used,
                      allowance_left=regime.allowance_left, year_start=regime.year_start)
