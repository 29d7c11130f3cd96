"""The review calendar (SPEC §5.1): last rebalance, next review, overdue, pending.

Every date below is worked out by hand from the calendar (the comments say how).
"""

from __future__ import annotations

import datetime

import pytest

from fava_rebalance.core.rebalances import read_rebalances

D = datetime.date

BASE = """
    option "operating_currency" "USD"
    2023-01-01 commodity STK
      asset-class: "Stocks"
    2023-01-01 open Assets:Broker
    2023-01-01 open Equity:Opening
    2023-11-30 custom "rebalance-target" "Stocks" 100
    2023-12-01 * "Buy"
      Assets:Broker      10 STK {100 USD}
      Equity:Opening  -1000 USD
"""


def rebalance(date: str, flag: str = "*", narration: str = "Rebalance") -> str:
    """A #rebalance transaction that moves nothing out of the portfolio."""
    return f"""
    {date} {flag} "{narration}" #rebalance
      Assets:Broker      -1 STK {{100 USD, 2023-12-01}}
      Assets:Broker       1 STK {{100 USD, 2023-12-01}}
"""


def review_option(value: str) -> str:
    return f'    2023-01-01 custom "rebalance-option" "review" {value}\n'


def test_without_a_review_option_nothing_is_due(report_of) -> None:
    report = report_of(BASE + rebalance("2024-01-31"), "2024-06-30")
    review = report.review
    assert review is not None
    assert (review.last_rebalance, review.every, review.next_review, review.overdue) == (
        D(2024, 1, 31), None, None, False)


@pytest.mark.parametrize(("date", "overdue"), [
    # Last done 2024-01-31, quarterly: 31 January + 3 months = 30 April (April has 30 days).
    ("2024-04-30", False),  # on the day it is due, not overdue
    ("2024-05-01", True),   # the day after, overdue
])
def test_quarterly_from_the_last_rebalance(report_of, date: str, overdue: bool) -> None:
    report = report_of(BASE + review_option('"quarterly"') + rebalance("2024-01-31"), date)
    review = report.review
    assert review is not None
    assert review.last_rebalance == D(2024, 1, 31)
    assert review.next_review == D(2024, 4, 30)
    assert review.overdue is overdue


def test_with_no_rebalance_yet_the_first_target_starts_the_calendar(report_of) -> None:
    # First target 2023-11-30, quarterly: 30 November + 3 months = 29 February 2024 (a leap
    # year: February has 29 days, fewer than 30).
    report = report_of(BASE + review_option('"quarterly"'), "2024-03-01")
    review = report.review
    assert review is not None
    assert (review.last_rebalance, review.next_review, review.overdue) == (None, D(2024, 2, 29), True)


def test_monthly_annual_and_days(report_of) -> None:
    # Monthly from 2024-01-31: 29 February 2024 (leap year).
    monthly = report_of(BASE + review_option('"monthly"') + rebalance("2024-01-31"), "2024-02-29").review
    assert monthly is not None
    assert (monthly.next_review, monthly.overdue) == (D(2024, 2, 29), False)
    # Annual from 29 February 2024: 2025 has no 29 February, so 28 February 2025.
    annual = report_of(BASE + review_option('"annual"') + rebalance("2024-02-29"), "2025-03-01").review
    assert annual is not None
    assert (annual.next_review, annual.overdue) == (D(2025, 2, 28), True)
    # 90 days from 2024-01-01: January 31 + February 29 + March 30 = 90 days → 2024-03-31.
    days = report_of(BASE + review_option("90") + rebalance("2024-01-01"), "2024-03-31").review
    assert days is not None
    assert (days.next_review, days.overdue) == (D(2024, 3, 31), False)
    assert days.every is not None
    assert days.every.name == "90 days"
    # Semiannual from 2024-08-31: 28 February 2025 (not a leap year).
    half = report_of(BASE + review_option('"semiannual"') + rebalance("2024-08-31"), "2025-02-28").review
    assert half is not None
    assert half.next_review == D(2025, 2, 28)


def test_pending_rebalances_do_not_reset_the_calendar(report_of) -> None:
    text = (BASE + review_option('"quarterly"') + rebalance("2024-01-31")
            + rebalance("2024-05-10", "!", "Planned") + rebalance("2024-07-01", "!", "Later"))
    review = report_of(text, "2024-06-01").review
    assert review is not None
    # The ! transaction of 2024-05-10 is pending; the one of 2024-07-01 is after the report date.
    assert [(r.date, r.narration) for r in review.pending] == [(D(2024, 5, 10), "Planned")]
    assert review.last_rebalance == D(2024, 1, 31)
    assert (review.next_review, review.overdue) == (D(2024, 4, 30), True)


def test_a_plan_of_two_transactions_is_one_pending_date(report_of) -> None:
    # A plan written as entries: one ! transaction per trading account, both of 2024-05-10,
    # and one of 2024-05-20. SPEC §5.1's pending lists dates: 2024-05-10 once, then 2024-05-20.
    text = (BASE + review_option('"quarterly"') + rebalance("2024-05-10", "!", "Rebalance A")
            + rebalance("2024-05-10", "!", "Rebalance B") + rebalance("2024-05-20", "!", "Top-up"))
    review = report_of(text, "2024-06-01").review
    assert review is not None
    assert len(review.pending) == 3
    assert review.pending_dates == [D(2024, 5, 10), D(2024, 5, 20)]


def test_the_latest_done_rebalance_on_or_before_the_date_counts(report_of) -> None:
    text = BASE + review_option('"quarterly"') + rebalance("2024-01-31") + rebalance("2024-03-15")
    assert report_of(text, "2024-03-14").review.last_rebalance == D(2024, 1, 31)
    later = report_of(text, "2024-03-15").review
    # 15 March + 3 months = 15 June.
    assert (later.last_rebalance, later.next_review) == (D(2024, 3, 15), D(2024, 6, 15))


def test_only_tagged_transactions_are_rebalances(ledger_of) -> None:
    ledger = ledger_of(BASE + """
    2024-02-01 * "Not one" #other
      Assets:Broker       1 STK {100 USD}
      Equity:Opening   -100 USD
    2024-02-02 ! "Planned" #rebalance #other
      Assets:Broker       1 STK {100 USD}
      Equity:Opening   -100 USD
""")
    assert [(r.date, r.narration, r.pending) for r in read_rebalances(ledger.entries)] == [
        (D(2024, 2, 2), "Planned", True)]
