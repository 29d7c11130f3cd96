"""``bean-rebalance --history`` (SPEC §5.2) and the report's review and outside_since (§5.1).

The ledger and its month-end figures, worked out by hand, are ``test_drift_history``'s.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_drift_history import LEDGER
from workbook_support import read_items, read_sheet

from fava_rebalance.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_history_json_is_the_spec_shape(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, err = _run(capsys, str(path), "--history", "--date", "2024-10-15", "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert list(doc) == ["currency", "every", "points", "rebalances", "review"]
    assert (doc["currency"], doc["every"]) == ("USD", "month")
    # 2024-01-31 (test_drift_history): total 1,020; Bonds 39.22, Stocks 58.82; OIL and GLD 0.98 each.
    assert doc["points"][0] == {
        "date": "2024-01-31", "total": "1020.00",
        "categories": [
            {"category": "Bonds", "percent": "39.22", "target": "40.00", "low": "35.00", "high": "45.00",
             "outside": False},
            {"category": "Stocks", "percent": "58.82", "target": "60.00", "low": "55.00", "high": "65.00",
             "outside": False},
        ],
        "untargeted": "0.98", "uncategorized": "0.98",
    }
    # 2024-04-30: Stocks exactly on the edge (65.00, inside), Bonds 33.33 (outside).
    april = doc["points"][3]
    assert [(c["category"], c["percent"], c["outside"]) for c in april["categories"]] == [
        ("Bonds", "33.33", True), ("Stocks", "65.00", False)]
    assert [p["date"] for p in doc["points"]] == [
        "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31",
        "2024-08-31", "2024-09-30", "2024-10-15"]
    assert doc["rebalances"] == [
        {"date": "2024-06-10", "narration": "Sell a stock, buy bonds", "pending": False},
        {"date": "2024-10-15", "narration": "Planned top-up", "pending": True}]
    # Quarterly from 2024-06-10: due 2024-09-10; 2024-10-15 is past it.
    assert doc["review"] == {"last_rebalance": "2024-06-10", "every": "quarterly",
                             "next_review": "2024-09-10", "overdue": True, "pending": ["2024-10-15"]}


def test_from_and_every(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    _, out, _ = _run(capsys, str(path), "--history", "--date", "2024-10-15", "--from", "2024-04-01",
                     "--every", "quarter", "--format", "json")
    doc = json.loads(out)
    assert doc["every"] == "quarter"
    # Quarter ends from 2024-04-01: June 30, September 30, then the last date.
    assert [(p["date"], p["total"]) for p in doc["points"]] == [
        ("2024-06-30", "1260.00"), ("2024-09-30", "1334.00"), ("2024-10-15", "1356.00")]
    # Only the rebalances from --from on.
    assert [r["date"] for r in doc["rebalances"]] == ["2024-06-10", "2024-10-15"]


def test_history_csv(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, _ = _run(capsys, str(path), "--history", "--date", "2024-10-15", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # Each row stands alone, as the drift CSV's do: its date and currency.
    assert list(rows[0]) == ["date", "currency", "category", "percent", "target", "low", "high", "outside",
                             "total", "untargeted", "uncategorized"]
    assert [list(r.values()) for r in rows[8:10]] == [
        ["2024-05-31", "USD", "Bonds", "31.75", "40.00", "35.00", "45.00", "True", "1260.00", "0.79", "0.79"],
        ["2024-05-31", "USD", "Stocks", "66.67", "60.00", "55.00", "65.00", "True", "1260.00", "0.79",
         "0.79"]]
    assert len(rows) == 20  # ten dates, two categories each


def test_history_xlsx(ledger_file, tmp_path: Path, capsys) -> None:
    path = ledger_file(LEDGER)
    out = tmp_path / "history.xlsx"
    code, _, _ = _run(capsys, str(path), "--history", "--date", "2024-10-15", "--format", "xlsx",
                      "-o", str(out))
    assert code == 0
    data = out.read_bytes()
    assert load_workbook(out).sheetnames == ["Drift", "Percent", "Rebalances", "Review"]
    # Every sheet has the generic finish (views.workbook): a title, readable headers, kinds.
    sheet = load_workbook(out)["Percent"]
    assert (sheet["A1"].value, sheet["A2"].value) == (
        "Each category's percent", "From 2024-01-31 to 2024-10-15, every month; amounts in USD.")
    percent = read_sheet(data, "Percent")
    assert list(percent.columns) == ["Date", "Total", "Bonds", "Stocks"]
    # 2024-09-30 (test_drift_history): total 1,334; Bonds 44.53%, Stocks 52.47%, written as
    # percents (Excel keeps 44.53% as 0.4453) and dates as dates.
    row = percent.iloc[8]
    assert (row["Date"].date(), row["Total"], round(row["Bonds"], 6), round(row["Stocks"], 6)) == (
        datetime.date(2024, 9, 30), 1334.0, 0.4453, 0.5247)
    assert sheet.cell(4 + 9, 3).number_format.endswith("%")
    rebalances = read_sheet(data, "Rebalances")
    assert [(d.date(), n, p) for d, n, p in rebalances.itertuples(index=False)] == [
        (datetime.date(2024, 6, 10), "Sell a stock, buy bonds", "No"),
        (datetime.date(2024, 10, 15), "Planned top-up", "Yes")]
    # Quarterly from 2024-06-10: due 2024-09-10, overdue on 2024-10-15, the top-up pending.
    review = read_items(data, "Review")
    assert review["Next review"].date() == datetime.date(2024, 9, 10)
    assert (review["Review every"], review["Overdue"], review["Pending (flag !)"]) == (
        "quarterly", "Yes", "2024-10-15")


def test_history_table(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, _ = _run(capsys, str(path), "--history", "--date", "2024-10-15")
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Date"))
    assert header.split() == ["Date", "Total", "Bonds", "Stocks"]
    may = next(line for line in lines if line.startswith("2024-05-31"))
    assert may.split() == ["2024-05-31", "1,260.00", "31.75*", "66.67*"]
    april = next(line for line in lines if line.startswith("2024-04-30"))
    assert april.split() == ["2024-04-30", "1,200.00", "33.33*", "65.00"]
    assert "  2024-06-10  Sell a stock, buy bonds" in lines
    assert "  2024-10-15  Planned top-up (pending)" in lines
    assert "Last rebalanced 2024-06-10 · next review 2024-09-10 (overdue), quarterly" in lines
    assert "Pending rebalance (flag !, not yet confirmed): 2024-10-15 (Planned top-up)" in lines


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2024-01-01"], "--from and --every go with --history"),
    (["--every", "week"], "--from and --every go with --history"),
    (["--history", "--from", "2024-11-01", "--date", "2024-10-15"], "is after the last date of the history"),
    (["--history", "--format", "beancount"], "leave out --history"),
    (["--history", "--cash", "100"], "leave out --history"),
])
def test_history_argument_errors(ledger_file, capsys, argv: list[str], message: str) -> None:
    path = ledger_file(LEDGER)
    code, out, err = _run(capsys, str(path), *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_bad_every_is_refused(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    with pytest.raises(SystemExit) as exc:
        main([str(path), "--history", "--every", "day"])
    assert exc.value.code == 2
    assert "invalid choice: 'day'" in capsys.readouterr().err


def test_report_json_has_review_and_outside_since(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    _, out, _ = _run(capsys, str(path), "--date", "2024-05-31", "--format", "json")
    doc = json.loads(out)
    # Bonds outside since 2024-04-30, Stocks since 2024-05-31 (test_drift_history).
    assert {r["category"]: r["outside_since"] for r in doc["targeted"]} == {
        "Bonds": "2024-04-30", "Stocks": "2024-05-31"}
    # No rebalance yet: the first target (2024-01-01) plus a quarter, 2024-04-01, is past.
    assert doc["review"] == {"last_rebalance": None, "every": "quarterly", "next_review": "2024-04-01",
                             "overdue": True, "pending": []}
    _, out, _ = _run(capsys, str(path), "--date", "2024-08-31", "--format", "json")
    doc = json.loads(out)
    assert {r["category"]: r["outside_since"] for r in doc["targeted"]} == {"Bonds": None, "Stocks": None}
    assert doc["review"]["next_review"] == "2024-09-10"


def test_report_table_says_since_when_and_the_review(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    _, out, _ = _run(capsys, str(path), "--date", "2024-07-31")
    lines = out.splitlines()
    assert lines[1] == "Last rebalanced 2024-06-10 · next review 2024-09-10, quarterly"
    assert "  Bonds has been outside its band since 2024-07-31 (monthly history)." in lines
    assert "  Stocks has been outside its band since 2024-07-31 (monthly history)." in lines


def test_a_pending_date_is_listed_once(ledger_file, capsys) -> None:
    # LEDGER's pending top-up of 2024-10-15 plus a second ! transaction that day (a plan
    # written for two accounts is two transactions of one date): SPEC §5.1's "pending" is a
    # list of dates, so 2024-10-15 appears once, in the JSON and in the workbook's Review.
    second = """
    2024-10-15 ! "Planned top-up, second account" #rebalance
      Assets:Broker       1 BND {11 USD}
      Equity:Opening    -11 USD
"""
    path = str(ledger_file(LEDGER + second))
    code, out, _ = _run(capsys, path, "--history", "--date", "2024-10-15", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [r["date"] for r in doc["rebalances"] if r["pending"]] == ["2024-10-15", "2024-10-15"]
    assert doc["review"]["pending"] == ["2024-10-15"]
    code, out, _ = _run(capsys, path, "--date", "2024-10-15", "--format", "json")
    assert json.loads(out)["review"]["pending"] == ["2024-10-15"]
