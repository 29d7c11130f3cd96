"""The tab under concurrent requests: no waiting on other plans, no cross-talk, nothing stale.

The cache tests hold one computation open with an event and check what other threads can
do meanwhile; every wait has a timeout, so a regression fails instead of hanging. The last
test runs a real threaded server on the loopback interface for a few dozen requests.

The ledger: VTI 60 x 100 = 6,000 (Equities), BND 40 x 100 = 4,000 (Bonds), total 10,000;
targets Equities 60, Bonds 40 (rewritten as 50 / 50 to test reloads).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from fava.application import create_app
from flask import Flask
from werkzeug.serving import make_server

import fava_rebalance.extension as extension_module
from fava_rebalance.tab.cache import ReportCache

WAIT = 10.0  # seconds: only ever reached when something blocks that should not
LEDGER = """\
    option "title" "Busy"
    option "operating_currency" "USD"
    2020-01-01 custom "fava-extension" "fava_rebalance"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Invest:Taxable
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-02 * "buy"
      Assets:Invest:Taxable  60 VTI {100 USD}
      Assets:Invest:Taxable  40 BND {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    2024-01-02 price BND 100 USD
"""
TAB = "/busy/extension/Rebalance/"


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """``work()`` started in a daemon thread; its result lands in the returned list."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


class Gate:
    """A computation that signals it has started and waits until it is let through."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.started = threading.Event()
        self.open = threading.Event()
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        self.started.set()
        # Longer than any join: a thread blocked behind this one times out first, and fails.
        assert self.open.wait(3 * WAIT)
        return self.value


# --- the cache --------------------------------------------------------------------------


def test_a_slow_computation_blocks_no_other_key() -> None:
    cache: ReportCache[str] = ReportCache()
    cache.get("cached", lambda: "page")
    slow = Gate("plan")
    slow_thread, slow_result = _in_thread(lambda: cache.get("slow", slow))
    try:
        assert slow.started.wait(WAIT)
        hit, hit_result = _in_thread(lambda: cache.get("cached", lambda: "recomputed"))
        other, other_result = _in_thread(lambda: cache.get("other", lambda: "quick"))
        hit.join(WAIT)
        other.join(WAIT)
        # Both answered while the slow computation is still running.
        assert (hit_result, other_result) == (["page"], ["quick"])
        assert not slow_result
    finally:
        slow.open.set()
        slow_thread.join(WAIT)
    assert slow_result == ["plan"]


def test_concurrent_requests_for_one_key_compute_it_once() -> None:
    cache: ReportCache[str] = ReportCache()
    gate = Gate("report")
    first, first_result = _in_thread(lambda: cache.get("k", gate))
    assert gate.started.wait(WAIT)
    second, second_result = _in_thread(lambda: cache.get("k", gate))
    gate.open.set()
    first.join(WAIT)
    second.join(WAIT)
    assert (first_result, second_result, gate.calls) == (["report"], ["report"], 1)


def test_an_error_reaches_the_caller_and_is_not_remembered() -> None:
    cache: ReportCache[str] = ReportCache()

    def broken() -> str:
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        cache.get("k", broken)
    assert cache.get("k", lambda: "fine") == "fine"


def test_a_value_from_a_replaced_load_is_not_remembered() -> None:
    cache: ReportCache[str] = ReportCache()
    cache.reset(1)
    old = Gate("old declarations")
    thread, result = _in_thread(lambda: cache.get("k", old, 1))
    assert old.started.wait(WAIT)
    cache.reset(2)  # the ledger is reloaded while the old request computes
    old.open.set()
    thread.join(WAIT)
    assert result == ["old declarations"]  # its own caller gets it...
    assert cache.get("k", lambda: "new declarations", 2) == "new declarations"  # ...no one else
    assert cache.get("k", lambda: "again", 2) == "new declarations"


# --- the tab ----------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    path = tmp_path / "busy.beancount"
    path.write_text(dedent(LEDGER), encoding="utf-8")
    app = create_app([path], load=True)
    app.testing = True
    return app


def _targets(doc: dict[str, Any]) -> dict[str, str]:
    return {row["category"]: row["target"] for row in doc["targeted"]}


def _rewrite_targets(app: Flask) -> None:
    """Equities 60 / Bonds 40 become 50 / 50 on disk, and the ledger is reloaded."""
    ledger = app.config["LEDGERS"]["busy"]
    path = Path(ledger.beancount_file_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('"Equities" 60', '"Equities" 50').replace('"Bonds" 40', '"Bonds" 50')
    path.write_text(text, encoding="utf-8")
    ledger.load_file()


def test_a_report_from_before_a_reload_is_not_served_after_it(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = extension_module.analyse_portfolios
    held = Gate(None)

    def slow_first(*args: Any, **kwargs: Any) -> Any:
        if held.calls == 0:
            held()  # the first request reads the old declarations, then waits
        return real(*args, **kwargs)

    monkeypatch.setattr(extension_module, "analyse_portfolios", slow_first)
    client = app.test_client()
    url = TAB + "report.json?time=2024"
    thread, result = _in_thread(lambda: client.get(url).get_json())
    try:
        assert held.started.wait(WAIT)
        _rewrite_targets(app)
    finally:
        held.open.set()
        thread.join(WAIT)
    assert _targets(result[0]) == {"Equities": "60.00", "Bonds": "40.00"}  # what it asked for
    assert _targets(client.get(url).get_json()) == {"Equities": "50.00", "Bonds": "50.00"}


def test_a_request_while_the_new_declarations_are_read_leaves_nothing_stale(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window of the issue: the reload has begun (Fava has the new entries, the caches
    # were emptied) but the new declarations are not in place yet; a request then still
    # reads the old ones, and its answer must not outlive the reload.
    real = extension_module.Ledger.from_entries
    reading = Gate(None)

    def slow_read(*args: Any, **kwargs: Any) -> Any:
        reading()
        return real(*args, **kwargs)

    client = app.test_client()
    url = TAB + "report.json?time=2024"
    monkeypatch.setattr(extension_module.Ledger, "from_entries", slow_read)
    reload, _ = _in_thread(lambda: _rewrite_targets(app))
    try:
        assert reading.started.wait(WAIT)
        between = client.get(url).get_json()
    finally:
        reading.open.set()
        reload.join(WAIT)
    assert _targets(between) == {"Equities": "60.00", "Bonds": "40.00"}  # the old declarations
    assert _targets(client.get(url).get_json()) == {"Equities": "50.00", "Bonds": "50.00"}


def test_a_cached_plan_is_served_while_another_plan_runs(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = extension_module.plan_request
    held = Gate(None)

    def slow_for_999(*args: Any, **kwargs: Any) -> Any:
        flow = args[2]
        if flow is not None and flow.amount == 999:
            held()
        return real(*args, **kwargs)

    monkeypatch.setattr(extension_module, "plan_request", slow_for_999)
    client = app.test_client()
    cached = TAB + "report.json?time=2024&cash=100"
    assert client.get(cached).status_code == 200
    slow, _ = _in_thread(lambda: client.get(TAB + "report.json?time=2024&cash=999").status_code)
    try:
        assert held.started.wait(WAIT)
        hit, hit_result = _in_thread(lambda: client.get(cached).get_json())
        hit.join(WAIT)
        assert [doc["plan"]["cash"] for doc in hit_result] == ["100.00"]
    finally:
        held.open.set()
        slow.join(WAIT)


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app on a threaded server on the loopback interface; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(WAIT)


def _fetch(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=WAIT) as response:  # loopback only
        doc: dict[str, Any] = json.loads(response.read())
        return doc


def test_concurrent_plans_over_loopback_do_not_mix_and_follow_a_reload(app: Flask, served: str) -> None:
    # Deposits of 100 ... 600, each asked for twice, on six threads: each answer is its own.
    amounts = [100 * (i % 6 + 1) for i in range(24)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        docs = list(pool.map(lambda a: _fetch(f"{served}{TAB}report.json?time=2024&cash={a}"), amounts))
    assert [d["plan"]["cash"] for d in docs] == [f"{a}.00" for a in amounts]
    assert all(d["date"] == "2024-12-31" for d in docs)
    assert all(_targets(d) == {"Equities": "60.00", "Bonds": "40.00"} for d in docs)
    # A reload while requests run; every answer after it has the new targets.
    with ThreadPoolExecutor(max_workers=6) as pool:
        during = [pool.submit(_fetch, f"{served}{TAB}report.json?time=2024&cash={a}") for a in amounts[:12]]
        _rewrite_targets(app)
        for future in during:
            assert future.result(WAIT)["plan"]["cash"] in {f"{a}.00" for a in amounts}
        after = list(pool.map(lambda a: _fetch(f"{served}{TAB}report.json?time=2024&cash={a}"), amounts))
    assert all(_targets(d) == {"Equities": "50.00", "Bonds": "50.00"} for d in after)
    assert [d["plan"]["cash"] for d in after] == [f"{a}.00" for a in amounts]
