"""Drift history (SPEC §5.2): month-end percentages by hand, and every point equals the report.

The ledger: stocks and bonds 60/40 with a 5-point band from 2024-01-01, 50/50 from
2024-07-01; prices that move on days inside the months; a rebalance on 2024-06-10; a holding
with no target (OIL, class Commodities) and one with no class (GLD); a pending (!)
rebalance on the last date, 2024-10-15.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from fava_rebalance.core.allocation import within_band
from fava_rebalance.core.formatting import plain
from fava_rebalance.core.history import (
    HistoryPoint,
    drift_history,
    drift_history_of,
    outside_since,
    since_first,
    with_outside_since,
)
from fava_rebalance.core.periods import period_ends
from fava_rebalance.core.pipeline import Ledger, analyse

D = datetime.date
EXAMPLE = Path(__file__).resolve().parents[2] / "example-ledger" / "example.beancount"
PORTFOLIOS = Path(__file__).resolve().parents[1] / "ledgers" / "portfolios.beancount"

LEDGER = """
    option "operating_currency" "USD"
    2024-01-01 commodity STK
      asset-class: "Stocks"
    2024-01-01 commodity BND
      asset-class: "Bonds"
    2024-01-01 commodity OIL
      asset-class: "Commodities"
    2024-01-01 commodity GLD
    2024-01-01 open Assets:Broker
    2024-01-01 open Equity:Opening
    2024-01-01 open Income:Gains
    2024-01-01 custom "rebalance-target" "Stocks" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-01 custom "rebalance-option" "band" 5
    2024-01-01 custom "rebalance-option" "review" "quarterly"
    2024-07-01 custom "rebalance-target" "Stocks" 50
    2024-07-01 custom "rebalance-target" "Bonds" 50

    2024-01-10 * "Opening purchase"
      Assets:Broker       6 STK {100 USD}
      Assets:Broker      40 BND {10 USD}
      Assets:Broker       2 GLD {5 USD}
      Assets:Broker       1 OIL {10 USD}
      Equity:Opening  -1020 USD
    2024-01-10 price STK 100 USD
    2024-01-10 price BND  10 USD
    2024-01-10 price GLD   5 USD
    2024-01-10 price OIL  10 USD
    2024-02-15 price STK 120 USD
    2024-04-05 price STK 130 USD
    2024-05-10 price STK 140 USD

    2024-06-10 * "Sell a stock, buy bonds" #rebalance
      Assets:Broker      -1 STK {100 USD, 2024-01-10} @ 140 USD
      Assets:Broker      14 BND {10 USD}
      Income:Gains      -40 USD

    2024-08-20 price BND  11 USD
    2024-09-30 price GLD  15 USD

    2024-10-15 ! "Planned top-up" #rebalance
      Assets:Broker       2 BND {11 USD}
      Equity:Opening    -22 USD
"""

# Month by month, by hand (STK, BND, GLD, OIL units × the latest price on or before the day):
#  Jan-31: 6×100 = 600, 40×10 = 400, 2×5 = 10, 1×10 = 10; total 1,020
#          Stocks 600/1020 = 58.8235 → 58.82; Bonds 400/1020 = 39.2157 → 39.22;
#          OIL 10/1020 = 0.9804 → 0.98 (no target); GLD 0.98 (no class)
#  Feb-29: STK 6×120 = 720 (price of 02-15); total 720+400+10+10 = 1,140
#          Stocks 720/1140 = 63.1579 → 63.16 (≤ 65: inside); Bonds 400/1140 = 35.0877 → 35.09 (≥ 35)
#  Mar-31: unchanged
#  Apr-30: STK 6×130 = 780; total 1,200; Stocks 780/1200 = 65.00 exactly: on the band's edge,
#          inside; Bonds 400/1200 = 33.3333 → 33.33 < 35: outside
#  May-31: STK 6×140 = 840; total 1,260; Stocks 66.6667 → 66.67 > 65: outside;
#          Bonds 400/1260 = 31.7460 → 31.75: outside
#  Jun-30: after the rebalance, STK 5×140 = 700, BND 54×10 = 540; total 1,260;
#          Stocks 700/1260 = 55.5556 → 55.56 (≥ 55); Bonds 540/1260 = 42.8571 → 42.86 (≤ 45)
#  Jul-31: targets 50/50 (band 45–55): Stocks 55.56 > 55 and Bonds 42.86 < 45: both outside
#  Aug-31: BND 54×11 = 594; total 700+594+10+10 = 1,314; Stocks 700/1314 = 53.2725 → 53.27;
#          Bonds 594/1314 = 45.2055 → 45.21: both inside
#  Sep-30: GLD 2×15 = 30 (priced on the month end itself); total 1,334; Stocks 700/1334 =
#          52.4738 → 52.47; Bonds 594/1334 = 44.5277 → 44.53 < 45: outside; GLD 30/1334 = 2.2489 → 2.25
#  Oct-15: the pending top-up counts (Beancount books ! transactions): BND 56×11 = 616;
#          total 700+616+30+10 = 1,356; Stocks 700/1356 = 51.6224 → 51.62; Bonds 616/1356 = 45.4277 → 45.43
EXPECTED = [
    # date, total, (Stocks %, target, low, high), (Bonds %, ...), outside, untargeted %,
    # uncategorized %
    ("2024-01-31", "1020.00", ("58.82", "60.00", "55.00", "65.00"), ("39.22", "40.00", "35.00", "45.00"),
     set(), "0.98", "0.98"),
    ("2024-02-29", "1140.00", ("63.16", "60.00", "55.00", "65.00"), ("35.09", "40.00", "35.00", "45.00"),
     set(), "0.88", "0.88"),
    ("2024-03-31", "1140.00", ("63.16", "60.00", "55.00", "65.00"), ("35.09", "40.00", "35.00", "45.00"),
     set(), "0.88", "0.88"),
    ("2024-04-30", "1200.00", ("65.00", "60.00", "55.00", "65.00"), ("33.33", "40.00", "35.00", "45.00"),
     {"Bonds"}, "0.83", "0.83"),
    ("2024-05-31", "1260.00", ("66.67", "60.00", "55.00", "65.00"), ("31.75", "40.00", "35.00", "45.00"),
     {"Stocks", "Bonds"}, "0.79", "0.79"),
    ("2024-06-30", "1260.00", ("55.56", "60.00", "55.00", "65.00"), ("42.86", "40.00", "35.00", "45.00"),
     set(), "0.79", "0.79"),
    ("2024-07-31", "1260.00", ("55.56", "50.00", "45.00", "55.00"), ("42.86", "50.00", "45.00", "55.00"),
     {"Stocks", "Bonds"}, "0.79", "0.79"),
    ("2024-08-31", "1314.00", ("53.27", "50.00", "45.00", "55.00"), ("45.21", "50.00", "45.00", "55.00"),
     set(), "0.76", "0.76"),
    ("2024-09-30", "1334.00", ("52.47", "50.00", "45.00", "55.00"), ("44.53", "50.00", "45.00", "55.00"),
     {"Bonds"}, "0.75", "2.25"),
    ("2024-10-15", "1356.00", ("51.62", "50.00", "45.00", "55.00"), ("45.43", "50.00", "45.00", "55.00"),
     set(), "0.74", "2.21"),
]
# The small shares: 10/1140 = 0.8772 → 0.88; 10/1200 = 0.8333 → 0.83; 10/1260 = 0.7937 → 0.79;
# 10/1314 = 0.7610 → 0.76; 10/1334 = 0.7496 → 0.75; 10/1356 = 0.7375 → 0.74; 30/1356 = 2.2124 → 2.21.


def _row(point: HistoryPoint, name: str) -> tuple[str, str, str, str]:
    row = next(r for r in point.categories if r.category == name)
    return plain(row.percent), plain(row.target), plain(row.low), plain(row.high)


def test_month_end_points_by_hand(ledger_of) -> None:
    history = drift_history_of(ledger_of(LEDGER), D(2024, 10, 15))
    got = [(p.date.isoformat(), plain(p.total), _row(p, "Stocks"), _row(p, "Bonds"), set(p.outside),
            plain(p.untargeted_percent), plain(p.uncategorized_percent)) for p in history.points]
    assert got == EXPECTED
    assert history.every == "month"
    assert history.currency == "USD"
    # Rebalances from the first target to the last date, the pending one included.
    assert [(r.date, r.narration, r.pending) for r in history.rebalances] == [
        (D(2024, 6, 10), "Sell a stock, buy bonds", False), (D(2024, 10, 15), "Planned top-up", True)]
    # Quarterly from the rebalance of 2024-06-10: due 2024-09-10, overdue on 2024-10-15.
    review = history.review
    assert (review.last_rebalance, review.next_review, review.overdue) == (
        D(2024, 6, 10), D(2024, 9, 10), True)
    assert [r.date for r in review.pending] == [D(2024, 10, 15)]


@pytest.mark.parametrize(("last", "expected"), [
    # Bonds left its band on 2024-04-30 (33.33 < 35) and stayed out in May; Stocks only in May
    # (65.00 on 2024-04-30 is on the edge, inside).
    ("2024-05-31", {"Stocks": D(2024, 5, 31), "Bonds": D(2024, 4, 30)}),
    # After the rebalance both were inside in June; the new targets put both out in July.
    ("2024-07-31", {"Stocks": D(2024, 7, 31), "Bonds": D(2024, 7, 31)}),
    # Inside in August, Bonds out again in September.
    ("2024-09-30", {"Bonds": D(2024, 9, 30)}),
    ("2024-08-31", {}),
])
def test_outside_since(ledger_of, last: str, expected: dict[str, datetime.date]) -> None:
    ledger = ledger_of(LEDGER)
    date = D.fromisoformat(last)
    assert outside_since(drift_history_of(ledger, date).points) == expected
    report = with_outside_since(analyse(ledger, date), ledger)
    assert {row.category: report.since(row.category) for row in report.allocation.targeted} == {
        "Bonds": expected.get("Bonds"), "Stocks": expected.get("Stocks")}


def test_a_run_in_the_middle_of_a_month(ledger_of) -> None:
    # On 2024-06-05 (before the rebalance) the May-31 figures still hold, so both categories
    # are outside: Stocks since 2024-05-31, Bonds since 2024-04-30 (the June 5 point itself is
    # the last point of the monthly history).
    ledger = ledger_of(LEDGER)
    report = with_outside_since(analyse(ledger, D(2024, 6, 5)), ledger)
    assert report.outside_since == {"Stocks": D(2024, 5, 31), "Bonds": D(2024, 4, 30)}


def _assert_points_equal_reports(ledger: Ledger, points: tuple[HistoryPoint, ...], **filters: object) -> None:
    """Each point is exactly the report of its date: total, every row's value and percent, its band."""
    for point in points:
        report = analyse(ledger, point.date, **filters)  # type: ignore[arg-type]
        assert point.total == report.total, point.date
        assert point.currency == report.currency
        rows = [(r.category, r.value, r.percent, r.target, r.band) for r in report.allocation.targeted]
        got = [(c.category, c.value, c.percent, c.target, c.band) for c in point.categories]
        assert got == rows, point.date
        outside = {r.category for r in report.allocation.targeted
                   if report.total > 0 and not within_band(r.value, r.target, r.band, report.total)}
        assert set(point.outside) == outside, point.date
        assert point.untargeted == sum((r.value for r in report.allocation.untargeted), Decimal(0))
        assert point.uncategorized == sum((r.value for r in report.allocation.uncategorized), Decimal(0))


@pytest.mark.parametrize("every", ["week", "month", "quarter", "year"])
def test_every_point_equals_the_report_of_its_date(ledger_of, every: str) -> None:
    ledger = ledger_of(LEDGER)
    points = drift_history(ledger, period_ends(D(2023, 12, 1), D(2024, 10, 20), every))
    _assert_points_equal_reports(ledger, points)


def test_the_example_household_every_month_and_under_an_account_filter() -> None:
    entries, errors, options = loader.load_file(str(EXAMPLE))
    assert not errors
    ledger = Ledger.from_entries(entries, options)
    dates = period_ends(D(2020, 1, 1), D(2026, 11, 20), "month")
    _assert_points_equal_reports(ledger, drift_history(ledger, dates))

    # Fava's account filter narrows the holdings of both alike (here: the 401(k) and the Roth).
    def match(account: str) -> bool:
        return account.startswith(("Assets:Invest:401k", "Assets:Invest:Roth"))

    _assert_points_equal_reports(ledger, drift_history(ledger, dates[-14:], account_match=match),
                                 account_match=match)
    # Fava's filtered entries (here: no transaction of the brokerage) narrow both alike too.
    kept = [e for e in entries if not any(
        p.account.startswith("Assets:Invest:Brokerage") for p in getattr(e, "postings", ()))]
    _assert_points_equal_reports(ledger, drift_history(ledger, dates[-14:], entries=kept), entries=kept)


def test_no_dates_no_points(ledger_of) -> None:
    assert drift_history(ledger_of(LEDGER), ()) == ()


def test_before_the_first_target_there_is_no_category(ledger_of) -> None:
    points = drift_history(ledger_of(LEDGER), (D(2023, 12, 31),))
    assert (points[0].total, points[0].categories, points[0].outside) == (Decimal(0), (), frozenset())


def test_outside_since_looks_back_at_most_a_hundred_years(ledger_of) -> None:
    # Stocks 3 × 1 = 3 of 4 (75%) against a target of 50, band 5: outside from the first
    # month-end, 1900-01-31, to the report date, 2100-06-30. The history it reads starts
    # 100 years before the report's year, 2100 - 100 = 2000-01-01: its first point, and the
    # run's, is 2000-01-31 (month by month from 1900 that would be 2,406 points, not 1,206).
    ledger = ledger_of("""
        option "operating_currency" "USD"
        1900-01-01 commodity STK
          asset-class: "Stocks"
        1900-01-01 commodity BND
          asset-class: "Bonds"
        1900-01-01 open Assets:Broker
        1900-01-01 open Equity:Opening
        1900-01-01 custom "rebalance-option" "band" 5
        1900-01-01 custom "rebalance-target" "Stocks" 50
        1900-01-01 custom "rebalance-target" "Bonds" 50
        1900-01-02 * "Buy"
          Assets:Broker   3 STK {1 USD}
          Assets:Broker   1 BND {1 USD}
          Equity:Opening
    """)
    date = D(2100, 6, 30)
    assert since_first(ledger, date) == D(2000, 1, 1)
    report = with_outside_since(analyse(ledger, date), ledger)
    assert report.outside_since == {"Stocks": D(2000, 1, 31), "Bonds": D(2000, 1, 31)}


# Reported in EUR: VTI priced in USD (USD → EUR rates), VUKE priced in GBP, and GBP priced
# only in USD, so VUKE's value runs VUKE → GBP → USD → EUR; each rate the latest on or
# before the point's date (issue #9, case 1, in the history).
CHAINED = """
    option "operating_currency" "EUR"
    2020-01-01 commodity VTI
      asset-class: "Stocks"
    2020-01-01 commodity VUKE
      asset-class: "Stocks"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Stocks" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-02 * "Opening"
      Assets:Taxable   10 VTI {100 USD}
      Assets:Taxable   20 VUKE {50 GBP}
      Assets:Taxable   30 BND {40 EUR}
      Equity:Opening
    2024-01-02 price USD 0.90 EUR
    2024-01-02 price GBP 1.25 USD
    2024-01-02 price VTI 100 USD
    2024-01-02 price VUKE 50 GBP
    2024-01-02 price BND 40 EUR
    2024-02-15 price USD 0.80 EUR
    2024-02-20 price VUKE 60 GBP
    2024-03-10 price GBP 1.50 USD
    2024-03-31 price VTI 120 USD
"""


def test_month_end_values_through_chained_rates_by_hand(ledger_of) -> None:
    # BND is 30 × 40 = 1,200 EUR throughout.
    # 2024-01-31: VTI 10 × 100 USD × 0.90 = 900; VUKE 20 × 50 GBP × 1.25 × 0.90 = 1,125.
    #   Total 3,225; Stocks 2,025 / 3,225 = 62.79%.
    # 2024-02-29: USD 0.80 (02-15), VUKE 60 (02-20): VTI 1,000 × 0.80 = 800; VUKE 1,200 GBP ×
    #   1.25 × 0.80 = 1,200. Total 3,200; Stocks 2,000 / 3,200 = 62.50%.
    # 2024-03-31: GBP 1.50 (03-10), VTI 120: VTI 1,200 × 0.80 = 960; VUKE 1,200 × 1.50 × 0.80
    #   = 1,440. Total 3,600; Stocks 2,400 / 3,600 = 66.67%.
    ledger = ledger_of(CHAINED)
    history = drift_history_of(ledger, D(2024, 3, 31))
    assert history.currency == "EUR"
    got = [(p.date.isoformat(), plain(p.total), _row(p, "Stocks")[0]) for p in history.points]
    assert got == [("2024-01-31", "3225.00", "62.79"), ("2024-02-29", "3200.00", "62.50"),
                   ("2024-03-31", "3600.00", "66.67")]
    _assert_points_equal_reports(ledger, history.points)


@pytest.mark.parametrize(("path", "first", "last", "every"), [
    # The example's College: targets glide by the day from 70/30 (2026-01-01) to 50/50
    # (2036-01-01), with trades and prices each month; week by week across the first waypoint.
    (EXAMPLE, D(2025, 10, 1), D(2026, 11, 20), "week"),
    # Three portfolios, College gliding with its own option: every point in turn, to past the
    # last waypoint (2036-01-01), where the targets stop moving.
    (PORTFOLIOS, D(2025, 6, 1), D(2036, 3, 1), "month"),
])
def test_every_portfolio_s_points_equal_its_reports(path: Path, first: datetime.date, last: datetime.date,
                                                    every: str) -> None:
    entries, errors, options = loader.load_file(str(path))
    assert not errors
    ledger = Ledger.from_entries(entries, options)
    names = ledger.declarations.portfolio_names
    assert "College" in names
    for name in names:
        points = drift_history(ledger, period_ends(first, last, every), portfolio=name)
        _assert_points_equal_reports(ledger, points, portfolio=name)
