"""``bean-rebalance``: the rebalancing report on the command line.

Exit status: 0 on success, 1 when the ledger has errors (printed as ``file:line: message``
on stderr; the report is still written), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beancount import loader

from fava_rebalance.analysis import Ledger, Report, analyse
from fava_rebalance.serialize import report_to_dict
from fava_rebalance.tables import drift_frame, report_sheets, to_csv, to_excel
from fava_rebalance.terminal import render

FORMATS = ("table", "json", "csv", "xlsx")


class UsageError(Exception):
    """A bad command-line argument (exit status 2)."""


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from exc


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used for ``--help``)."""
    p = argparse.ArgumentParser(
        prog="bean-rebalance",
        description="How far a Beancount portfolio has drifted from its targets, and what to do.",
    )
    p.add_argument("ledger", type=Path, help="the Beancount ledger file")
    p.add_argument("--date", type=_date, default=None, help="report date YYYY-MM-DD (default: today)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")
    return p


def _error_lines(load_errors: Sequence[Any], report: Report) -> list[str]:
    """Ledger errors and rebalancing errors, each once, as ``file:line: message``."""
    seen: set[tuple[str, int, str]] = set()
    lines = []
    for err in [*load_errors, *report.errors]:
        source = err.source or {}
        key = (str(source.get("filename", "<unknown>")), int(source.get("lineno", 0) or 0), str(err.message))
        if key in seen:
            continue
        seen.add(key)
        first_line = key[2].splitlines()[0] if key[2] else ""
        lines.append(f"{key[0]}:{key[1]}: {first_line}")
    return lines


def render_output(report: Report, fmt: str, *, colour: bool) -> str | bytes:
    """The report in ``fmt``."""
    if fmt == "json":
        return json.dumps(report_to_dict(report), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(drift_frame(report))
    if fmt == "xlsx":
        return to_excel(report_sheets(report))
    return render(report, colour=colour)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = parser().parse_args(argv)
    if not args.ledger.is_file():
        print(f"bean-rebalance: no such ledger file: {args.ledger}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None:
        print("bean-rebalance: --format xlsx needs -o FILE.xlsx", file=sys.stderr)
        return 2
    entries, load_errors, options_map = loader.load_file(str(args.ledger))
    ledger = Ledger.from_entries(entries, options_map)
    report = analyse(ledger, args.date or datetime.date.today())
    to_tty = args.output is None and sys.stdout.isatty()
    output = render_output(report, args.format, colour=to_tty)
    if args.output is not None:
        try:
            if isinstance(output, bytes):
                args.output.write_bytes(output)
            else:
                args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"bean-rebalance: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        assert isinstance(output, str)
        sys.stdout.write(output)
    errors = _error_lines(load_errors, report)
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
