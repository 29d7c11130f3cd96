"""The household as the planner sees it: trading accounts, their cash, what each may sell and buy.

A holding's trading account is ``Declarations.trading_account`` (the nearest account with a
``tax-status``, else the parent of the account holding it); money never moves between
trading accounts. Cash is the reporting currency held in an account; it can be spent in its
trading account unless ``rebalance-sell: FALSE`` covers it.

What may be sold: a priced holding (not cash, not an operating currency) that counts toward
at least one targeted category, unless ``rebalance-sell: FALSE``; one booked without lots
(``NONE``) or holding lots of both signs is sold as its net position (``netposition``), and
a net short position is never added to. What may be bought for a
category in a trading account: a commodity wholly in that category with a price, never one
with ``rebalance-buy: FALSE``, and, where ``open`` directives at or under the trading account
list currencies, only those, and never where the order would go to an account holding it
short (covering a short sale realizes a gain or loss the planner does not estimate).
Preference (``tier``): held in that account, held elsewhere, not held at all; outside taxable
accounts only the best tier present (per category) and the next are offered.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from fava_rebalance.core.categories import is_within
from fava_rebalance.core.declarations import Declarations, Settings
from fava_rebalance.core.options import Options
from fava_rebalance.core.recent import Purchase
from fava_rebalance.core.valuation import Holding
from fava_rebalance.planner.lots import LotFact, lot_facts
from fava_rebalance.planner.netposition import NetPosition, net_position, sold_as_net
from fava_rebalance.planner.regime import Regime
from fava_rebalance.planner.washsale import replacements

ZERO = Decimal(0)
ONE = Decimal(1)
MIN_FRACTION_PLACES = 3
HELD_HERE, HELD_ELSEWHERE, NOT_HELD = 0, 1, 2
NO_PRICE, SHORT_POSITION = "no price", "net short"

PriceLookup = Callable[[str], Decimal | None]


@dataclass(frozen=True)
class Category:
    """A targeted category: value now, target percent and band (percentage points)."""

    name: str
    value: Decimal
    target: Decimal
    band: Decimal


@dataclass(frozen=True)
class SellOption:
    """A holding the plan may sell (in whole units of ``quantum``).

    ``booking`` is how the ledger books its account; ``net`` is set when it is sold as a net
    position (``netposition``): ``lots`` are then that position's shares, oldest first, all
    at its average cost, and a sale takes them in that order.

    ``taxed``: the tax rules in force tax a sale here (a taxable account, any rules but
    none). ``ordered``: the rules fix the order the ``lots`` are sold in (uk, ca, de: the
    regime's tranches, ACB or oldest lots, ``Regime.book``); only ``us`` picks lots.
    """

    key: int
    holding: Holding
    trading_account: str
    status: str
    price: Decimal
    quantum: Decimal
    fractions: Mapping[str, Decimal]
    lots: tuple[LotFact, ...]
    booking: str = "STRICT"
    net: NetPosition | None = None
    taxed: bool = False
    ordered: bool = False

    @property
    def in_order(self) -> bool:
        """True when the lots must be sold in their own order (a net position, or the rules fix it)."""
        return self.net is not None or self.ordered

    @cached_property
    def max_units(self) -> Decimal:
        """Units held (the lots' total)."""
        return sum((f.units for f in self.lots), ZERO)


@dataclass(frozen=True)
class Untradable:
    """A holding in a targeted category the planner does not trade, and why.

    ``cause``: ``NO_PRICE`` (valued at cost: nothing to sell at) or ``SHORT_POSITION`` (net
    units below 0: selling would add to the short, buying would cover it).
    """

    holding: Holding
    cause: str


@dataclass(frozen=True)
class BuyOption:
    """A commodity the plan may buy in a trading account, for one category.

    ``booking`` is how the ledger books ``account``, where the order goes.
    """

    key: int
    trading_account: str
    account: str
    commodity: str
    price: Decimal
    quantum: Decimal
    category: str
    tier: int
    booking: str = "STRICT"


@dataclass(frozen=True)
class CashPot:
    """Cash (the reporting currency) held in one account."""

    key: int
    account: str
    trading_account: str
    amount: Decimal
    fractions: Mapping[str, Decimal]
    spendable: bool


@dataclass(frozen=True)
class TradingAccount:
    """Where money stays: its tax status, its cash, and where new cash lands (``sink``)."""

    name: str
    status: str
    cash: Decimal
    spendable: Decimal
    sink: str
    sink_fractions: Mapping[str, Decimal]
    value: Decimal = ZERO


@dataclass(frozen=True)
class Household:
    """Everything the optimiser needs, built once per report."""

    date: datetime.date
    currency: str
    total: Decimal
    options: Options
    categories: tuple[Category, ...]
    accounts: Mapping[str, TradingAccount]
    sells: tuple[SellOption, ...]
    buys: tuple[BuyOption, ...]
    pots: tuple[CashPot, ...]
    untradable: tuple[Untradable, ...]
    regime: Regime = field(default_factory=Regime)

    def account(self, name: str) -> TradingAccount:
        """The trading account ``name``."""
        return self.accounts[name]


def places(number: Decimal) -> int:
    """Decimal places of ``number`` as written (``1.250`` has 3)."""
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class _Builder:
    def __init__(self, holdings: tuple[Holding, ...], declarations: Declarations, settings: Settings,
                 currency: str, quote: PriceLookup | None) -> None:
        self.holdings = holdings
        self.declarations = declarations
        self.settings = settings
        self.currency = currency
        self.quote = quote
        self.operating = set(declarations.operating_currencies) | {currency}
        self._fractions: dict[tuple[str, str], dict[str, Decimal]] = {}
        self._quanta: dict[str, Decimal] = {}

    def fractions(self, account: str, commodity: str) -> dict[str, Decimal]:
        """Targeted category → fraction of a holding of ``commodity`` in ``account``."""
        key = (account, commodity)
        if key not in self._fractions:
            found: dict[str, Decimal] = {}
            for share in self.declarations.category_of(account, commodity) or ():
                row = self.settings.target_for(share.category)
                if row is not None:
                    found[row] = found.get(row, ZERO) + share.fraction
            self._fractions[key] = found
        return self._fractions[key]

    def home(self, trading: str) -> str:
        """Where an order or new cash lands in ``trading`` when nothing else says where.

        The trading account itself; but when it is another portfolio's (this portfolio's
        accounts are sub-accounts of it), this portfolio's account in it that holds the most,
        so that a plan never trades another portfolio's accounts.
        """
        if self.declarations.portfolio_of(trading) == self.settings.portfolio:
            return trading
        mine = [h for h in self.holdings if is_within(h.account, trading)]
        return max(mine, key=lambda h: (h.value, h.account)).account if mine else trading

    def quantum(self, commodity: str) -> Decimal:
        """Smallest tradable amount: 1, or for ``fractional: TRUE`` the ledger's finest decimal."""
        if commodity not in self.declarations.fractional:
            return ONE
        if commodity not in self._quanta:
            digits = MIN_FRACTION_PLACES
            for h in self.holdings:
                if h.commodity == commodity:
                    digits = max(digits, places(h.units), *(places(lot.units) for lot in h.lots))
            self._quanta[commodity] = Decimal(1).scaleb(-digits)
        return self._quanta[commodity]


def build_household(
    holdings: tuple[Holding, ...],
    declarations: Declarations,
    settings: Settings,
    categories: tuple[Category, ...],
    total: Decimal,
    quote: PriceLookup | None = None,
    extra_accounts: tuple[str, ...] = (),
    purchases: Sequence[Purchase] = (),
    regime: Regime | None = None,
) -> Household:
    """The household of ``holdings`` (from a report) as of ``settings.date``.

    ``purchases``: the acquisitions in the wash-sale window (``Report.purchases``), which
    set each loss lot's ``covered`` units in taxable accounts. ``regime``: the tax rules
    (default: us); under uk, ca and de a taxable holding's lots are the regime's
    (``Regime.book``), sold in their order.
    """
    regime = regime if regime is not None else Regime()
    options = settings.options
    currency = options.currency
    b = _Builder(holdings, declarations, settings, currency, quote)
    trading = {h.account: declarations.trading_account(h.account) for h in holdings}
    names = sorted({*trading.values(), *extra_accounts})

    pots: list[CashPot] = []
    sells: list[SellOption] = []
    untradable: list[Untradable] = []
    for h in holdings:
        fractions = b.fractions(h.account, h.commodity)
        if h.commodity == currency:
            pots.append(CashPot(len(pots), h.account, trading[h.account], h.units, fractions,
                                declarations.can_sell(h.account, h.commodity)))
            continue
        if not fractions or h.commodity in b.operating:
            continue
        if h.basis != "price" or h.price is None or h.price <= 0:
            untradable.append(Untradable(h, NO_PRICE))
            continue
        if h.units < 0:
            untradable.append(Untradable(h, SHORT_POSITION))
            continue
        if not declarations.can_sell(h.account, h.commodity):
            continue
        booking = declarations.booking_of(h.account)
        net: NetPosition | None = None
        if sold_as_net(booking, h.lots):
            net, facts = net_position(h.lots, booking, h.price, settings.date, options, h.cost_rate)
        else:
            facts = lot_facts(h.lots, h.price, settings.date, options, h.cost_rate)
        status = declarations.tax_status_of(h.account)
        taxed = regime.taxed(status)
        ordered = taxed and regime.book is not None
        if ordered and regime.book is not None:
            facts = regime.book.facts(h.account, h.commodity, h.units, h.price,
                                      regime.rate * regime.factor(h.commodity))
        elif taxed and regime.picks_lots and purchases:
            facts = tuple(
                replace(f, covered=min(f.units, replacements(purchases, h.account, h.commodity, f.bought,
                                                             declarations.identical_to)))
                if f.is_loss else f
                for f in facts)
        sells.append(SellOption(len(sells), h, trading[h.account], status, h.price,
                                b.quantum(h.commodity), fractions, facts, booking, net, taxed, ordered))

    accounts = {}
    for name in names:
        own = [p for p in pots if p.trading_account == name]
        spendable = [p for p in own if p.spendable]
        sink = max(spendable, key=lambda p: (p.amount, p.account)).account if spendable else b.home(name)
        value = sum((h.value for h in holdings if trading[h.account] == name), ZERO)
        accounts[name] = TradingAccount(
            name, declarations.tax_status_of(name), sum((p.amount for p in own), ZERO),
            sum((p.amount for p in spendable), ZERO), sink, b.fractions(sink, currency), value)

    buys = _buy_options(b, holdings, trading, names)
    return Household(settings.date, currency, total, options, categories, accounts,
                     tuple(sells), tuple(buys), tuple(pots), tuple(untradable), regime)


def _buy_options(
    b: _Builder, holdings: tuple[Holding, ...], trading: Mapping[str, str], names: list[str]
) -> list[BuyOption]:
    declarations = b.declarations
    prices: dict[str, Decimal] = {}
    for h in holdings:
        if h.basis == "price" and h.price is not None and h.price > 0 and h.commodity not in b.operating:
            prices.setdefault(h.commodity, h.price)
    listed = {c for o in declarations.opens.values() for c in (o.currencies or ())}
    if b.quote is not None:
        for commodity in sorted({*declarations.commodity_classes, *listed} - set(prices) - b.operating):
            price = b.quote(commodity)
            if price is not None and price > 0:
                prices[commodity] = price
    found: list[BuyOption] = []
    for name in names:
        held_here: dict[str, Holding] = {}
        for h in holdings:
            if trading[h.account] == name and h.commodity in prices:
                best = held_here.get(h.commodity)
                if best is None or (h.units, h.account) > (best.units, best.account):
                    held_here[h.commodity] = h
        opens = sorted(
            (acct, o) for acct, o in declarations.opens.items()
            if is_within(acct, name) and o.currencies and b.settings.in_portfolio(acct)
        )
        constrained = bool(opens)
        taxable_here = declarations.tax_status_of(name) == "taxable"
        for commodity in sorted(prices):
            if commodity in declarations.no_buy_commodities:
                continue
            if taxable_here and commodity in declarations.no_buy_taxable:
                continue
            if commodity in held_here:
                if held_here[commodity].units < 0:  # held only short here: a buy would cover it
                    continue
                account, tier = held_here[commodity].account, HELD_HERE
            else:
                listing = [acct for acct, o in opens if commodity in (o.currencies or ())]
                if constrained and not listing:
                    continue
                account = listing[0] if listing else b.home(name)
                held = any(h.commodity == commodity for h in holdings)
                tier = HELD_ELSEWHERE if held else NOT_HELD
            fractions = b.fractions(account, commodity)
            if len(fractions) != 1 or next(iter(fractions.values())) != ONE:
                continue
            category = next(iter(fractions))
            found.append(BuyOption(0, name, account, commodity, prices[commodity],
                                   b.quantum(commodity), category, tier, declarations.booking_of(account)))
    return _preferred(found, {n for n in names if declarations.tax_status_of(n) == "taxable"})


def _preferred(found: list[BuyOption], taxable: set[str]) -> list[BuyOption]:
    """Per trading account and category, the best tier present and the next one.

    The next tier stays so that the plan has another commodity of the class to buy where
    the preferred one is barred (a wash sale); taxable accounts keep every tier, as any
    commodity of the class may replace a loss harvested there.
    """
    best: dict[tuple[str, str], int] = {}
    for option in found:
        place = (option.trading_account, option.category)
        best[place] = min(best.get(place, option.tier), option.tier)
    kept = [o for o in found if o.trading_account in taxable
            or o.tier <= best[(o.trading_account, o.category)] + 1]
    return [replace(o, key=i) for i, o in enumerate(kept)]
