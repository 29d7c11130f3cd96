"""A small sparse model builder around ``scipy.optimize.milp`` (the HiGHS solver).

Variables are added one at a time with bounds and integrality; rows are dictionaries of
coefficients. ``solve`` minimises a cost vector over the rows built so far, so one model can
be solved in phases (first the drift, then the tax with the drift held). Floats stay inside
this module and ``optimize``; callers turn the integer results back into exact Decimals.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

TIME_LIMIT_SECONDS = 5.0
GAP = 1e-6
OPTIMAL, TIME_LIMIT = 0, 1
_SOLVING = threading.Lock()


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the solver's own prints on file descriptor 1, one solve at a time.

    HiGHS writes debug lines there even with ``disp`` off, which would corrupt
    ``bean-rebalance --format json``.
    """
    with _SOLVING:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no usable stdout (some embedded servers): nothing to protect
            yield
            return
        try:
            with open(os.devnull, "wb") as sink:
                os.dup2(sink.fileno(), 1)
                try:
                    yield
                finally:
                    os.dup2(saved, 1)
        finally:
            os.close(saved)


@dataclass(frozen=True)
class Outcome:
    """A solution (values per variable) and its objective, or why there is none."""

    values: tuple[float, ...] | None
    objective: float
    message: str

    @property
    def found(self) -> bool:
        """True when the solver returned a feasible point."""
        return self.values is not None


class Model:
    """Variables with bounds and integrality, and linear rows ``lb ≤ a·x ≤ ub``."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, lower: float = 0.0, upper: float = math.inf, *, integer: bool = False) -> int:
        """Add a variable; returns its index."""
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.lower) - 1

    def binary(self) -> int:
        """Add a 0/1 variable."""
        return self.var(0.0, 1.0, integer=True)

    def row(self, coefs: Mapping[int, float], lower: float = -math.inf, upper: float = math.inf) -> None:
        """Add the constraint ``lower ≤ Σ coef·x ≤ upper`` (zero coefficients dropped)."""
        kept = {i: c for i, c in coefs.items() if c != 0}
        if kept:
            self.rows.append((kept, lower, upper))

    def solve(self, cost: Mapping[int, float], *, tolerance: float = 0.01,
              time_limit: float = TIME_LIMIT_SECONDS) -> Outcome:
        """Minimise ``Σ cost·x`` to within about ``tolerance`` of the optimum.

        scipy passes HiGHS a relative gap only, which never closes on an objective near 0
        (a plan that reaches its targets exactly): a constant ``tolerance / GAP`` added to
        the objective (a variable fixed at 1) makes the relative gap an absolute one.
        """
        # Imported here, not at the top: the Fava extension imports the planner, and
        # numpy/scipy cost every Fava start ~0.5 s though most page loads never plan.
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        n = len(self.lower) + 1
        c = np.zeros(n)
        for i, value in cost.items():
            c[i] += value
        offset = tolerance / GAP
        c[-1] = offset
        constraints = []
        if self.rows:
            data, rows, cols, lower, upper = [], [], [], [], []
            for r, (coefs, low, high) in enumerate(self.rows):
                scale = max(abs(v) for v in coefs.values())  # rows scaled to a largest |coef| of 1
                for i, value in coefs.items():
                    rows.append(r)
                    cols.append(i)
                    data.append(value / scale)
                lower.append(low / scale)
                upper.append(high / scale)
            matrix = coo_array((data, (rows, cols)), shape=(len(self.rows), n)).tocsr()
            constraints.append(LinearConstraint(matrix, np.array(lower), np.array(upper)))
        bounds = Bounds(np.array([*self.lower, 1.0]), np.array([*self.upper, 1.0]))
        integrality = np.array([*self.integer, 0])
        options = {"time_limit": time_limit, "mip_rel_gap": GAP, "presolve": True}
        with _quiet():
            result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints, options=options)
            if result.x is None:  # HiGHS's presolve now and then ends in a "solve error": retry without
                options["presolve"] = False
                result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                              options=options)
        if result.x is None or result.status not in (OPTIMAL, TIME_LIMIT):
            return Outcome(None, math.inf, str(result.message))
        values = tuple(float(v) for v in result.x[:-1])
        return Outcome(values, float(result.fun) - offset, str(result.message))
