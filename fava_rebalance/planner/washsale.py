"""Wash sales across the whole household, IRAs and Roths included.

A loss on a sale in a taxable account is disallowed, to the extent of the units bought,
when the same commodity (or one declared substantially identical) was bought in any account
in the 30 days before the sale (``Report.purchases``) or is bought in the 30 days after. The
units a sale takes from a lot bought on that very day in that very account are the shares
sold, not replacements, so they do not count (IRS Publication 550, "Wash Sales").

The optimiser avoids such sales (``washed``); when one is still needed, ``disallowances``
says which purchase disallows how much. A disallowed loss is added to the basis of the
replacement shares in a taxable account; bought in an IRA or a Roth, it is lost for good.
The plan itself never buys, anywhere, what it sells at a loss (``optimize``), and the
output warns not to buy it back for 31 days (``buy_back_warning``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.holdings import Purchase
from fava_rebalance.planner.model import LotSale, WashSale

ZERO = Decimal(0)
WINDOW_DAYS = 30
Identical = Callable[[str], frozenset[str]]


def replacements(
    purchases: Iterable[Purchase],
    account: str,
    commodity: str,
    lot_date: datetime.date | None,
    identical_to: Identical,
) -> Decimal:
    """Units bought recently that would make a loss on this lot a wash sale."""
    group = identical_to(commodity)
    return sum(
        (p.units for p in purchases
         if p.commodity in group and not (p.account == account and p.commodity == commodity
                                          and p.date == lot_date)),
        ZERO,
    )


@dataclass(frozen=True)
class LossSale:
    """The lots of one planned sale in a taxable account (``key`` identifies the trade)."""

    key: int
    account: str
    commodity: str
    lots: tuple[LotSale, ...]


def disallowances(
    sales: Sequence[LossSale],
    purchases: Sequence[Purchase],
    identical_to: Identical,
    status_of: Callable[[str], str],
) -> dict[int, tuple[WashSale, ...]]:
    """Per sale, the purchases that disallow its losses, matched oldest purchase first."""
    left = [p.units for p in purchases]
    for sale in sales:  # the shares sold are not their own replacements
        for lot in sale.lots:
            for i, p in enumerate(purchases):
                if (p.account, p.commodity, p.date) == (sale.account, sale.commodity, lot.date):
                    used = min(left[i], lot.units)
                    left[i] -= used
    order = sorted(range(len(purchases)), key=lambda i: (purchases[i].date, purchases[i].account,
                                                          purchases[i].commodity))
    found: dict[int, tuple[WashSale, ...]] = {}
    for sale in sales:
        group = identical_to(sale.commodity)
        washes: list[WashSale] = []
        for lot in sale.lots:
            if lot.gain >= 0 or lot.units <= 0:
                continue
            loss_per_unit = -lot.gain / lot.units
            need = lot.units
            for i in order:
                p = purchases[i]
                if need <= 0:
                    break
                if p.commodity not in group or left[i] <= 0:
                    continue
                matched = min(need, left[i])
                left[i] -= matched
                need -= matched
                washes.append(WashSale(p.account, p.commodity, p.date, matched,
                                       matched * loss_per_unit, status_of(p.account), lot.term))
        if washes:
            found[sale.key] = tuple(washes)
    return found


def buy_back_warning(commodity: str, identical: Iterable[str], date: datetime.date) -> str:
    """Tell the user not to buy back what the plan sells at a loss for 31 days."""
    others = sorted(set(identical) - {commodity})
    also = f" (nor {', '.join(others)}, substantially identical)" if others else ""
    until = date + datetime.timedelta(days=WINDOW_DAYS + 1)
    return (f"{commodity} is sold at a loss: do not buy it back{also} in any account, IRAs and Roths "
            f"included, for 31 days (not before {until}), or the loss becomes a wash sale.")
