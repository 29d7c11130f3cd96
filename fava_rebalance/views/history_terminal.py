"""The drift history (SPEC §5.2) for a terminal: a line per date, a column per category.

Each cell is the category's percent of the portfolio, ``*`` when it is outside its band;
then the targets on the last date, the rebalances and the review calendar.
"""

from __future__ import annotations

from fava_rebalance.core.formatting import grouped, plain
from fava_rebalance.core.history import History, targeted_categories
from fava_rebalance.views.review_words import pending_words, review_line
from fava_rebalance.views.terminal import _table

OUTSIDE_MARK = "*"


def render_history(history: History) -> str:
    """The history for a terminal: a line per date, a column per category's percent."""
    names = targeted_categories(history.points)
    out = [f"Drift history in {history.currency}, every {history.every}: each category's percent of the "
           f"portfolio ({OUTSIDE_MARK} outside its band)", ""]
    rows = []
    for point in history.points:
        cells = {row.category: plain(row.percent) + (OUTSIDE_MARK if row.category in point.outside else " ")
                 for row in point.categories}
        rows.append([point.date.isoformat(), grouped(point.total), *(cells.get(name, "-") for name in names)])
    out += _table(["Date", "Total", *names], rows, set(range(1, len(names) + 2)))
    targets = {}
    for point in history.points[-1:]:
        targets = {row.category: f"{plain(row.target)} ± {plain(row.band)}" for row in point.categories}
    if targets:
        out += ["", "Targets on the last date: " + ", ".join(f"{k} {v}" for k, v in targets.items())]
    if history.rebalances:
        out += ["", "Rebalances:"]
        out += [f"  {r.date.isoformat()}  {r.narration}{' (pending)' if r.pending else ''}"
                for r in history.rebalances]
    for line in (review_line(history.review), pending_words(history.review)):
        if line:
            out += ["", line]
    return "\n".join(out) + "\n"
