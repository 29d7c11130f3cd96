"""What an order's reason says under uk, ca and de: which cost the rules gave it, and its tax.

The US words stay in ``orders`` (terms, netting, wash sales). Here: the pool's, the ACB's or
the depot's oldest lots' cost, a fund's partial exemption, what is left of the allowance,
Canada's superficial losses, and the UK's 30-day rule on a purchase.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from fava_rebalance.core.formatting import units as units_text
from fava_rebalance.planner.model import POOL, SAME_DAY, TAXABLE, LotSale, WashSale
from fava_rebalance.planner.regime import CA, DE, Regime

ZERO = Decimal(0)
Money = Callable[[Decimal], str]


def percent(share: Decimal) -> str:
    """A fraction as a percentage, exactly: ``0.3`` → ``30%``, ``0.26375`` → ``26.375%``."""
    return f"{(share * 100).normalize():f}%"


def basis_words(regime: Regime, lots: Sequence[LotSale], money: Money) -> str:
    """The cost the rules sell these units at, in words (``at the section 104 pool's cost ...``)."""
    if not lots:
        return ""
    if any(lot.cost is None for lot in lots):
        unknown = "; the ledger has no cost for some of these units: their gain is taken as 0"
    else:
        unknown = ""
    if regime.name == CA:
        lot = lots[0]
        cost = f", {money(lot.cost)} a unit" if lot.cost is not None else ""
        return f"at the adjusted cost base{cost}, averaged over the non-registered accounts{unknown}"
    if regime.name == DE:
        dates = sorted({str(lot.date) for lot in lots if lot.date is not None})
        noun = "lot" if len(lots) == 1 else "lots"
        which = f"the {noun} of {', '.join(dates)}" if dates else "its oldest units"
        return f"first in, first out in the depot: {which}{unknown}"
    parts = []
    for lot in lots:
        if lot.match == POOL:
            cost = f", {money(lot.cost)} a share" if lot.cost is not None else ""
            parts.append(f"{units_text(lot.units)} from the section 104 pool at its average cost{cost}")
        else:
            rule = "the same-day rule" if lot.match == SAME_DAY else "the 30-day rule"
            parts.append(f"{units_text(lot.units)} matched with the purchase of {lot.date} ({rule})")
    return "identified as " + ", then ".join(parts) + unknown


def exempt_words(regime: Regime, commodity: str) -> str:
    """de: ``30% of it exempt (partial exemption)`` for a fund that declares one."""
    share = regime.exempt(commodity)
    return f", {percent(share)} of it exempt (partial exemption)" if share else ""


def one_rate_tax_words(regime: Regime, commodity: str, gain: Decimal, tax: Decimal, result: Decimal,
                       money: Money) -> str:
    """``realizes a gain of ... (about ... tax)``, with why a gain costs no tax where it does not."""
    exempt = exempt_words(regime, commodity)
    if regime.name == CA and gain:
        exempt = f", {percent(regime.inclusion)} of it taxed (inclusion rate)"
    if gain > 0:
        if tax > 0:
            return f"realizes a gain of {money(gain)}{exempt} (about {money(tax)} tax)"
        why = ("within what is left of the allowance" if result > 0
               else "the plan's losses offset it")
        return f"realizes a gain of {money(gain)}{exempt} (no tax: {why})"
    if gain < 0:
        saved = f"; about {money(-tax)} less tax" if tax < 0 else ""
        return f"realizes a loss of {money(-gain)}{exempt}{saved}"
    return "realizes no gain"


def superficial_words(wash: WashSale, money: Money) -> str:
    """ca: which purchase makes the plan's loss superficial, and what becomes of it."""
    fate = ("added to the cost of those units" if wash.status == TAXABLE
            else f"lost for good, as they are in a {wash.status} account")
    return (f"superficial loss: {units_text(wash.units)} {wash.commodity} bought {wash.date} in "
            f"{wash.account} deny {money(wash.disallowed)} of the loss ({fate})")


def superficial_buy_words(wash: WashSale, money: Money) -> str:
    """ca: a buy that makes a loss the ledger realized in the last 30 days superficial."""
    fate = ("added to the cost of the units bought" if wash.status == TAXABLE
            else f"lost for good, as it buys in a {wash.status} account")
    return (f"superficial loss: buys {units_text(wash.units)} of the {wash.commodity} sold at a loss on "
            f"{wash.date} in {wash.account}, which denies {money(wash.disallowed)} of that loss ({fate})")


def rematch_words(commodity: str, dates: Sequence[str]) -> str:
    """uk: a purchase in a general account within 30 days after the ledger's own sale is matched with it."""
    return (f"30-day rule: this purchase is identified with the sale of {commodity} on {', '.join(dates)}, "
            "which changes that sale's gain (in an ISA or SIPP it would not be)")

