"""The tax rules in force (``tax-rules``, SPEC §7): what every part of the planner asks of them.

A regime says which cost a sale uses, which losses are denied or rematched, how the gain is
taxed, and which accounts are outside the rules:

- ``us``: the lots the plan picks; wash sales (``washsale``); short- and long-term rates, netted.
- ``uk``: same day, the next 30 days, the section 104 pool (``share_pool``); the 30-day
  matching itself; ``tax-rate`` above the ``allowance``.
- ``ca``: the adjusted cost base (``acb``); superficial losses; ``tax-rate`` × ``inclusion``.
- ``de``: the depot's oldest lot (``depot_fifo``); no loss rule; ``tax-rate`` above the
  ``allowance``, on the gain less each fund's ``partial-exemption``.
- ``none``: no tax.

Accounts whose ``tax-status`` is not taxable (IRA, Roth, ISA, SIPP, TFSA, RRSP) are outside
every regime's rules: no tax, no pool, no matching. ``us`` is today's planner exactly: the
other regimes plug in where it asks a ``Regime`` (``taxed``, ``picks_lots``, ``one_rate``).

Under uk, ca and de a plan's result is one figure: each sale's gain at the regime's cost
times the regime's ``factor`` (ca its inclusion, de one less the fund's exemption), summed.
The tax is ``rate × max(used + result − allowance, 0)`` less what the year's earlier sales
already owe, ``rate × max(used − allowance, 0)``: the allowance is what is left of it after
the gains the ledger realized earlier in the same tax year (``used``), and a net loss saves
tax only against those gains (carried-forward and carried-back losses are not modelled).
That is convex and piecewise linear in the result, so the optimiser models it exactly with
one variable (``optimize``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from fava_rebalance.core.options import TAX_RULES
from fava_rebalance.planner.lots import LotFact
from fava_rebalance.planner.model import TAXABLE

ZERO = Decimal(0)
ONE = Decimal(1)
US, UK, CA, DE, NONE = TAX_RULES


def tax_year_start(rules: str, date: datetime.date) -> datetime.date:
    """The first day of the tax year ``date`` is in: 6 April in the UK, 1 January elsewhere."""
    if rules == UK:
        start = datetime.date(date.year, 4, 6)
        return start if date >= start else datetime.date(date.year - 1, 4, 6)
    return datetime.date(date.year, 1, 1)


class CostBook(Protocol):
    """Where a regime's costs come from: the units a sale of a holding takes, in order."""

    def facts(self, account: str, commodity: str, units: Decimal, price: Decimal,
              rate: Decimal) -> tuple[LotFact, ...]:
        """``units`` of ``commodity`` held in ``account``, priced ``price``, as the rules sell them.

        ``rate`` is each unit's tax rate (the regime's rate times its factor), for the
        order in which losses and gains are weighed.
        """


@dataclass(frozen=True)
class Regime:
    """The tax rules in force for one plan, with what they need from the ledger's history.

    ``used``: the taxable gains (after ``factor``) the ledger's own sales realized earlier
    in the tax year starting ``year_start``, in taxable accounts; ``book`` the costs
    (``share_pool``, ``acb``, ``depot_fifo``); ``warnings`` what the user should know (a
    default allowance in another currency). ``us`` and ``none`` need neither.
    """

    name: str = US
    rate: Decimal = ZERO
    allowance: Decimal = ZERO
    used: Decimal = ZERO
    inclusion: Decimal = ONE
    exemptions: Mapping[str, Decimal] = field(default_factory=dict)
    year_start: datetime.date | None = None
    book: CostBook | None = None
    warnings: tuple[str, ...] = ()

    @property
    def picks_lots(self) -> bool:
        """True when a sale may take any lot (us); the other regimes fix each unit's cost."""
        return self.name == US

    @property
    def taxes(self) -> bool:
        """False under ``none``: no tax figures at all."""
        return self.name != NONE

    @property
    def one_rate(self) -> bool:
        """True under uk, ca and de: one rate on one result, with an allowance."""
        return self.name in (UK, CA, DE)

    @property
    def denies_losses(self) -> bool:
        """True when buying the property sold at a loss, in any account, denies the loss (us, ca)."""
        return self.name in (US, CA)

    @property
    def rematches(self) -> bool:
        """True when buying back in a taxable account within 30 days rematches the sale (uk)."""
        return self.name == UK

    def taxed(self, status: str) -> bool:
        """Whether a sale in an account of ``status`` is taxed under these rules."""
        return self.taxes and status == TAXABLE

    def exempt(self, commodity: str) -> Decimal:
        """The share of a gain on ``commodity`` that is exempt: de's ``partial-exemption``, else 0."""
        return self.exemptions.get(commodity, ZERO) if self.name == DE else ZERO

    def factor(self, commodity: str) -> Decimal:
        """The share of a gain (or loss) on ``commodity`` that is taxed (ca: inclusion; de: 1 − exempt)."""
        if self.name == CA:
            return self.inclusion
        return ONE - self.exempt(commodity)

    def tax(self, taxable: Decimal) -> Decimal:
        """The tax on a plan whose taxable result (after ``factor``) is ``taxable``.

        ``rate`` on what the year's taxable gains exceed the allowance by, with the plan,
        less the same without it: negative only where the plan's losses offset gains the
        ledger realized earlier in the year above the allowance.
        """
        if not self.one_rate:
            return ZERO
        before = max(self.used - self.allowance, ZERO)
        return self.rate * (max(self.used + taxable - self.allowance, ZERO) - before)

    @property
    def allowance_left(self) -> Decimal:
        """What is left of the allowance before the plan (the year's earlier gains used the rest)."""
        return min(max(self.allowance - self.used, ZERO), self.allowance)
