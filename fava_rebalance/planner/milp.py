"""A small sparse model builder around HiGHS (``highspy``, its own Python interface).

Variables are added one at a time with bounds and integrality; rows are dictionaries of
coefficients. ``solve`` minimises a cost vector over the rows built so far, so one model can
be solved in phases (first the drift, then the tax with the drift held), whole or as its
linear relaxation. Floats stay inside this module and ``optimize``; callers turn the integer
results back into exact Decimals.

``highspy`` rather than ``scipy.optimize.milp`` (the same HiGHS underneath): it takes an
absolute MIP gap, which an objective near zero needs, and imports in a fifth of the time
(0.07 s against 0.33 s here), which the planner pays on its first plan in every process.
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
ROWWISE, MINIMIZE, FEASIBLE = 2, 1, 2   # HiGHS's MatrixFormat, ObjSense, SolutionStatus values
REL_GAP = 1e-6   # or within a millionth of the objective, whichever HiGHS reaches first
_SOLVING = threading.Lock()


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the solver's own prints on file descriptor 1, one solve at a time.

    HiGHS writes its banner there when created, before any option can silence it, which
    would corrupt ``bean-rebalance --format json``.
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

    @property
    def integers(self) -> int:
        """How many variables are integer."""
        return sum(self.integer)

    def solve(self, cost: Mapping[int, float], *, tolerance: float = 0.01,
              time_limit: float = TIME_LIMIT_SECONDS, relaxed: bool = False) -> Outcome:
        """Minimise ``Σ cost·x`` to within ``tolerance`` (absolute) of the optimum.

        ``relaxed`` solves the linear relaxation: every variable continuous. Each row is
        scaled to a largest coefficient of 1, which keeps HiGHS's tolerances meaningful
        when prices and unit counts differ by orders of magnitude.
        """
        # Imported here, not at the top: the Fava extension imports the planner, and most
        # page loads never plan.
        import highspy
        import numpy as np

        n = len(self.lower)
        c = np.zeros(n)
        for i, value in cost.items():
            c[i] += value
        starts, index, values, lower, upper = [0], [], [], [], []
        for coefs, low, high in self.rows:
            scale = max(abs(v) for v in coefs.values())
            for i, value in coefs.items():
                index.append(i)
                values.append(value / scale)
            starts.append(len(index))
            lower.append(low / scale)
            upper.append(high / scale)
        integrality = np.zeros(n, dtype=np.int32) if relaxed else np.array(self.integer, dtype=np.int32)
        with _quiet():
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("time_limit", float(time_limit))
            h.setOptionValue("mip_abs_gap", float(tolerance))
            h.setOptionValue("mip_rel_gap", REL_GAP)
            h.passModel(n, len(self.rows), len(index), ROWWISE, MINIMIZE, 0.0, c,
                        np.array(self.lower, dtype=float), np.array(self.upper, dtype=float),
                        np.array(lower, dtype=float), np.array(upper, dtype=float),
                        np.array(starts[:-1], dtype=np.int32), np.array(index, dtype=np.int32),
                        np.array(values, dtype=float), integrality)
            h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        message = h.modelStatusToString(status)
        if info.primal_solution_status != FEASIBLE:
            return Outcome(None, math.inf, message)
        values_out = tuple(float(v) for v in h.getSolution().col_value)
        return Outcome(values_out, float(info.objective_function_value), message)
