"""SPEC §6.1: a plan per portfolio, and the household's wash sales and tax across the plans.

Rates are the defaults (24% short, 15% long). Every price is 100 USD on 2024-06-01; the
figures are worked out in the comments.
"""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from planner_support import load, orders
from test_example_college import example_ledger
from test_portfolio_scopes import TWO

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import Report, analyse_portfolios
from fava_rebalance.core.portfolios import MAIN
from fava_rebalance.planner import CashFlow
from fava_rebalance.planner import together as together_module
from fava_rebalance.planner.regime import Regime
from fava_rebalance.planner.tax_rules import regime_of
from fava_rebalance.planner.together import cash_portfolio, plan_together

ON = datetime.date(2024, 6, 1)
# The module, not the function ``fava_rebalance.planner.plan`` that the package exports.
plan_module = importlib.import_module("fava_rebalance.planner.plan")

# Main: a taxable account and an IRA, Stocks 60 / Bonds 40, band 5. College: a 529 (tax-free),
# Stocks 30 / Bonds 70, band 2. VOO is another Stocks fund, not substantially identical to VTI.
HOUSEHOLD = """
option "operating_currency" "USD"
2020-01-01 commodity VTI
  asset-class: "Stocks"
2020-01-01 commodity VOO
  asset-class: "Stocks"
2020-01-01 commodity BND
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:Taxable
  tax-status: "taxable"
2020-01-01 open Assets:Invest:IRA
  tax-status: "ira"
2020-01-01 open Assets:College:529
  tax-status: "COLLEGE-STATUS"
  portfolio: "College"
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-option" "accounts" "^Assets:Invest:"
2020-01-01 custom "rebalance-option" "accounts" "^Assets:College:"
  portfolio: "College"
2020-01-01 custom "rebalance-option" "band" 5
2020-01-01 custom "rebalance-option" "band" 2
  portfolio: "College"
2024-01-01 custom "rebalance-target" "Stocks" 60
2024-01-01 custom "rebalance-target" "Bonds" 40
2024-01-01 custom "rebalance-target" "Stocks" 30
  portfolio: "College"
2024-01-01 custom "rebalance-target" "Bonds" 70
  portfolio: "College"
2024-01-02 * "Opening balances"
  Assets:Invest:Taxable    70 VTI {MAIN-COST USD}
  Assets:Invest:IRA        30 BND {100 USD}
  Assets:College:529       15 BND {COLLEGE-COST USD}
  Equity:Opening
2024-06-01 price VTI 100 USD
2024-06-01 price VOO 100 USD
2024-06-01 price BND 100 USD
"""
# Five VTI bought for College ten days before the report date: within the wash-sale window.
COLLEGE_BUYS_VTI = """
2024-05-22 * "College buys stocks"
  Assets:College:529        5 VTI {100 USD}
  Equity:Opening
"""
COLLEGE_HOLDS_VTI = COLLEGE_BUYS_VTI.replace("2024-05-22", "2024-01-02")
# Main does not harvest (sell all 70 VTI at a loss and buy VOO instead): it sells what it must.
NO_HARVEST_IN_MAIN = """
2020-01-01 custom "rebalance-option" "harvest" FALSE
  portfolio: "Main"
"""


def _household(main_cost: int, college_cost: int, status: str, extra: str) -> str:
    return (HOUSEHOLD.replace("MAIN-COST", str(main_cost)).replace("COLLEGE-COST", str(college_cost))
            .replace("COLLEGE-STATUS", status) + extra)


def _plans(text: str, cash: CashFlow | None = None):
    ledger = load(text)
    reports = analyse_portfolios(ledger, ON)
    assert [r.portfolio for r in reports] == [MAIN, "College"]
    return plan_together(reports, ledger.declarations, cash), reports


def test_each_plan_trades_only_its_own_portfolio_s_accounts() -> None:
    # Main, 10,000: Stocks 7,000 = 70% against 60 (± 5): sell 10 VTI in the taxable account
    # (no cash anywhere, money stays in its account) and buy 10 BND there. VTI cost 100: no gain.
    # College, 2,000 (15 BND + 5 VTI): Stocks 25% against 30 (± 2): sell 1 BND, buy 1 VTI.
    together, _ = _plans(_household(100, 100, "tax-free", COLLEGE_HOLDS_VTI))
    main, college = (request.plan for request in together.requests)
    assert orders(main) == [("Assets:Invest:Taxable", "sell", "VTI", "10", "1000.00"),
                            ("Assets:Invest:Taxable", "buy", "BND", "10", "1000.00")]
    assert orders(college) == [("Assets:College:529", "sell", "BND", "1", "100.00"),
                               ("Assets:College:529", "buy", "VTI", "1", "100.00")]
    assert together.total == Decimal(12000)  # 10,000 + 2,000
    assert together.tax.estimated_tax == 0


def test_a_purchase_in_one_portfolio_washes_a_loss_sold_in_another() -> None:
    # Main's 70 VTI cost 120 (now 100): selling 10 realizes a short-term loss of 10 × 20 = 200.
    # College bought 5 VTI in its 529 on 2024-05-22, ten days earlier: those replace 5 of the
    # 10 sold (IRS Pub. 550), so 5 × 20 = 100 is disallowed, lost for good (a tax-free account).
    together, _ = _plans(_household(120, 100, "tax-free", COLLEGE_BUYS_VTI + NO_HARVEST_IN_MAIN))
    main = together.requests[0].plan
    [sale] = [t for t in main.trades if t.action == "sell"]
    assert (sale.commodity, sale.units, sale.gain) == ("VTI", Decimal(10), Decimal(-200))
    [wash] = sale.washes
    assert (wash.account, wash.date, wash.units, wash.disallowed) == (
        "Assets:College:529", datetime.date(2024, 5, 22), Decimal(5), Decimal(100))
    assert "lost for good" in sale.reason
    # Household tax: short-term −200 + 100 disallowed = −100; at 24%: −24.00. College's trades
    # are in a tax-free account: no gain.
    assert (together.tax.short_term_gain, together.tax.long_term_gain) == (Decimal(-100), Decimal(0))
    assert together.tax.estimated_tax == Decimal("-24.00")
    assert together.tax.disallowed_loss == Decimal(100)


def test_no_plan_buys_back_what_an_earlier_plan_sells_at_a_loss() -> None:
    # Main sells VTI at a loss (as above). College needs 100 more Stocks: VTI, which it holds,
    # would buy back Main's loss within 30 days, so it buys 1 VOO instead and says why.
    together, _ = _plans(_household(120, 100, "tax-free", COLLEGE_BUYS_VTI + NO_HARVEST_IN_MAIN))
    college = together.requests[1].plan
    assert orders(college) == [("Assets:College:529", "sell", "BND", "1", "100.00"),
                               ("Assets:College:529", "buy", "VOO", "1", "100.00")]
    assert any(w.startswith("the plan buys no VTI: portfolio Main's plan sells VTI at a loss")
               for w in college.warnings), college.warnings


def test_a_later_plan_s_loss_is_washed_by_an_earlier_plan_s_buy() -> None:
    # College's BND cost 120 in a taxable account; it must sell 1 BND (Bonds 75% against 70
    # ± 2) at a loss of 20. Main's plan, made first, buys 10 BND on the same day: that
    # purchase replaces the unit sold, so the whole 20 is disallowed (added to the basis of
    # Main's new shares, in a taxable account). Household: short-term −20 + 20 = 0.
    together, _ = _plans(_household(100, 120, "taxable", COLLEGE_HOLDS_VTI))
    college = together.requests[1].plan
    [sale] = [t for t in college.trades if t.action == "sell"]
    assert (sale.commodity, sale.units, sale.gain) == ("BND", Decimal(1), Decimal(-20))
    [wash] = sale.washes
    assert (wash.account, wash.date, wash.units, wash.disallowed) == (
        "Assets:Invest:Taxable", ON, Decimal(1), Decimal(20))
    assert together.tax.short_term_gain == 0
    assert together.tax.disallowed_loss == Decimal(20)


def test_a_sub_account_of_another_portfolio_s_trading_account_keeps_its_orders() -> None:
    # College's account Assets:Invest:Taxable:Kids sits under Main's trading account (the
    # nearest with a tax-status). College holds 20 BND there (Stocks 0% against 30): it
    # sells 6 BND and buys 6 VTI, and the buy goes to Kids, never to Main's account.
    text = TWO + """
2020-01-01 open Assets:Invest:Taxable:Kids
  portfolio: "Kids"
2024-01-01 custom "rebalance-target" "Stocks" 30
  portfolio: "Kids"
2024-01-01 custom "rebalance-target" "Bonds" 70
  portfolio: "Kids"
2024-01-02 * "Kids"
  Assets:Invest:Taxable:Kids   20 BND {100 USD}
  Equity:Opening
"""
    ledger = load(text)
    reports = analyse_portfolios(ledger, ON)
    assert [r.portfolio for r in reports] == [MAIN, "College", "Kids"]
    kids = plan_together(reports, ledger.declarations).requests[2].plan
    assert orders(kids) == [("Assets:Invest:Taxable:Kids", "sell", "BND", "6", "600.00"),
                            ("Assets:Invest:Taxable:Kids", "buy", "VTI", "6", "600.00")]


def test_the_cash_goes_to_the_portfolio_of_the_account_named() -> None:
    ledger = load(_household(100, 100, "tax-free", COLLEGE_HOLDS_VTI))
    reports = analyse_portfolios(ledger, ON)
    declarations = ledger.declarations
    assert cash_portfolio(CashFlow(Decimal(500), "Assets:College:529"), reports, declarations) == "College"
    assert cash_portfolio(CashFlow(Decimal(500)), reports, declarations) == MAIN
    assert cash_portfolio(None, reports, declarations) is None
    # A deposit of 500 in the 529 only buys, there (optimal lazy rebalancing): College is
    # 2,500 after it, Stocks 250 short of 750 and Bonds 250 short of 1,750; whole units of
    # 100 cannot split 500 into 250 + 250, so which one gets the third unit is the solver's
    # choice; the rule checked is where the orders go. Main gets no cash.
    together = plan_together(reports, declarations, CashFlow(Decimal(500), "Assets:College:529"))
    college = together.requests[1].plan
    assert college.cash_account == "Assets:College:529"
    assert college.trades
    assert all(t.account == "Assets:College:529" and t.action == "buy" for t in college.trades)
    assert together.requests[0].plan.cash is None


def test_the_example_s_college_plan_made_with_main_s() -> None:
    # example-ledger/README.md, "The College portfolio on 2026-11-20".
    ledger = example_ledger()
    reports = analyse_portfolios(ledger, datetime.date(2026, 11, 20))
    together = plan_together(reports, ledger.declarations)
    college = together.requests[1].plan
    # Sell 9 VTI (2,700.00), buy 37 BND (2,664.00): the closest whole units (README).
    assert [(t.account, t.action, t.commodity, t.units) for t in college.trades] == [
        ("Assets:College:529", "sell", "VTI", Decimal(9)), ("Assets:College:529", "buy", "BND", Decimal(37))]
    assert all(t.gain == 0 for t in college.trades)  # a tax-free account
    # The household's tax is Main's plan's (College realizes nothing taxable).
    main = together.requests[0].plan
    assert together.tax.estimated_tax == main.tax.estimated_tax
    assert (together.tax.short_term_gain, together.tax.long_term_gain) == (
        main.tax.short_term_gain, main.tax.long_term_gain)


# Two portfolios under the UK's rules, each with a general (taxable) account holding 100
# VWRL bought at 50.00 GBP; every price is 100.00 on the report date. Both portfolios want
# Equities 50 / Bonds 50, so each plan sells 50 VWRL (5,000.00) and buys 50 VAGP.
UK_HOUSEHOLD = """
option "operating_currency" "GBP"
2020-01-01 commodity VWRL
  asset-class: "Equities"
2020-01-01 commodity VAGP
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:GIA
  tax-status: "taxable"
2020-01-01 open Assets:Kids:GIA
  tax-status: "taxable"
  portfolio: "Kids"
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-option" "accounts" "^Assets:Invest:"
2020-01-01 custom "rebalance-option" "accounts" "^Assets:Kids:"
  portfolio: "Kids"
2020-01-01 custom "rebalance-option" "tax-rules" "uk"
2020-01-01 custom "rebalance-option" "tax-rate" 0.2
2020-01-01 custom "rebalance-option" "allowance" 3000
2024-01-01 custom "rebalance-target" "Equities" 50
2024-01-01 custom "rebalance-target" "Bonds" 50
2024-01-01 custom "rebalance-target" "Equities" 50
  portfolio: "Kids"
2024-01-01 custom "rebalance-target" "Bonds" 50
  portfolio: "Kids"
2022-01-03 * "Opening balances"
  Assets:Invest:GIA   100 VWRL {50 GBP}
  Assets:Kids:GIA     100 VWRL {50 GBP}
  Equity:Opening
2024-06-01 price VWRL 100 GBP
2024-06-01 price VAGP 100 GBP
"""


def test_the_household_tax_under_uk_rules_uses_one_pool_and_one_allowance() -> None:
    # HMRC HS284: one section 104 pool of VWRL for every general account of the person:
    # 200 shares costing 10,000.00, 50.00 a share. No sale earlier in the tax year that began
    # 2024-04-06, so the 3,000.00 annual exempt amount is whole.
    ledger = load(UK_HOUSEHOLD)
    reports = analyse_portfolios(ledger, ON)
    together = plan_together(reports, ledger.declarations)
    main, kids = (request.plan for request in together.requests)
    # Each plan: sell 50 VWRL at 100.00 out of the pool at 50.00: gain 50 × 50 = 2,500.00.
    for plan in (main, kids):
        [sale] = [t for t in plan.trades if t.action == "sell"]
        assert (sale.commodity, sale.units, sale.gain) == ("VWRL", Decimal(50), Decimal(2500))
        # Alone, 2,500.00 is within the 3,000.00 allowance: no tax.
        assert plan.tax.estimated_tax == 0
    # Together: 2,500 + 2,500 = 5,000.00 of gains, one allowance of 3,000.00: 2,000.00 taxed
    # at 20% = 400.00 (not short- and long-term rates: the UK has no holding period).
    tax = together.tax
    assert tax.rules == "uk"
    assert tax.gain == Decimal(5000)
    assert tax.allowance_left == Decimal(3000)
    assert tax.estimated_tax == Decimal(400)


def test_plans_made_together_replay_the_household_history_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tax options and the history the uk rules replay are the household's: one regime
    # serves both plans and the household's summary (the two plans once replayed it again each).
    ledger = load(UK_HOUSEHOLD)
    reports = analyse_portfolios(ledger, ON)
    built: list[str] = []

    def counted(report: Report, declarations: Declarations) -> Regime:
        built.append(report.portfolio)
        return regime_of(report, declarations)

    monkeypatch.setattr(together_module, "regime_of", counted)
    monkeypatch.setattr(plan_module, "regime_of", counted)
    together = plan_together(reports, ledger.declarations)
    assert built == [MAIN]
    assert together.tax.estimated_tax == Decimal(400)  # as in the test above: 20% × (5,000 − 3,000)


# Kids holds only bonds (100 VAGP at 100.00) and wants Equities 50 / Bonds 50: it sells 50
# VAGP and buys 5,000.00 of equities, VWRL (held in the household) or VUSA (another fund).
KIDS_NEEDS_EQUITIES = """
2020-01-01 commodity VUSA
  asset-class: "Equities"
2022-01-03 * "Kids' bonds"
  Assets:Kids:GIA     100 VAGP {100 GBP}
  Equity:Opening
2024-06-01 price VUSA 100 GBP
"""


def _kids_after_main(text: str):
    ledger = load(text)
    reports = analyse_portfolios(ledger, ON)
    return [request.plan for request in plan_together(reports, ledger.declarations).requests]


def test_uk_a_later_plan_buys_nothing_in_a_general_account_that_an_earlier_one_sells() -> None:
    # HMRC CG51560 (the same-day rule): a disposal is matched first with acquisitions of the
    # same class by the same person on the same day, in any general account. Main's plan sells
    # VWRL in its GIA (at a gain); had Kids' plan bought VWRL in its GIA that day, Main's sale
    # would take that purchase's cost, not the pool's. So Kids buys VUSA there instead.
    text = UK_HOUSEHOLD.replace("  Assets:Kids:GIA     100 VWRL {50 GBP}\n", "") + KIDS_NEEDS_EQUITIES
    main, kids = _kids_after_main(text)
    assert any(t.action == "sell" and t.commodity == "VWRL" for t in main.trades)
    assert orders(kids) == [("Assets:Kids:GIA", "sell", "VAGP", "50", "5000.00"),
                            ("Assets:Kids:GIA", "buy", "VUSA", "50", "5000.00")]
    assert any("same-day" in w and "VWRL" in w for w in kids.warnings), kids.warnings


@pytest.mark.parametrize("main_cost", ["50", "150"])
def test_uk_bed_and_isa_across_portfolios_is_allowed(main_cost: str) -> None:
    # The same, Kids' account an ISA: an acquisition inside an ISA is not matched with a
    # disposal (TCGA 1992 s.151; HMRC's "bed and ISA"), so Kids may buy VWRL there, and it
    # prefers the fund the household holds; also when Main sells VWRL at a loss (cost 150.00:
    # the UK has no wash-sale rule, only the matching rules).
    text = (UK_HOUSEHOLD.replace("  Assets:Kids:GIA     100 VWRL {50 GBP}\n", "")
            .replace("VWRL {50 GBP}\n  Equity", f"VWRL {{{main_cost} GBP}}\n  Equity")
            .replace('2020-01-01 open Assets:Kids:GIA\n  tax-status: "taxable"',
                     '2020-01-01 open Assets:Kids:GIA\n  tax-status: "isa"') + KIDS_NEEDS_EQUITIES)
    _, kids = _kids_after_main(text)
    assert orders(kids) == [("Assets:Kids:GIA", "sell", "VAGP", "50", "5000.00"),
                            ("Assets:Kids:GIA", "buy", "VWRL", "50", "5000.00")]
    assert not any("VWRL" in w for w in kids.warnings), kids.warnings


def test_de_has_no_loss_rule_across_portfolios() -> None:
    # §20 Abs. 4 EStG: the gain is proceeds less the cost of the depot's oldest shares; German
    # law has no wash-sale or superficial-loss rule. Main's VWRL cost 150.00 (now 100.00):
    # it sells 50 at a loss of 50 × 50 = 2,500.00; Kids may still buy VWRL the same day.
    text = (UK_HOUSEHOLD.replace("  Assets:Kids:GIA     100 VWRL {50 GBP}\n", "")
            .replace("Assets:Invest:GIA   100 VWRL {50 GBP}", "Assets:Invest:GIA   100 VWRL {150 GBP}")
            .replace('"tax-rules" "uk"', '"tax-rules" "de"') + KIDS_NEEDS_EQUITIES)
    main, kids = _kids_after_main(text)
    [sale] = [t for t in main.trades if t.action == "sell"]
    assert (sale.commodity, sale.units, sale.gain) == ("VWRL", Decimal(50), Decimal(-2500))
    assert orders(kids) == [("Assets:Kids:GIA", "sell", "VAGP", "50", "5000.00"),
                            ("Assets:Kids:GIA", "buy", "VWRL", "50", "5000.00")]
    assert not any("wash sale" in w for w in kids.warnings), kids.warnings


# Four VTI bought in an old IRA that no portfolio includes (the accounts patterns are
# ^Assets:Invest: and ^Assets:College:), ten days before the report date; College also
# holds 10 VTI bought at 130 in January (no purchase in the window), in a taxable 529.
OLD_IRA_BUYS_VTI = """
2020-01-01 open Assets:Old:IRA
  tax-status: "ira"
2024-01-02 * "College's stocks"
  Assets:College:529       10 VTI {130 USD}
  Equity:Opening
2024-05-22 * "The old IRA's monthly buy"
  Assets:Old:IRA            4 VTI {100 USD}
  Equity:Opening
2020-01-01 custom "rebalance-option" "harvest" FALSE
  portfolio: "College"
"""


def test_a_replacement_share_washes_one_loss_share_across_the_plans() -> None:
    # The old IRA's 4 VTI of 2024-05-22 are replacement shares for the household (Pub. 550:
    # every account is the same taxpayer's, in a portfolio or not), and each replaces one
    # loss share, once (Treas. Reg. §1.1091-1(b)): with several sales, matched in turn.
    # Main, planned first: 70 VTI {120} + 30 BND = 10,000, Stocks 70% against 60 ± 5: sells
    # 10 VTI at a loss of 10 × (120 − 100) = 200; the 4 IRA shares replace 4 of them:
    # 4 × 20 = 80 disallowed, lost for good (an IRA).
    # College: 15 BND + 10 VTI {130} = 2,500, Stocks 1,000 = 40% against 30 ± 2: sells VTI at
    # a loss of 30 a unit. Its replacements are the 4 IRA shares, all used by Main's sale:
    # nothing left, so no wash sale; the whole loss counts.
    # Household: disallowed 80 only (not 80 + 4 × 30).
    together, _ = _plans(_household(120, 100, "taxable", OLD_IRA_BUYS_VTI + NO_HARVEST_IN_MAIN))
    main, college = (request.plan for request in together.requests)
    [main_sale] = [t for t in main.trades if t.action == "sell"]
    assert (main_sale.commodity, main_sale.units, main_sale.gain) == ("VTI", Decimal(10), Decimal(-200))
    assert [(w.account, w.units, w.disallowed) for w in main_sale.washes] == [
        ("Assets:Old:IRA", Decimal(4), Decimal(80))]
    [college_sale] = [t for t in college.trades if t.action == "sell"]
    assert college_sale.commodity == "VTI"
    assert college_sale.gain == -30 * college_sale.units
    assert college_sale.washes == ()
    assert "wash sale" not in college_sale.reason
    assert college.tax.disallowed_loss == 0
    assert together.tax.disallowed_loss == Decimal(80)
    # Short-term: Main −200 + 80 = −120, College −30 a unit sold.
    assert together.tax.short_term_gain == Decimal(-120) - 30 * college_sale.units
