"""Helpers for the planner's tests: a plan (and its report) from ledger text."""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

from beancount import loader

from fava_rebalance.core.pipeline import Ledger, Report, analyse
from fava_rebalance.planner import CashFlow, Plan, Trade, plan


def load(text: str) -> Ledger:
    """A ``Ledger`` from dedented text; Beancount's own errors fail the test."""
    entries, errors, options_map = loader.load_string(dedent(text))
    assert not errors, [e.message for e in errors]
    return Ledger.from_entries(entries, options_map)


def plan_of(text: str, date: str, cash: str | None = None) -> tuple[Plan, Report]:
    """The plan as of ``date``; ``cash`` is ``"5000"`` or ``"-5000@Assets:X"``."""
    ledger = load(text)
    report = analyse(ledger, datetime.date.fromisoformat(date))
    flow = None
    if cash is not None:
        amount, _, account = cash.partition("@")
        flow = CashFlow(Decimal(amount), account or None)
    return plan(report, ledger.declarations, flow), report


def orders(result: Plan) -> list[tuple[str, str, str, str, str]]:
    """``(account, action, commodity, units, amount)`` per trade, amounts to the cent."""
    return [(t.account, t.action, t.commodity, f"{t.units:f}", f"{t.amount.quantize(Decimal('0.01')):f}")
            for t in result.trades]


def after(result: Plan) -> dict[str, str]:
    """Each category's percent after the plan, two decimals."""
    return {r.category: f"{r.percent.quantize(Decimal('0.01')):f}" for r in result.after}


def trade(result: Plan, account: str, commodity: str) -> Trade:
    """The one trade of ``commodity`` in ``account``."""
    found = [t for t in result.trades if t.account == account and t.commodity == commodity]
    assert len(found) == 1, found
    return found[0]
