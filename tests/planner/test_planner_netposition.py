"""Net positions (booked without lots, or lots of both signs): average basis, oldest first, by hand."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from decimal import Decimal

from fava_rebalance.core.formatting import round2
from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.options import Options
from fava_rebalance.planner.lots import sell_order, take_lots
from fava_rebalance.planner.netposition import (
    BOOKED_WITHOUT_LOTS,
    MIXED_SIGNS,
    net_position,
    remaining,
    sold_as_net,
)
from fava_rebalance.planner.optimize import segments

D = Decimal
DAY = datetime.date
OPTIONS = Options(accounts=re.compile("^Assets:"), currency="USD")  # 24% short, 15% long


def usd(units: int, cost: int, day: datetime.date | None) -> Lot:
    return Lot(D(units), D(cost), "USD", day)


def at_par(lot: Lot) -> Decimal | None:
    return D(1)


def test_which_holdings_are_sold_as_a_net_position() -> None:
    long, short = usd(10, 100, DAY(2022, 1, 10)), usd(-5, 110, DAY(2025, 9, 1))
    assert sold_as_net("NONE", [long])            # booked without lots, even with one sign
    assert sold_as_net("FIFO", [long, short])     # both signs, whatever the booking
    assert not sold_as_net("FIFO", [long])
    assert not sold_as_net("STRICT", [short])     # a plain short: no position to sell


def test_reductions_take_the_oldest_units() -> None:
    # +10 (2022-01-10), +10 (2025-06-01), −5 (2025-09-01): the sale takes 5 of the 2022 units.
    a, b, c = usd(10, 100, DAY(2022, 1, 10)), usd(10, 150, DAY(2025, 6, 1)), usd(-5, 110, DAY(2025, 9, 1))
    assert remaining([c, b, a]) == [(a, D(5)), (b, D(10))]
    # +2 (2022), +5 and −5 on one day in 2023: the purchase comes first, the sale takes the
    # 2 units of 2022 and 3 of 2023; 2 of 2023 are left.
    i, g, h = usd(2, 90, DAY(2022, 1, 1)), usd(5, 100, DAY(2023, 1, 1)), usd(-5, 100, DAY(2023, 1, 1))
    assert remaining([h, g, i]) == [(g, D(2))]


def test_a_purchase_first_covers_what_is_short() -> None:
    # −4 (2021-01-01) opens a short; +10 (2021-02-01) covers the 4 and keeps 6; −3 takes 3 of them.
    d, e, f = usd(-4, 100, DAY(2021, 1, 1)), usd(10, 90, DAY(2021, 2, 1)), usd(-3, 95, DAY(2021, 3, 1))
    assert remaining([d, e, f]) == [(e, D(3))]
    assert remaining([usd(10, 100, None), usd(-2, 90, DAY(2024, 1, 1))]) is None  # a lot without a date


def test_average_cost_as_the_ledger_states_it() -> None:
    # Σ(units × cost) = 10 × 100 + 10 × 150 − 5 × 110 = 1,950 over 15 net units: 130 a unit.
    # Price 200: gain 70 a unit. As of 2026-01-15 the 5 units of 2022-01-10 are long-term,
    # the 10 of 2025-06-01 short-term; a sale takes the 2022 ones first.
    a, b, c = usd(10, 100, DAY(2022, 1, 10)), usd(10, 150, DAY(2025, 6, 1)), usd(-5, 110, DAY(2025, 9, 1))
    net, facts = net_position([a, b, c], "NONE", D(200), DAY(2026, 1, 15), OPTIONS, at_par)
    assert (net.cause, net.units, net.basis, net.cost, net.cost_currency, net.dated, net.floored) == (
        BOOKED_WITHOUT_LOTS, D(15), D(130), D(130), "USD", True, False)
    assert [(f.units, f.lot.cost, f.lot.date, f.term, f.gain_per_unit, f.bought) for f in facts] == [
        (D(5), D(130), DAY(2022, 1, 10), "long", D(70), a),
        (D(10), D(130), DAY(2025, 6, 1), "short", D(70), b),
    ]
    assert all(f.averaged for f in facts)
    # Selling 8 takes the 5 long-term units, then 3 short-term: gains 350 and 210.
    taken, left = take_lots(sell_order(facts, fifo=True), D(8))
    assert [(f.term, units, units * f.gain_per_unit) for f, units in taken] == [
        ("long", D(5), D(350)), ("short", D(3), D(210))]
    assert left == 0


def test_oldest_first_even_where_another_order_would_save_more() -> None:
    # A loss: 130 average, price 100, −30 a unit. Cheapest-first would sell the short-term
    # units first (a short-term loss saves 24%, a long-term one 15%), but the holding period
    # is first in, first out: the long-term units go first.
    a, b, c = usd(10, 100, DAY(2022, 1, 10)), usd(10, 150, DAY(2025, 6, 1)), usd(-5, 110, DAY(2025, 9, 1))
    _, facts = net_position([a, b, c], "NONE", D(100), DAY(2026, 1, 15), OPTIONS, at_par)
    taken, _ = take_lots(sell_order(facts, fifo=True), D(6))
    assert [(f.term, units, units * f.gain_per_unit) for f, units in taken] == [
        ("long", D(5), D(-150)), ("short", D(1), D(-30))]


def test_each_lot_at_its_own_rate() -> None:
    # +10 {100 EUR} bought at 1 EUR = 1.10 USD, −5 {120 EUR} written when it was 1.04:
    # in EUR (1,000 − 600) / 5 = 80 a unit; in USD (1,100 − 624) / 5 = 95.20 a unit.
    bought, sold = Lot(D(10), D(100), "EUR", DAY(2022, 1, 10)), Lot(D(-5), D(120), "EUR", DAY(2024, 3, 1))
    rates = {bought: D("1.10"), sold: D("1.04")}
    net, facts = net_position([bought, sold], "FIFO", D(150), DAY(2026, 1, 15), OPTIONS, rates.get)
    assert (net.cause, net.basis, net.cost, net.cost_currency) == (MIXED_SIGNS, D("95.2"), D(80), "EUR")
    assert [(f.units, f.gain_per_unit, f.term) for f in facts] == [(D(5), D("54.8"), "long")]  # 150 − 95.20
    # No rate for a lot: no basis in USD, so the gain is taken as 0 (the order says so).
    net, facts = net_position([bought, sold], "FIFO", D(150), DAY(2026, 1, 15), OPTIONS, {bought: D(1)}.get)
    assert (net.basis, net.cost, facts[0].gain_per_unit) == (None, D(80), D(0))


def test_an_average_below_zero_is_taken_as_zero() -> None:
    # 10 × 100 − 9 × 200 = −800 for 1 unit: no basis can be negative; 0, so all 150 is gain.
    net, facts = net_position([usd(10, 100, DAY(2022, 1, 1)), usd(-9, 200, DAY(2023, 1, 1))], "NONE",
                              D(150), DAY(2026, 1, 15), OPTIONS, at_par)
    assert (net.basis, net.cost, net.floored) == (D(0), D(0), True)
    assert [(f.units, f.gain_per_unit) for f in facts] == [(D(1), D(150))]


def test_undated_units_take_the_term_that_costs_more_tax() -> None:
    # (10 × 100 − 2 × 90) / 8 = 102.50. At 150 a gain: short-term (24% > 15%); at 90 a loss:
    # long-term (it saves 15%, less than 24%). One share of all 8 units, with no purchase.
    lots = [usd(10, 100, None), usd(-2, 90, DAY(2024, 1, 1))]
    net, facts = net_position(lots, "NONE", D(150), DAY(2026, 1, 15), OPTIONS, at_par)
    assert (net.basis, net.dated) == (D("102.5"), False)
    assert [(f.units, f.term, f.gain_per_unit, f.purchase) for f in facts] == [
        (D(8), "short", D("47.5"), None)]
    _, facts = net_position(lots, "NONE", D(90), DAY(2026, 1, 15), OPTIONS, at_par)
    assert [(f.term, f.gain_per_unit) for f in facts] == [("long", D("-12.5"))]


def test_irs_publication_564_average_basis_example() -> None:
    # IRS Publication 564 (2009), Table 3: 160 shares at $25 (2008-02-06), 240 at $20
    # (2008-08-07), 10 at $30 reinvested (2008-12-18): $9,100 for 410 shares. 210 shares are
    # sold on 2009-10-01 for $6,720 ($32). Single-category average basis: $9,100 / 410 =
    # $22.20 a share (the publication rounds to the cent); the shares sold are the first
    # bought (FIFO): the 160 of 2008-02-06 and 50 of 2008-08-07, both held more than a year.
    # Exactly: basis 210 × 9,100 / 410 = 4,660.98; gain 6,720 − 4,660.98 = 2,059.02.
    lots = [usd(160, 25, DAY(2008, 2, 6)), usd(240, 20, DAY(2008, 8, 7)), usd(10, 30, DAY(2008, 12, 18))]
    net, facts = net_position(lots, "NONE", D(32), DAY(2009, 10, 1), OPTIONS, at_par)
    assert net.basis is not None
    assert round2(net.basis) == D("22.20")
    taken, _ = take_lots(sell_order(facts, fifo=True), D(210))
    assert [(f.lot.date, units, f.term) for f, units in taken] == [
        (DAY(2008, 2, 6), D(160), "long"), (DAY(2008, 8, 7), D(50), "long")]
    assert round2(sum((units * f.gain_per_unit for f, units in taken), D(0))) == D("2059.02")


def test_the_optimiser_sells_the_parts_strictly_in_order() -> None:
    # At 100 every unit loses 30 (average 130). 2 of the 5 long-term units are covered by
    # a replacement bought in the window (washed when sold first). Segments, in order: the 2
    # washed long-term units, the other 3 long-term, the 10 short-term; each usable only
    # once the one before is sold whole. Without exactness (large households) the partly
    # covered part counts as washed whole: 5 washed long-term, then 10 short-term.
    a, b, c = usd(10, 100, DAY(2022, 1, 10)), usd(10, 150, DAY(2025, 6, 1)), usd(-5, 110, DAY(2025, 9, 1))
    _, facts = net_position([a, b, c], "NONE", D(100), DAY(2026, 1, 15), OPTIONS, at_par)
    facts = (replace(facts[0], covered=D(2)), facts[1])
    found = segments(facts, taxable=True, harvest=True, fifo=True)
    assert [(s.units, s.term, s.washed, s.gain, s.first) for s in found] == [
        (D(2), "long", True, D(-30), None), (D(3), "long", False, D(-30), 0),
        (D(10), "short", False, D(-30), 1)]
    rough = segments(facts, taxable=True, harvest=True, fifo=True, exact=False)
    assert [(s.units, s.term, s.washed, s.first) for s in rough] == [
        (D(5), "long", True, None), (D(10), "short", False, 0)]
