"""What a plan does, in two sentences: how it came about, and what it reaches.

The second sentence is read off the plan's own ``after`` rows, with one definition of
"inside its band" (``AfterRow.within_band``), so it never claims more than the table below
it shows. A category counts as *at* its target when what is left is less than ``min-trade``
(the report's own rule: no trade would be made for it). Shared by the Fava panel and the
terminal, each with its own way of writing money.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.planner.model import DEPOSIT, NOTHING, REBALANCE, WITHDRAWAL, AfterRow, Plan

ZERO = Decimal(0)
Write = Callable[[Decimal], str]


def plan_kind(plan: Plan) -> str:
    """How the plan came about, in one sentence without figures."""
    flow = plan.cash.amount if plan.cash is not None else ZERO
    if plan.mode == DEPOSIT:
        return ("The deposit only buys, in one account, topping up the categories furthest below "
                "their targets.")
    if plan.mode == WITHDRAWAL:
        return ("The withdrawal only sells, in one account, from the categories furthest above "
                "their targets.")
    if plan.mode == REBALANCE and flow:
        return ("With the cash alone a category would stay outside its band, so the plan trades across the "
                "household.")
    if plan.mode == REBALANCE:
        return "A category is outside its band, so the plan trades toward every target."
    if plan.mode == NOTHING and plan.after:
        return "Every category is within its band: nothing to trade."
    return "Nothing to plan."


def _off(row: AfterRow, total: Decimal) -> Decimal:
    """How far the category ends from its target, in money (+ above, − below)."""
    return row.value - row.target * total / HUNDRED


def _distance(row: AfterRow, total: Decimal, money: Write, currency: str) -> str:
    """``2.51 points (1,234.00 USD) below its target``."""
    off = _off(row, total)
    side = "above" if off > 0 else "below"
    return f"{money(abs(row.difference))} points ({money(abs(off))} {currency}) {side} its target"


def plan_reach(rows: Sequence[AfterRow], total: Decimal, min_trade: Decimal, money: Write,
               currency: str) -> str:
    """What the plan's ``after`` rows reach: every target, every band, or which category is left off.

    ``total`` is the portfolio after the plan; ``money`` writes an amount or a number of
    points (two places).
    """
    if not rows:
        return ""
    outside = [row for row in rows if not row.within_band]
    rest = "; every other category ends inside its band." if len(outside) < len(rows) else "."
    if len(outside) == 1:
        row = outside[0]
        return f"It leaves {row.category} outside its band, {_distance(row, total, money, currency)}{rest}"
    if outside:
        missed = "; ".join(f"{row.category}, {_distance(row, total, money, currency)}" for row in outside)
        return f"It leaves {len(outside)} categories outside their bands: {missed}{rest}"
    off = [row for row in rows if abs(_off(row, total)) >= min_trade]
    if not off:
        return "It brings every category to its target."
    furthest = max(off, key=lambda row: (abs(row.difference), row.category))
    return (f"It brings every category inside its band, though not every one to its target: the furthest "
            f"is {furthest.category}, {_distance(furthest, total, money, currency)}.")


def plan_summary(plan: Plan, min_trade: Decimal, money: Write, currency: str) -> str:
    """``plan_kind`` and, for a plan that trades, ``plan_reach``."""
    kind = plan_kind(plan)
    if plan.mode == NOTHING:
        return kind
    return f"{kind} {plan_reach(plan.after, plan.total_after, min_trade, money, currency)}".strip()
