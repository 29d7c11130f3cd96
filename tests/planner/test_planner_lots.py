"""Holding periods, lot order and Schedule D netting, by hand."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.options import Options
from fava_rebalance.planner.lots import (
    estimated_tax,
    lot_facts,
    netted_rates,
    sell_order,
    take_lots,
    term_of,
    washed_units,
)

D = Decimal
DAY = datetime.date
OPTIONS = Options(accounts=re.compile("^Assets:"), currency="USD")  # 24% short, 15% long


def test_long_term_means_more_than_one_year() -> None:
    assert term_of(DAY(2025, 3, 15), DAY(2026, 3, 15)) == "short"  # exactly one year
    assert term_of(DAY(2025, 3, 15), DAY(2026, 3, 16)) == "long"
    assert term_of(DAY(2024, 2, 29), DAY(2025, 2, 28)) == "short"
    assert term_of(DAY(2024, 2, 29), DAY(2025, 3, 1)) == "long"
    assert term_of(None, DAY(2026, 1, 1)) == "short"  # unknown: the higher rate


def test_lot_order_and_split() -> None:
    # Price 200. Tax per unit: A (LT, cost 100): 15% × 100 = 15; B (ST, cost 180):
    # 24% × 20 = 4.80; C (ST, cost 250): 24% × −50 = −12; D (LT, cost 190): 15% × 10 = 1.50.
    lots = [Lot(D(50), D(100), "USD", DAY(2023, 1, 10)), Lot(D(50), D(180), "USD", DAY(2026, 9, 1)),
            Lot(D(20), D(250), "USD", DAY(2026, 6, 1)), Lot(D(10), D(190), "USD", DAY(2020, 1, 1))]
    facts = lot_facts(lots, D(200), DAY(2026, 11, 20), OPTIONS,
                      lambda lot: D(1) if lot.cost_currency == "USD" else None)
    pieces, left = take_lots(sell_order(facts), D(45))
    # C 20 (loss), D 10 (high-basis long-term), B 15; A untouched.
    assert [(f.lot.cost, units) for f, units in pieces] == [(D(250), D(20)), (D(190), D(10)), (D(180), D(15))]
    assert left == 0
    # Without losses (a wash sale the plan must not cause) C is skipped.
    pieces, _ = take_lots(sell_order(facts, losses=False), D(5))
    assert [(f.lot.cost, units) for f, units in pieces] == [(D(190), D(5))]


def test_covered_units_of_a_lot_are_sold_first() -> None:
    # A loss lot of 10 units (cost 250, price 200) of which 3 are covered by replacement
    # shares bought in the window: selling 5 sells the 3 covered units first (Treas. Reg.
    # §1.1091-1(b): the first shares sold are matched), so 3 are washed and 2 are not.
    lots = [Lot(D(10), D(250), "USD", DAY(2026, 6, 1))]
    (fact,) = lot_facts(lots, D(200), DAY(2026, 11, 20), OPTIONS, lambda lot: D(1))

    fact = replace(fact, covered=D(3))
    order = sell_order([fact])
    assert [(p.units, p.washed) for p in order] == [(D(3), True), (D(7), False)]
    pieces, _ = take_lots(order, D(5))
    assert pieces == [(fact, D(5))]  # one lot, listed once
    assert washed_units(fact, D(5)) == D(3)
    assert washed_units(fact, D(2)) == D(2)


def test_schedule_d_netting() -> None:
    assert estimated_tax(D(1000), D(2000), OPTIONS) == D(240) + D(300)
    # A 1,000 short-term loss against a 3,000 long-term gain: 2,000 long-term left, 15% = 300.
    assert estimated_tax(D(-1000), D(3000), OPTIONS) == D(300)
    # A 3,000 short-term gain against a 1,000 long-term loss: 2,000 short-term, 24% = 480.
    assert estimated_tax(D(3000), D(-1000), OPTIONS) == D(480)
    # Net losses: a saving, at the rate of the side that remains.
    assert estimated_tax(D(-3000), D(1000), OPTIONS) == D(-480)
    assert estimated_tax(D(-100), D(-100), OPTIONS) == D(-39)


def test_netted_rates_give_every_order_its_share() -> None:
    # Same signs, or one side nothing: each keeps its own rate.
    assert netted_rates(D(1000), D(0), OPTIONS) == (D("0.24"), D("0.15"))
    assert netted_rates(D(-100), D(-100), OPTIONS) == (D("0.24"), D("0.15"))
    # Opposite signs: the rate of the side that remains applies to every result. A 1,000
    # short-term loss and a 3,000 long-term gain: 15% on both, -150 + 450 = 300, the estimate.
    assert netted_rates(D(-1000), D(3000), OPTIONS) == (D("0.15"), D("0.15"))
    assert netted_rates(D(3000), D(-1000), OPTIONS) == (D("0.24"), D("0.24"))
    assert netted_rates(D(-3000), D(1000), OPTIONS) == (D("0.24"), D("0.24"))
