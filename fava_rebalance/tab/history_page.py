"""The drift history's section of the Rebalance tab: a view-model built from a ``History``.

The tab loads it on its own (``extension.Rebalance.history``, fetched by ``Rebalance.js``
once the page is shown): a history reads every entry once and values the holdings at every
point, more work than the page itself, and the drift table should not wait for it.

``build_history_view`` is pure: the chart (``history_chart``), which categories are outside
their band since when (the monthly history since the first target, SPEC §5.1), the
rebalances of the range and the review calendar, as display strings in the page's number
format. Under incognito the chart is laid out from placeholders (``history_chart.masked``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from fava_rebalance.core.history import CategoryPoint, History, HistoryPoint
from fava_rebalance.core.limits import FIRST_DATE
from fava_rebalance.tab.history_chart import WIDTH, HistoryChart, history_chart, masked, series_of
from fava_rebalance.tab.page import Numbers
from fava_rebalance.views.review_words import pending_words, review_line

WEEKLY_UP_TO_DAYS = 186  # a range up to about six months is drawn week by week, longer ones by month
# The most points one chart draws: 50 years month by month. A longer range is drawn by quarter,
# then by year, and a range of more than that many years shows its last ones: a time filter
# such as 2024 - 9998 would otherwise value the portfolio at 95,000 month-ends for one request
# (half a minute, and 44 MB of SVG).
MAX_CHART_POINTS = 600


@dataclass(frozen=True)
class SinceView:
    """A category outside its band, since the first month-end of that run."""

    category: str
    since: str


@dataclass(frozen=True)
class RebalanceView:
    """A rebalance in the chart's range."""

    date: str
    narration: str
    pending: bool


@dataclass(frozen=True)
class HistoryView:
    """The section: the chart, its range and period, the notes beneath it."""

    chart: HistoryChart
    first: str
    last: str
    every: str
    since: tuple[SinceView, ...]
    rebalances: tuple[RebalanceView, ...]
    review: str
    pending: str


def chart_period(first: datetime.date, last: datetime.date) -> str:
    """The chart's period for a range from ``first`` to ``last``.

    ``week`` for a range up to about six months, else the finest of ``month``, ``quarter``
    and ``year`` that draws at most ``MAX_CHART_POINTS`` points (``year`` beyond).
    """
    if (last - first).days <= WEEKLY_UP_TO_DAYS:
        return "week"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MAX_CHART_POINTS:
        return "month"
    return "quarter" if months <= 3 * MAX_CHART_POINTS else "year"


def chart_range(first_target: datetime.date, begin: datetime.date | None, earliest: datetime.date,
                last: datetime.date) -> tuple[datetime.date, str]:
    """Where the tab's chart starts, and its period.

    Without a time filter (``begin`` ``None``) from ``first_target`` (the whole history);
    with one from its first day, or the ledger's ``earliest`` entry if that is later (no
    point before anything happened), never after ``last`` nor before the supported dates,
    and at most ``MAX_CHART_POINTS`` years before ``last``'s (a chart of a point a year).
    """
    start = first_target if begin is None else min(max(begin, earliest, FIRST_DATE), last)
    start = max(start, datetime.date(last.year - MAX_CHART_POINTS + 1, 1, 1))
    return start, chart_period(start, last)


def build_history_view(history: History, since: Mapping[str, datetime.date], numbers: Numbers, *,
                       incognito: bool = False, width: float = WIDTH) -> HistoryView:
    """The section for ``history``; ``since``: each category outside its band, since when.

    ``width``: the chart's, as ``history_chart`` takes it (``chart_width`` of the request).

    ``incognito``: the chart is laid out from placeholders (``history_chart.masked``: its
    geometry would give every drift away), and the tooltips leave out whether a point was
    inside its band, as the masked chart draws every dot on the zero line.
    """
    def tooltip(point: HistoryPoint, row: CategoryPoint) -> str:
        text = f"{numbers.money(row.percent)}%, target {numbers.money(row.target)}%"
        if incognito:
            return text
        return f"{text} ({'outside' if row.category in point.outside else 'inside'} its band)"

    series = series_of(history.points, tooltip, numbers.money)
    dates = tuple(point.date for point in history.points)
    has_value = any(point.total > 0 for point in history.points)
    drawn = series if has_value else ()
    chart = (masked(drawn, dates, history.rebalances, width) if incognito
             else history_chart(drawn, dates, history.rebalances, width=width))
    return HistoryView(
        chart=chart,
        first=dates[0].isoformat() if dates else "",
        last=dates[-1].isoformat() if dates else "",
        every=history.every,
        since=tuple(SinceView(name, day.isoformat()) for name, day in sorted(since.items())),
        rebalances=tuple(RebalanceView(r.date.isoformat(), r.narration, r.pending)
                         for r in history.rebalances),
        review=review_line(history.review),
        pending=pending_words(history.review),
    )

