"""Errors about rebalancing metadata, in Beancount's error form.

An error is a value: ``(source, message, entry)`` where ``source`` is the metadata of the
directive at fault (it holds ``filename`` and ``lineno``), so ``bean-check`` prints
``file:line: message`` and Fava lists it on its Errors page.

``bean-check`` also prints the directive under the message with Beancount's printer, which
cannot print every directive it parses (a ``custom`` with no values has ``values=None``).
An error keeps its directive only when the printer can print it; the ``file:line`` is in
``source`` either way.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from beancount.core import data
from beancount.parser import printer


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
    """An error located at ``entry``'s file and line (with the directive, if it prints)."""
    return RebalanceError(dict(entry.meta or {}), message, entry if printable(entry) else None)


def printable(entry: data.Directive) -> bool:
    """Whether Beancount's printer, which ``bean-check`` uses for errors, can print ``entry``."""
    try:
        printer.format_entry(entry)
    except Exception:  # the printer fails on some parsed directives: custom with no values
        return False
    return True
