"""Wash sales across the whole household, IRAs and Roths included (IRS Publication 550).

The rule, as this planner applies it (one definition, used by the optimiser and the report):

- **Replacement shares** for a loss sold on the report date are the units of the same
  commodity, or of one declared substantially identical, acquired in *any* account of the
  ledger in the 30 days before or after it (``recent.window_around``: an acquisition is an
  augmenting lot dated in the window by its own acquisition date).
- The shares of the lot being sold are never its own replacements, whether sold or kept
  (Rev. Rul. 56-602): a purchase of that very lot (same account, commodity, cost, date and
  label) does not count against it. A purchase sold in the same plan replaces nothing. A
  share of a net position (``netposition``: booked without lots, sold at its average cost)
  is the lot its units remain from under first in, first out (``LotFact.bought``): the
  purchase of that lot is its own, every other purchase may replace it.
- Replacement shares are matched, earliest acquisition first, with the loss shares sold in
  the order of their own acquisition (Treas. Reg. §1.1091-1(b), (c); on the same day, the
  larger loss a share first, which the regulation leaves open); each replacement share
  disallows one loss share, once. Within one lot the first units sold are the washed
  ones: selling ``x`` units of a lot that ``c`` replacement units cover washes ``min(x, c)``.
- A disallowed loss is added to the basis of the replacement shares in a taxable account;
  bought in an IRA or a Roth, it is lost for good (Rev. Rul. 2008-5).

The optimiser sees, per lot, ``LotFact.covered`` (``replacements``, at most the lot's units)
and washes the first ``covered`` units sold, lot by lot: when several loss lots of one group
share the same replacements it counts each lot's washed units against all of them, so it
never counts fewer washed units than ``disallowances`` reports, and counts the same when one
lot per group is sold at a loss.

The plan's own buys are replacement shares too, for the losses the ledger has already
realized in the 30 days before the report date (``buyback_disallowances``); the plan never
buys, anywhere, what it sells at a loss (``optimize``), and warns not to buy it back for 31
days (``buy_back_warning``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.recent import WINDOW_DAYS, LotKey, Purchase, RealizedLoss
from fava_rebalance.planner.lots import term_of
from fava_rebalance.planner.model import LotSale, WashSale

ZERO = Decimal(0)
Identical = Callable[[str], frozenset[str]]


def lot_key(lot: Lot) -> LotKey:
    """The key that identifies a lot's purchase: cost, cost currency, date, label."""
    return (lot.cost, lot.cost_currency, lot.date, lot.label)


def own_purchase(purchase: Purchase, account: str, commodity: str, key: LotKey | None) -> bool:
    """True when ``purchase`` bought the very lot ``key`` held in ``account``."""
    return purchase.account == account and purchase.commodity == commodity and purchase.lot == key


def replacements(
    purchases: Iterable[Purchase],
    account: str,
    commodity: str,
    lot: Lot,
    identical_to: Identical,
) -> Decimal:
    """Units acquired in the window that could replace a loss sold from ``lot``."""
    group = identical_to(commodity)
    key = lot_key(lot)
    return sum((p.units for p in purchases
                if p.commodity in group and not own_purchase(p, account, commodity, key)), ZERO)


@dataclass(frozen=True)
class LossSale:
    """The lots of one planned sale in a taxable account (``key`` identifies the trade).

    ``keys``: the purchase key of each lot sold (``LotFact.bought``), where it is not the
    lot's own (a share of a net position, ``netposition``, remains from a ledger lot); empty:
    each lot's own.
    """

    key: int
    account: str
    commodity: str
    lots: tuple[LotSale, ...]
    keys: tuple[LotKey, ...] = ()

    def lot_key(self, index: int) -> LotKey:
        """The purchase key of the ``index``-th lot sold."""
        if self.keys:
            return self.keys[index]
        lot = self.lots[index]
        return (lot.cost, lot.cost_currency, lot.date, lot.label)


def disallowances(
    sales: Sequence[LossSale],
    purchases: Sequence[Purchase],
    identical_to: Identical,
    status_of: Callable[[str], str],
) -> dict[int, tuple[WashSale, ...]]:
    """Per sale, the purchases that disallow its losses (Treas. Reg. §1.1091-1 matching)."""
    left = [p.units for p in purchases]
    bought: dict[tuple[str, str, LotKey | None], list[int]] = {}  # each purchase by its lot
    by_commodity: dict[str, list[int]] = {}
    order = sorted(range(len(purchases)), key=lambda i: (purchases[i].date, purchases[i].account,
                                                          purchases[i].commodity))
    rank = {i: position for position, i in enumerate(order)}
    for i in order:
        p = purchases[i]
        bought.setdefault((p.account, p.commodity, p.lot), []).append(i)
        by_commodity.setdefault(p.commodity, []).append(i)
    for sale in sales:  # the shares sold are not replacements for anything
        for index, lot in enumerate(sale.lots):
            gone = lot.units  # taken from the lot's purchases (several, when bought in parts)
            for i in bought.get((sale.account, sale.commodity, sale.lot_key(index)), ()):
                used = min(left[i], gone)
                left[i] -= used
                gone -= used
    losses = sorted(
        ((sale, index) for sale in sales for index, lot in enumerate(sale.lots)
         if lot.gain < 0 and lot.units > 0),
        key=lambda item: (item[0].lots[item[1]].date or datetime.date.min,
                          item[0].lots[item[1]].gain / item[0].lots[item[1]].units, item[0].key, item[1]))
    found: dict[int, list[WashSale]] = {}
    for sale, index in losses:
        lot = sale.lots[index]
        group = identical_to(sale.commodity)
        key = sale.lot_key(index)
        loss_per_unit = -lot.gain / lot.units
        need = lot.units
        for i in sorted((i for c in group for i in by_commodity.get(c, ())), key=rank.__getitem__):
            p = purchases[i]
            if need <= 0:
                break
            if p.commodity not in group or left[i] <= 0 or own_purchase(p, sale.account, sale.commodity, key):
                continue
            matched = min(need, left[i])
            left[i] -= matched
            need -= matched
            found.setdefault(sale.key, []).append(
                WashSale(p.account, p.commodity, p.date, matched, matched * loss_per_unit,
                         status_of(p.account), lot.term))
    return {key: tuple(washes) for key, washes in found.items()}


@dataclass(frozen=True)
class PlannedBuy:
    """A buy of the plan (``key`` identifies the trade), a replacement for earlier losses."""

    key: int
    account: str
    commodity: str
    units: Decimal


@dataclass(frozen=True)
class OpenLoss:
    """What is left of a loss the ledger realized in the window, not washed by its own purchases.

    ``loss`` is per unit, in the reporting currency; ``term`` the loss's character.
    """

    sale: RealizedLoss
    units: Decimal
    loss: Decimal
    term: str


def open_losses(
    losses: Sequence[RealizedLoss],
    purchases: Sequence[Purchase],
    identical_to: Identical,
    status_of: Callable[[str], str],
    rate_of: Callable[[str], Decimal | None],
    date: datetime.date,
) -> list[OpenLoss]:
    """Losses realized in taxable accounts in the 30 days before ``date`` that a buy now would wash.

    The ledger's own acquisitions within 30 days of each sale are matched with it first
    (earliest first), as they came first; what they leave is open. Losses in a currency
    without a rate into the reporting currency are left out.
    """
    left = [p.units for p in purchases]
    found: list[OpenLoss] = []
    for sale in sorted(losses, key=lambda s: (s.acquired or datetime.date.min, -s.loss, s.date, s.account)):
        if status_of(sale.account) != "taxable" or sale.date > date:
            continue
        rate = rate_of(sale.currency)
        if rate is None:
            continue
        group = identical_to(sale.commodity)
        window = datetime.timedelta(days=WINDOW_DAYS)
        need = sale.units
        for i, p in enumerate(purchases):
            if need <= 0:
                break
            if (p.commodity not in group or left[i] <= 0 or abs(p.date - sale.date) > window
                    or own_purchase(p, sale.account, sale.commodity, sale.lot)):
                continue
            matched = min(need, left[i])
            left[i] -= matched
            need -= matched
        if need > 0:
            term = term_of(sale.acquired, sale.date)
            found.append(OpenLoss(sale, need, sale.loss * rate, term))
    return found


def buyback_disallowances(
    buys: Sequence[PlannedBuy],
    losses: Sequence[OpenLoss],
    identical_to: Identical,
    status_of: Callable[[str], str],
) -> dict[int, tuple[WashSale, ...]]:
    """Per buy of the plan, the earlier losses it washes (matched with the oldest loss shares first).

    Each ``WashSale`` names the *sale* it washes (its account, commodity and date); its
    ``status`` is the buying account's: a loss washed by a buy in an IRA is lost for good.
    """
    left = [loss.units for loss in losses]
    found: dict[int, list[WashSale]] = {}
    for buy in buys:
        need = buy.units
        for i, loss in enumerate(losses):
            if need <= 0:
                break
            if loss.sale.commodity not in identical_to(buy.commodity) or left[i] <= 0:
                continue
            matched = min(need, left[i])
            left[i] -= matched
            need -= matched
            found.setdefault(buy.key, []).append(
                WashSale(loss.sale.account, loss.sale.commodity, loss.sale.date, matched, matched * loss.loss,
                         status_of(buy.account), loss.term, of_sale=True))
    return {key: tuple(washes) for key, washes in found.items()}


def buy_back_warning(commodity: str, identical: Iterable[str], date: datetime.date) -> str:
    """Tell the user not to buy back what the plan sells at a loss for 31 days."""
    others = sorted(set(identical) - {commodity})
    also = f" (nor {', '.join(others)}, substantially identical)" if others else ""
    until = date + datetime.timedelta(days=WINDOW_DAYS + 1)
    return (f"{commodity} is sold at a loss: do not buy it back{also} in any account, IRAs and Roths "
            f"included, for 31 days (not before {until}), or the loss becomes a wash sale.")


def open_loss_warning(loss: OpenLoss, identical: Iterable[str], currency: str,
                      formatted: Callable[[Decimal], str]) -> str:
    """Tell the user that a loss the ledger realized recently is washed by buying it back now."""
    sale = loss.sale
    others = sorted(set(identical) - {sale.commodity})
    also = f" (or {', '.join(others)}, substantially identical)" if others else ""
    until = sale.date + datetime.timedelta(days=WINDOW_DAYS + 1)
    return (f"{sale.commodity} was sold at a loss in {sale.account} on {sale.date} "
            f"({formatted(loss.units * loss.loss)} {currency} on {loss.units:f} units): buying it{also} "
            f"in any account before {until} disallows that loss.")

