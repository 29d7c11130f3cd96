"""``bean-rebalance``: the rebalancing report on the command line.

Exit status: 0 on success, 1 when the ledger has errors (printed as ``file:line: message``
on stderr; the report is still written), 2 for bad arguments, 3 when fava_rebalance itself
fails (a bug: the traceback is printed), never 1, which would blame the ledger.

A ledger with several portfolios is reported portfolio by portfolio, their plans made
together (``planner.together``), unless ``--portfolio NAME`` asks for one; the same for the
drift history (``--history``: each portfolio's in turn) and the plan as ledger entries
(``--format beancount``: each portfolio's entries in turn).
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

from fava_rebalance.core.beginnings import Beginnings, ledger_beginnings
from fava_rebalance.core.history import drift_history_of, with_outside_since
from fava_rebalance.core.limits import date_problem
from fava_rebalance.core.periods import EVERY
from fava_rebalance.core.pipeline import Ledger, Report, analyse, analyse_portfolios
from fava_rebalance.core.portfolios import unknown_portfolio_message
from fava_rebalance.planner import CashFlow, Plan, PlanError, parse_cash, plan_request
from fava_rebalance.planner.cashflow import DEFAULT_ACCOUNT_RULE
from fava_rebalance.planner.together import plan_together
from fava_rebalance.views.history_output import history_output
from fava_rebalance.views.ledger_entries import household_entries, plan_entries
from fava_rebalance.views.output_files import csv_trades_hint, output_format, trades_path
from fava_rebalance.views.portfolios import household_output, named_output
from fava_rebalance.views.serialize import report_to_dict
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
                        "reporting currency, in ACCOUNT if given (its trading account). "
                        f"{DEFAULT_ACCOUNT_RULE}")
    p.add_argument("--portfolio", default=None, metavar="NAME",
                   help="report this portfolio only (default: every portfolio of the ledger, in turn)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the -o file's extension, .json, .csv, .xlsx, "
                        ".beancount or .bean; else table). With csv and --cash, -o report.csv also writes "
                        "report-trades.csv; beancount: the plan as ledger entries")
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")
    p.add_argument("--history", action="store_true",
                   help="the drift history: each targeted category at the end of every period up to --date")
    p.add_argument("--from", dest="first", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="with --history: where it starts (default: the date of the portfolio's first target)")
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


def render_output(report: Report, fmt: str, *, colour: bool, trades: Plan | None = None,
                  beginnings: Beginnings | None = None, named: bool = False) -> str | bytes:
    """The report in ``fmt``, with the plan's trades where the format has room for them.

    ``beginnings``: for the table, when the ledger's targets and holdings begin. ``named``:
    the report is one portfolio asked for by name; the output carries the name.
    """
    if named:
        return named_output(report, trades, fmt, colour=colour)
    if fmt == "json":
        return json.dumps(report_to_dict(report, trades), indent=2) + "\n"
    if fmt == "csv":  # pandas is imported only for the CSV and Excel outputs
        from fava_rebalance.views.tables import drift_frame, to_csv

        return to_csv(drift_frame(report))
    if fmt == "xlsx":
        from fava_rebalance.views.tables import report_sheets, to_excel

        return to_excel(report_sheets(report, trades))
    return render(report, trades, colour=colour, beginnings=beginnings)


def _write(path: Path, output: str | bytes) -> str | None:
    """Write ``output`` to ``path``; the reason it could not be written, or ``None``."""
    try:
        if isinstance(output, bytes):
            path.write_bytes(output)
        else:
            path.write_text(output, encoding="utf-8")
    except OSError as exc:
        return f"bean-rebalance: cannot write {path}: {exc.strerror or exc}"
    return None


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
    fmt, clash = output_format(args.format, args.output)
    if clash is not None:
        print(f"bean-rebalance: {clash}", file=sys.stderr)
        return 2
    if fmt == "xlsx" and args.output is None:
        print("bean-rebalance: --format xlsx needs -o FILE.xlsx", file=sys.stderr)
        return 2
    problem = _history_problem(args, fmt)
    if problem is not None:
        print(f"bean-rebalance: {problem}", file=sys.stderr)
        return 2
    entries, load_errors, options_map = loader.load_file(str(args.ledger))
    ledger = Ledger.from_entries(entries, options_map)
    names = ledger.declarations.portfolio_names
    if args.portfolio is not None and args.portfolio not in names:
        print(f"bean-rebalance: {unknown_portfolio_message(args.portfolio, names)}", file=sys.stderr)
        return 2
    date = args.date or datetime.date.today()
    to_tty = args.output is None and sys.stdout.isatty()
    if args.history:
        chosen = (args.portfolio,) if args.portfolio is not None else names
        every = args.every or "month"
        histories = [drift_history_of(ledger, date, first=args.first, every=every, portfolio=name)
                     for name in chosen]
        output = history_output(histories, fmt, named=args.portfolio is not None)
        if not _emit(args, output):
            return 2
        return _exit_status(_error_lines(load_errors, ledger.errors))
    if args.portfolio is None and len(names) > 1:
        made = _every_portfolio(args, ledger, fmt, date, colour=to_tty)
    else:
        made = _one_portfolio(args, ledger, fmt, args.portfolio or names[0], date, colour=to_tty)
    if made is None:
        return 2  # the cash flow asked for cannot be planned (a bad --cash)
    output, trades = made
    if not _emit(args, output):
        return 2
    if fmt == "csv" and trades is not None and args.output is None:
        print(f"bean-rebalance: {csv_trades_hint()}", file=sys.stderr)
    elif fmt == "csv" and trades is not None:
        from fava_rebalance.views.tables import to_csv, trades_frame

        beside = trades_path(args.output)
        problem = _write(beside, to_csv(trades_frame(trades)))
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
        print(f"bean-rebalance: the planned orders are in {beside}", file=sys.stderr)
    return _exit_status(_error_lines(load_errors, ledger.errors))


def _history_problem(args: argparse.Namespace, fmt: str) -> str | None:
    """Why the --history arguments do not go together, or ``None``."""
    if not args.history:
        if args.first is not None or args.every is not None:
            return "--from and --every go with --history"
        return None
    if fmt == "beancount":
        return "--format beancount writes a plan, not a history: leave out --history"
    if args.cash is not None:
        return "--cash plans trades, which the history does not: leave out --history"
    last = args.date or datetime.date.today()
    if args.first is not None and args.first > last:
        return f"--from {args.first} is after the last date of the history, {last}"
    return None


def _emit(args: argparse.Namespace, output: str | bytes) -> bool:
    """Write ``output`` to the ``-o`` file, else to stdout; ``False`` (said on stderr) if it cannot."""
    if args.output is None:
        assert isinstance(output, str)
        sys.stdout.write(output)
        return True
    problem = _write(args.output, output)
    if problem is not None:
        print(problem, file=sys.stderr)
    return problem is None


def _exit_status(errors: list[str]) -> int:
    """Print the ledger's errors; the exit status (1 when there are any)."""
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


def _one_portfolio(args: argparse.Namespace, ledger: Ledger, fmt: str, name: str, date: datetime.date, *,
                   colour: bool) -> tuple[str | bytes, Plan | None] | None:
    """One portfolio's report and plan in ``fmt``, and the plan (for a CSV's trades file).

    ``None``: the cash is refused.
    """
    report = analyse(ledger, date, portfolio=name)
    if fmt in ("table", "json"):  # the views that show outside_since read the history
        report = with_outside_since(report, ledger)
    trades = None
    if fmt != "csv" or args.cash is not None:  # a CSV holds the plan only when cash asks for one
        request = plan_request(report, ledger.declarations, args.cash)
        trades = request.plan
        for error in trades.errors:
            print(f"bean-rebalance: {error.message}", file=sys.stderr)
        if request.refusal is not None:
            return None
        # Without --cash, a plan that could not be made (say the solver's time limit on a
        # huge household) must not cost the user the drift report: it is written, and the
        # plan's error is in it and on stderr.
    if fmt == "beancount":
        return plan_entries(report, trades, ledger.declarations) if trades is not None else "", trades
    early = ledger_beginnings(ledger, report.date) if report.missing and fmt == "table" else None
    named = args.portfolio is not None
    output = render_output(report, fmt, colour=colour, trades=trades, beginnings=early, named=named)
    return output, trades


def _every_portfolio(args: argparse.Namespace, ledger: Ledger, fmt: str, date: datetime.date, *,
                     colour: bool) -> tuple[str | bytes, Plan | None] | None:
    """Every portfolio's report, their plans made together, in ``fmt``; no plan for a trades file.

    The trades file beside a CSV is one portfolio's: with several, ``--portfolio`` names it.
    """
    reports = analyse_portfolios(ledger, date)
    if fmt in ("table", "json"):  # the views that show outside_since read each portfolio's history
        reports = tuple(with_outside_since(report, ledger) for report in reports)
    plans: list[Plan | None] = [None] * len(reports)
    tax = None
    if fmt != "csv":
        together = plan_together(reports, ledger.declarations, args.cash)
        for report, request in zip(reports, together.requests, strict=True):
            for error in request.plan.errors:
                print(f"bean-rebalance: portfolio {report.portfolio}: {error.message}", file=sys.stderr)
        if any(request.refusal is not None for request in together.requests):
            return None
        plans, tax = [request.plan for request in together.requests], together.tax
    elif args.cash is not None:
        print("bean-rebalance: with several portfolios, a CSV holds the drift of each; name one with "
              "--portfolio for its trades", file=sys.stderr)
    if fmt == "beancount":
        made = [(report, plan) for report, plan in zip(reports, plans, strict=True) if plan is not None]
        return household_entries(made, ledger.declarations), None
    return household_output(reports, plans, tax, fmt, colour=colour), None


if __name__ == "__main__":
    sys.exit(main())
