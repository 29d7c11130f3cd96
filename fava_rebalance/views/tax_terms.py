"""The tax panel in each regime's own terms (SPEC §7), for the tab, the workbook and the terminal.

The US summary keeps its short- and long-term rows (each view writes them as before). Under
uk, ca and de there is no holding period: the lines say what the rules do instead, the gain
at the regime's cost (the section 104 pool, the adjusted cost base, the depot's oldest lots),
what is exempt or included, the allowance and what the tax year's earlier sales left of it,
the rate and the estimate. Under none there are no tax figures at all, and one sentence
says so instead of a row of zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fava_rebalance.planner import regime_words
from fava_rebalance.planner.model import TaxSummary

ZERO = Decimal(0)
MONEY, PERCENT = "money", "percent"
NO_TAX = ("No tax figures: the ledger's tax-rules is none (no tax on gains: the Netherlands' box 3, "
          "Swiss private investors).")
GAIN_AT = {
    "uk": "Gain (same day, 30 days, section 104 pool cost)",
    "ca": "Gain at the adjusted cost base (ACB)",
    "de": "Gain (first in, first out: each depot's oldest lot)",
}


@dataclass(frozen=True)
class TaxLine:
    """One line of the panel: a label and an amount (``MONEY``) or a rate (``PERCENT``, a fraction)."""

    label: str
    value: Decimal
    kind: str = MONEY


def has_terms(tax: TaxSummary) -> bool:
    """True where the summary is in short- and long-term (us); the others have their own lines."""
    return tax.rules == "us"


def no_tax(tax: TaxSummary) -> bool:
    """True under ``tax-rules none``: show ``NO_TAX`` instead of figures."""
    return tax.rules == "none"


def tax_lines(tax: TaxSummary) -> tuple[TaxLine, ...]:
    """The lines of a uk, ca or de summary, in the order a person reads them (empty for us and none)."""
    if tax.rules not in GAIN_AT:
        return ()
    lines = [TaxLine(GAIN_AT[tax.rules], tax.gain)]
    if tax.disallowed_loss:
        lines.append(TaxLine("Superficial losses denied", tax.disallowed_loss))
    if tax.rebought_loss:
        lines.append(TaxLine("Earlier losses a buy makes superficial", tax.rebought_loss))
    if tax.exempt_gain:
        lines.append(TaxLine("Exempt (partial exemption)", tax.exempt_gain))
    if tax.rules == "ca":
        lines.append(TaxLine("Inclusion rate", tax.inclusion, PERCENT))
    if tax.rules != "uk" or tax.included_gain != tax.gain:
        lines.append(TaxLine("Taxable gain", tax.included_gain))
    if tax.allowance or tax.allowance_used:
        since = f" since {tax.year_start}" if tax.year_start is not None else ""
        lines.append(TaxLine("Allowance", tax.allowance))
        lines.append(TaxLine(f"Used by the ledger's sales{since}", tax.allowance_used))
        lines.append(TaxLine("Allowance left", tax.allowance_left))
    lines.append(TaxLine("Rate", tax.rate, PERCENT))
    lines.append(TaxLine("Estimated tax", tax.estimated_tax))
    return tuple(lines)


percent = regime_words.percent  # a fraction as a percentage, exactly: 0.26375 → 26.375%
