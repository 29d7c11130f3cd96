"""One time budget for a whole plan (``planner.budget``), on a clock the tests move by hand.

No test waits: a fake clock jumps when a solve returns, so "the budget ran out after phase
one" happens on every run at the same point. The ledger is the lazy-rebalancing example
(``test_planner_lazy``): a 5,000 deposit buys TIPS 2,833.33 and Bonds 2,166.67, which
phase one (closest to the goals) already finds; phase two only minimises tax (none here).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from planner_support import after, load, orders, plan_of
from test_planner_lazy import LEDGER

from fava_rebalance.core.pipeline import analyse
from fava_rebalance.planner import CashFlow, PlanError, plan
from fava_rebalance.planner.budget import Deadline
from fava_rebalance.planner.milp import Model

PUBLISHED_AFTER = {"Bonds": "17.78", "TIPS": "8.89", "US": "41.43", "Intl": "31.90"}  # test_planner_lazy


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _spy(monkeypatch: pytest.MonkeyPatch, after_solve: Callable[[int], None]) -> list[float]:
    """Record each solve's ``time_limit``; call ``after_solve(count)`` when one returns."""
    limits: list[float] = []
    real = Model.solve

    def solve(self: Model, *args: Any, **kwargs: Any) -> Any:
        limits.append(kwargs["time_limit"])
        outcome = real(self, *args, **kwargs)
        after_solve(len(limits))
        return outcome

    monkeypatch.setattr(Model, "solve", solve)
    return limits


def _deposit(deadline: Deadline) -> Any:
    ledger = load(LEDGER)
    report = analyse(ledger, datetime.date(2026, 11, 20))
    return plan(report, ledger.declarations, CashFlow(Decimal(5000)),
                deadline=deadline)


def test_each_solve_gets_what_is_left_of_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()

    def tick(count: int) -> None:
        clock.now = 2.5 * count  # each solve "takes" 2.5 s

    limits = _spy(monkeypatch, tick)
    result = _deposit(Deadline.start(3, clock))
    # Budget 3 s: the first solve may take 3 (less than HiGHS's 5 s cap per solve), the
    # second what is left after 2.5 s: 0.5.
    assert limits == [3.0, 0.5]
    assert after(result) == PUBLISHED_AFTER


def test_out_of_time_after_phase_one_gives_phase_ones_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()

    def spent(_: int) -> None:
        clock.now = 100.0  # the budget of 10 s is gone once the first solve returns

    limits = _spy(monkeypatch, spent)
    result = _deposit(Deadline.start(10, clock))
    assert len(limits) == 1  # phase two never started
    assert result.errors == ()
    assert orders(result) == [("Assets:Invest:Taxable", "buy", "TIP", "283.333", "2833.33"),
                              ("Assets:Invest:Taxable", "buy", "BOND", "216.667", "2166.67")]
    assert after(result) == PUBLISHED_AFTER
    assert ("the planner's time budget of 10 s (option time-budget) ran out: the plan is as close to "
            "the targets as found, but not the least tax") in result.warnings


def test_a_spent_budget_before_any_plan_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = _spy(monkeypatch, lambda _: None)
    result = _deposit(Deadline.start(0))
    assert limits == []  # nothing was solved
    assert result.trades == ()
    assert result.errors == (PlanError(
        "the planner's time budget of 0 s (option time-budget) ran out before a plan was found; "
        "give it more with the time-budget option"),)


def test_the_option_sets_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = _spy(monkeypatch, lambda _: None)
    text = LEDGER + '    2024-01-01 custom "rebalance-option" "time-budget" 2.5\n'
    result, _ = plan_of(text, "2026-11-20", "5000")
    assert after(result) == PUBLISHED_AFTER
    assert limits
    assert all(0 < limit <= 2.5 for limit in limits), limits  # what is left of 2.5 s, not 5
