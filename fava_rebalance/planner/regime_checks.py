"""After the optimiser, under uk, ca and de: the exact lots, the denied losses and the warnings.

- **uk**: all of a day's disposals of a security are one disposal (TCGA 1992 s 105), so the
  sales of one security from several general accounts share its tranches (same day, 30
  days, pool): ``identified`` hands them out in order, exactly.
- **ca**: the plan's losses that the window's purchases make superficial (``superficial``),
  and the ledger's recent losses a purchase now would (``replaced_losses``).
- the buy-back warnings each regime gives (``regime_warnings``): Canada's superficial loss,
  the UK's 30-day rule; Germany has no such rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from fava_rebalance.core.formatting import grouped
from fava_rebalance.core.recent import WINDOW_DAYS, RealizedLoss
from fava_rebalance.planner.acb import AcbBook
from fava_rebalance.planner.accounts import Household
from fava_rebalance.planner.depot_fifo import DepotFifo
from fava_rebalance.planner.lots import LotFact
from fava_rebalance.planner.model import SINGLE, Trade, WashSale
from fava_rebalance.planner.regime import CA, UK, Regime
from fava_rebalance.planner.share_pool import Disposal, SharePools
from fava_rebalance.planner.trades import Draft
from fava_rebalance.planner.washsale import OpenLoss

ZERO = Decimal(0)
Identical = Callable[[str], frozenset[str]]


def identified(h: Household, draft: Draft) -> Draft:
    """Sales of one security that share their units' costs, given them in turn; else ``draft``.

    uk: a day's sales from every general account share the security's tranches; de: sales
    from accounts of one depot share its oldest lots.
    """
    book = h.regime.book
    if not isinstance(book, SharePools | DepotFifo):
        return draft
    lots: dict[int, list[tuple[LotFact, Decimal]]] = dict(draft.lots)
    shared: dict[tuple[str, str], list[int]] = {}
    for key in sorted(draft.sells):
        option = h.sells[key]
        if option.taxed:
            place = option.trading_account if isinstance(book, DepotFifo) else ""
            shared.setdefault((place, option.holding.commodity), []).append(key)
    for (_, commodity), keys in shared.items():
        first = h.sells[keys[0]]
        rate = h.regime.rate * h.regime.factor(commodity)
        sales = [(k, draft.sells[k]) for k in keys]
        if isinstance(book, DepotFifo):
            lots.update(book.allocate(first.holding.account, commodity, sales, first.price, rate))
        else:
            lots.update(book.allocate(commodity, sales, first.price, rate))
    return Draft(draft.sells, draft.buys, lots)


def superficial(h: Household, draft: Draft,
                status_of: Callable[[str], str]) -> dict[int, tuple[WashSale, ...]]:
    """ca: per sale at a loss in a non-registered account, the purchases that make it superficial."""
    book = h.regime.book
    if not isinstance(book, AcbBook):
        return {}
    sales = []
    sold: dict[str, Decimal] = {}
    for key, units in sorted(draft.sells.items()):
        option = h.sells[key]
        sold[option.holding.commodity] = sold.get(option.holding.commodity, ZERO) + units
        loss = -sum((units_ * f.gain_per_unit for f, units_ in draft.lots.get(key, [])), ZERO)
        if option.taxed and loss > 0:
            sales.append((key, option.holding.commodity, units, loss))
    return book.superficial(sales, sold, status_of)


def replaced_losses(regime: Regime, currency: str) -> list[OpenLoss]:
    """ca: the ledger's losses of the last 30 days (at the ACB) that a purchase now would deny, in part."""
    book = regime.book
    if not isinstance(book, AcbBook):
        return []
    found = []
    for sale in book.recent_losses():
        units = sale.units - sale.denied_units
        loss = -(sale.gain or ZERO) / sale.units
        realized = RealizedLoss(sale.account, sale.commodity, units, sale.date, None, loss, currency)
        found.append(OpenLoss(realized, units, loss, SINGLE))
    return found


def _after(date: datetime.date) -> datetime.date:
    return date + datetime.timedelta(days=WINDOW_DAYS + 1)


def regime_warnings(regime: Regime, trades: Sequence[Trade], open_losses: Sequence[OpenLoss],
                    recent: Sequence[Disposal], identical_to: Identical, date: datetime.date,
                    currency: str) -> list[str]:
    """What not to buy back, and when, under the rules in force (the US words are ``washsale``'s)."""
    found: list[str] = []
    taxed = [t for t in trades if t.action == "sell" and t.lots]
    if regime.name == CA:
        for commodity in sorted({t.commodity for t in taxed if t.gain < 0}):
            others = sorted(identical_to(commodity) - {commodity})
            also = f" (nor {', '.join(others)}, identical property)" if others else ""
            found.append(f"{commodity} is sold at a loss: do not buy it{also} in any account, TFSAs "
                         f"and RRSPs included, for 30 days (not before {_after(date)}), or the loss "
                         "becomes superficial (and in a TFSA or RRSP it is lost for good).")
        for loss in open_losses:
            sale = loss.sale
            found.append(f"{sale.commodity} was sold at a loss in {sale.account} on {sale.date} "
                         f"({grouped(loss.units * loss.loss)} {currency} on {loss.units:f} units, at the "
                         f"ACB): buying it in any account before {_after(sale.date)} makes that loss "
                         "superficial.")
    if regime.name == UK:
        for commodity in sorted({t.commodity for t in taxed}):
            found.append(f"{commodity} is sold in a general account: buying it back in a general "
                         f"account within 30 days (before {_after(date)}) is matched with this sale (the "
                         "30-day rule) and changes its gain; buying it in an ISA or SIPP is not "
                         "(\"bed and ISA\").")
        for commodity in sorted({d.commodity for d in recent} - {t.commodity for t in taxed}):
            last = max(d.date for d in recent if d.commodity == commodity)
            found.append(f"{commodity} was sold in a general account on {last}: buying it in a general "
                         f"account before {_after(last)} is matched with that sale (the 30-day rule), "
                         "which changes its gain.")
    return found
