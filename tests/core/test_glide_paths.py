"""SPEC §6.2: glide paths. Targets move by the day between waypoints, exactly; steps without glide.

Every day count below is worked out by hand from the calendar (leap years 2024, 2028, 2032).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from fava_rebalance.core.targets import Glide

D = datetime.date

# The SPEC's example: Bonds 30 on 2026-01-01 and 50 on 2036-01-01 (Stocks 70 → 50).
SPEC = """
option "operating_currency" "USD"
2020-01-01 commodity VTI
  asset-class: "Stocks"
2020-01-01 commodity BND
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:Taxable
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-option" "glide" TRUE
2026-01-01 custom "rebalance-target" "Stocks" 70
2026-01-01 custom "rebalance-target" "Bonds" 30
2036-01-01 custom "rebalance-target" "Stocks" 50
2036-01-01 custom "rebalance-target" "Bonds" 50
"""


def _targets(ledger, date: datetime.date, portfolio: str = "Main") -> dict[str, Decimal]:
    return {name: t.percent for name, t in ledger.declarations.as_of(date, portfolio).targets.items()}


def test_the_spec_example_is_exact_half_way(ledger_of) -> None:
    ledger = ledger_of(SPEC)
    assert ledger.errors == ()
    # 2026-01-01 → 2031-01-01: 365 + 365 + 366 (2028) + 365 + 365 = 1,826 days; the whole
    # span to 2036-01-01 adds 2031..2035 = 365 + 366 (2032) + 365 + 365 + 365 = 1,826: 3,652.
    # 1,826 / 3,652 is exactly one half: Bonds 30 + 20 / 2 = 40, Stocks 70 − 20 / 2 = 60.
    assert _targets(ledger, D(2031, 1, 1)) == {"Stocks": Decimal(60), "Bonds": Decimal(40)}
    bonds = ledger.declarations.as_of(D(2031, 1, 1)).targets["Bonds"]
    assert bonds.glide == Glide(Decimal(30), D(2026, 1, 1), Decimal(50), D(2036, 1, 1))


def test_each_day_moves_by_the_day_count_across_leap_years(ledger_of) -> None:
    ledger = ledger_of(SPEC)
    # 2026-01-01 → 2028-03-01: 365 + 365 + 31 + 29 (February 2028) = 790 days of 3,652.
    # Bonds = 30 + 20 × 790 / 3,652 = 30 + 15,800 / 3,652 = 30 + 3,950 / 913.
    on = _targets(ledger, D(2028, 3, 1))
    assert on["Bonds"] == Decimal(30) + Decimal(3950) / Decimal(913)
    assert on["Bonds"].quantize(Decimal("0.01")) == Decimal("34.33")  # 4.326396... → 34.33
    assert abs(on["Bonds"] + on["Stocks"] - 100) < Decimal("1e-25")  # every day adds up to 100
    # One day earlier (2028-02-29, the leap day) is 789 days: 20 × 789 / 3,652 less by 20/3,652.
    earlier = _targets(ledger, D(2028, 2, 29))
    assert abs(on["Bonds"] - earlier["Bonds"] - Decimal(20) / Decimal(3652)) < Decimal("1e-25")


def test_a_leap_day_is_a_day_of_its_own(ledger_of) -> None:
    # 2028-02-28 → 2028-03-01 is two days in a leap year; 2027-02-28 → 2027-03-01 one.
    ledger = ledger_of(SPEC.replace("2026-01-01 custom", "2028-02-28 custom")
                       .replace("2036-01-01 custom", "2028-03-01 custom"))
    assert _targets(ledger, D(2028, 2, 29)) == {"Stocks": Decimal(60), "Bonds": Decimal(40)}
    ledger = ledger_of(SPEC.replace("2026-01-01 custom", "2027-02-28 custom")
                       .replace("2036-01-01 custom", "2027-03-01 custom"))
    assert _targets(ledger, D(2027, 2, 28)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}
    assert _targets(ledger, D(2027, 3, 1)) == {"Stocks": Decimal(50), "Bonds": Decimal(50)}


def test_before_the_first_and_after_the_last_waypoint_nothing_moves(ledger_of) -> None:
    ledger = ledger_of(SPEC)
    assert _targets(ledger, D(2025, 12, 31)) == {}
    assert _targets(ledger, D(2026, 1, 1)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}
    assert _targets(ledger, D(2036, 1, 1)) == {"Stocks": Decimal(50), "Bonds": Decimal(50)}
    later = ledger.declarations.as_of(D(2040, 6, 1)).targets
    assert {n: t.percent for n, t in later.items()} == {"Stocks": Decimal(50), "Bonds": Decimal(50)}
    assert all(t.glide is None for t in later.values())


def test_without_glide_the_targets_step(ledger_of) -> None:
    ledger = ledger_of(SPEC.replace('"glide" TRUE', '"glide" FALSE'))
    assert _targets(ledger, D(2031, 1, 1)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}
    assert _targets(ledger, D(2035, 12, 31)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}
    assert _targets(ledger, D(2036, 1, 1)) == {"Stocks": Decimal(50), "Bonds": Decimal(50)}
    assert ledger.declarations.as_of(D(2031, 1, 1)).targets["Bonds"].glide is None


def test_a_category_missing_from_a_waypoint_counts_zero_there(ledger_of) -> None:
    ledger = ledger_of("""
        option "operating_currency" "USD"
        2020-01-01 commodity VTI
          asset-class: "Stocks"
        2020-01-01 commodity BND
          asset-class: "Bonds"
        2020-01-01 custom "rebalance-option" "glide" TRUE
        2023-01-01 custom "rebalance-target" "Stocks" 100
        2025-01-01 custom "rebalance-target" "Stocks" 60
        2025-01-01 custom "rebalance-target" "Bonds" 40
        """)
    assert ledger.errors == ()
    # 2023-01-01 → 2024-03-01: 365 + 31 + 29 = 425 days; the span to 2025-01-01 is
    # 365 + 366 = 731. Bonds (absent on 2023-01-01: 0 there) = 40 × 425 / 731 = 17,000 / 731.
    on = _targets(ledger, D(2024, 3, 1))
    assert on["Bonds"] == Decimal(17000) / Decimal(731)
    assert on["Bonds"].quantize(Decimal("0.01")) == Decimal("23.26")  # 23.2558...
    # Stocks = 100 + (60 − 100) × 425 / 731 = 100 − 17,000 / 731 = 76.744...
    assert on["Stocks"] == Decimal(100) - Decimal(17000) / Decimal(731)
    assert on["Stocks"].quantize(Decimal("0.01")) == Decimal("76.74")


def test_the_sum_check_holds_at_every_waypoint(ledger_of) -> None:
    # Waypoints that add up to 100 give no error; one that does not is reported once, at
    # its last target directive, even with glide.
    assert ledger_of(SPEC).errors == ()
    bad = ledger_of(SPEC.replace('2036-01-01 custom "rebalance-target" "Bonds" 50',
                                 '2036-01-01 custom "rebalance-target" "Bonds" 45'))
    assert [e.message for e in bad.errors] == ["targets in force on 2036-01-01 add up to 95%, not 100%"]


def test_a_report_uses_the_day_s_target(report_of) -> None:
    # On 2031-01-01 Bonds' target is 40: 400 BND of 1,000 total is exactly on target.
    report = report_of(SPEC + (
        '2026-01-02 * "buy"\n'
        "  Assets:Invest:Taxable  60 VTI {10 USD}\n"
        "  Assets:Invest:Taxable  40 BND {10 USD}\n"
        "  Equity:Opening\n"
        "2031-01-01 price VTI 10 USD\n"
        "2031-01-01 price BND 10 USD\n"), "2031-01-01")
    rows = {r.category: (r.target, r.difference) for r in report.allocation.targeted}
    assert rows == {"Stocks": (Decimal(60), Decimal(0)), "Bonds": (Decimal(40), Decimal(0))}


def test_glide_can_be_one_portfolio_s_option(ledger_of) -> None:
    ledger = ledger_of(SPEC.replace('2020-01-01 custom "rebalance-option" "glide" TRUE',
                                    '2020-01-01 open Assets:College\n  portfolio: "Kids"\n'
                                    '2020-01-01 custom "rebalance-option" "glide" TRUE\n  portfolio: "Kids"')
                       + '2026-01-01 custom "rebalance-target" "Stocks" 70\n  portfolio: "Kids"\n'
                         '2026-01-01 custom "rebalance-target" "Bonds" 30\n  portfolio: "Kids"\n'
                         '2036-01-01 custom "rebalance-target" "Stocks" 50\n  portfolio: "Kids"\n'
                         '2036-01-01 custom "rebalance-target" "Bonds" 50\n  portfolio: "Kids"\n')
    assert _targets(ledger, D(2031, 1, 1), "Kids") == {"Stocks": Decimal(60), "Bonds": Decimal(40)}
    assert _targets(ledger, D(2031, 1, 1)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}  # Main steps
    path = ledger.declarations.target_path("Kids")
    assert path.on(D(2031, 1, 1), glide=True)["Bonds"].percent == Decimal(40)
    assert path.on(D(2031, 1, 1))["Bonds"].percent == Decimal(30)
    assert "Cash" not in path.on(D(2031, 1, 1), glide=True)


def test_as_of_reads_the_glide_option_of_the_day(ledger_of) -> None:
    # glide is switched on only from 2031-01-01: on 2030-12-31 the targets step (70 / 30),
    # on 2031-01-01 they glide (half way: 60 / 40), as as_of says on each day.
    ledger = ledger_of(SPEC.replace('2020-01-01 custom "rebalance-option" "glide" TRUE',
                                    '2031-01-01 custom "rebalance-option" "glide" TRUE'))
    assert _targets(ledger, D(2030, 12, 31)) == {"Stocks": Decimal(70), "Bonds": Decimal(30)}
    assert _targets(ledger, D(2031, 1, 1)) == {"Stocks": Decimal(60), "Bonds": Decimal(40)}
