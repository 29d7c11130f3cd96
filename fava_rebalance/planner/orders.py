"""Orders with their reasons: the trade list, the lots each sell takes, and the tax summary.

Each order says why it is there in words a user can check against the table: which category
is over- or underweight, where the money comes from, what it costs in tax (nothing in a
tax-deferred or tax-free account), and which recent purchase makes a loss a wash sale.
Within each trading account the sells come before the buys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.categories import HUNDRED
from fava_rebalance.formatting import grouped, plain
from fava_rebalance.formatting import units as units_text
from fava_rebalance.options import Options
from fava_rebalance.planner.accounts import BuyOption, Household, SellOption
from fava_rebalance.planner.lots import estimated_tax, lot_sales
from fava_rebalance.planner.model import (
    BUY,
    LONG,
    MIXED,
    SELL,
    SHORT,
    TAXABLE,
    WITHDRAWAL,
    LotSale,
    TaxSummary,
    Trade,
    WashSale,
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


def _tax_words(option: SellOption, gain: Decimal, term: str | None, ctx: Context) -> str:
    if option.status != TAXABLE:
        return f"sold in a {option.status} account: no tax"
    options = ctx.household.options
    word = f"{term}-term " if term in (SHORT, LONG) else ""
    if gain > 0:
        rate = options.long_term_rate if term == LONG else options.short_term_rate
        return f"realizes a {word}gain of {ctx.money(gain)} (about {ctx.money(gain * rate)} tax)"
    if gain < 0:
        return f"realizes a {word}loss of {ctx.money(-gain)}"
    return "realizes no gain"


def _wash_words(wash: WashSale, ctx: Context) -> str:
    fate = ("added to the basis of those shares" if wash.status == TAXABLE
            else f"lost for good, as they are in a {wash.status} account")
    return (f"wash sale: {units_text(wash.units)} {wash.commodity} bought {wash.date} in {wash.account} "
            f"disallow {ctx.money(wash.disallowed)} of the loss ({fate})")


def sell_trade(option: SellOption, units: Decimal, draft: Draft, washes: tuple[WashSale, ...],
               ctx: Context) -> Trade:
    """A sell with its lots (taxable accounts), gain, term and reason."""
    taxable = option.status == TAXABLE
    lots = lot_sales(draft.lots.get(option.key, [])) if taxable else ()
    gain = sum((lot.gain for lot in lots), ZERO)
    term = _term(lots) if taxable else None
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
    parts.append(_tax_words(option, gain, term, ctx))
    if taxable and any(f.basis is None for f, _ in draft.lots.get(option.key, [])):
        parts.append("the ledger has no cost for some of these units: their gain is taken as 0")
    parts.extend(_wash_words(w, ctx) for w in washes)
    return Trade(option.holding.account, option.trading_account, option.status, SELL,
                 option.holding.commodity, units, option.price, units * option.price, lots, gain,
                 term, washes, "; ".join(parts))


def buy_trade(option: BuyOption, units: Decimal, funded_by_sales: bool, replaces: Sequence[str],
              ctx: Context) -> Trade:
    """A buy with its reason (which category, paid with what)."""
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
    status = ctx.household.account(option.trading_account).status
    return Trade(option.account, option.trading_account, status, BUY, option.commodity, units,
                 option.price, units * option.price, (), ZERO, None, (), "; ".join(parts))


def orders(draft: Draft, washes: Mapping[int, tuple[WashSale, ...]], ctx: Context) -> tuple[Trade, ...]:
    """Every order, account by account, sells first (biggest first), then buys."""
    h = ctx.household
    trades: list[Trade] = []
    sold_at_loss: dict[tuple[str, str], list[str]] = {}
    for key, units in draft.sells.items():
        option = h.sells[key]
        trade = sell_trade(option, units, draft, washes.get(key, ()), ctx)
        trades.append(trade)
        if trade.gain < 0:
            for category in option.fractions:
                sold_at_loss.setdefault((option.trading_account, category), []).append(trade.commodity)
    selling = {t.trading_account for t in trades}
    for key, units in draft.buys.items():
        buy = h.buys[key]
        replaced = sorted(set(sold_at_loss.get((buy.trading_account, buy.category), [])))
        trades.append(buy_trade(buy, units, buy.trading_account in selling, replaced, ctx))
    return tuple(sorted(trades, key=lambda t: (t.trading_account, t.action != SELL, -t.amount,
                                               t.account, t.commodity)))


def tax_summary(trades: Sequence[Trade], options: Options, costs: Decimal) -> TaxSummary:
    """Realized short- and long-term gains (after wash-sale disallowance) and the estimate."""
    short = long = disallowed = ZERO
    for trade in trades:
        for lot in trade.lots:
            if lot.term == LONG:
                long += lot.gain
            else:
                short += lot.gain
        for wash in trade.washes:
            disallowed += wash.disallowed
            if wash.term == LONG:
                long += wash.disallowed
            else:
                short += wash.disallowed
    return TaxSummary(short, long, estimated_tax(short, long, options), disallowed, costs,
                      options.short_term_rate, options.long_term_rate)
