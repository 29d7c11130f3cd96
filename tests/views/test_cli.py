"""SPEC §3: ``bean-rebalance``: formats, ``--date``, ``-o`` and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_report import SPEC_EXAMPLE

from fava_rebalance.cli import main
from fava_rebalance.views.workbook import HEADER_ROW

# The SPEC §3 example: Equities 70,000 (400 VTI in the IRA, 300 in Taxable), Bonds 30,000,
# GLD 1,800 with no class; total 101,800. Targets change on 2026-01-01.
LEDGER = SPEC_EXAMPLE + """\
    2026-01-01 custom "rebalance-target" "Equities" 70
    2026-01-01 custom "rebalance-target" "Bonds" 30
    2026-01-01 price VTI 100 USD
    2026-01-01 price BND 100 USD
    2026-01-01 price GLD 100 USD
"""

MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")  # "101800.00": no separators, exactly 2 decimals


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_values(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert {"date", "currency", "total", "targeted", "untargeted", "uncategorized", "moves", "trades",
            "tax", "after", "cash_needed", "warnings"} <= set(doc)
    assert (doc["date"], doc["currency"], doc["total"]) == ("2024-01-10", "USD", "101800.00")
    for row in doc["targeted"]:
        assert {"category", "value", "percent", "target", "difference", "amount", "action"} <= set(row)
        for key in ("value", "percent", "target", "difference", "amount"):
            assert isinstance(row[key], str), (key, row[key])
            assert MONEY.match(row[key]), (key, row[key])
        assert row["action"] in ("buy", "sell", "none")
    targeted = {row["category"]: row for row in doc["targeted"]}
    # Equities: 70,000 / 101,800 = 68.76%; 68.76 − 60 = 8.76; 70,000 − 61,080 = 8,920.
    assert {k: targeted["Equities"][k] for k in ("value", "percent", "target", "difference", "amount",
                                                 "action")} == {
        "value": "70000.00", "percent": "68.76", "target": "60.00", "difference": "8.76",
        "amount": "8920.00", "action": "sell"}
    # Bonds: 30,000 / 101,800 = 29.47%; 29.47 − 40 = −10.53; 40,720 − 30,000 = 10,720.
    assert {k: targeted["Bonds"][k] for k in ("percent", "difference", "amount", "action")} == {
        "percent": "29.47", "difference": "-10.53", "amount": "10720.00", "action": "buy"}
    assert doc["untargeted"] == []
    # GLD: 18 × 100 = 1,800; 1,800 / 101,800 = 1.77%.
    assert doc["uncategorized"] == [{"commodity": "GLD", "accounts": ["Assets:Invest:Taxable"],
                                     "value": "1800.00", "percent": "1.77"}]
    # The moves, then how much they are short and why: 10,720 − 8,920 = 1,800 = GLD's value.
    assert doc["moves"] == [
        "Buy 10,720.00 USD of Bonds (29.47% now, target 40.00%).",
        "Sell 8,920.00 USD of Equities (68.76% now, target 60.00%).",
        "The buys spend 1,800.00 USD more than the sells raise: 1,800.00 USD (1.77%) of the portfolio is in "
        "holdings without a target (GLD), which the targets count but no move sells. Selling those holdings, "
        "or adding that much cash, pays for every buy; otherwise buy that much less.",
    ]
    assert isinstance(doc["trades"], list)
    assert isinstance(doc["after"], list)
    assert set(doc["tax"]) >= {"short_term_gain", "long_term_gain", "estimated_tax"}  # more may be added
    assert all(MONEY.match(v) for v in doc["tax"].values())
    assert doc["cash_needed"] == "14866.67"  # 70,000 ÷ 0.6 − 101,800
    # No band (0) and GLD without a target: the categories can never hold 100% between
    # them, so no deposit brings both exactly to their targets.
    assert doc["cash_needed_band"] is None
    assert all(isinstance(w, str) for w in doc["warnings"])
    assert any("GLD" in w for w in doc["warnings"])  # the uncategorized holding is named


def test_untargeted_row_shape(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER.replace('"rebalance-target" "Bonds" 40', '"rebalance-target" "Equities:X" 40'))
    code, out, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    doc = json.loads(out)
    # Bonds has no target now: an untargeted row with category, value, percent (30,000 / 101,800).
    assert doc["untargeted"] == [{"category": "Bonds", "value": "30000.00", "percent": "29.47"}]
    # Equities:X is undeclared and a child of the targeted Equities: errors → exit 1.
    assert code == 1


def test_date_selects_targets_and_holdings(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    _, out, _ = _run(capsys, str(path), "--date", "2026-01-01", "--format", "json")
    targeted = {row["category"]: row for row in json.loads(out)["targeted"]}
    # 70% × 101,800 = 71,260 vs 70,000 → buy 1,260.
    equities = targeted["Equities"]
    assert (equities["target"], equities["amount"], equities["action"]) == ("70.00", "1260.00", "buy")
    _, out, _ = _run(capsys, str(path), "--date", "2024-01-01", "--format", "json")
    doc = json.loads(out)
    # Before the buy on 2024-01-02 nothing is held; the targets are in force with value 0.
    assert doc["total"] == "0.00"
    assert [(r["category"], r["value"], r["percent"], r["action"]) for r in doc["targeted"]] == [
        ("Bonds", "0.00", "0.00", "none"), ("Equities", "0.00", "0.00", "none")]
    assert doc["cash_needed"] == "0.00"


def test_csv(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # Each row stands alone: the date, the currency and the band are in it.
    assert list(rows[0]) == ["date", "currency", "section", "category", "accounts", "value", "percent",
                             "target", "band", "difference", "amount", "action"]
    assert {(r["date"], r["currency"]) for r in rows} == {("2024-01-10", "USD")}
    assert [r["band"] for r in rows] == ["0.00", "0.00", ""]  # no band option: 0; GLD has no target
    got = [(r["section"], r["category"], r["value"], r["percent"], r["target"], r["amount"], r["action"])
           for r in rows]
    assert got == [
        ("targeted", "Bonds", "30000.00", "29.47", "40.00", "10720.00", "buy"),
        ("targeted", "Equities", "70000.00", "68.76", "60.00", "8920.00", "sell"),
        ("uncategorized", "GLD", "1800.00", "1.77", "", "", ""),
    ]
    assert rows[2]["accounts"] == "Assets:Invest:Taxable"


def test_json_cash_needed_band(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER + '    2020-01-01 custom "rebalance-option" "band" 5\n')
    _, out, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    doc = json.loads(out)
    # Total 101,800; Equities 70,000 (60 ± 5), Bonds 30,000 (40 ± 5), GLD 1,800 untargeted.
    # Equities falls to 65% at 70,000 / 0.65 = 107,692.31: D ≥ 5,892.31. Bonds must reach
    # 35% of 101,800 + D from 30,000 (Equities stays above its 55% until D = 25,472.73):
    # 100,000 + D − 70,000 − 0.35 (101,800 + D) = 0.65 D − 5,630 = 0 at D = 8,661.538..,
    # rounded up to the cent. Check: Bonds 38,661.54 / 110,461.54 = 35.00%, Equities 63.37%.
    assert doc["cash_needed_band"] == "8661.54"
    assert doc["cash_needed"] == "14866.67"  # unchanged: 70,000 ÷ 0.6 − 101,800


def test_table(ledger_file, capsys) -> None:
    path = ledger_file(LEDGER)
    code, out, _ = _run(capsys, str(path), "--date", "2024-01-10")
    assert code == 0
    assert "\x1b[" not in out  # no colour when not a terminal
    assert "Portfolio value 101,800.00 USD as of 2024-01-10" in out
    assert "Sell 8,920.00 USD of Equities (68.76% now, target 60.00%)." in out
    assert "Cash to add so that buying alone leaves no category above its target: 14,866.67 USD." in out
    assert ("No deposit brings every category inside its band by buying alone: the holdings without a target "
            "keep the categories together below 100%, and their bands leave too little room for that.") in out
    assert "The buys spend 1,800.00 USD more than the sells raise" in out
    assert "GLD" in out
    equities = next(line for line in out.splitlines() if line.startswith("Equities"))
    assert equities.split() == [
        "Equities", "70,000.00", "68.76", "60.00", "+8.76", "±0.00", "Sell", "8,920.00"]


def test_table_difference_rounds_half_up_like_everything_else(ledger_file, capsys) -> None:
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:B
      asset-class: "B"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "A" 50
    2024-01-01 custom "rebalance-target" "B" 50
    2024-01-02 * "deposit"
      Assets:A  5012.50 USD
      Assets:B  4987.50 USD
      Equity:Opening
    """
    path = ledger_file(text)
    # A: 5,012.50 / 10,000 = 50.125% → diff +0.125 → "0.13" half up (as in JSON), not "0.12".
    _, out, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    differences = {r["category"]: r["difference"] for r in json.loads(out)["targeted"]}
    assert differences == {"A": "0.13", "B": "-0.13"}
    _, out, _ = _run(capsys, str(path), "--date", "2024-01-10")
    cells = {line.split()[0]: line.split()[4] for line in out.splitlines() if line[:2] in ("A ", "B ")}
    assert cells == {"A": "+0.13", "B": "-0.13"}


def test_output_file(ledger_file, capsys, tmp_path: Path) -> None:
    path = ledger_file(LEDGER)
    target = tmp_path / "report.json"
    code, out, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == "101800.00"


def test_xlsx_output(ledger_file, capsys, tmp_path: Path) -> None:
    import openpyxl

    path = ledger_file(LEDGER)
    target = tmp_path / "report.xlsx"
    code, _, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "xlsx", "-o", str(target))
    assert code == 0
    book = openpyxl.load_workbook(target)
    assert {"Summary", "Drift", "Moves", "Warnings"} <= set(book.sheetnames)
    drift = list(book["Drift"].iter_rows(min_row=HEADER_ROW, values_only=True))
    assert drift[0][:4] == ("Section", "Category", "Held in", "Value")
    assert drift[1][:2] == ("With target", "Bonds")
    assert drift[1][3] == 30000  # value


def test_ledger_errors_exit_1_with_file_and_line(ledger_file, capsys) -> None:
    text = LEDGER.replace('"Bonds" 40', '"Bonds" 30') + """
    2010-01-01 open Assets:Invest:Pension
      tax-status: "pension"
    """
    path = ledger_file(text)
    code, out, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    assert code == 1
    json.loads(out)  # the report is still written
    lines = err.splitlines()
    # Counted in LEDGER: 1 blank, 2 option, 3-7 commodities, 8-11 opens, 12-13 targets (Bonds on
    # 13), 14-19 the buy, 20-22 prices, 23-24 targets, 25-27 prices; 28 blank, 29 the Pension open.
    assert f"{path}:13: targets in force on 2024-01-01 add up to 90%, not 100%" in lines
    assert any(line.startswith(f"{path}:29: unknown tax-status 'pension'") for line in lines)
    assert len(lines) == 2  # each error once
    # And the JSON warnings carry them as file:line: message.
    assert f"{path}:13: targets in force on 2024-01-01 add up to 90%, not 100%" in json.loads(out)["warnings"]


def test_beancount_errors_also_exit_1(ledger_file, capsys) -> None:
    text = LEDGER + """
    2024-02-01 * "overdraw"
      Assets:Invest:Taxable  1 VTI {100 USD}
    """
    path = ledger_file(text)
    code, _, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    assert code == 1
    # LEDGER is 27 lines (see above), 28 is blank: the unbalanced transaction is on line 29.
    assert err.startswith(f"{path}:29: ")


def test_plugin_errors_are_printed_once(ledger_file, capsys) -> None:
    # The plugin line fills LEDGER's blank first line, so the Bonds target stays on line 13.
    text = '    plugin "beancount_plugins.rebalance"' + LEDGER.replace('"Bonds" 40', '"Bonds" 30')
    path = ledger_file(text)
    code, _, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    assert code == 1
    assert err.splitlines() == [f"{path}:13: targets in force on 2024-01-01 add up to 90%, not 100%"]


def test_empty_ledger_and_no_targets_exit_0(ledger_file, capsys) -> None:
    path = ledger_file("", name="empty.beancount")
    code, out, err = _run(capsys, str(path), "--date", "2024-01-10", "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["total"], doc["targeted"], doc["moves"], doc["cash_needed"]) == ("0.00", [], [], "0.00")
    code, out, _ = _run(capsys, str(path), "--date", "2024-01-10")
    assert code == 0
    assert "no targets" in out
    code, out, _ = _run(capsys, str(path), "--date", "2024-01-10", "--format", "csv")
    assert (code, out.splitlines()) == (0, ["date,currency,section,category,accounts,value,percent,target,"
                                            "band,difference,amount,action"])
    no_targets = ledger_file(LEDGER.replace('custom "rebalance-target"', 'custom "x-target"'),
                             name="nt.beancount")
    code, out, err = _run(capsys, str(no_targets), "--date", "2024-01-10", "--format", "json")
    assert (code, err) == (0, "")
    assert [r["category"] for r in json.loads(out)["untargeted"]] == ["Equities", "Bonds"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--date", "2024-13-01"],
        ["--date", "yesterday"],
        ["--format", "pdf"],
        ["--bogus"],
    ],
)
def test_bad_arguments_exit_2(ledger_file, capsys, argv: list[str]) -> None:
    path = ledger_file(LEDGER)
    with pytest.raises(SystemExit) as exc:
        main([str(path), *argv])
    assert exc.value.code == 2
    assert "usage: bean-rebalance" in capsys.readouterr().err


@pytest.mark.parametrize("date", ["9999-12-01", "0001-01-30", "1899-12-31"])
def test_dates_outside_the_supported_range_exit_2(ledger_file, capsys, date: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main([str(ledger_file(LEDGER)), "--date", date, "--format", "json"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"the report date {date} is outside the supported dates, 1900-01-01 to 9998-12-31" in err


def test_a_bug_exits_3_not_1(ledger_file, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1 means "the ledger has errors"; a failure of bean-rebalance itself must not say that.
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("fava_rebalance.cli.analyse", broken)
    code, out, err = _run(capsys, str(ledger_file(LEDGER)), "--format", "json")
    assert (code, out) == (3, "")
    assert "ZeroDivisionError: boom" in err
    assert "bean-rebalance: internal error; this is a bug in fava_rebalance, not in the ledger" in err


def test_missing_ledger_exits_2(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope.beancount"))
    assert (code, out) == (2, "")
    assert "nope.beancount" in err


def test_xlsx_needs_an_output_file(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(LEDGER)), "--format", "xlsx")
    assert (code, out) == (2, "")
    assert "-o" in err


def test_unwritable_output_exits_2(ledger_file, capsys, tmp_path: Path) -> None:
    # SPEC is silent; an output path that cannot be written is a bad argument (2), not a traceback.
    target = tmp_path / "no-such-dir" / "out.json"
    code, _, err = _run(capsys, str(ledger_file(LEDGER)), "--format", "json", "-o", str(target))
    assert code == 2
    assert "out.json" in err


BEAN_REBALANCE = shutil.which("bean-rebalance") or str(Path(sys.executable).with_name("bean-rebalance"))


def test_installed_script_runs(ledger_file) -> None:
    path = ledger_file(LEDGER)
    done = subprocess.run([BEAN_REBALANCE, str(path), "--date", "2024-01-10", "--format", "json"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["cash_needed"] == "14866.67"
    bad = subprocess.run([BEAN_REBALANCE, str(path), "--date", "not-a-date"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
