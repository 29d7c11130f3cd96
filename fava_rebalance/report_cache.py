"""A small, thread-safe memo of computed values, cleared when the ledger is reloaded.

The Fava tab computes one ``Report`` per (filters, date) and serves the page and its
downloads from it; Fava answers requests on several threads, hence the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ReportCache(Generic[V]):
    """Remembers up to ``size`` values by key, dropping the least recently used."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every value (the ledger changed)."""
        with self._lock:
            self._values.clear()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed once with ``compute()`` while it is remembered.

        The lock is held while computing, so concurrent requests for the same filters
        wait for the first one instead of computing the report again.
        """
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            value = compute()
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        """How many values are remembered."""
        with self._lock:
            return len(self._values)
