"""Hand-worked plans: three kinds of account, lot choice, wash sales, harvesting, no-sell.

Every expected figure is worked out in the comments from the ledger above it.
"""

from __future__ import annotations

from decimal import Decimal

from planner_support import after, orders, plan_of, trade

from fava_rebalance.core.formatting import grouped
from fava_rebalance.views.moves_vs_plan import compare

D = Decimal
HEAD = """
    option "operating_currency" "USD"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 commodity ITOT
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Assets:IRA
      tax-status: "ira"
    2020-01-01 open Assets:Roth
      tax-status: "roth"
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 50
    2024-01-01 custom "rebalance-target" "Bonds" 50
    2024-01-01 custom "rebalance-option" "band" 5
"""

# Taxable 100 VTI bought at 150 (a 5,000 gain at 200), IRA 25 VTI, Roth 25 VTI + 100 BND.
THREE = HEAD + """
    2023-01-10 * "buy"
      Assets:Taxable  100 VTI {150 USD}
      Assets:IRA       25 VTI {100 USD}
      Assets:Roth      25 VTI {100 USD}
      Assets:Roth     100 BND {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
"""


def test_three_accounts_trade_where_it_costs_no_tax() -> None:
    # Total 30,000 Equities + 10,000 Bonds = 40,000; targets 20,000 each: sell 10,000 of
    # Equities, buy 10,000 of Bonds. The IRA (tax-deferred) and the Roth (tax-free) hold
    # 25 VTI each = 5,000 + 5,000: exactly enough, at no tax. Each buys BND with its own
    # proceeds: 5,000 / 100 = 50 BND. The taxable account (a 50-a-unit gain) is left alone.
    result, _ = plan_of(THREE, "2026-11-20")
    assert result.mode == "rebalance"
    assert orders(result) == [
        ("Assets:IRA", "sell", "VTI", "25", "5000.00"),
        ("Assets:IRA", "buy", "BND", "50", "5000.00"),
        ("Assets:Roth", "sell", "VTI", "25", "5000.00"),
        ("Assets:Roth", "buy", "BND", "50", "5000.00"),
    ]
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}
    assert result.tax.estimated_tax == 0
    assert "tax-deferred account: no tax" in trade(result, "Assets:IRA", "VTI").reason
    assert "tax-free account: no tax" in trade(result, "Assets:Roth", "VTI").reason
    assert [(a.account, a.sold, a.bought, a.cash_after) for a in result.accounts] == [
        ("Assets:IRA", D(5000), D(5000), 0), ("Assets:Roth", D(5000), D(5000), 0)]


def test_taxable_sale_when_the_others_run_out_and_the_break_even() -> None:
    # Roth without its VTI: total 35,000 (Equities 25,000, Bonds 10,000); targets 17,500.
    # The IRA sells its 25 VTI (5,000); the other 2,500 = 12.5 VTI must come from the
    # taxable account. Whole units: 12 VTI (2,400) leaves Equities 100 over, 13 (2,600)
    # 100 under; the proceeds buy BND (24 or 26): both are 200 of drift, and 12 costs less
    # tax: 12 × 50 = 600 long-term gain, 15% = 90.
    ledger = THREE.replace("      Assets:Roth      25 VTI {100 USD}\n", "")
    result, _ = plan_of(ledger, "2026-11-20")
    taxable = trade(result, "Assets:Taxable", "VTI")
    assert (taxable.action, taxable.units, taxable.gain, taxable.term) == ("sell", D(12), D(600), "long")
    assert [(lot.units, lot.cost, lot.gain, lot.term) for lot in taxable.lots] == [
        (D(12), D(150), D(600), "long")]
    assert orders(result) == [
        ("Assets:IRA", "sell", "VTI", "25", "5000.00"),
        ("Assets:IRA", "buy", "BND", "50", "5000.00"),
        ("Assets:Taxable", "sell", "VTI", "12", "2400.00"),
        ("Assets:Taxable", "buy", "BND", "24", "2400.00"),
    ]
    assert (result.tax.long_term_gain, result.tax.estimated_tax) == (D(600), D(90))
    # The plan's own break-even column: Equities 25,000 − 5,000 − 2,400 = 17,600 of 35,000
    # = 50.29%, 0.29 points off; nothing outside ±5.
    assert (result.largest_drift.quantize(D("0.01")), result.outside_band) == (D("0.29"), ())
    # Without taxable sales: Equities 20,000 / 35,000 = 57.14%, 7.14 points off, outside ±5.
    [alternative] = result.alternatives
    assert (alternative.kind, alternative.label) == ("without_taxable_sales", "No sales in taxable accounts")
    assert alternative.largest_drift.quantize(D("0.01")) == D("7.14")
    assert alternative.outside_band == ("Bonds", "Equities")
    assert alternative.estimated_tax == 0


# Lots of VTI (price 200) in one taxable account:
#   A 50 bought 2023-01-10 at 100: long-term, +100 a unit, tax 15% = 15.00 a unit;
#   B 50 bought 2026-09-01 at 180: short-term, +20 a unit, tax 24% = 4.80 a unit;
#   C 20 bought 2026-06-01 at 250: short-term, −50 a unit, tax −12.00 a unit (a saving).
LOTS = HEAD + """
    2023-01-10 * "buy"
      Assets:Taxable   50 VTI {100 USD}
      Assets:Taxable  120 BND {100 USD}
      Equity:Opening
    2026-06-01 * "buy"
      Assets:Taxable   20 VTI {250 USD}
      Equity:Opening
    2026-09-01 * "buy"
      Assets:Taxable   50 VTI {180 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
"""


def test_lot_choice_losses_first_then_the_least_tax() -> None:
    # 120 VTI = 24,000 and 120 BND = 12,000: total 36,000, 18,000 each. Sell 6,000 = 30 VTI.
    # Cheapest lots first: C (20 units, loss 20 × −50 = −1,000), then B (10 units,
    # gain 10 × 20 = +200); A (the low-basis long-term lot) is kept.
    # Short-term net −800 → estimated tax −800 × 24% = −192 (a saving). Then 60 BND.
    result, _ = plan_of(LOTS, "2026-11-20")
    vti = trade(result, "Assets:Taxable", "VTI")
    assert (vti.units, vti.gain, vti.term) == (D(30), D(-800), "short")
    assert [(str(lot.date), lot.units, lot.cost, lot.gain, lot.term) for lot in vti.lots] == [
        ("2026-06-01", D(20), D(250), D(-1000), "short"),
        ("2026-09-01", D(10), D(180), D(200), "short"),
    ]
    assert orders(result) == [
        ("Assets:Taxable", "sell", "VTI", "30", "6000.00"),
        ("Assets:Taxable", "buy", "BND", "60", "6000.00"),
    ]
    assert (result.tax.short_term_gain, result.tax.long_term_gain) == (D(-800), 0)
    assert result.tax.estimated_tax == D(-192)
    # VTI is sold at a loss: the plan buys none anywhere and warns against buying it back.
    assert not any(t.action == "buy" and t.commodity == "VTI" for t in result.trades)
    assert any("VTI is sold at a loss" in w and "2026-12-21" in w for w in result.warnings)


# IRS Publication 550, "Wash Sales": 100 shares bought for $1,000 are sold for $750 while
# 100 substantially identical shares were bought within 30 days: the $250 loss is not
# deductible (Rev. Rul. 2008-5: also when the replacement is bought in an IRA).
WASH = """
    option "operating_currency" "USD"
    2020-01-01 commodity XYZ
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Assets:IRA
      tax-status: "ira"
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 50
    2024-01-01 custom "rebalance-target" "Bonds" 50
    2024-01-01 custom "rebalance-option" "band" 5
    2026-09-01 * "buy 100 XYZ for 1,000"
      Assets:Taxable  100 XYZ {10 USD}
      Equity:Opening
    2026-11-10 * "buy 100 XYZ in the IRA, 10 days before the plan"
      Assets:IRA      100 XYZ {7.50 USD}
      Equity:Opening
    2026-11-19 price XYZ 7.50 USD
    2026-11-19 price BND 75 USD
"""


IRA = '      tax-status: "ira"\n'
IRA_NO_SELL = '      tax-status: "ira"\n      rebalance-sell: FALSE\n'


def test_wash_sale_avoided_by_selling_in_the_ira() -> None:
    # 750 + 750 of Equities, no Bonds: sell 750, buy 750. Selling the taxable shares would
    # be a wash sale (the IRA bought 100 on 2026-11-10), so the IRA sells instead, no tax.
    result, _ = plan_of(WASH, "2026-11-20")
    assert orders(result) == [
        ("Assets:IRA", "sell", "XYZ", "100", "750.00"),
        ("Assets:IRA", "buy", "BND", "10", "750.00"),
    ]
    assert result.tax.disallowed_loss == 0


def test_wash_sale_through_an_ira_purchase_is_explained() -> None:
    # The IRA may not sell: the taxable account must. 100 XYZ sold at 7.50 = 750, bought at
    # 10: a 250 short-term loss, all of it disallowed by the 100 bought in the IRA.
    result, _ = plan_of(WASH.replace(IRA, IRA_NO_SELL), "2026-11-20")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "XYZ", "100", "750.00"),
        ("Assets:Taxable", "buy", "BND", "10", "750.00"),
    ]
    sale = trade(result, "Assets:Taxable", "XYZ")
    assert (sale.gain, sale.term) == (D(-250), "short")
    assert [(w.account, w.commodity, str(w.date), w.units, w.disallowed) for w in sale.washes] == [
        ("Assets:IRA", "XYZ", "2026-11-10", D(100), D(250))]
    assert "100 XYZ bought 2026-11-10 in Assets:IRA disallow 250.00 USD of the loss" in sale.reason
    assert "lost for good" in sale.reason
    # The disallowed loss is not a realized loss: short-term result −250 + 250 = 0, no tax.
    tax = result.tax
    assert (tax.short_term_gain, tax.disallowed_loss, tax.estimated_tax) == (0, D(250), 0)
    assert not any(t.action == "buy" and t.commodity == "XYZ" for t in result.trades)
    assert any("XYZ is sold at a loss" in w for w in result.warnings)


def test_wash_sale_through_a_substantially_identical_commodity() -> None:
    # The IRA bought ABC, declared substantially identical to XYZ: same 250 disallowed.
    ledger = (WASH.replace("100 XYZ {7.50 USD}", "100 ABC {7.50 USD}")
              .replace(IRA, IRA_NO_SELL)
              .replace("2026-11-19 price BND", "2026-11-19 price ABC 7.50 USD\n    2026-11-19 price BND")
              + '    2020-01-01 commodity ABC\n      asset-class: "Equities"\n'
                '      substantially-identical: "XYZ"\n')
    result, _ = plan_of(ledger, "2026-11-20")
    sale = trade(result, "Assets:Taxable", "XYZ")
    assert [(w.commodity, w.disallowed) for w in sale.washes] == [("ABC", D(250))]
    # Neither XYZ nor ABC is bought anywhere; the warning names both.
    assert not any(t.action == "buy" and t.commodity in ("XYZ", "ABC") for t in result.trades)
    assert any("nor ABC" in w for w in result.warnings)


# A 2,500 short-term loss waiting in VTI (50 bought at 250, now 200); ITOT (another fund of
# the class, not substantially identical) has a price but is not held; the IRA holds BND.
HARVEST = HEAD + """
    2026-06-01 * "buy"
      Assets:Taxable   50 VTI {250 USD}
      Assets:IRA       60 BND {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
    2026-11-19 price ITOT 100 USD
"""


def test_harvest_while_rebalancing() -> None:
    # 10,000 VTI + 6,000 BND = 16,000; 8,000 each: sell 10 VTI (2,000) in the taxable
    # account (the IRA holds no Equities) and buy 20 BND there. Harvesting sells the other
    # 40 VTI too (another 40 × −50 = −2,000 of loss, −480 of tax) and replaces them with
    # 8,000 / 100 = 80 ITOT: Equities stays at 8,000. Loss 50 × −50 = −2,500; 24% = −600.
    result, _ = plan_of(HARVEST, "2026-11-20")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "VTI", "50", "10000.00"),
        ("Assets:Taxable", "buy", "ITOT", "80", "8000.00"),
        ("Assets:Taxable", "buy", "BND", "20", "2000.00"),
    ]
    assert result.tax.estimated_tax == D(-600)
    assert "replaces VTI sold at a loss" in trade(result, "Assets:Taxable", "ITOT").reason
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}


# The taxable account may hold only VTI, BND and cash (its open directive says so); VTI there
# is at a loss. The IRA holds ITOT, another fund of the class, and could buy more.
HARVEST_ELSEWHERE = (HARVEST.replace("open Assets:Taxable\n", "open Assets:Taxable VTI,BND,USD\n")
                     .replace("Assets:IRA       60 BND {100 USD}",
                              "Assets:IRA      100 BND {100 USD}\n      Assets:IRA       40 ITOT {100 USD}"))


def test_a_harvested_loss_is_not_bought_back_in_another_account() -> None:
    # Equities 10,000 + 4,000 = 14,000, Bonds 10,000: 58.33% of 24,000, outside 50 ± 5.
    # Goals 12,000 each: Equities down 2,000. Selling all 50 VTI in the taxable account
    # (−2,500, −600 of tax) could only be replaced there by VTI itself (a wash sale), so the
    # loss would be bought back as ITOT in the IRA (which sells 80 BND, buys 80 ITOT): moving
    # Equities between accounts, which the plan never does. A loss may reduce an overweight
    # class: 10 VTI = 2,000, −500 short-term at 24% = −120; the proceeds buy 20 BND there.
    result, _ = plan_of(HARVEST_ELSEWHERE, "2026-11-20")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "VTI", "10", "2000.00"),
        ("Assets:Taxable", "buy", "BND", "20", "2000.00"),
    ]
    assert result.tax.estimated_tax == D(-120)
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}


def test_harvest_off_sells_only_what_the_rebalance_needs() -> None:
    # harvest FALSE: only the 10 VTI the drift needs; −500 short-term, 24% = −120.
    ledger = HARVEST + '    2024-01-01 custom "rebalance-option" "harvest" FALSE\n'
    result, _ = plan_of(ledger, "2026-11-20")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "VTI", "10", "2000.00"),
        ("Assets:Taxable", "buy", "BND", "20", "2000.00"),
    ]
    assert result.tax.estimated_tax == D(-120)


def test_inside_every_band_nothing_to_do() -> None:
    # 10,000 VTI vs 9,000 BND: 52.63% / 47.37%, inside ±5: no trades.
    ledger = HEAD + """
    2023-01-10 * "buy"
      Assets:Taxable  50 VTI {100 USD}
      Assets:IRA      90 BND {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
    """
    result, _ = plan_of(ledger, "2026-11-20")
    assert (result.mode, result.trades) == ("none", ())
    assert after(result) == {"Bonds": "47.37", "Equities": "52.63"}


def test_no_sell_is_worked_around_and_said() -> None:
    # All Equities sit in a rebalance-sell: FALSE account: nothing can bring them down.
    # 20,000 VTI vs 5,000 BND (in the IRA, 0 cash): the plan cannot trade, and says why.
    ledger = HEAD.replace('2020-01-01 open Assets:Taxable\n      tax-status: "taxable"\n',
                          '2020-01-01 open Assets:Taxable\n      tax-status: "taxable"\n'
                          '      rebalance-sell: FALSE\n') + """
    2023-01-10 * "buy"
      Assets:Taxable  100 VTI {100 USD}
      Assets:IRA       50 BND {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
    """
    result, _ = plan_of(ledger, "2026-11-20")
    assert result.trades == ()
    warning = next(w for w in result.warnings if w.startswith("Equities stays outside its band"))
    assert "20,000.00 USD of it may not be sold (rebalance-sell: FALSE)" in warning


def test_asset_location_review() -> None:
    # Bonds are best held tax-deferred; the Roth's 100 BND (10,000) is listed.
    ledger = THREE + '    2020-01-01 custom "rebalance-location" "Bonds" "tax-deferred"\n'
    result, _ = plan_of(ledger, "2026-11-20")
    assert [(n.category, n.commodity, n.account, n.value, n.tax_status, n.preferred)
            for n in result.locations] == [
        ("Bonds", "BND", "Assets:Roth", D(10000), "tax-free", "tax-deferred")]


def test_cash_is_spent_in_its_own_account_only() -> None:
    # 6,000 of cash in the taxable account, none in the IRA; IRA 100 VTI (20,000).
    # Total 26,000: 13,000 each. The IRA sells 35 VTI (7,000) for 70 BND; the taxable
    # account spends its own 6,000 on 60 BND. No money crosses accounts.
    ledger = HEAD + """
    2023-01-10 * "buy"
      Assets:IRA      100 VTI {100 USD}
      Assets:Taxable  6000 USD
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
    """
    result, _ = plan_of(ledger, "2026-11-20")
    assert orders(result) == [
        ("Assets:IRA", "sell", "VTI", "35", "7000.00"),
        ("Assets:IRA", "buy", "BND", "70", "7000.00"),
        ("Assets:Taxable", "buy", "BND", "60", "6000.00"),
    ]
    assert "paid with cash already in the account" in trade(result, "Assets:Taxable", "BND").reason
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}


def test_a_category_is_never_sold_past_the_far_edge_of_its_band() -> None:
    # tests/ledgers/page.beancount on 2024-12-31 (figures in its comments): total 50,000;
    # Bonds 200 BND × 80 = 16,000 = 32% against 25 ± 2. Selling Bonds to fund the underweight
    # Equities:International must stop at the lower band edge: 23% × 50,000 = 11,500, so at
    # most (16,000 − 11,500) / 80 = 56.25 → 56 BND may be sold, never 57 (22.88%).
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "ledgers" / "page.beancount").read_text(encoding="utf-8")
    result, _ = plan_of(text, "2024-12-31")
    sold = sum((t.units for t in result.trades if t.commodity == "BND" and t.action == "sell"), D(0))
    assert 0 < sold <= 56
    assert D(after(result)["Bonds"]) >= D("23.00")


def test_a_zero_price_is_neither_bought_nor_sold() -> None:
    # A price of 0 (a delisted fund, a typo) once divided the cash by it (DivisionByZero).
    # ITOT at 0 is worth nothing: total 100 VTI × 200 = 20,000, all Equities (target 50):
    # the only trade is selling VTI in the IRA and buying BND, never ITOT.
    text = HEAD + """
    2023-01-10 * "buy"
      Assets:IRA  100 VTI {100 USD}
      Assets:IRA  10 ITOT {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price ITOT 0 USD
    2026-11-19 price BND 100 USD
    """
    result, _ = plan_of(text, "2026-11-20", "1000")
    assert "ITOT" not in {t.commodity for t in result.trades}
    result, _ = plan_of(text, "2026-11-20")
    assert "ITOT" not in {t.commodity for t in result.trades}


# One taxable account: 75 VTI (price 200, bought at 100: a long-term gain of 100 a unit) and
# 150 BND (price 100, bought at 100: no gain). Equities 15,000 = 50%, Bonds 15,000 = 50%: on
# target; band ±5.
RAISE = HEAD + """
    2020-01-10 * "buy"
      Assets:Taxable   75 VTI {100 USD}
      Assets:Taxable  150 BND {100 USD}
      Equity:Opening
    2026-11-19 price VTI 200 USD
    2026-11-19 price BND 100 USD
"""


def test_a_withdrawal_is_compared_with_raising_the_cash_alone_never_with_itself() -> None:
    # Withdraw 2,000: total 28,000 after, targets 14,000 each. Both are on target, so the
    # lazy withdrawal takes in proportion: 1,000 of Equities (5 VTI, a gain of 5 × 100 = 500,
    # long-term: 15% = 75.00 tax) and 1,000 of Bonds (10 BND, no gain).
    result, _ = plan_of(RAISE, "2026-11-20", "-2000@Assets:Taxable")
    assert result.mode == "withdrawal"
    assert sorted(orders(result)) == [
        ("Assets:Taxable", "sell", "BND", "10", "1000.00"),
        ("Assets:Taxable", "sell", "VTI", "5", "1000.00"),
    ]
    assert result.tax.estimated_tax == D(75)
    # Raising the 2,000 alone at the least tax: 20 BND, no gain, no tax. Bonds end at
    # 13,000 / 28,000 = 46.43%, inside 45–55; Equities 15,000 / 28,000 = 53.57% (+3.57).
    # Without taxable sales beyond the withdrawal the only account is this taxable one, so
    # that column would be the plan's: it is not there.
    [alone] = result.alternatives
    assert (alone.kind, alone.label, alone.trades, alone.estimated_tax) == (
        "raise_cash_only", "Only raising the cash", 1, 0)
    assert {r.category: r.value for r in alone.after} == {"Bonds": D(13000), "Equities": D(15000)}
    assert alone.largest_drift.quantize(D("0.01")) == D("3.57")
    assert alone.outside_band == ()


def test_the_plan_makes_the_suggested_moves_when_nothing_stands_in_the_way() -> None:
    # THREE: Equities 30,000 and Bonds 10,000 of 40,000 against 50/50: the moves sell 10,000
    # of Equities and buy 10,000 of Bonds, balanced (nothing without a target). The plan
    # (test_three_accounts_trade_where_it_costs_no_tax) does exactly that, in the IRA and
    # the Roth: 2 × 5,000 each way. Nothing differs, and the comparison says so.
    result, report = plan_of(THREE, "2026-11-20")
    assert [(m.category, m.change) for m in report.suggested.moves] == [
        ("Bonds", D(10000)), ("Equities", D(-10000))]
    assert report.suggested.note is None
    found = compare(report.suggested, result, grouped, "USD")
    assert found is not None
    assert found.differences == ()
    assert found.note == "The plan makes the suggested moves, category by category."
