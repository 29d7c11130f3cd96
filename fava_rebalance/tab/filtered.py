"""What a filtered view of the tab says about itself: which filter, and what the targets are a share of.

Fava's account filter (``?account=IRA``) and its advanced filter (``?filter=#tag``) narrow
the holdings that count; the targets stay the household's. So a filtered view applies, say,
a 35% Bonds target to the IRA alone ("Buy 129,255 Bonds" means: for the IRA's holdings to
be 35% bonds). The page says so, with the filtered holdings' value next to the whole
portfolio's. The time filter only sets the date and is not a filter of holdings.
"""

from __future__ import annotations

from decimal import Decimal

from fava_rebalance.tab.page import Numbers
from fava_rebalance.tab.scope import RequestScope


def is_filtered(scope: RequestScope) -> bool:
    """Whether the request narrows the holdings (an account or an advanced filter)."""
    return bool(scope.account or scope.filter)


def filtered_note(scope: RequestScope, total: Decimal, whole: Decimal | None, currency: str,
                  numbers: Numbers) -> str | None:
    """The sentence a filtered view shows (``None`` without a filter).

    ``total``: the value of the holdings the filters keep; ``whole``: the unfiltered
    portfolio's, or ``None`` when it could not be computed.
    """
    if not is_filtered(scope):
        return None
    filters = [f"account {scope.account}" if scope.account else "",
               f"filter {scope.filter}" if scope.filter else ""]
    of_whole = f" of the portfolio's {numbers.money(whole)} {currency}" if whole is not None else ""
    return (f"This view is filtered ({', '.join(f for f in filters if f)}): it counts only the holdings "
            f"that match, {numbers.money(total)} {currency}{of_whole}. The targets are applied to these "
            "holdings as if they were the whole portfolio: each percentage, move and trade below is a share "
            "of them, not of the household. Clear the filter for the household's rebalancing.")
