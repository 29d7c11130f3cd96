"""Item 11 of issue 9: the plan's summary says what its ``after`` rows reach, and no more.

"Brings every category to its target" only when every category ends less than min-trade
from it; otherwise inside every band (and the furthest category, by how much), or which
categories are left outside their band. Figures worked out by hand below.
"""

from __future__ import annotations

from decimal import Decimal as D

from fava_rebalance.core.allocation import within_band
from fava_rebalance.core.formatting import grouped
from fava_rebalance.planner.model import AfterRow
from fava_rebalance.views.plan_summary import plan_reach


def _row(category: str, target: str, band: str, value: str) -> AfterRow:
    # The portfolio after is 10,000 in every case: percent = value / 100. Whether the row
    # is within its band is the planner's verdict, by the one rule (as plan.after_rows).
    inside = within_band(D(value), D(target), D(band), D(10000))
    return AfterRow(category, D(target), D(band), D(0), D(0), D(value), D(value) / 100, inside)


def reach(*rows: AfterRow, min_trade: str = "1") -> str:
    return plan_reach(rows, D(10000), D(min_trade), grouped, "USD")


def test_every_target_only_when_each_is_less_than_min_trade_away() -> None:
    # A 6,000.50 against 60% × 10,000 = 6,000: 0.50 off, B 0.50 under: both below min-trade 1.
    assert reach(_row("A", "60", "5", "6000.50"), _row("B", "40", "5", "3999.50")) == (
        "It brings every category to its target.")


def test_inside_every_band_names_the_furthest() -> None:
    # A 6,150 = 61.50% (+1.50, 150 above 6,000); B 3,850 = 38.50% (−1.50, 150 below 4,000);
    # equal distance: the later name wins the tie (B). Both inside ±5.
    assert reach(_row("A", "60", "5", "6150"), _row("B", "40", "5", "3850")) == (
        "It brings every category inside its band, though not every one to its target: the furthest is B, "
        "1.50 points (150.00 USD) below its target.")
    # With min-trade 200 both are "at" their target (150 < 200).
    assert reach(_row("A", "60", "5", "6150"), _row("B", "40", "5", "3850"), min_trade="200") == (
        "It brings every category to its target.")


def test_a_category_left_outside_its_band() -> None:
    # Cash 749 = 7.49% against 10 ± 2.5: outside, 2.51 points and 1,000 − 749 = 251 below.
    assert reach(_row("Cash", "10", "2.5", "749"), _row("Stocks", "90", "5", "9251")) == (
        "It leaves Cash outside its band, 2.51 points (251.00 USD) below its target; every other category "
        "ends inside its band.")


def test_several_categories_left_outside() -> None:
    # A 7,000 = 70% against 60 ± 5: 10 points, 1,000 above; B 3,000 = 30% against 40 ± 5:
    # 10 points, 1,000 below. Nothing else: no "every other category".
    assert reach(_row("A", "60", "5", "7000"), _row("B", "40", "5", "3000")) == (
        "It leaves 2 categories outside their bands: A, 10.00 points (1,000.00 USD) above its target; B, "
        "10.00 points (1,000.00 USD) below its target.")
