"""The drift history of one portfolio or several, in each of the CLI's formats (SPEC §5.2, §6.1).

A ledger with just ``Main`` gets SPEC §5.2's shapes unchanged. One portfolio asked for by
name (``--portfolio``) carries its name, as the report does (``views.portfolios``):
``"portfolio"`` first in the JSON object, a ``portfolio`` column first in the CSV and in
every table of the workbook, a heading in the terminal. Without ``--portfolio`` a ledger with
several portfolios gives each portfolio's history in turn: ``{"portfolios": [...]}`` in
JSON (each object named), the CSV rows of each one under the other, one workbook (each
table stacked, a Review sheet per portfolio), each history under its heading in the terminal.
Each portfolio's history is its own: its accounts, targets (gliding or not), bands,
rebalances and review calendar.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fava_rebalance.core.history import History, targeted_categories
from fava_rebalance.views.columns import COLUMNS
from fava_rebalance.views.history_data import history_to_dict
from fava_rebalance.views.history_terminal import render_history
from fava_rebalance.views.portfolios import PORTFOLIO, heading, named_sheets, stacked, stacked_sheets
from fava_rebalance.views.sheet import PERCENT, Column, Sheet


def named_history_dict(history: History) -> dict[str, Any]:
    """SPEC §5.2's object for one portfolio, with ``"portfolio": NAME`` first."""
    return {PORTFOLIO: history.portfolio, **history_to_dict(history)}


def history_output(histories: Sequence[History], fmt: str, *, named: bool = False) -> str | bytes:
    """``histories`` in ``fmt`` (``table``, ``json``, ``csv``, ``xlsx``).

    One history, ``named`` or not (asked for by name: it carries its portfolio), or several:
    each in turn.
    """
    if len(histories) == 1 and not named:
        return _single(histories[0], fmt)
    several = len(histories) > 1
    if fmt == "json":
        found = [named_history_dict(history) for history in histories]
        return json.dumps({"portfolios": found} if several else found[0], indent=2) + "\n"
    if fmt in ("csv", "xlsx"):  # pandas is imported only for the CSV and Excel outputs
        from fava_rebalance.views.history_tables import history_frame, history_sheets
        from fava_rebalance.views.tables import to_csv, to_excel

        if fmt == "csv":
            return to_csv(stacked([(history.portfolio, history_frame(history)) for history in histories]))
        if not several:
            return to_excel(named_sheets(history_sheets(histories[0]), histories[0].portfolio))
        book = stacked_sheets([(history.portfolio, history_sheets(history)) for history in histories])
        percent = book.get("Percent")
        if isinstance(percent, Sheet):  # every portfolio's categories are percents
            names = {name: Column(name, PERCENT)
                     for history in histories for name in targeted_categories(history.points)}
            book["Percent"] = replace(percent, columns={**COLUMNS, **names})
        return to_excel(book)
    return "\n".join(f"{heading(history.portfolio, False)}\n\n{render_history(history)}"
                     for history in histories)


def _single(history: History, fmt: str) -> str | bytes:
    """One history of a ledger with one portfolio: SPEC §5.2's shapes."""
    if fmt == "json":
        return json.dumps(history_to_dict(history), indent=2) + "\n"
    if fmt in ("csv", "xlsx"):
        from fava_rebalance.views.history_tables import history_frame, history_sheets
        from fava_rebalance.views.tables import to_csv, to_excel

        return to_csv(history_frame(history)) if fmt == "csv" else to_excel(history_sheets(history))
    return render_history(history)
