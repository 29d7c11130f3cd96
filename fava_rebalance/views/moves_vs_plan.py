"""The suggested moves next to the plan, category by category, and why they differ.

The moves (``moves.suggested_moves``) are category amounts from the report alone; the plan
is what can actually be done. Where the two change a category by different amounts (to the
cent), ``compare`` lists the category with both changes and one sentence gives the reasons
that apply:

- the plan has a cash flow (a deposit or withdrawal alone only buys or only sells, in one
  account); the moves assume none;
- the moves' buys need more than their sells raise (holdings without a target, see
  ``Moves.note``): a plan that rebalances cannot spend money it does not have, so it shares
  the shortfall out over the categories (its tie-break evens out how far each ends from its
  target);
- always: the plan trades whole units, within each trading account's own cash, at the least
  tax (the plan's warnings say why a category stays outside its band).

Shared by the Fava panel, the terminal and the JSON (``moves_vs_plan``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.formatting import round2
from fava_rebalance.core.moves import Moves
from fava_rebalance.planner.model import DEPOSIT, REBALANCE, WITHDRAWAL, Plan

ZERO = Decimal(0)


@dataclass(frozen=True)
class Difference:
    """A category the moves and the plan change by different amounts (+ buys, − sells)."""

    category: str
    move: Decimal
    plan: Decimal


@dataclass(frozen=True)
class Comparison:
    """The categories where the plan differs from the moves, and the sentence saying why."""

    differences: tuple[Difference, ...]
    note: str


def compare(moves: Moves, plan: Plan, money: Callable[[Decimal], str], currency: str) -> Comparison | None:
    """The moves against ``plan``; ``None`` when there are no moves (nothing to compare)."""
    if not moves.moves or plan.errors:
        return None
    differences = tuple(
        Difference(row.category, moves.change(row.category), row.value - row.value_before)
        for row in plan.after
        if round2(moves.change(row.category)) != round2(row.value - row.value_before)
    )
    if not differences:
        return Comparison((), "The plan makes the suggested moves, category by category.")
    reasons = []
    flow = plan.cash.amount if plan.cash is not None else ZERO
    if flow:
        verb, preposition, only = ("deposits", "into", "buys") if flow > 0 else ("withdraws", "from", "sells")
        where = f" {preposition} {plan.cash_account}" if plan.cash_account else ""
        lazy = f" and only {only} there" if plan.mode in (DEPOSIT, WITHDRAWAL) else ""
        reasons.append(f"it {verb} {money(abs(flow))} {currency}{where}{lazy}, and the moves assume no cash "
                       "flow")
    if round2(moves.short) > 0 and plan.mode == REBALANCE:
        reasons.append(f"the moves' buys need {money(moves.short)} {currency} more than their sells raise, "
                       "and the plan cannot spend money it does not have, so it shares the shortfall out "
                       "over the categories")
    reasons.append("it trades whole units, within each account's own cash (money never moves between "
                   "accounts), at the least tax")
    return Comparison(differences, "This plan differs from the suggested moves: " + "; ".join(reasons) + ".")


def change_words(amount: Decimal, money: Callable[[Decimal], str]) -> str:
    """``buy 1,000.00``, ``sell 250.00`` or ``none`` (rounded to the cent)."""
    if round2(amount) == 0:
        return "none"
    return f"{'buy' if amount > 0 else 'sell'} {money(abs(amount))}"
