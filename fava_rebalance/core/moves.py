"""Suggested moves: what to buy and sell, category by category, as sentences that add up.

As soon as one targeted category needs action (outside its band, by at least
``min-trade``), the moves bring *every* targeted category to its target, as the trade
planner does: the band is the trigger, the target the destination. A category inside its
band moves too (its sentence says so), unless it is less than ``min-trade`` from its
target. Biggest first.

Balance (SPEC §3): the targets share out the whole portfolio, so moving every category to
its target would make the sells pay for the buys exactly. What breaks the balance, and
therefore what ``note`` says (with the amount) when the sells and the buys differ by a cent
or more:

- holdings without a target (untargeted categories, uncategorized commodities): counted
  in the total, never sold by a move, so the buys need their value more than the sells
  raise (``short`` = that value);
- targets that do not add up to 100%: the difference, in percent of the total;
- categories left out because they are less than ``min-trade`` from their target.

Exactly: ``short = Σ moved (target value − value) = loose + (Σ targets − 100)% × total −
Σ left out (target value − value)``, where ``loose`` is the total minus the targeted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.allocation import BUY, NONE, SELL, WITHIN_BAND, Allocation, TargetRow, percent_of
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.formatting import grouped, plain, round2
from fava_rebalance.core.holdings import ZERO

NAMES_SHOWN = 5


@dataclass(frozen=True)
class Move:
    """One category to its target: ``amount`` to buy or sell (never 0)."""

    category: str
    action: str
    amount: Decimal
    percent: Decimal
    target: Decimal
    inside_band: bool

    @property
    def change(self) -> Decimal:
        """What the move does to the category's value: + for a buy, − for a sell."""
        return self.amount if self.action == BUY else -self.amount

    def sentence(self, currency: str) -> str:
        """The move in words: ``Sell 10,000.00 USD of Equities (70.00% now, target 60.00%).``."""
        inside = "; inside its band, rebalanced with the others" if self.inside_band else ""
        return (f"{self.action.capitalize()} {grouped(self.amount)} {currency} of {self.category} "
                f"({plain(self.percent)}% now, target {plain(self.target)}%{inside}).")


@dataclass(frozen=True)
class Moves:
    """The moves, what their sells raise and their buys spend, and why the two differ."""

    moves: tuple[Move, ...]
    sentences: tuple[str, ...]
    raised: Decimal
    spent: Decimal
    note: str | None

    @property
    def short(self) -> Decimal:
        """What the buys spend beyond what the sells raise (negative: money left over)."""
        return self.spent - self.raised

    def change(self, category: str) -> Decimal:
        """The move's change to ``category`` (0 when it has none)."""
        return next((m.change for m in self.moves if m.category == category), ZERO)


NO_MOVES = Moves((), (), ZERO, ZERO, None)


def suggested_moves(allocation: Allocation, currency: str, min_trade: Decimal,
                    target_total: Decimal) -> Moves:
    """The moves for ``allocation``; none while every category is within its band."""
    rows = allocation.targeted
    if all(row.action == NONE for row in rows):
        return NO_MOVES
    moved = [row for row in rows if row.amount >= min_trade and row.amount > 0]
    moves = sorted((_move(row) for row in moved), key=lambda m: (-m.amount, m.category))
    raised = sum((m.amount for m in moves if m.action == SELL), ZERO)
    spent = sum((m.amount for m in moves if m.action == BUY), ZERO)
    left_out = [row for row in rows if row not in moved]
    note = None
    if round2(spent - raised) != 0:
        note = _note(spent - raised, allocation, currency, min_trade, target_total, left_out)
    return Moves(tuple(moves), tuple(m.sentence(currency) for m in moves), raised, spent, note)


def _move(row: TargetRow) -> Move:
    action = row.action if row.action != NONE else (SELL if row.value > row.target_value else BUY)
    return Move(row.category, action, row.amount, row.percent, row.target, row.why_no_action == WITHIN_BAND)


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown if len(names) <= NAMES_SHOWN else f"{shown} and {len(names) - NAMES_SHOWN} more"


def _note(short: Decimal, allocation: Allocation, currency: str, min_trade: Decimal, target_total: Decimal,
          left_out: Sequence[TargetRow]) -> str:
    """How much the sells and buys differ, and each reason with its amount."""
    total = allocation.total
    loose = total - sum((row.value for row in allocation.targeted), ZERO)
    names = [r.category for r in allocation.untargeted] + [r.commodity for r in allocation.uncategorized]
    reasons = []
    if round2(loose) != 0:
        share = plain(percent_of(loose, total))
        reasons.append(f"{grouped(loose)} {currency} ({share}%) of the portfolio is in holdings without a "
                       f"target ({_names(names)}), which the targets count but no move sells")
    off = (target_total - HUNDRED) * total / HUNDRED
    if round2(off) != 0:
        reasons.append(f"the targets add up to {plain(target_total)}%, not 100% "
                       f"({grouped(abs(off))} {currency})")
    gap = sum((row.target_value - row.value for row in left_out), ZERO)
    if round2(gap) != 0:
        skipped = [row.category for row in left_out if round2(row.amount) != 0]
        one = len(skipped) == 1
        side = "below" if gap > 0 else "above"
        verb, whose, them = ("is", "its target", "it") if one else ("are", "their targets", "them")
        reasons.append(f"{_names(skipped)} {verb} less than the smallest trade ({grouped(min_trade)} "
                       f"{currency}) from {whose}, so not moved ({grouped(abs(gap))} {currency} {side} "
                       f"{them} in all)")
    why = "; ".join(reasons)
    if short > 0:
        pay = ("Selling those holdings, or adding that much cash," if loose >= short
               else "Adding that much cash")
        return (f"The buys spend {grouped(short)} {currency} more than the sells raise: {why}. {pay} pays "
                "for every buy; otherwise buy that much less.")
    return f"The sells raise {grouped(-short)} {currency} more than the buys spend: {why}. It stays as cash."
