"""Every change of a commodity's units in the household's accounts: what the tax rules replay.

The US rules price a sale from the lots the ledger holds. The UK's share pool, Canada's
adjusted cost base and Germany's first in, first out do not: they follow every acquisition
and disposal since the first, whatever lots the ledger's booking reduced. So for those rules
the report reads them, once and only when a plan asks (``Report.movements``), from every
account under the ledger's Assets root (the household's, in the portfolio or not, whatever
Fava's filters), up to 30 days after the report date (the UK's 30-day rule and Canada's
superficial-loss window look that far ahead).

A ``Movement`` is one posting of a commodity (a currency held without a cost, cash, is left
out), with its cost per unit as the ledger writes it and in the reporting currency at the
rate of the lot's own date (``PriceBook.rate_on``, as the lots' costs are converted for the
US rules), and its value per unit on the day: the posting's ``@`` price, else the price
database's. ``transaction`` is shared by the postings of one transaction, so that a rule can
tell an in-kind move between own accounts (no units come in or go out) from a purchase or a
sale, and ``changes`` nets each transaction within a group of accounts (a pool, a depot).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.position import Cost

from fava_rebalance.core.categories import is_within
from fava_rebalance.core.pricebook import PriceBook

ZERO = Decimal(0)
AHEAD_DAYS = 30


@dataclass(frozen=True)
class Movement:
    """One posting of ``units`` of ``commodity`` to ``account`` on ``date``.

    ``cost`` per unit as the ledger writes it (in ``cost_currency``), ``acquired`` the lot's
    date; ``basis`` the same cost in the reporting currency at the rate of ``acquired`` (else
    of ``date``), ``value`` a unit's worth in the reporting currency on ``date``: ``None``
    where the ledger gives no cost, no price or no rate.
    """

    transaction: int
    date: datetime.date
    account: str
    commodity: str
    units: Decimal
    cost: Decimal | None
    cost_currency: str | None
    acquired: datetime.date | None
    basis: Decimal | None
    value: Decimal | None


def movements(
    entries: Sequence[data.Directive],
    date: datetime.date,
    book: PriceBook,
    root: str = "Assets",
    cash: Collection[str] = (),
) -> tuple[Movement, ...]:
    """The household's movements up to ``date`` and the 30 days after it, in the ledger's order.

    ``entries``: every entry of the ledger, sorted; ``root``: the Assets root account (the
    ``name_assets`` option); ``cash``: currencies left out when held without a cost (the
    reporting and operating currencies).
    """
    until = date + datetime.timedelta(days=AHEAD_DAYS)
    found: list[Movement] = []
    for index, entry in enumerate(entries):
        if entry.date > until:
            break
        if not isinstance(entry, data.Transaction) or entry.flag == "S":
            continue
        for posting in entry.postings:
            units = posting.units
            if (units is None or not isinstance(units.number, Decimal) or units.number == 0
                    or not is_within(posting.account, root)):
                continue
            cost = posting.cost if isinstance(posting.cost, Cost) else None
            if cost is None and units.currency in cash:
                continue
            found.append(_movement(index, entry, posting, units.number, cost, book))
    return tuple(found)


def _movement(index: int, entry: data.Transaction, posting: data.Posting, units: Decimal,
              cost: Cost | None, book: PriceBook) -> Movement:
    commodity = posting.units.currency if posting.units is not None else ""
    number = cost.number if cost is not None and isinstance(cost.number, Decimal) else None
    currency = cost.currency if cost is not None and number is not None else None
    acquired = (cost.date if cost is not None and cost.date else None) or entry.date
    basis = None
    if number is not None and currency is not None:
        rate = book.rate_on(currency, acquired)
        basis = number * rate.rate if rate is not None else None
    value = None
    price = posting.price
    if price is not None and isinstance(price.number, Decimal):
        rate = book.rate_on(price.currency, entry.date)
        value = price.number * rate.rate if rate is not None else None
    else:
        quote = book.rate_on(commodity, entry.date, (currency,) if currency else ())
        value = quote.rate if quote is not None else None
    return Movement(index, entry.date, posting.account, commodity, units, number, currency, acquired, basis,
                    value)


@dataclass(frozen=True)
class Change:
    """What one transaction does to one commodity within a group of accounts (a pool, a depot).

    ``units`` net: above 0 acquired, below 0 disposed of. ``cost``: for an acquisition, its
    total cost in the reporting currency (the postings' own, net of any lot moved within the
    group); ``value``: for a disposal, a unit's worth on the day. ``None``: not known.
    """

    transaction: int
    date: datetime.date
    commodity: str
    units: Decimal
    cost: Decimal | None
    value: Decimal | None
    account: str
    reorganised: bool = False
    """Units that came in at no cost where the same transaction took lots out: a split (or a
    consolidation) written as the ledger's lots replaced, not a purchase."""


def changes(found: Iterable[Movement], within: Callable[[Movement], bool]) -> list[Change]:
    """Each transaction's net change of each commodity in the accounts ``within`` accepts, in order.

    A lot moved in kind between two accounts of the group nets out: no change. One moved
    out of the group is a disposal at its value on the day; one moved in, an acquisition at
    the cost the ledger carries for it.
    """
    groups: dict[tuple[int, str], list[Movement]] = {}
    for movement in found:
        if within(movement):
            groups.setdefault((movement.transaction, movement.commodity), []).append(movement)
    result = []
    for (transaction, commodity), members in groups.items():
        net = sum((m.units for m in members), ZERO)
        if net == 0:
            continue
        cost: Decimal | None = None
        value: Decimal | None = None
        if net > 0:
            if all(m.basis is not None for m in members):
                cost = sum((m.units * (m.basis or ZERO) for m in members), ZERO)
        else:
            priced = [m for m in members if m.units < 0 and m.value is not None]
            if priced:
                value = (sum((-m.units * (m.value or ZERO) for m in priced), ZERO)
                         / sum((-m.units for m in priced), ZERO))
        lead = next((m for m in members if (m.units > 0) == (net > 0)), members[0])
        split = net > 0 and cost == 0 and any(m.units < 0 for m in members)
        result.append(Change(transaction, members[0].date, commodity, net, cost, value, lead.account, split))
    result.sort(key=lambda c: (c.date, c.transaction))
    return result


def household_net(found: Iterable[Movement]) -> dict[tuple[int, str], Decimal]:
    """Units each transaction brings into the household (or takes out), per commodity."""
    nets: dict[tuple[int, str], Decimal] = {}
    for movement in found:
        key = (movement.transaction, movement.commodity)
        nets[key] = nets.get(key, ZERO) + movement.units
    return nets
