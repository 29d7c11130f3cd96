"""The trade planner: from a rebalancing report to concrete, tax-aware orders.

``plan_request(report, declarations, cash)`` returns a frozen ``Plan`` and the accounts cash
may use, from one household (``plan`` returns the plan alone): the orders (account, action,
commodity, units, amount, lots, gain, term, reason), totals by trading account, the tax
summary, each category before and after, and the asset location review. One module per
job: ``accounts`` (trading accounts, cash, what may be bought and sold), ``lots`` (holding
periods, gains, lot order, tax), ``washsale``, ``lazy`` (deposits and withdrawals),
``milp`` and ``optimize`` (the household-wide optimisation), ``trades`` (exact orders),
``orders`` (reasons, tax summary), ``explain`` (drift left and why), ``location``,
``cashflow`` (the cash text read, and the accounts cash may use) and ``plan``; the tax rules
beyond the US (``tax-rules``): ``regime`` and ``tax_rules``, with ``share_pool`` (uk),
``acb`` (ca), ``depot_fifo`` (de), ``regime_checks`` and ``regime_words``.
"""

from fava_rebalance.planner.cashflow import cash_accounts, parse_cash
from fava_rebalance.planner.model import (
    DEPOSIT,
    NOTHING,
    REBALANCE,
    WITHDRAWAL,
    AccountTotal,
    AfterRow,
    Alternative,
    CashAccount,
    CashAccounts,
    CashFlow,
    LocationNote,
    LotSale,
    Plan,
    PlanError,
    PlanRequest,
    TaxSummary,
    Trade,
    WashSale,
)
from fava_rebalance.planner.plan import plan, plan_request

__all__ = [
    "DEPOSIT",
    "NOTHING",
    "REBALANCE",
    "WITHDRAWAL",
    "AccountTotal",
    "AfterRow",
    "Alternative",
    "CashAccount",
    "CashAccounts",
    "CashFlow",
    "LocationNote",
    "LotSale",
    "Plan",
    "PlanError",
    "PlanRequest",
    "TaxSummary",
    "Trade",
    "WashSale",
    "cash_accounts",
    "parse_cash",
    "plan",
    "plan_request",
]
