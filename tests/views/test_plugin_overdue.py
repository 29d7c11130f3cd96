"""SPEC §5.1: ``overdue-error TRUE`` makes bean-check report an overdue review, as a CI policy check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

from beancount import loader

PLUGIN = 'plugin "beancount_plugins.rebalance"\n'

BASE = """\
option "operating_currency" "USD"
2024-01-01 commodity VTI
  asset-class: "Equities"
2024-01-01 open Assets:Invest
2024-01-01 open Equity:Opening
2024-01-01 custom "rebalance-target" "Equities" 100
2024-01-02 * "buy"
  Assets:Invest  10 VTI {100 USD}
  Equity:Opening
2024-01-02 price VTI 100 USD
2024-01-31 * "Rebalance" #rebalance
  Assets:Invest  -1 VTI {100 USD, 2024-01-02}
  Assets:Invest   1 VTI {100 USD, 2024-01-02}
"""
# BASE has 13 lines: in OPTIONS the band is line 14, the review option line 15, overdue-error line 16.
OPTIONS = """\
2024-01-01 custom "rebalance-option" "band" 5
2024-01-01 custom "rebalance-option" "review" "quarterly"
2024-01-01 custom "rebalance-option" "overdue-error" TRUE
"""


def _errors(text: str) -> list[tuple[int, str]]:
    _entries, errors, _ = loader.load_string(dedent(text) + PLUGIN)
    return sorted((e.source["lineno"], e.message) for e in errors)


def _last_price(date: str) -> str:
    """A price on ``date``: the ledger's last entry, the date the check looks at."""
    return f"{date} price VTI 100 USD\n"


def test_overdue_on_the_last_date_is_an_error_at_the_review_option() -> None:
    # Last done rebalance 2024-01-31; quarterly: due 2024-04-30 (April has 30 days); the
    # ledger's last date 2024-05-01 is past it.
    assert _errors(BASE + OPTIONS + _last_price("2024-05-01")) == [
        (15, "the portfolio's review is overdue on 2024-05-01: last rebalanced 2024-01-31, next review "
             "due 2024-04-30 (quarterly)")]


def test_due_but_not_overdue_is_fine() -> None:
    assert _errors(BASE + OPTIONS + _last_price("2024-04-30")) == []


def test_without_overdue_error_an_overdue_review_is_not_an_error() -> None:
    options = OPTIONS.replace("TRUE", "FALSE")
    assert _errors(BASE + options + _last_price("2024-12-31")) == []


def test_a_pending_rebalance_does_not_count_and_is_named() -> None:
    pending = """\
2024-06-01 ! "Rebalance" #rebalance
  Assets:Invest  -1 VTI {100 USD, 2024-01-02}
  Assets:Invest   1 VTI {100 USD, 2024-01-02}
"""
    assert _errors(BASE + OPTIONS + pending) == [
        (15, "the portfolio's review is overdue on 2024-06-01: last rebalanced 2024-01-31, next review "
             "due 2024-04-30 (quarterly); pending, not yet done: 2024-06-01")]


def test_overdue_error_without_a_review_period_says_what_to_add() -> None:
    options = '2024-01-01 custom "rebalance-option" "overdue-error" TRUE\n'
    found = _errors(BASE + options + _last_price("2024-12-31"))
    assert [line for line, _ in found] == [14]
    assert found[0][1].startswith("overdue-error is TRUE but no review period is set")


def test_a_bad_review_value_is_an_error_at_its_line() -> None:
    options = '2024-01-01 custom "rebalance-option" "review" "weekly"\n'
    found = _errors(BASE + options)
    assert [line for line, _ in found] == [14]
    assert "monthly, quarterly, semiannual, annual or a whole number of days" in found[0][1]


BEAN_CHECK = shutil.which("bean-check") or str(Path(sys.executable).with_name("bean-check"))


def test_bean_check_fails_in_ci(tmp_path: Path) -> None:
    path = tmp_path / "ledger.beancount"
    path.write_text(PLUGIN + BASE + OPTIONS + _last_price("2024-05-01"), encoding="utf-8")
    done = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    # With the plugin line first, the review option is line 16 of the file.
    assert f"{path}:16: the portfolio's review is overdue on 2024-05-01" in done.stderr
