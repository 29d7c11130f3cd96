"""SPEC §3 ``cash_needed_band``: the smallest deposit after which buying alone puts every
targeted category inside its band. Every figure is worked out by hand below.

Notation as in ``fava_rebalance/core/band_deposit.py``: ``T`` the total, ``v`` a category's value,
``l`` and ``h`` its band's lower and upper edges as fractions of the total, ``D`` the deposit.
"""

from __future__ import annotations

from decimal import Decimal as D

from fava_rebalance.core.allocation import Allocation, TargetRow, cash_needed
from fava_rebalance.core.band_deposit import cash_needed_band


def _row(category: str, value: str, target: str, band: str) -> TargetRow:
    return TargetRow(category, D(value), D(0), D(target), D(0), D(band), D(0), "none", (), D(0))


def _alloc(total: str, *rows: TargetRow) -> Allocation:
    return Allocation(D(total), rows, (), ())


def test_the_example_household_only_the_total_growing_brings_us_stocks_down() -> None:
    # The example ledger on 2026-11-20 (example-ledger/README.md): total 897,082.86, of which
    # 41,300.00 has no target. Bands (5/25 rule): Bonds 35 ± 5, Cash 10 ± 2.5,
    # International 15 ± 3.75, US 40 ± 5.
    alloc = _alloc("897082.86",
                   _row("Bonds", "264491.22", "35", "5"),
                   _row("Cash", "71230.00", "10", "2.5"),
                   _row("Equities:International", "97200.00", "15", "3.75"),
                   _row("Equities:US", "422861.64", "40", "5"))
    # Equities:US is above its band's top, 45%; buying never lowers it, only the total
    # growing does: 422,861.64 / 0.45 = 939,692.5333.. ; − 897,082.86 = 42,609.6733..
    # At that total the others need: Bonds 30% × 939,692.53 = 281,907.76 − 264,491.22
    # = 17,416.54; International 11.25% × 939,692.53 = 105,715.41 − 97,200 = 8,515.41;
    # Cash 7.5% = 70,476.94 ≤ 71,230: nothing. 25,931.95 ≤ 42,609.67: the deposit is enough.
    # Rounded up to the cent, so that depositing the figure shown is enough: 42,609.68.
    assert cash_needed_band(alloc, "USD").amount == D("42609.68")
    # Beside it, today's cash_needed (no category above its target): 422,861.64 / 0.40
    # − 897,082.86 = 1,057,154.10 − 897,082.86 = 160,071.24.
    assert cash_needed(alloc).quantize(D("0.01")) == D("160071.24")


def test_holdings_without_a_target_make_the_lower_edge_bind() -> None:
    # T = 100: A 10 (target 50 ± 10), B 70 (50 ± 10), 20 without a target.
    alloc = _alloc("100", _row("A", "10", "50", "10"), _row("B", "70", "50", "10"))
    # Upper edges: B 70 / 0.60 − 100 = 16.67; A far below its top. Lower edges: A needs
    # 40% of (100 + D) − 10; B's 40% of (100 + D) stays below 70 up to D = 75. So
    # f(D) = (80 + D) − 0.4 (100 + D) − 70 = 0.6 D − 30 = 0 at D = 50.
    # Check: 150 in all, A 60 = 40.00% (its edge), B 70 = 46.67%, the rest 20 = 13.33%.
    assert cash_needed_band(alloc, "USD").amount == D(50)
    # cash_needed is smaller (70 / 0.5 − 100 = 40) but leaves A at 40 / 140 = 28.57%,
    # outside its band: the two figures answer different questions.
    assert cash_needed(alloc) == D(40)


def test_the_answer_lies_past_a_breakpoint() -> None:
    # T = 100: A 10 (40 ± 10), B 25 (30 ± 10), C 45 (30 ± 10), 20 without a target.
    alloc = _alloc("100", _row("A", "10", "40", "10"), _row("B", "25", "30", "10"),
                   _row("C", "45", "30", "10"))
    # Upper edges: C 45 / 0.40 − 100 = 12.5, so D ≥ 12.5.
    # From 12.5 to 25 only A is below its lower edge (B's 20% of 100 + D reaches 25 at
    # D = 25): f(D) = (80 + D) − 0.3 (100 + D) − 25 − 45 = 0.7 D − 20, still −2.5 at 25
    # (its root 28.57 lies beyond the piece: B would then be at 25 / 128.57 = 19.44%).
    # From 25 on A and B: f(D) = (80 + D) − 0.5 (100 + D) − 45 = 0.5 D − 15 = 0 at D = 30.
    # Check at 130: A 10 + 29 = 39 = 30.00%, B 25 + 1 = 26 = 20.00%, C 45 = 34.62%.
    assert cash_needed_band(alloc, "USD").amount == D(30)


def test_zero_bands_with_no_untargeted_holdings_equal_cash_needed() -> None:
    # T = 100: A 70 (target 60), B 30 (target 40), no bands. A comes down to 60% only at
    # 70 / 0.6 = 116.666..: D = 16.666..; B then needs 40% × 116.67 − 30 = 16.67: all of it.
    alloc = _alloc("100", _row("A", "70", "60", "0"), _row("B", "30", "40", "0"))
    assert cash_needed_band(alloc, "USD").amount == D("16.67")  # 16.666.. rounded up to the cent
    assert cash_needed(alloc).quantize(D("0.01")) == D("16.67")


def test_zero_bands_and_holdings_without_a_target_no_deposit_does_it() -> None:
    # T = 100: A 40 and B 40 (targets 50, no band), 20 without a target: after any deposit
    # D both need exactly 50% of 100 + D, 100 + D in all, but only 80 + D is theirs.
    found = cash_needed_band(_alloc("100", _row("A", "40", "50", "0"), _row("B", "40", "50", "0")), "USD")
    assert found.amount is None
    assert "holdings without a target" in found.why_not


def test_a_zero_target_with_no_band_holding_value_is_never_inside() -> None:
    found = cash_needed_band(_alloc("100", _row("A", "90", "100", "0"), _row("Gold", "10", "0", "0")), "USD")
    assert found.amount is None
    assert found.why_not == ("Gold holds 10.00 USD with a target of 0% and no band, and buying never brings "
                             "it down to 0")


def test_a_zero_target_with_an_absolute_band() -> None:
    # Gold 10 with target 0 ± 5 (an absolute band): 10 / 0.05 − 100 = 100. A (100 ± 5, lower
    # edge 95%) then needs 95% × 200 − 90 = 100: all of it. At 200: A 190 = 95%, Gold 5%.
    alloc = _alloc("100", _row("A", "90", "100", "5"), _row("Gold", "10", "0", "5"))
    assert cash_needed_band(alloc, "USD").amount == D(100)


def test_zero_when_every_category_is_inside() -> None:
    alloc = _alloc("100", _row("A", "62", "60", "5"), _row("B", "38", "40", "5"))
    assert cash_needed_band(alloc, "USD").amount == 0


def test_nothing_held_needs_no_deposit() -> None:
    assert cash_needed_band(_alloc("0", _row("A", "0", "100", "0")), "USD").amount == 0
