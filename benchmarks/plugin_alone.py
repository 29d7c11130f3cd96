"""Time the bean-check plugin alone, in process, against Beancount's own load of the ledger.

``bean-check`` timings on a shared machine wander by several percent from run to run, more
than the plugin costs; this isolates it. The ledger is loaded once without the plugin, then
the plugin function runs ``--repeat`` times as configured and with ``max-drift-error`` on.
CPU seconds, medians. Also timed: the sort Beancount does after every plugin module.

    python benchmarks/plugin_alone.py benchmarks/out/full/without.beancount
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser.grammar import ValueType


def cpu(call: Callable[[], Any], repeat: int) -> float:
    """Median CPU seconds of ``call()``."""
    times = []
    for _ in range(repeat):
        began = time.process_time()
        call()
        times.append(time.process_time() - began)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ledger", type=Path, help="a ledger without the plugin line")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    from beancount_plugins.rebalance import rebalance

    began = time.process_time()
    entries, _errors, options = loader._load([(str(args.ledger.resolve()), True)], None, None, None)
    load = time.process_time() - began
    last = entries[-1].date
    drift = data.Custom(data.new_metadata("<bench>", 0), last, "rebalance-option",
                        [ValueType("max-drift-error", str), ValueType(True, bool)])
    with_drift = sorted([*entries, drift], key=data.entry_sortkey)
    sort = cpu(lambda: entries.sort(key=data.entry_sortkey), args.repeat)
    plain = cpu(lambda: rebalance(entries, options), args.repeat)
    drifting = cpu(lambda: rebalance(with_drift, options), args.repeat)
    print(f"entries={len(entries)} load_cpu_s={load:.2f} sort_s={sort:.3f} plugin_s={plain:.3f} "
          f"plugin_drift_s={drifting:.3f}")
    print(f"share_of_load: plugin+sort={(plain + sort) / load:.4f} "
          f"plugin_drift+sort={(drifting + sort) / load:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
