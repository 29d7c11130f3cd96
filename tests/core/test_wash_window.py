"""The wash-sale window as the ledger writes it: which acquisitions count, in which accounts.

Rules (IRS Publication 550, "Wash Sales"; worked by hand per test):

- an acquisition is an augmenting lot whose own acquisition date falls within 30 days of
  the report date: a split or an opening balance that carries the lots' dates buys nothing;
- every account of the ledger is the same taxpayer's: an IRA left out of the portfolio
  (``rebalance: FALSE``) or hidden by Fava's account filter still washes a loss;
- the ledger's own sales at a loss in the last 30 days are read, with their loss per unit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

from planner_support import load, plan_of, trade

from fava_rebalance.core.pipeline import analyse

D = Decimal
AS_OF = "2026-11-20"

HEAD = """
option "operating_currency" "USD"
2020-01-01 open Assets:Taxable
  tax-status: "taxable"
2020-01-01 open Assets:IRA
  tax-status: "ira"
  rebalance: FALSE
2020-01-01 open Equity:Opening
2020-01-01 open Income:Gains
2020-01-01 commodity VTI
  asset-class: "Stocks"
2020-01-01 commodity ITOT
  asset-class: "Stocks"
2020-01-01 commodity BND
  asset-class: "Bonds"
2024-01-01 custom "rebalance-target" "Stocks" 25
2024-01-01 custom "rebalance-target" "Bonds" 75
"""


def _purchases(text: str, date: str = AS_OF) -> list[tuple[str, str, Decimal, datetime.date]]:
    report = analyse(load(text), datetime.date.fromisoformat(date))
    return [(p.account, p.commodity, p.units, p.date) for p in report.purchases]


def test_a_split_with_the_lot_date_is_not_a_purchase() -> None:
    # 10 VTI bought 2024-01-10 at 50 split 2-for-1 on 2026-11-10, the lot keeping its date:
    # 20 VTI at 25, acquired 2024-01-10, more than 30 days before 2026-11-20.
    text = HEAD + dedent("""
    2024-01-10 * "buy"
      Assets:Taxable  10 VTI {50 USD}
      Equity:Opening
    2026-11-10 * "2-for-1 split"
      Assets:Taxable  -10 VTI {50 USD, 2024-01-10}
      Assets:Taxable   20 VTI {25 USD, 2024-01-10}
    """)
    assert _purchases(text) == []


def test_a_split_without_the_lot_date_looks_like_a_purchase() -> None:
    # Written without the date, Beancount dates the new lot on the split's day: 20 VTI
    # "acquired" 2026-11-10 (the documented limit: write the lot's date on a split).
    text = HEAD + dedent("""
    2024-01-10 * "buy"
      Assets:Taxable  10 VTI {50 USD}
      Equity:Opening
    2026-11-10 * "2-for-1 split"
      Assets:Taxable  -10 VTI {50 USD, 2024-01-10}
      Assets:Taxable   20 VTI {25 USD}
    """)
    assert _purchases(text) == [("Assets:Taxable", "VTI", D(20), datetime.date(2026, 11, 10))]


def test_opening_balances_with_lot_dates_buy_nothing() -> None:
    # A ledger started on 2026-11-15 with its lots' real dates: nothing bought in the window.
    text = HEAD + dedent("""
    2026-11-15 * "Opening balances"
      Assets:Taxable  10 VTI {50 USD, 2019-03-01}
      Assets:Taxable  40 BND {80 USD, 2021-06-01}
      Equity:Opening
    """)
    assert _purchases(text) == []


def test_purchases_in_every_account_and_after_the_date() -> None:
    # The IRA is out of the portfolio (rebalance: FALSE) and still the same taxpayer's. The
    # window is 30 days on both sides: 2026-10-21 .. 2026-12-20; 2026-10-20 is outside.
    text = HEAD + dedent("""
    2026-10-20 * "IRA monthly buy"
      Assets:IRA  1 VTI {200 USD}
      Equity:Opening
    2026-11-12 * "IRA monthly buy"
      Assets:IRA  3 VTI {210 USD}
      Equity:Opening
    2026-12-12 * "IRA monthly buy (scheduled)"
      Assets:IRA  2 VTI {205 USD}
      Equity:Opening
    2026-12-21 * "IRA monthly buy (scheduled)"
      Assets:IRA  2 VTI {205 USD}
      Equity:Opening
    """)
    assert _purchases(text) == [("Assets:IRA", "VTI", D(3), datetime.date(2026, 11, 12)),
                                ("Assets:IRA", "VTI", D(2), datetime.date(2026, 12, 12))]
    # Fava's account filter narrows the holdings, never the taxpayer.
    ledger = load(text)
    report = analyse(ledger, datetime.date(2026, 11, 20), account_match=lambda name: name == "Assets:Taxable")
    assert [p.account for p in report.purchases] == ["Assets:IRA", "Assets:IRA"]


def test_a_purchase_moved_in_kind_follows_its_shares() -> None:
    # 5 VTI bought 2026-11-05 in the IRA and moved to the taxable account on 2026-11-10, lot
    # and all: still one purchase of 5 (not two), now where the shares are.
    text = HEAD + dedent("""
    2026-11-05 * "buy"
      Assets:IRA  5 VTI {200 USD}
      Equity:Opening
    2026-11-10 * "transfer in kind"
      Assets:IRA      -5 VTI {200 USD, 2026-11-05}
      Assets:Taxable   5 VTI {200 USD, 2026-11-05}
    """)
    assert _purchases(text) == [("Assets:Taxable", "VTI", D(5), datetime.date(2026, 11, 5))]


def test_losses_the_ledger_realized_in_the_last_30_days() -> None:
    # Sold 2026-11-09: 10 VTI bought at 110 for 100 each, a loss of 10 a unit; a sale at a
    # gain, and one older than 30 days, are not losses to watch.
    text = HEAD + dedent("""
    2025-01-10 * "buy"
      Assets:Taxable  20 VTI {110 USD}
      Assets:Taxable  10 ITOT {50 USD}
      Equity:Opening
    2026-10-01 * "sell, too long ago"
      Assets:Taxable  -5 VTI {110 USD} @ 90 USD
      Assets:Taxable  450 USD
      Income:Gains
    2026-11-09 * "sell at a loss"
      Assets:Taxable  -10 VTI {110 USD} @ 100 USD
      Assets:Taxable  1000 USD
      Income:Gains
    2026-11-10 * "sell at a gain"
      Assets:Taxable  -10 ITOT {50 USD} @ 60 USD
      Assets:Taxable  600 USD
      Income:Gains
    """)
    report = analyse(load(text), datetime.date(2026, 11, 20))
    found = [(x.account, x.commodity, x.units, x.date, x.acquired, x.loss) for x in report.realized_losses]
    assert found == [("Assets:Taxable", "VTI", D(10), datetime.date(2026, 11, 9), datetime.date(2025, 1, 10),
                      D(10))]


# --- the plans these make ----------------------------------------------------------------

SPLIT_LEDGER = HEAD + """
2020-03-01 * "buy"
  Assets:Taxable  10 ITOT {10 USD}
  Assets:Taxable  110 BND {10 USD}
  Equity:Opening
2024-01-10 * "buy"
  Assets:Taxable  10 VTI {50 USD}
  Equity:Opening
2026-11-10 * "2-for-1 split"
  Assets:Taxable  -10 VTI {50 USD, 2024-01-10}
  Assets:Taxable   20 VTI {25 USD, 2024-01-10}
2026-11-19 price VTI 20 USD
2026-11-19 price ITOT 20 USD
2026-11-19 price BND 10 USD
"""


def test_a_split_does_not_stop_a_harvest() -> None:
    # Stocks: 20 VTI × 20 + 10 ITOT × 20 = 600; Bonds 110 × 10 = 1,100; total 1,700, target
    # 25% = 425: 175 of stocks to sell. VTI sits at a long-term loss of 25 − 20 = 5 a unit
    # (the split lot keeps its 2024 date); ITOT at a gain. The least tax sells all 20 VTI
    # (400, a loss of 100) and buys 10 ITOT back into the class (200, not identical to VTI):
    # stocks 200 + 200 = 400, then BND with the rest. Tax: −100 × 15% = −15.00. Read as a
    # purchase on 2026-11-10, the split would have made the VTI loss a wash sale.
    result, _ = plan_of(SPLIT_LEDGER, AS_OF)
    vti = trade(result, "Assets:Taxable", "VTI")
    assert (vti.action, vti.units, vti.gain, vti.term, vti.washes) == ("sell", D(20), D(-100), "long", ())
    assert result.tax.estimated_tax == D("-15.00")
    assert result.tax.disallowed_loss == 0


def test_an_ira_left_out_of_the_portfolio_washes_a_loss() -> None:
    # Taxable: 10 VTI bought 2026-11-10 at 110, now 100 (a short-term loss of 10 a unit); 150
    # BND at 10. Total 2,500; Stocks 1,000 = 40% against 20%: sell 5 VTI. The IRA (out of the
    # portfolio) bought 3 VTI on 2026-11-15: 3 of the 5 units sold are washed, 3 × 10 = 30.00
    # disallowed and lost for good (an IRA). Short-term −50 + 30 = −20, at 24%: −4.80.
    text = HEAD.replace('"Stocks" 25', '"Stocks" 20').replace('"Bonds" 75', '"Bonds" 80') + dedent("""
    2020-01-01 * "buy"
      Assets:Taxable  150 BND {10 USD}
      Equity:Opening
    2026-11-10 * "buy"
      Assets:Taxable  10 VTI {110 USD}
      Equity:Opening
    2026-11-15 * "IRA monthly buy"
      Assets:IRA  3 VTI {100 USD}
      Equity:Opening
    2026-11-19 price VTI 100 USD
    2026-11-19 price BND 10 USD
    """)
    result, _ = plan_of(text, AS_OF)
    vti = trade(result, "Assets:Taxable", "VTI")
    assert (vti.units, vti.gain) == (D(5), D(-50))
    assert [(w.account, w.units, w.disallowed, w.status) for w in vti.washes] == [
        ("Assets:IRA", D(3), D(30), "tax-deferred")]
    assert (result.tax.short_term_gain, result.tax.disallowed_loss) == (D(-20), D(30))
    assert result.tax.estimated_tax == D("-4.80")
