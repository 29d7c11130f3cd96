"""Python's cyclic garbage collector, paused while a plan is made.

A plan allocates a few hundred thousand short-lived objects (lot facts, segments, the
model's rows). In a Fava process that holds a large ledger (1.4 million objects the
collector tracks, at the benchmark's size) those allocations set off the collector's full
collection, which walks every one of them: 0.8 s each, up to a third of the plan's time
measured in the benchmark's Fava process. The plan's objects hold no reference cycles that
need the collector: reference counting frees them when the plan ends. So the collector is
paused for the plan and resumed after it, which also keeps the plan's temporaries from being
promoted to the old generation whose growth triggers those full collections.

Fava serves requests in threads, and several plans may run at once: the first to start
pauses the collector, the last to end resumes it, and only if it was running before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0  # plans under way
_resume = False  # whether the collector ran before the first of them


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block (see the module's docstring)."""
    global _running, _resume
    with _lock:
        if _running == 0:
            _resume = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _resume:
                gc.enable()
