"""How a table is shown in a workbook: each column's header and kind, the sheet's title.

A ``Sheet`` is a table (a pandas frame, or anything with ``columns`` and ``itertuples``)
and its spec: the title and the line under it, and for each column a ``Column``: the
header a person reads and the **kind** of its values (``workbook`` says how each kind is
written). A frame without a spec, or a column not described, is described by
``guess_column`` from its key and its values, so a new sheet never comes out raw. No
openpyxl here: Fava's incognito mode reads these specs without loading the writer.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MONEY, PERCENT, POINTS, RATE, UNITS, COUNT = "money", "percent", "points", "rate", "units", "count"
DATE, FLAG, TEXT, NAME, BY_ROW = "date", "flag", "text", "name", "by-row"
KINDS = frozenset({MONEY, PERCENT, POINTS, RATE, UNITS, COUNT, DATE, FLAG, TEXT, NAME, BY_ROW})


@dataclass(frozen=True)
class Column:
    """How one column of a frame is shown: ``header`` for people, ``kind`` for its format.

    ``words`` turns codes into words (``sell`` → ``Sell``); a code not in it is shown as is.
    """

    header: str
    kind: str = TEXT
    words: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a kind this module cannot write (a typo would otherwise come out as text)."""
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; one of {sorted(KINDS)}")


@dataclass(frozen=True)
class Sheet:
    """A frame and how to show it.

    ``columns``: each column's ``Column`` by the frame's key; a key not given is described
    by ``guess_column``. ``order``: the keys to write, in this order (default: all, as in
    the frame). ``row_kinds``: for a ``by-row`` column (an item/value list), the kind of
    each row's value. ``empty``: the sentence written when the frame has no rows.
    """

    frame: pd.DataFrame
    title: str
    note: str = ""
    columns: Mapping[str, Column] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    row_kinds: tuple[str, ...] = ()
    empty: str = "None."

    def shown(self) -> tuple[str, ...]:
        """The frame's keys to write, in order."""
        present = [str(c) for c in self.frame.columns]
        return tuple(k for k in self.order if k in present) if self.order else tuple(present)

    def column(self, key: str) -> Column:
        """``key``'s ``Column``: the one given, else a guess from its name and values."""
        given = self.columns.get(key)
        return given if given is not None else guess_column(key, self.frame[key])

    def kind_at(self, key: str, row: int) -> str:
        """The kind of the cell of column ``key`` in data row ``row`` (0-based)."""
        kind = self.column(key).kind
        if kind == BY_ROW:
            return self.row_kinds[row] if row < len(self.row_kinds) else TEXT
        return kind


def header_of(key: str) -> str:
    """A readable header from a frame's key: ``value_before`` → ``Value before``."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def guess_column(key: str, values: Iterable[Any]) -> Column:
    """A ``Column`` for a key no spec describes: the header from its name, the kind from its values.

    Decimals are money, whole numbers counts, dates dates, booleans flags; anything else text.
    """
    kinds = set()
    for value in values:
        if missing(value):
            continue
        kinds.add(_kind_of_value(value))
    kind = kinds.pop() if len(kinds) == 1 else TEXT
    return Column(header_of(key), kind)


def _kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return FLAG
    if isinstance(value, Decimal | float):
        return MONEY
    if isinstance(value, int):
        return COUNT
    if isinstance(value, datetime.date):
        return DATE
    return TEXT


def missing(value: Any) -> bool:
    """Whether a cell is empty: ``None`` or a float NaN (what pandas leaves for a missing value)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


