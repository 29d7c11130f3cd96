"""Properties of every plan, over random households (hypothesis).

A household: one to three accounts (taxable, tax-deferred, tax-free, or no status at all),
two or three categories with targets, a few commodities (some fractional, some that may not
be sold or bought, some substantially identical), lots bought at random costs on dates that
make short- and long-term gains and losses and recent purchases, cash, random options, and
no cash flow, a deposit or a withdrawal. Whatever comes out:

- no sell exceeds what is held, lot by lot; units are whole unless ``fractional``;
- no account spends cash it lacks (money never moves between trading accounts);
- within each account sells come first; never a buy and a sell of one commodity in one account;
- no trade below ``min-trade``; nothing sold that may not be sold, nothing bought that may not be;
- a deposit never sells and a withdrawal never buys, unless a band forces a full rebalance;
- afterwards every category is at target or within its band, give or take one unit's
  rounding (the dearest unit, at most 1% of the total), or a warning says why not;
- nothing sold at a loss in a taxable account is bought anywhere (nor a substantially
  identical commodity).

The same rules are checked with the path for large households forced on (the relaxation
choosing the candidates, then whole orders).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from unittest.mock import patch

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from planner_support import load

from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.pipeline import analyse
from fava_rebalance.planner import CashFlow, Plan, optimize, plan

AS_OF = datetime.date(2026, 11, 20)
DATES = ["2022-02-01", "2025-06-15", "2026-10-25", "2026-11-10"]  # long, short, recent, recent
NAMES = ["AAA", "BBB", "CCC", "DDD", "EEE"]
STATUSES = ["taxable", "tax-deferred", "tax-free", None]


@dataclass(frozen=True)
class Household:
    text: str
    cash: CashFlow | None
    fractional: frozenset[str]
    prices: dict[str, Decimal]
    categories: dict[str, str]


@st.composite
def households(draw: st.DrawFn, lazy: bool = False) -> Household:
    """A random household; ``lazy``: a wide band and always a deposit or a withdrawal."""
    n_categories = draw(st.integers(2, 3))
    categories = ["Stocks", "Bonds", "Gold"][:n_categories]
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n_categories - 1, max_size=n_categories - 1)))
    targets = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    names = NAMES[: draw(st.integers(n_categories, len(NAMES)))]
    home = {name: categories[i % n_categories] for i, name in enumerate(names)}
    prices = {name: Decimal(draw(st.integers(5, 300))) for name in names}
    fractional = frozenset(n for n in names if draw(st.booleans()) and draw(st.booleans()))
    no_sell = draw(st.sampled_from([None, *names])) if draw(st.integers(0, 5)) == 0 else None
    no_buy = draw(st.sampled_from([None, *names])) if draw(st.integers(0, 5)) == 0 else None
    twin = draw(st.sampled_from([None, *names[1:]])) if draw(st.booleans()) else None
    lines = ['option "operating_currency" "USD"', "2020-01-01 open Equity:Opening"]
    for name in names:
        lines += [f"2020-01-01 commodity {name}", f'  asset-class: "{home[name]}"']
        if name in fractional:
            lines.append("  fractional: TRUE")
        if name == no_sell:
            lines.append("  rebalance-sell: FALSE")
        if name == no_buy:
            lines.append("  rebalance-buy: FALSE")
        if name == twin and twin != names[0] and home[twin] == home[names[0]]:
            lines.append(f'  substantially-identical: "{names[0]}"')
    accounts = [f"Assets:A{i}" for i in range(draw(st.integers(1, 3)))]
    for account in accounts:
        status = draw(st.sampled_from(STATUSES))
        lines.append(f"2020-01-01 open {account}")
        if status:
            lines.append(f'  tax-status: "{status}"')
    for category, pct in zip(categories, targets, strict=True):
        lines.append(f'2024-01-01 custom "rebalance-target" "{category}" {pct}')
    band = 60 if lazy else draw(st.sampled_from([0, 3, 8, 60]))
    lines.append(f'2024-01-01 custom "rebalance-option" "band" {band}')
    lines.append(f'2024-01-01 custom "rebalance-option" "min-trade" {draw(st.sampled_from([1, 50, 200]))}')
    lines.append(f'2024-01-01 custom "rebalance-option" "trade-cost" {draw(st.sampled_from([0, 0, 5]))}')
    if draw(st.booleans()):
        lines.append('2024-01-01 custom "rebalance-option" "harvest" FALSE')
    postings: dict[str, list[str]] = defaultdict(list)
    for account in accounts:
        cash = draw(st.sampled_from([0, 0, 250, 3000]))
        if cash:
            postings[DATES[0]].append(f"  {account}  {cash} USD")
        for name in names:
            if not draw(st.booleans()):
                continue
            for _ in range(draw(st.integers(1, 2))):
                units = Decimal(draw(st.integers(1, 80)))
                if name in fractional and draw(st.booleans()):
                    units += Decimal(draw(st.integers(1, 999))) / 1000
                cost = Decimal(draw(st.integers(3, 400)))
                postings[draw(st.sampled_from(DATES))].append(f"  {account}  {units} {name} {{{cost} USD}}")
    for date in sorted(postings):
        lines += [f'{date} * "buy"', *postings[date], "  Equity:Opening"]
    for name in names:
        lines.append(f"2026-11-19 price {name} {prices[name]} USD")
    kinds = ["deposit", "withdrawal"] if lazy else ["none", "none", "deposit", "withdrawal"]
    kind = draw(st.sampled_from(kinds))
    flow = None
    if kind == "deposit":
        flow = CashFlow(Decimal(draw(st.integers(100, 20000))))
    elif kind == "withdrawal":
        flow = CashFlow(-Decimal(draw(st.integers(50, 3000))))
    return Household("\n".join(lines) + "\n", flow, fractional, prices, home)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_every_plan_keeps_the_rules(house: Household) -> None:
    check_rules(house)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(lazy=True))
def test_lazy_deposits_and_withdrawals(house: Household) -> None:
    result = check_rules(house)
    assert house.cash is not None
    if result is None or result.mode == "rebalance":
        return
    # Only the named (default) account trades: buys with at most the deposit, or sells.
    assert {t.trading_account for t in result.trades} <= {result.cash_account}
    spent = sum((t.amount for t in result.trades if t.action == "buy"), Decimal(0))
    assert spent <= max(house.cash.amount, Decimal(0))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_large_household_path_keeps_the_rules(house: Household) -> None:
    # Households above optimize.EXACT_LIMIT integers are solved in two steps: both phases
    # relaxed, then whole orders among the relaxation's trades, unit counts continuous and
    # rounded by trades.py. Forced here on small households, the same rules must hold.
    with patch.object(optimize, "EXACT_LIMIT", -1):
        check_rules(house)


def check_rules(house: Household) -> Plan | None:
    """Check every rule on the plan of ``house``; the plan, or ``None`` when refused."""
    ledger = load(house.text)
    declarations = ledger.declarations
    report = analyse(ledger, AS_OF)
    result = plan(report, declarations, house.cash)
    if result.errors:  # a withdrawal an account cannot raise; a first deposit with nowhere to go
        event("cash flow refused")
        assert house.cash is not None
        for error in result.errors:
            if house.cash.amount < 0:
                assert "withdrawal" in error.message or "raise" in error.message
            else:
                assert report.total == 0
                assert "no account to put the cash in" in error.message
        return None
    event(f"mode {result.mode}, {'with' if result.trades else 'no'} trades")
    if any(t.washes for t in result.trades):
        event("a wash sale explained")
    if any(lot.gain < 0 for t in result.trades for lot in t.lots):
        event("a taxable loss sold")
    options = report.settings.options
    held = {(h.account, h.commodity): h for h in report.holdings}
    trading = declarations.trading_account
    flows = ({result.cash_account: house.cash.amount}
             if house.cash is not None and result.cash_account is not None else {})

    money: dict[str, Decimal] = defaultdict(Decimal)
    for h in report.holdings:
        if h.commodity == "USD" and declarations.can_sell(h.account, "USD"):
            money[trading(h.account)] += h.units
    for account, amount in flows.items():
        money[account] += amount
    seen_buy: set[str] = set()
    actions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for t in result.trades:
        assert t.trading_account == trading(t.account) or t.trading_account == t.account
        assert t.amount == t.units * t.price
        assert t.units > 0
        assert t.amount >= options.min_trade
        if t.commodity not in house.fractional:
            assert t.units == t.units.to_integral_value()
        actions[t.trading_account].add((t.action, t.commodity))
        if t.action == "sell":
            assert t.trading_account not in seen_buy, "a sell after a buy in the same account"
            holding = held[(t.account, t.commodity)]
            assert t.units <= holding.units
            assert declarations.can_sell(t.account, t.commodity)
            if t.tax_status == "taxable":
                assert sum((lot.units for lot in t.lots), Decimal(0)) == t.units
                for lot in t.lots:
                    owned = sum((x.units for x in holding.lots if x.date == lot.date and x.cost == lot.cost),
                                Decimal(0))
                    assert lot.units <= owned
            money[t.trading_account] += t.amount - options.trade_cost
        else:
            seen_buy.add(t.trading_account)
            assert t.commodity not in declarations.no_buy_commodities
            money[t.trading_account] -= t.amount + options.trade_cost
    for account, left in money.items():
        assert left >= 0, f"{account} spends {-left} it does not have"
    for account_actions in actions.values():
        sold = {c for a, c in account_actions if a == "sell"}
        bought = {c for a, c in account_actions if a == "buy"}
        assert not sold & bought
    for total in result.accounts:
        assert total.cash_after == total.cash_before + total.flow + total.sold - total.bought - total.costs

    if house.cash is not None and result.mode != "rebalance":
        if house.cash.amount > 0:
            assert all(t.action == "buy" for t in result.trades), "a deposit sold"
        else:
            assert all(t.action == "sell" for t in result.trades), "a withdrawal bought"
    if result.mode == "rebalance" and house.cash is not None:
        assert any("alone a category would still be outside its band" in w for w in result.warnings)

    for t in result.trades:
        if t.action == "sell" and t.tax_status == "taxable" and any(lot.gain < 0 for lot in t.lots):
            twins = declarations.identical_to(t.commodity)
            assert not any(b.action == "buy" and b.commodity in twins for b in result.trades)
            assert any(f"{t.commodity} is sold at a loss" in w for w in result.warnings)

    total = result.total_after
    for row in result.after:
        if total <= 0:
            break
        off = abs(row.target * total / HUNDRED - row.value)
        band = row.band * total / HUNDRED
        # One unit's rounding, as phase two may give it up: the dearest unit there is, at most
        # 1% of the total, plus phase one's tolerance of one currency unit.
        unit = min(max(house.prices.values()), total / 100) + 1
        if off <= band + unit or off < options.min_trade:
            continue
        assert any(w.startswith(f"{row.category} stays outside its band") for w in result.warnings), (
            row, result.warnings)
    return result
