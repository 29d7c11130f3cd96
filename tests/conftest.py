"""Shared fixtures for every layer's tests: load a ledger from text, analyse it as of a date.

The tests sit in one folder per layer (``core``, ``planner``, ``views``, ``tab``); this
conftest, the helpers beside it (``planner_support``, ``fava_support``) and the ledgers in
``ledgers/`` serve them all (pyproject's ``pythonpath`` puts these folders on the path).
Ledgers in tests are written as indented triple-quoted strings and go through ``dedent``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from beancount import loader

from fava_rebalance.core.pipeline import Ledger, Report, analyse

LoadResult = tuple[list[Any], list[Any], dict[str, Any]]


@pytest.fixture
def load() -> Callable[[str], LoadResult]:
    """``load(text)`` → ``(entries, errors, options_map)`` from Beancount's loader."""

    def _load(text: str) -> LoadResult:
        entries, errors, options_map = loader.load_string(dedent(text))
        return entries, errors, options_map

    return _load


@pytest.fixture
def ledger_of(load: Callable[[str], LoadResult]) -> Callable[[str], Ledger]:
    """``ledger_of(text)`` → a ``Ledger``; fails the test if Beancount itself reports errors."""

    def _ledger(text: str) -> Ledger:
        entries, errors, options_map = load(text)
        assert not errors, [e.message for e in errors]
        return Ledger.from_entries(entries, options_map)

    return _ledger


@pytest.fixture
def report_of(ledger_of: Callable[[str], Ledger]) -> Callable[[str, str], Report]:
    """``report_of(text, "YYYY-MM-DD")`` → the ``Report`` as of that date."""

    def _report(text: str, date: str) -> Report:
        return analyse(ledger_of(text), datetime.date.fromisoformat(date))

    return _report


@pytest.fixture
def ledger_file(tmp_path: Path) -> Callable[..., Path]:
    """``ledger_file(text, name="ledger.beancount")`` writes a dedented ledger, returns its path."""

    def _write(text: str, name: str = "ledger.beancount") -> Path:
        path = tmp_path / name
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write
