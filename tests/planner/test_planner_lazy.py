"""Optimal lazy rebalancing: the published check, its mirror image, caps and 0% targets.

The published check is hoostus/lazy_rebalance's doctest of Albert H. Mao's calculator:
Bonds 20% $16,500, TIPS 10% $6,500, US 40% $43,500, Intl 30% $33,500; a $5,000 deposit
buys TIPS $2,833.33 and Bonds $2,166.67.
"""

from __future__ import annotations

from decimal import Decimal

from planner_support import after, orders, plan_of

from fava_rebalance.planner.lazy import Slot, deposit, withdrawal

D = Decimal
HOLDINGS = {"Bonds": (D(16500), D(20)), "TIPS": (D(6500), D(10)), "US": (D(43500), D(40)),
            "Intl": (D(33500), D(30))}


def slots(flow: Decimal) -> dict[str, Slot]:
    total = sum(value for value, _ in HOLDINGS.values()) + flow
    return {name: Slot(value, total * pct / 100) for name, (value, pct) in HOLDINGS.items()}


def test_published_deposit_check() -> None:
    # Total after 105,000: target values Bonds 21,000, TIPS 10,500, US 42,000, Intl 31,500.
    # Deviations: TIPS 6,500/10,500 − 1 = −8/21, Bonds 16,500/21,000 − 1 = −3/14.
    # TIPS up to Bonds' level: 10,500 × (−3/14 + 8/21) = 1,750; 3,250 left.
    # Both together (weights 10,500 + 21,000 = 31,500): level rises by 3,250/31,500 to −1/9,
    # below US (+1/28), so the money runs out there:
    # TIPS 1,750 + 10,500 × 3,250/31,500 = 8,500/3; Bonds 21,000 × 3,250/31,500 = 6,500/3.
    shares = deposit(slots(D(5000)), D(5000))
    assert abs(shares["TIPS"] - D(8500) / 3) < D("1e-20")
    assert abs(shares["Bonds"] - D(6500) / 3) < D("1e-20")
    assert (shares["US"], shares["Intl"]) == (0, 0)
    assert shares["TIPS"].quantize(D("0.01")) == D("2833.33")
    assert shares["Bonds"].quantize(D("0.01")) == D("2166.67")
    assert sum(shares.values()) == D(5000)


def test_withdrawal_is_the_mirror_image() -> None:
    # Total after 95,000: targets Bonds 19,000, TIPS 9,500, US 38,000, Intl 28,500.
    # Deviations: Intl 33,500/28,500 − 1 = 10/57 (highest), US 43,500/38,000 − 1 = 11/76.
    # Intl down to US's level: 33,500 − 28,500 × 43,500/38,000 = 33,500 − 32,625 = 875.
    # The other 4,125 from both in proportion 38,000 : 28,500 = 4 : 3:
    # US 4,125 × 4/7 = 2,357.142857…, Intl 875 + 4,125 × 3/7 = 2,642.857142…
    shares = withdrawal(slots(D(-5000)), D(5000))
    assert abs(shares["US"] - D(16500) / 7) < D("1e-20")
    assert abs(shares["Intl"] - (D(875) + D(12375) / 7)) < D("1e-20")
    assert (shares["Bonds"], shares["TIPS"]) == (0, 0)
    assert sum(shares.values()) == D(5000)


def test_caps_pass_the_money_on() -> None:
    # TIPS can take only 1,000 (nothing else of it can be bought there): the other 4,000 go
    # to Bonds (the next lowest) until it ties with US... it does not reach US (4,000 < 21,000
    # × (1/28 + 3/14)), so Bonds gets all 4,000.
    capped = {**slots(D(5000)), "TIPS": Slot(D(6500), D(10500), D(1000))}
    shares = deposit(capped, D(5000))
    assert shares["TIPS"] == D(1000)
    assert abs(shares["Bonds"] - D(4000)) < D("1e-20")
    # A category that cannot buy anything (cap 0) gets nothing.
    shut = {**slots(D(5000)), "TIPS": Slot(D(6500), D(10500), D(0))}
    assert deposit(shut, D(5000))["TIPS"] == 0


def test_zero_targets() -> None:
    # A 0% category never receives a deposit and is emptied first by a withdrawal.
    s = {"Old": Slot(D(300), D(0)), "New": Slot(D(700), D(1000))}
    assert deposit(s, D(100)) == {"Old": 0, "New": D(100)}
    taken = withdrawal({"Old": Slot(D(300), D(0)), "New": Slot(D(700), D(500))}, D(400))
    assert taken == {"Old": D(300), "New": D(100)}


# The published check as a ledger: four $10 funds (fractional) in one taxable account.
LEDGER = """
    option "operating_currency" "USD"
    2020-01-01 commodity BOND
      asset-class: "Bonds"
      fractional: TRUE
    2020-01-01 commodity TIP
      asset-class: "TIPS"
      fractional: TRUE
    2020-01-01 commodity USF
      asset-class: "US"
      fractional: TRUE
    2020-01-01 commodity INTL
      asset-class: "Intl"
      fractional: TRUE
    2020-01-01 open Assets:Invest:Taxable
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Bonds" 20
    2024-01-01 custom "rebalance-target" "TIPS" 10
    2024-01-01 custom "rebalance-target" "US" 40
    2024-01-01 custom "rebalance-target" "Intl" 30
    2024-01-01 custom "rebalance-option" "band" 5
    2023-01-10 * "buy"
      Assets:Invest:Taxable  1650 BOND {8 USD}
      Assets:Invest:Taxable   650 TIP {8 USD}
      Assets:Invest:Taxable  4350 USF {8 USD}
      Assets:Invest:Taxable  3350 INTL {8 USD}
      Equity:Opening
    2026-11-19 price BOND 10 USD
    2026-11-19 price TIP 10 USD
    2026-11-19 price USF 10 USD
    2026-11-19 price INTL 10 USD
"""


def test_deposit_plan_buys_the_published_amounts() -> None:
    result, _ = plan_of(LEDGER, "2026-11-20", "5000")
    assert (result.mode, result.cash_account) == ("deposit", "Assets:Invest:Taxable")
    # The published 2,833.33 and 2,166.67, each within one quantum (0.001 unit of a 10 USD
    # fund: 0.01 USD; which way a unit rounds is the solver's tie-break), 5,000.00 in all.
    assert [(account, action, commodity) for account, action, commodity, _, _ in orders(result)] == [
        ("Assets:Invest:Taxable", "buy", "TIP"), ("Assets:Invest:Taxable", "buy", "BOND")]
    bought = {t.commodity: t.amount for t in result.trades}
    assert abs(bought["TIP"] - D("2833.33")) <= D("0.01")
    assert abs(bought["BOND"] - D("2166.67")) <= D("0.01")
    assert sum(bought.values()) == D(5000)
    # After (of 105,000): Bonds 18,666.67 = 17.78%, TIPS 9,333.33 = 8.89%, US 41.43%, Intl 31.90%.
    assert after(result) == {"Bonds": "17.78", "TIPS": "8.89", "US": "41.43", "Intl": "31.90"}
    assert result.tax.estimated_tax == 0
    assert result.accounts[0].cash_after == 0


def test_withdrawal_plan_sells_the_mirror_amounts() -> None:
    result, _ = plan_of(LEDGER, "2026-11-20", "-5000")
    assert result.mode == "withdrawal"
    # US 16,500 / 7 = 2,357.14… and Intl 2,642.86… (test_withdrawal_is_the_mirror_image),
    # each within one quantum (0.01 USD); 5,000.00 raised exactly.
    sold = {t.commodity: t.amount for t in result.trades if t.action == "sell"}
    assert len(sold) == len(result.trades) == 2
    assert abs(sold["USF"] - D(16500) / 7) <= D("0.01")
    assert abs(sold["INTL"] - (D(875) + D(12375) / 7)) <= D("0.01")
    assert sum(sold.values()) == D(5000)
    # Every unit was bought at 8 on 2023-01-10: a long-term gain of 2 a unit on 500.000 units.
    assert result.tax.long_term_gain == D(1000)
    assert result.tax.short_term_gain == 0
    assert result.tax.estimated_tax == D(150)  # 15% of 1,000
    assert all(t.term == "long" and len(t.lots) == 1 for t in result.trades)
    # The break-even: without taxable sales the withdrawal still needs these same sales, a
    # column that would only repeat the plan, so there is none. Raising the cash alone
    # costs the same 150 (every unit carries the same gain of 2), with more drift.
    assert [(a.kind, a.estimated_tax) for a in result.alternatives] == [("raise_cash_only", D(150))]
    # After (of 95,000): US 41,142.86 = 43.31%, Intl 30,857.14 = 32.48%, Bonds 17.37%, TIPS 6.84%.
    assert after(result) == {"Bonds": "17.37", "TIPS": "6.84", "US": "43.31", "Intl": "32.48"}
    assert result.accounts[0].cash_after == 0


def test_plan_refuses_cash_beyond_the_optimisers_range() -> None:
    # plan() itself, not only the CLI and the tab, refuses what its floats cannot hold
    # (limits.MAX_CASH = 10^15); 1e999999 overflowed Decimal's arithmetic before.
    for cash in ("1e999999", "-1e999999", "1e15"):
        result, _ = plan_of(LEDGER, "2026-11-20", cash)
        assert [e.message for e in result.errors] == [
            f"the cash amount {Decimal(cash)} is beyond the planner's range: a deposit or a withdrawal "
            "must be less than 1,000,000,000,000,000"]
        assert result.trades == ()
