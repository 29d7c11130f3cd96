"""Display rounding of exact Decimals: money and percents with two places, half up.

Computation stays exact; only what is shown to people (and the JSON strings) is rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")


def round2(number: Decimal) -> Decimal:
    """``number`` rounded half up to two decimal places, however many digits it has."""
    with localcontext() as context:
        # The default 28 digits cannot hold a huge number with its cents (quantize raises).
        context.prec = max(context.prec, number.adjusted() + 4)
        rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
        return rounded + 0  # adding zero turns "-0.00" into "0.00"


def plain(number: Decimal) -> str:
    """Two decimals, no separators: ``1234.50`` (the JSON and CSV form)."""
    return f"{round2(number):f}"


def grouped(number: Decimal) -> str:
    """Two decimals with thousands separators: ``10,000.00`` (the sentence form)."""
    return f"{round2(number):,f}"


def signed(number: Decimal) -> str:
    """Two decimals with an explicit sign: ``+8.76``, ``-0.13``, ``+0.00`` (differences)."""
    return f"{round2(number):+f}"


def units(number: Decimal) -> str:
    """Units as the ledger has them (no exponent, no rounding)."""
    return f"{number:f}"
