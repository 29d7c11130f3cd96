"""Beancount plugin: check the ledger's rebalancing metadata, and the drift if asked.

```beancount
plugin "beancount_plugins.rebalance"

2024-01-01 custom "rebalance-option" "max-drift-error" TRUE   ; fail bean-check on drift
2024-01-01 custom "rebalance-option" "review" "quarterly"
2024-01-01 custom "rebalance-option" "overdue-error" TRUE     ; fail bean-check on an overdue review
```

It passes the entries through unchanged and returns one error per problem, located at the
directive at fault so ``bean-check`` prints ``file:line: message``: malformed or
non-100% ``asset-class`` splits, bad targets, targets not adding up to 100%, unknown options
or bad option values, unknown ``tax-status``, targets for undeclared categories, and (with
``max-drift-error``) each category outside its band on the ledger's last date, and (with
``overdue-error``) a review overdue on that date, at the ``review`` option's line: no
``#rebalance`` transaction done within the ``review`` period (SPEC §5.1). A ledger with
several portfolios (``portfolio:``) is checked portfolio by portfolio (targets adding up to
100 in each, each one's own ``max-drift-error``, bands, ``overdue-error`` and review
calendar), and the messages name the portfolio.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from beancount.core import data
from beancount.ops import pad

from fava_rebalance.core.allocation import NONE
from fava_rebalance.core.declarations import OptionSetting, portfolio_prefix
from fava_rebalance.core.errors import RebalanceError, error_at
from fava_rebalance.core.formatting import plain
from fava_rebalance.core.limits import date_problem
from fava_rebalance.core.pipeline import Ledger, analyse_portfolios
from fava_rebalance.core.portfolios import MAIN

__plugins__ = ("rebalance",)


def rebalance(
    entries: list[data.Directive], options_map: Mapping[str, Any], config_str: str | None = None
) -> tuple[list[data.Directive], Sequence[RebalanceError]]:
    """Validate rebalancing metadata; with ``max-drift-error``, report drift outside bands."""
    del config_str  # the plugin takes no configuration; options live in the ledger
    ledger = Ledger.from_entries(entries, options_map)
    errors = list(ledger.errors)
    last = ledger.last_date
    declarations = ledger.declarations
    gated = [name for name in declarations.portfolio_names
             if last is not None and declarations.as_of(last, name).options.max_drift_error]
    if last is not None and gated:
        problem = date_problem(last)
        if problem is None:
            errors.extend(drift_errors(ledger, _padded(entries, options_map), gated))
        else:  # the report cannot look 30 days back from the year 1
            gate = [s for s in declarations.options if s.name == "max-drift-error" and s.date <= last]
            errors.append(error_at(gate[-1].entry, f"max-drift-error cannot check the ledger's last "
                                                   f"date: {problem}"))
    if last is not None:
        for name in declarations.portfolio_names:
            if declarations.as_of(last, name).options.overdue_error:
                errors.extend(overdue_errors(ledger, last, name))
    return entries, errors


def overdue_errors(ledger: Ledger, last: datetime.date, portfolio: str = MAIN) -> list[RebalanceError]:
    """An error at the ``review`` option when ``portfolio``'s review is overdue on ``last``.

    Checked with ``overdue-error`` in force for the portfolio.

    The option is the one in force for the portfolio: its own, else the shared one. Without
    a ``review`` option in force there is nothing to be overdue: the error is then at the
    ``overdue-error`` option, saying so.
    """
    prefix = portfolio_prefix(ledger.declarations, portfolio)
    review = ledger.review_on(last, portfolio)
    if review.every is None:
        gate = _in_force(ledger, "overdue-error", last, portfolio)
        return [error_at(gate.entry, f'{prefix}overdue-error is TRUE but no review period is set: add '
                                     'custom "rebalance-option" "review" "quarterly" (or monthly, '
                                     'semiannual, annual, a number of days)')]
    if not review.overdue or review.next_review is None:
        return []
    option = _in_force(ledger, "review", last, portfolio)
    since = (f"last rebalanced {review.last_rebalance}" if review.last_rebalance is not None
             else "no #rebalance transaction since the first target")
    pending = (f"; pending, not yet done: {', '.join(str(r.date) for r in review.pending)}"
               if review.pending else "")
    return [error_at(option.entry, f"{prefix}the portfolio's review is overdue on {last}: {since}, next "
                                   f"review due {review.next_review} ({review.every.name}){pending}")]


def _in_force(ledger: Ledger, name: str, last: datetime.date, portfolio: str) -> OptionSetting:
    """The ``name`` option in force for ``portfolio`` on ``last``: its own latest, else the shared one."""
    settings = [s for s in ledger.declarations.options if s.name == name and s.date <= last]
    own = [s for s in settings if s.portfolio == portfolio]
    return own[-1] if own else [s for s in settings if s.portfolio is None][-1]


def _padded(
    entries: list[data.Directive], options_map: Mapping[str, Any]
) -> Sequence[data.Directive]:
    """The entries with padding transactions, as the CLI and Fava see them.

    Beancount 3 runs ``pad`` after the user's plugins: without padding here, a balance set
    by ``pad`` would count as empty. Padding walks every posting, so it runs only when the
    ledger has a ``pad`` directive. Pad errors, and a failure of Beancount's ``pad`` itself
    (it fails on a ``custom`` directive with no values), are left to Beancount's own pass.
    """
    if not any(isinstance(entry, data.Pad) for entry in entries):
        return entries
    try:
        padded: tuple[list[data.Directive], list[Any]] = pad.pad(entries, options_map)
    except Exception:  # Beancount's own pass reports it; a plugin must not raise
        return entries
    return padded[0]


def drift_errors(
    ledger: Ledger, entries: Sequence[data.Directive] | None = None, portfolios: Sequence[str] | None = None
) -> list[RebalanceError]:
    """One error per targeted category outside its band on the ledger's last date.

    ``entries`` (default: the ledger's) are the ones holdings are read from, e.g. padded;
    ``portfolios`` the ones checked (default: every one), each against its own bands.
    """
    last = ledger.last_date
    if last is None:
        return []
    errors = []
    for report in analyse_portfolios(ledger, last, entries=entries, portfolios=portfolios):
        prefix = portfolio_prefix(ledger.declarations, report.portfolio)
        for row in report.allocation.targeted:
            if row.action == NONE:
                continue
            target = report.settings.targets[row.category]
            errors.append(error_at(target.entry, (
                f"{prefix}{row.category} has drifted out of its band on {last}: {plain(row.percent)}% held, "
                f"target {plain(row.target)}% ± {plain(row.band)}; {row.action} "
                f"{plain(row.amount)} {report.currency}")))
    return errors
