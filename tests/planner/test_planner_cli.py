"""``bean-rebalance --cash``: the plan in JSON, the workbook's sheets, bad values exit 2."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest
from test_planner_lazy import LEDGER
from workbook_support import read_sheets

from fava_rebalance.cli import main


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "lazy.beancount"
    path.write_text(dedent(LEDGER), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse rejects a value
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_deposit_as_json(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The published lazy-rebalancing check: 5,000 buys TIPS 2,833.33 and Bonds 2,166.67.
    code, out, err = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", "5000", "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["plan"] == {"mode": "deposit", "cash": "5000.00", "account": "Assets:Invest:Taxable",
                           "total_after": "105000.00", "errors": []}
    assert [(t["account"], t["action"], t["commodity"], t["gain"], t["term"]) for t in doc["trades"]] == [
        ("Assets:Invest:Taxable", "buy", "TIP", "0.00", None),
        ("Assets:Invest:Taxable", "buy", "BOND", "0.00", None),
    ]
    # The rule, not the solver's rounding: each buy within one quantum (0.001 unit of a
    # 10 USD fund = 0.01 USD) of the published amount, and together exactly the deposit.
    bought = {t["commodity"]: Decimal(t["amount"]) for t in doc["trades"]}
    assert abs(bought["TIP"] - Decimal("2833.33")) <= Decimal("0.01")
    assert abs(bought["BOND"] - Decimal("2166.67")) <= Decimal("0.01")
    assert sum(bought.values()) == 5000
    assert all(Decimal(t["units"]) * 10 == Decimal(t["amount"]) for t in doc["trades"])
    assert all(t["reason"] for t in doc["trades"])
    assert doc["tax"] == {"short_term_gain": "0.00", "long_term_gain": "0.00", "estimated_tax": "0.00",
                          "disallowed_loss": "0.00", "rebought_loss": "0.00", "trade_costs": "0.00"}
    assert doc["break_even"] is None
    # Of 105,000: Bonds 18,666.67 = 17.78%, TIPS 8.89%, US 43,500 = 41.43%, Intl 31.90%.
    assert [(r["category"], r["percent"]) for r in doc["after"]] == [
        ("Bonds", "17.78"), ("Intl", "31.90"), ("TIPS", "8.89"), ("US", "41.43")]
    assert doc["accounts"] == [{
        "account": "Assets:Invest:Taxable", "tax_status": "taxable", "cash_before": "0.00",
        "flow": "5000.00", "sold": "0.00", "bought": "5000.00", "costs": "0.00", "cash_after": "0.00",
        "trades": "2"}]
    assert doc["cash_needed"] == "11666.67"  # Intl: 33,500 ÷ 0.30 − 100,000 (US: only 8,750)


def test_withdrawal_named_account_as_json(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", "-5000@Assets:Invest:Taxable",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    sells = {t["commodity"]: t for t in doc["trades"]}
    assert set(sells) == {"USF", "INTL"}
    assert all(t["action"] == "sell" for t in sells.values())
    # The lazy withdrawal (test_withdrawal_is_the_mirror_image): US 16,500 / 7 = 2,357.14…
    # and Intl 2,642.86…, each within one quantum (0.01 USD) and together exactly 5,000.
    sold = {name: Decimal(t["amount"]) for name, t in sells.items()}
    assert abs(sold["USF"] - Decimal(16500) / 7) <= Decimal("0.01")
    assert sum(sold.values()) == 5000
    # Every unit was bought at 8 and is sold at 10: a long-term gain of 2 a unit, from the
    # one lot of 2023-01-10; 500 units in all, whatever the split: 1,000.00, 15% = 150.00.
    usf = sells["USF"]
    units = Decimal(usf["units"])
    assert (usf["gain"], usf["term"]) == (f"{units * 2:.2f}", "long")
    assert usf["lots"] == [{"date": "2023-01-10", "units": usf["units"], "cost": "8",
                            "cost_currency": "USD", "gain": usf["gain"], "term": "long",
                            "averaged": False}]
    assert doc["tax"]["long_term_gain"] == "1000.00"
    assert doc["tax"]["estimated_tax"] == "150.00"


@pytest.mark.parametrize("cash", ["abc", "5000@not an account", "5000@Assets:Nowhere", "-1000000", "NaN",
                                  "1e306", "1e999999", "-1e15"])
def test_bad_cash_exits_2(ledger: Path, capsys: pytest.CaptureFixture[str], cash: str) -> None:
    code, out, err = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", cash, "--format", "json")
    assert (code, out) == (2, "")
    assert err.strip()


def test_workbook_has_the_plan_sheets(ledger: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.xlsx"
    code, _, _ = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", "5000", "--format", "xlsx",
                     "-o", str(target))
    assert code == 0
    sheets = read_sheets(target.read_bytes())
    assert {"Summary", "Drift", "Trades", "Tax", "Before-After"} <= set(sheets)
    trades = sheets["Trades"]
    assert list(trades["Commodity"]) == ["TIP", "BOND"]
    # The published amounts, give or take one quantum (test_deposit_as_json); 5,000 in all.
    assert trades["Amount"].tolist() == pytest.approx([2833.33, 2166.67], abs=0.0101)
    assert round(trades["Amount"].sum(), 2) == 5000
    before_after = sheets["Before-After"].set_index("Category")  # percents as fractions: 6.50% is 0.065
    assert before_after.loc["TIPS", "Before"] == pytest.approx(0.065)
    assert before_after.loc["TIPS", "After"] == pytest.approx(0.0889)


def test_table_shows_the_trades(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", "5000")
    assert code == 0
    assert "Deposit of 5,000.00 USD in Assets:Invest:Taxable" in out
    assert "2,833.33" in out
    assert "Before and after" in out


def test_a_plan_that_cannot_be_made_still_writes_the_report(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # On a huge household the solver may hit its time limit. Without --cash nothing the user
    # asked for failed: the drift report is written (exit 0) and the plan's error is said.
    # tests/ledgers/page.beancount on 2024-12-31 is out of band, so the planner must solve.
    page = Path(__file__).resolve().parents[1] / "ledgers" / "page.beancount"
    planner_module = sys.modules["fava_rebalance.planner.plan"]  # the package exports plan()
    monkeypatch.setattr(planner_module, "solve", lambda *args: "no feasible plan (Time limit reached)")
    code, out, err = run(capsys, str(page), "--date", "2024-12-31", "--format", "json")
    assert code == 0
    assert "Time limit reached" in err
    doc = json.loads(out)
    assert doc["total"] == "50000.00"  # the ledger's comments: 50,000 on 2024-12-31
    assert doc["trades"] == []
    # With --cash the cash flow itself could not be planned: a bad --cash, exit 2.
    code, _, _ = run(capsys, str(page), "--date", "2024-12-31", "--cash", "5000", "--format", "json")
    assert code == 2


@pytest.mark.parametrize("cash", ["abc", "NaN", "1e306", "5000@not an account", "5000@",
                                  "5000@Assets:Nowhere"])
def test_the_cli_and_the_tab_read_cash_alike_and_name_no_flag(
        ledger: Path, capsys: pytest.CaptureFixture[str], cash: str) -> None:
    # One parser for --cash and the tab's cash field: the same text gets the same message,
    # in words of amounts and accounts (the tab shows it too, where no --cash exists).
    from fava_rebalance.planner import PlanError, parse_cash
    from fava_rebalance.tab.cash_input import read_cash

    code, _, err = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", cash, "--format", "json")
    assert code == 2
    parsed = parse_cash(cash)
    if isinstance(parsed, PlanError):  # refused by the parser itself: argparse says it
        problem = read_cash({"cash": cash}).problem
        assert problem == f"{parsed.message[0].upper()}{parsed.message[1:]}."
        assert f"argument --cash: {parsed.message}" in err
        message = parsed.message
    else:  # a valid name that is not the portfolio's: the plan says so
        message = err.removeprefix("bean-rebalance: ").strip()
        assert message == "Assets:Nowhere is not an account of the portfolio, so it cannot take the cash"
    assert "--cash" not in message


def test_the_table_uses_the_words_every_view_uses(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The withdrawal of test_withdrawal_named_account_as_json, as the terminal table: the
    # words come from views.labels, as on the tab ("Sell", "Long", the lot's cost as the
    # ledger writes it: 8 USD), while the JSON keeps the codes ("sell", "long").
    code, out, _ = run(capsys, str(ledger), "--date", "2026-11-20", "--cash", "-5000@Assets:Invest:Taxable")
    assert code == 0
    usf = next(line for line in out.splitlines() if " USF " in line)
    assert usf.split()[1:3] == ["Sell", "USF"]
    assert usf.split()[-1] == "Long"
    lot = next(line for line in out.splitlines() if line.startswith("      lot 2023-01-10: "))
    assert " at 8 USD, gain " in lot
    assert lot.endswith(", long-term")
