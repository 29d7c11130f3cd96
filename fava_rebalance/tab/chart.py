"""Geometry of the page's bar charts: shares of the portfolio per category, as plain numbers.

Input: one ``ChartItem`` per category: its label, its bars (each a ``Bar`` of a kind, such as
``current`` and ``target``, or ``before`` and ``after``, with the text to print beside it),
and optionally its target and band, drawn as a shaded band and, with ``marker``, a line.
Output: a frozen ``Chart`` with the position and size of every bar, band, marker, tick,
legend entry and label in SVG user units. The template ``_rebalance_svg_chart.html`` draws
it as inline SVG with Fava's CSS variables (a bar of kind ``k`` has the class
``rebalance-bar-k``), so it follows the light and dark themes and needs nothing from the
network. Percentages stay ``Decimal`` until they become pixel positions here.

Under ``fava --incognito`` the texts are masked by the template, but the geometry would
still give every percentage away (a bar's width is its share): ``masked`` lays the same
chart out again from placeholder figures, the same for every bar, band and marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

WIDTH = 720.0
BAR_HEIGHT = 13.0
BAR_GAP = 2.0
ROW_TOP = 4.0  # above the first bar of a row
ROW_BOTTOM = 6.0  # below the last bar of a row
TOP = 34.0  # room for the legend
AXIS_HEIGHT = 22.0
CHAR_WIDTH = 6.6  # average width of a 12px character of Fava's sans-serif font
LABEL_MIN, LABEL_MAX = 90.0, 230.0
TEXT_ROOM = 120.0  # right of the plot, for "target 25.00%"
GAP = 10.0
SWATCH = 12.0  # a legend entry's coloured square
SWATCH_GAP = 5.0
LEGEND_GAP = 18.0
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
    """A rectangle in SVG user units."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarView:
    """A bar (``box`` ``None``: text only) and where its text goes."""

    kind: str
    box: Box | None
    text: str
    text_x: float
    text_y: float
    muted: bool


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``x`` (the target) across a row's bars."""

    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class ChartRow:
    """The bars, band, marker and label of one category (``short_label`` fits the label column)."""

    label: str
    short_label: str
    label_y: float
    bars: tuple[BarView, ...]
    band: Box | None
    marker: Marker | None


@dataclass(frozen=True)
class Tick:
    """A vertical grid line at ``x`` with its label (``"25%"``)."""

    x: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    """A swatch of ``kind`` (a bar kind, ``band`` or ``marker``) at ``x``, then ``label``."""

    kind: str
    label: str
    x: float

    @property
    def text_x(self) -> float:
        """Where the label starts."""
        return self.x + SWATCH + SWATCH_GAP


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


def _shorten(label: str, room: int) -> str:
    """``label`` cut to ``room`` characters with an ellipsis (the full text goes in a tooltip)."""
    return label if len(label) <= room else label[: max(room - 1, 1)] + "…"


def _legend(entries: Sequence[tuple[str, str]], has_band: bool) -> tuple[LegendEntry, ...]:
    placed = []
    x = 0.0
    for kind, label in entries:
        if kind == BAND and not has_band:
            continue
        placed.append(LegendEntry(kind, label, round(x, 1)))
        x += SWATCH + SWATCH_GAP + len(label) * CHAR_WIDTH + LEGEND_GAP
    return tuple(placed)


def bar_chart(items: Sequence[ChartItem], legend: Sequence[tuple[str, str]] = ()) -> Chart:
    """Lay out horizontal bars, one row per item, bars top to bottom in the item's order.

    ``legend`` lists ``(kind, label)`` pairs; a ``band`` entry is left out when no row has
    a band.
    """
    longest = max((len(item.label) for item in items), default=0)
    label_width = min(max(longest * CHAR_WIDTH + GAP, LABEL_MIN), LABEL_MAX)
    plot_left = label_width + GAP
    plot_right = WIDTH - TEXT_ROOM
    plot_width = plot_right - plot_left
    scale = _scale_max(items)
    bars_per_row = max((len(item.bars) for item in items), default=0)
    row_height = ROW_TOP + bars_per_row * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + ROW_BOTTOM

    def x_of(percent: Decimal) -> float:
        clamped = min(max(percent, Decimal(0)), scale)
        return round(plot_left + float(clamped / scale) * plot_width, 1)

    rows = []
    for index, item in enumerate(items):
        top = TOP + index * row_height
        band = marker = None
        if item.target is not None:
            if item.band > 0:
                low = x_of(item.target - item.band)
                band = Box(low, top, x_of(item.target + item.band) - low, row_height - 4)
            if item.marker:
                marker = Marker(x_of(item.target), top + 1, top + row_height - 5)
        # Texts start right of the bar, and of the marker it would otherwise cross.
        clear = marker.x if marker is not None else plot_left
        views = []
        for position, bar in enumerate(item.bars):
            y = top + ROW_TOP + position * (BAR_HEIGHT + BAR_GAP)
            box = None if bar.value is None else Box(plot_left, y, x_of(bar.value) - plot_left, BAR_HEIGHT)
            end = box.x + box.width if box is not None else plot_left
            views.append(BarView(bar.kind, box, bar.text, round(max(end, clear) + 4, 1), y + BAR_HEIGHT - 2,
                                 bar.muted))
        rows.append(ChartRow(
            label=item.label,
            short_label=_shorten(item.label, int((label_width - GAP) / CHAR_WIDTH)),
            label_y=top + row_height / 2,
            bars=tuple(views),
            band=band,
            marker=marker,
        ))
    plot_bottom = TOP + len(items) * row_height
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
