"""The words every view prints for an action, a tax term, a lot's cost and a gliding target.

The data keeps the codes (``buy``, ``none``, ``short`` in the JSON and in the CSV and Excel
columns); where a person reads a word (the Fava page, the plan's panel, the terminal, the
text of a lot in the tables) it is one of these, so every view says the same thing.
"""

from __future__ import annotations

from decimal import Decimal

from fava_rebalance.core.allocation import BUY, NONE, SELL
from fava_rebalance.core.formatting import units
from fava_rebalance.core.targets import Glide
from fava_rebalance.planner.model import LONG, MIXED, SHORT

ACTIONS = {BUY: "Buy", SELL: "Sell", NONE: "No action"}
TERMS = {SHORT: "Short", LONG: "Long", MIXED: "Mixed"}
NO_COST = "no cost"


def action_label(action: str) -> str:
    """``Buy``, ``Sell`` or ``No action``."""
    return ACTIONS.get(action, action)


def term_label(term: str | None) -> str:
    """``Short``, ``Long`` or ``Mixed`` (held a year or less, more, both); empty without a term."""
    return TERMS.get(term, term) if term else ""


def cost_label(cost: Decimal | None, currency: str | None) -> str:
    """A lot's cost per unit as the ledger writes it (``590.00 USD``), or ``no cost``."""
    return NO_COST if cost is None else f"{units(cost)} {currency or ''}".strip()


def glide_label(glide: Glide) -> str:
    """``gliding from 30% (2026-01-01) to 50% (2036-01-01)``: the waypoints' targets as written."""
    return (f"gliding from {units(glide.start.normalize())}% ({glide.start_date}) "
            f"to {units(glide.end.normalize())}% ({glide.end_date})")
