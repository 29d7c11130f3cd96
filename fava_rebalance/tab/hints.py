"""What to write in the ledger: the exact lines that fix what the report says is missing.

Pure: takes a ``Report`` (and the ``Declarations``, which say where the ledger declares
its commodities) and returns ``LedgerHint`` values, each a sentence and the lines to paste.
Used by the Fava page for uncategorized holdings and for the prerequisites (no holdings, no
targets, nothing categorized). The lines follow SPEC §1: ``asset-class`` metadata,
``rebalance-target`` and ``rebalance-option`` custom directives. A report dated before the
ledger's first target or first holding (``core.beginnings``) gets no lines to add: the
ledger has them, later; the prerequisite says when.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from fava_rebalance.core.allocation import UncategorizedRow
from fava_rebalance.core.beginnings import Beginnings
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.pipeline import NO_HOLDINGS, NO_TARGETS, NOTHING_CATEGORIZED, Report
from fava_rebalance.core.portfolios import MAIN

PLACEHOLDER = "..."
EXAMPLE_TARGETS = (("Equities", 60), ("Bonds", 30), ("Cash", 10))


@dataclass(frozen=True)
class SourceRef:
    """A place in the ledger's files: ``filename`` (full path) and ``lineno``."""

    filename: str
    lineno: int

    @property
    def label(self) -> str:
        """``ledger.beancount:12``: the file's base name and the line."""
        return f"{self.filename.replace(chr(92), '/').rsplit('/', 1)[-1]}:{self.lineno}"


def source_of(meta: Mapping[str, Any] | None) -> SourceRef | None:
    """Where a directive (or an error, by its ``source``) is: its metadata's file and line."""
    found = meta or {}
    filename = found.get("filename")
    if not filename:
        return None
    lineno = found.get("lineno")
    return SourceRef(str(filename), lineno if isinstance(lineno, int) else 0)


@dataclass(frozen=True)
class LedgerHint:
    """One thing to do: ``text`` says what, ``lines`` are the ledger lines to add.

    ``where`` is the existing directive the lines extend, if any;
    ``figures`` is true when the lines hold the portfolio's own figures (masked in
    Fava's incognito mode).
    """

    text: str
    lines: tuple[str, ...]
    where: SourceRef | None = None
    figures: bool = False


@dataclass(frozen=True)
class Prerequisite:
    """A prerequisite the report lacks (``key`` is one of ``pipeline.NO_*``).

    ``too_early``: the ledger meets it after the report's date; nothing is to be added.
    """

    key: str
    title: str
    explanation: str
    hints: tuple[LedgerHint, ...]
    too_early: bool = False


def quoted(text: str) -> str:
    """``text`` as a Beancount string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def known_categories(report: Report) -> tuple[str, ...]:
    """The categories the report knows of: those with targets and those holding value."""
    alloc = report.allocation
    names = {row.category for row in alloc.targeted} | {row.category for row in alloc.untargeted}
    return tuple(sorted(names | set(report.settings.targets)))


def classify_hint(row: UncategorizedRow, report: Report, declarations: Declarations) -> LedgerHint:
    """The ``asset-class`` line that puts an uncategorized commodity into a category."""
    commodity = row.commodity
    if commodity == report.currency:
        category = "Cash"
        choice = f"{commodity} is the reporting currency, usually in the Cash class"
    else:
        category = PLACEHOLDER
        categories = known_categories(report)
        choice = (f"replace {PLACEHOLDER} with one of your categories ({', '.join(categories)}) "
                  "or a new one" if categories else
                  f"replace {PLACEHOLDER} with its asset class, for example Equities, Bonds or Cash")
    meta_line = f"  asset-class: {quoted(category)}"
    directive = declarations.commodities.get(commodity)
    if directive is not None:
        return LedgerHint(
            f"Add an asset-class line to the commodity directive of {commodity}; {choice}.",
            (f"{directive.date} commodity {commodity}", meta_line),
            source_of(directive.meta),
        )
    return LedgerHint(
        f"Declare {commodity} with its asset class; {choice}.",
        (f"{_first_lot_date(row) or report.date} commodity {commodity}", meta_line),
    )


def target_hint(category: str, report: Report) -> LedgerHint:
    """The ``rebalance-target`` line for a category that holds value but has no target."""
    return LedgerHint(
        f"Set a target for {category}: replace {PLACEHOLDER} with its percentage, and lower "
        "the other targets so that together they still add up to 100.",
        scoped((f"{report.date} custom \"rebalance-target\" {quoted(category)} {PLACEHOLDER}",), report),
    )


def scoped(lines: Sequence[str], report: Report) -> tuple[str, ...]:
    """Directives for ``report``'s portfolio: each with ``portfolio:`` under it, but for ``Main``."""
    if report.portfolio == MAIN:
        return tuple(lines)
    meta = f"  portfolio: {quoted(report.portfolio)}"
    return tuple(part for line in lines for part in (line, meta))


def _first_lot_date(row: UncategorizedRow) -> datetime.date | None:
    dates = [lot.date for part in row.parts for lot in part.holding.lots if lot.date is not None]
    return min(dates) if dates else None


def whole_percents(shares: Sequence[tuple[str, Decimal]]) -> list[tuple[str, int]]:
    """Whole percentages proportional to ``shares`` that add up to exactly 100.

    Largest remainder: floor each share of 100, then give the missing points to the
    largest remainders. ``[("A", 2), ("B", 1)]`` → ``[("A", 67), ("B", 33)]``.
    """
    total = sum((value for _, value in shares), Decimal(0))
    if total <= 0:
        return []
    exact = [(name, value * HUNDRED / total) for name, value in shares]
    floors = [(name, int(pct.to_integral_value(rounding=ROUND_FLOOR))) for name, pct in exact]
    missing = 100 - sum(points for _, points in floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - floors[i][1]), exact[i][0]))
    bonus = set(order[:missing])
    return [(name, points + (1 if i in bonus else 0)) for i, (name, points) in enumerate(floors)]


def target_lines(report: Report) -> tuple[str, ...]:
    """``custom "rebalance-target"`` lines for the categories held, at today's shares."""
    held = [(row.category, row.value) for row in report.allocation.untargeted]
    targets = whole_percents(held) or list(EXAMPLE_TARGETS)
    return scoped([f'{report.date} custom "rebalance-target" {quoted(name)} {points}'
                   for name, points in targets], report)


def _too_early(key: str, title: str, what: str, report: Report, later: datetime.date) -> Prerequisite:
    """A prerequisite the ledger meets, only after the report's date: no lines, the date instead."""
    return Prerequisite(
        key, title,
        f"The report is dated {report.date}, before {what}, dated {later}. Choose a time filter "
        f"that ends on or after {later} (or, on the command line, --date {later} or later).",
        (),
        too_early=True,
    )


def _no_holdings(report: Report, beginnings: Beginnings | None) -> Prerequisite:
    date, currency = report.date, report.currency
    later = beginnings.holdings_later(date) if beginnings is not None else None
    if later is not None:
        return _too_early(NO_HOLDINGS, "Nothing held yet", "the portfolio's first holding", report, later)
    pattern = report.settings.options.accounts.pattern
    return Prerequisite(
        NO_HOLDINGS,
        "No holdings",
        f"Nothing is held on {date} in the portfolio: the accounts matching {pattern}, "
        "without those marked rebalance: FALSE, narrowed by this page's filters.",
        (
            LedgerHint("Record what you hold in a portfolio account, for example:", (
                *scoped((f"{date} open Assets:Invest:Brokerage",), report),
                f'{date} * "Buy"',
                f"  Assets:Invest:Brokerage   10 VTI {{250.00 {currency}}}",
                "  Assets:Bank:Checking",
            )),
            LedgerHint("If your investments are in other accounts, say which accounts make up "
                       "the portfolio (a regular expression):",
                       scoped((f'{date} custom "rebalance-option" "accounts" "^Assets:Invest"',), report)),
        ),
    )


def _no_targets(report: Report, beginnings: Beginnings | None) -> Prerequisite:
    later = beginnings.targets_later(report.date) if beginnings is not None else None
    if later is not None:
        return _too_early(NO_TARGETS, "No targets yet", "the ledger's first target", report, later)
    if report.allocation.untargeted:
        text = ("Targets for the categories you hold, at their shares today "
                "(change the numbers to the allocation you want; they must add up to 100):")
    else:
        text = "Targets, for example (they must add up to 100):"
    return Prerequisite(
        NO_TARGETS,
        "No targets set",
        "A target says what percentage of the whole portfolio a category should be. "
        f"None is in force on {report.date}.",
        (LedgerHint(text, target_lines(report), figures=bool(report.allocation.untargeted)),),
    )


def _nothing_categorized(report: Report, declarations: Declarations) -> Prerequisite:
    return Prerequisite(
        NOTHING_CATEGORIZED,
        "Nothing is categorized",
        "No holding has an asset class, so no holding counts toward a target. Add an "
        "asset-class line to each commodity (or to the open directive of an account, "
        "which then covers everything the account holds).",
        tuple(classify_hint(row, report, declarations) for row in report.allocation.uncategorized),
    )


def prerequisites(report: Report, declarations: Declarations,
                  beginnings: Beginnings | None = None) -> tuple[Prerequisite, ...]:
    """One ``Prerequisite`` per item of ``report.missing``, in the order to fix them.

    ``beginnings``: when the ledger's targets and holdings begin; a report dated before
    them is told so rather than given lines the ledger already has.
    """
    found: list[Prerequisite] = []
    for key in report.missing:
        if key == NO_HOLDINGS:
            found.append(_no_holdings(report, beginnings))
        elif key == NO_TARGETS:
            found.append(_no_targets(report, beginnings))
        elif key == NOTHING_CATEGORIZED:
            found.append(_nothing_categorized(report, declarations))
    return tuple(found)

