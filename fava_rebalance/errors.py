"""Errors about rebalancing metadata, in Beancount's error form.

An error is a value: ``(source, message, entry)`` where ``source`` is the metadata of the
directive at fault (it holds ``filename`` and ``lineno``), so ``bean-check`` prints
``file:line: message`` and Fava lists it on its Errors page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from beancount.core import data


class RebalanceError(NamedTuple):
    """One problem with the ledger's rebalancing metadata."""

    source: dict[str, Any]
    message: str
    entry: data.Directive | None

    @property
    def location(self) -> str:
        """``file:line`` of the directive at fault."""
        return f"{self.source.get('filename', '<unknown>')}:{self.source.get('lineno', 0)}"

    def describe(self) -> str:
        """The error as ``file:line: message``."""
        return f"{self.location}: {self.message}"


def error_at(entry: data.Directive, message: str) -> RebalanceError:
    """An error located at ``entry``'s file and line."""
    return RebalanceError(dict(entry.meta or {}), message, entry)
