"""``bean-rebalance``: the rebalancing report on the command line.

Exit status: 0 on success, 1 when the ledger has errors (printed as ``file:line: message``
on stderr; the report is still written), 2 for bad arguments, 3 when fava_rebalance itself
fails (a bug: the traceback is printed), never 1, which would blame the ledger.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beancount import loader

from fava_rebalance.core.history import History, drift_history_of, with_outside_since
from fava_rebalance.core.limits import date_problem
from fava_rebalance.core.periods import EVERY
from fava_rebalance.core.pipeline import Ledger, Report, analyse
from fava_rebalance.planner import CashFlow, Plan, PlanError, parse_cash, plan_request
from fava_rebalance.views.history_data import history_to_dict
from fava_rebalance.views.history_tables import history_frame, history_sheets
from fava_rebalance.views.history_terminal import render_history
from fava_rebalance.views.ledger_entries import plan_entries
from fava_rebalance.views.serialize import report_to_dict
from fava_rebalance.views.tables import drift_frame, report_sheets, to_csv, to_excel
from fava_rebalance.views.terminal import render

FORMATS = ("table", "json", "csv", "xlsx", "beancount")


def _date(text: str) -> datetime.date:
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from exc
    problem = date_problem(date)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return date


def _cash(text: str) -> CashFlow:
    parsed = parse_cash(text)
    if isinstance(parsed, PlanError):
        raise argparse.ArgumentTypeError(parsed.message)
    return parsed


def _joined_cash(argv: list[str]) -> list[str]:
    """``--cash -5000@Assets:X`` as ``--cash=-5000@Assets:X`` (argparse takes it for an option)."""
    joined: list[str] = []
    rest = iter(argv)
    for arg in rest:
        if arg == "--cash":
            value = next(rest, None)
            joined.append("--cash" if value is None else f"--cash={value}")
        else:
            joined.append(arg)
    return joined


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used for ``--help``)."""
    p = argparse.ArgumentParser(
        prog="bean-rebalance",
        description="How far a Beancount portfolio has drifted from its targets, and what to do.",
    )
    p.add_argument("ledger", type=Path, help="the Beancount ledger file")
    p.add_argument("--date", type=_date, default=None, help="report date YYYY-MM-DD (default: today)")
    p.add_argument("--cash", type=_cash, default=None, metavar="AMOUNT[@ACCOUNT]",
                   help="money added (positive) or withdrawn (negative) before rebalancing, in the "
                        "reporting currency (default account: the taxable one with the most cash)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format (default: table); beancount: the plan as ledger entries")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")
    p.add_argument("--history", action="store_true",
                   help="the drift history: each targeted category at the end of every period up to --date")
    p.add_argument("--from", dest="first", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="with --history: where it starts (default: the date of the first target)")
    p.add_argument("--every", choices=EVERY, default=None,
                   help="with --history: one point per week, month (default), quarter or year")
    return p


def _error_lines(load_errors: Sequence[Any], errors: Sequence[Any]) -> list[str]:
    """Ledger errors and rebalancing errors, each once, as ``file:line: message``."""
    seen: set[tuple[str, int, str]] = set()
    lines = []
    for err in [*load_errors, *errors]:
        source = err.source or {}
        key = (str(source.get("filename", "<unknown>")), int(source.get("lineno", 0) or 0), str(err.message))
        if key in seen:
            continue
        seen.add(key)
        first_line = key[2].splitlines()[0] if key[2] else ""
        lines.append(f"{key[0]}:{key[1]}: {first_line}")
    return lines


def render_output(report: Report, fmt: str, *, colour: bool, trades: Plan | None = None) -> str | bytes:
    """The report in ``fmt``, with the plan's trades where the format has room for them."""
    if fmt == "json":
        return json.dumps(report_to_dict(report, trades), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(drift_frame(report))
    if fmt == "xlsx":
        return to_excel(report_sheets(report, trades))
    return render(report, trades, colour=colour)


def render_history_output(history: History, fmt: str) -> str | bytes:
    """The drift history in ``fmt`` (table, json, csv, xlsx)."""
    if fmt == "json":
        return json.dumps(history_to_dict(history), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(history_frame(history))
    if fmt == "xlsx":
        return to_excel(history_sheets(history))
    return render_history(history)


INTERNAL_ERROR = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = parser().parse_args(_joined_cash(sys.argv[1:] if argv is None else list(argv)))
    try:
        return _run(args)
    except Exception:  # a bug: its own status, not 1 ("the ledger has errors")
        traceback.print_exc()
        print("bean-rebalance: internal error; this is a bug in fava_rebalance, not in the ledger "
              "(please report it with the traceback above)", file=sys.stderr)
        return INTERNAL_ERROR


def _run(args: argparse.Namespace) -> int:
    """The command for parsed arguments ``args``; returns the exit status."""
    if not args.ledger.is_file():
        print(f"bean-rebalance: no such ledger file: {args.ledger}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None:
        print("bean-rebalance: --format xlsx needs -o FILE.xlsx", file=sys.stderr)
        return 2
    problem = _history_problem(args)
    if problem is not None:
        print(f"bean-rebalance: {problem}", file=sys.stderr)
        return 2
    entries, load_errors, options_map = loader.load_file(str(args.ledger))
    ledger = Ledger.from_entries(entries, options_map)
    if args.history:
        history = drift_history_of(ledger, args.date or datetime.date.today(), first=args.first,
                                   every=args.every or "month")
        return _write(args, render_history_output(history, args.format),
                      _error_lines(load_errors, ledger.errors))
    report = analyse(ledger, args.date or datetime.date.today())
    if args.format in ("table", "json"):  # the views that show outside_since read the history
        report = with_outside_since(report, ledger)
    trades = None
    if args.format != "csv":
        request = plan_request(report, ledger.declarations, args.cash)
        trades = request.plan
        for error in trades.errors:
            print(f"bean-rebalance: {error.message}", file=sys.stderr)
        if request.refusal is not None:
            return 2  # the cash flow asked for cannot be planned (a bad --cash)
        # Without --cash, a plan that could not be made (say the solver's time limit on a
        # huge household) must not cost the user the drift report: it is written, and the
        # plan's error is in it and on stderr.
    to_tty = args.output is None and sys.stdout.isatty()
    if args.format == "beancount":
        output: str | bytes = plan_entries(report, trades, ledger.declarations) if trades is not None else ""
    else:
        output = render_output(report, args.format, colour=to_tty, trades=trades)
    return _write(args, output, _error_lines(load_errors, report.errors))


def _history_problem(args: argparse.Namespace) -> str | None:
    """Why the --history arguments do not go together, or ``None``."""
    if not args.history:
        if args.first is not None or args.every is not None:
            return "--from and --every go with --history"
        return None
    if args.format == "beancount":
        return "--format beancount writes a plan, not a history: leave out --history"
    if args.cash is not None:
        return "--cash plans trades, which the history does not: leave out --history"
    last = args.date or datetime.date.today()
    if args.first is not None and args.first > last:
        return f"--from {args.first} is after the last date of the history, {last}"
    return None


def _write(args: argparse.Namespace, output: str | bytes, errors: list[str]) -> int:
    """Write ``output`` where asked, then the ledger's errors; the exit status."""
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
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
