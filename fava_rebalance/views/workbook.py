"""The Excel finish every sheet gets: a title, readable headers, number formats, widths, print setup.

Generic: it knows nothing of rebalancing. A sheet is a table (a pandas frame, or anything
with ``columns`` and ``itertuples``) and a ``sheet.Sheet`` spec: the sheet's title and the
line under it, and for each column its header and its **kind**, written as follows:

========== =========================================== ==================================
kind       frame holds                                 Excel shows (the value stays a number)
========== =========================================== ==================================
money      ``Decimal("64028.5")``                      ``64,028.50``
percent    percent points, ``Decimal("29.48")``        ``29.48%`` (stored as 0.2948)
points     signed percent points, ``Decimal("-5.52")`` ``-5.52%``, ``+7.14%``
rate       a fraction, ``Decimal("0.24")``             ``24.00%``
units      ``Decimal("350.645")``                      ``350.645`` (the ledger's decimals, grouped)
count      ``3``                                       ``3``
date       ``datetime.date``                           ``2026-11-20`` (an Excel date)
flag       ``True``                                    ``Yes``
text, name any text                                    the text, never a formula
by-row     each row's own kind (``Sheet.row_kinds``)   as that kind
========== =========================================== ==================================

``name`` is text that names something (an account, a currency): written as ``text``, and
kept by Fava's incognito masking. A cell that holds text where a number is expected (a
masked figure, ``"none"``) is written as text. Every text cell (titles and headers too)
goes through ``spreadsheet.xlsx_text``: no formula, no character a workbook cannot hold.

What every sheet gets: the title in row 1 (bold, larger), its note in row 2, the header in
``HEADER_ROW`` (bold, shaded, frozen with the rows above it, repeated on every printed
page, with filter buttons), widths fitted to the content (long text wraps at
``WRAP_AT`` characters), and a landscape page that fits the width. A bare frame, or a
column its spec does not describe, gets the same finish from its keys and its values
(``sheet.guess_column``), so a new sheet never comes out raw.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fava_rebalance.views.sheet import (
    COUNT,
    DATE,
    FLAG,
    MONEY,
    NAME,
    PERCENT,
    POINTS,
    RATE,
    TEXT,
    UNITS,
    Sheet,
    missing,
)
from fava_rebalance.views.spreadsheet import sheet_names, xlsx_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FORMATS = {
    MONEY: "#,##0.00",
    PERCENT: "0.00%",
    POINTS: "+0.00%;-0.00%;0.00%",
    RATE: "0.00%",
    COUNT: "#,##0",
    DATE: "yyyy-mm-dd",
}
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 4
"""1-based rows: the title, the line under it, the header (the data starts below it)."""
WRAP_AT = 60  # characters: a longer text column wraps at this width
MIN_WIDTH = 6
HEADER_MAX = 24  # a header longer than its column's content wraps rather than widen the column
PADDING = 2
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
EMPTY_FONT = Font(italic=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_BORDER = Border(bottom=Side(style="thin"))
YES, NO = "Yes", "No"


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (frames hand those out)."""
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, str | bytes | Decimal | datetime.date):
        return item()
    return value


def units_format(value: Decimal) -> str:
    """``#,##0.000`` for a value with three decimals: every decimal the ledger wrote, grouped."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


@dataclass(frozen=True)
class Cell:
    """What one cell receives: its value, its number format (``None``: text) and its display width."""

    value: Any
    number_format: str | None
    width: int


def cell_of(value: Any, kind: str, words: Mapping[str, str] | None = None) -> Cell:
    """The value, format and display width of a frame's ``value`` shown as ``kind``."""
    value = _plain(value)
    if missing(value):
        return Cell(None, None, 0)
    if kind == FLAG and isinstance(value, bool):
        text = YES if value else NO
        return Cell(text, None, len(text))
    if kind == DATE and isinstance(value, datetime.date):
        return Cell(value, FORMATS[DATE], 10)
    number = value if isinstance(value, Decimal | int | float) and not isinstance(value, bool) else None
    if number is None or kind in (TEXT, NAME, FLAG, DATE):
        text = str(value) if not isinstance(value, str) else value
        text = (words or {}).get(text, text)
        safe = xlsx_text(text)
        return Cell(safe, None, max((len(line) for line in safe.splitlines()), default=0))
    exact = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    if kind in (PERCENT, POINTS):
        shown = f"{exact:+.2f}%" if kind == POINTS else f"{exact:.2f}%"
        return Cell(float(exact / 100), FORMATS[kind], len(shown))
    if kind == RATE:
        return Cell(float(exact), FORMATS[RATE], len(f"{exact * 100:.2f}%"))
    if kind == UNITS:
        fmt = units_format(exact)
        places = len(fmt.partition(".")[2])
        return Cell(float(exact), fmt, len(f"{exact:,.{places}f}"))
    if kind == COUNT:
        return Cell(int(exact) if exact == exact.to_integral_value() else float(exact), FORMATS[COUNT],
                    len(f"{exact:,}"))
    return Cell(float(exact), FORMATS[MONEY], len(f"{exact:,.2f}"))  # money, and any other number


def _write_sheet(book: Workbook, name: str, sheet: Sheet) -> None:
    ws = book.create_sheet(title=name)
    keys = sheet.shown()
    ws.cell(TITLE_ROW, 1, xlsx_text(sheet.title)).font = TITLE_FONT
    if sheet.note:
        ws.cell(NOTE_ROW, 1, xlsx_text(sheet.note)).font = NOTE_FONT
    columns = [sheet.column(key) for key in keys]
    widths = [min(len(c.header), HEADER_MAX) for c in columns]
    for index, column in enumerate(columns, start=1):
        head = ws.cell(HEADER_ROW, index, xlsx_text(column.header))
        head.font, head.fill, head.border = BOLD, HEADER_FILL, HEADER_BORDER
        head.alignment = Alignment(wrap_text=True, vertical="bottom")
    wrapped = [False] * len(keys)
    rows = 0
    for row, values in enumerate(sheet.frame[list(keys)].itertuples(index=False, name=None)):
        rows += 1
        for index, (key, value) in enumerate(zip(keys, values, strict=True)):
            cell = cell_of(value, sheet.kind_at(key, row), columns[index].words)
            target = ws.cell(HEADER_ROW + 1 + row, index + 1, cell.value)
            if cell.number_format is not None:
                target.number_format = cell.number_format
            if cell.width > WRAP_AT or (isinstance(cell.value, str) and "\n" in cell.value):
                wrapped[index] = True
                target.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index] = max(widths[index], min(cell.width, WRAP_AT))
    if rows == 0:
        ws.cell(HEADER_ROW + 1, 1, xlsx_text(sheet.empty)).font = EMPTY_FONT
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(width, MIN_WIDTH) + PADDING
    last = get_column_letter(max(len(keys), 1))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + rows}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_workbook(sheets: Mapping[str, Sheet | pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one finished sheet per entry, in order (a bare frame gets a guessed spec)."""
    book = Workbook()
    book.remove(book.active)
    for (name, sheet), title in zip(sheets.items(), sheet_names(sheets), strict=True):
        _write_sheet(book, title, sheet if isinstance(sheet, Sheet) else Sheet(sheet, title=name))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
