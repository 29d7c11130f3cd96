"""One time budget for a whole plan: every solve gets what is left, and no step starts late.

A plan solves several models (phase one and two, the household-wide pass after a deposit,
the break-even comparison), and on a large household building each model takes time too.
``plan`` starts a ``Deadline`` from the ``time-budget`` option (seconds, 10 by default);
each HiGHS solve is limited to what remains (``limit``), and between the steps of building
a model and between solves the planner checks it (``check``). When it has run out,
``OutOfTime`` stops the step: the planner returns the best plan it already has (phase one
without the tax phase; the plan without the break-even comparison) with a warning, or,
with nothing to show, a plan error that says so. A step already running (a solve up to its
limit, building the model of one category) finishes first, so a plan may overrun the
budget by about one such step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

SPENT = "time budget"  # in every message about it (``plan`` looks for it in the solver's notes)


class OutOfTime(Exception):
    """The plan's time budget ran out; ``str()`` says so in words for the user."""


@dataclass(frozen=True)
class Deadline:
    """The end of a plan's time budget of ``seconds``, on ``clock`` (``time.monotonic``)."""

    seconds: float
    end: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    @classmethod
    def start(cls, seconds: Decimal | float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A budget of ``seconds`` from now."""
        return cls(float(seconds), clock() + float(seconds), clock)

    @property
    def message(self) -> str:
        """What to tell the user when it has run out."""
        return f"the planner's {SPENT} of {self.seconds:g} s (option time-budget) ran out"

    @property
    def expired(self) -> bool:
        """Whether no time is left."""
        return self.clock() >= self.end

    def check(self) -> None:
        """Raise ``OutOfTime`` if no time is left (between steps)."""
        if self.expired:
            raise OutOfTime(self.message)

    def limit(self, cap: float) -> float:
        """Seconds the next solve may take: what is left, at most ``cap``; ``OutOfTime`` if none."""
        self.check()
        return min(cap, self.end - self.clock())


UNLIMITED = Deadline(math.inf, math.inf)
