"""``cash_needed_band``: the smallest deposit after which buying alone puts every category in its band.

SPEC §3. The problem, for the targeted categories ``i`` of an allocation with total ``T``:
value ``v_i`` now, and the band's edges as fractions of the total, ``l_i = (target − band)
/ 100`` and ``h_i = (target + band) / 100``. A deposit ``D ≥ 0`` is spent on buys only, so
each category's value after, ``w_i``, satisfies

    w_i ≥ v_i,        Σ (w_i − v_i) = D,        l_i (T + D) ≤ w_i ≤ h_i (T + D).

(Holdings without a target are not bought; they stay in the total.) ``D`` works exactly
when such ``w`` exist; ``cash_needed_band`` is the least ``D ≥ 0`` that works.

**When a given ``D`` works.** Write ``lo_i(D) = max(v_i, l_i (T + D))`` and ``hi_i(D) =
h_i (T + D)``. The ``w`` exist if and only if

(a) ``v_i ≤ hi_i(D)`` for every ``i``: each interval ``[lo_i, hi_i]`` is non-empty (``l_i ≤
    h_i``, so only ``v_i`` can exceed ``hi_i``). Buying never lowers a category: an
    overweight one comes down only because the total grows, ``D ≥ v_i / h_i − T``. With
    ``h_i = 0`` (a 0% target and no band) a category holding value is never inside;
(b) ``f(D) = V + D − Σ lo_i(D) ≥ 0`` with ``V = Σ v_i``: the money reaches every lower edge;
(c) ``g(D) = Σ h_i · (T + D) − (V + D) ≥ 0``: the upper edges together hold all the money.

Necessity is plain. Sufficiency: the ``w_i`` range over a box, and their sum takes every
value between the sums of its lower and upper corners, ``V + D`` among them by (b), (c).

**The least such ``D``.** Each condition keeps an interval of ``D``: (a) and (c) are
affine, so half-lines; in (b) every ``lo_i`` is the maximum of two affine functions of
``D``, so convex, and ``f`` is concave and piecewise linear, changing slope only where
``l_i (T + D) = v_i``, at ``p_i = v_i / l_i − T``. An intersection of intervals is an
interval, so the answer is its least element at or above 0, found exactly:

1. start from the largest lower bound that (a), (c) and ``D ≥ 0`` give (an upper bound
   from (c), only possible when the targets add up to less than 100, is kept aside);
2. walk the pieces of ``f`` from there, left to right: the first point where ``f ≥ 0`` is
   either the start of a piece or the root of that piece's line, ``D − f(D) / slope``;
   since ``f`` is concave, once it is negative with a slope ≤ 0 it stays negative, and no
   deposit does it;
3. round the answer up to the cent, so that depositing the figure shown is enough (the
   feasible set is an interval, so the cent above is feasible too, within the upper bound).

With targets adding up to 100 and no negative holdings, ``Σ l_i ≤ 1`` makes ``f``
non-decreasing and ``Σ h_i ≥ 1`` with ``V ≤ T`` makes (c) always hold; when (b) already
holds at (a)'s bound, the answer is the closed form ``max_i v_i / h_i − T``: the
``cash_needed`` formula with each target widened by its band. Holdings without a target
``U = T − V`` make (b) bind: with every band 0, ``f`` ends flat at ``−U`` and no deposit
does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext

from fava_rebalance.core.allocation import Allocation, TargetRow
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.formatting import CENT, grouped
from fava_rebalance.core.holdings import ZERO

ONE = Decimal(1)


@dataclass(frozen=True)
class BandDeposit:
    """The deposit, or ``None`` with the reason no deposit brings every category inside."""

    amount: Decimal | None
    why_not: str = ""


@dataclass(frozen=True)
class _Edges:
    """One category: value now and its band's edges as fractions of the total."""

    value: Decimal
    low: Decimal
    high: Decimal

    def lower(self, total: Decimal) -> Decimal:
        """``lo_i``: the least the category may hold after, with the portfolio at ``total``."""
        return max(self.value, self.low * total)


def cash_needed_band(allocation: Allocation, currency: str) -> BandDeposit:
    """The smallest deposit after which buying alone puts every targeted category in its band.

    0 when every category is inside already; see the module's docstring for the proof.
    """
    total = allocation.total
    rows = allocation.targeted
    if total == 0 or not rows:
        return BandDeposit(ZERO)  # nothing held: any deposit, bought at the targets, will do
    if total < 0:
        return BandDeposit(None, "the portfolio is worth less than nothing")
    edges = [_edges(row) for row in rows]
    start = ZERO
    for row, edge in zip(rows, edges, strict=True):  # (a)
        if edge.high > 0:
            start = max(start, edge.value / edge.high - total)
        elif edge.value > 0:
            return BandDeposit(None, f"{row.category} holds {grouped(edge.value)} {currency} with a target "
                                     "of 0% and no band, and buying never brings it down to 0")
    held = sum((e.value for e in edges), ZERO)
    slope_c = sum((e.high for e in edges), ZERO) - ONE  # (c): g(D) = g(0) + slope_c · D
    at_zero = (slope_c + ONE) * total - held
    upper: Decimal | None = None
    if slope_c > 0:
        start = max(start, -at_zero / slope_c)
    elif slope_c < 0:
        upper = at_zero / -slope_c
    if (slope_c == 0 and at_zero < 0) or (upper is not None and upper < start):
        return BandDeposit(None, _not_room(allocation))
    found = _first_reach(edges, held, total, start)
    if found is None or (upper is not None and found > upper):
        return BandDeposit(None, _not_room(allocation))
    cents = _cent_above(found)
    return BandDeposit(cents if upper is None or cents <= upper else found)


def _cent_above(amount: Decimal) -> Decimal:
    """``amount`` rounded up to the cent, however many digits it has."""
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() + 4)
        return amount.quantize(CENT, rounding=ROUND_CEILING) + 0


def _edges(row: TargetRow) -> _Edges:
    return _Edges(row.value, (row.target - row.band) / HUNDRED, (row.target + row.band) / HUNDRED)


def _first_reach(edges: Sequence[_Edges], held: Decimal, total: Decimal, start: Decimal) -> Decimal | None:
    """The least ``D ≥ start`` with ``f(D) ≥ 0`` (condition (b)), or ``None``: step 2 above.

    On each piece, with ``A`` the categories held up by their lower edge there,
    ``f(D) = (V − Σ_A l_i T − Σ_rest v_i) + (1 − Σ_A l_i) D``: intercept and slope are exact
    sums and products, so the root costs one division.
    """
    points = sorted({e.value / e.low - total for e in edges if e.low != 0} | {start})
    points = [p for p in points if p >= start]
    for index, here in enumerate(points):
        after = points[index + 1] if index + 1 < len(points) else None
        probe = here + ONE if after is None else (here + after) / 2  # inside the piece
        raised = [e.low * (total + probe) > e.value for e in edges]
        slope = ONE - sum((e.low for e, up in zip(edges, raised, strict=True) if up), ZERO)
        floors = (e.low * total if up else e.value for e, up in zip(edges, raised, strict=True))
        intercept = held - sum(floors, ZERO)
        if intercept + slope * here >= 0:
            return here
        if slope > 0:
            root = -intercept / slope
            if after is None or root <= after:
                return root
    return None


def _not_room(allocation: Allocation) -> str:
    loose = allocation.total - sum((row.value for row in allocation.targeted), ZERO)
    if loose > 0:
        return ("the holdings without a target keep the categories together below 100%, and their bands "
                "leave too little room for that")
    return "the targets and their bands do not leave room for the whole portfolio"


def deposit_sentences(cash_needed: Decimal, band: BandDeposit, currency: str) -> tuple[str, str]:
    """``cash_needed`` and the band deposit (or why there is none), for the CLI and the workbook."""
    return (
        f"Cash to add so that buying alone leaves no category above its target: {grouped(cash_needed)} "
        f"{currency}.",
        f"Cash to add so that buying alone brings every category inside its band: {grouped(band.amount)} "
        f"{currency}." if band.amount is not None else
        f"No deposit brings every category inside its band by buying alone: {band.why_not}.",
    )
