"""Geometry of the drift history chart: each category's drift from its target over time.

One panel per targeted category, one above the other on a shared time axis and a shared
vertical scale (percentage points from the target, symmetric around 0). In each panel:

- the band (target ± band width, which may change with the target) shaded around 0;
- the drift (percent − target) as a line through the history's points; a point where the
  category has no target breaks the line;
- every point a dot with a tooltip (date, percent, target); points outside the band a larger
  dot, and the stretches between two such points a heavier line, so out-of-band spells
  stand out;
- rebalances as vertical lines across every panel (pending ones dashed), with the date.

Output: a frozen ``HistoryChart`` in SVG user units, drawn by ``_rebalance_history_svg.html``
with Fava's CSS variables (light and dark themes). Figures stay ``Decimal`` until they become
positions here. Under ``fava --incognito`` the template masks the texts, and ``masked`` lays
the chart out again with every drift 0 and every band the same, and no point outside: the
geometry then gives no figure away (the dates, which are not figures, keep their places).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from fava_rebalance.core.history import CategoryPoint, HistoryPoint, targeted_categories
from fava_rebalance.core.rebalances import Rebalance

WIDTH = 720.0  # the width laid out when the page does not say how wide its column is
MIN_WIDTH, MAX_WIDTH = 320.0, 1600.0  # the widths the chart is laid out for (a phone to a wide screen)
LEFT = 46.0  # room for the vertical axis' labels
RIGHT = 12.0
TOP = 24.0  # room for the rebalances' dates
PANEL_TITLE = 18.0
PANEL_HEIGHT = 72.0
PANEL_GAP = 14.0
AXIS_HEIGHT = 22.0
DOT, DOT_OUTSIDE = 2.5, 4.0
STEPS = (Decimal(1), Decimal(2), Decimal(5))  # nice scales: 1, 2, 5, 10, 20, 50 ... points
PLACEHOLDER_BAND = Decimal(5)
PLACEHOLDER_SCALE = Decimal(10)

Text = Callable[[Decimal], str]


@dataclass(frozen=True)
class Dot:
    """One point of a panel: where it is, whether it is outside the band, and its tooltip."""

    x: float
    y: float
    r: float
    outside: bool
    date: str
    text: str


@dataclass(frozen=True)
class Segment:
    """A stretch of the drift line (``outside``: both ends outside the band)."""

    points: str
    outside: bool


@dataclass(frozen=True)
class Panel:
    """One category: its title, its plot box, band, zero line, drift line, dots and scale labels."""

    category: str
    target: str
    top: float
    zero: float
    band: str
    segments: tuple[Segment, ...]
    dots: tuple[Dot, ...]
    scale: tuple[tuple[float, str], ...]

    @property
    def bottom(self) -> float:
        """The panel's lower edge."""
        return self.top + PANEL_HEIGHT


@dataclass(frozen=True)
class RebalanceMark:
    """A rebalance: a vertical line at ``x`` with its date and narration (a tooltip)."""

    x: float
    date: str
    narration: str
    pending: bool


@dataclass(frozen=True)
class Tick:
    """A date on the time axis."""

    x: float
    label: str


@dataclass(frozen=True)
class HistoryChart:
    """Everything the SVG template needs; no panels when there is nothing to draw."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    panels: tuple[Panel, ...]
    rebalances: tuple[RebalanceMark, ...]
    ticks: tuple[Tick, ...]
    axis_y: float


@dataclass(frozen=True)
class Series:
    """What one panel draws: per point the date, drift, band, outside and tooltip text.

    A drift of ``None``: the category has no target on that date. ``target``: the target and
    band on the last date it has one, as text (masked by the template under incognito).
    """

    category: str
    target: str
    points: tuple[tuple[datetime.date, Decimal | None, Decimal, bool, str], ...]


def _nice(highest: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10ⁿ at least ``highest`` (at least 1 point)."""
    scale = Decimal(1)
    while True:
        for step in STEPS:
            if step * scale >= highest:
                return step * scale
        scale *= 10


def _scale(series: Sequence[Series]) -> Decimal:
    highest = Decimal(0)
    for one in series:
        for _, drift, band, _, _ in one.points:
            if drift is not None:
                highest = max(highest, abs(drift), band)
    return _nice(highest.to_integral_value(rounding=ROUND_CEILING) if highest > 1 else Decimal(1))


def _ticks(
    first: datetime.date, last: datetime.date, x_of: Callable[[datetime.date], float]
) -> tuple[Tick, ...]:
    """The first day of every other year, every year, quarter or month, as the span allows."""
    days = (last - first).days
    step = 24 if days > 12 * 366 else 12 if days > 3 * 366 else 3 if days > 400 else 1
    ticks = []
    year, month = first.year, first.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = datetime.date(year, month, 1)
        if day > last:
            break
        if (year * 12 + month - 1) % step == 0:
            ticks.append(Tick(x_of(day), str(year) if step >= 12 else f"{year}-{month:02d}"))
    return tuple(ticks)


def chart_width(asked: str | None) -> float:
    """The width to lay the chart out for: the page's column, in CSS pixels, as its script asks.

    A whole number, held to ``MIN_WIDTH`` … ``MAX_WIDTH``; anything else (none, not a
    number) is ``WIDTH``. It is a layout hint, not a figure: it never refuses a request.
    """
    if asked is None or not asked.isdigit() or len(asked) > 6:
        return WIDTH
    return min(max(float(asked), MIN_WIDTH), MAX_WIDTH)


def history_chart(series: Sequence[Series], dates: Sequence[datetime.date],
                  rebalances: Sequence[Rebalance], scale: Decimal | None = None,
                  width: float = WIDTH) -> HistoryChart:
    """Lay out one panel per series over ``dates`` (the history's points, ascending).

    ``scale``: the vertical scale in points (default: the nicest that holds every drift and
    band). ``width``: the chart's width in SVG units, drawn one to one in CSS pixels (the
    panels' height stays, so a wide page gets a wider chart, not larger text).
    """
    plot_left, plot_right = LEFT, width - RIGHT
    if not series or not dates:
        return HistoryChart(width, 0.0, plot_left, plot_right, (), (), (), 0.0)
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)
    limit = _scale(series) if scale is None else scale
    half = PANEL_HEIGHT / 2

    def x_of(day: datetime.date) -> float:
        if len(dates) == 1:
            return round((plot_left + plot_right) / 2, 1)
        return round(plot_left + (day - first).days / span * (plot_right - plot_left), 1)

    panels = []
    for index, one in enumerate(series):
        top = TOP + index * (PANEL_TITLE + PANEL_HEIGHT + PANEL_GAP) + PANEL_TITLE
        zero = top + half

        def y_of(points: Decimal, zero: float = zero) -> float:
            clamped = min(max(points, -limit), limit)
            return round(zero - float(clamped / limit) * half, 1)

        upper: list[str] = []
        lower: list[str] = []
        segments: list[Segment] = []
        dots: list[Dot] = []
        run: list[tuple[float, float, bool]] = []
        for day, drift, band, outside, text in one.points:
            x = x_of(day)
            if drift is None:
                _close(run, segments)
                run = []
                continue
            upper.append(f"{x},{y_of(band)}")
            lower.append(f"{x},{y_of(-band)}")
            y = y_of(drift)
            run.append((x, y, outside))
            dots.append(Dot(x, y, DOT_OUTSIDE if outside else DOT, outside, day.isoformat(), text))
        _close(run, segments)
        band_path = " ".join([*upper, *reversed(lower)]) if upper else ""
        scale_labels = ((y_of(limit), f"+{limit}"), (zero, "0"), (y_of(-limit), f"−{limit}"))
        panels.append(Panel(one.category, one.target, top, zero, band_path, tuple(segments), tuple(dots),
                            scale_labels))
    axis_y = panels[-1].bottom + 4
    marks = tuple(RebalanceMark(x_of(r.date), r.date.isoformat(), r.narration, r.pending)
                  for r in rebalances if first <= r.date <= last)
    return HistoryChart(width, axis_y + AXIS_HEIGHT, plot_left, plot_right, tuple(panels), marks,
                        _ticks(first, last, x_of), axis_y)


def _close(run: list[tuple[float, float, bool]], segments: list[Segment]) -> None:
    """The drift line through ``run``, cut where it goes from inside the band to outside.

    A stretch between two points both outside the band is an outside segment.
    """
    if len(run) < 2:
        return

    def joined(points: list[tuple[float, float, bool]]) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in points)

    current = [run[0]]
    flag = run[0][2] and run[1][2]
    for before, after in itertools.pairwise(run):
        outside = before[2] and after[2]
        if outside != flag:
            segments.append(Segment(joined(current), flag))
            current, flag = [before], outside
        current.append(after)
    segments.append(Segment(joined(current), flag))


def series_of(points: Sequence[HistoryPoint], text: Callable[[HistoryPoint, CategoryPoint], str],
              band_text: Text) -> tuple[Series, ...]:
    """One series per category targeted at some point, from the history's points.

    ``text(point, row)`` is a dot's tooltip (``row``: the category at that point);
    ``band_text`` writes the title's figures.
    """
    found = []
    for name in targeted_categories(points):
        rows: list[tuple[datetime.date, Decimal | None, Decimal, bool, str]] = []
        last_target = ""
        for point in points:
            row: CategoryPoint | None = next((r for r in point.categories if r.category == name), None)
            if row is None or point.total <= 0:
                rows.append((point.date, None, Decimal(0), False, ""))
                continue
            rows.append((point.date, row.drift, row.band, name in point.outside, text(point, row)))
            last_target = f"target {band_text(row.target)}% ± {band_text(row.band)}"
        found.append(Series(name, last_target, tuple(rows)))
    return tuple(found)


def masked(series: Sequence[Series], dates: Sequence[datetime.date],
           rebalances: Sequence[Rebalance], width: float = WIDTH) -> HistoryChart:
    """The chart laid out again with every drift 0, every band the same and no point outside.

    Titles and tooltips keep their text (the template masks their figures); which points
    exist (a category with a target on that date) and the dates are kept.
    """
    placeholders = [
        replace(one, points=tuple((day, None if drift is None else Decimal(0), PLACEHOLDER_BAND, False, text)
                                  for day, drift, _, _, text in one.points))
        for one in series
    ]
    return history_chart(placeholders, dates, rebalances, PLACEHOLDER_SCALE, width)
