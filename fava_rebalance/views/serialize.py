"""The report and its plan as plain data (SPEC §3 JSON): numbers as strings, rounded.

Money and percents have two decimals, units are as the ledger has them. Used by
``bean-rebalance --format json`` and the Fava page's JSON endpoint, so both give the same
figures.
"""

from __future__ import annotations

from typing import Any

from fava_rebalance.core.formatting import grouped, plain, units
from fava_rebalance.core.pipeline import Report
from fava_rebalance.core.review import NO_REVIEW
from fava_rebalance.planner.model import (
    LOT,
    RAISE_CASH_ONLY,
    SINGLE,
    WITHOUT_TAXABLE_SALES,
    AfterRow,
    Alternative,
    LotSale,
    Plan,
    TaxSummary,
    Trade,
)
from fava_rebalance.views.history_data import day, review_to_dict
from fava_rebalance.views.moves_vs_plan import compare
from fava_rebalance.views.tax_terms import GAIN_AT, NO_TAX


def report_to_dict(report: Report, plan: Plan | None = None) -> dict[str, Any]:
    """SPEC §3 object for ``report``; with ``plan``, its keys (``trades``, ``tax``, ``after``...)."""
    alloc = report.allocation
    band = report.band_deposit.amount
    data: dict[str, Any] = {
        "date": report.date.isoformat(),
        "currency": report.currency,
        "total": plain(alloc.total),
        "targeted": [
            {
                "category": row.category,
                "value": plain(row.value),
                "percent": plain(row.percent),
                "target": plain(row.target),
                "difference": plain(row.difference),
                "amount": plain(row.amount),
                "action": row.action,
                "band": plain(row.band),
                "outside_since": day(report.since(row.category)),
            }
            for row in alloc.targeted
        ],
        "untargeted": [
            {"category": row.category, "value": plain(row.value), "percent": plain(row.percent)}
            for row in alloc.untargeted
        ],
        "uncategorized": [
            {
                "commodity": row.commodity,
                "accounts": list(row.accounts),
                "value": plain(row.value),
                "percent": plain(row.percent),
            }
            for row in alloc.uncategorized
        ],
        "moves": list(report.moves_text),
        "trades": [],
        "tax": {"short_term_gain": "0.00", "long_term_gain": "0.00", "estimated_tax": "0.00"},
        "after": [],
        "cash_needed": plain(report.cash_needed),
        "cash_needed_band": None if band is None else plain(band),
        "warnings": [*(e.describe() for e in report.errors), *report.warnings],
        "review": review_to_dict(report.review or NO_REVIEW),
    }
    if plan is not None:
        planned = plan_to_dict(plan)
        planned["warnings"] = [*data["warnings"], *planned["warnings"]]
        data.update(planned)
        versus = compare(report.suggested, plan, grouped, report.currency)
        data["moves_vs_plan"] = None if versus is None else {
            "note": versus.note,
            "categories": [{"category": d.category, "move": plain(d.move), "plan": plain(d.plan)}
                           for d in versus.differences],
        }
    return data


def _after(row: AfterRow) -> dict[str, Any]:
    return {
        "category": row.category,
        "percent": plain(row.percent),
        "value": plain(row.value),
        "target": plain(row.target),
        "difference": plain(row.difference),
        "before": plain(row.percent_before),
        "within_band": row.within_band,
    }


def _trade(trade: Trade) -> dict[str, Any]:
    return {
        "account": trade.account,
        "trading_account": trade.trading_account,
        "tax_status": trade.tax_status,
        "action": trade.action,
        "commodity": trade.commodity,
        "units": units(trade.units),
        "price": plain(trade.price),
        "amount": plain(trade.amount),
        "gain": plain(trade.gain),
        "term": trade.term,
        "tax": plain(trade.tax),
        "booking": trade.booking or None,
        "average_cost": None if trade.average_cost is None else plain(trade.average_cost),
        "average_currency": trade.average_currency,
        "lots": [_lot(lot) for lot in trade.lots],
        "wash_sales": [
            {
                "account": wash.account,
                "commodity": wash.commodity,
                "date": wash.date.isoformat(),
                "units": units(wash.units),
                "disallowed": plain(wash.disallowed),
                "buys_back_a_sale": wash.of_sale,
                "lost_for_good": wash.status != "taxable",
            }
            for wash in trade.washes
        ],
        "reason": trade.reason,
    }


def _lot(lot: LotSale) -> dict[str, Any]:
    """A lot sold; under uk, ca and de no ``term`` but a ``match`` (``section 104 pool``, ``ACB`` ...)."""
    found: dict[str, Any] = {
        "date": day(lot.date),
        "units": units(lot.units),
        "cost": units(lot.cost) if lot.cost is not None else None,
        "cost_currency": lot.cost_currency,
        "gain": plain(lot.gain),
        "term": None if lot.term == SINGLE else lot.term,
        "averaged": lot.averaged,
    }
    if lot.match != LOT:
        found["match"] = lot.match
    return found


def _alternative(alternative: Alternative) -> dict[str, Any]:
    return {
        "label": alternative.label,
        "estimated_tax": plain(alternative.estimated_tax),
        "largest_drift": plain(alternative.largest_drift),
        "outside_band": list(alternative.outside_band),
        "trades": str(alternative.trades),
        "after": [_after(r) for r in alternative.after],
    }


def tax_to_dict(tax: TaxSummary) -> dict[str, Any]:
    """The tax summary: US terms, or (``rules`` uk, ca, de) the regime's; under none no figures.

    The short- and long-term keys stay, ``null`` where the rules have no holding period.
    """
    if tax.rules in GAIN_AT:
        return {
            "rules": tax.rules,
            "short_term_gain": None,
            "long_term_gain": None,
            "gain": plain(tax.gain),
            "exempt_gain": plain(tax.exempt_gain),
            "inclusion": f"{tax.inclusion:f}",
            "taxable_gain": plain(tax.included_gain),
            "allowance": plain(tax.allowance),
            "allowance_used": plain(tax.allowance_used),
            "allowance_left": plain(tax.allowance_left),
            "tax_year_start": day(tax.year_start),
            "rate": f"{tax.rate:f}",
            "estimated_tax": plain(tax.estimated_tax),
            "disallowed_loss": plain(tax.disallowed_loss),
            "rebought_loss": plain(tax.rebought_loss),
            "trade_costs": plain(tax.trade_costs),
        }
    if tax.rules == "none":
        return {"rules": "none", "short_term_gain": None, "long_term_gain": None, "estimated_tax": None,
                "note": NO_TAX, "trade_costs": plain(tax.trade_costs)}
    return {
        "short_term_gain": plain(tax.short_term_gain),
        "long_term_gain": plain(tax.long_term_gain),
        "estimated_tax": plain(tax.estimated_tax),
        "disallowed_loss": plain(tax.disallowed_loss),
        "rebought_loss": plain(tax.rebought_loss),
        "trade_costs": plain(tax.trade_costs),
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The planner's keys: ``plan``, ``trades``, ``accounts``, ``tax``, ``break_even``, ...

    ... ``after``, ``location`` and the plan's ``warnings``.

    ``break_even`` (when the plan costs tax and another way differs): the plan's estimated
    tax, and under ``raise_cash_only`` (a withdrawal raised at the least tax, rebalancing
    nothing) and ``without_taxable_sales`` (the plan's goals without sales in taxable
    accounts) the tax and drift of each, ``null`` where it would only repeat the plan.
    """
    tax = plan.tax
    kinds = {a.kind: a for a in plan.alternatives}
    return {
        "plan": {
            "mode": plan.mode,
            "cash": plain(plan.cash.amount) if plan.cash is not None else None,
            "account": plan.cash_account,
            "total_after": plain(plan.total_after),
            "errors": [e.message for e in plan.errors],
        },
        "trades": [_trade(t) for t in plan.trades],
        "accounts": [
            {
                "account": a.account,
                "tax_status": a.tax_status,
                "cash_before": plain(a.cash_before),
                "flow": plain(a.flow),
                "sold": plain(a.sold),
                "bought": plain(a.bought),
                "costs": plain(a.costs),
                "cash_after": plain(a.cash_after),
                "trades": str(a.trades),
            }
            for a in plan.accounts
        ],
        "tax": tax_to_dict(tax),
        "break_even": None if not kinds else {
            "estimated_tax": plain(tax.estimated_tax),
            **{kind: _alternative(kinds[kind]) if kind in kinds else None
               for kind in (WITHOUT_TAXABLE_SALES, RAISE_CASH_ONLY)},
        },
        "after": [_after(r) for r in plan.after],
        "location": [
            {
                "account": n.account,
                "commodity": n.commodity,
                "category": n.category,
                "value": plain(n.value),
                "tax_status": n.tax_status,
                "preferred": n.preferred,
            }
            for n in plan.locations
        ],
        "warnings": [*(e.message for e in plan.errors), *plan.warnings],
    }
