"""The trade planner on the Rebalance tab, through Flask's test client.

On ``example-ledger/example.beancount`` as of 2026-11-20 the page must give the same plan as
``bean-rebalance ... --date 2026-11-20 --cash 10000 --format json``: the tests read the
CLI's JSON (run in-process, once per cash input) and compare the page, the JSON, CSV and
Excel downloads with it. A few figures are also worked by hand in the comments:

- ``--cash 10000``: a deposit alone leaves Equities:US outside its band (47.14% now, target
  40.00% ± 5), so the plan rebalances the household. Holdings without a target (AAPL, the
  EUR and private holdings) keep the targets from being met all at once; which fund takes
  which share of that shortfall is the optimiser's tie-break, so the tests check the rules
  (each amount is units × price, each account balances, every category ends inside its band)
  rather than the split. The tax is worked by hand: the only taxable sale the least tax
  allows is the short-term VOO lot at a loss, 50 × (550.00 − 590.00) = −2,000.00; IVV, which
  is substantially identical, was bought in the IRA on 2026-11-05 (10 units, within 30 days),
  so 10 of the 50 units sold are washed: 10 × 40.00 = 400.00 disallowed, lost for good (an
  IRA). Short-term result −2,000.00 + 400.00 = −1,600.00, at the Millers' 32%: −512.00.

Solves take a fraction of a second each; one app serves every test that needs no special
Fava option, and each (filters, cash) plan is solved once for it.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fava.application import create_app
from fava_support import page_html, table_rows
from flask import Flask
from flask.testing import FlaskClient
from workbook_support import read_items, read_sheets

import fava_rebalance.extension as extension_module
from fava_rebalance.cli import main as cli_main
from fava_rebalance.planner import (
    CashAccount,
    CashAccounts,
    CashFlow,
    Plan,
    PlanError,
    PlanRequest,
    TaxSummary,
)
from fava_rebalance.tab.cash_input import read_cash
from fava_rebalance.tab.page import Numbers
from fava_rebalance.tab.plan_page import cash_form

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example-ledger" / "example.beancount"
HOSTILE = ROOT / "tests" / "ledgers" / "hostile.beancount"
TAB = "/example-household/extension/Rebalance/"
DATE = "2026-11-20"


def _app(*ledgers: Path, **options: Any) -> Flask:
    app = create_app(list(ledgers), load=True, **options)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def app() -> Flask:
    return _app(EXAMPLE, HOSTILE)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def cli_json(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., dict[str, Any]]:
    """``cli_json("10000")``: the CLI's JSON for the example ledger's Main portfolio on 2026-11-20."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    folder = tmp_path_factory.mktemp("cli")

    def run(*cash: str) -> dict[str, Any]:
        if cash not in found:
            target = folder / f"plan-{len(found)}.json"
            args = [str(EXAMPLE), "--date", DATE, "--format", "json", "-o", str(target),
                    "--portfolio", "Main"]  # the page shows Main unless asked for College
            args += [f"--cash={cash[0]}"] if cash else []
            assert cli_main(args) == 0
            found[cash] = json.loads(target.read_text(encoding="utf-8"))
        return found[cash]

    return run


def _plan(html: str) -> str:
    """The planner's panel."""
    start = html.index('<section class="rebalance-plan"')
    return html[start : html.index("</section>", start)]


def cells(html: str, row_class: str = "rebalance-trade") -> list[list[str]]:
    """The cells of each ``<tr class="{row_class}">``; for the orders, with the account first.

    An order's account is its group's heading (the trading account), or the sub-account
    named under the commodity (``VMFXX in Assets:Invest:Brokerage:Sweep``): the orders table
    does not repeat the account on every row. So each order comes back as ``[account,
    action, commodity, units, price, amount, gain, term, lots]``.
    """
    if row_class != "rebalance-trade":
        return [cells for _, cells in table_rows(html, row_class)]
    found = []
    for group in html.split('<tbody class="rebalance-trade-group">')[1:]:
        heading = re.search(r'scope="rowgroup"><a href="[^"]*">([^<]*)</a>', group)
        assert heading is not None
        for _, (action, commodity, *rest) in table_rows(group, row_class):
            name, _, held_in = commodity.partition(" in ")
            found.append([held_in or heading[1], action, name, *rest])
    return found


def reasons(html: str) -> list[str]:
    """Each order's reason (and wash-sale note), from the row below it."""
    return [row[0] for row in cells(html, "rebalance-trade-reason")]


def ungrouped(text: str) -> str:
    """``text`` with the thousands separators of its figures taken out (2,000.00 → 2000.00)."""
    while True:
        plain = re.sub(r"(\d),(\d{3})(?=[,.])", r"\1\2", text)
        if plain == text:
            return text
        text = plain


def _trades(doc: dict[str, Any]) -> list[list[str]]:
    return [[t["account"], t["action"].capitalize(), t["commodity"], t["units"], t["amount"]]
            for t in doc["trades"]]


def _section(plan: str, part: str) -> str:
    """One part of the panel: ``orders``, ``accounts``, ``tax``, ``after``, ``location``."""
    start = plan.index(f'id="rebalance-plan-{part}"')
    end = plan.find('id="rebalance-plan-', start + 1)
    return plan[start:] if end < 0 else plan[start:end]


# --- the page gives the CLI's plan ---------------------------------------------------------


def test_deposit_page_shows_the_cli_trades(client: FlaskClient,
                                           cli_json: Callable[..., dict[str, Any]]) -> None:
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash=10000"))
    doc = cli_json("10000")
    rows = cells(plan)
    assert [row[:4] + row[5:6] for row in rows] == _trades(doc)
    for row in rows:  # units × price = amount, to the cent
        units, price, amount = (Decimal(x) for x in row[3:6])
        assert abs(units * price - amount) < Decimal("0.005"), row
    taxable = [row for row in rows if row[0].startswith("Assets:Invest:Brokerage") and row[1] == "Sell"]
    assert [row[1:7] for row in taxable] == [["Sell", "VOO", "50", "550.00", "27500.00", "-2000.00"]]
    # Each reason on a row of its own, a wash sale's note after it (the VOO sale's, wherever
    # the optimiser's order puts it). The page writes the reason's figures in Fava's format:
    # the example ledger sets no locale, so 2,000.00 in the CLI's sentence is 2000.00 here.
    assert [r.split(" Wash sale:")[0] for r in reasons(plan)] == [
        ungrouped(t["reason"]) for t in doc["trades"]]
    voo = next(i for i, row in enumerate(rows) if row[1:3] == ["Sell", "VOO"])
    assert "Wash sale: 400.00 USD disallowed, lost for good" in reasons(plan)[voo]
    # Grouped by trading account, each a link to Fava's account page with the filters.
    heads = re.findall(r'scope="rowgroup"><a href="([^"]*)">([^<]*)</a> '
                       r'<span class="rebalance-muted">([^<]*)<', plan)
    accounts = "/example-household/account/"
    assert heads == [
        (f"{accounts}Assets:Invest:401k/?time=2026-11-20", "Assets:Invest:401k", "tax-deferred"),
        (f"{accounts}Assets:Invest:Brokerage/?time=2026-11-20", "Assets:Invest:Brokerage", "taxable"),
    ]
    assert '<td class="rebalance-action rebalance-sell">Sell</td>' in plan
    assert '<td class="rebalance-action rebalance-buy">Buy</td>' in plan
    # The summary: the deposit, into the account the planner chose, and its effect.
    assert "<dt>Deposit</dt>" in plan
    assert ('10000.00 USD</span> <span class="rebalance-muted">into</span> <a href="/example-household/'
            'account/Assets:Invest:Brokerage/?time=2026-11-20">Assets:Invest:Brokerage</a>') in plan
    # What the plan reaches, from its own after rows: every band, not every target; the
    # furthest category, its points and its amount (|target × total after − value|).
    doc_after = doc["after"]
    assert all(row["within_band"] for row in doc_after)
    furthest = max(doc_after, key=lambda row: abs(Decimal(row["difference"])))
    found = re.search(r'<p class="rebalance-plan-mode">With the cash alone a category would stay outside its '
                      r"band, so the plan trades across the household\. It brings every category inside its "
                      r"band, though not every one to its target: the furthest is ([^,]+), ([0-9.]+) points "
                      r"\(([0-9.]+) USD\) (below|above) its target\.</p>", plan)
    assert found is not None
    assert found.group(1) == furthest["category"]
    assert found.group(2) == f"{abs(Decimal(furthest['difference'])):.2f}"
    total_after = Decimal(doc["plan"]["total_after"])
    amount = abs(Decimal(furthest["target"]) * total_after / 100 - Decimal(furthest["value"]))
    assert abs(Decimal(found.group(3)) - amount) <= Decimal("0.01")


def test_deposit_page_totals_tax_and_after_match_the_cli(
    client: FlaskClient, cli_json: Callable[..., dict[str, Any]]
) -> None:
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash=10000"))
    doc = cli_json("10000")
    accounts = cells(_section(plan, "accounts"), "rebalance-plan-account")
    assert accounts == [
        [a["account"], a["tax_status"], a["cash_before"],
         f"+{a['flow']}" if a["flow"] != "0.00" else a["flow"], a["sold"], a["bought"], a["costs"],
         a["cash_after"], a["trades"]]
        for a in doc["accounts"]
    ]
    for account in accounts:  # cash after = before + flow + sold − bought − costs
        before, flow, sold, bought, costs, after_ = (Decimal(x) for x in account[2:8])
        assert before + flow + sold - bought - costs == after_, account
        assert after_ >= 0
    tax = _section(plan, "tax")
    # By hand (module docstring): −1,600.00 short-term after 400.00 disallowed; 32% → −512.00.
    assert (doc["tax"]["short_term_gain"], doc["tax"]["disallowed_loss"], doc["tax"]["estimated_tax"]) == (
        "-1600.00", "400.00", "-512.00")
    for key in ("short_term_gain", "long_term_gain", "estimated_tax", "disallowed_loss", "trade_costs"):
        assert f"{doc['tax'][key]} USD</td>" in tax
    assert "at 32.00% short, 15.00% long" in tax
    assert "Break-even" not in tax  # the plan saves tax: no break-even (doc["break_even"] is None)
    after = cells(_section(plan, "after"), "rebalance-after-row")
    assert [[r[0], r[1], r[2], r[3], r[6]] for r in after] == [
        [a["category"], a["before"], a["percent"], a["target"], "Yes" if a["within_band"] else "No"]
        for a in doc["after"]
    ]
    location = cells(_section(plan, "location"), "rebalance-location-row")
    assert location == [["Bonds", "VBIAX", "Assets:Invest:Roth", "27488.43", "tax-free", "tax-deferred"]]


def test_before_after_chart(client: FlaskClient) -> None:
    after = _section(_plan(page_html(client, f"{TAB}?time={DATE}&cash=10000")), "after")
    start = after.index('<svg class="rebalance-chart-plot"')
    svg = after[start : after.index("</svg>", start)]
    rows = svg.split('<g class="rebalance-chart-row">')[1:]
    assert len(rows) == 4  # the targeted categories
    assert all(row.count('class="rebalance-bar-before"') == 1 for row in rows)
    assert all(row.count('class="rebalance-bar-after"') == 1 for row in rows)
    assert all(row.count('class="rebalance-marker"') == 1 for row in rows)  # the target
    assert ">29.48%<" in rows[0]  # Bonds before
    assert re.search(r">3[0-9]\.[0-9]{2}%, target 35\.00%<", rows[0])  # after: inside 30–40
    assert 'aria-labelledby="rebalance-after-title"' in svg
    assert "http" not in svg


def test_no_cash_shows_the_no_cash_flow_plan(client: FlaskClient,
                                             cli_json: Callable[..., dict[str, Any]]) -> None:
    # Opening the tab does not run the optimiser: only the form, and what pressing it does.
    opened = _plan(page_html(client, f"{TAB}?time={DATE}"))
    assert cells(opened) == []
    assert "Press <strong>Plan trades</strong>" in opened
    assert '<option value="Assets:Invest:Brokerage" selected>' in opened
    # Pressing "Plan trades" with the field empty sends cash= : the no-cash-flow plan.
    html = page_html(client, f"{TAB}?time={DATE}&cash=")
    plan = _plan(html)
    doc = cli_json()
    assert doc["plan"]["mode"] == "rebalance"  # Equities:US is outside its band
    assert [row[:4] + row[5:6] for row in cells(plan)] == _trades(doc)
    assert "A category is outside its band" in plan
    assert "<dt>Deposit</dt>" not in plan
    assert 'value=""' in plan  # the empty cash field
    # The form: GET, the page's filters as hidden fields, the planner's default account.
    assert f'<form class="rebalance-cash-form" method="get" action="{TAB}">' in plan
    assert '<input type="hidden" name="time" value="2026-11-20">' in plan
    assert '<option value="Assets:Invest:Brokerage" selected>' in plan
    assert re.findall(r"<option [^>]*>[^<]*– default</option>", plan) == [
        '<option value="Assets:Invest:Brokerage" selected>Assets:Invest:Brokerage (taxable, cash 0.00) '
        "– default</option>"]


def test_the_suggested_moves_and_the_plan_side_by_side(client: FlaskClient,
                                                        cli_json: Callable[..., dict[str, Any]]) -> None:
    # The no-cash-flow plan against the moves (example-ledger/README.md, 2026-11-20): the moves
    # sell 64,028.50 of Equities:US and buy Bonds 49,487.78, Equities:International 37,362.43
    # and Cash 18,478.29 (inside its band, rebalanced with the others): 41,300.00 more than
    # they raise, the value of AAPL, gold and the private fund, which have no target.
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash="))
    doc = cli_json()
    versus = _section(plan, "versus")
    assert ("This plan differs from the suggested moves: the moves' buys need 41300.00 USD more than their "
            "sells raise, and the plan cannot spend money it does not have, so it shares the shortfall out "
            "over the categories; it trades whole units, within each account's own cash (money never moves "
            "between accounts), at the least tax.") in html.unescape(versus)
    moves = {"Bonds": "buy 49487.78", "Cash": "buy 18478.29", "Equities:International": "buy 37362.43",
             "Equities:US": "sell 64028.50"}
    # The plan's change is its value after minus the value before, for each category.
    before = {row["category"]: Decimal(row["value"]) for row in doc["targeted"]}
    changes = {row["category"]: Decimal(row["value"]) - before[row["category"]] for row in doc["after"]}

    def words(change: Decimal) -> str:
        return "none" if change == 0 else f"{'buy' if change > 0 else 'sell'} {abs(change):.2f}"

    rows = cells(versus, "rebalance-versus-row")
    assert rows == [[name, moves[name], words(changes[name])] for name in sorted(moves)
                    if moves[name] != words(changes[name])]
    assert len(rows) >= 2  # the shortfall is shared: more than one category differs
    assert doc["moves_vs_plan"]["categories"] == [
        {"category": name, "move": f"{'-' if moves[name].startswith('sell') else ''}{moves[name].split()[1]}",
         "plan": f"{changes[name]:.2f}"} for name, *_ in rows]


def test_the_form_keeps_the_filters_and_the_chosen_account(client: FlaskClient) -> None:
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&conversion=at_value&cash=-1000"
                               "&cash_account=Assets:Invest:Roth"))
    assert '<input type="hidden" name="conversion" value="at_value">' in plan
    assert '<option value="Assets:Invest:Roth" selected>' in plan
    assert '<option value="Assets:Invest:Brokerage">' in plan
    assert "<dt>Withdrawal</dt>" in plan
    assert ">Assets:Invest:Roth</a></dd>" in plan
    # The withdrawal is raised in the Roth (Equities:US stays outside its band, so the
    # household is rebalanced as well, in the 401k).
    assert ["Assets:Invest:Roth", "Sell"] in [row[:2] for row in cells(plan)]
    roth = [row for row in cells(_section(plan, "accounts"), "rebalance-plan-account")
            if row[0] == "Assets:Invest:Roth"]
    assert [row[1:4] for row in roth] == [["tax-free", "0.00", "-1000.00"]]


def test_withdrawal_lots_wash_sale_and_break_even_match_the_cli(
    client: FlaskClient, cli_json: Callable[..., dict[str, Any]]
) -> None:
    # --cash -50000 goes to the brokerage (taxable), which sells. VOO: 50 at 550.00 =
    # 27,500.00 from the lot bought 2026-02-10 at 590.00, a short-term loss of
    # 50 x (550 - 590) = -2,000.00. IVV, declared substantially identical, was bought on
    # 2026-11-05 in the IRA: 10 of the 50 shares are washed, 10 x 40 = 400.00 disallowed,
    # lost for good (an IRA). time=2026-11-20 starts after that purchase: the page must
    # still see it, as the CLI does.
    url = f"{TAB}?time={DATE}&cash=-50000"
    plan = _plan(page_html(client, url))
    doc = cli_json("-50000")
    rows = cells(plan)
    assert [row[:4] + row[5:6] for row in rows] == _trades(doc)
    # Only the brokerage sells, 50,000.00 in all; which holdings besides VOO raise the rest
    # is the optimiser's tie-break, so only the VOO sale (the least tax: the loss lot whole)
    # is pinned.
    assert all(row[0].startswith("Assets:Invest:Brokerage") for row in rows)  # its sweep included
    assert {row[1] for row in rows} == {"Sell"}
    assert sum(Decimal(row[5]) for row in rows) == 50000
    voo = next(i for i, row in enumerate(rows) if row[2] == "VOO")
    assert rows[voo][:9] == ["Assets:Invest:Brokerage", "Sell", "VOO", "50", "550.00", "27500.00", "-2000.00",
                             "Short", "1 lot"]
    assert ["2026-02-10", "50", "590.00 USD", "-2000.00", "Short"] in cells(plan, "rebalance-lot")
    reason = reasons(plan)[voo]
    assert "wash sale: 10 IVV bought 2026-11-05 in Assets:Invest:IRA disallow 400.00 USD" in reason
    assert reason.endswith("Wash sale: 400.00 USD disallowed, lost for good (the replacement is in a "
                               "tax-deferred account).")
    tax = _section(plan, "tax")
    assert doc["tax"]["disallowed_loss"] == "400.00"
    assert f"{doc['tax']['disallowed_loss']} USD</td>" in tax
    assert f"{doc['tax']['estimated_tax']} USD</td>" in tax
    # The break-even: the plan's tax next to raising the cash alone at the least tax. The
    # withdrawal sells only in the (taxable) brokerage, so "no sales in taxable accounts
    # beyond the withdrawal" would repeat the plan column for column: it is left out.
    even = doc["break_even"]
    assert even["without_taxable_sales"] is None
    alone = even["raise_cash_only"]
    assert alone["label"] == "Only raising the cash"
    saving = Decimal(even["estimated_tax"]) - Decimal(alone["estimated_tax"])
    assert saving > 0  # the plan sells overweight US stocks with gains; the cash alone costs less
    assert (f"Only raising the cash: {alone['estimated_tax']} USD of tax, {saving} USD less than this plan, "
            "at the price of the drift it leaves.") in tax
    assert cells(tax, "rebalance-break-even-row") == [
        ["Estimated tax (USD)", even["estimated_tax"], alone["estimated_tax"]],
        ["Largest drift left (points)", max((a["difference"].lstrip("-") for a in doc["after"]), key=Decimal),
         alone["largest_drift"]],
        ["Outside their band", "none", ", ".join(alone["outside_band"]) or "none"],
        ["Orders", str(len(doc["trades"])), alone["trades"]],
    ]
    # Against the suggested moves (which assume no cash flow), a withdrawal alone sells only
    # in its account: that is the difference, with no shortfall shared out.
    assert ("This plan differs from the suggested moves: it withdraws 50000.00 USD from "
            "Assets:Invest:Brokerage and only sells there, and the moves assume no cash flow; it trades "
            "whole units") in html.unescape(_section(plan, "versus"))
    data = client.get(url.replace("?", "report.json?")).get_json()
    for key in ("trades", "tax", "break_even", "after", "accounts", "warnings"):
        assert data[key] == doc[key], key


# --- downloads -----------------------------------------------------------------------------


def test_json_download_equals_the_cli(client: FlaskClient, cli_json: Callable[..., dict[str, Any]]) -> None:
    response = client.get(f"{TAB}report.json?time={DATE}&cash=10000")
    assert response.status_code == 200
    data = response.get_json()
    doc = cli_json("10000")
    for key in ("trades", "tax", "after", "accounts", "plan", "break_even", "location", "total", "targeted"):
        assert data[key] == doc[key], key
    plain = client.get(f"{TAB}report.json?time={DATE}").get_json()
    assert plain["trades"] == cli_json()["trades"]  # no cash: the no-cash-flow plan


def test_download_links_carry_the_cash_input(client: FlaskClient) -> None:
    html = page_html(client, f"{TAB}?time={DATE}&cash=10000")
    links = {m[2]: m[1].replace("&amp;", "&") for m in
             re.finditer(r'href="(/example-household/extension/Rebalance/([a-z.]+)\?[^"]*)"', html)}
    assert links == {
        "report.csv": f"{TAB}report.csv?time={DATE}&cash=10000",
        "report.xlsx": f"{TAB}report.xlsx?time={DATE}&cash=10000",
        "report.json": f"{TAB}report.json?time={DATE}&cash=10000",
        "trades.csv": f"{TAB}trades.csv?time={DATE}&cash=10000",
        "plan.beancount": f"{TAB}plan.beancount?time={DATE}&cash=10000",
        "history": f"{TAB}history?time={DATE}",  # the drift history has no use for the cash
    }
    chosen = page_html(client, f"{TAB}?time={DATE}&cash=10000&cash_account=Assets:Invest:Brokerage")
    assert f"report.xlsx?time={DATE}&amp;cash=10000&amp;cash_account=Assets%3AInvest%3ABrokerage" in chosen


def test_workbook_and_trades_csv_hold_the_plan(client: FlaskClient,
                                               cli_json: Callable[..., dict[str, Any]]) -> None:
    doc = cli_json("10000")
    response = client.get(f"{TAB}report.xlsx?time={DATE}&cash=10000")
    assert response.status_code == 200
    sheets = read_sheets(response.data, dtype=str)  # Excel: numbers
    assert {"Summary", "Drift", "Trades", "Tax", "Before-After"} <= set(sheets)
    trades = sheets["Trades"]
    assert [(a, c, Decimal(u), Decimal(v)) for a, c, u, v in
            zip(trades["Account"], trades["Commodity"], trades["Units"], trades["Amount"], strict=True)] == [
        (t["account"], t["commodity"], Decimal(t["units"]), Decimal(t["amount"])) for t in doc["trades"]]
    after = sheets["Before-After"]  # percents as the fractions Excel formats as percents
    assert [round(Decimal(v) * 100, 2) for v in after["After"]] == [
        Decimal(a["percent"]) for a in doc["after"]]
    tax = read_items(response.data, "Tax")
    assert Decimal(str(tax["Estimated tax"])) == Decimal(doc["tax"]["estimated_tax"])

    csv = client.get(f"{TAB}trades.csv?time={DATE}&cash=10000")
    assert csv.status_code == 200
    assert csv.headers["Content-Disposition"] == 'attachment; filename="rebalance-trades-Main-2026-11-20.csv"'
    frame = pd.read_csv(io.StringIO(csv.get_data(as_text=True)), dtype=str, keep_default_na=False)
    assert [list(r) for r in frame[["account", "action", "commodity", "units", "amount"]].to_numpy()] == [
        [t["account"], t["action"], t["commodity"], t["units"], t["amount"]] for t in doc["trades"]]


# --- bad input: a message, never a 500 -------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("cash=abc", "The cash amount &#39;abc&#39; is not a number. Enter an amount such as 5000 to add money, "
                 "or -2500 to take it out."),
    ("cash=nan", "The cash amount &#39;nan&#39; is not a number."),
    # The figures in Fava's format (no locale in the example ledger: no grouping).
    ("cash=-5000000", "The plan could not be made: a withdrawal of 5000000.00 USD takes the whole "
                      "portfolio."),
    ("cash=-100000&cash_account=Assets:Invest:Roth",
     "The plan could not be made: a withdrawal of 100000.00 USD is more than Assets:Invest:Roth can raise "
     "(68721.07 USD in cash and holdings it may sell)."),
    ("cash=100&cash_account=%3Cscript%3Ex", "&#39;&lt;script&gt;x&#39; is not a Beancount account name."),
    # Beyond the optimiser's floats (limits.MAX_CASH = 10^15): refused, not OverflowError.
    ("cash=1e306", "The cash amount 1E+306 is beyond the planner&#39;s range: a deposit or a withdrawal "
                   "must be less than 1,000,000,000,000,000."),
    ("cash=1e999999", "The cash amount 1E+999999 is beyond the planner&#39;s range"),
    ("cash=-1e15", "The cash amount -1E+15 is beyond the planner&#39;s range"),
])
def test_bad_cash_is_a_message(client: FlaskClient, query: str, message: str) -> None:
    html = page_html(client, f"{TAB}?time={DATE}&{query}")
    plan = _plan(html)
    assert '<p class="rebalance-problem rebalance-plan-problem" role="alert">' in plan
    assert message in plan
    assert "<script>x" not in html
    assert 'class="rebalance-trades"' not in plan
    assert 'name="cash"' in plan  # the form stays, to fix the input
    assert 'class="rebalance-table"' in html  # the drift table is still there
    for download in ("report.json", "report.xlsx", "trades.csv"):
        response = client.get(f"{TAB}{download}?time={DATE}&{query}")
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # it may echo the input
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get(f"{TAB}report.csv?time={DATE}&{query}").status_code == 200  # the drift alone


def test_a_planner_bug_is_a_message(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(extension_module, "plan_request", broken)
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash=123"))  # a cash flow no other test plans
    assert "The trade plan could not be computed (ZeroDivisionError: boom)" in plan
    response = client.get(f"{TAB}report.json?time={DATE}&cash=123")
    assert response.status_code == 500
    assert "The trade plan could not be computed" in response.get_data(as_text=True)


def test_a_failed_plan_without_cash_still_downloads(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failed(report: Any, _: object, cash: CashFlow | None) -> PlanRequest:
        tax = TaxSummary(*(Decimal(0),) * 7)
        errors = (PlanError("no feasible plan"),)
        plan = Plan("none", cash, None, (), (), tax, (), report.total, (), (), errors)
        return PlanRequest(plan, CashAccounts((), None), cash is not None)

    monkeypatch.setattr(extension_module, "plan_request", failed)
    # A time filter no other test uses, so nothing is cached yet.
    response = client.get(f"{TAB}report.json?time=2026-11-19")
    assert response.status_code == 200  # the report, with the plan's error inside
    assert response.get_json()["plan"]["errors"] == ["no feasible plan"]
    panel = _plan(page_html(client, f"{TAB}?time=2026-11-19&cash="))
    assert "The plan could not be made: no feasible plan." in panel
    assert client.get(f"{TAB}report.json?time=2026-11-19&cash=5").status_code == 400  # asked for it


# --- escaping, incognito, read-only ----------------------------------------------------------


def test_hostile_names_are_escaped_in_the_plan(client: FlaskClient) -> None:
    # hostile.beancount, time=2024 (band 0): EVIL (10 x 12 = 120 of 200, 60%) is over its target
    # of 50%: sell 2 EVIL = 24.00 (whole units nearest 20.00; gain 2 x (12 - 10) = 4.00) and
    # buy 2 BND = 20.00; after: 96 / 200 = 48.00%.
    html = page_html(client, "/hostile/extension/Rebalance/?time=2024&cash=")
    assert "<script>alert(1)" not in html
    plan = _plan(html)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"
    assert f"<td>{escaped}</td>" in _section(plan, "after")
    assert '<span title="Evil &lt;b&gt;Corp&lt;/b&gt; &amp; Sons">EVIL</span>' in plan
    rows = cells(plan)  # the parser unescapes: the exact name comes back
    assert [row[1:7] for row in rows] == [["Sell", "EVIL", "2", "12.00", "24.00", "4.00"],
                                          ["Buy", "BND", "2", "10.00", "20.00", ""]]
    assert reasons(plan)[0].startswith("<script>alert(1)</script> & Co (60.00% now, target 50.00%)")
    assert f"{escaped} (60.00% now, target 50.00%) overweight" in plan  # the reason, escaped
    after = cells(_section(plan, "after"), "rebalance-after-row")
    assert after[0][:3] == ["<script>alert(1)</script> & Co", "60.00", "48.00"]
    assert f"<title>{escaped}</title>" in plan  # the chart's label tooltip
    # Tax: a 4.00 short-term gain at the default 24% = 0.96; without selling in the (only,
    # taxable) account nothing trades and both categories stay 10 points off.
    tax = _section(plan, "tax")
    assert ("No sales in taxable accounts: 0.00 USD of tax, 0.96 USD less than this plan, at the price of "
            "the drift it leaves.") in tax
    assert cells(tax, "rebalance-break-even-row")[1:3] == [
        ["Largest drift left (points)", "2.00", "10.00"],
        ["Outside their band", "<script>alert(1)</script> & Co", "<script>alert(1)</script> & Co, Bonds"]]
    assert f'<td class="num">{escaped}, Bonds</td>' in tax
    # The summary does not claim every target: with band 0, EVIL at 96 / 200 = 48.00% stays
    # 2.00 points and 100 − 96 = 4.00 below its target; Bonds ends at 100 / 200 = 50.00%.
    assert (f"It leaves {escaped} outside its band, 2.00 points (4.00 USD) below its target; every other "
            "category ends inside its band.") in plan


def test_incognito_masks_the_plan_figures() -> None:
    client = _app(EXAMPLE, incognito=True).test_client()
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash=10000"))
    rows = cells(plan)
    assert rows
    for row in rows:  # names kept, every figure (units, price, amount) masked
        assert row[0].startswith("Assets:Invest:")
        assert row[1] in ("Buy", "Sell")
        assert all(re.fullmatch(r"X+(\.X+)?", figure) for figure in row[3:6]), row
    visible = re.sub(r"<[^>]*>", " ", plan)  # text only, no attributes
    assert re.findall(r"\d+\.\d\d", visible) == []
    assert re.findall(r"\d+%", visible) == []
    titles = re.findall(r'title="([^"]*)"', plan)
    assert not [t for t in titles if re.search(r"\d+\.\d\d", t)]
    assert 'value="XXXXX"' in plan  # the amount typed is a figure too


def test_read_only_fava_serves_the_plan_form_and_downloads() -> None:
    client = _app(EXAMPLE, read_only=True).test_client()
    plan = _plan(page_html(client, f"{TAB}?time={DATE}&cash=-1000&cash_account=Assets:Invest:Roth"))
    assert 'method="get"' in plan
    assert cells(plan)
    for download in ("report.json", "report.xlsx", "trades.csv"):
        assert client.get(f"{TAB}{download}?time={DATE}&cash=-1000&cash_account=Assets:Invest:Roth"
                          ).status_code == 200
    assert client.post(f"{TAB}report.json").status_code == 401


# --- computed once per load, filters and cash ------------------------------------------------


def test_plan_is_computed_once_per_load_filters_and_cash(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[CashFlow | None] = []
    real = extension_module.plan_request

    def counting(*args: Any) -> Any:
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(extension_module, "plan_request", counting)
    app = _app(HOSTILE)
    client = app.test_client()
    page = "/hostile/extension/Rebalance/"
    for url in (f"{page}?time=2024&cash=50", f"{page}report.json?time=2024&cash=50",
                f"{page}report.xlsx?time=2024&cash=50", f"{page}trades.csv?time=2024&cash=50",
                f"{page}?time=2024&cash=50&conversion=at_value"):
        assert client.get(url).status_code == 200
    assert len(calls) == 1
    client.get(f"{page}?time=2024")  # opening the tab plans nothing
    client.get(f"{page}report.csv?time=2024")  # the drift table needs no plan
    assert calls == [CashFlow(Decimal(50))]
    client.get(f"{page}?time=2024&cash=")  # "Plan trades" with the field empty
    assert calls == [CashFlow(Decimal(50)), None]
    app.config["LEDGERS"]["hostile"].load_file()  # a reload clears the plans
    client.get(f"{page}?time=2024&cash=50")
    assert calls == [CashFlow(Decimal(50)), None, CashFlow(Decimal(50))]


def test_one_household_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cash form's accounts and the plan come from one household: a page that plans a
    # deposit builds it once (it built one for the form and another for the plan).
    import fava_rebalance.planner.cashflow as cashflow_module
    import fava_rebalance.planner.plan as plan_module

    built: list[object] = []
    for module in (cashflow_module, plan_module):
        real = getattr(module, "build_household", None)
        if real is not None:
            def counting(*args: Any, real: Any = real, **kwargs: Any) -> Any:
                built.append(args[0])
                return real(*args, **kwargs)

            monkeypatch.setattr(module, "build_household", counting)
    client = _app(HOSTILE).test_client()
    assert cells(_plan(page_html(client, "/hostile/extension/Rebalance/?time=2024&cash=50")))
    assert len(built) == 1
    built.clear()
    page_html(client, "/hostile/extension/Rebalance/?time=2024")  # the form alone: one for its list
    assert len(built) == 1


# --- the pure parts --------------------------------------------------------------------------


def test_read_cash() -> None:
    assert read_cash({}).flow is None
    assert read_cash({"cash": " ", "cash_account": "Assets:X"}).flow is None
    assert read_cash({"cash": "1,000.50"}).flow == CashFlow(Decimal("1000.50"))
    withdrawal = read_cash({"cash": "-2_500", "cash_account": "Assets:IRA"})
    assert withdrawal.flow == CashFlow(Decimal(-2500), "Assets:IRA")
    # An account typed after "@" wins over the list's.
    assert read_cash({"cash": "5000@Assets:Roth", "cash_account": "Assets:IRA"}).flow == CashFlow(
        Decimal(5000), "Assets:Roth")
    assert read_cash({"cash": "5000", "cash_account": "Assets:IRA"}).query == (
        ("cash", "5000"), ("cash_account", "Assets:IRA"))
    bad = read_cash({"cash": "12abc"})
    assert (bad.flow, bad.problem is not None) == (None, True)
    assert read_cash({"cash": "5@not an account"}).problem == (
        "'not an account' is not a Beancount account name.")


def test_cash_form_selects_the_choice_or_the_default() -> None:
    accounts = CashAccounts((CashAccount("Assets:A", "taxable", Decimal(0)),
                             CashAccount("Assets:B", "ira", Decimal(10))), "Assets:A")
    form = cash_form("/x/", [("time", "2024")], "", "", accounts, Numbers())
    assert [(c.name, c.selected, c.default, c.cash) for c in form.choices] == [
        ("Assets:A", True, True, "0.00"), ("Assets:B", False, False, "10.00")]
    chosen = cash_form("/x/", [], "5", "Assets:B", accounts, Numbers())
    assert [c.selected for c in chosen.choices] == [False, True]
    unknown = cash_form("/x/", [], "5", "Assets:Gone", accounts, Numbers())
    assert [c.selected for c in unknown.choices] == [True, False]
