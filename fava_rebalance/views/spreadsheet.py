"""Text cells made safe for spreadsheets: no formula injection, nothing Excel refuses.

Excel, LibreOffice Calc and Google Sheets take a CSV cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return for a formula, and openpyxl writes a text value
that begins with ``=`` into an .xlsx as one: a category named ``=HYPERLINK("http://…")``
would become a live link in the user's spreadsheet. As OWASP's "CSV Injection" page
advises, such a text cell gets a leading single quote, which spreadsheets show as text
(a NUL, which some readers drop before reading the rest, is treated the same). Only text
changes: numbers, negative amounts included, are not text and stay numbers.

An .xlsx file cannot hold most control characters at all (openpyxl refuses to write them):
they become U+FFFD in the workbook, so a hostile name never costs the user the download.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
QUOTE = "'"
# The characters the XML of an .xlsx cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula."""
    return QUOTE + value if value.startswith(FORMULA_START) else value


def xlsx_text(value: str) -> str:
    """``value`` as an .xlsx text cell: not a formula, and only characters a workbook holds."""
    return _NOT_IN_XLSX.sub("\ufffd", csv_text(value))

