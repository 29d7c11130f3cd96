"""The workbook's item/value sheets: the Summary first (what the report is), and the plan's Tax.

The Summary says what every other sheet assumes: the as-of date, the currency, the
portfolio's total, the bands, the cash flow planned, the orders and the tax, and how many
warnings there are. Each row's value keeps its kind (a date, money, a rate, a name), so the
workbook formats it (``workbook``) and Fava's incognito mode knows what to mask.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from fava_rebalance.core.formatting import grouped, plain, round2
from fava_rebalance.core.options import Options
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.model import Plan, TaxSummary
from fava_rebalance.views.plan_summary import plan_summary
from fava_rebalance.views.sheet import (
    BY_ROW,
    COUNT,
    DATE,
    MONEY,
    NAME,
    PERCENT,
    RATE,
    TEXT,
    Column,
    Sheet,
)
from fava_rebalance.views.tax_terms import NO_TAX, has_terms, no_tax, tax_lines
from fava_rebalance.views.tax_terms import PERCENT as TAX_PERCENT

Item = tuple[str, object, str]
"""A row: what it is, its value, the value's kind (``workbook``)."""
ITEM_COLUMNS = {"item": Column("Item", NAME), "value": Column("Value", BY_ROW)}


def item_sheet(title: str, note: str, items: Sequence[Item]) -> Sheet:
    """A two-column sheet of ``items``, each value in its own kind."""
    frame = pd.DataFrame([(item, value) for item, value, _ in items], columns=["item", "value"])
    return Sheet(frame, title, note, ITEM_COLUMNS, row_kinds=tuple(kind for _, _, kind in items))


def bands_text(options: Options) -> str:
    """The band option in words: ``±5.00 points, or ±25.00% of the target where that is narrower``."""
    if options.band is None and options.relative_band is None:
        return "none: any drift from a target is outside its band"
    parts = []
    if options.band is not None:
        parts.append(f"±{plain(options.band)} points")
    if options.relative_band is not None:
        parts.append(f"±{plain(options.relative_band)}% of the target")
    return " or ".join(parts) + (", whichever is narrower" if len(parts) == 2 else "")


def tax_items(plan: Plan) -> list[Item]:
    """The tax summary in the rules' own terms (``tax_terms``), with the break-even's alternatives."""
    items = summary_tax_items(plan.tax)
    for other in plan.alternatives:
        name = other.label.lower()
        items.append((f"Estimated tax, {name}", round2(other.estimated_tax), MONEY))
        items.append((f"Largest drift, {name}", round2(other.largest_drift), PERCENT))
        items.append((f"Outside their band, {name}", ", ".join(other.outside_band) or "none", TEXT))
    return items


def summary_tax_items(tax: TaxSummary) -> list[Item]:
    """A tax summary in the rules' own terms (``tax_terms``): one plan's, or the household's."""
    items: list[Item]
    if no_tax(tax):
        items = [("Tax", NO_TAX, TEXT), ("Trade costs", round2(tax.trade_costs), MONEY)]
    elif not has_terms(tax):
        items = [("Tax rules", tax.rules, NAME)]
        items += [(line.label, line.value if line.kind == TAX_PERCENT else round2(line.value),
                   RATE if line.kind == TAX_PERCENT else MONEY) for line in tax_lines(tax)]
        items.append(("Trade costs", round2(tax.trade_costs), MONEY))
    else:
        items = [
            ("Short-term gain", round2(tax.short_term_gain), MONEY),
            ("Long-term gain", round2(tax.long_term_gain), MONEY),
            ("Estimated tax", round2(tax.estimated_tax), MONEY),
            ("Losses disallowed (wash sales)", round2(tax.disallowed_loss), MONEY),
            ("Earlier losses a buy washes", round2(tax.rebought_loss), MONEY),
            ("Trade costs", round2(tax.trade_costs), MONEY),
            ("Short-term rate", tax.short_term_rate, RATE),
            ("Long-term rate", tax.long_term_rate, RATE),
        ]
    return items


def _flow_items(plan: Plan) -> list[Item]:
    if plan.cash is None or not plan.cash.amount:
        return [("Cash flow", "none: the plan only trades", TEXT)]
    kind = "Deposit" if plan.cash.amount > 0 else "Withdrawal"
    items: list[Item] = [(kind, round2(abs(plan.cash.amount)), MONEY)]
    if plan.cash_account is not None:
        items.append((f"{kind} account", plan.cash_account, NAME))
    return items


def summary_sheet(report: Report, plan: Plan | None) -> Sheet:
    """The Summary sheet: date, currency, total, bands, then the plan's cash flow, orders and tax."""
    options = report.settings.options
    warnings = len(report.errors) + len(report.warnings)
    items: list[Item] = [
        ("As of", report.date, DATE),
        ("Currency", report.currency, NAME),
        ("Portfolio value", round2(report.total), MONEY),
        ("Targets add up to", round2(report.settings.target_total), PERCENT),
        ("Bands", bands_text(options), TEXT),
        ("Smallest trade (min-trade)", round2(options.min_trade), MONEY),
    ]
    if plan is not None:
        warnings += len(plan.errors) + len(plan.warnings)
        tax = plan.tax
        items += _flow_items(plan)
        items += [
            ("Orders", len(plan.trades), COUNT),
            ("The plan", plan.problem or plan_summary(plan, options.min_trade, grouped, report.currency),
             TEXT),
            ("Realized gain, short-term", round2(tax.short_term_gain), MONEY),
            ("Realized gain, long-term", round2(tax.long_term_gain), MONEY),
            ("Estimated tax", round2(tax.estimated_tax), MONEY),
        ]
    items.append(("Warnings", warnings, COUNT))
    note = ("What the other sheets assume. Money in the currency above; percents of the whole "
            "portfolio." if plan is not None else
            "What the other sheets assume. This workbook has no trade plan.")
    return item_sheet(f"Rebalancing report as of {report.date}", note, items)

