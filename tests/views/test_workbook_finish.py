"""Issue #14, item 1: a workbook a person can print, read back with openpyxl.

The ledger is ``test_cli.LEDGER`` (the SPEC §3 example) as of 2024-01-10: Equities 70,000.00
(68.76%, target 60), Bonds 30,000.00 (29.47%, target 40), GLD 1,800.00 (1.77%, no class);
total 101,800.00; no band option, so every band is 0.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from test_cli import LEDGER

from fava_rebalance.cli import main
from fava_rebalance.views.sheet import MONEY, PERCENT, UNITS, Column, Sheet
from fava_rebalance.views.workbook import HEADER_ROW, cell_of, write_workbook

MONEY_FORMAT, PERCENT_FORMAT, POINTS_FORMAT = "#,##0.00", "0.00%", "+0.00%;-0.00%;0.00%"


@pytest.fixture
def book(ledger_file, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Worksheet]:
    target = tmp_path / "report.xlsx"
    assert main([str(ledger_file(LEDGER)), "--date", "2024-01-10", "-o", str(target)]) == 0  # xlsx by name
    capsys.readouterr()
    return {ws.title: ws for ws in load_workbook(target).worksheets}


def _table(ws: Worksheet) -> tuple[list[str], list[tuple[object, ...]]]:
    header, *rows = ws.iter_rows(min_row=HEADER_ROW)
    return [str(c.value) for c in header], [tuple(c for c in row) for row in rows]


def test_summary_says_what_the_other_sheets_assume(book: dict[str, Worksheet]) -> None:
    ws = book["Summary"]
    assert next(iter(book)) == "Summary"
    assert ws["A1"].value == "Rebalancing report as of 2024-01-10"
    assert ws["A1"].font.bold
    items = {row[0].value: row[1] for row in ws.iter_rows(min_row=HEADER_ROW + 1) if row[0].value}
    assert items["As of"].value == datetime.datetime(2024, 1, 10)  # a date cell, not text
    assert items["As of"].number_format == "yyyy-mm-dd"
    assert items["Currency"].value == "USD"
    assert (items["Portfolio value"].value, items["Portfolio value"].number_format) == (101800, MONEY_FORMAT)
    assert (items["Targets add up to"].value, items["Targets add up to"].number_format) == (1, PERCENT_FORMAT)
    assert items["Bands"].value == "none: any drift from a target is outside its band"
    assert items["Smallest trade (min-trade)"].value == 1  # the default min-trade
    # No --cash: the plan only trades; its orders and tax are summed up here too.
    assert items["Cash flow"].value == "none: the plan only trades"
    assert isinstance(items["Orders"].value, int)
    assert items["Estimated tax"].number_format == MONEY_FORMAT


def test_drift_numbers_stay_numbers_with_their_formats(book: dict[str, Worksheet]) -> None:
    ws = book["Drift"]
    assert ws["A1"].value == "Allocation against the targets"
    assert ws["A2"].value.startswith("As of 2024-01-10, amounts in USD.")
    header, rows = _table(ws)
    assert header == ["Section", "Category", "Held in", "Value", "Current", "Target", "Band (±)",
                      "Difference", "Amount", "Action"]
    equities = next(row for row in rows if row[1].value == "Equities")
    cells = dict(zip(header, equities, strict=True))
    assert cells["Section"].value == "With target"
    assert (cells["Value"].value, cells["Value"].number_format) == (70000, MONEY_FORMAT)
    # 70,000 / 101,800 = 68.7623% → 68.76% → 0.6876 in a percent cell; difference +8.76 points.
    current = cells["Current"]
    assert (current.value, current.number_format) == (pytest.approx(0.6876), PERCENT_FORMAT)
    assert (cells["Target"].value, cells["Target"].number_format) == (pytest.approx(0.60), PERCENT_FORMAT)
    assert (cells["Difference"].value, cells["Difference"].number_format) == (pytest.approx(0.0876),
                                                                              POINTS_FORMAT)
    assert cells["Band (±)"].value == 0
    # 70,000 − 60% × 101,800 = 8,920.00 to sell, in words for a person.
    assert (cells["Amount"].value, cells["Action"].value) == (8920, "Sell")


def test_header_is_bold_frozen_and_printed_on_every_page(book: dict[str, Worksheet]) -> None:
    for name, ws in book.items():
        header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW))
        assert all(c.font.bold for c in header if c.value), name
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}", name
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", name
        assert ws.page_setup.orientation == "landscape", name
        assert (ws.page_setup.fitToWidth, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, True), name


def test_widths_fit_the_content(book: dict[str, Worksheet]) -> None:
    widths = {column: dim.width for column, dim in book["Drift"].column_dimensions.items()}
    # Each column: its longest cell or header as shown, + 2. Category: "Equities" and the
    # header, 8 characters → 10. Value: "70,000.00", 9 → 11. Held in: "Assets:Invest:Taxable",
    # 21 → 23. Current: header 7, "68.76%" 6 → 9. Difference: header 10, "+8.76%" → 12.
    assert (widths["B"], widths["D"], widths["C"], widths["E"], widths["H"]) == (10, 11, 23, 9, 12)
    moves = book["Moves"]
    # A sentence longer than 60 characters wraps in a column 60 wide (+ 2).
    assert moves.column_dimensions["A"].width == 62
    long = next(c for (c,) in moves.iter_rows(min_row=HEADER_ROW + 1) if len(str(c.value)) > 60)
    assert long.alignment.wrap_text


def test_trades_are_ready_for_a_broker(book: dict[str, Worksheet]) -> None:
    ws = book["Trades"]
    assert ws["A1"].value == "Orders for the broker"
    header, rows = _table(ws)
    assert header[:6] == ["Account", "Action", "Commodity", "Units", "Limit price", "Lots to sell"]
    assert rows
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        assert cells["Action"].value in ("Sell", "Buy")
        assert isinstance(cells["Units"].value, int | float)
        assert cells["Units"].number_format == "#,##0"  # whole units of VTI, BND
        assert (cells["Limit price"].value, cells["Limit price"].number_format) == (100, MONEY_FORMAT)
        if cells["Action"].value == "Sell" and cells["Account"].value == "Assets:Invest:Taxable":
            assert cells["Lots to sell"].value.startswith("2024-01-02: ")  # the lot bought that day


def test_cells_keep_their_kind() -> None:
    # Units keep every decimal the ledger wrote, grouped: 19,458.000 is 10 characters wide.
    units = cell_of(Decimal("19458.000"), UNITS)
    assert (units.value, units.number_format, units.width) == (19458, "#,##0.000", 10)
    assert cell_of(Decimal("350.645"), UNITS).number_format == "#,##0.000"
    percent = cell_of(Decimal("29.48"), PERCENT)
    assert (percent.value, percent.number_format, percent.width) == (pytest.approx(0.2948), "0.00%", 6)
    masked = cell_of("XX.XX", MONEY)  # a masked figure is text, never a number
    assert (masked.value, masked.number_format) == ("XX.XX", None)
    formula = cell_of("=SUM(A1)", MONEY)
    assert formula.value == "'=SUM(A1)"
    assert cell_of(None, MONEY).value is None


def test_a_bare_frame_gets_the_same_finish() -> None:
    # A sheet another part adds without a spec (a drift history): headers from its keys,
    # kinds from its values, and the title from the sheet's name.
    frame = pd.DataFrame([{"date": datetime.date(2024, 4, 30), "value_before": Decimal("1234.5"), "trades": 3,
                           "note": "=1+1"}])
    data = write_workbook({"Drift": frame})
    ws = load_workbook(io.BytesIO(data))["Drift"]
    assert ws["A1"].value == "Drift"
    header, rows = _table(ws)
    assert header == ["Date", "Value before", "Trades", "Note"]
    date, value, trades, note = rows[0]
    assert (date.value, date.number_format) == (datetime.datetime(2024, 4, 30), "yyyy-mm-dd")
    assert (value.value, value.number_format) == (1234.5, MONEY_FORMAT)
    assert (trades.value, trades.number_format) == (3, "#,##0")
    assert note.value == "'=1+1"  # text never runs as a formula


def test_titles_and_headers_are_never_formulas() -> None:
    frame = pd.DataFrame({"x": [Decimal(1)]})
    sheet = Sheet(frame, "=HYPERLINK(\"http://evil.example/\")", "+note", {"x": Column("-x", MONEY)})
    ws = load_workbook(io.BytesIO(write_workbook({"S": sheet})))["S"]
    assert [ws["A1"].value, ws["A2"].value, ws.cell(HEADER_ROW, 1).value] == [
        "'=HYPERLINK(\"http://evil.example/\")", "'+note", "'-x"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_an_empty_sheet_says_so_and_unknown_kinds_are_refused() -> None:
    frame = pd.DataFrame({"move": []})
    ws = load_workbook(io.BytesIO(write_workbook({"Moves": Sheet(frame, "Suggested moves",
                                                                   empty="Nothing to do.")})))["Moves"]
    assert ws.cell(HEADER_ROW + 1, 1).value == "Nothing to do."
    with pytest.raises(ValueError, match="unknown column kind 'monye'"):
        Column("Value", "monye")
