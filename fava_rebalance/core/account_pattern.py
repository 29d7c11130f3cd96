r"""The ``accounts`` option's regular expression, matched in time linear in the account name.

Python's ``re`` backtracks: a pattern such as ``^(([A-Za-z:]+)+)+Z$`` takes time
exponential in the length of the name it fails on, and ``re`` cannot be interrupted, so one
such option would hang ``bean-check``, ``bean-rebalance`` and, holding the interpreter,
every page of Fava. The option is therefore compiled and matched by RE2 (the
``google-re2`` package), whose automata run in time linear in the name whatever the
pattern. RE2 refuses the few constructs that need backtracking (backreferences such as
``\1``, lookahead and lookbehind such as ``(?=`` or ``(?<!``); such a pattern is an
option error at its directive, saying why. The syntax is otherwise Python's: ``^Assets:``,
``^Assets:(Invest|Bank):``, ``(?i)brokerage``, ``\d`` all mean what they mean there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own parse errors on stderr


class PatternError(ValueError):
    """The pattern is not one RE2 can match; the message says why."""


@dataclass(frozen=True)
class AccountPattern:
    """A compiled ``accounts`` pattern; ``search(name)`` as ``re.search`` would find it."""

    pattern: str
    _compiled: Any = field(compare=False, repr=False, hash=False)

    def search(self, name: str) -> bool:
        """Whether the pattern matches somewhere in ``name`` (``^`` anchors it at the start)."""
        return self._compiled.search(name) is not None


def compile_accounts(pattern: str) -> AccountPattern:
    """``pattern`` compiled for linear-time matching, or ``PatternError`` saying why not."""
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"{reason}. Account patterns are matched in linear time (RE2), which has no "
            "backreferences or lookaround, since those can take exponential time; to leave "
            "accounts out, name the ones to keep (\"^Assets:(Invest|Bank):\") or put "
            "rebalance: FALSE on their open directive") from exc
    return AccountPattern(pattern, compiled)
