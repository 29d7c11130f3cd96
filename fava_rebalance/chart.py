"""Geometry of the page's bar chart: current vs target share per category, as plain numbers.

Input: one ``ChartItem`` per category (its label, current and target percent, band, and the
texts to print). Output: a frozen ``Chart`` with the position and size of every bar, band,
tick and label in SVG user units. The template ``_rebalance_chart.html`` draws it as inline
SVG with Fava's CSS variables, so it follows the light and dark themes and needs nothing
from the network. Percentages stay ``Decimal`` until they become pixel positions here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

WIDTH = 720.0
ROW_HEIGHT = 38.0
BAR_HEIGHT = 13.0
TOP = 34.0  # room for the legend
AXIS_HEIGHT = 22.0
CHAR_WIDTH = 6.6  # average width of a 12px character of Fava's sans-serif font
LABEL_MIN, LABEL_MAX = 90.0, 230.0
TEXT_ROOM = 120.0  # right of the plot, for "target 25.00%"
GAP = 10.0


@dataclass(frozen=True)
class ChartItem:
    """One category to draw; ``target`` is ``None`` for a category without a target."""

    label: str
    current: Decimal
    target: Decimal | None
    band: Decimal
    current_text: str
    target_text: str


@dataclass(frozen=True)
class Box:
    """A rectangle in SVG user units."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ChartRow:
    """The bars, band and labels of one category (``short_label`` fits the label column)."""

    label: str
    short_label: str
    label_y: float
    current: Box
    current_text: str
    current_text_x: float
    current_text_y: float
    target: Box | None
    target_text: str
    target_text_x: float
    target_text_y: float
    band: Box | None


@dataclass(frozen=True)
class Tick:
    """A vertical grid line at ``x`` with its label (``"25%"``)."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template needs; ``rows`` is empty when there is nothing to draw."""

    width: float
    height: float
    label_width: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    has_band: bool


def _scale_max(items: Sequence[ChartItem]) -> Decimal:
    """The axis maximum: the largest percent drawn, rounded up to a multiple of 10."""
    highest = Decimal(0)
    for item in items:
        highest = max(highest, item.current, item.target or Decimal(0))
        if item.target is not None:
            highest = max(highest, item.target + item.band)
    tens = (highest / 10).to_integral_value(rounding=ROUND_CEILING) * 10
    return min(max(tens, Decimal(10)), Decimal(100))


def _tick_step(scale: Decimal) -> Decimal:
    return Decimal(10) if scale <= 50 else Decimal(20)


def _shorten(label: str, room: int) -> str:
    """``label`` cut to ``room`` characters with an ellipsis (the full text goes in a tooltip)."""
    return label if len(label) <= room else label[: max(room - 1, 1)] + "…"


def bar_chart(items: Sequence[ChartItem]) -> Chart:
    """Lay out horizontal bar pairs (current above target), one row per item."""
    longest = max((len(item.label) for item in items), default=0)
    label_width = min(max(longest * CHAR_WIDTH + GAP, LABEL_MIN), LABEL_MAX)
    plot_left = label_width + GAP
    plot_right = WIDTH - TEXT_ROOM
    plot_width = plot_right - plot_left
    scale = _scale_max(items)

    def x_of(percent: Decimal) -> float:
        clamped = min(max(percent, Decimal(0)), scale)
        return round(plot_left + float(clamped / scale) * plot_width, 1)

    rows = []
    for index, item in enumerate(items):
        top = TOP + index * ROW_HEIGHT
        current_y = top + 4
        target_y = current_y + BAR_HEIGHT + 2
        current = Box(plot_left, current_y, x_of(item.current) - plot_left, BAR_HEIGHT)
        target = band = None
        if item.target is not None:
            target = Box(plot_left, target_y, x_of(item.target) - plot_left, BAR_HEIGHT)
            if item.band > 0:
                low = x_of(item.target - item.band)
                band = Box(low, top, x_of(item.target + item.band) - low, ROW_HEIGHT - 4)
        rows.append(ChartRow(
            label=item.label,
            short_label=_shorten(item.label, int((label_width - GAP) / CHAR_WIDTH)),
            label_y=top + ROW_HEIGHT / 2,
            current=current,
            current_text=item.current_text,
            current_text_x=current.x + current.width + 4,
            current_text_y=current_y + BAR_HEIGHT - 2,
            target=target,
            target_text=item.target_text,
            target_text_x=(target.x + target.width + 4) if target else plot_left + 4,
            target_text_y=target_y + BAR_HEIGHT - 2,
            band=band,
        ))
    plot_bottom = TOP + len(items) * ROW_HEIGHT
    step = _tick_step(scale)
    ticks = []
    value = Decimal(0)
    while value <= scale:
        ticks.append(Tick(x_of(value), f"{value}%"))
        value += step
    return Chart(
        width=WIDTH,
        height=plot_bottom + AXIS_HEIGHT,
        label_width=label_width,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=TOP - 4,
        plot_bottom=plot_bottom,
        rows=tuple(rows),
        ticks=tuple(ticks),
        has_band=any(row.band is not None for row in rows),
    )
