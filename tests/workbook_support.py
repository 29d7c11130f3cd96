"""Reading a workbook back as a person sees it: each sheet's table under its header row.

Every sheet has its title in row 1, a note in row 2 and the header in ``workbook.HEADER_ROW``
(``views.workbook``); the tables are read from there, with the readable headers as columns.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from fava_rebalance.views.workbook import HEADER_ROW


def read_sheets(data: bytes, **options: Any) -> dict[str, pd.DataFrame]:
    """Every sheet's table, by sheet name (``options`` go to ``pandas.read_excel``)."""
    sheets: dict[str, pd.DataFrame] = pd.read_excel(io.BytesIO(data), sheet_name=None, header=HEADER_ROW - 1,
                                                    **options)
    return sheets


def read_sheet(data: bytes, name: str, **options: Any) -> pd.DataFrame:
    """One sheet's table."""
    frame: pd.DataFrame = pd.read_excel(io.BytesIO(data), sheet_name=name, header=HEADER_ROW - 1, **options)
    return frame


def read_items(data: bytes, name: str) -> dict[str, Any]:
    """An item/value sheet (Summary, Tax) as ``{item: value}``."""
    frame = read_sheet(data, name)
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
