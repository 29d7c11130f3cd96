"""Asset-class (category) names and splits: parsing and the category hierarchy.

A category is any text without ``,`` or ``%``; ``:`` makes a hierarchy. An ``asset-class``
value is either one name (100%) or parts ``NAME P%`` joined by ``,`` adding up to 100%.
fava_investor's ``asset_allocation_Equity_US: 60`` commodity keys are read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

HUNDRED = Decimal(100)
FAVA_INVESTOR_PREFIX = "asset_allocation_"
_PART = re.compile(r"^(?P<name>[^,%]*?)\s+(?P<pct>[-+]?[0-9][0-9_]*(?:\.[0-9]+)?|[-+]?\.[0-9]+)\s*%$")


@dataclass(frozen=True)
class Share:
    """A part of a holding that belongs to one category; ``fraction`` is of 1."""

    category: str
    fraction: Decimal


class ClassError(ValueError):
    """An ``asset-class`` value that cannot be read; the message says why."""


def check_name(name: str) -> str:
    """Return the normalised category name or raise ``ClassError``."""
    name = name.strip()
    if not name:
        raise ClassError("empty category name")
    if "," in name or "%" in name:
        raise ClassError(f"category name {name!r} may not contain ',' or '%'")
    parts = name.split(":")
    if any(not part.strip() for part in parts):
        raise ClassError(f"category name {name!r} has an empty level between ':'")
    return ":".join(part.strip() for part in parts)


def parse_asset_class(value: object) -> tuple[Share, ...]:
    """Parse an ``asset-class`` metadata value into shares adding up to 1.

    >>> parse_asset_class("Equities:US 60%, Bonds 40%")[1]
    Share(category='Bonds', fraction=Decimal('0.4'))
    """
    if not isinstance(value, str):
        raise ClassError(f"asset-class must be a string in quotes, not {value!r}")
    text = value.strip()
    if not text:
        raise ClassError("asset-class is empty")
    pieces = [piece.strip() for piece in text.split(",")]
    if len(pieces) == 1 and "%" not in pieces[0]:
        return (Share(check_name(pieces[0]), Decimal(1)),)
    percents: dict[str, Decimal] = {}
    for piece in pieces:
        match = _PART.match(piece)
        if match is None:
            raise ClassError(f"malformed asset-class part {piece!r} in {value!r}; expected 'NAME P%'")
        name = check_name(match["name"])
        try:
            pct = Decimal(match["pct"].replace("_", ""))
        except InvalidOperation as exc:  # pragma: no cover - the regex admits numbers only
            raise ClassError(f"bad percentage in {piece!r}") from exc
        if pct <= 0 or pct > HUNDRED:
            raise ClassError(f"percentage of {name!r} must be above 0 and at most 100, not {pct}")
        if name in percents:
            raise ClassError(f"category {name!r} appears twice in {value!r}")
        percents[name] = pct
    total = sum(percents.values(), Decimal(0))
    if total != HUNDRED:
        raise ClassError(f"split {value!r} adds up to {total}%, not 100%")
    return tuple(Share(name, pct / HUNDRED) for name, pct in percents.items())


def mentioned_names(value: object) -> set[str]:
    """Category names a malformed ``asset-class`` seems to mean, for follow-up checks only.

    ``"Bonds 40, Cash 60%"`` mentions ``Bonds`` and ``Cash``: a target on them should not
    also be reported as undeclared when the real problem is the malformed split.
    """
    if not isinstance(value, str):
        return set()
    names = set()
    for piece in value.split(","):
        name = re.sub(r"[\s0-9.+%-]*$", "", piece)
        try:
            names.add(check_name(name))
        except ClassError:
            continue
    return names


def fava_investor_shares(meta: Mapping[str, Any]) -> tuple[Share, ...] | None:
    """Shares from fava_investor's ``asset_allocation_*`` keys, or ``None`` without any.

    ``asset_allocation_Equity_US: 60`` means 60% in ``Equity:US``.
    """
    percents: dict[str, Decimal] = {}
    for key, raw in meta.items():
        if not isinstance(key, str) or not key.startswith(FAVA_INVESTOR_PREFIX):
            continue
        name = check_name(key[len(FAVA_INVESTOR_PREFIX) :].replace("_", ":"))
        if isinstance(raw, bool) or not isinstance(raw, (Decimal, int)):
            raise ClassError(f"{key} must be a number (a percentage), not {raw!r}")
        pct = Decimal(raw)
        if pct < 0 or pct > HUNDRED:
            raise ClassError(f"{key} must be between 0 and 100, not {pct}")
        if pct:
            percents[name] = percents.get(name, Decimal(0)) + pct
    if not percents:
        return None
    total = sum(percents.values(), Decimal(0))
    if total != HUNDRED:
        raise ClassError(f"asset_allocation_* keys add up to {total}%, not 100%")
    return tuple(Share(name, pct / HUNDRED) for name, pct in sorted(percents.items()))


def ancestors(category: str) -> Iterator[str]:
    """The category itself, then its parents, nearest first.

    >>> list(ancestors("Equities:US:Large"))
    ['Equities:US:Large', 'Equities:US', 'Equities']
    """
    parts = category.split(":")
    for end in range(len(parts), 0, -1):
        yield ":".join(parts[:end])


def is_within(category: str, ancestor: str) -> bool:
    """True if ``category`` is ``ancestor`` or one of its descendants."""
    return category == ancestor or category.startswith(ancestor + ":")
