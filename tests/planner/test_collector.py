"""The cyclic garbage collector is paused while a plan is made, and resumed after it."""

from __future__ import annotations

import datetime
import gc
import importlib
import threading
from collections.abc import Iterator

import pytest

from fava_rebalance.core.pipeline import analyse, analyse_portfolios
from fava_rebalance.planner import together
from fava_rebalance.planner.collector import collector_paused

# The module, not the function ``fava_rebalance.planner.plan`` that the package exports.
plan_module = importlib.import_module("fava_rebalance.planner.plan")


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_resumed_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a plan inside a plan (plans made together)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one is still under way
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_resumed_by_the_last_of_two_threads(collector_on: None) -> None:
    # Thread A pauses, then B; A ends first: still paused for B; B ends: running again.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def a() -> None:
        with collector_paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with collector_paused():
            b_in.set()
            a_out.wait(5)
            seen["after a"] = gc.isenabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after a": False}
    assert gc.isenabled()


def test_a_plan_runs_with_the_collector_paused(collector_on: None, monkeypatch: pytest.MonkeyPatch,
                                               ledger_of) -> None:
    seen: list[bool] = []
    real = plan_module._plan

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "_plan", spy)
    ledger = ledger_of("""
        option "operating_currency" "USD"
        2024-01-01 custom "rebalance-target" "Stocks" 100
        2024-01-01 commodity VTI
          asset-class: "Stocks"
        2024-01-01 open Assets:Broker
        2024-01-01 open Equity:Opening
        2024-01-02 * "Buy"
          Assets:Broker   10 VTI {100 USD}
          Equity:Opening
        2024-01-03 price VTI 110 USD
    """)
    plan_module.plan_request(analyse(ledger, datetime.date(2024, 2, 1)), ledger.declarations)
    assert seen == [False]
    assert gc.isenabled()


def test_plans_made_together_keep_it_paused_between_the_plans(
        collector_on: None, monkeypatch: pytest.MonkeyPatch, ledger_of) -> None:
    # Two portfolios: the collector is off in both plans and in between (each plan_request is
    # inside plan_together's pause), and on again after.
    seen: list[bool] = []
    real = plan_module.plan_request

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(gc.isenabled())
        return result

    monkeypatch.setattr(together, "plan_request", spy)
    ledger = ledger_of("""
        option "operating_currency" "USD"
        2024-01-01 commodity VTI
          asset-class: "Stocks"
        2024-01-01 open Assets:Main
          portfolio: "Main"
        2024-01-01 open Assets:College
          portfolio: "College"
        2024-01-01 open Equity:Opening
        2024-01-01 custom "rebalance-target" "Stocks" 100
          portfolio: "Main"
        2024-01-01 custom "rebalance-target" "Stocks" 100
          portfolio: "College"
        2024-01-02 * "Buy"
          Assets:Main      10 VTI {100 USD}
          Assets:College    5 VTI {100 USD}
          Equity:Opening
        2024-01-03 price VTI 110 USD
    """)
    reports = analyse_portfolios(ledger, datetime.date(2024, 2, 1))
    assert sorted(r.portfolio for r in reports) == ["College", "Main"]
    together.plan_together(reports, ledger.declarations)
    assert seen == [False, False, False, False]
    assert gc.isenabled()
