"""Geometry of the page's bar charts: shares of the portfolio per category, as plain numbers.

Input: one ``ChartItem`` per category: its label, its bars (each a ``Bar`` of a kind, such as
``current`` and ``target``, or ``before`` and ``after``, with the text to print beside it),
and optionally its target and band, drawn as a shaded band and, with ``marker``, a line.
Output: a frozen ``Chart``: every horizontal position as a **percentage of the plot's
width** and every vertical one in pixels. The template ``_rebalance_svg_chart.html`` puts
the labels and the legend in HTML and draws the plot as an inline SVG as wide as the page
(``x="37.5%"``), so the bars use the width there is, from a phone to a wide screen, while
the text keeps its size; a bar of kind ``k`` has the class ``rebalance-bar-k`` and takes
Fava's CSS variables, so it follows the light and dark themes and needs nothing from the
network. Percentages stay ``Decimal`` until they become positions here.

Under ``fava --incognito`` the texts are masked by the template, but the geometry would
still give every percentage away (a bar's width is its share): ``masked`` lays the same
chart out again from placeholder figures, the same for every bar, band and marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

FULL = 100.0  # the plot's width, in percent of itself
BAR_HEIGHT = 13.0  # pixels, as every vertical measure
BAR_GAP = 2.0
ROW_TOP = 4.0  # above the first bar of a row
ROW_BOTTOM = 6.0  # below the last bar of a row
TOP = 4.0  # above the first row
AXIS_HEIGHT = 22.0
TEXT_GAP = 4.0  # pixels between a bar (or a marker) and its text: the template's ``dx``
BAND = "band"
MARKER = "marker"
PLACEHOLDER = Decimal(50)  # every bar, target and marker of a masked chart
PLACEHOLDER_BAND = Decimal(5)


@dataclass(frozen=True)
class Bar:
    """One bar of a category; ``value`` ``None`` prints only the text (``no target``).

    ``muted`` prints the text in the lighter colour (the figure to compare with).
    """

    kind: str
    value: Decimal | None
    text: str
    muted: bool = False


@dataclass(frozen=True)
class ChartItem:
    """One category to draw; ``target`` ``None``: no band and no marker."""

    label: str
    bars: tuple[Bar, ...]
    target: Decimal | None = None
    band: Decimal = Decimal(0)
    marker: bool = False


@dataclass(frozen=True)
class Box:
    """A rectangle: ``x`` and ``width`` in percent of the plot's width, ``y`` and ``height`` in pixels."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarView:
    """A bar (``box`` ``None``: text only); its text starts at ``text_x`` percent plus ``text_dx`` pixels."""

    kind: str
    box: Box | None
    text: str
    text_x: float
    text_y: float
    muted: bool
    text_dx: float = TEXT_GAP


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``x`` (the target, in percent) across a row's bars (pixels)."""

    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class ChartRow:
    """The bars, band, marker and label of one category; ``top`` in pixels."""

    label: str
    top: float
    bars: tuple[BarView, ...]
    band: Box | None
    marker: Marker | None


@dataclass(frozen=True)
class Tick:
    """A vertical grid line at ``x`` (percent) with its label (``"25%"``)."""

    x: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    """A swatch of ``kind`` (a bar kind, ``band`` or ``marker``), then ``label``."""

    kind: str
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the template needs; ``rows`` is empty when there is nothing to draw.

    ``height``: the plot's, axis labels included; ``row_height``: one category's, which the
    HTML labels beside the plot take too (after ``plot_top``).
    """

    height: float
    row_height: float
    plot_top: float
    plot_bottom: float
    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendEntry, ...]


def _scale_max(items: Sequence[ChartItem]) -> Decimal:
    """The axis maximum: the largest percent drawn, rounded up to a multiple of 10."""
    highest = Decimal(0)
    for item in items:
        for bar in item.bars:
            highest = max(highest, bar.value or Decimal(0))
        if item.target is not None:
            highest = max(highest, item.target + item.band)
    tens = (highest / 10).to_integral_value(rounding=ROUND_CEILING) * 10
    return min(max(tens, Decimal(10)), Decimal(100))


def _tick_step(scale: Decimal) -> Decimal:
    return Decimal(10) if scale <= 50 else Decimal(20)


def _legend(entries: Sequence[tuple[str, str]], has_band: bool) -> tuple[LegendEntry, ...]:
    return tuple(LegendEntry(kind, label) for kind, label in entries if kind != BAND or has_band)


def bar_chart(items: Sequence[ChartItem], legend: Sequence[tuple[str, str]] = ()) -> Chart:
    """Lay out horizontal bars, one row per item, bars top to bottom in the item's order.

    ``legend`` lists ``(kind, label)`` pairs; a ``band`` entry is left out when no row has
    a band.
    """
    scale = _scale_max(items)
    bars_per_row = max((len(item.bars) for item in items), default=0)
    row_height = ROW_TOP + bars_per_row * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + ROW_BOTTOM

    def x_of(percent: Decimal) -> float:
        clamped = min(max(percent, Decimal(0)), scale)
        return round(float(clamped / scale) * FULL, 2)

    rows = []
    for index, item in enumerate(items):
        top = TOP + index * row_height
        band = marker = None
        if item.target is not None:
            if item.band > 0:
                low = x_of(item.target - item.band)
                band = Box(low, top, round(x_of(item.target + item.band) - low, 2), row_height - 4)
            if item.marker:
                marker = Marker(x_of(item.target), top + 1, top + row_height - 5)
        # Texts start right of the bar, and of the marker it would otherwise cross.
        clear = marker.x if marker is not None else 0.0
        views = []
        for position, bar in enumerate(item.bars):
            y = top + ROW_TOP + position * (BAR_HEIGHT + BAR_GAP)
            box = None if bar.value is None else Box(0.0, y, x_of(bar.value), BAR_HEIGHT)
            end = box.width if box is not None else 0.0
            views.append(BarView(bar.kind, box, bar.text, max(end, clear), y + BAR_HEIGHT - 2, bar.muted))
        rows.append(ChartRow(label=item.label, top=top, bars=tuple(views), band=band, marker=marker))
    plot_bottom = TOP + len(items) * row_height
    step = _tick_step(scale)
    ticks = []
    value = Decimal(0)
    while value <= scale:
        ticks.append(Tick(x_of(value), f"{value}%"))
        value += step
    return Chart(
        height=plot_bottom + AXIS_HEIGHT,
        row_height=row_height,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        rows=tuple(rows),
        ticks=tuple(ticks),
        legend=_legend(legend, any(row.band is not None for row in rows)),
    )


def masked(chart: Chart) -> Chart:
    """``chart`` laid out again with placeholder figures: its geometry reveals none of its own.

    Labels, texts (masked by the template), the kinds of bars, which bars have a value and
    which rows have a band or a marker are kept; every length and position that came from
    a figure now comes from ``PLACEHOLDER`` (and ``PLACEHOLDER_BAND``).
    """
    items = [
        ChartItem(
            row.label,
            tuple(Bar(bar.kind, None if bar.box is None else PLACEHOLDER, bar.text, bar.muted)
                  for bar in row.bars),
            PLACEHOLDER if row.band is not None or row.marker is not None else None,
            PLACEHOLDER_BAND if row.band is not None else Decimal(0),
            row.marker is not None,
        )
        for row in chart.rows
    ]
    return bar_chart(items, [(entry.kind, entry.label) for entry in chart.legend])
