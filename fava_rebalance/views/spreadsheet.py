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

A worksheet's name (a tab at the bottom) has rules of its own: at most 31 characters, none
of ``/ ? * : [ ]`` nor a backslash, no ``'`` at either end, and no two alike (case aside). A sheet named
after a portfolio (``Summary College``) keeps to them by ``sheet_names``; the sheet's title
row still names the portfolio in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
QUOTE = "'"
# The characters the XML of an .xlsx cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAME = re.compile(r"[\\/?*:\[\]\x00-\x1f]")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula."""
    return QUOTE + value if value.startswith(FORMULA_START) else value


def xlsx_text(value: str) -> str:
    """``value`` as an .xlsx text cell: not a formula, and only characters a workbook holds."""
    return _NOT_IN_XLSX.sub("\ufffd", csv_text(value))


def sheet_names(names: Iterable[str]) -> list[str]:
    """Each of ``names`` as a worksheet name Excel accepts, in order, no two alike (case aside).

    A character a sheet name cannot hold becomes ``_``; a name cut to 31 characters that
    meets one before it ends in `` (2)``, `` (3)``, ... ``History`` is Excel's own (its
    shared-workbook change log: Excel refuses it as a name), so a sheet called that is
    ``History (2)``.
    """
    found: list[str] = []
    taken: set[str] = {"history"}
    for name in names:
        base = _NOT_IN_SHEET_NAME.sub("_", name).strip("'") or "Sheet"
        candidate, count = base[:SHEET_NAME_MAX], 1
        while candidate.casefold() in taken:
            count += 1
            suffix = f" ({count})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.casefold())
        found.append(candidate)
    return found
