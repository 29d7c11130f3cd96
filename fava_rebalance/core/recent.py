"""Trades around a date in every account of the ledger: the wash-sale window.

The wash-sale rule looks at the taxpayer, not at the portfolio: a purchase in an IRA left out
of the rebalancing washes a loss sold in the brokerage account (IRS Publication 550, "Wash
Sales"). So this reads *every* account of the ledger, whatever the portfolio's scope or
Fava's filters, over the 30 days before and after a date (the entries are sorted by date, so
only that stretch is visited).

- An **acquisition** is an augmenting lot (units > 0 at a cost) whose acquisition date, the
  lot's own ``cost.date``, falls in the window. A stock split written as
  ``-10 VTI {50 USD, 2024-01-10}`` / ``20 VTI {25 USD, 2024-01-10}`` and opening balances
  that carry the lots' dates are therefore not purchases. A transaction that brings in no
  units of the commodity (an in-kind move between own accounts) acquires nothing either;
  the lot it moves keeps its purchase, which follows it to the new account. Units held
  without a cost count when the transaction brings them in at a price (dated by the entry).
- A **realized loss** is a reducing posting (units < 0 at a cost) sold for less than that
  cost, dated in the 30 days up to the date: the price is the posting's ``@`` price, else
  the price database's on that day.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.position import Cost

from fava_rebalance.core.holdings import LotKey as LotKey  # the planner reads it from here
from fava_rebalance.core.holdings import lot_key

ZERO = Decimal(0)
WINDOW_DAYS = 30
PriceOn = Callable[[str, str, datetime.date], Decimal | None]


@dataclass(frozen=True)
class Purchase:
    """Units of a commodity acquired on ``date`` into ``account`` as the lot ``lot``.

    ``lot`` is the lot's (cost, cost currency, acquisition date, label), so that the shares
    of one purchase can be told apart from replacement shares (Rev. Rul. 56-602). It is
    ``None`` for units held without a cost.
    """

    account: str
    commodity: str
    units: Decimal
    date: datetime.date
    lot: LotKey | None = None


@dataclass(frozen=True)
class RealizedLoss:
    """A loss the ledger has already realized: ``units`` sold on ``date`` below their cost.

    ``loss`` is per unit, in ``currency`` (the lot's cost currency); ``acquired`` is the sold
    lot's acquisition date (it decides the loss's term and the order in which replacement
    shares are matched with it).
    """

    account: str
    commodity: str
    units: Decimal
    date: datetime.date
    acquired: datetime.date | None
    loss: Decimal
    currency: str
    lot: LotKey | None = None


@dataclass(frozen=True)
class Window:
    """The wash-sale window around a date: acquisitions and realized losses in it."""

    purchases: tuple[Purchase, ...]
    losses: tuple[RealizedLoss, ...]


def _net_units(entry: data.Transaction, currency: str) -> Decimal:
    """Net units of ``currency`` a transaction brings in: 0 for a move between own accounts."""
    return sum((p.units.number for p in entry.postings
                if p.units is not None and p.units.currency == currency
                and isinstance(p.units.number, Decimal)), ZERO)


def _first_on_or_after(entries: Sequence[data.Directive], date: datetime.date) -> int:
    return bisect.bisect_left(entries, date, key=lambda e: e.date)


def window_around(
    entries: Sequence[data.Directive],
    date: datetime.date,
    price_on: PriceOn | None = None,
) -> Window:
    """Acquisitions in the 30 days before and after ``date``, and losses in the 30 days up to it.

    ``entries``: every entry of the ledger, sorted by date (as Beancount returns them).
    ``price_on(commodity, currency, day)`` prices a sale written without ``@`` (optional).
    """
    start = date - datetime.timedelta(days=WINDOW_DAYS)
    end = date + datetime.timedelta(days=WINDOW_DAYS)
    held: dict[tuple[str, str, LotKey | None], list[Purchase]] = {}
    losses: list[RealizedLoss] = []
    for entry in entries[_first_on_or_after(entries, start):]:
        if entry.date > end:
            break
        if not isinstance(entry, data.Transaction) or entry.flag == "S":
            continue
        nets: dict[str, Decimal] = {}
        for posting in entry.postings:
            units = posting.units
            if units is None or not isinstance(units.number, Decimal) or units.number == 0:
                continue
            commodity = units.currency
            if commodity not in nets:
                nets[commodity] = _net_units(entry, commodity)
            cost = posting.cost if isinstance(posting.cost, Cost) else None
            if units.number > 0:
                if nets[commodity] > 0:
                    _acquire(held, posting.account, commodity, units.number, entry, cost, posting, start)
                elif cost is not None:
                    _move_in(held, entry, posting.account, commodity, units.number, lot_key(cost))
            elif (cost is not None and nets[commodity] < 0 and entry.date <= date
                  and cost.number is not None):
                loss = _loss(entry, posting, cost, price_on)
                if loss is not None and loss > 0:
                    losses.append(RealizedLoss(posting.account, commodity, -units.number, entry.date,
                                               cost.date, loss, cost.currency, lot_key(cost)))
    purchases = [p for found in held.values() for p in found if p.units > 0]
    purchases.sort(key=lambda p: (p.date, p.account, p.commodity))
    return Window(tuple(purchases), tuple(losses))


def _acquire(held: dict[tuple[str, str, LotKey | None], list[Purchase]], account: str, commodity: str,
             units: Decimal, entry: data.Transaction, cost: Cost | None, posting: data.Posting,
             start: datetime.date) -> None:
    if cost is not None:
        acquired = cost.date or entry.date
        key: LotKey | None = lot_key(cost)
    elif posting.price is not None:
        acquired, key = entry.date, None
    else:
        return
    if acquired < start or acquired > entry.date:  # a lot with an older date: not bought now
        return
    held.setdefault((account, commodity, key), []).append(Purchase(account, commodity, units, acquired, key))


def _move_in(held: dict[tuple[str, str, LotKey | None], list[Purchase]], entry: data.Transaction,
             account: str, commodity: str, units: Decimal, key: LotKey) -> None:
    """Units of a recently bought lot moved in kind: its purchase moves with it."""
    for posting in entry.postings:
        source = posting.account
        if (posting.units is None or posting.units.currency != commodity
                or not isinstance(posting.units.number, Decimal) or posting.units.number >= 0
                or not isinstance(posting.cost, Cost) or lot_key(posting.cost) != key or source == account):
            continue
        left = units
        for i, purchase in enumerate(held.get((source, commodity, key), [])):
            taken = min(purchase.units, left)
            if taken <= 0:
                continue
            held[(source, commodity, key)][i] = Purchase(source, commodity, purchase.units - taken,
                                                         purchase.date, key)
            held.setdefault((account, commodity, key), []).append(
                Purchase(account, commodity, taken, purchase.date, key))
            left -= taken
        return


def _loss(
    entry: data.Transaction, posting: data.Posting, cost: Cost, price_on: PriceOn | None
) -> Decimal | None:
    """Loss per unit of a sale in the cost's currency (positive for a loss), or ``None``."""
    price = posting.price
    if price is not None and isinstance(price.number, Decimal) and price.currency == cost.currency:
        return cost.number - price.number
    if price_on is not None and posting.units is not None:
        found = price_on(posting.units.currency, cost.currency, entry.date)
        if found is not None:
            return cost.number - found
    return None
