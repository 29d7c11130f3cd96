"""Calendar arithmetic: review periods across month ends and leap years, and history points."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fava_rebalance.core.options import OptionError, parse_option
from fava_rebalance.core.periods import ReviewPeriod, add_months, parse_review, period_end, period_ends

D = datetime.date


@pytest.mark.parametrize(("start", "months", "expected"), [
    # January has 31 days; February 2024 has 29 (2024 is divisible by 4 and not by 100).
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    # 2023 is not a leap year: February has 28 days.
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    # 2100 is divisible by 100 and not by 400: not a leap year.
    (D(2100, 1, 29), 1, D(2100, 2, 28)),
    # 2000 is divisible by 400: a leap year.
    (D(2000, 1, 30), 1, D(2000, 2, 29)),
    # Months are added in one step: 31 January plus a quarter is 30 April (April has 30 days),
    # not 29 April (which chaining 31 Jan → 29 Feb → 29 Mar → 29 Apr would give).
    (D(2024, 1, 31), 3, D(2024, 4, 30)),
    # 29 February plus a year: 2025 has no 29 February, so its last day, the 28th.
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    # ... and plus four years it exists again.
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    # Across a year end: 30 November plus a quarter is 28 February (2026: not a leap year).
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    # Half a year from 31 August is 28 February (2027 is not a leap year).
    (D(2026, 8, 31), 6, D(2027, 2, 28)),
    # The day is kept where the month has it.
    (D(2024, 6, 10), 3, D(2024, 9, 10)),
])
def test_add_months(start: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(start, months) == expected


def test_add_months_past_year_9999_overflows() -> None:
    with pytest.raises(OverflowError):
        add_months(D(9999, 12, 1), 1)


@pytest.mark.parametrize(("value", "expected"), [
    ("monthly", ReviewPeriod("monthly", months=1)),
    ("quarterly", ReviewPeriod("quarterly", months=3)),
    ("Semiannual", ReviewPeriod("semiannual", months=6)),
    (" annual ", ReviewPeriod("annual", months=12)),
    (Decimal(90), ReviewPeriod("90 days", days=90)),
    ("45", ReviewPeriod("45 days", days=45)),
])
def test_parse_review(value: object, expected: ReviewPeriod) -> None:
    assert parse_review(value) == expected
    assert parse_option("review", value) == expected


@pytest.mark.parametrize("value", ["weekly", "", Decimal("1.5"), Decimal(0), Decimal(-30), True, "3 months"])
def test_bad_review_values_say_what_is_accepted(value: object) -> None:
    with pytest.raises(OptionError, match="monthly, quarterly, semiannual, annual or a whole number of days"):
        parse_option("review", value)


def test_review_period_after() -> None:
    # 90 days from 2024-01-01: 31 (January) + 29 (February, leap) + 30 = 90 → 2024-03-31.
    assert ReviewPeriod("90 days", days=90).after(D(2024, 1, 1)) == D(2024, 3, 31)
    assert ReviewPeriod("quarterly", months=3).after(D(2024, 11, 30)) == D(2025, 2, 28)
    assert ReviewPeriod("annual", months=12).after(D(9999, 6, 1)) is None


@pytest.mark.parametrize(("day", "every", "expected"), [
    (D(2024, 2, 10), "month", D(2024, 2, 29)),
    (D(2023, 2, 10), "month", D(2023, 2, 28)),
    (D(2024, 5, 1), "quarter", D(2024, 6, 30)),
    (D(2024, 12, 31), "quarter", D(2024, 12, 31)),
    (D(2024, 7, 4), "year", D(2024, 12, 31)),
    # 2024-02-28 is a Wednesday; its ISO week ends on Sunday 2024-03-03.
    (D(2024, 2, 28), "week", D(2024, 3, 3)),
    # A Sunday is the end of its own week.
    (D(2024, 3, 3), "week", D(2024, 3, 3)),
])
def test_period_end(day: datetime.date, every: str, expected: datetime.date) -> None:
    assert period_end(day, every) == expected


def test_period_ends_from_first_to_last() -> None:
    # From 2024-01-01: month ends up to (not including) 2024-04-15, then 2024-04-15 itself.
    assert period_ends(D(2024, 1, 1), D(2024, 4, 15), "month") == (
        D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 15))
    # A last date that is itself a month end appears once.
    assert period_ends(D(2024, 1, 15), D(2024, 3, 31), "month") == (
        D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31))
    # Quarters across a year end.
    assert period_ends(D(2024, 11, 5), D(2025, 5, 1), "quarter") == (
        D(2024, 12, 31), D(2025, 3, 31), D(2025, 5, 1))
    # Weeks: Sunday 2024-03-03, Sunday 2024-03-10, then the Wednesday 2024-03-13.
    assert period_ends(D(2024, 2, 28), D(2024, 3, 13), "week") == (
        D(2024, 3, 3), D(2024, 3, 10), D(2024, 3, 13))
    assert period_ends(D(2024, 1, 1), D(2026, 6, 30), "year") == (
        D(2024, 12, 31), D(2025, 12, 31), D(2026, 6, 30))
    # First after last: the last date alone.
    assert period_ends(D(2025, 1, 1), D(2024, 6, 30), "month") == (D(2024, 6, 30),)
