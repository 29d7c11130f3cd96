"""The Rebalance tab's view-model: everything the page shows, built from a ``Report``.

``build_page(report, declarations, number_format)`` is the one function the Fava extension
calls; the templates only loop over the result and print its strings (each figure through
``|incognito``). Figures are rounded here exactly as in the CSV and JSON (two places, half
up, ``formatting.round2``), then written with the ledger's number format (Fava's ``locale``
option, or ``render_commas``), so the page, the downloads and the CLI agree digit for digit.

The sentences the library writes (moves, warnings, reasons) hold their figures in the
library's one form, two decimals with or without ``,`` grouping (``formatting.grouped``,
``plain``); ``Numbers.text`` rewrites exactly those in Fava's format, so a sentence and
the table beside it write a number the same way. Two texts keep the library's form: the
ledger lines of a hint (they are Beancount syntax) and the rebalance errors (they quote
the ledger, as Fava's Errors page does).

The trade planner adds its own sections with ``with_panels(page, Panel(template, data))``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.core import Locale
from fava.core.number import get_locale_format

from fava_rebalance.core.allocation import NO_VALUE, NONE, WITHIN_BAND, Part, TargetRow
from fava_rebalance.core.beginnings import Beginnings
from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.formatting import round2
from fava_rebalance.core.pipeline import NO_HOLDINGS, Report
from fava_rebalance.tab.chart import BAND, Bar, Chart, ChartItem, bar_chart
from fava_rebalance.tab.hints import (
    LedgerHint,
    Prerequisite,
    SourceRef,
    classify_hint,
    prerequisites,
    source_of,
    target_hint,
)
from fava_rebalance.views.labels import action_label, glide_label
from fava_rebalance.views.review_words import pending_words, review_line

NumberFormat = Callable[[Decimal, int], str]
"""Writes an already rounded number with a given count of decimal places."""

TODO = "todo"
NOTHING_HELD = "Nothing held"
PRICE_NOTES = {"cost": "no price: at cost", "currency": "the currency itself"}
PRICE_PLACES_MAX = 6
# A figure as the library writes it in a sentence: 64,028.50, 1234.50, -2,000.00, 47.14 (of
# 47.14%); not a part of a longer number, a name (A1.00) or a date.
LIBRARY_FIGURE = re.compile(r"(?<![\w.,-])(-?)(\d{1,3}(?:,\d{3})+|\d+)\.(\d\d)(?!\w|[.,]\d)")


def plain_number(value: Decimal, places: int) -> str:
    """``1234.50``: no grouping (Fava's format without a ``locale`` option)."""
    return f"{value:.{places}f}"


def locale_number_format(locale_name: str | None) -> NumberFormat:
    """Fava's number format for the ledger's ``locale`` option, for any count of places."""
    locale = Locale.parse(locale_name) if locale_name else None
    formatters: dict[int, Callable[[Decimal], str]] = {}

    def write(value: Decimal, places: int) -> str:
        if places not in formatters:
            formatters[places] = get_locale_format(locale, places)
        return formatters[places](value)

    return write


@dataclass(frozen=True)
class Numbers:
    """Display forms of the report's numbers, all through one ``NumberFormat``."""

    write: NumberFormat = plain_number

    def money(self, value: Decimal) -> str:
        """Two places, half up: ``1234.50``."""
        return self.write(round2(value), 2)

    def signed(self, value: Decimal) -> str:
        """Percentage points with a sign: ``+7.00``, ``-6.00``, ``0.00``."""
        rounded = round2(value)
        text = self.write(rounded, 2)
        return f"+{text}" if rounded > 0 else text

    def units(self, value: Decimal) -> str:
        """Units with every decimal the ledger wrote (``350.645``; ``350,645`` in German)."""
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return self.write(value, places)

    def text(self, sentence: str) -> str:
        """``sentence`` with each two-decimal figure of the library written in this format."""
        def rewrite(found: re.Match[str]) -> str:
            sign, whole, cents = found.groups()
            return self.write(Decimal(f"{sign}{whole.replace(',', '')}.{cents}"), 2)

        return LIBRARY_FIGURE.sub(rewrite, sentence)

    def texts(self, sentences: Iterable[str]) -> tuple[str, ...]:
        """Each of ``sentences`` through ``text``."""
        return tuple(self.text(s) for s in sentences)

    def price(self, value: Decimal) -> str:
        """A unit price: two places, or up to six when it has more digits (``0.012345``)."""
        exponent = value.normalize().as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) else 2
        places = min(max(digits, 2), PRICE_PLACES_MAX)
        quantum = Decimal(1).scaleb(-places)
        return self.write(value.quantize(quantum, rounding=ROUND_HALF_UP), places)


@dataclass(frozen=True)
class HoldingView:
    """A holding (or the part of it that counts toward a row) in a row's detail."""

    account: str
    commodity: str
    commodity_name: str
    units: str
    share: str | None
    price: str | None
    price_date: str | None
    price_note: str | None
    value: str


@dataclass(frozen=True)
class RowView:
    """One row of the table: a category, or an uncategorized commodity.

    Targeted rows fill ``target`` to ``action_note``; the other rows have ``action``
    ``todo`` and a ``hint`` (the ledger lines to add); uncategorized rows fill ``accounts``.
    ``action`` is ``buy``, ``sell``, ``none`` or ``todo`` (also the CSS class).
    """

    key: str
    label: str
    value: str
    percent: str
    holdings: tuple[HoldingView, ...]
    target: str | None = None
    band: str | None = None
    difference: str | None = None
    action: str | None = None
    action_label: str | None = None
    amount: str | None = None
    action_note: str | None = None
    accounts: tuple[str, ...] = ()
    hint: LedgerHint | None = None
    glide: str | None = None  # "gliding from 30% (2026-01-01) to 50% (2036-01-01)"

    @property
    def label_parts(self) -> tuple[str, ...]:
        """The label between its ``:``, where a narrow screen may break the line."""
        return tuple(self.label.split(":"))

    @property
    def account_parts(self) -> tuple[tuple[str, ...], ...]:
        """Each account's name between its ``:``, as ``label_parts``."""
        return tuple(tuple(account.split(":")) for account in self.accounts)


@dataclass(frozen=True)
class SectionView:
    """One of the three sections of the table, with a sentence saying what it holds."""

    key: str
    title: str
    note: str
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class ProblemView:
    """A rebalance error from the ledger, with where it is (``None``: nowhere in particular)."""

    message: str
    where: SourceRef | None


@dataclass(frozen=True)
class Panel:
    """A section contributed by another part of the project (the trade planner).

    ``template`` is a template file in ``fava_rebalance/templates``; it sees the page as
    ``page`` and this panel's ``data`` as ``panel.data``.
    """

    template: str
    data: Any


@dataclass(frozen=True)
class Page:
    """The whole page. ``sections`` holds only the sections that have rows.

    ``nothing_held``: the sentence shown instead of the moves when targets are in force but
    nothing is held (``None`` otherwise). ``filtered``: what a filtered view's targets are
    a share of (``tab.filtered``), ``None`` for the whole portfolio. ``too_early``: every
    prerequisite missing is met later in the ledger (the report is dated too early).
    """

    date: str
    currency: str
    total: str
    total_percent: str
    target_total: str
    has_targets: bool
    sections: tuple[SectionView, ...]
    moves: tuple[str, ...]
    moves_note: str | None
    cash_needed: str
    cash_needed_band: str | None
    cash_needed_band_why_not: str
    chart: Chart
    warnings: tuple[str, ...]
    errors: tuple[ProblemView, ...]
    prerequisites: tuple[Prerequisite, ...]
    panels: tuple[Panel, ...] = ()
    nothing_held: str | None = None
    filtered: str | None = None
    review: str = ""  # "Last rebalanced … · next review … (overdue)" (SPEC §5.1)
    review_overdue: bool = False
    pending: str = ""  # the pending (!) rebalances

    @property
    def too_early(self) -> bool:
        """Whether each missing prerequisite is only missing on this date (the ledger has it later)."""
        return bool(self.prerequisites) and all(p.too_early for p in self.prerequisites)


def with_panels(page: Page, *panels: Panel) -> Page:
    """``page`` with ``panels`` added after its suggested moves and chart."""
    return replace(page, panels=(*page.panels, *panels))


def _holdings(parts: Iterable[Part], numbers: Numbers, declarations: Declarations) -> tuple[HoldingView, ...]:
    views = []
    for part in sorted(parts, key=lambda p: (-p.value, p.holding.account, p.holding.commodity)):
        holding = part.holding
        views.append(HoldingView(
            account=holding.account,
            commodity=holding.commodity,
            commodity_name=declarations.commodity_name(holding.commodity),
            units=numbers.units(holding.units),
            share=None if part.fraction == 1 else f"{numbers.money(part.fraction * 100)}%",
            price=None if holding.price is None or holding.basis == "currency"
            else numbers.price(holding.price),
            price_date=holding.price_date.isoformat() if holding.price_date else None,
            price_note=PRICE_NOTES.get(holding.basis),
            value=numbers.money(part.value),
        ))
    return tuple(views)


def _action_note(row: TargetRow, report: Report, numbers: Numbers) -> str:
    """Why a row needs or does not need action (as the report decided), for the Action cell's tooltip."""
    if row.why_no_action is None:
        return f"{numbers.money(row.amount)} {report.currency} to reach the target"
    if row.why_no_action == WITHIN_BAND:
        return f"within its band of ±{numbers.money(row.band)} points"
    if row.why_no_action == NO_VALUE:
        return "nothing is held yet: nothing to rebalance"
    return (f"{numbers.money(row.amount)} {report.currency} is below the smallest trade worth "
            f"making ({numbers.money(report.settings.options.min_trade)} {report.currency})")


def _glide(row: TargetRow, report: Report) -> str | None:
    """Where a gliding target is going, in words (``None`` when it does not glide today)."""
    target = report.settings.targets.get(row.category)
    return glide_label(target.glide) if target is not None and target.glide is not None else None


def _sections(report: Report, numbers: Numbers, declarations: Declarations) -> tuple[SectionView, ...]:
    alloc = report.allocation

    def row_view(key: str, label: str, value: Decimal, percent: Decimal, parts: Iterable[Part],
                 **detail: Any) -> RowView:
        """A row's figures and holdings, the same in every section, and its ``detail``."""
        return RowView(key=key, label=label, value=numbers.money(value), percent=numbers.money(percent),
                       holdings=_holdings(parts, numbers, declarations), **detail)

    targeted = tuple(
        row_view(
            f"targeted-{index}", row.category, row.value, row.percent, row.parts,
            target=numbers.money(row.target),
            band=f"±{numbers.money(row.band)}",
            difference=numbers.signed(row.difference),
            action=row.action,
            action_label=NOTHING_HELD if row.why_no_action == NO_VALUE else action_label(row.action),
            amount=None if row.action == NONE else numbers.money(row.amount),
            action_note=_action_note(row, report, numbers),
            glide=_glide(row, report),
        )
        for index, row in enumerate(alloc.targeted)
    )
    untargeted = tuple(
        row_view(
            f"untargeted-{index}", row.category, row.value, row.percent, row.parts,
            action=TODO,
            action_label="Set a target",
            hint=target_hint(row.category, report),
        )
        for index, row in enumerate(alloc.untargeted)
    )
    uncategorized = tuple(
        row_view(
            f"uncategorized-{index}", row.commodity, row.value, row.percent, row.parts,
            action=TODO,
            action_label="Set an asset class",
            accounts=row.accounts,
            hint=classify_hint(row, report, declarations),
        )
        for index, row in enumerate(alloc.uncategorized)
    )
    sections = (
        SectionView("targeted", "Categories with targets",
                    "Each category with a target in force, compared with its share of the portfolio.",
                    targeted),
        SectionView("untargeted", "No target set",
                    "Categories that hold value but have no target; they count in the total.",
                    untargeted),
        SectionView("uncategorized", "Uncategorized",
                    "Commodities with no asset class; they count in the total but in no category.",
                    uncategorized),
    )
    return tuple(section for section in sections if section.rows)


CURRENT_LEGEND = (("current", "Current"), ("target", "Target"), (BAND, "Band (no action inside)"))


def _chart(report: Report, numbers: Numbers) -> Chart:
    alloc = report.allocation

    def item(label: str, percent: Decimal, target: Decimal | None, band: Decimal, note: str) -> ChartItem:
        return ChartItem(label, (Bar("current", percent, f"{numbers.money(percent)}%"),
                                 Bar("target", target, note, muted=True)), target, band)

    items = [item(row.category, row.percent, row.target, row.band, f"target {numbers.money(row.target)}%")
             for row in alloc.targeted]
    items += [item(row.category, row.percent, None, Decimal(0), "no target") for row in alloc.untargeted]
    if alloc.uncategorized:
        percent = sum((row.percent for row in alloc.uncategorized), Decimal(0))
        items.append(item("Uncategorized", percent, None, Decimal(0), "no category"))
    return bar_chart(items if report.total > 0 else [], CURRENT_LEGEND)


def _nothing_held(report: Report, beginnings: Beginnings | None) -> str | None:
    """Instead of the moves, when targets are in force but nothing is held: there is nothing to rebalance."""
    if not report.allocation.targeted or NO_HOLDINGS not in report.missing:
        return None
    later = beginnings.holdings_later(report.date) if beginnings is not None else None
    when = f"; the first holding is on {later}" if later is not None else ""
    return (f"Nothing to rebalance yet: the portfolio holds nothing on {report.date}{when}. Plan a "
            "deposit below to see what to buy first.")


def build_page(
    report: Report,
    declarations: Declarations,
    number_format: NumberFormat = plain_number,
    *,
    beginnings: Beginnings | None = None,
    filtered: str | None = None,
) -> Page:
    """The page for ``report``; ``declarations`` name the commodities and say where they are declared.

    ``beginnings``: when the ledger's targets and holdings begin (``core.beginnings``; needed
    only when the report misses one of them). ``filtered``: the sentence a filtered view
    shows (``tab.filtered``).
    """
    numbers = Numbers(number_format)
    band = report.band_deposit.amount
    return Page(
        date=report.date.isoformat(),
        currency=report.currency,
        total=numbers.money(report.total),
        total_percent=numbers.money(Decimal(100) if report.total > 0 else Decimal(0)),
        target_total=numbers.money(report.settings.target_total),
        has_targets=bool(report.allocation.targeted),
        sections=_sections(report, numbers, declarations),
        moves=numbers.texts(report.moves),
        moves_note=None if report.suggested.note is None else numbers.text(report.suggested.note),
        cash_needed=numbers.money(report.cash_needed),
        cash_needed_band=None if band is None else numbers.money(band),
        cash_needed_band_why_not=numbers.text(report.band_deposit.why_not),
        chart=_chart(report, numbers),
        warnings=numbers.texts(report.warnings),
        errors=tuple(ProblemView(error.message, source_of(error.source)) for error in report.errors),
        prerequisites=prerequisites(report, declarations, beginnings),
        nothing_held=_nothing_held(report, beginnings),
        filtered=filtered,
        review=review_line(report.review) if report.review is not None else "",
        review_overdue=report.review is not None and report.review.overdue,
        pending=pending_words(report.review) if report.review is not None else "",
    )
