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
class SolverResult:
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
        # The rows, scaled to a largest |coefficient| of 1, stored as HiGHS takes them (row-wise).
        self.starts: list[int] = []
        self.index: list[int] = []
        self.values: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

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
        """Add the constraint ``lower ≤ Σ coef·x ≤ upper`` (zero coefficients dropped).

        Each row is scaled to a largest coefficient of 1, which keeps HiGHS's tolerances
        meaningful when prices and unit counts differ by orders of magnitude.
        """
        kept = {i: c for i, c in coefs.items() if c != 0}
        if not kept:
            return
        scale = max(abs(v) for v in kept.values())
        self.starts.append(len(self.index))
        self.index.extend(kept)
        self.values.extend(v / scale for v in kept.values())
        self.row_lower.append(lower / scale)
        self.row_upper.append(upper / scale)

    def mark(self) -> tuple[int, int, int]:
        """The model's size now, to ``reset`` to after trying rows and variables out."""
        return len(self.lower), len(self.starts), len(self.index)

    def reset(self, mark: tuple[int, int, int]) -> None:
        """Drop every variable and row added since ``mark``."""
        variables, rows, entries = mark
        for column in (self.lower, self.upper, self.integer):
            del column[variables:]
        for row_data in (self.starts, self.row_lower, self.row_upper):
            del row_data[rows:]
        del self.index[entries:]
        del self.values[entries:]

    @property
    def rows(self) -> int:
        """How many rows."""
        return len(self.starts)

    @property
    def integers(self) -> int:
        """How many variables are integer."""
        return sum(self.integer)

    def solve(self, cost: Mapping[int, float], *, tolerance: float = 0.01,
              time_limit: float = TIME_LIMIT_SECONDS, relaxed: bool = False) -> SolverResult:
        """Minimise ``Σ cost·x`` to within ``tolerance`` (absolute) of the optimum.

        ``relaxed`` solves the linear relaxation: every variable continuous.
        """
        # Imported here, not at the top: the Fava extension imports the planner, and most
        # page loads never plan.
        import highspy
        import numpy as np

        n = len(self.lower)
        c = np.zeros(n)
        for i, value in cost.items():
            c[i] += value
        integrality = np.zeros(n, dtype=np.int32) if relaxed else np.array(self.integer, dtype=np.int32)
        with _quiet():
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("time_limit", float(time_limit))
            h.setOptionValue("mip_abs_gap", float(tolerance))
            h.setOptionValue("mip_rel_gap", REL_GAP)
            # One thread: the same plan every time, and a Fava server keeps its other core.
            h.setOptionValue("threads", 1)
            # The root reduced-cost heuristic took about half of every solve on our models
            # (example ledger 0.28 s → 0.16 s, benchmark --quick 0.43 s → 0.23 s, same plans).
            h.setOptionValue("mip_heuristic_run_root_reduced_cost", False)
            passed = h.passModel(n, self.rows, len(self.index), ROWWISE, MINIMIZE, 0.0, c,
                        np.array(self.lower, dtype=float), np.array(self.upper, dtype=float),
                        np.array(self.row_lower, dtype=float), np.array(self.row_upper, dtype=float),
                        np.array(self.starts, dtype=np.int32), np.array(self.index, dtype=np.int32),
                        np.array(self.values, dtype=float), integrality)
            if passed == highspy.HighsStatus.kError:  # a bound HiGHS cannot hold (≥ 1e20)
                return SolverResult(None, math.inf, "amounts of 1e20 or more, beyond the solver's range")
            h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        message = h.modelStatusToString(status)
        if info.primal_solution_status != FEASIBLE:
            return SolverResult(None, math.inf, message)
        values_out = tuple(float(v) for v in h.getSolution().col_value)
        return SolverResult(values_out, float(info.objective_function_value), message)
