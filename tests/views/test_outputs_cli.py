"""Issue #14 on the command line: the format from ``-o``'s extension, CSV rows that stand alone,
the trades of a CSV with ``--cash``, lots the ledger gives no cost for, and one wording of the
default cash account in ``--help``, the README and the code.

``NO_COST`` holds 1,000 MMF without a cost (a money-market fund, price 1.00) and 10 VTI
bought at 100.00 on 2024-01-02, price 100.00: total 2,000.00, Cash 50%, Equities 50%. A
withdrawal of 1,000.00 leaves 1,000.00, so each category must come down to 500.00: the plan
sells 500 MMF (500.00, no cost: no gain counted) and 5 VTI (500.00 at cost 100: gain 0.00,
held 8 days on 2024-01-10: short-term).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_cli import LEDGER

from fava_rebalance.cli import main, parser
from fava_rebalance.planner.cashflow import DEFAULT_ACCOUNT_RULE

README = Path(__file__).resolve().parents[2] / "README.md"
NO_COST = """
    option "operating_currency" "USD"
    2020-01-01 commodity MMF
      asset-class: "Cash"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 open Assets:Invest:Taxable
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Cash" 50
    2024-01-01 custom "rebalance-target" "Equities" 50
    2024-01-02 * "opening"
      Assets:Invest:Taxable  1000 MMF
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-01-02 price MMF 1 USD
    2024-01-02 price VTI 100 USD
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "check"), [
    ("report.xlsx", lambda data: data[:2] == b"PK"),  # a zip: an .xlsx workbook, not text
    ("report.json", lambda data: json.loads(data)["total"] == "101800.00"),
    ("report.csv", lambda data: data.decode().startswith("date,currency,section,")),
    ("report.txt", lambda data: data.decode().startswith("Portfolio value 101,800.00 USD")),
    ("report.out", lambda data: data.decode().startswith("Portfolio value")),  # unknown: the table
    # .bean is Beancount's other usual extension: the plan as entries, not a table to paste.
    ("plan.bean", lambda data: data.decode().startswith("; The rebalancing plan of 2024-01-10")),
])
def test_the_format_comes_from_the_file_name(ledger_file, capsys, tmp_path: Path, name: str, check) -> None:
    target = tmp_path / name
    code, out, _ = _run(capsys, str(ledger_file(LEDGER)), "--date", "2024-01-10", "-o", str(target))
    assert (code, out) == (0, "")
    assert check(target.read_bytes())


def test_a_format_that_contradicts_the_file_name_is_refused(ledger_file, capsys, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    code, out, err = _run(capsys, str(ledger_file(LEDGER)), "--format", "table", "-o", str(target))
    assert (code, out) == (2, "")
    assert "--format table does not match the output file" in err
    assert "an xlsx file by its extension" in err.replace("(a xlsx", "an xlsx").replace("(an xlsx", "an xlsx")
    assert not target.exists()
    # Agreeing, or a name that implies nothing, is fine.
    assert main([str(ledger_file(LEDGER)), "--format", "json", "-o", str(tmp_path / "r.JSON")]) == 0
    assert main([str(ledger_file(LEDGER)), "--format", "json", "-o", str(tmp_path / "r.out")]) == 0


def test_csv_with_cash_writes_the_trades_beside_it(ledger_file, capsys, tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    code, out, err = _run(capsys, str(ledger_file(NO_COST)), "--date", "2024-01-10", "--cash", "-1000",
                          "-o", str(target))
    assert (code, out) == (0, "")
    beside = tmp_path / "report-trades.csv"
    assert f"the planned orders are in {beside}" in err
    drift = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["date"], r["currency"], r["category"], r["band"]) for r in drift] == [
        ("2024-01-10", "USD", "Cash", "0.00"), ("2024-01-10", "USD", "Equities", "0.00")]
    trades = {r["commodity"]: r for r in csv.DictReader(io.StringIO(beside.read_text(encoding="utf-8")))}
    assert [(t["action"], t["units"], t["amount"]) for t in trades.values()] == [
        ("sell", "500", "500.00"), ("sell", "5", "500.00")]
    # MMF has no cost in the ledger: no gain and no term are claimed; the lot says why.
    mmf = trades["MMF"]
    assert (mmf["gain"], mmf["term"]) == ("", "")
    assert mmf["lots"] == ("500 units with no cost in the ledger, so no gain is counted (bought: not in the "
                           "ledger)")
    vti = trades["VTI"]
    assert (vti["gain"], vti["term"]) == ("0.00", "short")
    assert vti["lots"] == "2024-01-02: 5 at 100 USD, gain 0.00, short-term"
    assert "?" not in beside.read_text(encoding="utf-8")


def test_csv_with_cash_on_stdout_says_how_to_get_the_trades(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(NO_COST)), "--date", "2024-01-10", "--cash", "-1000",
                          "--format", "csv")
    assert code == 0
    assert out.startswith("date,currency,section,category,")
    assert "add -o report.csv to write them to report-trades.csv" in err
    code, _, err = _run(capsys, str(ledger_file(NO_COST)), "--date", "2024-01-10", "--format", "csv")
    assert (code, err) == (0, "")  # without --cash there are no trades to mention


def test_the_terminal_says_what_a_lot_lacks(ledger_file, capsys) -> None:
    code, out, _ = _run(capsys, str(ledger_file(NO_COST)), "--date", "2024-01-10", "--cash", "-1000")
    assert code == 0
    lots = [line.strip() for line in out.splitlines() if line.startswith("      lot ")]
    assert lots == [
        "lot 500 units with no cost in the ledger, so no gain is counted (bought: not in the ledger)",
        "lot 2024-01-02: 5 at 100 USD, gain 0.00, short-term",
    ]
    mmf = next(line for line in out.splitlines() if " MMF " in line)
    assert mmf.split()[-2:] == ["500", "500.00"]  # no gain, no term after the amount
    assert "lot ?" not in out
    assert "@ no cost" not in out


def test_the_default_cash_account_rule_is_said_the_same_everywhere() -> None:
    # The rule default_account follows, in one sentence: --help prints it, the tab's form
    # shows it (test_tab_finish), and the README states it word for word.
    help_text = " ".join(parser().format_help().split())
    assert " ".join(DEFAULT_ACCOUNT_RULE.split()) in help_text
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert DEFAULT_ACCOUNT_RULE in readme


def test_a_date_before_the_ledger_begins_says_so(ledger_file, capsys) -> None:
    # SPEC example: targets from 2024-01-01, the first purchase on 2024-01-02.
    code, out, _ = _run(capsys, str(ledger_file(LEDGER)), "--date", "1999-01-01")
    assert code == 0
    assert ("(no targets yet on 1999-01-01: the ledger's first target is dated 2024-01-01; use --date "
            "2024-01-01 or later)") in out
    assert ("No targets in force on 1999-01-01, so no moves; nothing is held yet either (the portfolio's "
            "first holding is on 2024-01-02).") in out
    assert "within its band" not in out
    # Targets in force (2024-01-01), nothing held yet (the purchase is on 2024-01-02).
    code, out, _ = _run(capsys, str(ledger_file(LEDGER)), "--date", "2024-01-01")
    assert code == 0
    assert ("Nothing to rebalance yet: the portfolio holds nothing on 2024-01-01 (the portfolio's first "
            "holding is on 2024-01-02). --cash AMOUNT plans what to buy first.") in out
    assert "within its band" not in out


# A taxable account booked NONE: 20 VTI bought at 140, 10 at 180, then 4 sold at 150 without
# naming a lot. Its net position, 26 units, has cost 20 × 140 + 10 × 180 − 4 × 150 = 2,800 +
# 1,800 − 600 = 4,000: an average of 4,000 / 26 = 153.846…, written to the cent, 153.85, as the
# reason beside it does (the ledger entries keep every decimal: Beancount needs the exact cost).
NONE_BOOKED = """
    option "operating_currency" "USD"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Avg "NONE"
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2020-01-01 custom "rebalance-target" "Equities" 50
    2020-01-01 custom "rebalance-target" "Bonds" 50
    2020-02-01 * "Buy"
      Assets:Avg  20 VTI {140 USD}
      Assets:Avg  10 BND {85 USD}
      Equity:Opening
    2021-02-01 * "Buy more"
      Assets:Avg  10 VTI {180 USD}
      Equity:Opening
    2022-02-01 * "Sell without naming a lot"
      Assets:Avg  -4 VTI {150 USD}
      Equity:Opening
    2024-12-31 price VTI 250 USD
    2024-12-31 price BND 80 USD
"""


def test_an_average_cost_is_written_to_the_cent(ledger_file, capsys, tmp_path: Path) -> None:
    path = str(ledger_file(NONE_BOOKED))
    code, out, _ = _run(capsys, path, "--date", "2024-12-31")
    assert code == 0
    [lot] = [line.strip() for line in out.splitlines() if line.startswith("      lot ")]
    assert " at 153.85 USD, gain " in lot, lot
    target = tmp_path / "report.csv"
    assert main([path, "--date", "2024-12-31", "--cash", "0", "-o", str(target)]) == 0
    orders = csv.DictReader(io.StringIO((tmp_path / "report-trades.csv").read_text(encoding="utf-8")))
    [vti] = [row for row in orders if row["commodity"] == "VTI"]
    assert " at 153.85 USD, gain " in vti["lots"], vti["lots"]
    code, out, _ = _run(capsys, path, "--date", "2024-12-31", "--format", "beancount")
    assert code == 0
    assert "{153.8461538461538461538461538 USD} @ 250 USD" in out  # exact in the ledger
