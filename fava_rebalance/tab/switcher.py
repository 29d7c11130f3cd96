"""The portfolio switcher at the top of the Rebalance tab (SPEC §6.1), as a view-model.

One link per portfolio with its value and its largest drift (the targeted category furthest
from its target, in percentage points), the worst first; a portfolio without targets comes
last. The links are built by the extension (``url_of``), which keeps Fava's other filters
(time, account, filter, conversion) and drops the cash input, which belongs to one
portfolio's plan. Names are the user's text: the template prints them escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.allocation import NONE, TargetRow
from fava_rebalance.core.pipeline import Report

PORTFOLIO = "portfolio"  # the query parameter


@dataclass(frozen=True)
class PortfolioLink:
    """One portfolio in the switcher: its name, value, largest drift and link."""

    name: str
    value: str
    drift: str
    outside: bool
    url: str
    current: bool


@dataclass(frozen=True)
class Switcher:
    """Every portfolio of the ledger, the worst drift first."""

    currency: str
    links: tuple[PortfolioLink, ...]

    @property
    def current(self) -> str | None:
        """The name of the portfolio shown."""
        return next((link.name for link in self.links if link.current), None)


def largest_drift(report: Report) -> TargetRow | None:
    """The targeted row furthest from its target (exact; ties: the first in the table)."""
    rows = report.allocation.targeted
    return max(rows, key=lambda row: abs(row.difference)) if rows else None


def build_switcher(
    reports: Sequence[Report],
    current: str,
    url_of: Callable[[str], str],
    money: Callable[[Decimal], str],
    signed: Callable[[Decimal], str],
) -> Switcher | None:
    """The switcher for ``reports`` (one per portfolio), ``current`` marked; ``None`` for one portfolio.

    ``money`` and ``signed`` write figures as the page does (``tab.page.Numbers``).
    """
    if len(reports) < 2:
        return None
    order = {report.portfolio: index for index, report in enumerate(reports)}

    def worst_first(report: Report) -> tuple[int, Decimal, int]:
        row = largest_drift(report)
        return (row is None, -abs(row.difference) if row is not None else Decimal(0), order[report.portfolio])

    links = []
    for report in sorted(reports, key=worst_first):
        row = largest_drift(report)
        drift = ("no targets" if row is None
                 else f"largest drift {row.category} {signed(row.difference)} points")
        outside = any(r.action != NONE for r in report.allocation.targeted)
        links.append(PortfolioLink(report.portfolio, money(report.total), drift, outside,
                                   url_of(report.portfolio), report.portfolio == current))
    return Switcher(reports[0].currency, tuple(links))
