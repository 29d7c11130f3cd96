"""Profile one stage on a generated ledger with cProfile: where the time goes.

    python benchmarks/profiling.py page benchmarks/out/full/with.beancount       # cold page
    python benchmarks/profiling.py load benchmarks/out/full/with.beancount       # Fava's load
    python benchmarks/profiling.py plugin benchmarks/out/full/drift.beancount    # the plugin alone
    python benchmarks/profiling.py planner benchmarks/out/full/with.beancount    # every portfolio planned

Prints the functions with the most time of their own, then the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import pstats
import sys
import time
from pathlib import Path

SLUG = "rebalance-benchmark"
URLS = {
    "page": f"/{SLUG}/extension/Rebalance/",
    "investor": f"/{SLUG}/extension/Investor/?module=aa_class",
    "balance_sheet": f"/{SLUG}/api/balance_sheet",
}


def report(profile: cProfile.Profile, lines: int) -> None:
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("stage", choices=("page", "investor", "balance_sheet", "load", "plugin", "planner"))
    p.add_argument("ledger", type=Path)
    p.add_argument("--lines", type=int, default=30)
    args = p.parse_args(argv)
    path = str(args.ledger.resolve())
    profile = cProfile.Profile()
    if args.stage in ("plugin", "planner"):
        from beancount import loader

        from fava_rebalance.core.pipeline import Ledger, analyse_portfolios

        entries, _, options = loader._load([(path, True)], None, None, None)
        if args.stage == "plugin":
            from beancount_plugins.rebalance import rebalance

            began = time.perf_counter()
            profile.runcall(rebalance, entries, options)
        else:
            from fava_rebalance.planner.together import plan_together

            book = Ledger.from_entries(entries, options)
            reports = analyse_portfolios(book, book.last_date or datetime.date.today())
            began = time.perf_counter()
            profile.runcall(plan_together, reports, book.declarations)
    else:
        from fava.application import create_app

        if args.stage == "load":
            began = time.perf_counter()
            profile.runcall(create_app, [path], load=True)
        else:
            app = create_app([path], load=True)
            client = app.test_client()
            began = time.perf_counter()
            response = profile.runcall(client.get, URLS[args.stage])
            print("HTTP", response.status_code)
    print(f"{args.stage}: {time.perf_counter() - began:.3f} s (under the profiler)")
    report(profile, args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
