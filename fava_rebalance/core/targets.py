"""The target of a category on a date: stepped, or gliding between waypoints (SPEC §6.2).

A portfolio's ``rebalance-target`` directives, in date order, make a path of **waypoints**:
each date on which a target is set, with the targets in force right after it (every
category's latest target on or before that date). On a date D:

- **stepped** (the default): the targets of the last waypoint on or before D;
- **gliding** (``custom "rebalance-option" "glide" TRUE``): between two consecutive
  waypoints W₀ (date d₀) and W₁ (date d₁) each category's target moves in a straight line,
  day by day: ``p₀ + (p₁ − p₀) × (D − d₀) ÷ (d₁ − d₀)`` in days, a category missing from
  W₀ counting 0 there. Since every waypoint adds up to 100, so does every day in between.

Before the first waypoint there are no targets; on and after the last nothing moves any
more. Figures are exact ``Decimal`` arithmetic (multiplied before dividing, so a whole
number of steps stays exact), never rounded here: rounding is for display only.

``TargetPath.on`` is the one answer to "the targets in force on a date" for a given
``glide``; ``Declarations.as_of(date, portfolio)`` reads the ``glide`` option of that date
and asks it, so the report, the plugin and every point of a drift history ask the same rule.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - the Target class lives with the declarations
    from fava_rebalance.core.declarations import Target

ZERO = Decimal(0)


@dataclass(frozen=True)
class Glide:
    """Where a gliding target comes from and goes to: its percent at two waypoints."""

    start: Decimal
    start_date: datetime.date
    end: Decimal
    end_date: datetime.date


@dataclass(frozen=True)
class Waypoint:
    """A target date and the targets in force right after it, by category."""

    date: datetime.date
    targets: Mapping[str, Target]


def waypoints(targets: Sequence[Target]) -> tuple[Waypoint, ...]:
    """One waypoint per date on which ``targets`` (one portfolio's, sorted by date) set one."""
    found: list[Waypoint] = []
    in_force: dict[str, Target] = {}
    for index, target in enumerate(targets):
        in_force[target.category] = target
        if index + 1 < len(targets) and targets[index + 1].date == target.date:
            continue
        found.append(Waypoint(target.date, dict(in_force)))
    return tuple(found)


def glided(start: Decimal, end: Decimal, elapsed: int, span: int) -> Decimal:
    """The straight line from ``start`` to ``end`` after ``elapsed`` of ``span`` days, exactly."""
    return start + (end - start) * elapsed / span


class TargetPath:
    """One portfolio's targets over time (its waypoints), stepped or gliding."""

    def __init__(self, targets: Sequence[Target]) -> None:
        self.waypoints = waypoints(targets)
        self._dates = [point.date for point in self.waypoints]

    def on(self, date: datetime.date, *, glide: bool = False) -> dict[str, Target]:
        """The targets in force on ``date``, by category.

        Stepped, each is the category's latest directive on or before ``date``. Gliding,
        between two waypoints, each is that directive (or, for a category new at the next
        waypoint, the next one) with the interpolated ``percent`` and a ``glide`` saying
        from what to what; a category whose target does not change there has no ``glide``.
        """
        index = bisect.bisect_right(self._dates, date) - 1
        if index < 0:
            return {}
        current = self.waypoints[index].targets
        if not glide or index + 1 == len(self.waypoints):
            return dict(current)
        after = self.waypoints[index + 1]
        start_date = self.waypoints[index].date
        elapsed, span = (date - start_date).days, (after.date - start_date).days
        found: dict[str, Target] = {}
        for category, coming in after.targets.items():
            now = current.get(category)
            start = now.percent if now is not None else ZERO
            if start == coming.percent:  # not moving (or a new 0% target: not in force yet)
                if now is not None:
                    found[category] = now
                continue
            found[category] = replace(
                now if now is not None else coming,
                percent=glided(start, coming.percent, elapsed, span),
                glide=Glide(start, start_date, coming.percent, after.date))
        return found
