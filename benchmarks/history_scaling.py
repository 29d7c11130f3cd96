"""How the drift history's cost grows with the number of points and of entries.

Prints figures, never asserts. On one generated ledger (``generate.py``; ``--quick`` for the
small one), loaded once, it times ``core.history.drift_history`` in process (CPU seconds,
the median of ``--repeat`` runs, each on a fresh ``Ledger`` so that no memo is warm):

- **points**: the whole ledger, a point at the end of every year, quarter, month and week
  from the first target to the last entry;
- **entries**: monthly points, the history read from the first 1/8, 1/4, 1/2 and all of
  the transactions (prices, declarations and every other directive kept: the holdings
  thin out, the valuation per point does not).

One pass over the entries plus a valuation per point and position held means
time ≈ a × transactions + b × points (b grows with the positions held); the last lines fit
``a`` and ``b`` by least squares on the two series.

Usage::

    python benchmarks/history_scaling.py --quick
    python benchmarks/history_scaling.py            # the full-size ledger (its load takes a while)
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)

from fava_rebalance.core.history import drift_history, first_date  # noqa: E402
from fava_rebalance.core.periods import EVERY, period_ends  # noqa: E402
from fava_rebalance.core.pipeline import Ledger  # noqa: E402


def timed(entries: Sequence[data.Directive], options: Any, dates: Sequence[datetime.date],
          subset: Sequence[data.Directive] | None, repeat: int) -> float:
    """Median CPU seconds of the history over ``dates`` (a fresh ``Ledger`` each run)."""
    seconds = []
    for _ in range(repeat):
        ledger = Ledger.from_entries(entries, options)
        assert ledger.price_map is not None  # built once per load in every real use, not per history
        began = time.process_time()
        drift_history(ledger, dates, entries=subset)
        seconds.append(time.process_time() - began)
    return statistics.median(seconds)


def fit(rows: Sequence[tuple[int, int, float]]) -> tuple[float, float, float]:
    """Least squares of seconds ≈ c + a × transactions + b × points over ``rows``."""
    n = len(rows)
    xs = [(1.0, float(t), float(p)) for t, p, _ in rows]
    ys = [s for _, _, s in rows]
    # Normal equations for three unknowns, solved by Cramer's rule (no numpy needed).
    m = [[sum(x[i] * x[j] for x in xs) for j in range(3)] for i in range(3)]
    v = [sum(x[i] * y for x, y in zip(xs, ys, strict=True)) for i in range(3)]

    def det(a: list[list[float]]) -> float:
        return (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))

    whole = det(m)
    if n < 3 or whole == 0:
        return float("nan"), float("nan"), float("nan")
    found = []
    for k in range(3):
        replaced = [[v[i] if j == k else m[i][j] for j in range(3)] for i in range(3)]
        found.append(det(replaced) / whole)
    return found[0], found[1], found[2]


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the ledger, time both series, print the table and the fit."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the small ledger")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    p.add_argument("--out", type=Path, help="where the ledger is (generated if missing)")
    args = p.parse_args(argv)
    out = args.out or HERE / "out" / ("quick" if args.quick else "full")
    if not (out / "with.beancount").exists():
        size = generate.QUICK if args.quick else generate.FULL
        generate.generate(out, size, seed=1, end=datetime.date.today())
    began = time.process_time()
    entries, errors, options = loader.load_file(str(out / "with.beancount"))
    seconds = time.process_time() - began
    print(f"ledger {out / 'with.beancount'}: {len(entries)} entries loaded in {seconds:.1f} s CPU "
          f"({len(errors)} errors)")
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    others = [e for e in entries if not isinstance(e, data.Transaction)]
    probe = Ledger.from_entries(entries, options)
    last = probe.last_date or datetime.date.today()
    first = first_date(probe, last)
    rows: list[tuple[int, int, float]] = []

    print(f"\npoints (all {len(transactions)} transactions), {first} to {last}")
    print(f"{'every':<8}{'points':>8}{'CPU s':>10}{'ms/point':>10}")
    for every in reversed(EVERY):
        dates = period_ends(first, last, every)
        seconds = timed(entries, options, dates, None, args.repeat)
        rows.append((len(transactions), len(dates), seconds))
        print(f"{every:<8}{len(dates):>8}{seconds:>10.3f}{seconds / len(dates) * 1000:>10.2f}")

    monthly = period_ends(first, last, "month")
    print(f"\nentries (monthly points: {len(monthly)})")
    print(f"{'share':<8}{'txns':>8}{'CPU s':>10}{'µs/txn':>10}")
    for share in (8, 4, 2, 1):
        kept = transactions[: len(transactions) // share]
        subset = sorted([*others, *kept], key=data.entry_sortkey)
        seconds = timed(entries, options, monthly, subset, args.repeat)
        rows.append((len(kept), len(monthly), seconds))
        print(f"1/{share:<6}{len(kept):>8}{seconds:>10.3f}{seconds / len(kept) * 1e6:>10.1f}")

    constant, per_transaction, per_point = fit(rows)
    print(f"\nfit: seconds ≈ {constant:.3f} + {per_transaction * 1e6:.2f} µs × transactions + "
          f"{per_point * 1000:.2f} ms × points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
