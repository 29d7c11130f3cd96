"""Issue #9, item 5: a foreign-currency lot's basis is converted at its purchase date's rate.

Proceeds are at the report date's rate, the cost at the rate of the day the lot was bought
(the latest on or before it). IRS Pub. 54 ("Foreign Currency"): items paid or received in a
foreign currency are translated into dollars at the exchange rate prevailing when they are
paid or received. Every figure is worked out in the comments.
"""

from __future__ import annotations

from decimal import Decimal

from planner_support import orders, plan_of, trade

D = Decimal
HEAD = """
    option "operating_currency" "USD"
    2020-01-01 commodity XEUR
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 50
    2024-01-01 custom "rebalance-target" "Bonds" 50
    2026-11-20 price EUR 1.20 USD
    2026-11-20 price XEUR 100 EUR
    2026-11-20 price BND 100 USD
"""

# 10 XEUR bought at 100 EUR on 2024-01-10, when 1 EUR = 1.00 USD.
BOUGHT_AT_PAR = HEAD + """
    2024-01-10 price EUR 1.00 USD
    2024-01-10 * "buy"
      Assets:Taxable  10 XEUR {100 EUR}
      Equity:Opening
"""


def test_the_gain_of_a_euro_lot_is_in_dollars_at_both_dates() -> None:
    # Now: 10 × 100 EUR × 1.20 = 1,200 USD of Equities, no Bonds; 600 each is the target:
    # sell 600 / 120 = 5 XEUR, buy 600 / 100 = 6 BND.
    # Basis: 100 EUR × 1.00 (2024-01-10) = 100 USD a share; proceeds 100 EUR × 1.20 = 120 USD:
    # a gain of 20 USD a share (not 0, as at today's rate for both), 5 × 20 = 100 USD,
    # long-term (held since 2024-01-10): tax 15% × 100 = 15.00.
    result, report = plan_of(BOUGHT_AT_PAR, "2026-11-20")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "XEUR", "5", "600.00"),
        ("Assets:Taxable", "buy", "BND", "6", "600.00"),
    ]
    sell = trade(result, "Assets:Taxable", "XEUR")
    assert [(lot.units, lot.cost, lot.cost_currency, lot.gain, lot.term) for lot in sell.lots] == [
        (D(5), D(100), "EUR", D(100), "long")]
    assert sell.lots[0].gain / sell.lots[0].units == D(20)
    assert (result.tax.long_term_gain, result.tax.estimated_tax) == (D(100), D(15))
    [holding] = [h for h in report.holdings if h.commodity == "XEUR"]
    assert holding.cost_rate(holding.lots[0]) == D("1.00")
    assert report.warnings == ()


def test_the_latest_rate_on_or_before_the_purchase_date() -> None:
    # Rates on 01-05 (0.90) and 01-15 (1.10): the lot of 01-10 takes 0.90, the latest on or
    # before it. Basis 100 × 0.90 = 90 USD; gain 120 − 90 = 30 a share, 5 × 30 = 150.
    ledger = BOUGHT_AT_PAR.replace("2024-01-10 price EUR 1.00 USD",
                                   "2024-01-05 price EUR 0.90 USD\n    2024-01-15 price EUR 1.10 USD")
    result, _ = plan_of(ledger, "2026-11-20")
    assert [lot.gain for lot in trade(result, "Assets:Taxable", "XEUR").lots] == [D(150)]


def test_a_lot_bought_before_the_first_rate_takes_the_report_dates_and_says_so() -> None:
    # The ledger's first EUR rate is 2026-11-20: no rate on or before 2023-06-01, so the cost
    # is converted at 1.20 too (the rule for a lot without a date): 100 × 1.20 = 120, gain 0.
    ledger = HEAD + """
    2023-06-01 * "buy"
      Assets:Taxable  10 XEUR {100 EUR}
      Equity:Opening
    """
    result, report = plan_of(ledger, "2026-11-20")
    assert [lot.gain for lot in trade(result, "Assets:Taxable", "XEUR").lots] == [D(0)]
    assert report.warnings == (
        "no EUR to USD rate on or before 2023-06-01, when XEUR in Assets:Taxable was bought; "
        "its cost is converted at the rate of 2026-11-20 for the tax estimates",)
