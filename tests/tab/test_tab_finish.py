"""Issue #14 on the Fava tab: Fava's number format everywhere, guidance that does not mislead, a
filtered view that says so, the orders table, downloads, lots the ledger does not describe.

Ledgers: ``tests/ledgers/page.beancount`` (figures in its header: time=2024 is as of
2024-12-31, total 50,000.00; the IRA alone 21,000.00), the example household (2026-11-20),
and small ones written here, each worked out beside it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from textwrap import dedent
from typing import Any

import pandas as pd
import pytest
from fava.application import create_app
from fava_support import page_html, table_rows
from flask import Flask
from flask.testing import FlaskClient
from workbook_support import read_items

from fava_rebalance.planner.cashflow import DEFAULT_ACCOUNT_RULE
from fava_rebalance.tab.incognito import mask_sheet

ROOT = Path(__file__).resolve().parents[2]
LEDGERS = ROOT / "tests" / "ledgers"
EXAMPLE = ROOT / "example-ledger" / "example.beancount"
PAGE = "/rebalance-page/extension/Rebalance/"
HOUSEHOLD = "/example-household/extension/Rebalance/"
# The SPEC example, as in test_cli: targets from 2024-01-01 (Equities 60, Bonds 40), the
# first purchase on 2024-01-02.
SPEC_LEDGER = """
    option "title" "Spec"
    option "operating_currency" "USD"
    2010-01-01 custom "fava-extension" "fava_rebalance"
    2010-01-01 commodity VTI
      asset-class: "Equities"
    2010-01-01 commodity BND
      asset-class: "Bonds"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Equities" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-02 * "buy"
      Assets:Invest:Taxable  700 VTI {100 USD}
      Assets:Invest:Taxable  300 BND {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    2024-01-02 price BND 100 USD
"""
# test_outputs_cli.NO_COST on the tab: 1,000 MMF without a cost and 10 VTI at 100.00; a
# withdrawal of 1,000.00 sells 500 MMF (no cost: no gain counted) and 5 VTI.
NO_COST = """
    option "title" "No cost"
    option "operating_currency" "USD"
    2020-01-01 custom "fava-extension" "fava_rebalance"
    2020-01-01 commodity MMF
      asset-class: "Cash"
    2020-01-01 commodity VTI
      asset-class: "Equities"
    2020-01-01 open Assets:Invest:Taxable
    2020-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-target" "Cash" 50
    2024-01-01 custom "rebalance-target" "Equities" 50
    2024-01-02 * "opening"
      Assets:Invest:Taxable  1000 MMF
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-01-02 price MMF 1 USD
    2024-01-02 price VTI 100 USD
"""


def _app(*ledgers: Path, **options: Any) -> Flask:
    app = create_app(list(ledgers), load=True, **options)
    app.testing = True
    return app


def _written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    folder = tmp_path_factory.mktemp("ledgers")
    return _app(LEDGERS / "page.beancount", EXAMPLE, _written(folder, "spec.beancount", SPEC_LEDGER),
                _written(folder, "no_cost.beancount", NO_COST)).test_client()


def _tab(html: str) -> str:
    start = html.index('<div class="rebalance">')
    return html[start : html.index('<script type="application/json" id="page-title">', start)]


def _text(html: str) -> str:
    """The tab's visible text, tags out, whitespace folded."""
    tab = _tab(html)
    return " ".join(re.sub(r"<[^>]*>", " ", tab[tab.index("</style>") :]).split()).replace("&#39;", "'")


# --- item 4: Fava's number format, the sentences included ----------------------------------


@pytest.mark.parametrize(("option", "move", "total", "btc"), [
    ("", "Buy 6000.00 USD of Equities:International (10.00% now, target 22.00%).", "50000.00",
     ("0.1", "30000.00")),
    ('2020-01-01 custom "fava-option" "locale" "en"',
     "Buy 6,000.00 USD of Equities:International (10.00% now, target 22.00%).", "50,000.00",
     ("0.1", "30,000.00")),
    ('2020-01-01 custom "fava-option" "locale" "de_DE"',
     "Buy 6.000,00 USD of Equities:International (10,00% now, target 22,00%).", "50.000,00",
     ("0,1", "30.000,00")),
    ('option "render_commas" "TRUE"',
     "Buy 6,000.00 USD of Equities:International (10.00% now, target 22.00%).", "50,000.00",
     ("0.1", "30,000.00")),
])
def test_sentences_use_favas_number_format(tmp_path: Path, option: str, move: str, total: str,
                                           btc: tuple[str, str]) -> None:
    # page.beancount, time=2024: buy 22% × 50,000 − 5,000 = 6,000.00 of International.
    # Beancount reads options from the top file only: the title and currency are repeated.
    included = LEDGERS / "page.beancount"
    ledger = _written(tmp_path, "ledger.beancount", f'option "title" "Rebalance Page"\n'
                      f'option "operating_currency" "USD"\n{option}\ninclude "{included}"\n')
    tab = _tab(page_html(_app(ledger).test_client(), PAGE + "?time=2024"))
    assert f'<dd class="rebalance-total">{total} USD</dd>' in tab
    assert f"<li>{move}</li>" in tab
    # The note and the deposits, in the same format (6,000.00 short; 14,000.00 to add).
    six, fourteen = ("6000.00", "14000.00") if not option else (
        ("6.000,00", "14.000,00") if "de_DE" in option else ("6,000.00", "14,000.00"))
    assert f"The buys spend {six} USD more than the sells raise" in tab
    assert f"leaves no category above its target: {fourteen} USD." in tab
    # The ledger lines a hint suggests stay Beancount syntax in any locale.
    assert "asset-class: &#34;...&#34;" in tab
    # Units keep every decimal, in the same format: 0.1 BTC at 30,000.00 (0,1 in German,
    # where 0.1 would not be a tenth).
    assert (f'<td class="num">{btc[0]}</td>\n      <td class="num">{btc[1]}</td>') in tab


def test_warnings_and_reasons_use_favas_number_format(client: FlaskClient) -> None:
    # Example household, withdrawal of 50,000: the VOO sale's reason holds 2,000.00 (its
    # loss) and the warnings name 12,500.00 (NIMBUS valued at cost); no locale, no grouping.
    text = _text(page_html(client, f"{HOUSEHOLD}?time=2026-11-20&cash=-50000"))
    assert "realizes a short-term loss of 2000.00 USD" in text
    assert "valued at cost (12500.00 USD)" in text
    assert not re.search(r"\d,\d{3}\.\d\d", text)  # no figure in the library's grouped form


# --- item 5: no placeholders -----------------------------------------------------------------


def test_a_lot_without_cost_is_said_in_words(client: FlaskClient) -> None:
    html = page_html(client, "/no-cost/extension/Rebalance/?time=2024-01-10&cash=-1000")
    # Each order names the account holding it (Assets:Invest:Taxable) below its trading
    # account's heading (Assets:Invest: no tax-status, so the parent).
    orders = {row[1].split(" in ")[0]: row for _, row in table_rows(html, "rebalance-trade")}
    # [action, commodity, units, price, amount, gain, term, lots]: no gain and no term for MMF.
    assert orders["MMF"][2:7] == ["500", "1.00", "500.00", "", ""]
    assert orders["VTI"][2:7] == ["5", "100.00", "500.00", "0.00", "Short"]
    lots = [row for _, row in table_rows(html, "rebalance-lot")]
    assert ["not in the ledger", "500", "not in the ledger", "none counted", ""] in lots
    assert ["2024-01-02", "5", "100 USD", "0.00", "Short"] in lots
    assert "no cost" not in [cell for row in lots for cell in row]


# --- item 6: guidance that does not mislead --------------------------------------------------


def test_a_date_before_the_ledger_begins_says_so(client: FlaskClient) -> None:
    # The example household: its first holding is on 2020-01-01, its first target 2024-01-01.
    html = page_html(client, f"{HOUSEHOLD}?time=1990")
    text = _text(html)
    assert "Too early for this report" in text
    assert ("The report is dated 1990-12-31, before the portfolio's first holding, dated 2020-01-01. Choose "
            "a time filter that ends on or after 2020-01-01") in text
    assert "before the ledger's first target, dated 2024-01-01" in text
    assert "open Assets:Invest:Brokerage" not in text  # no lines the ledger already has
    assert "rebalance-target" not in text


def test_targets_with_nothing_held_say_there_is_nothing_to_rebalance(client: FlaskClient) -> None:
    # The SPEC ledger on 2024-01-01: targets in force, the purchase is the next day.
    html = page_html(client, "/spec/extension/Rebalance/?time=2024-01-01")
    text = _text(html)
    assert ("Nothing to rebalance yet: the portfolio holds nothing on 2024-01-01; the first holding is on "
            "2024-01-02.") in text
    actions = [row[-1] for _, row in table_rows(_tab(html), "rebalance-row")]
    assert actions == ["Nothing held", "Nothing held"]
    assert "within its band" not in text
    assert "Nothing to do" not in text
    assert "Cash to add so that" not in text


# --- item 7: the default cash account ------------------------------------------------------


def test_the_form_states_the_default_account_rule(client: FlaskClient) -> None:
    text = _text(page_html(client, f"{HOUSEHOLD}?time=2026-11-20"))
    assert DEFAULT_ACCOUNT_RULE in text


# --- item 8: a filtered view says so -----------------------------------------------------


@pytest.mark.parametrize(("query", "which"), [("account=IRA", "account IRA"),
                                              ("filter=%23ira", "filter #ira")])
def test_a_filtered_view_says_what_the_targets_are_a_share_of(client: FlaskClient, query: str,
                                                               which: str) -> None:
    # page.beancount, time=2024: the IRA holds 21,000.00 of the portfolio's 50,000.00.
    text = _text(page_html(client, f"{PAGE}?time=2024&{query}"))
    assert (f"This view is filtered ({which}): it counts only the holdings that match, 21000.00 USD of the "
            "portfolio's 50000.00 USD. The targets are applied to these holdings as if they were the whole "
            "portfolio") in text
    assert "This view is filtered" not in _text(page_html(client, f"{PAGE}?time=2024"))


# --- item 9: the orders table and the JSON download -------------------------------------------


def test_orders_name_the_account_once_in_its_heading(client: FlaskClient) -> None:
    html = page_html(client, f"{HOUSEHOLD}?time=2026-11-20&cash=-50000")
    orders = html[html.index('id="rebalance-plan-orders"') : html.index('id="rebalance-plan-accounts"')]
    head = re.search(r"<thead>(.*?)</thead>", orders, re.S)
    assert head is not None
    assert re.findall(r"<th[^>]*>([^<]*)</th>", head[1]) == [
        "Action", "Commodity", "Units", "Price", "Amount (USD)", "Gain (USD)", "Term", "Lots"]
    # A withdrawal from the brokerage: only its orders, under one heading; the account is
    # named again only where a sub-account holds the commodity (its sweep).
    assert orders.count(">Assets:Invest:Brokerage</a>") == 1
    for _, row in table_rows(orders, "rebalance-trade"):
        assert row[0] in ("Sell", "Buy")
        assert row[1].split(" in ")[-1] in (row[1], "Assets:Invest:Brokerage:Sweep")


def test_every_download_link_is_a_download(client: FlaskClient) -> None:
    tab = _tab(page_html(client, f"{PAGE}?time=2024"))
    links = re.findall(r'<a data-remote( download)? href="[^"]*report\.(csv|xlsx|json)', tab)
    assert sorted(links) == [(" download", "csv"), (" download", "json"), (" download", "xlsx")]
    response = client.get(f"{PAGE}report.json?time=2024")
    assert response.headers["Content-Disposition"] == 'attachment; filename="rebalance-2024-12-31.json"'


def test_the_chart_is_as_wide_as_the_page(client: FlaskClient) -> None:
    tab = _tab(page_html(client, f"{PAGE}?time=2024"))
    plot = re.search(r'<svg class="rebalance-chart-plot" width="100%" height="[0-9.]+"', tab)
    assert plot is not None
    # The axis goes to 60% (Equities:US's target 50 and band 2 make 52, rounded up to a
    # multiple of 10); Bonds, 32%, is 32 / 60 = 53.33% of the plot's width, whatever that is.
    assert '<rect class="rebalance-bar-current" x="0.0%" y="8.0" width="53.33%" height="13.0">' in tab


# --- incognito keeps the workbook's names and dates, masks its figures -----------------------


def test_incognito_workbook_keeps_names_and_dates() -> None:
    client = _app(LEDGERS / "page.beancount", incognito=True).test_client()
    summary = read_items(client.get(f"{PAGE}report.xlsx?time=2024&cash=").data, "Summary")
    assert summary["As of"] == datetime.datetime(2024, 12, 31)
    assert summary["Currency"] == "USD"
    assert summary["Portfolio value"] == "XXXXX.XX"  # 50,000.00
    assert summary["Targets add up to"] == "XXX.XX"


def test_incognito_masks_a_sheet_added_without_a_spec() -> None:
    # A sheet another part adds as a bare frame (a drift history) is masked as a table is.
    frame = pd.DataFrame({"category": ["Bonds"], "percent": [Decimal("29.48")]})
    masked = mask_sheet(frame)
    assert isinstance(masked, pd.DataFrame)
    assert masked.to_dict("records") == [{"category": "Bonds", "percent": "XX.XX"}]
