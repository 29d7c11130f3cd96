"""SPEC §6: the Rebalance tab with several portfolios (``?portfolio=NAME``) and a glide path.

The ledger is ``tests/ledgers/portfolios.beancount``; its figures on 2031-01-01 are worked
out at its top.
"""

from __future__ import annotations

import datetime
import html as html_module
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from fava.application import create_app
from fava_support import page_html, table_rows
from flask import Flask
from flask.testing import FlaskClient
from test_portfolio_scopes import TWO

from fava_rebalance.core.pipeline import analyse
from fava_rebalance.tab.hints import target_hint

LEDGER = Path(__file__).resolve().parents[1] / "ledgers" / "portfolios.beancount"
PAGE = "/rebalance-portfolios/extension/Rebalance/"
KIDS = "<b>Kids & Co</b>"


@pytest.fixture(scope="module")
def app() -> Flask:
    app = create_app([LEDGER], load=True)
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _tab(html: str) -> str:
    start = html.index('<div class="rebalance">')
    return html[start : html.index('<script type="application/json" id="page-title">', start)]


def _switcher(html: str) -> list[tuple[str, str, str, dict[str, list[str]], bool]]:
    """``(name, value, drift, query of its link, current)`` per link of the switcher, in order."""
    nav = _tab(html).split('<nav class="rebalance-portfolios"', 1)[1].split("</nav>", 1)[0]
    found = []
    for item in re.findall(r"<a (.*?)>(.*?)</a>", nav, re.S):
        attrs, body = item
        href = html_module.unescape(re.search(r'href="([^"]*)"', attrs).group(1))
        spans = [html_module.unescape(" ".join(s.split()))
                 for s in re.findall(r"<span[^>]*>(.*?)</span>", body, re.S)]
        found.append((spans[0], spans[1], spans[2], parse_qs(urlsplit(href).query),
                      'aria-current="page"' in attrs))
    return found


def test_the_switcher_lists_every_portfolio_the_worst_first(client: FlaskClient) -> None:
    html = page_html(client, f"{PAGE}?time=2031-01-01&account=Assets&conversion=at_cost")
    links = _switcher(html)
    assert [(name, value, drift, current) for name, value, drift, _, current in links] == [
        ("College", "10000.00 USD", "largest drift Bonds +10.00 points, outside its band", False),
        ("Main", "10000.00 USD", "largest drift Bonds 0.00 points", True),
        (KIDS, "500.00 USD", "largest drift Cash 0.00 points", False),
    ]
    # Each link keeps Fava's filters and names its portfolio.
    for name, _, _, query, _ in links:
        assert query["portfolio"] == [name]
        assert (query["time"], query["account"], query["conversion"]) == (
            ["2031-01-01"], ["Assets"], ["at_cost"])


def test_a_portfolio_is_chosen_by_name_and_shows_its_glide(client: FlaskClient) -> None:
    html = page_html(client, f"{PAGE}?time=2031-01-01&portfolio=College")
    rows = [cells for _, cells in table_rows(_tab(html), "rebalance-row")]
    # Bonds 50% against the day's 40 (gliding from 30 to 50), Stocks 50% against 60.
    assert [cells[:6] for cells in rows] == [
        ["Bonds gliding from 30% (2026-01-01) to 50% (2036-01-01)", "5000.00", "50.00", "40.00", "±5.00",
         "+10.00"],
        ["Stocks gliding from 70% (2026-01-01) to 50% (2036-01-01)", "5000.00", "50.00", "60.00", "±5.00",
         "-10.00"],
    ]
    assert [current for *_, current in _switcher(html)] == [True, False, False]
    tab = _tab(html)
    # The chart's target marker is at the day's target: the bar labels say 40.00% and 60.00%.
    assert "target 40.00%" in tab
    assert "target 60.00%" in tab


def test_the_downloads_and_the_plan_form_keep_the_portfolio(client: FlaskClient) -> None:
    html = page_html(client, f"{PAGE}?time=2031-01-01&portfolio=College")
    tab = _tab(html)
    found = re.findall(r'href="([^"]*report\.(?:csv|xlsx|json)[^"]*)"', tab)
    hrefs = [html_module.unescape(h) for h in found]
    assert len(hrefs) == 3
    assert all(parse_qs(urlsplit(h).query)["portfolio"] == ["College"] for h in hrefs)
    assert '<input type="hidden" name="portfolio" value="College">' in tab
    response = client.get(f"{PAGE}report.json?time=2031-01-01&portfolio=College")
    doc = json.loads(response.get_data(as_text=True))
    assert (doc["portfolio"], doc["total"]) == ("College", "10000.00")
    assert [(t["action"], t["commodity"], t["units"]) for t in doc["trades"]] == [
        ("sell", "BND", "10"), ("buy", "VTI", "10")]  # 1,000.00 each way at 100
    response = client.get(f"{PAGE}report.csv?time=2031-01-01&portfolio=College")
    assert 'filename="rebalance-College-2031-01-01.csv"' in response.headers["Content-Disposition"]
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)))
    assert list(frame["portfolio"]) == ["College", "College"]
    planned = page_html(client, f"{PAGE}?time=2031-01-01&portfolio=College&cash=")
    assert "Assets:College:529" in _tab(planned)
    assert "Assets:Invest:Taxable" not in _tab(planned).split('class="rebalance-plan', 1)[1]


def test_an_unknown_portfolio_is_a_message_and_the_switcher_stays(client: FlaskClient) -> None:
    html = page_html(client, f"{PAGE}?time=2031-01-01&portfolio=Colege")
    tab = _tab(html)
    assert ("No portfolio named &#39;Colege&#39;; the ledger&#39;s portfolios are Main, "
            "&lt;b&gt;Kids &amp; Co&lt;/b&gt;, College.") in tab
    assert len(_switcher(html)) == 3
    response = client.get(f"{PAGE}report.json?time=2031-01-01&portfolio=Colege")
    assert response.status_code == 400


def test_a_hostile_portfolio_name_is_escaped(client: FlaskClient) -> None:
    html = page_html(client, f"{PAGE}?time=2031-01-01&portfolio={KIDS.replace('&', '%26')}")
    tab = _tab(html)
    assert "<b>Kids" not in tab
    assert "&lt;b&gt;Kids &amp; Co&lt;/b&gt;" in tab
    assert [current for *_, current in _switcher(html)] == [False, False, True]


def test_the_lines_a_hint_offers_carry_the_portfolio(ledger_of) -> None:
    # A target hint for College's untargeted Gold must say portfolio: "College", or pasting
    # it would give Main a target; Main's hints stay as they were.
    ledger = ledger_of(TWO + ('2020-01-01 commodity GLD\n  asset-class: "Gold"\n'
                              '2024-01-03 * "gold"\n  Assets:College:529  1 GLD {100 USD}\n'
                              "  Equity:Opening\n2024-06-01 price GLD 100 USD\n"))
    college = analyse(ledger, datetime.date(2024, 6, 1), portfolio="College")
    assert [row.category for row in college.allocation.untargeted] == ["Gold"]
    assert target_hint("Gold", college).lines == ('2024-06-01 custom "rebalance-target" "Gold" ...',
                                                  '  portfolio: "College"')
    main = analyse(ledger, datetime.date(2024, 6, 1))
    assert target_hint("Gold", main).lines == ('2024-06-01 custom "rebalance-target" "Gold" ...',)


def test_incognito_masks_the_switcher_and_the_glide() -> None:
    app = create_app([LEDGER], load=True, incognito=True)
    app.testing = True
    html = page_html(app.test_client(), f"{PAGE}?time=2031-01-01&portfolio=College")
    links = _switcher(html)
    assert [name for name, *_ in links] == ["College", "Main", KIDS]  # names stay
    assert links[0][1:3] == ("XXXXX.XX USD", "largest drift Bonds +XX.XX points, outside its band")
    assert "gliding from XX% (XXXX-XX-XX) to XX% (XXXX-XX-XX)" in _tab(html)
    assert "gliding from 30%" not in _tab(html)


def test_a_portfolio_without_targets_comes_last_in_the_switcher() -> None:
    # The example ledger on 2025-12-31 (example-ledger/README.md): College has no targets yet;
    # Main's differences are -1.15, -3.28, +1.62 and -2.06, the largest Equities:International.
    from test_example_college import example_ledger

    from fava_rebalance.core.pipeline import analyse_portfolios
    from fava_rebalance.tab.page import Numbers
    from fava_rebalance.tab.switcher import build_switcher

    reports = analyse_portfolios(example_ledger(), datetime.date(2025, 12, 31))
    numbers = Numbers()
    switcher = build_switcher(reports, "College", lambda name: f"?portfolio={name}", numbers.money,
                              numbers.signed)
    assert switcher is not None
    assert [(link.name, link.value, link.drift, link.outside, link.current) for link in switcher.links] == [
        ("Main", "840806.68", "largest drift Equities:International -3.28 points", False, False),
        ("College", "23200.00", "no targets", False, True),
    ]
    assert build_switcher(reports[:1], "Main", str, numbers.money, numbers.signed) is None  # one portfolio
