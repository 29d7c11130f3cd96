"""Measure fava_rebalance against the tools users already run, on one generated ledger.

Prints figures, never asserts. In one run, on the same ledger (``generate.py``), in rounds
whose order rotates, each measurement in a fresh process:

- ``bean-check -C`` with the plugin, without it, and with ``max-drift-error`` on;
- ``bean-rebalance --format json`` (pickle cache off, as ``bean-check -C``);
- a Fava process (Flask test client, in process) with the plugin and the Rebalance tab: the
  page cold (first request after the load) and warm, Fava's Balance Sheet data call warm,
  and the planner alone on the whole household;
- a Fava process with the tab: its drift history (the whole ledger, month by month) cold,
  the first request after the load;
- a Fava process with fava_investor only: its asset-allocation page cold and warm;
- a Fava process with neither: load time and peak RSS, the baseline.

Ratios are the median over rounds of the ratio within each round (the two figures of a
ratio are taken minutes apart at most). Times are CPU seconds (user + system) of the
process doing the work, which a machine shared with other jobs inflates much less than wall
time; wall times are printed beside them. The last line is ``key=value`` pairs, starting
with ``plugin_overhead page_vs_balance_sheet page_vs_fava_investor planner_s
history_vs_balance_sheet``;
``nan`` where a figure could not be taken (the reason is printed above it).

Usage::

    python benchmarks/run.py --quick        # small ledger, under a minute
    python benchmarks/run.py                # full size (100k transactions), ~30 minutes
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)

NAN = float("nan")
BIN = Path(sys.executable).parent


def child(command: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``command`` to the end; its wall and CPU seconds, exit status and output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "status": done.returncode, "stdout": done.stdout,
            "stderr": done.stderr}


def median(values: Sequence[float]) -> float:
    """Median of the numbers that are not nan; nan when there are none."""
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else NAN


def ratio(a: float, b: float) -> float:
    """A / b, nan when either is missing or b is 0."""
    if math.isnan(a) or math.isnan(b) or b == 0:
        return NAN
    return a / b


def machine() -> dict[str, str]:
    """What the figures were taken on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("beancount", "fava", "fava-investor", "fava-rebalance"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        commit = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    found = importlib.util.find_spec("fava_rebalance")
    return {
        "commit": commit,
        "fava_rebalance_from": str(Path(found.origin).parent) if found and found.origin else "not importable",
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **versions,
    }


def worker(mode: str, ledger: Path, warm: int, *, planner: bool = False) -> dict[str, Any]:
    """A fresh Fava process measuring ``mode``; its JSON, or an ``error``."""
    command = [sys.executable, str(HERE / "fava_worker.py"), mode, str(ledger), "--warm", str(warm)]
    run = child(command + (["--planner"] if planner else []))
    lines = run["stdout"].strip().splitlines()
    if run["status"] != 0 or not lines:
        return {"error": (run["stderr"] or run["stdout"]).strip()[-2000:]}
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_cpu"] = run["cpu"]
    return result


def first_ok(series: dict[str, Any] | None, key: str = "cpu") -> float:
    """The first time of a request series, nan unless it answered 200."""
    if not series or series["status"][0] != 200:
        return NAN
    return float(series[key][0])


def median_ok(series: dict[str, Any] | None, key: str = "cpu") -> float:
    """Median time of the requests of a series that answered 200."""
    if not series:
        return NAN
    return median([t for t, s in zip(series[key], series["status"], strict=True) if s == 200])


def one_round(
    index: int, ledgers: dict[str, Path], warm: int, investor: bool, *, slow: bool,
    only: str | None = None,
) -> dict[str, Any]:
    """Every measurement once, in an order that rotates with ``index``.

    Without ``slow``, the two that run the planner (``bean-rebalance`` and the planner in
    the Fava process) are left out: ``--quick`` takes them in its first round only.
    """
    no_cache = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    steps: list[tuple[str, Any]] = [
        ("checks", lambda: checks(ledgers, reverse=index % 2 == 1)),
        ("fava_rebalance", lambda: worker("rebalance", ledgers["with"], warm, planner=slow)),
        ("fava_base", lambda: worker("base", ledgers["without"], warm)),
        ("fava_history", lambda: worker("history", ledgers["with"], warm)),
    ]
    if only == "checks":
        steps = steps[:1]
    elif only == "pages":
        steps = [steps[1], steps[3]]
    elif slow:
        steps.append(("cli", lambda: child(
            [str(BIN / "bean-rebalance"), str(ledgers["with"]), "--format", "json"], env=no_cache)))
    if investor and only != "checks":
        steps.append(("fava_investor", lambda: worker("investor", ledgers["investor"], warm)))
    shift = index % len(steps)
    results: dict[str, Any] = {}
    for name, step in steps[shift:] + steps[:shift]:
        if name == "checks":
            results.update(step())
        else:
            results[name] = step()
    return results


def checks(ledgers: dict[str, Path], *, reverse: bool) -> dict[str, Any]:
    """``bean-check -C`` without the plugin, with it and with the drift check, back to back.

    The order is reversed every other round, so each ratio compares runs seconds apart.
    """
    names = ["without", "with", "drift"]
    results = {}
    for name in reversed(names) if reverse else names:
        results[f"check_{name}"] = child([str(BIN / "bean-check"), "-C", str(ledgers[name])])
    return results


def figures(rounds: list[dict[str, Any]], key: str) -> dict[str, float]:
    """The reported figures (``key``: ``cpu`` or ``wall``), medians over rounds."""
    def per_round(fn: Any) -> list[float]:
        values = []
        for r in rounds:
            try:
                values.append(float(fn(r)))
            except (KeyError, TypeError, IndexError, ZeroDivisionError):
                values.append(NAN)
        return values

    def cold(r: dict[str, Any]) -> float:
        return first_ok(r["fava_rebalance"].get("page_cold"), key)

    def bs(r: dict[str, Any]) -> float:
        return median_ok(r["fava_rebalance"].get("balance_sheet_warm"), key)

    def inv(r: dict[str, Any]) -> float:
        if "fava_investor" not in r:
            return NAN
        return first_ok(r["fava_investor"].get("investor_cold"), key)

    def planner(r: dict[str, Any]) -> float:
        found = r["fava_rebalance"].get("planner", {})
        return float(found[key]) if key in found else NAN

    def history(r: dict[str, Any]) -> float:
        return first_ok(r["fava_history"].get("history_cold"), key)

    return {
        "plugin_overhead": median(per_round(lambda r: r["check_with"][key] / r["check_without"][key] - 1)),
        "page_vs_balance_sheet": median(per_round(lambda r: ratio(cold(r), bs(r)))),
        "page_vs_fava_investor": median(per_round(lambda r: ratio(cold(r), inv(r)))),
        "planner_s": median(per_round(planner)),
        "history_vs_balance_sheet": median(per_round(lambda r: ratio(history(r), bs(r)))),
        "plugin_overhead_drift": median(per_round(
            lambda r: r["check_drift"][key] / r["check_without"][key] - 1)),
        "cli_vs_bean_check": median(per_round(lambda r: r["cli"][key] / r["check_with"][key])),
        "bean_check_s": median(per_round(lambda r: r["check_without"][key])),
        "bean_check_plugin_s": median(per_round(lambda r: r["check_with"][key])),
        "cli_s": median(per_round(lambda r: r["cli"][key])),
        "page_cold_s": median(per_round(cold)),
        "history_cold_s": median(per_round(history)),
        "history_warm_s": median(per_round(
            lambda r: median_ok(r["fava_history"].get("history_warm"), key))),
        "page_warm_s": median(per_round(lambda r: median_ok(r["fava_rebalance"].get("page_warm"), key))),
        "page_warm_vs_balance_sheet": median(per_round(
            lambda r: ratio(median_ok(r["fava_rebalance"].get("page_warm"), key), bs(r)))),
        "balance_sheet_s": median(per_round(bs)),
        "investor_cold_s": median(per_round(inv)),
        "investor_warm_s": median(per_round(
            lambda r: median_ok(r["fava_investor"].get("investor_warm"), key) if "fava_investor" in r
            else NAN)),
        "fava_load_s": median(per_round(lambda r: r["fava_base"]["load"][key])),
        "fava_load_overhead": median(per_round(
            lambda r: r["fava_rebalance"]["load"][key] / r["fava_base"]["load"][key] - 1)),
    }


def memory(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """Peak RSS of the Fava processes, MB (medians over rounds).

    ``rss_mb``: with the plugin and the tab, after the Rebalance page and the Balance Sheet
    (before the planner's own run, which the page may or may not make); ``rss_base_mb``:
    plain Fava after the Balance Sheet; ``rss_planner_mb``: the first, after the planner too.
    """
    def rss(name: str, key: str) -> float:
        return median([float(r[name].get(key, NAN)) for r in rounds if name in r])

    planned = [r for r in rounds if "planner" in r.get("fava_rebalance", {})]

    with_ext, base = rss("fava_rebalance", "rss_pages_mb"), rss("fava_base", "rss_pages_mb")
    return {"rss_mb": with_ext, "rss_base_mb": base, "rss_overhead": ratio(with_ext, base) - 1,
            "rss_planner_mb": median([float(r["fava_rebalance"].get("rss_mb", NAN)) for r in planned]),
            "rss_investor_mb": rss("fava_investor", "rss_mb")}


def problems(rounds: list[dict[str, Any]], investor: bool) -> list[str]:
    """Why figures are missing or suspect, in words (printed before the last line)."""
    notes: list[str] = []
    last = rounds[-1]
    for name in ("check_without", "check_with"):
        if name in last and last[name]["status"] != 0:
            notes.append(f"{name}: bean-check exit {last[name]['status']}: {last[name]['stderr'][:500]}")
    first = rounds[0]
    cli = first.get("cli")
    if cli is not None and cli["status"] not in (0, 1):
        notes.append(f"bean-rebalance exit {cli['status']}: {cli['stderr'][:500]}")
    for name in ("fava_rebalance", "fava_base", "fava_history", "fava_investor"):
        found = first.get(name)
        if found is None:
            continue
        if "error" in found:
            notes.append(f"{name}: worker failed: {found['error'][-800:]}")
            continue
        for series in ("page_cold", "investor_cold", "balance_sheet_warm", "history_cold"):
            if series in found and found[series]["status"][0] != 200:
                notes.append(f"{name}: {series} answered HTTP {found[series]['status'][0]}")
        if found.get("planner", {}).get("error"):
            notes.append(f"planner_s=nan: {found['planner']['error']}")
    if not investor:
        notes.append("page_vs_fava_investor=nan: fava_investor is not installed in this environment "
                     "(pip install fava-investor, for the benchmark only)")
    return notes


def fmt(value: float) -> str:
    """A plain number for the key=value line."""
    if math.isnan(value):
        return "nan"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Generate the ledger, measure in rounds, print the table and the key=value line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small ledger, fewer rounds: under a minute")
    p.add_argument("--rounds", type=int, help="rounds (default 5; 3 with --quick)")
    p.add_argument("--warm", type=int, default=5, help="warm requests per page per round")
    p.add_argument("--out", type=Path, help="where the ledger goes (default benchmarks/out/full|quick)")
    p.add_argument("--json", type=Path, help="also write every raw measurement here")
    p.add_argument("--only", choices=("checks", "pages"),
                   help="bean-check runs only (more rounds for a steadier plugin_overhead), or the "
                        "Rebalance, Balance Sheet and fava_investor pages and the planner only")
    args = p.parse_args(argv)
    size = generate.QUICK if args.quick else generate.FULL
    rounds_wanted = args.rounds or (3 if args.quick else 5)
    out = args.out or HERE / "out" / ("quick" if args.quick else "full")
    began = time.perf_counter()

    info = machine()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    counts = generate.generate(out, size, seed=1, end=datetime.date.today())
    print("ledger: " + " ".join(f"{k}={v}" for k, v in counts.items()) + f" in {out}")
    ledgers = {name: out / f"{name}.beancount" for name in ("with", "without", "drift", "investor")}
    investor = importlib.util.find_spec("fava_investor") is not None

    rounds = []
    for index in range(rounds_wanted):
        slow = (not args.quick or index == 0) and args.only != "checks"
        rounds.append(one_round(index, ledgers, args.warm, investor, slow=slow, only=args.only))
        print(f"round {index + 1}/{rounds_wanted} done at {time.perf_counter() - began:.0f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "ledger": counts, "rounds": rounds}, indent=1))

    cpu = figures(rounds, "cpu")
    wall = figures(rounds, "wall")
    mem = memory(rounds)
    print(f"\n{'figure':<28}{'CPU (used)':>14}{'wall':>14}")
    for name in cpu:
        print(f"{name:<28}{fmt(cpu[name]):>14}{fmt(wall[name]):>14}")
    for name, value in mem.items():
        print(f"{name:<28}{fmt(value):>14}")
    for note in problems(rounds, investor):
        print("note: " + note)
    print(f"medians of {rounds_wanted} rounds, {time.perf_counter() - began:.0f} s in all; "
          f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    keys = {**cpu, **mem}
    print(" ".join(f"{name}={fmt(value)}" for name, value in keys.items()) + f" rounds={rounds_wanted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
