"""``example-ledger/uk.beancount`` end to end: the CLI's JSON, table and workbook, and the tab.

Every figure is worked by hand in ``example-ledger/README.md`` ("A second example under the
UK's rules"): a section 104 pool of 300 VWRL at 21,000.00 (70.00 a share); the ledger's sale
of 50 on 2026-05-12 at 100.00 realized 1,500.00 at the pool's cost, using half of the
3,000.00 allowance; on 2026-11-20 the plan sells 40 VWRL (5,000.00) and buys 125 VAGP
(3,125.00) in the GIA: a gain of 40 × (125.00 − 70.00) = 2,200.00, of which 1,500.00 is
within the allowance left and 700.00 taxed at 24%: 168.00 GBP.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from fava.application import create_app
from fava_support import page_html, table_rows
from flask.testing import FlaskClient
from workbook_support import read_items, read_sheet

from fava_rebalance.cli import main
from fava_rebalance.core.pipeline import Ledger, analyse
from fava_rebalance.planner import plan

ROOT = Path(__file__).resolve().parents[2]
UK = ROOT / "example-ledger" / "uk.beancount"
DATE = "2026-11-20"
TAB = "/example-uk-household/extension/Rebalance/"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([str(UK), "--date", DATE, *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.fixture
def doc(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_cli(capsys, "--format", "json"))
    return result


def test_the_plan_sells_from_the_pool(doc: dict[str, Any]) -> None:
    assert [(t["account"], t["action"], t["commodity"], t["units"], t["amount"], t["gain"], t["term"])
            for t in doc["trades"]] == [
        ("Assets:Invest:GIA", "sell", "VWRL", "40", "5000.00", "2200.00", None),
        ("Assets:Invest:GIA", "buy", "VAGP", "125", "3125.00", "0.00", None),
    ]
    [lot] = doc["trades"][0]["lots"]
    assert lot == {"date": None, "units": "40", "cost": "70", "cost_currency": "GBP", "gain": "2200.00",
                   "term": None, "averaged": True, "match": "section 104 pool"}
    assert [(r["category"], r["percent"]) for r in doc["after"]] == [
        ("Bonds", "30.00"), ("Cash", "10.00"), ("Equities", "60.00")]


def test_the_tax_is_the_uk_s(doc: dict[str, Any]) -> None:
    assert doc["tax"] == {
        "rules": "uk", "short_term_gain": None, "long_term_gain": None,
        "gain": "2200.00", "exempt_gain": "0.00", "inclusion": "1", "taxable_gain": "2200.00",
        "allowance": "3000.00", "allowance_used": "1500.00", "allowance_left": "1500.00",
        "tax_year_start": "2026-04-06", "rate": "0.24", "estimated_tax": "168.00",
        "disallowed_loss": "0.00", "rebought_loss": "0.00", "trade_costs": "0.00"}
    assert any("VWRL is sold in a general account" in w for w in doc["warnings"])


def test_the_table_speaks_of_the_pool_and_the_allowance(capsys: pytest.CaptureFixture[str]) -> None:
    out = _cli(capsys)
    assert "      Pool cost: 40 at 70.00 GBP, gain 2,200.00\n" in out
    # The order's gain is the pool's, and no holding period is claimed for it.
    assert re.search(r"Sell +VWRL +40 +5,000\.00 +2,200\.00 *\n", out)
    assert "assumed" not in out
    for line in ("  Tax rules: uk", "  Allowance left: 1,500.00 GBP", "  Used by the ledger's sales since "
                 "2026-04-06: 1,500.00 GBP", "  Rate: 24%", "  Estimated tax: 168.00 GBP"):
        assert line + "\n" in out
    assert "Short-term gain" not in out


def test_the_table_weighs_the_plan_against_no_taxable_sales(capsys: pytest.CaptureFixture[str]) -> None:
    # Without sales in the GIA (the only taxable account, the only VWRL) there is no gain:
    # 0.00 of tax, 168.00 − 0.00 = 168.00 less than the plan. Equities stay 250 VWRL × 125 =
    # 31,250.00 of 31,250 + 10,000 (400 VAGP × 25) + 2,500 (cash) = 43,750.00: 71.43%, 11.43
    # points over 60, so still outside its band, as Bonds (10,000 / 43,750 = 22.86% < 25).
    out = _cli(capsys)
    assert "  Break-even, against other ways of doing it:\n" in out
    line = next(x for x in out.splitlines() if x.startswith("    No sales in taxable accounts"))
    assert line.startswith("    No sales in taxable accounts: 0.00 GBP of tax, 168.00 GBP less than this "
                           "plan, at the price of the drift it leaves: ")
    assert line.endswith(", largest drift 11.43 points, outside its band: Bonds, Equities")


def test_the_workbook_has_the_regime_s_tax_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.xlsx"
    _cli(capsys, "--format", "xlsx", "-o", str(target))
    rows = read_items(target.read_bytes(), "Tax")
    assert rows["Tax rules"] == "uk"
    assert float(rows["Allowance left"]) == 1500.0
    assert float(rows["Estimated tax"]) == 168.0
    assert "Short-term gain" not in rows
    trades = read_sheet(target.read_bytes(), "Trades")
    assert trades["Lots to sell"][0] == "Pool cost: 40 at 70.00 GBP, gain 2,200.00"


def test_the_tab_shows_the_pool_and_the_allowance() -> None:
    app = create_app([str(UK)], load=True)
    app.testing = True
    client: FlaskClient = app.test_client()
    html = page_html(client, f"{TAB}?time={DATE}&cash=")
    rows = {cells[0]: cells[1] for _, cells in table_rows(html, "rebalance-tax-line")}
    assert rows["Allowance left"] == "1500.00 GBP"  # Fava's number format: no grouping here
    assert rows["Estimated tax"] == "168.00 GBP"
    assert "Short-term gain" not in html
    lots = [cells for _, cells in table_rows(html, "rebalance-lot")]
    assert lots == [["", "40", "70.00 GBP", "2200.00", "Pool cost"]]
    assert "<th>Identified as</th>" in html


def test_the_order_names_the_ledger_lots_it_reduces() -> None:
    # The pool's 40 shares at 70.00 are no lot of the ledger; the ledger's own lots the sale
    # reduces, oldest first, are 40 of the 200 bought on 2019-03-01 at 60.00: what a plan
    # written back as entries reduces in a ledger booked STRICT.
    ledger = Ledger.from_entries(*_loaded())
    result = plan(analyse(ledger, datetime.date(2026, 11, 20)), ledger.declarations)
    sale = next(t for t in result.trades if t.action == "sell")
    assert [(lot.date, lot.units, lot.cost, lot.cost_currency) for lot in sale.ledger_lots] == [
        (datetime.date(2019, 3, 1), 40, 60, "GBP")]


def _loaded() -> tuple[Any, Any]:
    entries, errors, options_map = loader.load_file(str(UK))
    assert errors == []
    return entries, options_map
