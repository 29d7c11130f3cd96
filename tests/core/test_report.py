"""SPEC §2 and §3: the three sections, bands, min-trade, actions, moves and ``cash_needed``."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from beancount.core import data
from hypothesis import given
from hypothesis import strategies as st

from fava_rebalance.core.allocation import Allocation, TargetRow, allocate, cash_needed
from fava_rebalance.core.categories import Share, is_within
from fava_rebalance.core.declarations import Settings, Target
from fava_rebalance.core.formatting import grouped, plain, round2, signed
from fava_rebalance.core.moves import suggested_moves
from fava_rebalance.core.options import Options
from fava_rebalance.core.pipeline import NO_HOLDINGS, NO_TARGETS, NOTHING_CATEGORIZED
from fava_rebalance.core.valuation import Holding

# The SPEC §3 example: Equities 70,000 + Bonds 30,000 + GLD 1,800 (no class) = 101,800.
SPEC_EXAMPLE = """
    option "operating_currency" "USD"
    2010-01-01 commodity VTI
      asset-class: "Equities"
    2010-01-01 commodity BND
      asset-class: "Bonds"
    2010-01-01 commodity GLD
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Assets:Invest:IRA
      tax-status: "ira"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-02 * "buy"
      Assets:Invest:IRA      400 VTI {100 USD}
      Assets:Invest:Taxable  300 VTI {100 USD}
      Assets:Invest:Taxable  300 BND {100 USD}
      Assets:Invest:Taxable  18 GLD {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    2024-01-02 price BND 100 USD
    2024-01-02 price GLD 100 USD
"""


def _rows(report) -> dict[str, object]:
    return {row.category: row for row in report.allocation.targeted}


def test_spec_example_rows(report_of) -> None:
    report = report_of(SPEC_EXAMPLE, "2024-01-10")
    assert report.total == Decimal(101800)  # 70,000 + 30,000 + 1,800
    rows = _rows(report)
    eq, bonds = rows["Equities"], rows["Bonds"]
    assert eq.value == Decimal(70000)  # (400 + 300) × 100
    assert round2(eq.percent) == Decimal("68.76")  # 70,000 / 101,800 = 68.7623 %
    assert round2(eq.difference) == Decimal("8.76")  # 68.7623 − 60
    assert eq.target_value == Decimal(61080)  # 60% × 101,800
    assert eq.amount == Decimal(8920)  # 70,000 − 61,080
    assert eq.action == "sell"
    assert bonds.value == Decimal(30000)
    assert round2(bonds.percent) == Decimal("29.47")  # 30,000 / 101,800 = 29.4695 %
    assert round2(bonds.difference) == Decimal("-10.53")  # 29.4695 − 40
    assert bonds.amount == Decimal(10720)  # 40% × 101,800 = 40,720 − 30,000
    assert bonds.action == "buy"
    # Sections: GLD has no class, so it is uncategorized, with its accounts.
    assert report.allocation.untargeted == ()
    [gld] = report.allocation.uncategorized
    assert (gld.commodity, gld.accounts, gld.value) == ("GLD", ("Assets:Invest:Taxable",), Decimal(1800))
    assert round2(gld.percent) == Decimal("1.77")  # 1,800 / 101,800 = 1.7682 %


def test_spec_example_moves_biggest_first(report_of) -> None:
    report = report_of(SPEC_EXAMPLE, "2024-01-10")
    # Bonds 10,720 > Equities 8,920, so the buy comes first.
    assert report.moves == (
        "Buy 10,720.00 USD of Bonds (29.47% now, target 40.00%).",
        "Sell 8,920.00 USD of Equities (68.76% now, target 60.00%).",
    )
    # SPEC §3, the moves balance: the sells raise 8,920.00 and the buys spend 10,720.00,
    # 1,800.00 short: exactly GLD's 18 × 100, which has no class. The targets (60 + 40 =
    # 100% of 101,800) count it; no move sells it.
    moves = report.suggested
    assert (moves.raised, moves.spent, moves.short) == (Decimal(8920), Decimal(10720), Decimal(1800))
    assert moves.note == (
        "The buys spend 1,800.00 USD more than the sells raise: 1,800.00 USD (1.77%) of the portfolio is in "
        "holdings without a target (GLD), which the targets count but no move sells. Selling those holdings, "
        "or adding that much cash, pays for every buy; otherwise buy that much less.")
    assert report.moves_text == (*report.moves, moves.note)


def test_moves_with_targets_not_adding_up_say_what_is_left_over(report_of) -> None:
    report = report_of(SPEC_EXAMPLE.replace('"Bonds" 40', '"Bonds" 30'), "2024-01-10")
    # Equities: 70,000 − 60% × 101,800 = 70,000 − 61,080 = sell 8,920; Bonds 30% × 101,800
    # = 30,540 − 30,000 = buy 540. 8,920 − 540 = 8,380 left over = −(GLD 1,800 + (90 − 100)%
    # × 101,800 = 1,800 − 10,180 = −8,380).
    assert report.suggested.short == Decimal(-8380)
    assert report.suggested.note == (
        "The sells raise 8,380.00 USD more than the buys spend: 1,800.00 USD (1.77%) of the portfolio is in "
        "holdings without a target (GLD), which the targets count but no move sells; the targets add up to "
        "90.00%, not 100% (10,180.00 USD). It stays as cash.")


def test_spec_cash_needed(report_of) -> None:
    report = report_of(SPEC_EXAMPLE, "2024-01-10")
    # max(70,000 ÷ 0.60, 30,000 ÷ 0.40) − 101,800 = max(116,666.67, 75,000) − 101,800 = 14,866.67
    assert round2(report.cash_needed) == Decimal("14866.67")
    # Check: after depositing it, Equities is 70,000 / 116,666.67 = 60.00 %.
    assert round2(Decimal(70000) / (report.total + report.cash_needed) * 100) == Decimal("60.00")


def test_cash_needed_is_zero_when_nothing_is_overweight(report_of) -> None:
    text = SPEC_EXAMPLE.replace('"Equities" 60', '"Equities" 70').replace('"Bonds" 40', '"Bonds" 30')
    report = report_of(text, "2024-01-10")
    # 70,000 ÷ 0.70 = 100,000 and 30,000 ÷ 0.30 = 100,000; both below 101,800 → 0.
    assert report.cash_needed == 0


def _row(category: str, value: str, target: str, action: str = "none") -> TargetRow:
    return TargetRow(category, Decimal(value), Decimal(0), Decimal(target), Decimal(0), Decimal(0),
                     Decimal(0), action, (), Decimal(0))


def test_cash_needed_skips_zero_targets() -> None:
    # SPEC is silent on a 0% target (value ÷ 0); we skip it: buying cannot fix it.
    alloc = Allocation(Decimal(1000), (_row("A", "500", "0"), _row("B", "500", "100")), (), ())
    # Only B counts: 500 ÷ 1.00 − 1,000 = −500 → never below 0.
    assert cash_needed(alloc) == 0
    alloc = Allocation(Decimal(1000), (_row("A", "300", "0"), _row("B", "700", "50")), (), ())
    # 700 ÷ 0.50 − 1,000 = 1,400 − 1,000 = 400.
    assert cash_needed(alloc) == Decimal(400)


def test_split_fund_value_is_split_exactly(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity VBIAX
      asset-class: "Equities:US 60%, Bonds 40%"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities:US" 50
    2024-01-01 custom "rebalance-target" "Bonds" 50
    2024-01-02 * "buy"
      Assets:Invest:Taxable  3 VBIAX {33.33 USD}
      Equity:Opening
    2024-01-02 price VBIAX 33.33 USD
    """
    report = report_of(text, "2024-01-10")
    rows = _rows(report)
    # 3 × 33.33 = 99.99; 60% = 59.994 and 40% = 39.996, exactly (no rounding until display).
    assert report.total == Decimal("99.99")
    assert rows["Equities:US"].value == Decimal("59.994")
    assert rows["Bonds"].value == Decimal("39.996")
    assert rows["Equities:US"].value + rows["Bonds"].value == report.total


def test_fava_investor_keys_in_a_report(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity FUND
      asset_allocation_Equity_US: 60
      asset_allocation_Bond: 40
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equity:US" 60
    2024-01-01 custom "rebalance-target" "Bond" 40
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 FUND {100 USD}
      Equity:Opening
    2024-01-02 price FUND 100 USD
    """
    report = report_of(text, "2024-01-10")
    rows = _rows(report)
    # 1,000 × 0.6 = 600 to Equity:US, × 0.4 = 400 to Bond: exactly on target.
    assert (rows["Equity:US"].value, rows["Bond"].value) == (Decimal(600), Decimal(400))
    assert report.errors == ()
    assert report.moves == ()


def test_account_class_beats_commodity_class_in_a_report(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity VMFXX
      asset-class: "Bonds"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Assets:Invest:Sweep
      asset-class: "Cash"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Bonds" 50
    2024-01-01 custom "rebalance-target" "Cash" 50
    2024-01-02 * "buy"
      Assets:Invest:Taxable  300 VMFXX {1 USD}
      Assets:Invest:Sweep    700 VMFXX {1 USD}
      Equity:Opening
    2024-01-02 price VMFXX 1 USD
    """
    rows = _rows(report_of(text, "2024-01-10"))
    # VMFXX in the Sweep account counts as Cash (account class first); elsewhere as Bonds.
    assert (rows["Bonds"].value, rows["Cash"].value) == (Decimal(300), Decimal(700))


def test_target_shortcuts_in_a_report(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity VTI
      rebalance-target: 50
    2010-01-01 commodity BND
      asset-class: "Bonds"
      rebalance-target: 30
    2010-01-01 commodity BNDX
      asset-class: "Bonds"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Assets:Invest:Crypto
      rebalance-target: 20
    2010-01-01 open Equity:Opening
    2024-01-02 * "buy"
      Assets:Invest:Taxable  6 VTI {100 USD}
      Assets:Invest:Taxable  2 BND {100 USD}
      Assets:Invest:Taxable  1 BNDX {100 USD}
      Assets:Invest:Crypto   100 USD
      Assets:Invest:Crypto   1 VTI {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    2024-01-02 price BND 100 USD
    2024-01-02 price BNDX 100 USD
    """
    report = report_of(text, "2024-01-10")
    assert report.errors == ()
    rows = _rows(report)
    # VTI is its own category (600 in Taxable); the VTI in Crypto counts for the account's
    # category (account first): Crypto = 100 cash + 100 VTI = 200. Bonds = BND 200 + BNDX 100.
    # Total 600 + 300 + 200 = 1,100.
    assert {k: r.value for k, r in rows.items()} == {
        "VTI": Decimal(600), "Bonds": Decimal(300), "Assets:Invest:Crypto": Decimal(200)}
    # VTI: 50% × 1,100 = 550 → sell 50; Bonds: 330 → buy 30; Crypto: 220 → buy 20.
    assert {k: (r.action, r.amount) for k, r in rows.items()} == {
        "VTI": ("sell", Decimal(50)), "Bonds": ("buy", Decimal(30)),
        "Assets:Invest:Crypto": ("buy", Decimal(20))}


# A portfolio of cash in classed accounts, so every value is exact without prices.
# On 2024-01-02: A 1,250 + B 3,500 + C 5,250 = 10,000.
# On 2024-02-01, 1 USD moves from B to A: A 1,251, B 3,499, C 5,250 (still 10,000).
BANDS = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:B
      asset-class: "B"
    2010-01-01 open Assets:C
      asset-class: "C"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-option" "band" 5
    2024-01-01 custom "rebalance-option" "relative-band" 25
    2024-01-01 custom "rebalance-target" "A" 10
    2024-01-01 custom "rebalance-target" "B" 40
    2024-01-01 custom "rebalance-target" "C" 50
    2024-01-02 * "deposit"
      Assets:A  1250 USD
      Assets:B  3500 USD
      Assets:C  5250 USD
      Equity:Opening
    2024-02-01 * "move 1 USD"
      Assets:B  -1 USD
      Assets:A  1 USD
"""


def test_band_5_25_rows_on_the_edge_are_inside(report_of) -> None:
    rows = _rows(report_of(BANDS, "2024-01-31"))
    # A: 1,250/10,000 = 12.50%, target 10 → diff +2.50; band min(5, 25% × 10 = 2.5) = 2.5 → inside.
    assert (rows["A"].difference, rows["A"].band, rows["A"].action) == (
        Decimal("2.5"), Decimal("2.5"), "none")
    # B: 35.00%, target 40 → diff −5.00; band min(5, 25% × 40 = 10) = 5 → inside.
    assert (rows["B"].difference, rows["B"].band, rows["B"].action) == (Decimal(-5), Decimal(5), "none")
    # C: 52.50%, target 50 → diff +2.50; band min(5, 12.5) = 5 → inside.
    assert (rows["C"].band, rows["C"].action) == (Decimal(5), "none")
    # Amounts are still reported even when no action: |1,000 − 1,250| = 250, |4,000 − 3,500| = 500.
    assert (rows["A"].amount, rows["B"].amount, rows["C"].amount) == (
        Decimal(250), Decimal(500), Decimal(250))


def test_band_5_25_rows_just_outside_act(report_of) -> None:
    report = report_of(BANDS, "2024-02-01")
    rows = _rows(report)
    # A: 1,251 → 12.51%, diff +2.51 > 2.5 → sell |1,000 − 1,251| = 251.
    assert (rows["A"].difference, rows["A"].action, rows["A"].amount) == (
        Decimal("2.51"), "sell", Decimal(251))
    # B: 3,499 → 34.99%, diff −5.01, |−5.01| > 5 → buy 4,000 − 3,499 = 501.
    assert (rows["B"].difference, rows["B"].action, rows["B"].amount) == (
        Decimal("-5.01"), "buy", Decimal(501))
    assert rows["C"].action == "none"
    # Once a category is outside its band every one goes to its target, as the planner
    # does: C, inside its band at 5,250 (52.50%), sells 5,250 − 5,000 = 250 as well. The sells
    # then raise 251 + 250 = 501, exactly what the buy of B spends: no note.
    assert report.moves == (
        "Buy 501.00 USD of B (34.99% now, target 40.00%).",
        "Sell 251.00 USD of A (12.51% now, target 10.00%).",
        "Sell 250.00 USD of C (52.50% now, target 50.00%; inside its band, rebalanced with the others).",
    )
    assert (report.suggested.raised, report.suggested.spent, report.suggested.note) == (
        Decimal(501), Decimal(501), None)


def test_the_report_says_why_a_row_needs_no_action(report_of) -> None:
    # BANDS on 2024-02-01 with min-trade 300: A 12.51% (+2.51 > 2.5) is outside its band but
    # only |1,000 − 1,251| = 251 < 300 from its target; C 52.50% (+2.50 ≤ 5) is within it;
    # B 34.99% (−5.01) is outside by 501 ≥ 300 and needs a buy. The page and the moves
    # read these reasons; nothing else decides them.
    text = BANDS + '    2024-01-01 custom "rebalance-option" "min-trade" 300\n'
    rows = _rows(report_of(text, "2024-02-01"))
    assert {name: (row.action, row.why_no_action) for name, row in rows.items()} == {
        "A": ("none", "below-min-trade"), "B": ("buy", None), "C": ("none", "within-band")}
    # Nothing held: the targets stand, the portfolio has no value.
    empty = _rows(report_of(BANDS, "2024-01-01"))
    assert {row.why_no_action for row in empty.values()} == {"no-value"}


def test_the_band_edge_is_decided_exactly(report_of) -> None:
    # A holds 1 of 3 USD: 100/3 = 33.333…% against a target of 33 with a band of
    # 0.3333333333333333333333333333 (28 digits, the Decimal context's precision). Exactly,
    # |1 × 100 − 33 × 3| = 1 > 0.9999999999999999999999999999 = band × 3: outside, by
    # 1 − 0.99 = 0.01 USD, which min-trade 0 lets through. The percentage, rounded to 28
    # digits (33.33333333333333333333333333), put the difference 0.33333333333333333333333333
    # inside the band: the table said "none" while the planner's exact rule said outside.
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:B
      asset-class: "B"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-option" "band" 0.3333333333333333333333333333
    2024-01-01 custom "rebalance-option" "min-trade" 0
    2024-01-01 custom "rebalance-target" "A" 33
    2024-01-01 custom "rebalance-target" "B" 67
    2024-01-02 * "deposit"
      Assets:A  1 USD
      Assets:B  2 USD
      Equity:Opening
    """
    rows = _rows(report_of(text, "2024-01-02"))
    assert (rows["A"].action, rows["A"].amount) == ("sell", Decimal("0.01"))  # 1 − 33% × 3 = 0.01


def test_moves_leave_out_what_is_under_min_trade_and_say_so(report_of) -> None:
    text = BANDS + '    2024-01-01 custom "rebalance-option" "min-trade" 300\n'
    report = report_of(text, "2024-02-01")
    # min-trade 300: B's 501 buy stays; A's 251 and C's 250 are below it, so no move. The
    # buy then needs 501 that nothing raises: A and C sit 251 + 250 = 501 above their targets.
    assert report.moves == ("Buy 501.00 USD of B (34.99% now, target 40.00%).",)
    assert report.suggested.note == (
        "The buys spend 501.00 USD more than the sells raise: A, C are less than the smallest trade "
        "(300.00 USD) from their targets, so not moved (501.00 USD above them in all). Adding that much cash "
        "pays for every buy; otherwise buy that much less.")


@pytest.mark.parametrize(
    ("min_trade", "a_action", "b_action"),
    [
        ("300", "none", "buy"),  # A's 251 < 300 → none; B's 501 ≥ 300 → buy
        ("251", "sell", "buy"),  # 251 is not below 251 → trade (only amount < min-trade is none)
        ("252", "none", "buy"),
        ("502", "none", "none"),  # 501 < 502
    ],
)
def test_min_trade(report_of, min_trade: str, a_action: str, b_action: str) -> None:
    text = BANDS.replace(
        '"band" 5\n', f'"band" 5\n    2024-01-01 custom "rebalance-option" "min-trade" {min_trade}\n')
    rows = _rows(report_of(text, "2024-02-01"))
    assert (rows["A"].action, rows["B"].action) == (a_action, b_action)


def test_default_min_trade_of_one_and_no_band(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:B
      asset-class: "B"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "A" 50
    2024-01-01 custom "rebalance-target" "B" 50
    2024-01-02 * "deposit"
      Assets:A  5001.80 USD
      Assets:B  4998.20 USD
      Equity:Opening
    """
    rows = _rows(report_of(text, "2024-01-10"))
    # Total 10,000; target 5,000 each; A is 1.80 over: no band (0), 1.80 ≥ 1 → sell 1.80.
    assert (rows["A"].band, rows["A"].action, rows["A"].amount) == (Decimal(0), "sell", Decimal("1.80"))
    assert (rows["B"].action, rows["B"].amount) == ("buy", Decimal("1.80"))
    text = text.replace("5001.80", "5000.40").replace("4998.20", "4999.60")
    rows = _rows(report_of(text, "2024-01-10"))
    # Now 0.40 off each: below the default min-trade of 1 → none, though outside a 0 band.
    assert (rows["A"].action, rows["B"].action) == ("none", "none")


def test_hierarchy_roll_up_and_untargeted_rows(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity SMALL
      asset-class: "Equities:US:Small"
    2010-01-01 commodity LARGE
      asset-class: "Equities:US"
    2010-01-01 commodity EM
      asset-class: "Equities:Intl:Emerging"
    2010-01-01 commodity TIPS
      asset-class: "Bonds:TIPS"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities:US" 80
    2024-01-01 custom "rebalance-target" "Cash" 20
    2024-01-02 * "buy"
      Assets:Invest:Taxable  1 SMALL {100 USD}
      Assets:Invest:Taxable  2 LARGE {100 USD}
      Assets:Invest:Taxable  3 EM {100 USD}
      Assets:Invest:Taxable  4 TIPS {100 USD}
      Equity:Opening
    2024-01-02 price SMALL 100 USD
    2024-01-02 price LARGE 100 USD
    2024-01-02 price EM 100 USD
    2024-01-02 price TIPS 100 USD
    """
    report = report_of(text, "2024-01-10")
    rows = _rows(report)
    # SMALL (100) rolls up into Equities:US with LARGE (200): 300 of 1,000 = 30%.
    assert rows["Equities:US"].value == Decimal(300)
    assert rows["Equities:US"].percent == Decimal(30)
    assert rows["Cash"].value == 0  # a target with nothing held is still a row
    # No targeted ancestor: an untargeted row under the holding's own category, biggest first.
    assert [(r.category, r.value, r.percent) for r in report.allocation.untargeted] == [
        ("Bonds:TIPS", Decimal(400), Decimal(40)),  # 400 / 1,000
        ("Equities:Intl:Emerging", Decimal(300), Decimal(30)),  # 300 / 1,000
    ]


def test_target_zero_stays_in_the_targeted_section(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:Old
      asset-class: "Old"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "A" 100
    2024-01-01 custom "rebalance-target" "Old" 0
    2024-01-01 custom "rebalance-target" "Empty" 0
    2010-01-01 open Assets:Empty
      asset-class: "Empty"
    2024-01-02 * "deposit"
      Assets:A    900 USD
      Assets:Old  100 USD
      Equity:Opening
    """
    report = report_of(text, "2024-01-10")
    rows = _rows(report)
    assert set(rows) == {"A", "Old", "Empty"}
    # Old: 100 / 1,000 = 10%, target 0 → sell all 100.
    assert (rows["Old"].target, rows["Old"].percent, rows["Old"].action, rows["Old"].amount) == (
        Decimal(0), Decimal(10), "sell", Decimal(100))
    # Empty: 0% of target 0 → nothing to do.
    assert (rows["Empty"].value, rows["Empty"].action) == (Decimal(0), "none")
    assert report.allocation.untargeted == ()


def test_cash_in_an_uncategorized_account_is_uncategorized(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 commodity VTI
      asset-class: "Equities"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Assets:Invest:IRA
    2010-01-01 open Assets:Bank:Savings
      asset-class: "Cash"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 90
    2024-01-01 custom "rebalance-target" "Cash" 10
    2024-01-02 * "deposit"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Assets:Invest:Taxable  150 USD
      Assets:Invest:IRA      50 USD
      Assets:Bank:Savings    200 USD
      Equity:Opening
    2024-01-02 price VTI 100 USD
    """
    report = report_of(text, "2024-01-10")
    # Savings is classed Cash (200); the brokerage cash (150 + 50) has no class → uncategorized.
    assert _rows(report)["Cash"].value == Decimal(200)
    [usd] = report.allocation.uncategorized
    assert (usd.commodity, usd.accounts, usd.value) == (
        "USD", ("Assets:Invest:IRA", "Assets:Invest:Taxable"), Decimal(200))
    assert report.total == Decimal(1400)  # 1,000 + 150 + 50 + 200
    assert any("USD" in w and "no asset-class" in w for w in report.warnings)
    assert report.missing == ()


def test_rebalance_false_and_accounts_option_scope(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:Invest:Taxable
      asset-class: "Equities"
    2010-01-01 open Assets:Bank:Savings
      asset-class: "Cash"
    2010-01-01 open Assets:Bank:Checking
      asset-class: "Cash"
    2010-01-01 open Assets:Invest:Kids
      rebalance: FALSE
    2010-01-01 open Assets:Invest:Kids:Fund
      asset-class: "Equities"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 80
    2024-01-01 custom "rebalance-target" "Cash" 20
    2024-01-02 * "deposit"
      Assets:Invest:Taxable    800 USD
      Assets:Bank:Savings      200 USD
      Assets:Bank:Checking     5000 USD
      Assets:Invest:Kids       300 USD
      Assets:Invest:Kids:Fund  700 USD
      Equity:Opening
    2024-06-01 custom "rebalance-option" "accounts" "^Assets:(Invest|Bank:Savings)"
    """
    before = report_of(text, "2024-05-31")
    # Default ^Assets: takes Checking too, not Kids nor Kids:Fund: 800 + 200 + 5,000 = 6,000.
    assert before.total == Decimal(6000)
    assert _rows(before)["Cash"].value == Decimal(5200)
    after = report_of(text, "2024-06-01")
    # From 2024-06-01 the regex leaves Checking out: 800 + 200 = 1,000; exactly on target.
    assert after.total == Decimal(1000)
    assert {k: r.value for k, r in _rows(after).items()} == {"Equities": Decimal(800), "Cash": Decimal(200)}
    assert after.moves == ()


def test_target_changed_on_a_later_date(report_of) -> None:
    text = SPEC_EXAMPLE + """
    2026-01-01 custom "rebalance-target" "Equities" 70
    2026-01-01 custom "rebalance-target" "Bonds" 30
    """
    before = _rows(report_of(text, "2025-12-31"))
    assert (before["Equities"].target, before["Equities"].action) == (Decimal(60), "sell")
    after = report_of(text, "2026-01-01")
    rows = _rows(after)
    # 70% × 101,800 = 71,260 vs 70,000 → buy 1,260; 30% × 101,800 = 30,540 vs 30,000 → buy 540.
    assert (rows["Equities"].target, rows["Equities"].action, rows["Equities"].amount) == (
        Decimal(70), "buy", Decimal(1260))
    assert (rows["Bonds"].action, rows["Bonds"].amount) == ("buy", Decimal(540))
    assert after.moves == (
        "Buy 1,260.00 USD of Equities (68.76% now, target 70.00%).",
        "Buy 540.00 USD of Bonds (29.47% now, target 30.00%).",
    )


def test_targets_not_adding_up_warn(report_of) -> None:
    text = SPEC_EXAMPLE.replace('"Bonds" 40', '"Bonds" 30')
    report = report_of(text, "2024-01-10")
    assert any("add up to 90%" in w for w in report.warnings)  # 60 + 30
    assert any("add up to 90%" in e.message for e in report.errors)


def test_empty_ledger_reports_what_is_missing(report_of) -> None:
    report = report_of("", "2024-01-10")
    assert report.total == 0
    assert report.allocation.targeted == report.allocation.untargeted == report.allocation.uncategorized == ()
    assert report.missing == (NO_HOLDINGS, NO_TARGETS)
    assert report.moves == ()
    assert report.cash_needed == 0


def test_no_targets_reports_missing_targets(report_of) -> None:
    text = SPEC_EXAMPLE.replace('custom "rebalance-target"', 'custom "not-a-target"')
    report = report_of(text, "2024-01-10")
    assert report.missing == (NO_TARGETS,)
    assert report.allocation.targeted == ()
    assert [(r.category, r.value) for r in report.allocation.untargeted] == [
        ("Equities", Decimal(70000)), ("Bonds", Decimal(30000))]
    assert report.moves == ()


def test_nothing_categorized(report_of) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:Bank
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Cash" 100
    2010-01-01 open Assets:Cash
      asset-class: "Cash"
    2024-01-02 * "deposit"
      Assets:Bank  100 USD
      Equity:Opening
    """
    report = report_of(text, "2024-01-10")
    assert report.missing == (NOTHING_CATEGORIZED,)
    # Cash row: 0 of 100 = 0%, target 100 → buy 100.
    assert (_rows(report)["Cash"].action, _rows(report)["Cash"].amount) == ("buy", Decimal(100))


def test_moves_text_and_order_with_ties() -> None:
    def row(category: str, amount: str, action: str, percent: str, target: str, over: bool) -> TargetRow:
        value = Decimal(1) if over else Decimal(0)  # only which side of the target counts here
        why = "within-band" if action == "none" else None  # Gold's 0.5 is not moved either way
        return TargetRow(category, value, Decimal(percent), Decimal(target), Decimal(0), Decimal(0),
                         Decimal(amount), action, (), Decimal("0.5"), why)

    rows = (
        row("Cash", "500", "buy", "5", "10", over=False),
        row("Bonds", "1234567.891", "buy", "10.005", "40", over=False),
        row("Equities", "500", "sell", "65.125", "60", over=True),
        row("Gold", "0.5", "none", "1", "0", over=True),
        row("Intl", "700", "none", "21", "20", over=True),
    )
    moves = suggested_moves(Allocation(Decimal(1000), rows, (), ()), "EUR", Decimal(1), Decimal(100))
    # Biggest first; equal amounts by category name (Cash before Equities). Intl is inside its
    # band but moves with the others (above its target: a sell); Gold's 0.5 is below min-trade.
    # Rounding half up: 1,234,567.891 → 1,234,567.89; 10.005 → 10.01; 65.125 → 65.13.
    assert moves.sentences == (
        "Buy 1,234,567.89 EUR of Bonds (10.01% now, target 40.00%).",
        "Sell 700.00 EUR of Intl (21.00% now, target 20.00%; inside its band, rebalanced with the others).",
        "Buy 500.00 EUR of Cash (5.00% now, target 10.00%).",
        "Sell 500.00 EUR of Equities (65.13% now, target 60.00%).",
    )
    # Nothing outside its band: no moves at all.
    calm = tuple(replace(r, action="none") for r in rows)
    quiet = suggested_moves(Allocation(Decimal(1000), calm, (), ()), "EUR", Decimal(1), Decimal(100))
    assert quiet.moves == ()


@pytest.mark.parametrize(
    ("number", "two", "sep", "sign"),
    [
        ("0.125", "0.13", "0.13", "+0.13"),  # half up, not half even (which gives 0.12)
        ("0.135", "0.14", "0.14", "+0.14"),
        ("-0.125", "-0.13", "-0.13", "-0.13"),  # half away from zero
        ("-0.004", "0.00", "0.00", "+0.00"),  # no "-0.00"
        ("-2.5", "-2.50", "-2.50", "-2.50"),
        ("1234567.005", "1234567.01", "1,234,567.01", "+1234567.01"),
        ("8920", "8920.00", "8,920.00", "+8920.00"),
    ],
)
def test_display_rounding(number: str, two: str, sep: str, sign: str) -> None:
    assert plain(Decimal(number)) == two
    assert grouped(Decimal(number)) == sep
    assert signed(Decimal(number)) == sign


# Property: every unit of value lands in exactly one row, whatever the classes and targets.
_CATEGORIES = ["Equities", "Equities:US", "Equities:US:Small", "Bonds", "Cash"]


@st.composite
def _portfolios(draw: st.DrawFn) -> tuple[list[Holding], dict[str, tuple[Share, ...] | None], set[str]]:
    commodities = [f"C{i}" for i in range(draw(st.integers(1, 6)))]
    classes: dict[str, tuple[Share, ...] | None] = {}
    for commodity in commodities:
        kind = draw(st.sampled_from(["none", "one", "split"]))
        if kind == "none":
            classes[commodity] = None
        elif kind == "one":
            classes[commodity] = (Share(draw(st.sampled_from(_CATEGORIES)), Decimal(1)),)
        else:
            first, second = draw(st.lists(st.sampled_from(_CATEGORIES), min_size=2, max_size=2, unique=True))
            pct = draw(st.integers(1, 99))
            classes[commodity] = (Share(first, Decimal(pct) / 100), Share(second, Decimal(100 - pct) / 100))
    holdings = [
        Holding("Assets:X", c, Decimal(1), (), Decimal(draw(st.integers(0, 10**9))) / 100,
                None, None, "price")
        for c in commodities
    ]
    # Targets on a subset with no category and its ancestor both targeted.
    targeted: set[str] = set()
    for name in draw(st.lists(st.sampled_from(_CATEGORIES), unique=True)):
        if not any(is_within(name, t) or is_within(t, name) for t in targeted):
            targeted.add(name)
    return holdings, classes, targeted


@given(_portfolios())
def test_every_value_lands_in_exactly_one_row(portfolio) -> None:
    holdings, classes, targeted = portfolio
    when = datetime.date(2024, 1, 1)
    dummy = data.Custom(data.new_metadata("<t>", 1), when, "rebalance-target", [])
    share = Decimal(100) / len(targeted) if targeted else Decimal(0)
    settings = Settings(when, Options(accounts=re.compile("^Assets:"), currency="USD"),
                        {name: Target(name, share, when, dummy) for name in targeted}, {})
    alloc = allocate(holdings, lambda _account, commodity: classes[commodity], settings)
    total = sum((h.value for h in holdings), Decimal(0))
    assert alloc.total == total
    rows = [*alloc.targeted, *alloc.untargeted, *alloc.uncategorized]
    # Values have 2 decimals and fractions 2 decimals, so every product is exact.
    assert sum((r.value for r in rows), Decimal(0)) == total
    assert {r.category for r in alloc.targeted} == targeted  # every target is a row, held or not
    assert all(settings.target_for(r.category) is None for r in alloc.untargeted)
    assert all(classes[r.commodity] is None for r in alloc.uncategorized)
    if total > 0:
        assert abs(sum((r.percent for r in rows), Decimal(0)) - 100) < Decimal("1e-20")
