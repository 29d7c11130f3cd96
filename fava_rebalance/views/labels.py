"""The words every view prints for an action, a tax term and a lot's cost.

The data keeps the codes (``buy``, ``none``, ``short`` in the JSON and in the CSV and Excel
columns); where a person reads a word (the Fava page, the plan's panel, the terminal, the
text of a lot in the tables) it is one of these, so every view says the same thing.
"""

from __future__ import annotations

from decimal import Decimal

from fava_rebalance.core.allocation import BUY, NONE, SELL
from fava_rebalance.core.formatting import grouped, units
from fava_rebalance.planner.model import (
    ACB,
    FIFO,
    LONG,
    LOT,
    MIXED,
    POOL,
    SAME_DAY,
    SHORT,
    SINGLE,
    THIRTY_DAYS,
    LotSale,
)

ACTIONS = {BUY: "Buy", SELL: "Sell", NONE: "No action"}
TERMS = {SHORT: "Short", LONG: "Long", MIXED: "Mixed", SINGLE: ""}
MATCHES = {SAME_DAY: "Same day", THIRTY_DAYS: "30-day rule", POOL: "Pool cost", ACB: "ACB", FIFO: "FIFO lot"}
NO_COST = "no cost"


def action_label(action: str) -> str:
    """``Buy``, ``Sell`` or ``No action``."""
    return ACTIONS.get(action, action)


def term_label(term: str | None) -> str:
    """``Short``, ``Long`` or ``Mixed`` (held a year or less, more, both); empty without a term.

    Empty too under uk, ca and de (``SINGLE``): one rate whatever the holding period.
    """
    return TERMS.get(term, term) if term else ""


def lot_rule_label(term: str, match: str) -> str:
    """What decided a lot's tax: its term (us: ``Short``, ``Long``) or the rules' match (``Pool cost``)."""
    return term_label(term) if match == LOT else MATCHES.get(match, match)


def averaged_cost(lot: LotSale) -> bool:
    """True when a lot's cost is an average the rules work out (a pool's, an ACB), not the ledger's."""
    return lot.cost is not None and lot.match in (POOL, ACB)


def lot_cost_label(cost: Decimal | None, currency: str | None, match: str) -> str:
    """A lot's cost per unit: as the ledger writes it, or an average (pool, ACB) to the cent."""
    if cost is not None and match in (POOL, ACB):
        return f"{grouped(cost)} {currency or ''}".strip()
    return cost_label(cost, currency)


def cost_label(cost: Decimal | None, currency: str | None) -> str:
    """A lot's cost per unit as the ledger writes it (``590.00 USD``), or ``no cost``."""
    return NO_COST if cost is None else f"{units(cost)} {currency or ''}".strip()
