"""Where the portfolio stands: the three sections of the rebalancing table.

Input: valued holdings and the settings in force. Output: a frozen ``Allocation`` with
*targeted* rows (one per category with a target, roll-up to the nearest targeted ancestor),
*untargeted* rows (categories holding value with no target) and *uncategorized* rows (one
per commodity with no category), each with value and percent; targeted rows also carry
target, difference, band, amount and action, and why a row needs no action (decided here
once, for every view). All exact Decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.categories import HUNDRED, Share
from fava_rebalance.core.declarations import Settings
from fava_rebalance.core.holdings import ZERO
from fava_rebalance.core.valuation import Holding

BUY, SELL, NONE = "buy", "sell", "none"
# Why a targeted row needs no action (``TargetRow.why_no_action``), in the order they are asked.
NO_VALUE = "no-value"                # the portfolio is worth nothing (or less)
WITHIN_BAND = "within-band"          # within its band (``within_band``)
BELOW_MIN_TRADE = "below-min-trade"  # outside it, but less than min-trade from its target


@dataclass(frozen=True)
class Part:
    """The part of a holding that counts toward one row (``fraction`` of its value)."""

    holding: Holding
    category: str
    fraction: Decimal

    @property
    def value(self) -> Decimal:
        """The value of this part in the reporting currency."""
        return self.holding.value * self.fraction


@dataclass(frozen=True)
class TargetRow:
    """A category with a target in force; ``why_no_action`` is set exactly when ``action`` is none."""

    category: str
    value: Decimal
    percent: Decimal
    target: Decimal
    difference: Decimal
    band: Decimal
    amount: Decimal
    action: str
    parts: tuple[Part, ...]
    target_value: Decimal
    why_no_action: str | None = None


@dataclass(frozen=True)
class CategoryRow:
    """A category holding value with no target."""

    category: str
    value: Decimal
    percent: Decimal
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class UncategorizedRow:
    """A commodity with no category, with the accounts that hold it."""

    commodity: str
    accounts: tuple[str, ...]
    value: Decimal
    percent: Decimal
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Allocation:
    """The three sections and the portfolio total."""

    total: Decimal
    targeted: tuple[TargetRow, ...]
    untargeted: tuple[CategoryRow, ...]
    uncategorized: tuple[UncategorizedRow, ...]


def within_band(value: Decimal, target: Decimal, band: Decimal, total: Decimal,
                allowance: Decimal = ZERO) -> bool:
    """True when ``value`` is within ``band`` points of ``target`` percent of ``total`` (edges in).

    The one definition of "inside its band", exact (no division): for the table's action,
    the optimiser's bands, the plan's after rows (``AfterRow.within_band``) and its warnings.
    ``allowance`` widens the band by that much money on either side: the plan warns about a
    category only when it misses its band by more than whole units force (``planner.explain``).
    """
    return abs(value * HUNDRED - target * total) <= band * total + allowance * HUNDRED


def percent_of(value: Decimal, total: Decimal) -> Decimal:
    """``value`` as a percentage of ``total`` (0 when the total is not positive)."""
    return value / total * HUNDRED if total > 0 else ZERO


def allocate(
    holdings: Sequence[Holding],
    classify: Callable[[str, str], tuple[Share, ...] | None],
    settings: Settings,
) -> Allocation:
    """Sort holdings into the three sections as of ``settings.date``."""
    total = sum((h.value for h in holdings), ZERO)
    targeted: dict[str, list[Part]] = {name: [] for name in settings.targets}
    untargeted: dict[str, list[Part]] = {}
    uncategorized: dict[str, list[Part]] = {}
    for holding in holdings:
        shares = classify(holding.account, holding.commodity)
        if shares is None:
            uncategorized.setdefault(holding.commodity, []).append(
                Part(holding, holding.commodity, Decimal(1)))
            continue
        for share in shares:
            part = Part(holding, share.category, share.fraction)
            owner = settings.target_for(share.category)
            if owner is None:
                untargeted.setdefault(share.category, []).append(part)
            else:
                targeted[owner].append(part)
    options = settings.options
    rows = []
    for name in sorted(targeted):
        parts = targeted[name]
        value = sum((p.value for p in parts), ZERO)
        target = settings.targets[name].percent
        percent = percent_of(value, total)
        difference = percent - target
        band = options.band_width(target)
        target_value = target * total / HUNDRED
        amount = abs(target_value - value)
        why = _why_no_action(value, target, band, total, amount, options.min_trade)
        action = NONE if why is not None else SELL if difference > 0 else BUY
        rows.append(TargetRow(name, value, percent, target, difference, band, amount, action,
                              tuple(parts), target_value, why))
    untargeted_rows = []
    for name, parts in untargeted.items():
        value = sum((p.value for p in parts), ZERO)
        untargeted_rows.append(CategoryRow(name, value, percent_of(value, total), tuple(parts)))
    untargeted_rows.sort(key=lambda r: (-r.value, r.category))
    uncategorized_rows = []
    for commodity, parts in uncategorized.items():
        value = sum((p.value for p in parts), ZERO)
        accounts = tuple(sorted({p.holding.account for p in parts}))
        uncategorized_rows.append(
            UncategorizedRow(commodity, accounts, value, percent_of(value, total), tuple(parts)))
    uncategorized_rows.sort(key=lambda r: (-r.value, r.commodity))
    return Allocation(total, tuple(rows), tuple(untargeted_rows), tuple(uncategorized_rows))


def _why_no_action(value: Decimal, target: Decimal, band: Decimal, total: Decimal, amount: Decimal,
                   min_trade: Decimal) -> str | None:
    """Why a category needs no action, or ``None`` when it needs one."""
    if total <= 0:
        return NO_VALUE
    if within_band(value, target, band, total):
        return WITHIN_BAND
    if amount < min_trade:
        return BELOW_MIN_TRADE
    return None


def cash_needed(allocation: Allocation) -> Decimal:
    """Smallest deposit after which buying alone leaves no category above its target.

    max over targeted categories (target > 0) of value ÷ target, minus the total; never
    below zero. Categories with a 0% target cannot be fixed by buying and are skipped.
    """
    needed = ZERO
    for row in allocation.targeted:
        if row.target > 0:
            needed = max(needed, row.value / (row.target / HUNDRED) - allocation.total)
    return needed
