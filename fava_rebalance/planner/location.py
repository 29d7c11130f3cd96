"""Asset location review: holdings of a class that sit in a less suitable type of account.

``custom "rebalance-location" "Bonds" "tax-deferred"`` says where a class is best held. A
holding counts under the nearest of its category and that category's ancestors that has a
location; it is listed when its account's tax status differs, biggest first. The review
advises; the optimiser does not move holdings between accounts (money never moves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from fava_rebalance.core.categories import Share, ancestors
from fava_rebalance.core.declarations import Location
from fava_rebalance.core.formatting import grouped
from fava_rebalance.core.valuation import Holding
from fava_rebalance.planner.model import LocationNote


def review(
    holdings: Iterable[Holding],
    locations: Mapping[str, Location],
    category_of: Callable[[str, str], tuple[Share, ...] | None],
    tax_status_of: Callable[[str], str],
) -> tuple[LocationNote, ...]:
    """Holdings (or parts of split holdings) held in an account type other than preferred."""
    if not locations:
        return ()
    notes: dict[tuple[str, str, str], LocationNote] = {}
    for holding in holdings:
        if holding.value <= 0:
            continue
        status = tax_status_of(holding.account)
        for share in category_of(holding.account, holding.commodity) or ():
            owner = next((name for name in ancestors(share.category) if name in locations), None)
            if owner is None or locations[owner].status == status:
                continue
            key = (holding.account, holding.commodity, owner)
            value = holding.value * share.fraction
            if key in notes:
                value += notes[key].value
            notes[key] = LocationNote(holding.account, holding.commodity, owner, value, status,
                                      locations[owner].status)
    return tuple(sorted(notes.values(), key=lambda n: (-n.value, n.account, n.commodity)))


def describe(note: LocationNote, currency: str) -> str:
    """The note as a sentence naming the class, holding, value and better account type."""
    return (f"{note.category}: {note.commodity} in {note.account} ({grouped(note.value)} {currency}) is in a "
            f"{note.tax_status} account; best held {note.preferred}.")
