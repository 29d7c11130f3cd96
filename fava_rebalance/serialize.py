"""The report as plain data (SPEC §3 JSON): numbers as strings, money and percents rounded.

Used by ``bean-rebalance --format json`` and the Fava page's JSON endpoint, so both give the
same figures.
"""

from __future__ import annotations

from typing import Any

from fava_rebalance.analysis import Report
from fava_rebalance.formatting import plain


def report_to_dict(report: Report) -> dict[str, Any]:
    """SPEC §3 object for ``report`` (the planner's keys are filled in by ``plan_to_dict``)."""
    alloc = report.allocation
    return {
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
        "moves": list(report.moves),
        "trades": [],
        "tax": {"short_term_gain": "0.00", "long_term_gain": "0.00", "estimated_tax": "0.00"},
        "after": [],
        "cash_needed": plain(report.cash_needed),
        "warnings": [*(e.describe() for e in report.errors), *report.warnings],
    }
