"""A catastrophic ``accounts`` pattern answers at once, in the CLI and in the tab.

``^(([A-Za-z:]+)+)+Z$`` makes Python's backtracking ``re`` try exponentially many ways to
split a long account name that does not end in ``Z``; RE2 (``account_pattern``) does not.
The ledger: 10 VTI at 100 in an account with a long name (not matched) and 5 VTI at 100 in
``Assets:Invest:Z`` (matched): the portfolio is 5 x 100 = 500.00, all Equities.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from fava.application import create_app
from fava_support import page_html

from fava_rebalance.core.account_pattern import PatternError, compile_accounts

LEDGER = """\
    option "title" "Patterns"
    option "operating_currency" "USD"
    2020-01-01 custom "fava-extension" "fava_rebalance"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 open Assets:Invest:Brokerage:Joint:Account:Held:With:A:Very:Long:Name
    2020-01-01 open Assets:Invest:Z
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-option" "accounts" "^(([A-Za-z:]+)+)+Z$"
    2024-01-01 custom "rebalance-target" "Equities" 100
    2024-01-02 * "buy"
      Assets:Invest:Brokerage:Joint:Account:Held:With:A:Very:Long:Name  10 VTI {100 USD}
      Assets:Invest:Z  5 VTI {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
"""
BEAN_REBALANCE = shutil.which("bean-rebalance") or str(Path(sys.executable).with_name("bean-rebalance"))


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "patterns.beancount"
    path.write_text(dedent(LEDGER), encoding="utf-8")
    return path


def test_patterns_match_as_python_does_without_backtracking() -> None:
    nested = compile_accounts("^(([A-Za-z:]+)+)+Z$")
    assert not nested.search("Assets:" + "Invest:" * 40)  # instantly, whatever the length
    assert nested.search("Assets:Invest:Z")
    assert compile_accounts("(?i)^assets:(invest|bank):").search("Assets:Bank:Checking")
    with pytest.raises(PatternError, match="no backreferences or lookaround"):
        compile_accounts(r"(Assets):\1")


def test_cli_answers(ledger: Path) -> None:
    # In a process of its own, so that a regression fails by its timeout instead of hanging.
    done = subprocess.run([BEAN_REBALANCE, str(ledger), "--date", "2024-06-30", "--format", "json"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["total"] == "500.00"


def test_tab_answers(ledger: Path) -> None:
    app = create_app([ledger], load=True)
    app.testing = True
    client = app.test_client()
    page_html(client, "/patterns/extension/Rebalance/?time=2024")
    assert client.get("/patterns/extension/Rebalance/report.json?time=2024").get_json()["total"] == "500.00"
