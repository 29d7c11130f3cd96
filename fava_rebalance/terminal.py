"""The report as an aligned text table for a terminal; ANSI colour only when asked."""

from __future__ import annotations

from collections.abc import Sequence

from fava_rebalance.analysis import Report
from fava_rebalance.formatting import grouped, plain, signed
from fava_rebalance.report import BUY, SELL

COLOURS = {BUY: "\x1b[32m", SELL: "\x1b[31m"}
GREY, BOLD, RESET = "\x1b[90m", "\x1b[1m", "\x1b[0m"
ACTION_TEXT = {BUY: "Buy", SELL: "Sell", "none": "No action"}


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i])
              for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                         for i, c in enumerate(cells)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render(report: Report, *, colour: bool = False) -> str:
    """The three sections, the suggested moves and the warnings, for a terminal."""
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    cur = report.currency
    out = [paint(f"Portfolio value {grouped(report.total)} {cur} as of {report.date}", BOLD), ""]
    alloc = report.allocation
    out.append(paint("Categories with targets", BOLD))
    if alloc.targeted:
        rows = [[r.category, grouped(r.value), plain(r.percent), plain(r.target),
                 signed(r.difference), f"±{plain(r.band)}",
                 f"{ACTION_TEXT[r.action]} {grouped(r.amount)}" if r.action != "none" else "No action"]
                for r in alloc.targeted]
        lines = _table(["Category", f"Value ({cur})", "Current %", "Target %", "Diff", "Band", "Action"],
                       rows, {1, 2, 3, 4, 5})
        out.extend(lines[:2])
        for text, row in zip(lines[2:], alloc.targeted, strict=True):
            out.append(paint(text, COLOURS.get(row.action, GREY)))
    else:
        out.append("  (no targets: add custom \"rebalance-target\" \"Equities\" 60 and so on)")
    out.append("")
    if alloc.untargeted:
        out.append(paint("No target set", BOLD))
        out.extend(_table(["Category", f"Value ({cur})", "Current %"],
                          [[r.category, grouped(r.value), plain(r.percent)] for r in alloc.untargeted],
                          {1, 2}))
        out.append("")
    if alloc.uncategorized:
        out.append(paint("Uncategorized", BOLD))
        out.extend(_table(["Commodity", "Accounts", f"Value ({cur})", "Current %"],
                          [[r.commodity, ", ".join(r.accounts), grouped(r.value), plain(r.percent)]
                           for r in alloc.uncategorized], {2, 3}))
        out.append("")
    out.append(paint("Suggested moves", BOLD))
    if report.moves:
        out.extend(f"  {m}" for m in report.moves)
    else:
        out.append("  Nothing to do: every category is within its band.")
    out.append(f"  Cash needed to reach the targets without selling: {grouped(report.cash_needed)} {cur}")
    problems = [*(e.describe() for e in report.errors), *report.warnings]
    if problems:
        out.append("")
        out.append(paint("Warnings", BOLD))
        out.extend(f"  - {w}" for w in problems)
    return "\n".join(out) + "\n"
