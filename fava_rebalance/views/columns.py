"""What each column of the project's tables means in a workbook: its header and its kind.

The CSV files keep the tables' keys (``value_before``, ``action`` with the codes ``buy``,
``sell``); the workbook shows the headers and words below (``views.workbook``). One entry
per key, shared by every sheet that has the column, so a new sheet built from the same keys
(a drift history, a portfolio column) is shown the same way.
"""

from __future__ import annotations

from fava_rebalance.views.labels import ACTIONS, TERMS
from fava_rebalance.views.sheet import (
    COUNT,
    DATE,
    FLAG,
    MONEY,
    NAME,
    PERCENT,
    POINTS,
    TEXT,
    UNITS,
    Column,
)

SECTIONS = {"targeted": "With target", "untargeted": "No target", "uncategorized": "Uncategorized"}


def money(header: str) -> Column:
    """A money column; the header names the currency where the sheet's note does not."""
    return Column(header, MONEY)


COLUMNS: dict[str, Column] = {
    "portfolio": Column("Portfolio", NAME),
    "date": Column("Date", DATE),
    "currency": Column("Currency", NAME),
    "section": Column("Section", NAME, SECTIONS),
    "category": Column("Category", NAME),
    "accounts": Column("Held in", NAME),
    "account": Column("Account", NAME),
    "commodity": Column("Commodity", NAME),
    "tax_status": Column("Tax status", NAME),
    "value": money("Value"),
    "percent": Column("Current", PERCENT),
    "target": Column("Target", PERCENT),
    "band": Column("Band (±)", PERCENT),
    "difference": Column("Difference", POINTS),
    "amount": money("Amount"),
    "action": Column("Action", NAME, ACTIONS),
    "units": Column("Units", UNITS),
    "price": money("Limit price"),
    "gain": money("Gain"),
    "term": Column("Term", NAME, TERMS),
    "lots": Column("Lots to sell", TEXT),
    "reason": Column("Why", TEXT),
    "value_before": money("Value before"),
    "percent_before": Column("Before", PERCENT),
    "value_after": money("Value after"),
    "percent_after": Column("After", PERCENT),
    "difference_after": Column("Difference after", POINTS),
    "within_band": Column("Within band", FLAG),
    "cash_before": money("Cash before"),
    "flow": money("Deposit (+) / withdrawal (−)"),
    "sold": money("Sold"),
    "bought": money("Bought"),
    "costs": money("Trade costs"),
    "cash_after": money("Cash after"),
    "trades": Column("Orders", COUNT),
    "preferred": Column("Better held in", NAME),
    "move": Column("Move", TEXT),
    "warning": Column("Warning", TEXT),
    "low": Column("Band low", PERCENT),       # the drift history (history_tables)
    "high": Column("Band high", PERCENT),
    "outside": Column("Outside band", FLAG),
    "total": money("Total"),
    "untargeted": Column("No target", PERCENT),
    "uncategorized": Column("Uncategorized", PERCENT),
    "narration": Column("Narration", TEXT),
    "pending": Column("Pending", FLAG),
}
