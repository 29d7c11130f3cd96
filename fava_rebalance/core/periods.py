"""Calendar arithmetic for rebalancing over time: review periods and the ends of periods.

- A **review period** (the ``review`` option, SPEC §5.1) is ``monthly``, ``quarterly``,
  ``semiannual``, ``annual`` or a whole number of days. Adding months keeps the day of the
  month where the month has it, else takes the month's last day: 2024-01-31 plus a month is
  2024-02-29 (a leap year), 2023-01-31 plus a month 2023-02-28, 2024-02-29 plus a year
  2025-02-28. Months added in one step, never chained: 2024-01-31 plus a quarter is
  2024-04-30, not 2024-04-29.
- **History points** (SPEC §5.2) are the ends of every week (Sunday, as ISO weeks end),
  month, quarter or year from a first date to a last date, the last date always included.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

NAMED_PERIODS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
EVERY = ("week", "month", "quarter", "year")
MAX_REVIEW_DAYS = 36600  # a hundred years: a review period longer than that is a typo


class PeriodError(ValueError):
    """A review period that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class ReviewPeriod:
    """How often the portfolio is reviewed: ``months`` calendar months, or ``days`` days."""

    name: str
    months: int = 0
    days: int = 0

    def after(self, date: datetime.date) -> datetime.date | None:
        """``date`` plus one period (``None`` past the last date Python can hold)."""
        try:
            if self.months:
                return add_months(date, self.months)
            return date + datetime.timedelta(days=self.days)
        except OverflowError:
            return None


def add_months(date: datetime.date, months: int) -> datetime.date:
    """``date`` plus ``months`` calendar months, on the month's last day when it is shorter.

    Raises ``OverflowError`` past the year 9999.
    """
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise OverflowError(f"{date} plus {months} months is past the dates Python can hold")
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return datetime.date(year, month + 1, day)


def parse_review(value: Any) -> ReviewPeriod:
    """The ``review`` option's value: a period name, or a whole number of days (1 or more)."""
    if isinstance(value, str) and value.strip().lower() in NAMED_PERIODS:
        name = value.strip().lower()
        return ReviewPeriod(name, months=NAMED_PERIODS[name])
    number: Decimal | None = None
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = Decimal(value.strip())
    if number is not None and number == number.to_integral_value() and 1 <= number <= MAX_REVIEW_DAYS:
        days = int(number)
        return ReviewPeriod(f"{days} days", days=days)
    raise PeriodError(f"option 'review' needs monthly, quarterly, semiannual, annual or a whole number "
                      f"of days from 1 to {MAX_REVIEW_DAYS}, not {value!r}")


def period_end(date: datetime.date, every: str) -> datetime.date:
    """The last day of the week (Sunday), month, quarter or year that holds ``date``.

    Near the end of the calendar the last day Python can hold stands in for a later end.
    """
    if every == "week":
        try:
            return date + datetime.timedelta(days=6 - date.weekday())
        except OverflowError:
            return datetime.date.max
    if every == "month":
        return datetime.date(date.year, date.month, calendar.monthrange(date.year, date.month)[1])
    if every == "quarter":
        month = (date.month - 1) // 3 * 3 + 3
        return datetime.date(date.year, month, calendar.monthrange(date.year, month)[1])
    if every == "year":
        return datetime.date(date.year, 12, 31)
    raise ValueError(f"unknown period {every!r}; use one of {', '.join(EVERY)}")


def period_ends(first: datetime.date, last: datetime.date, every: str) -> tuple[datetime.date, ...]:
    """The end of every period from ``first`` to ``last``, then ``last`` itself (always the last).

    The first point is the end of the period that holds ``first``; ends on or after ``last``
    give way to ``last``. ``first`` after ``last``: ``last`` alone.
    """
    points = []
    end = period_end(first, every)
    while end < last:
        points.append(end)
        end = period_end(end + datetime.timedelta(days=1), every)
    points.append(last)
    return tuple(points)
