"""A small, thread-safe memo of computed values, cleared when the ledger is reloaded.

The Fava tab computes one ``Report`` per (filters, date) and one ``Plan`` per (filters,
cash) and serves the page and its downloads from them. Fava answers requests on several
threads, so nothing is computed under the lock. A value being computed is an in-flight
future for its key: a second request for the same key waits for that future only, and a
request for a value already remembered, or for another key, never waits for a slow plan.
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
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every value (the ledger changed)."""
        with self._lock:
            self._values.clear()
            self._pending.clear()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed once with ``compute()`` while it is remembered.

        If ``compute`` raises, every caller waiting for it gets the error, and the next call
        computes again.
        """
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            slot = key
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
            if self._pending.get(slot) is future:  # not cleared meanwhile
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
