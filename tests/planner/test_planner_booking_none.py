"""Ledgers booked without lots (``booking_method "NONE"``) and short positions, worked by hand.

Under ``NONE`` a sale posts ``-5 VTI {110 USD}`` without matching a lot, so the holding is
a mix of positive and negative lots. The planner sells the net position: at its average
cost as the ledger states it, the oldest units first for the holding period (docs/PLANNER.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from unittest.mock import patch

import pytest
from planner_support import after, orders, plan_of, trade

from fava_rebalance.core.formatting import grouped
from fava_rebalance.planner import Trade, optimize
from fava_rebalance.planner.model import LotSale
from fava_rebalance.views.labels import lot_cost_label, lot_words

D = Decimal


@pytest.fixture(autouse=True, params=["whole", "relaxed"])
def solved(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each case as a small household is solved (one model) and as a large one (relaxed first)."""
    with patch.object(optimize, "EXACT_LIMIT", optimize.EXACT_LIMIT if request.param == "whole" else -1):
        yield

HEAD = """
    option "operating_currency" "USD"
    option "booking_method" "NONE"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Equity:Opening
    2020-01-01 open Income:Gains
    2020-01-01 custom "rebalance-target" "Equities" 50
    2020-01-01 custom "rebalance-target" "Bonds" 50
"""

# The issue's case: two buys of VTI, one sale under NONE booking, BND, a 1,000 withdrawal.
ISSUE = HEAD + """
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 custom "rebalance-option" "band" 10
    2022-01-10 * "buy"
      Assets:Taxable  10 VTI {100 USD}
      Assets:Taxable  20 BND {80 USD}
      Equity:Opening
    2025-06-01 * "buy"
      Assets:Taxable  10 VTI {150 USD}
      Equity:Opening
    2025-09-01 * "sell, booked without matching a lot"
      Assets:Taxable  -5 VTI {110 USD} @ 160 USD
      Equity:Opening   800 USD
      Income:Gains
    2026-01-15 price VTI 200 USD
    2026-01-15 price BND 80 USD
"""


def test_a_withdrawal_sells_the_overweight_fund_booked_without_lots() -> None:
    # VTI lots as booked: +10 {100} 2022-01-10, +10 {150} 2025-06-01, −5 {110} 2025-09-01:
    # 15 units × 200 = 3,000. BND 20 × 80 = 1,600. Total 4,600: Equities 65.22%.
    # Withdrawal 1,000: total 3,600, targets 1,800 each. Taking it all from Equities leaves
    # 2,000 (11% over) against Bonds 1,600 (11% under): a tie, so all of it is VTI: 5 units.
    # Average cost: (1,000 + 1,500 − 550) / 15 = 1,950 / 15 = 130. Oldest first: the NONE
    # sale took 5 of the 2022 units, so 5 of 2022 (long-term on 2026-01-15) and 10 of
    # 2025-06-01 (short-term) remain; the plan's 5 are the 2022 ones. Gain 5 × (200 − 130)
    # = 350, long-term: tax 15% = 52.50. After: 2,000 / 3,600 = 55.56%, 1,600 / 3,600 = 44.44%.
    result, _ = plan_of(ISSUE, "2026-01-15", "-1000@Assets:Taxable")
    assert not result.errors, result.errors
    assert orders(result) == [("Assets:Taxable", "sell", "VTI", "5", "1000.00")]
    vti = trade(result, "Assets:Taxable", "VTI")
    assert [(str(lot.date), lot.units, lot.cost, lot.gain, lot.term, lot.averaged) for lot in vti.lots] == [
        ("2022-01-10", D(5), D(130), D(350), "long", True)]
    assert (vti.gain, vti.term, vti.tax) == (D(350), "long", D("52.50"))
    assert (result.tax.short_term_gain, result.tax.long_term_gain, result.tax.estimated_tax) == (
        0, D(350), D("52.50"))
    assert after(result) == {"Bonds": "44.44", "Equities": "55.56"}
    assert "booked without lots" in vti.reason
    assert "average cost, 130.00 USD a unit" in vti.reason
    assert "oldest units first" in vti.reason
    # What a writer of ``NONE`` reductions needs: ``-5 VTI {130 USD}`` (an empty {} is rejected).
    assert (vti.booking, vti.average_cost, vti.average_currency) == ("NONE", D(130), "USD")
    assert not any("market price" in w for w in result.warnings), result.warnings
    assert not any("outside its band" in w for w in result.warnings), result.warnings


def test_a_rebalance_sells_the_oldest_units_first_across_terms() -> None:
    # No withdrawal; a band of 5 puts Equities (65.22%) outside: 2,300 each. Sell 700 of
    # VTI = 3.5 units, whole units: 3 VTI (600) and 7 BND bought (560, 40 left in cash;
    # Bonds 2,160 = 46.96%) or 4 VTI (800) and 10 BND (800; Equities 2,200 = 47.83%, Bonds
    # 2,400 = 52.17%): the solver's rounding decides; either way the units sold are the 5
    # long-term ones of 2022 first, at 70 a unit of gain.
    text = ISSUE.replace('"band" 10', '"band" 5')
    result, _ = plan_of(text, "2026-01-15")
    vti = trade(result, "Assets:Taxable", "VTI")
    assert vti.units in (D(3), D(4))
    assert [(str(lot.date), lot.units, lot.gain, lot.term) for lot in vti.lots] == [
        ("2022-01-10", vti.units, vti.units * 70, "long")]


# Both accounts taxable; Assets:Picked books FIFO on its own ``open``, the rest NONE.
MIXED = HEAD + """
    2020-01-01 custom "rebalance-option" "band" 5
    2020-01-01 open Assets:Lotless
      tax-status: "taxable"
    2020-01-01 open Assets:Picked "FIFO"
      tax-status: "taxable"
    2022-01-10 * "buy"
      Assets:Lotless  10 VTI {100 USD}
      Assets:Lotless  3 BND {100 USD}
      Assets:Picked  5 VTI {100 USD}
      Assets:Picked  3 BND {100 USD}
      Equity:Opening
    2025-06-01 * "buy"
      Assets:Lotless  10 VTI {150 USD}
      Equity:Opening
    2025-09-01 * "sell: NONE takes the cost written, FIFO the oldest lot"
      Assets:Lotless  -5 VTI {110 USD} @ 160 USD
      Assets:Picked  -2 VTI {} @ 160 USD
      Equity:Opening
    2025-12-01 * "buy"
      Assets:Picked  5 VTI {190 USD}
      Equity:Opening
    2026-01-15 price VTI 200 USD
    2026-01-15 price BND 100 USD
"""


def test_none_and_fifo_accounts_in_one_ledger() -> None:
    # Lotless: VTI 15 (average 130, as above) = 3,000, BND 3 = 300. Picked (FIFO): its sale
    # took 2 of the 2022 lot: 3 {100, 2022-01-10} + 5 {190, 2025-12-01} = 1,600, BND 300.
    # Total 5,200; Equities 4,600 (88.46%) → 2,600: sell 10 VTI, each account buying BND
    # with its own proceeds. Tax per unit: Picked's 190 lot 24% × 10 = 2.40 (short-term),
    # Lotless's 2022 units 15% × 70 = 10.50, Picked's 100 lot 15% × 100 = 15, Lotless's
    # 2025 units 24% × 70 = 16.80. Least tax for 10 units: Picked 5 (12.00) + Lotless 5
    # (52.50) = 64.50 (Picked 4 + Lotless 6: 9.60 + 52.50 + 16.80 = 78.90; Picked 6 +
    # Lotless 4: 12 + 15 + 42 = 69). Each sells 1,000 and buys 10 BND.
    result, _ = plan_of(MIXED, "2026-01-15")
    assert sorted(orders(result)) == [
        ("Assets:Lotless", "buy", "BND", "10", "1000.00"),
        ("Assets:Lotless", "sell", "VTI", "5", "1000.00"),
        ("Assets:Picked", "buy", "BND", "10", "1000.00"),
        ("Assets:Picked", "sell", "VTI", "5", "1000.00"),
    ]
    lotless, picked = trade(result, "Assets:Lotless", "VTI"), trade(result, "Assets:Picked", "VTI")
    def lots(sell: Trade) -> list[tuple[str, Decimal, Decimal | None, Decimal, str, bool]]:
        return [(str(lot.date), lot.units, lot.cost, lot.gain, lot.term, lot.averaged) for lot in sell.lots]

    assert lots(lotless) == [("2022-01-10", D(5), D(130), D(350), "long", True)]
    assert lots(picked) == [("2025-12-01", D(5), D(190), D(50), "short", False)]
    assert (lotless.booking, lotless.average_cost) == ("NONE", D(130))
    assert (picked.booking, picked.average_cost) == ("FIFO", None)
    assert trade(result, "Assets:Lotless", "BND").booking == "NONE"
    assert "booked without lots" in lotless.reason
    assert "net position" not in picked.reason
    # 50 × 24% + 350 × 15% = 12 + 52.50.
    assert (result.tax.short_term_gain, result.tax.long_term_gain, result.tax.estimated_tax) == (
        D(50), D(350), D("64.50"))
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}


SHORT_HEAD = """
    option "operating_currency" "USD"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 commodity VEA
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable BOOKING
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2020-01-01 custom "rebalance-target" "Equities" 50
    2020-01-01 custom "rebalance-target" "Bonds" 50
    2020-01-01 custom "rebalance-option" "band" 10
    2022-01-10 * "buy"
      Assets:Taxable  10 VEA {100 USD}
      Assets:Taxable  16 BND {100 USD}
      Equity:Opening
VTI_ENTRIES
    2026-01-15 price VTI 200 USD
    2026-01-15 price VEA 100 USD
    2026-01-15 price BND 100 USD
"""

# A short opened on an empty inventory (any booking), and one left by a NONE sale of more
# units than were bought (+5, then −8).
SHORT_SALE = """
    2024-01-10 * "short sale"
      Assets:Taxable  -3 VTI {120 USD}
      Equity:Opening
"""
OVERSOLD = """
    2023-01-10 * "buy"
      Assets:Taxable  5 VTI {100 USD}
      Equity:Opening
    2024-01-10 * "sell more than was bought"
      Assets:Taxable  -8 VTI {120 USD}
      Equity:Opening
"""


@pytest.mark.parametrize(("booking", "vti"), [("", SHORT_SALE), ('"NONE"', OVERSOLD)])
def test_a_net_short_position_is_neither_added_to_nor_covered(booking: str, vti: str) -> None:
    # VTI −3 × 200 = −600, VEA 10 × 100 = 1,000, BND 16 × 100 = 1,600: total 2,000, Equities
    # 400 (20%). To 1,000 each: sell 6 BND (600), buy 6 VEA. VTI is not sold (that adds to
    # the short) nor bought here (that covers it, at a gain or loss the plan does not estimate).
    result, _ = plan_of(SHORT_HEAD.replace("BOOKING", booking).replace("VTI_ENTRIES", vti), "2026-01-15")
    assert orders(result) == [
        ("Assets:Taxable", "sell", "BND", "6", "600.00"),
        ("Assets:Taxable", "buy", "VEA", "6", "600.00"),
    ]
    assert after(result) == {"Bonds": "50.00", "Equities": "50.00"}
    assert not any("market price" in w for w in result.warnings), result.warnings
    assert any(w.startswith("VTI in Assets:Taxable is a net short position (-3 units): the planner does not "
                            "sell it") for w in result.warnings), result.warnings


def test_a_short_position_named_when_it_keeps_a_category_under() -> None:
    # Without VEA nothing of Equities may be bought here but VTI, which would cover the
    # short: Equities stays at 20%, and the warning says why (not a missing price).
    text = (SHORT_HEAD.replace("BOOKING", "").replace("VTI_ENTRIES", SHORT_SALE)
            .replace("      Assets:Taxable  10 VEA {100 USD}\n", "")
            .replace("    2026-01-15 price VEA 100 USD\n", ""))
    result, _ = plan_of(text, "2026-01-15")
    assert not any(t.commodity == "VTI" for t in result.trades)
    outside = [w for w in result.warnings if w.startswith("Equities stays outside its band")]
    assert len(outside) == 1
    assert ("VTI in Assets:Taxable is held short, which the planner does not buy to cover; nothing else "
            "wholly in Equities with a price may be bought in any account") in outside[0]
    assert not any("market price" in w for w in result.warnings), result.warnings


WASH = """
    option "operating_currency" "USD"
    option "booking_method" "NONE"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2020-01-01 open Income:Gains
    2020-01-01 custom "rebalance-target" "Equities" 100
    2024-01-10 * "buy"
      Assets:Taxable  10 VTI {200 USD}
      Equity:Opening
    2024-06-01 * "sell"
      Assets:Taxable  -2 VTI {200 USD} @ 210 USD
      Assets:Taxable  420 USD
      Income:Gains
    2026-01-05 * "buy, 10 days before the plan"
      Assets:Taxable  5 VTI {150 USD}
      Equity:Opening
    2026-01-10 * "buy, 5 days before the plan"
      Assets:Taxable  2 VTI {130 USD}
      Equity:Opening
    2026-01-15 price VTI 120 USD
"""
# VTI: +10 {200} 2024-01-10, −2 {200} 2024-06-01, +5 {150} 2026-01-05, +2 {130} 2026-01-10:
# 15 units, average (2,000 − 400 + 750 + 260) / 15 = 2,610 / 15 = 174; at 120 a loss of 54
# a unit. Oldest first: 8 units of 2024-01-10 (long-term), then the 5 of 2026-01-05 and the
# 2 of 2026-01-10 (short-term). The account also holds 420 USD (no class), which a
# withdrawal spends first. Replacement shares (Treas. Reg. §1.1091-1) are matched earliest
# purchase first with the loss shares in the order they were bought.


def test_recent_purchases_wash_the_older_units_sold() -> None:
    # Withdrawal 1,380: 420 of cash, then 960 = 8 VTI, the 2024 units: a loss of 8 × 54 =
    # 432. The 5 + 2 units bought in the last 30 days replace 7 of them: 5 × 54 = 270 and
    # 2 × 54 = 108 disallowed; 54 allowed.
    result, _ = plan_of(WASH, "2026-01-15", "-1380@Assets:Taxable")
    assert orders(result) == [("Assets:Taxable", "sell", "VTI", "8", "960.00")]
    vti = trade(result, "Assets:Taxable", "VTI")
    assert [(str(lot.date), lot.units, lot.gain, lot.term) for lot in vti.lots] == [
        ("2024-01-10", D(8), D(-432), "long")]
    assert [(w.date.isoformat(), w.units, w.disallowed, w.term) for w in vti.washes] == [
        ("2026-01-05", D(5), D(270), "long"), ("2026-01-10", D(2), D(108), "long")]
    assert result.tax.long_term_gain == D(-54)


def test_units_sold_from_a_recent_purchase_are_not_their_own_replacement() -> None:
    # Withdrawal 1,980: 420 of cash, then 1,560 = 13 VTI: the 8 units of 2024 and the 5 of
    # 2026-01-05. Those 5 are sold, so they replace nothing (Rev. Rul. 56-602); the 2 of
    # 2026-01-10 that remain replace 2 of the 2024 units: 2 × 54 = 108 disallowed. Losses:
    # 8 × 54 = 432 long-term (324 after the wash sale), 5 × 54 = 270 short-term.
    result, _ = plan_of(WASH, "2026-01-15", "-1980@Assets:Taxable")
    assert orders(result) == [("Assets:Taxable", "sell", "VTI", "13", "1560.00")]
    vti = trade(result, "Assets:Taxable", "VTI")
    assert [(str(lot.date), lot.units, lot.gain, lot.term) for lot in vti.lots] == [
        ("2024-01-10", D(8), D(-432), "long"), ("2026-01-05", D(5), D(-270), "short")]
    assert [(w.date.isoformat(), w.units, w.disallowed, w.term) for w in vti.washes] == [
        ("2026-01-10", D(2), D(108), "long")]
    assert (result.tax.short_term_gain, result.tax.long_term_gain) == (D(-270), D(-324))


def test_a_net_position_s_average_cost_is_shown_to_the_cent() -> None:
    # Buys of 10 at 100 and 10 at 151, a NONE sale of 5 written at 110: the average is
    # (1,000 + 1,510 − 550) / 15 = 1,960 / 15 = 130.666…, which the ledger entries keep
    # exact but the words show to the cent, as the order's reason does ("130.67 USD a unit").
    # Gain on 5 sold at 200: 5 × (200 − 130.666…) = 346.666… → 346.67.
    average = D(1960) / 15
    lot = LotSale(datetime.date(2022, 1, 10), D(5), average, "USD", 5 * (200 - average), "long",
                  averaged=True)
    assert lot_words(lot, grouped) == "2022-01-10: 5 at 130.67 USD, gain 346.67, long-term"
    assert lot_cost_label(lot) == "130.67 USD"
