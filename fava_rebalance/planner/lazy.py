"""Optimal lazy rebalancing: share a deposit (or a withdrawal) out between categories.

A deposit only buys: it minimises the largest fractional deviation ``value / target − 1``
(measured after the deposit) by topping up the lowest categories in proportion to their
targets until they tie, then the tied ones together, until the money runs out. A withdrawal
is the mirror image: it only sells, lowering the highest categories until they tie. This is
the "optimal lazy rebalancing" of Albert H. Mao's calculator (optimalrebalancing.tk), the
published check of which is in ``tests/test_planner_lazy.py``.

Everything here is exact ``Decimal`` arithmetic on category amounts; turning amounts into
whole units in an account is the optimiser's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Slot:
    """One category for the water-filling: value now, target value after, and a cap.

    ``cap`` is the most that may be added (deposit) or taken (withdrawal); ``None`` is
    no limit, ``0`` leaves the category out (nothing to buy or sell there).
    """

    value: Decimal
    target: Decimal
    cap: Decimal | None = None


def _fill(slots: Mapping[str, Slot], amount: Decimal) -> dict[str, Decimal]:
    """Add ``amount`` to the categories with the lowest ``value / target``, in proportion.

    Finds the level λ at which ``Σ clamp((1 + λ)·target − value, 0, cap) = amount``; the
    sum is piecewise linear and non-decreasing in λ, so walking its breakpoints in order
    and interpolating on the segment that reaches ``amount`` gives λ exactly.
    """
    live = {k: s for k, s in slots.items() if s.target > 0 and (s.cap is None or s.cap > 0)}
    if amount <= 0 or not live:
        return dict.fromkeys(slots, ZERO)
    start = {k: s.value / s.target - ONE for k, s in live.items()}
    end = {k: (start[k] + s.cap / s.target if s.cap is not None else None) for k, s in live.items()}
    points = sorted({*start.values(), *(e for e in end.values() if e is not None)})

    def given(k: str, level: Decimal) -> Decimal:
        s = live[k]
        raw = (ONE + level) * s.target - s.value
        if s.cap is not None:
            raw = min(raw, s.cap)
        return max(raw, ZERO)

    def total(level: Decimal) -> Decimal:
        return sum((given(k, level) for k in live), ZERO)

    level: Decimal | None = None
    for low, high in pairwise(points):
        if total(high) >= amount:
            slope = sum((s.target for k, s in live.items() if start[k] <= low and _open(end[k], high)),
                        ZERO)
            level = low + (amount - total(low)) / slope if slope > 0 else high
            break
    if level is None:
        last = points[-1]
        slope = sum((s.target for k, s in live.items() if end[k] is None), ZERO)
        if slope == 0:  # every category is capped and the caps are reached: give the caps
            return {k: (live[k].cap or ZERO) if k in live else ZERO for k in slots}
        level = last + (amount - total(last)) / slope
    shares = {k: (given(k, level) if k in live else ZERO) for k in slots}
    _absorb_rounding(shares, amount, live)
    return shares


def _open(end: Decimal | None, level: Decimal) -> bool:
    """True while a category with cap level ``end`` still takes money at ``level``."""
    return end is None or end >= level


def _absorb_rounding(shares: dict[str, Decimal], amount: Decimal, live: Mapping[str, Slot]) -> None:
    """Put the last digits lost to Decimal division on the largest share (sum == amount)."""
    given = sum(shares.values(), ZERO)
    if given == 0 or abs(amount - given) > amount * Decimal("1e-20"):
        return
    biggest = max(shares, key=lambda k: (shares[k], k))
    cap = live[biggest].cap if biggest in live else None
    adjusted = shares[biggest] + amount - given
    if adjusted >= 0 and (cap is None or adjusted <= cap):
        shares[biggest] = adjusted


def deposit(slots: Mapping[str, Slot], amount: Decimal) -> dict[str, Decimal]:
    """How much of ``amount`` each category gets (buys only); categories at 0% get none."""
    return _fill(slots, amount)


def withdrawal(slots: Mapping[str, Slot], amount: Decimal) -> dict[str, Decimal]:
    """How much each category gives up to raise ``amount`` (sells only).

    Categories with a 0% target are emptied first (they are infinitely overweight); the
    rest is the mirror image of a deposit: with ``value' = 2·target − value`` the highest
    ``value / target`` becomes the lowest.
    """
    taken = dict.fromkeys(slots, ZERO)
    left = amount
    for key in sorted(slots, key=lambda k: (-slots[k].value, k)):
        slot = slots[key]
        if slot.target == 0 and slot.value > 0 and left > 0:
            room = slot.value if slot.cap is None else min(slot.cap, slot.value)
            taken[key] = min(room, left)
            left -= taken[key]
    mirrored = {
        k: Slot(2 * s.target - s.value, s.target,
                min(s.value, s.cap) if s.cap is not None else s.value)
        for k, s in slots.items() if s.target > 0
    }
    for key, part in _fill(mirrored, left).items():
        taken[key] += part
    return taken
