"""The example ledger's second portfolio, College, as ``example-ledger/README.md`` works it out.

The figures are the README's (worked by hand there): a glide path from 70/30 on 2026-01-01
to 50/50 on 2036-01-01, 323 of 3,652 days gone on 2026-11-20.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from beancount import loader

from fava_rebalance.core.formatting import round2
from fava_rebalance.core.pipeline import Ledger, analyse_portfolios
from fava_rebalance.core.targets import Glide

EXAMPLE = Path(__file__).resolve().parents[2] / "example-ledger" / "example.beancount"


def example_ledger() -> Ledger:
    entries, errors, options_map = loader.load_file(str(EXAMPLE))
    assert not errors, [e.message for e in errors]
    return Ledger.from_entries(entries, options_map)


def test_college_on_2026_11_20() -> None:
    ledger = example_ledger()
    assert ledger.declarations.portfolio_names == ("Main", "College")
    main, college = analyse_portfolios(ledger, datetime.date(2026, 11, 20))
    # Main is unchanged by the second portfolio: 897,082.8635.
    assert main.total == Decimal("897082.8635")
    # College: 80 VTI × 300 + 100 BND × 72 = 24,000 + 7,200.
    assert college.total == Decimal(31200)
    rows = {r.category: r for r in college.allocation.targeted}
    bonds, stocks = rows["Bonds"], rows["Equities:US"]
    # Bonds = 30 + 1,615 / 913; Equities:US = 70 − 1,615 / 913.
    assert bonds.target == Decimal(30) + Decimal(1615) / Decimal(913)
    assert stocks.target == Decimal(70) - Decimal(1615) / Decimal(913)
    assert (round2(bonds.target), round2(stocks.target)) == (Decimal("31.77"), Decimal("68.23"))
    assert college.settings.targets["Bonds"].glide == Glide(
        Decimal(30), datetime.date(2026, 1, 1), Decimal(50), datetime.date(2036, 1, 1))
    # Percents 23.08 / 76.92, differences ∓8.69, bands 3, amounts 2,711.89 each way.
    assert [(round2(r.percent), round2(r.difference), r.band, round2(r.amount), r.action)
            for r in (bonds, stocks)] == [
        (Decimal("23.08"), Decimal("-8.69"), Decimal(3), Decimal("2711.89"), "buy"),
        (Decimal("76.92"), Decimal("8.69"), Decimal(3), Decimal("2711.89"), "sell")]
    assert round2(college.cash_needed) == Decimal("3974.57")
    assert college.band_deposit.amount == Decimal("2493.15")
    # The household: 897,082.8635 + 31,200.
    assert main.total + college.total == Decimal("928282.8635")


def test_college_has_no_targets_before_its_first_waypoint() -> None:
    _, college = analyse_portfolios(example_ledger(), datetime.date(2025, 12, 31))
    assert college.allocation.targeted == ()
    # 80 VTI × 290.00, untargeted Equities:US.
    assert [(r.category, r.value) for r in college.allocation.untargeted] == [("Equities:US", Decimal(23200))]
