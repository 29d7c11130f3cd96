"""Whether a plan leaves a category outside its band, and the warning that says why.

A category counts as outside when, after the trades, it is further from its target than its
band plus the optimiser's rounding (one unit of the largest it trades, at most 1% of the
total) and at least ``min-trade``. The warning names the
likely causes: holdings that may not be sold, holdings without a price, holdings held short
(which the planner neither adds to nor covers), nothing of the class that may be bought, no
money where it may be bought, and value in holdings without a target (which the planner
never sells). The holdings it does not trade get a warning each, with the real cause: no
market price, or a net short position; never "no price" for a holding that has one.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fava_rebalance.core.allocation import Allocation, within_band
from fava_rebalance.core.categories import HUNDRED
from fava_rebalance.core.formatting import grouped, plain, units
from fava_rebalance.planner.accounts import NO_PRICE, SHORT_POSITION, Household
from fava_rebalance.planner.optimize import DRIFT_TOLERANCE, rounding
from fava_rebalance.planner.trades import Settlement

ZERO = Decimal(0)


def outside(household: Household, settlement: Settlement) -> list[str]:
    """Categories the plan leaves outside their band.

    A category that was inside its band (at the total after the cash flow) counts as soon as
    it leaves it: the optimiser holds such bands exactly. One that was outside counts when it
    is still further than one unit's rounding (and ``min-trade``) from its band: the rounding
    is the optimiser's (``optimize.rounding``: the largest unit it may trade, at most 1% of
    the total, plus phase one's tolerance), which phase two may leave to save tax.
    """
    if settlement.total <= 0:
        return []
    units = [b.price * b.quantum for b in household.buys] + [s.price * s.quantum for s in household.sells]
    slack = rounding(units, settlement.total) + Decimal(DRIFT_TOLERANCE)
    names = []
    for cat in household.categories:
        value = settlement.values[cat.name]
        if within_band(value, cat.target, cat.band, settlement.total):
            continue
        if within_band(cat.value, cat.target, cat.band, settlement.total):
            names.append(cat.name)
            continue
        off = abs(cat.target * settlement.total / HUNDRED - value)
        if (not within_band(value, cat.target, cat.band, settlement.total, allowance=slack)
                and off >= household.options.min_trade):
            names.append(cat.name)
    return names


def why_outside(
    household: Household,
    settlement: Settlement,
    allocation: Allocation,
    can_sell: Callable[[str, str], bool],
) -> list[str]:
    """One warning per category the plan leaves outside its band, with the likely causes."""
    currency = household.currency
    loose = (sum((r.value for r in allocation.untargeted), ZERO)
             + sum((r.value for r in allocation.uncategorized), ZERO))
    warnings = []
    for name in outside(household, settlement):
        cat = next(c for c in household.categories if c.name == name)
        row = next(r for r in allocation.targeted if r.category == name)
        percent = settlement.values[name] / settlement.total * HUNDRED
        over = percent > cat.target
        causes = []
        unpriced = {u.holding for u in household.untradable if u.cause == NO_PRICE}
        short = sorted({f"{u.holding.commodity} in {u.holding.account}" for u in household.untradable
                        if u.cause == SHORT_POSITION and any(p.holding == u.holding for p in row.parts)})
        if over:
            locked = sum((p.value for p in row.parts if p.holding.commodity != currency
                          and not can_sell(p.holding.account, p.holding.commodity)), ZERO)
            unpriced_value = sum((p.value for p in row.parts if p.holding in unpriced), ZERO)
            if locked > 0:
                causes.append(f"{grouped(locked)} {currency} of it may not be sold (rebalance-sell: FALSE)")
            if unpriced_value > 0:
                causes.append(f"{grouped(unpriced_value)} {currency} of it has no market price to sell at")
            if not causes:
                causes.append("the accounts holding it have nothing underweight they may buy")
        else:
            if short:
                causes.append(f"{', '.join(short)} is held short, which the planner does not buy to cover")
            if not any(b.category == name for b in household.buys):
                other = " else" if short else ""
                causes.append(f"nothing{other} wholly in {name} with a price may be bought in any account")
            else:
                causes.append("the accounts that may buy it have no cash and nothing overweight to sell")
        if loose > 0:
            causes.append(f"{grouped(loose)} {currency} is in holdings without a target, which the "
                          "planner does not sell")
        warnings.append(f"{name} stays outside its band after the plan: {plain(percent)}% against a "
                        f"target of {plain(cat.target)}% (±{plain(cat.band)}): {'; '.join(causes)}.")
    return warnings


def untradable(household: Household) -> list[str]:
    """One warning per holding in a targeted category the planner does not trade, with why."""
    warnings = []
    for found in household.untradable:
        h = found.holding
        if found.cause == SHORT_POSITION:
            warnings.append(f"{h.commodity} in {h.account} is a net short position ({units(h.units)} "
                            "units): the planner does not sell it (that would add to the short) nor buy "
                            "it there to cover it (closing a short sale realizes a gain or loss it does "
                            "not estimate).")
        else:
            warnings.append(f"{h.commodity} in {h.account} has no market price; the planner does not "
                            "trade it.")
    return warnings
