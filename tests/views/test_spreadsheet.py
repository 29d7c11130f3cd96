"""No ledger text reaches a spreadsheet as a formula (OWASP "CSV Injection"); numbers stay numbers.

The ledger ``tests/ledgers/formulas.beancount`` names its categories ``=HYPERLINK(...)``,
``+1+1``, ``-2+3`` and ``@SUM(1)``; its figures are worked out in its header. Every CSV and
Excel export, from the command line and from the Fava tab, is read back.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from fava.application import create_app
from flask.testing import FlaskClient
from openpyxl import load_workbook

from fava_rebalance.cli import main
from fava_rebalance.views.spreadsheet import FORMULA_START, csv_text, sheet_names, xlsx_text
from fava_rebalance.views.workbook import HEADER_ROW

LEDGER = Path(__file__).resolve().parents[1] / "ledgers" / "formulas.beancount"
TAB = "/formulas/extension/Rebalance/"
HYPERLINK = '=HYPERLINK("http://evil.example/")'
# category → (value, percent, target, difference, amount, action), from the ledger's header
DRIFT = {
    "'+1+1": ("100.00", "20.00", "25.00", "-5.00", "25.00", "buy"),
    "'-2+3": ("100.00", "20.00", "25.00", "-5.00", "25.00", "buy"),
    "'" + HYPERLINK: ("200.00", "40.00", "25.00", "15.00", "75.00", "sell"),
    "'@SUM(1)": ("100.00", "20.00", "25.00", "-5.00", "25.00", "buy"),
}


def test_text_that_starts_a_formula_is_quoted() -> None:
    for text in (HYPERLINK, "+1", "-1", "@A1", "\tx", "\rx", "\0x"):
        assert csv_text(text) == "'" + text
    for text in ("Bonds", "", "x=1", " =1", "'=1", "Équités"):
        assert csv_text(text) == text
    # An .xlsx cannot hold control characters: they are replaced, not refused.
    assert xlsx_text("\x00=1") == "'\ufffd=1"
    assert xlsx_text("a\x07b\tc\nd") == "a\ufffdb\tc\nd"


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def check_csv(text: str) -> list[dict[str, str]]:
    """The rows of a CSV export, after checking that no text cell would run as a formula."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_START) or _is_number(value), row
    return rows


def check_workbook(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    """Each sheet's rows, after checking that no cell is a formula or formula-like text."""
    book = load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), (sheet.title, cell.value)
        sheets[sheet.title] = list(sheet.iter_rows(values_only=True))
    return sheets


def _drift(rows: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    return {r["category"]: (r["value"], r["percent"], r["target"], r["difference"], r["amount"], r["action"])
            for r in rows}


def test_cli_csv_quotes_formula_text_and_keeps_negative_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(LEDGER), "--date", "2024-12-31", "--format", "csv"]) == 0
    assert _drift(check_csv(capsys.readouterr().out)) == DRIFT


def test_cli_workbook_has_no_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.xlsx"
    assert main([str(LEDGER), "--date", "2024-12-31", "--format", "xlsx", "-o", str(out)]) == 0
    capsys.readouterr()
    sheets = check_workbook(out.read_bytes())
    header, *rows = sheets["Drift"][HEADER_ROW - 1 :]
    drift = {row[header.index("Category")]: row for row in rows}
    assert set(drift) == set(DRIFT)
    # -5.00 points is still a number, not text (a percent cell: -0.05): 20.00% held, target 25.00%.
    assert drift["'+1+1"][header.index("Difference")] == -0.05
    trades_header, *trades = sheets["Trades"][HEADER_ROW - 1 :]
    reasons = [t[trades_header.index("Why")] for t in trades]
    assert any(r.startswith("'" + HYPERLINK) for r in reasons), reasons


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    app = create_app([LEDGER], load=True)
    app.testing = True
    return app.test_client()


def test_tab_downloads_have_no_formula(client: FlaskClient) -> None:
    drift = client.get(f"{TAB}report.csv?time=2024")
    assert drift.status_code == 200
    assert _drift(check_csv(drift.get_data(as_text=True))) == DRIFT
    trades = client.get(f"{TAB}trades.csv?time=2024&cash=")
    assert trades.status_code == 200
    rows = check_csv(trades.get_data(as_text=True))
    assert any(r["reason"].startswith("'" + HYPERLINK) for r in rows), rows
    workbook = client.get(f"{TAB}report.xlsx?time=2024&cash=")
    assert workbook.status_code == 200
    assert set(check_workbook(workbook.get_data())) >= {"Drift", "Trades", "Warnings"}


# Two portfolios whose names a sheet name cannot hold (``/``, ``:``, ``[``, ``]``) and which
# are alike in their first 31 characters once they are cut.
LONG_NAMES = """
option "operating_currency" "USD"
2020-01-01 commodity VTI
  asset-class: "Stocks"
2020-01-01 open Assets:Alice:IRA
  portfolio: "Family/retirement: Alice [IRA]"
2020-01-01 open Assets:Alice:Roth
  portfolio: "Family/retirement: Alice [Roth]"
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-target" "Stocks" 100
  portfolio: "Family/retirement: Alice [IRA]"
2020-01-01 custom "rebalance-target" "Stocks" 100
  portfolio: "Family/retirement: Alice [Roth]"
2020-01-02 * "Buy"
  Assets:Alice:IRA    1 VTI {100 USD}
  Assets:Alice:Roth   1 VTI {100 USD}
  Equity:Opening
"""


def test_sheet_names_excel_accepts() -> None:
    # "Summary Family/retirement: Alice [IRA]": / : [ ] become _, "Summary Family_retirement_
    # Alice _IRA_" (38 characters) is cut to 31, "Summary Family_retirement_ Alic" (8 + 18 + 5);
    # the Roth one cuts to the same, so it keeps 31 - 4 = 27 characters and ends " (2)".
    # Case aside "summary main" meets "Summary Main"; a name of quotes alone is "Sheet".
    assert sheet_names(["Summary Family/retirement: Alice [IRA]", "Summary Family/retirement: Alice [Roth]",
                        "Summary Main", "summary main", "'Tax'", "''"]) == [
        "Summary Family_retirement_ Alic", "Summary Family_retirement_  (2)", "Summary Main",
        "summary main (2)", "Tax", "Sheet"]
    # Excel keeps "History" for its change log and refuses it as a sheet's name, in any case.
    assert sheet_names(["History", "history", "Drift"]) == ["History (2)", "history (3)", "Drift"]


@pytest.mark.parametrize("history", [False, True])
def test_portfolio_names_a_sheet_cannot_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             history: bool) -> None:
    ledger = tmp_path / "ledger.beancount"
    ledger.write_text(LONG_NAMES, encoding="utf-8")
    out = tmp_path / "report.xlsx"
    args = [str(ledger), "--date", "2024-12-31", "-o", str(out), *(["--history"] if history else [])]
    assert main(args) == 0
    capsys.readouterr()
    book = load_workbook(out)
    # As above: "Summary " + "Family_retirement_" + " Alic" is 31; "Review " is one shorter,
    # so it keeps " Alice" (7 + 18 + 6 = 31), and the second keeps 27: "Review " + 18 + " A".
    first = "Review" if history else "Summary"
    if history:
        assert book.sheetnames == ["Drift", "Percent", "Rebalances", "Review Family_retirement_ Alice",
                                   "Review Family_retirement_ A (2)"]
    else:
        assert {"Summary Family_retirement_ Alic", "Summary Family_retirement_  (2)",
                "Tax Family_retirement_ Alice _I", "Tax Family_retirement_ Alice _R"} <= set(book.sheetnames)
    # Each item sheet's title row still names its portfolio in full.
    titles = {book[name]["A1"].value for name in book.sheetnames if name.startswith(first)}
    assert any(str(t).endswith("portfolio Family/retirement: Alice [Roth]") for t in titles), titles
