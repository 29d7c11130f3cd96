"""One fresh Fava process for ``run.py``: load a ledger, time some pages, print JSON.

Run by ``run.py`` in a new Python process each time, so that "cold" really is the first
request after a load (no cache of ours or Fava's is warm), and the peak RSS is this
process's own. Requests go through Flask's in-process test client: no HTTP, no socket,
the same for every page compared, so ratios compare the work of the pages themselves.

Usage: ``python benchmarks/fava_worker.py MODE LEDGER [--warm N]`` with MODE one of

- ``rebalance``: the Rebalance page cold, then warm; Fava's Balance Sheet data call warm;
  with ``--planner``, the planner alone on the full household (if it imports);
- ``history``: the Rebalance tab's drift history (its ``history`` section, the whole ledger
  month by month: no time filter) cold, the first request after the load, then warm;
- ``investor``: fava_investor's asset-allocation page cold, then warm;
- ``base``: a ledger with neither extension nor plugin: load and Balance Sheet only.

Every timing is given as wall seconds and as CPU seconds of this process (``process_time``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SLUG = "rebalance-benchmark"
REBALANCE = f"/{SLUG}/extension/Rebalance/"
INVESTOR = f"/{SLUG}/extension/Investor/?module=aa_class"
BALANCE_SHEET = f"/{SLUG}/api/balance_sheet"
HISTORY = f"/{SLUG}/extension/Rebalance/history"


def timed(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``call``; return (wall seconds, CPU seconds, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def get(client: Any, url: str) -> tuple[float, float, int]:
    """GET ``url``; wall and CPU seconds and the status code."""
    wall, cpu, response = timed(lambda: client.get(url))
    status = int(response.status_code)
    response.close()
    return wall, cpu, status


def series(client: Any, url: str, count: int) -> dict[str, Any]:
    """``count`` GETs of ``url``; their times and statuses."""
    walls, cpus, statuses = [], [], []
    for _ in range(count):
        wall, cpu, status = get(client, url)
        walls.append(wall)
        cpus.append(cpu)
        statuses.append(status)
    return {"wall": walls, "cpu": cpus, "status": statuses}


def planner_time(ledger: Any) -> dict[str, Any]:
    """Seconds of the planner alone on the whole household, or why it could not run.

    The reports (as of the ledger's last day) are built first, outside the timing, as the
    page and the CLI build them before they call the planner. With several portfolios the
    household is every portfolio's plan, made together (``plan_together``), as
    ``bean-rebalance`` makes them; a version without portfolios plans its one report.
    """
    try:
        from fava_rebalance import planner
    except ImportError as exc:
        return {"error": f"fava_rebalance.planner does not import: {exc}"}
    from fava_rebalance.core import pipeline

    plan = getattr(planner, "plan", None)
    if plan is None:
        return {"error": "fava_rebalance.planner has no plan()"}
    book = pipeline.Ledger.from_entries(ledger.all_entries, ledger.options)
    date = book.last_date or datetime.date.today()
    try:
        from fava_rebalance.planner.together import plan_together
        together: Any = plan_together
    except ImportError:  # a version before several portfolios: its one report
        together = None
    try:
        if together is None:
            report = pipeline.analyse(book, date)
            wall, cpu, result = timed(lambda: plan(report, book.declarations))
            trades = len(getattr(result, "trades", ()) or ())
        else:
            reports = pipeline.analyse_portfolios(book, date)
            wall, cpu, result = timed(lambda: together(reports, book.declarations))
            trades = sum(len(r.plan.trades) for r in result.requests)
    except Exception as exc:  # the planner is being written: report, do not crash
        return {"error": f"plan() raised {type(exc).__name__}: {exc}"}
    return {"wall": wall, "cpu": cpu, "trades": trades}


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Load, measure, print one JSON object on the last line."""
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("rebalance", "history", "investor", "base"))
    p.add_argument("ledger", type=Path)
    p.add_argument("--warm", type=int, default=5)
    p.add_argument("--planner", action="store_true", help="also time the planner alone")
    args = p.parse_args(argv)

    from fava.application import create_app

    out: dict[str, Any] = {"mode": args.mode}
    load_wall, load_cpu, app = timed(lambda: create_app([str(args.ledger.resolve())], load=True))
    out["load"] = {"wall": load_wall, "cpu": load_cpu}
    out["rss_load_mb"] = peak_mb()
    client = app.test_client()
    ledger = app.config["LEDGERS"][SLUG]
    out["ledger_errors"] = [str(getattr(e, "message", e))[:300] for e in ledger.errors][:5]
    if args.mode == "rebalance":
        out["page_cold"] = series(client, REBALANCE, 1)
        out["page_warm"] = series(client, REBALANCE, args.warm)
        out["rss_page_mb"] = peak_mb()
        out["balance_sheet_first"] = series(client, BALANCE_SHEET, 1)
        out["balance_sheet_warm"] = series(client, BALANCE_SHEET, args.warm)
        out["rss_pages_mb"] = peak_mb()
        if args.planner:
            out["planner"] = planner_time(ledger)
    elif args.mode == "history":
        out["history_cold"] = series(client, HISTORY, 1)
        out["history_warm"] = series(client, HISTORY, args.warm)
        out["rss_history_mb"] = peak_mb()
    elif args.mode == "investor":
        out["investor_cold"] = series(client, INVESTOR, 1)
        out["investor_warm"] = series(client, INVESTOR, max(args.warm // 2, 1))
    else:
        out["balance_sheet_first"] = series(client, BALANCE_SHEET, 1)
        out["balance_sheet_warm"] = series(client, BALANCE_SHEET, args.warm)
        out["rss_pages_mb"] = peak_mb()
    out["rss_mb"] = peak_mb()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
