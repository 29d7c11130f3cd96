"""tax-rules none: no tax figures at all (the Netherlands' box 3, Swiss private investors).

No gain, no lots and no estimate on any order; the summary says there are no tax figures
instead of showing zeros (the JSON's figures are ``null``, the table and the tab print one
sentence); a loss is worth nothing, so nothing is sold to harvest one and no wash-sale rule
restrains the buys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from pathlib import Path
from textwrap import dedent

import pytest
from fava.application import create_app
from fava_support import page_html
from planner_support import plan_of

from fava_rebalance.cli import main
from fava_rebalance.views.tax_terms import NO_TAX

D = Decimal

LEDGER = """
option "operating_currency" "EUR"
2020-01-01 custom "rebalance-option" "tax-rules" "none"
2020-01-01 open Assets:Broker
2020-01-01 open Assets:Broker:Cash EUR
  asset-class: "Cash"
2020-01-01 open Equity:Opening
2020-01-01 commodity GAIN
  asset-class: "Stocks"
2020-01-01 commodity LOSS
  asset-class: "Stocks"
2020-01-01 custom "rebalance-target" "Stocks" 50
2020-01-01 custom "rebalance-target" "Cash" 50
2020-01-02 * "10 GAIN at 10, 10 LOSS at 30"
  Assets:Broker  10 GAIN {10 EUR}
  Assets:Broker  10 LOSS {30 EUR}
  Equity:Opening
2025-06-02 price GAIN 20 EUR
2025-06-02 price LOSS 20 EUR
"""


def test_orders_carry_no_tax() -> None:
    # 10 GAIN and 10 LOSS at 20 = 400, no cash: Stocks 100% against 50%: sell 200 = 10
    # units. Under none neither the gain (10 a unit) nor the loss (10 a unit) counts.
    result, _ = plan_of(LEDGER, "2025-06-02")
    assert sum((t.units for t in result.trades), D(0)) == 10
    for sale in result.trades:
        assert (sale.gain, sale.term, sale.lots, sale.tax) == (0, None, (), 0)
        assert "no tax under tax-rules none" in sale.reason
    assert (result.tax.rules, result.tax.estimated_tax, result.alternatives) == ("none", 0, ())
    assert not any("wash sale" in w for w in result.warnings)


def test_the_views_say_there_are_no_tax_figures(ledger_file: Callable[..., Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger_file(dedent(LEDGER))
    assert main([str(path), "--date", "2025-06-02", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tax"] == {"rules": "none", "short_term_gain": None, "long_term_gain": None,
                          "estimated_tax": None, "note": NO_TAX, "trade_costs": "0.00"}
    assert main([str(path), "--date", "2025-06-02"]) == 0
    out = capsys.readouterr().out
    assert f"Tax\n  {NO_TAX}\n" in out
    assert "Short-term gain" not in out


def test_the_tab_says_so_too(ledger_file: Callable[..., Path]) -> None:
    path = ledger_file('option "title" "No tax"\n2020-01-01 custom "fava-extension" "fava_rebalance"\n'
                       + dedent(LEDGER))
    app = create_app([str(path)], load=True)
    app.testing = True
    html = page_html(app.test_client(), "/no-tax/extension/Rebalance/?time=2025-06-02&cash=")
    assert f'<p class="rebalance-tax-note">{NO_TAX}</p>' in unescape(html)
    assert "Short-term gain" not in html
