"""The ``Regime`` of a report: the ``tax-rules`` option, its rates, and the costs its history gives.

Once per plan (``plan_request``), or once for plans made together (``together``): under uk,
ca and de the ledger's history (``Report.movements``) is replayed through the regime's cost
book (``share_pool``, ``acb``, ``depot_fifo``) to the report date, and the taxable gains its
own sales realized earlier in the tax year give what is left of the allowance. Accounts
count by their ``tax-status``: only taxable ones are in a pool, a depot or an ACB.
"""

from __future__ import annotations

from decimal import Decimal

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.formatting import grouped
from fava_rebalance.core.movements import changes
from fava_rebalance.core.options import ALLOWANCE_CURRENCIES
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.acb import acb_book
from fava_rebalance.planner.depot_fifo import depot_fifo
from fava_rebalance.planner.model import TAXABLE
from fava_rebalance.planner.regime import CA, NONE, UK, US, CostBook, Regime, tax_year_start
from fava_rebalance.planner.share_pool import share_pools

ZERO = Decimal(0)


def regime_of(report: Report, declarations: Declarations) -> Regime:
    """The rules in force on the report's date, with the costs and year's gains they need."""
    options = report.settings.options
    name = options.tax_rules
    if name in (US, NONE):
        return Regime(name)
    date = report.date
    start = tax_year_start(name, date)

    def taxable(account: str) -> bool:
        return declarations.tax_status_of(account) == TAXABLE

    pool = changes(report.movements, lambda m: taxable(m.account))
    book: CostBook
    gains: list[tuple[str, Decimal | None]] = []  # this tax year's sales: commodity, gain
    if name == UK:
        pools = share_pools(pool, date, options.currency)
        gains = [(d.commodity, d.gain) for d in pools.disposals if start <= d.date <= date]
        book = pools
    elif name == CA:
        acb = acb_book(report.movements, pool, date, options.currency, declarations.identical_to,
                       declarations.tax_status_of)
        gains = [(d.commodity, d.allowed if d.gain is not None else None)
                 for d in acb.disposals if start <= d.date <= date]
        book = acb
    else:
        fifo = depot_fifo(report.movements, date, options.currency, taxable, declarations.trading_account)
        gains = [(s.commodity, s.gain) for s in fifo.sales if start <= s.date <= date]
        book = fifo
    regime = Regime(name, options.tax_rate, options.allowance, ZERO, options.inclusion,
                    declarations.partial_exemption, start, book)
    used = sum((regime.factor(c) * g for c, g in gains if g is not None), ZERO)
    warnings = []
    unknown = sorted({c for c, g in gains if g is None})
    if unknown:
        warnings.append(f"the ledger's sales of {', '.join(unknown)} since {start} have no cost or no price "
                        "to work out their gains: the allowance the tax year has used leaves them out")
    home = ALLOWANCE_CURRENCIES.get(name)
    set_here = any(s.name == "allowance" and s.date <= date for s in declarations.options)
    if home is not None and home != options.currency and not set_here:
        warnings.append(f"tax-rules {name}: the allowance defaults to {grouped(options.allowance)} {home}, "
                        f"but the report is in {options.currency}; set the allowance option in "
                        f"{options.currency}")
    return Regime(name, options.tax_rate, options.allowance, used, options.inclusion,
                  declarations.partial_exemption, start, book, tuple(warnings))
