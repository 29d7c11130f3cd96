"""tax-rules uk: share identification, the section 104 pool, the allowance, "bed and ISA".

Figures worked by hand from HMRC's own worked examples of the identification rules. HMRC's
Capital Gains Manual CG51555 sets the order for shares: "Against acquisitions on the same
day ... Against acquisitions within the 30 days following the disposal ... Against shares in
a Section 104 holding". Helpsheet HS284's own text could not be found in the search tool's
corpora (only its index page and its Example 3 PDF's title), so the examples used are those
of HMRC's Cryptoassets Manual, which apply the same rules (TCGA 1992 ss 104, 105, 106A) with
their figures in full:

- CRYPTO22251 (a basic section 104 pool disposal): "Victoria bought 100 token A for £1,000.
  On 18 September 20XX Victoria bought a further 50 token A for £125,000 ... a single section
  104 pool of 150 of token A and total allowable costs of £126,000 ... On 1 December 20XX
  Victoria sells 50 of her token A for £300,000 ... £126,000 x (50 / 150) (£42,000) ...
  Gain £258,000".
- CRYPTO22253 (the 30 day rule): "Rachel holds 2,000 token C in a section 104 pool ... £1,000
  ... On 31 March 20XX Rachel disposes of 1,000 token C for £400. On 20 April 20XX Rachel
  disposes of 500 token C for £150. On 21 April 20XX Rachel acquires 700 token C for £175.
  On 28 April 20XX Rachel acquires 500 token C for £100. On 1 May 20XX Rachel acquires 500
  token C for £150 ... 31 March 20XX ... Gain £165 ... 20 April 20XX ... Gain £20".
- CRYPTO22255 (the 30 day rule with the pool): "Melanie holds 14,000 token E in a section
  104 pool ... £200,000 ... On 30 August 20XX Melanie sells 4,000 token E for £160,000. Then
  on 11 September 20XX Melanie buys 500 token E for £17,500 ... Less allowable costs – 30
  day (11/09 – 500 token E) (£17,500) ... S104 (3,500 token E) £200,000 x (3,500 / 14,000)
  (£50,000) ... Gain £92,500".
- CRYPTO22256 (same day, 30 days and the pool): "Gulferaz holds 100,000 token F in a section
  104 pool ... £300,000 ... 31 July 20XX – acquisition of 10,000 token F for £45,000. 31 July
  20XX – disposal of 30,000 token F for £150,000. 5 August 20XX – disposal of 20,000 token F
  for £100,000. 6 August 20XX – acquisition of 50,000 token F for £225,000. 7 August 20XX –
  disposal of 100,000 token F for £150,000 ... 31 July ... Gain £15,000".

The rate and the allowance are the defaults (24%, 3,000 GBP) unless a test sets them; the
tax year starts on 6 April.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

from planner_support import load, plan_of, trade

from fava_rebalance.core.pipeline import analyse
from fava_rebalance.planner.model import POOL, THIRTY_DAYS
from fava_rebalance.planner.share_pool import SharePools
from fava_rebalance.planner.tax_rules import regime_of

D = Decimal

HEAD = """
option "operating_currency" "GBP"
2019-01-01 custom "rebalance-option" "tax-rules" "uk"
2019-01-01 open Assets:GIA
  tax-status: "taxable"
2019-01-01 open Assets:GIA:Cash GBP
  asset-class: "Cash"
2019-01-01 open Equity:Opening
2019-01-01 open Income:Gains
2019-01-01 commodity TOK
  asset-class: "Stocks"
2019-01-01 custom "rebalance-target" "Stocks" 50
2019-01-01 custom "rebalance-target" "Cash" 50
"""


def test_a_sale_takes_the_pools_average_cost() -> None:
    # CRYPTO22251 in a ledger: 100 TOK for 1,000, then 50 for 125,000: a pool of 150 at
    # 126,000. At 6,000 a unit the 150 are worth 900,000; with 300,000 of cash the total is
    # 1,200,000, Stocks 75% against 50%: sell 300,000 = 50 units, as Victoria does.
    # Cost 126,000 × 50 / 150 = 42,000; gain 300,000 − 42,000 = 258,000, HMRC's figure.
    # Tax: 24% of what is above the 3,000 allowance: 0.24 × 255,000 = 61,200.00.
    text = HEAD + dedent("""
    2019-02-01 * "100 for 1,000"
      Assets:GIA  100 TOK {10 GBP}
      Equity:Opening
    2019-09-18 * "50 for 125,000"
      Assets:GIA  50 TOK {2500 GBP}
      Assets:GIA:Cash  300000 GBP
      Equity:Opening
    2019-12-01 price TOK 6000 GBP
    """)
    result, _ = plan_of(text, "2019-12-01")
    sale = trade(result, "Assets:GIA", "TOK")
    assert (sale.action, sale.units, sale.gain, sale.term) == ("sell", D(50), D(258000), None)
    assert [(lot.match, lot.units, lot.cost) for lot in sale.lots] == [(POOL, D(50), D(840))]  # 126,000 / 150
    assert (result.tax.rules, result.tax.gain, result.tax.estimated_tax) == ("uk", D(258000), D("61200.00"))
    assert (result.tax.short_term_gain, result.tax.long_term_gain) == (0, 0)
    assert "section 104 pool at its average cost, 840.00 GBP a share" in sale.reason


MELANIE = HEAD + """
2019-02-01 * "10,000 at 12"
  Assets:GIA  10000 TOK {12 GBP}
  Equity:Opening
2020-02-01 * "4,000 at 20: a pool of 14,000 at 200,000"
  Assets:GIA  4000 TOK {20 GBP}
  Assets:GIA:Cash  240000 GBP
  Equity:Opening
2025-08-29 price TOK 40 GBP
2025-09-11 * "500 for 17,500, twelve days after the report date"
  Assets:GIA  500 TOK {35 GBP}
  Assets:GIA:Cash  -17500 GBP
"""


def test_a_purchase_in_the_next_30_days_is_matched_first() -> None:
    # CRYPTO22255 as a plan: the report is as of 30 August 2025 on a ledger that already
    # holds the purchase of 11 September. 14,000 TOK at 40 = 560,000 and 240,000 of cash:
    # 800,000, Stocks 70% against 50%: sell 160,000 = 4,000 units, as Melanie does.
    # 500 are matched with the 11 September purchase (17,500), 3,500 with the pool:
    # 200,000 × 3,500 / 14,000 = 50,000. Gain 160,000 − 17,500 − 50,000 = 92,500, HMRC's.
    # Tax 0.24 × (92,500 − 3,000) = 21,480.00.
    result, _ = plan_of(MELANIE, "2025-08-30")
    sale = trade(result, "Assets:GIA", "TOK")
    assert (sale.units, cents(sale.gain)) == (D(4000), D(92500))
    assert [(lot.match, lot.units, cents(lot.gain)) for lot in sale.lots] == [
        (THIRTY_DAYS, D(500), D(2500)),          # 500 × (40 − 35)
        (POOL, D(3500), D(90000)),               # 160,000 × 3,500 / 4,000 − 50,000
    ]
    assert sale.lots[0].date == datetime.date(2025, 9, 11)
    assert result.tax.estimated_tax == D("21480.00")
    assert any(w.startswith("TOK is sold in a general account: buying it back in a general account within "
                            "30 days (before 2025-09-30)") for w in result.warnings)


def cents(amount: Decimal) -> Decimal:
    """``amount`` to the cent: a pool's cost per unit (200,000 / 14,000) repeats, exact only so far."""
    return amount.quantize(D("0.01"))


def _pools(text: str, date: str) -> SharePools:
    ledger = load(text)
    regime = regime_of(analyse(ledger, datetime.date.fromisoformat(date)), ledger.declarations)
    assert isinstance(regime.book, SharePools)
    return regime.book


RACHEL = HEAD + """
2023-01-02 * "2,000 for 1,000"
  Assets:GIA  2000 TOK {0.50 GBP}
  Equity:Opening
2024-03-31 * "1,000 for 400"
  Assets:GIA  -1000 TOK {0.50 GBP} @ 0.40 GBP
  Income:Gains
2024-04-20 * "500 for 150"
  Assets:GIA  -500 TOK {0.50 GBP} @ 0.30 GBP
  Income:Gains
2024-04-21 * "700 for 175"
  Assets:GIA  700 TOK {0.25 GBP}
  Equity:Opening
2024-04-28 * "500 for 100"
  Assets:GIA  500 TOK {0.20 GBP}
  Equity:Opening
2024-05-01 * "500 for 150"
  Assets:GIA  500 TOK {0.30 GBP}
  Equity:Opening
2024-05-02 price TOK 0.40 GBP
"""


def test_the_30_day_rule_matches_the_earliest_disposal_first() -> None:
    # CRYPTO22253 replayed from the ledger (its booking reduced the 0.50 lot, which the
    # rules ignore). 31 March: 1,000 for 400 against 700 of 21 April (175) and 300 of
    # 28 April (100 × 300 / 500 = 60): gain 400 − 175 − 60 = 165. 20 April: 500 for 150
    # against 200 of 28 April (40) and 300 of 1 May (150 × 300 / 500 = 90): gain 20.
    # The 200 of 1 May left (cost 60) join the pool: 2,200 units, 1,060.
    pools = _pools(RACHEL, "2024-05-02")
    assert [(d.date.isoformat(), d.units, d.gain) for d in pools.disposals] == [
        ("2024-03-31", D(1000), D(165)), ("2024-04-20", D(500), D(20))]
    [pool] = pools.tranches["TOK"]
    assert (pool.rule, pool.units, pool.basis * pool.units) == (POOL, D(2200), D(1060))


def test_the_years_earlier_gains_use_up_the_allowance() -> None:
    # Rachel's 20 April gain (20) is in the tax year that began on 6 April 2024; her
    # 31 March gain (165) is in the year before. On 2 May 2024 the allowance left is
    # 3,000 − 20 = 2,980.
    ledger = load(RACHEL)
    regime = regime_of(analyse(ledger, datetime.date(2024, 5, 2)), ledger.declarations)
    assert (regime.year_start, regime.used, regime.allowance_left) == (
        datetime.date(2024, 4, 6), D(20), D(2980))
    # Tax on 3,000 more of gains that year: 0.24 × (20 + 3,000 − 3,000) = 4.80.
    assert regime.tax(D(3000)) == D("4.80")


GULFERAZ = HEAD + """
2023-01-02 * "100,000 for 300,000"
  Assets:GIA  100000 TOK {3 GBP}
  Equity:Opening
2023-07-31 * "10,000 for 45,000"
  Assets:GIA  10000 TOK {4.50 GBP}
  Equity:Opening
2023-07-31 * "30,000 for 150,000"
  Assets:GIA  -30000 TOK {3 GBP} @ 5 GBP
  Income:Gains
2023-08-05 * "20,000 for 100,000"
  Assets:GIA  -20000 TOK {3 GBP} @ 5 GBP
  Income:Gains
2023-08-06 * "50,000 for 225,000"
  Assets:GIA  50000 TOK {4.50 GBP}
  Equity:Opening
2023-08-07 * "100,000 for 150,000"
  Assets:GIA  -50000 TOK {3 GBP} @ 1.50 GBP
  Assets:GIA  -50000 TOK {4.50 GBP, 2023-08-06} @ 1.50 GBP
  Income:Gains
"""


def test_same_day_then_30_days_then_the_pool() -> None:
    # CRYPTO22256. 31 July: the 30,000 sold take the same day's 10,000 (45,000) and 20,000
    # of 6 August (225,000 × 20,000 / 50,000 = 90,000): gain 150,000 − 135,000 = 15,000,
    # HMRC's figure. 5 August: 20,000 of 6 August (90,000): gain 100,000 − 90,000 = 10,000.
    # The 10,000 of 6 August left (45,000) join the pool: 110,000 units, 345,000. 7 August:
    # 100,000 from the pool, 345,000 × 100,000 / 110,000 = 313,636.36...; a loss of
    # 150,000 − 313,636.36... = −163,636.36... (worked from the rules: HMRC's page goes on
    # past what the search shows). 10,000 units are left, at 345,000 × 10,000 / 110,000 = 31,363.64.
    pools = _pools(GULFERAZ, "2023-08-08")
    gains = [(d.date.isoformat(), d.gain) for d in pools.disposals]
    assert gains[:2] == [("2023-07-31", D(15000)), ("2023-08-05", D(10000))]
    assert gains[2][0] == "2023-08-07"
    assert gains[2][1] is not None
    assert gains[2][1].quantize(D("0.01")) == D("-163636.36")
    [pool] = pools.tranches["TOK"]
    assert pool.units == D(10000)
    assert pool.basis is not None
    assert (pool.basis * pool.units).quantize(D("0.01")) == D("31363.64")


def test_the_same_days_acquisitions_come_before_the_pool() -> None:
    # Bought 100 at 10 in 2020 (the pool) and 100 at 30 on the report date; at 30 a unit
    # with 6,000 of cash the total is 12,000, Stocks 50% → hold. Stocks target 25: sell
    # 3,000 = 100 units. The same day's 100 come first (cost 30): gain 0, though the pool
    # would have given 100 × (30 − 10) = 2,000.
    text = HEAD.replace('"Stocks" 50', '"Stocks" 25').replace('"Cash" 50', '"Cash" 75') + dedent("""
    2020-02-01 * "100 at 10"
      Assets:GIA  100 TOK {10 GBP}
      Assets:GIA:Cash  6000 GBP
      Equity:Opening
    2025-06-02 * "100 at 30, the day of the report"
      Assets:GIA  100 TOK {30 GBP}
      Equity:Opening
    2025-06-02 price TOK 30 GBP
    """)
    result, _ = plan_of(text, "2025-06-02")
    sale = trade(result, "Assets:GIA", "TOK")
    assert (sale.units, sale.gain) == (D(100), D(0))
    assert [(lot.match, lot.units) for lot in sale.lots] == [("same day", D(100))]


TWO_ACCOUNTS = """
option "operating_currency" "GBP"
2019-01-01 custom "rebalance-option" "tax-rules" "RULES"
2019-01-01 open Assets:GIA
  tax-status: "taxable"
2019-01-01 open Assets:Other
  tax-status: "OTHER"
2019-01-01 open Assets:Other:Cash GBP
  asset-class: "Cash"
2019-01-01 open Assets:Other:Funds TOK,FUND
2019-01-01 open Equity:Opening
2019-01-01 commodity TOK
  asset-class: "Stocks"
2019-01-01 commodity FUND
  asset-class: "Stocks"
2019-01-01 commodity BND
  asset-class: "Bonds"
2019-01-01 custom "rebalance-target" "Stocks" 50
2019-01-01 custom "rebalance-target" "Bonds" 50
2019-01-01 custom "rebalance-target" "Cash" 0
2020-01-02 * "TOK in the general account; cash in the other"
  Assets:GIA  100 TOK {5 GBP}
  Assets:Other:Cash  1000 GBP
  Equity:Opening
2025-06-02 price TOK 10 GBP
2025-06-02 price FUND 10 GBP
2025-06-02 price BND 10 GBP
"""


def _two_accounts(rules: str, other: str) -> list[tuple[str, str, str, str]]:
    # The other account can buy only TOK or FUND (its opens list them) and holds 1,000 of
    # cash counted as Cash (target 0); TOK, 1,000 in the general account, is all of Stocks.
    # Total 2,000: the other account buys 1,000 of Stocks, so the general account sells its
    # 100 TOK and buys 100 BND. Where the other account buys, TOK (held elsewhere) is
    # preferred to FUND (held nowhere), unless the rules forbid it.
    result, _ = plan_of(TWO_ACCOUNTS.replace("RULES", rules).replace("OTHER", other), "2025-06-02")
    return sorted((t.account, t.action, t.commodity, f"{t.units:f}") for t in result.trades)


def test_buying_back_in_another_general_account_is_never_planned() -> None:
    # Under the US rules the gain can be realized and TOK bought back in the other
    # taxable account; in the UK that purchase would be matched with the sale (the same-day
    # rule): the plan buys FUND instead.
    assert _two_accounts("us", "taxable") == [
        ("Assets:GIA", "buy", "BND", "100"), ("Assets:GIA", "sell", "TOK", "100"),
        ("Assets:Other:Funds", "buy", "TOK", "100")]
    assert _two_accounts("uk", "taxable") == [
        ("Assets:GIA", "buy", "BND", "100"), ("Assets:GIA", "sell", "TOK", "100"),
        ("Assets:Other:Funds", "buy", "FUND", "100")]


def test_bed_and_isa_is_allowed() -> None:
    # An ISA's purchases are outside the matching: selling TOK in the general account and
    # buying it in the ISA is "bed and ISA", which the plan may do. The gain, 100 × (10 − 5)
    # = 500, is within the allowance: no tax.
    assert _two_accounts("uk", "isa") == [
        ("Assets:GIA", "buy", "BND", "100"), ("Assets:GIA", "sell", "TOK", "100"),
        ("Assets:Other:Funds", "buy", "TOK", "100")]
    result, _ = plan_of(TWO_ACCOUNTS.replace("RULES", "uk").replace("OTHER", "isa"), "2025-06-02")
    sale = trade(result, "Assets:GIA", "TOK")
    assert (sale.gain, sale.tax, result.tax.estimated_tax) == (D(500), 0, 0)
    assert "no tax: within what is left of the allowance" in sale.reason


def test_the_ledgers_own_recent_sale_warns_against_buying_it_back() -> None:
    # 10 TOK sold on 20 May 2025; on 2 June every category is within its band (Stocks
    # 1,000 of 2,000 against 50%), so the plan trades nothing, and says that a purchase of
    # TOK in a general account before 20 June would be matched with that sale.
    text = HEAD + dedent("""
    2020-01-02 * "110 at 5"
      Assets:GIA  110 TOK {5 GBP}
      Assets:GIA:Cash  900 GBP
      Equity:Opening
    2025-05-20 * "sold 10 at 10"
      Assets:GIA  -10 TOK {5 GBP} @ 10 GBP
      Assets:GIA:Cash  100 GBP
      Income:Gains  -50 GBP
    2025-06-02 price TOK 10 GBP
    """)
    result, _ = plan_of(text, "2025-06-02")
    assert result.trades == ()
    warning = ("TOK was sold in a general account on 2025-05-20: buying it in a general account before "
               "2025-06-20 is matched with that sale (the 30-day rule), which changes its gain.")
    assert warning in result.warnings


def test_a_default_allowance_in_another_currency_is_flagged() -> None:
    # The UK's annual exempt amount is 3,000 GBP; a report in USD that does not set the
    # allowance gets a warning instead of a silent 3,000 USD.
    text = (HEAD + dedent("""
    2020-01-02 * "100 at 10"
      Assets:GIA  100 TOK {10 GBP}
      Assets:GIA:Cash  1000 GBP
      Equity:Opening
    2025-06-02 price TOK 10 GBP
    """)).replace("GBP", "USD")
    result, _ = plan_of(text, "2025-06-02")
    assert ("tax-rules uk: the allowance defaults to 3,000.00 GBP, but the report is in USD; set the "
            "allowance option in USD") in result.warnings
    result, _ = plan_of(text + '2019-01-01 custom "rebalance-option" "allowance" 4000\n', "2025-06-02")
    assert not any("allowance defaults" in w for w in result.warnings)


def test_a_days_sales_from_two_general_accounts_share_the_tranches() -> None:
    # 100 TOK bought at 10 in 2020 in one general account, 100 at 30 on the report day in
    # another; Stocks' target is 0, so both are sold, at 30. All of a day's disposals are one
    # (TCGA 1992 s 105): the 200 take the same day's 100 (cost 3,000) and then the pool's 100
    # (cost 1,000): gain 6,000 − 4,000 = 2,000, whichever account sells which. (Each account
    # taking the same day's tranche for itself would count it twice: a gain of 0.)
    text = HEAD.replace('"Stocks" 50', '"Stocks" 0').replace('"Cash" 50', '"Cash" 100') + dedent("""
    2019-01-01 open Assets:GIA2
      tax-status: "taxable"
    2020-02-03 * "100 at 10"
      Assets:GIA  100 TOK {10 GBP}
      Equity:Opening
    2025-06-02 * "100 at 30"
      Assets:GIA2  100 TOK {30 GBP}
      Equity:Opening
    2025-06-02 price TOK 30 GBP
    """)
    result, _ = plan_of(text, "2025-06-02")
    assert sorted((t.account, t.units) for t in result.trades) == [
        ("Assets:GIA", D(100)), ("Assets:GIA2", D(100))]
    assert result.tax.gain == D(2000)
    assert sorted((lot.match, lot.units) for t in result.trades for lot in t.lots) == [
        ("same day", D(100)), (POOL, D(100))]


def test_a_split_adds_shares_to_the_pool_and_is_no_acquisition() -> None:
    # 100 TOK at 10; 50 sold on 1 May 2025 at 30 (gain 50 × 20 = 1,000); a 2-for-1 split on
    # 10 May, written as the ledger's lot replaced by twice as many at half the cost. The
    # split acquires nothing: the 30-day rule does not match it with the sale (whose gain
    # stays 1,000), and the pool holds 100 shares at the same 500.
    text = HEAD + dedent("""
    2020-02-03 * "100 at 10"
      Assets:GIA  100 TOK {10 GBP}
      Equity:Opening
    2025-05-01 * "50 sold at 30"
      Assets:GIA  -50 TOK {10 GBP} @ 30 GBP
      Assets:GIA:Cash  1500 GBP
      Income:Gains  -1000 GBP
    2025-05-10 * "2-for-1 split"
      Assets:GIA  -50 TOK {10 GBP, 2020-02-03}
      Assets:GIA  100 TOK {5 GBP, 2020-02-03}
    2025-06-02 price TOK 15 GBP
    """)
    pools = _pools(text, "2025-06-02")
    assert [(d.date.isoformat(), d.gain) for d in pools.disposals] == [("2025-05-01", D(1000))]
    [pool] = pools.tranches["TOK"]
    assert (pool.rule, pool.units, pool.basis) == (POOL, D(100), D(5))
