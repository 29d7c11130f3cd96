"""Which format ``bean-rebalance`` writes, and where a CSV's trades go.

``-o report.xlsx`` without ``--format`` writes Excel: the format comes from the file's
extension (``EXTENSIONS``); an extension that names another format than ``--format`` is
refused rather than writing, say, a text table into a ``.xlsx`` file. A file with no
known extension (``report.out``) takes ``--format``, or the table.

A CSV file holds one table. With ``--cash`` the plan's orders are a second table: with
``-o report.csv`` they go to ``report-trades.csv`` beside it (``trades_path``); on
standard output there is room for one table only, so the CLI says how to get both.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT = "table"
EXTENSIONS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table", ".beancount": "beancount",
              ".bean": "beancount"}  # .bean: Beancount's other usual extension


def output_format(asked: str | None, output: Path | None) -> tuple[str, str | None]:
    """The format to write and, when ``asked`` and the file's extension disagree, why not.

    Returns ``(format, problem)``; ``problem`` is ``None`` when the two agree.
    """
    implied = EXTENSIONS.get(output.suffix.lower()) if output is not None else None
    if asked is None:
        return implied or DEFAULT, None
    if implied is not None and implied != asked:
        return asked, (f"--format {asked} does not match the output file {output} (a {implied} file by "
                       f"its extension): give one or the other, or make them agree")
    return asked, None


def trades_path(output: Path) -> Path:
    """The file beside a CSV ``output`` for the plan's orders: ``report.csv`` → ``report-trades.csv``."""
    return output.with_name(f"{output.stem}-trades{output.suffix or '.csv'}")


def csv_trades_hint() -> str:
    """What to do when ``--cash`` asks for trades and the CSV goes to standard output."""
    return ("--cash plans orders, which are a second table: add -o report.csv to write them to "
            "report-trades.csv beside the drift table, or use --format json, --format xlsx or the table")
