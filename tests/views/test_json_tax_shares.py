"""The plan's tax in JSON: each order's share, wash sales both ways, the rebought loss.

The ledgers and their hand-worked figures are test_planner_tax.py's; here the JSON must say
the same, so that a reader of ``--format json`` can add the orders' shares up to the
estimate and tell a planned loss washed by a purchase from an earlier loss a buy washes.
"""

from __future__ import annotations

from decimal import Decimal

from planner_support import plan_of
from test_planner_tax import AS_OF, SOLD_LAST_WEEK, THREE_LOTS

from fava_rebalance.views.serialize import report_to_dict


def test_the_orders_shares_add_up_to_the_estimate() -> None:
    # Three lots: one mixed-term sell with a gain of 150 (0 short, 150 long): 22.50, all of it.
    result, report = plan_of(THREE_LOTS, AS_OF)
    doc = report_to_dict(report, result)
    shares = [Decimal(t["tax"]) for t in doc["trades"]]
    assert sum(shares) == Decimal(doc["tax"]["estimated_tax"]) == Decimal("22.50")
    sell = next(t for t in doc["trades"] if t["action"] == "sell")
    assert (sell["tax"], sell["booking"], sell["average_cost"]) == ("22.50", "STRICT", None)
    assert all(lot["averaged"] is False for lot in sell["lots"])


def test_a_buy_that_washes_last_weeks_loss_says_so() -> None:
    # 5 STK sold at a loss of 10 a unit on 2026-11-09; the plan must buy STK back in the IRA:
    # 50.00 disallowed, lost for good (an IRA), 15% × 50 = 7.50 on the buy.
    other = '2020-01-01 commodity OTHER\n  asset-class: "Stocks"'
    result, report = plan_of(SOLD_LAST_WEEK.replace(other, other + "\n  rebalance-buy: FALSE"), AS_OF)
    doc = report_to_dict(report, result)
    buy = next(t for t in doc["trades"] if t["commodity"] == "STK")
    assert buy["tax"] == "7.50"
    assert buy["wash_sales"] == [{"account": "Assets:Taxable", "commodity": "STK", "date": "2026-11-09",
                                  "units": "5", "disallowed": "50.00", "buys_back_a_sale": True,
                                  "lost_for_good": True}]
    assert (doc["tax"]["rebought_loss"], doc["tax"]["estimated_tax"]) == ("50.00", "7.50")
