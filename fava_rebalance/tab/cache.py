"""A small, thread-safe memo of computed values, for one ledger load at a time.

The Fava tab computes one ``Report`` per (filters, date) and one ``Plan`` per (filters,
cash) and serves the page and its downloads from them. Fava answers requests on several
threads, so:

- Nothing is computed under the lock. A value being computed is an in-flight future for its
  key: a second request for the same key waits for that future only, and a request for a
  value already remembered, or for another key, never waits for a slow plan.
- Values belong to a ledger load (its ``generation``). ``reset(generation)`` starts a new
  load and forgets the old one's values, and a value computed for any other generation than
  the current one is handed to its callers but never remembered: a request that read the
  old declarations just before a reload cannot leave a stale result behind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

V = TypeVar("V")


class ReportCache(Generic[V]):
    """Remembers up to ``size`` values by key, dropping the least recently used."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._pending: dict[Hashable, Future[V]] = {}
        self._generation: Hashable = None
        self._lock = threading.Lock()

    def reset(self, generation: Hashable) -> None:
        """Forget every value and start remembering those of ``generation`` (a new load)."""
        with self._lock:
            self._generation = generation
            self._values.clear()
            self._pending.clear()

    def clear(self) -> None:
        """Forget every value (the generation stays)."""
        with self._lock:
            self._values.clear()
            self._pending.clear()

    def get(self, key: Hashable, compute: Callable[[], V], generation: Hashable = None) -> V:
        """The value for ``key``, computed once with ``compute()`` while it is remembered.

        ``generation`` is the ledger load ``compute`` reads; only the current one's values
        are remembered. If ``compute`` raises, every caller waiting for it gets the error,
        and the next call computes again.
        """
        with self._lock:
            if generation == self._generation and key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            slot = (generation, key)
            future = self._pending.get(slot)
            if future is None:
                future = self._pending[slot] = Future()
                owner = True
            else:
                owner = False
        if not owner:
            return future.result()  # waits for that key only; the lock is free
        try:
            value = compute()
        except BaseException as exc:
            self._settle(slot, future)
            future.set_exception(exc)
            raise
        with self._lock:
            if generation == self._generation and self._pending.get(slot) is future:
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
        self._settle(slot, future)
        future.set_result(value)
        return value

    def _settle(self, slot: Hashable, future: Future[V]) -> None:
        """The computation of ``slot`` is over: new callers no longer wait for ``future``."""
        with self._lock:
            if self._pending.get(slot) is future:
                del self._pending[slot]

    def __len__(self) -> int:
        """How many values are remembered."""
        with self._lock:
            return len(self._values)
