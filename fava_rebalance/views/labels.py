"""The words every view prints for an action, a tax term, a lot's cost, a gliding target and a break-even.

The data keeps the codes (``buy``, ``none``, ``short`` in the JSON and the CSV columns);
where a person reads a word (the Fava page, the plan's panel, the terminal, the workbook,
the text of a lot in the tables) it is one of these, so every view says the same thing.

A lot the ledger gives no cost or no date for is said to be so, in words: the planner
counts a lot without a cost as no gain (its term then changes nothing), and one without a
date as held short-term (the higher rate); neither is shown as if the ledger said it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fava_rebalance.core.allocation import BUY, NONE, SELL
from fava_rebalance.core.formatting import grouped, round2, units
from fava_rebalance.core.targets import Glide
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
    Alternative,
    LotSale,
    Trade,
)

ACTIONS = {BUY: "Buy", SELL: "Sell", NONE: "No action"}
TERMS = {SHORT: "Short", LONG: "Long", MIXED: "Mixed", SINGLE: ""}
MATCHES = {SAME_DAY: "Same day", THIRTY_DAYS: "30-day rule", POOL: "Pool cost", ACB: "ACB", FIFO: "FIFO lot"}
NO_COST = "no cost"
NOT_IN_LEDGER = "not in the ledger"
ASSUMED = " (assumed: no date)"
NO_COST_WORDS = "no cost in the ledger, so no gain is counted"


def action_label(action: str) -> str:
    """``Buy``, ``Sell`` or ``No action``."""
    return ACTIONS.get(action, action)


def term_label(term: str | None) -> str:
    """``Short``, ``Long`` or ``Mixed`` (held a year or less, more, both); empty without a term.

    Empty too under uk, ca and de (``SINGLE``): one rate whatever the holding period.
    """
    return TERMS.get(term, term) if term else ""


def cost_label(cost: Decimal | None, currency: str | None,
               number: Callable[[Decimal], str] = units) -> str:
    """A lot's cost per unit as the ledger writes it (``590.00 USD``), or ``no cost``.

    ``number`` writes the figure (the tab passes Fava's format, with every decimal kept).
    """
    return NO_COST if cost is None else f"{number(cost)} {currency or ''}".strip()


def lot_rule_label(term: str, match: str) -> str:
    """What decided a lot's tax: its term (us: ``Short``, ``Long``) or the rules' match (``Pool cost``)."""
    return term_label(term) if match == LOT else MATCHES.get(match, match)


def averaged_cost(lot: LotSale) -> bool:
    """True when a lot's cost is an average (a pool's, an ACB, a net position's), not a ledger lot's."""
    return lot.cost is not None and (lot.match in (POOL, ACB) or lot.averaged)


def lot_date_label(lot: LotSale) -> str:
    """When the lot was bought (``2024-01-10``), ``not in the ledger``, or nothing for a pool or ACB."""
    if lot.date is not None:
        return lot.date.isoformat()
    return "" if lot.match in (POOL, ACB) else NOT_IN_LEDGER


def lot_cost_label(lot: LotSale, number: Callable[[Decimal], str] = units,
                   average: Callable[[Decimal], str] = grouped) -> str:
    """The lot's cost per unit (``590.00 USD``), an average (pool, ACB) to the cent, or not in the ledger."""
    if lot.cost is None:
        return NOT_IN_LEDGER
    if averaged_cost(lot):
        return f"{average(lot.cost)} {lot.cost_currency or ''}".strip()
    return cost_label(lot.cost, lot.cost_currency, number)


def lot_term_label(lot: LotSale) -> str:
    """What decided a lot's tax, in words: its term, or outside the US the rules' match.

    ``Short``, ``Long``; ``Short (assumed: no date)`` for an undated lot; ``Pool cost``,
    ``FIFO lot`` under uk, ca, de; empty without a cost.
    """
    if lot.cost is None:
        return ""
    if lot.match != LOT:
        return lot_rule_label(lot.term, lot.match)
    return term_label(lot.term) + (ASSUMED if lot.date is None else "")


def lot_words(lot: LotSale, money: Callable[[Decimal], str]) -> str:
    """One lot of a sale in a sentence, saying what the ledger does not give.

    ``2024-01-10: 50 at 590.00 USD, gain -2,000.00, short-term``;
    ``180.000 units with no cost in the ledger, so no gain is counted (bought: not in the ledger)``;
    outside the US, what the rules matched the units with: ``Pool cost: 10 at 12.34 GBP, gain 5.00``.
    """
    if lot.cost is None:
        return f"{units(lot.units)} units with {NO_COST_WORDS} (bought: {lot_date_label(lot)})"
    if lot.match != LOT:
        when = f" {lot.date}" if lot.date else ""
        return (f"{lot_rule_label(lot.term, lot.match)}{when}: {units(lot.units)} at {lot_cost_label(lot)}, "
                f"gain {money(lot.gain)}")
    term = f"{term_label(lot.term).lower()}-term"
    if lot.date is None:
        term += ", assumed: the ledger does not date it"
    return (f"{lot_date_label(lot)}: {units(lot.units)} at {lot_cost_label(lot)}, "
            f"gain {money(lot.gain)}, {term}")


def gain_known(trade: Trade) -> bool:
    """Whether the trade's gain comes from costs the ledger states (not: every lot without a cost)."""
    return not trade.lots or any(lot.cost is not None for lot in trade.lots)


def trade_term_label(trade: Trade) -> str:
    """The order's term in words: empty when no lot has a cost, ``(assumed…)`` when a lot has no date."""
    if not gain_known(trade) or any(lot.match != LOT for lot in trade.lots):
        return ""  # no cost, or rules without a holding period (the lots say what they matched)
    assumed = any(lot.cost is not None and lot.date is None for lot in trade.lots)
    return term_label(trade.term) + (ASSUMED if assumed else "")


def glide_label(glide: Glide) -> str:
    """``gliding from 30% (2026-01-01) to 50% (2036-01-01)``: the waypoints' targets as written."""
    return (f"gliding from {units(glide.start.normalize())}% ({glide.start_date}) "
            f"to {units(glide.end.normalize())}% ({glide.end_date})")


def saving_words(other: Alternative, tax: Decimal, currency: str, money: Callable[[Decimal], str]) -> str:
    """What ``other`` (one of ``Plan.alternatives``) costs in tax against the plan's ``tax``, in a sentence.

    The saving is the difference of the two figures as shown (each rounded to the cent), so
    that the sentence adds up with the figures beside it. ``money``: the view's number format.
    """
    saving = round2(tax) - round2(other.estimated_tax)
    cost = f"{other.label}: {money(other.estimated_tax)} {currency} of tax"
    if saving > 0:
        return f"{cost}, {money(saving)} {currency} less than this plan, at the price of the drift it leaves"
    return f"{cost}, no less than this plan"
