"""The Rebalance tab through Flask's test client, on small ledgers in ``tests/ledgers/``.

Every expected figure is worked out by hand in the comments at the top of each ledger
file; the tests name the ledger and the filter they use.
"""

from __future__ import annotations

import datetime
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
from workbook_support import read_sheets

import fava_rebalance.extension as extension_module
from fava_rebalance.extension import Rebalance
from fava_rebalance.tab.cache import ReportCache
from fava_rebalance.tab.chart import Bar, ChartItem, bar_chart
from fava_rebalance.tab.hints import whole_percents
from fava_rebalance.tab.page import Numbers, locale_number_format
from fava_rebalance.tab.scope import account_matcher

LEDGERS = Path(__file__).resolve().parents[1] / "ledgers"
NAMES = ["page", "hostile", "empty", "no_targets", "uncategorized", "broken"]
PAGE = "/rebalance-page/extension/Rebalance/"


def _app(*names: str, **options: Any) -> Flask:
    app = create_app([LEDGERS / f"{name}.beancount" for name in names], load=True, **options)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def app() -> Flask:
    return _app(*NAMES)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _tab(html: str) -> str:
    """The tab's own markup (Fava's layout and its ledger-data JSON cut off)."""
    start = html.index('<div class="rebalance">')
    return html[start : html.index('<script type="application/json" id="page-title">', start)]


def rows(html: str) -> dict[str, list[list[str]]]:
    """``{"targeted": [[category, value, %, target, band, difference, action], ...], ...}``."""
    sections: dict[str, list[list[str]]] = {}
    for section, cells in table_rows(_tab(html), "rebalance-row"):
        sections.setdefault(section.removeprefix("rebalance-"), []).append(cells)
    return sections


# --- discovery and assets ---------------------------------------------------------------


def test_extension_is_discovered_with_its_js_module(app: Flask, client: FlaskClient) -> None:
    ledger = app.config["LEDGERS"]["rebalance-page"]
    assert [(d.name, d.report_title, d.has_js_module) for d in ledger.extensions.extension_details] == [
        ("Rebalance", "Rebalance", True)]
    js = client.get("/rebalance-page/extension_js_module/Rebalance.js")
    assert js.status_code == 200
    assert "onExtensionPageLoad" in js.get_data(as_text=True)


def test_page_is_a_fava_page_with_the_tab_in_the_sidebar(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=2024")
    assert '<link rel="stylesheet" href="/static/app.css' in html  # Fava's layout
    ledger_data = json.loads(re.search(r'id="ledger-data">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    tab = {"name": "Rebalance", "report_title": "Rebalance", "has_js_module": True}
    assert tab in ledger_data["extensions"]
    assert "http://" not in _tab(html)
    assert "https://" not in _tab(html)


# --- time filter: as-of date, prices and targets -----------------------------------------


def test_time_2024_header_and_targeted_rows(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=2024")
    tab = _tab(html)
    assert '<dd class="rebalance-total">50000.00 USD</dd>' in tab
    assert '<time datetime="2024-12-31">2024-12-31</time>' in tab
    assert rows(html)["targeted"] == [
        ["Bonds", "16000.00", "32.00", "25.00", "±2.00", "+7.00", "Sell 3500.00"],
        ["Cash", "1000.00", "2.00", "3.00", "±2.00", "-1.00", "No action"],
        ["Equities:International", "5000.00", "10.00", "22.00", "±2.00", "-12.00", "Buy 6000.00"],
        ["Equities:US", "22000.00", "44.00", "50.00", "±2.00", "-6.00", "Buy 3000.00"],
    ]


def test_time_2025_uses_later_prices_and_targets(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=2025")
    assert '<time datetime="2025-12-31">2025-12-31</time>' in html
    assert rows(html)["targeted"] == [
        ["Bonds", "14000.00", "28.00", "30.00", "±2.00", "-2.00", "No action"],
        ["Cash", "2000.00", "4.00", "3.00", "±2.00", "+1.00", "No action"],
        ["Equities:International", "6000.00", "12.00", "22.00", "±2.00", "-10.00", "Buy 5000.00"],
        ["Equities:US", "23000.00", "46.00", "45.00", "±2.00", "+1.00", "No action"],
    ]


def test_without_time_filter_the_date_is_today(client: FlaskClient) -> None:
    html = page_html(client, PAGE)
    today = datetime.date.today().isoformat()
    assert f'<time datetime="{today}">{today}</time>' in html
    # Nothing happens after 2025-12-31, so the figures are those of time=2025.
    assert rows(html)["targeted"][2][:3] == ["Equities:International", "6000.00", "12.00"]


# time=2024: the moves of the ledger's comment, and Cash (inside its band, 500 below its
# target) rebalanced with the others: 3% × 50,000 − 1,000 = 500.
MOVES_2024 = [
    "Buy 6,000.00 USD of Equities:International (10.00% now, target 22.00%).",
    "Sell 3,500.00 USD of Bonds (32.00% now, target 25.00%).",
    "Buy 3,000.00 USD of Equities:US (44.00% now, target 50.00%).",
    "Buy 500.00 USD of Cash (2.00% now, target 3.00%; inside its band, rebalanced with the others).",
]


# The same moves on the tab, in Fava's number format: page.beancount sets no locale, so
# Fava writes 6000.00 (as its Balance Sheet does), not the library's 6,000.00.
MOVES_2024_TAB = [
    "Buy 6000.00 USD of Equities:International (10.00% now, target 22.00%).",
    "Sell 3500.00 USD of Bonds (32.00% now, target 25.00%).",
    "Buy 3000.00 USD of Equities:US (44.00% now, target 50.00%).",
    "Buy 500.00 USD of Cash (2.00% now, target 3.00%; inside its band, rebalanced with the others).",
]


def test_moves_biggest_first(client: FlaskClient) -> None:
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    moves = re.findall(r"<li>(Buy|Sell)(.*?)</li>", tab)
    assert ["".join(m) for m in moves] == MOVES_2024_TAB
    # The buys spend 6,000 + 3,000 + 500 = 9,500, the sell raises 3,500: 6,000 short, exactly
    # BTC 3,000 + GLD 3,000, which have no target.
    assert ('<p class="rebalance-moves-note">The buys spend 6000.00 USD more than the sells raise: '
            "6000.00 USD (12.00%) of the portfolio is in holdings without a target (Crypto, GLD), which the "
            "targets count but no move sells. Selling those holdings, or adding that much cash, pays for "
            "every buy; otherwise buy that much less.</p>") in tab
    # cash_needed: max(value / target) - total = 16000 / 0.25 - 50000 = 14000.
    assert ("<li>Cash to add so that buying alone, without selling, leaves no category above its target: "
            "14000.00 USD.</li>") in tab
    # cash_needed_band (bands ±2): Bonds comes down to 27% at 16,000 / 0.27 = 59,259.26, so
    # D ≥ 9,259.26. Lower edges: International 20%, US 48% need buying from the start; Bonds
    # joins at 23% × (50,000 + D) = 16,000, D = 19,565.22; Cash (1%) only at D = 50,000.
    # From 9,259.26: f(D) = 44,000 + D − 0.68 (50,000 + D) − 16,000 − 1,000 = 0.32 D − 7,000,
    # root 21,875 lies past 19,565.22 (f there: −739.13). From 19,565.22: f(D) = 44,000 + D −
    # 0.91 (50,000 + D) − 1,000 = 0.09 D − 2,500, root 27,777.78 (rounded up to the cent).
    # Check at 77,777.78: International 15,555.56 (+10,555.56), US 37,333.33 (+15,333.33),
    # Bonds 17,888.89 (+1,888.89): 27,777.78 spent; Bonds 23%, Cash 1.29%, US 48%.
    assert ("<li>Cash to add so that buying alone brings every category inside its band: 27777.78 USD.</li>"
            in tab)


# --- the three sections and the holdings ------------------------------------------------


def test_three_sections_in_order(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=2024")
    sections = rows(html)
    assert list(sections) == ["targeted", "untargeted", "uncategorized"]
    assert sections["untargeted"] == [["Crypto", "3000.00", "6.00", "", "", "", "Set a target"]]
    assert sections["uncategorized"] == [
        ["GLD in Assets:Invest:Taxable", "3000.00", "6.00", "", "", "", "Set an asset class"]]
    tab = _tab(html)
    assert tab.index("Categories with targets") < tab.index("No target set") < tab.index("Uncategorized")


def test_action_colour_classes_and_band(client: FlaskClient) -> None:
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    assert re.search(r'class="rebalance-action rebalance-sell" title="3500.00 USD to reach the target">'
                     r"\s*Sell", tab)
    assert re.search(r'class="rebalance-action rebalance-buy"[^>]*>\s*Buy', tab)
    assert re.search(r'class="rebalance-action rebalance-none" title="within its band of ±2.00 points">'
                     r"\s*No action", tab)
    assert ".rebalance-action.rebalance-buy { color: var(--diff-green); }" in tab
    assert ".rebalance-action.rebalance-sell { color: var(--diff-red); }" in tab


def test_holdings_link_to_fava_account_pages_with_the_filters(client: FlaskClient) -> None:
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    detail = tab[tab.index('id="rebalance-detail-targeted-0"') :]
    detail = detail[: detail.index("</tr>\n  </tbody>")]
    assert '<a href="/rebalance-page/account/Assets:Invest:IRA/?time=2024">Assets:Invest:IRA</a>' in detail
    cells = re.findall(r"<td[^>]*>(.*?)</td>", detail)
    # BND: 200 units at 80.00 (2024-12-31) = 16000.00
    assert cells[1:] == ['<span title="BND">BND</span>', "200", "80.00", "2024-12-31", "16000.00"]
    assert '<span title="Vanguard Total Stock Market ETF">VTI</span>' in tab


def test_uncategorized_row_says_which_line_to_add(client: FlaskClient) -> None:
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    assert "<pre><code>2020-01-01 commodity GLD\n  asset-class: &#34;...&#34;</code></pre>" in tab
    # GLD's commodity directive is on line 53 of page.beancount; the hint links the editor.
    lineno = next(i for i, line in enumerate((LEDGERS / "page.beancount").read_text().splitlines(), 1)
                  if line == "2020-01-01 commodity GLD")
    assert f">page.beancount:{lineno}</a>" in tab


def test_chart_is_inline_svg_with_fava_colours(client: FlaskClient) -> None:
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    start = tab.index('<svg class="rebalance-chart-plot"')
    svg = tab[start : tab.index("</svg>", start)]
    chart_rows = svg.split('<g class="rebalance-chart-row">')[1:]
    assert len(chart_rows) == 6  # 4 targeted, Crypto and the uncategorized GLD
    assert [row.count('class="rebalance-bar-target"') for row in chart_rows] == [1, 1, 1, 1, 0, 0]
    assert ">target 25.00%<" in svg
    assert ">no target<" in svg
    assert "fill: var(--link-color)" in tab  # the bars follow Fava's light and dark themes


# --- account and advanced filters -------------------------------------------------------


@pytest.mark.parametrize("query", ["time=2024&account=IRA", "time=2024&filter=%23ira"])
def test_account_and_tag_filters_narrow_the_holdings(client: FlaskClient, query: str) -> None:
    html = page_html(client, f"{PAGE}?{query}")
    assert '<dd class="rebalance-total">21000.00 USD</dd>' in html
    sections = rows(html)
    assert sections["targeted"] == [
        ["Bonds", "16000.00", "76.19", "25.00", "±2.00", "+51.19", "Sell 10750.00"],
        ["Cash", "0.00", "0.00", "3.00", "±2.00", "-3.00", "Buy 630.00"],
        ["Equities:International", "5000.00", "23.81", "22.00", "±2.00", "+1.81", "No action"],
        ["Equities:US", "0.00", "0.00", "50.00", "±2.00", "-50.00", "Buy 10500.00"],
    ]
    assert list(sections) == ["targeted"]
    href = re.search(r'href="([^"]*report\.csv[^"]*)"', html)[1].replace("&amp;", "&")  # type: ignore[index]
    assert sorted(href.split("?")[1].split("&")) == sorted(query.split("&"))


# --- downloads ---------------------------------------------------------------------------


def test_csv_has_the_page_figures(client: FlaskClient) -> None:
    page_rows = rows(page_html(client, PAGE + "?time=2024"))
    response = client.get(PAGE + "report.csv?time=2024")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="rebalance-2024-12-31.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype=str, keep_default_na=False)
    for section, section_rows in page_rows.items():
        csv_rows = frame[frame["section"] == section]
        assert len(csv_rows) == len(section_rows)
        for (_, csv_row), page_row in zip(csv_rows.iterrows(), section_rows, strict=True):
            assert page_row[0].startswith(csv_row["category"])
            assert [csv_row["value"], csv_row["percent"]] == page_row[1:3]
            if section == "targeted":
                assert [csv_row["target"], csv_row["difference"].lstrip("+")] == [
                    page_row[3], page_row[5].lstrip("+")]
                label = {"buy": "Buy", "sell": "Sell", "none": "No action"}[csv_row["action"]]
                amount = "" if csv_row["action"] == "none" else f" {csv_row['amount']}"
                assert page_row[6] == label + amount


def test_xlsx_reads_back(client: FlaskClient) -> None:
    response = client.get(PAGE + "report.xlsx?time=2024")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="rebalance-2024-12-31.xlsx"'
    sheets = read_sheets(response.data)
    # The CLI's workbook: the summary, the drift and the moves first, the plan's sheets, the
    # warnings last.
    assert list(sheets) == ["Summary", "Drift", "Moves", "Trades", "Tax", "Before-After", "Accounts",
                            "Location", "Warnings"]
    drift = sheets["Drift"]
    assert list(drift["Category"]) == ["Bonds", "Cash", "Equities:International", "Equities:US", "Crypto",
                                       "GLD"]
    assert list(drift["Value"]) == [16000, 1000, 5000, 22000, 3000, 3000]
    assert list(drift["Amount"][:4]) == [3500, 500, 6000, 3000]
    moves = list(sheets["Moves"]["Move"])
    assert moves[:4] == MOVES_2024
    assert moves[4].startswith("The buys spend 6,000.00 USD more than the sells raise")
    assert moves[5:] == [  # the page's two deposits (test_moves_biggest_first)
        "Cash to add so that buying alone leaves no category above its target: 14,000.00 USD.",
        "Cash to add so that buying alone brings every category inside its band: 27,777.78 USD.",
    ]


def test_json_honours_the_filters(client: FlaskClient) -> None:
    response = client.get(PAGE + "report.json?time=2024&account=IRA")
    assert response.status_code == 200
    data = response.get_json()
    assert (data["date"], data["currency"], data["total"]) == ("2024-12-31", "USD", "21000.00")
    assert [(r["category"], r["amount"], r["action"]) for r in data["targeted"]] == [
        ("Bonds", "10750.00", "sell"), ("Cash", "630.00", "buy"),
        ("Equities:International", "380.00", "none"), ("Equities:US", "10500.00", "buy")]


# --- escaping ----------------------------------------------------------------------------


def test_hostile_names_are_escaped(client: FlaskClient) -> None:
    html = page_html(client, "/hostile/extension/Rebalance/?time=2024")
    assert "<script>alert(1)" not in html
    assert "<b>Corp" not in html
    tab = _tab(html)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"
    assert f'aria-controls="rebalance-detail-targeted-0">{escaped}</button>' in tab
    assert f"<li>Sell 20.00 USD of {escaped} (60.00% now, target 50.00%).</li>" in tab
    assert '<span title="Evil &lt;b&gt;Corp&lt;/b&gt; &amp; Sons">EVIL</span>' in tab
    assert f"<title>{escaped}</title>" in tab  # the chart's label tooltip
    csv = client.get("/hostile/extension/Rebalance/report.csv?time=2024").get_data(as_text=True)
    assert "<script>alert(1)</script> & Co" in csv  # a download holds the exact name


# --- prerequisites -----------------------------------------------------------------------


def test_empty_ledger_explains_what_is_missing(client: FlaskClient) -> None:
    tab = _tab(page_html(client, "/empty/extension/Rebalance/?time=2024"))
    assert 'id="rebalance-missing-no-holdings"' in tab
    assert 'id="rebalance-missing-no-targets"' in tab
    assert "Nothing is held on 2024-12-31 in the portfolio: the accounts matching ^Assets:" in tab
    assert "2024-12-31 open Assets:Invest:Brokerage" in tab
    assert "2024-12-31 custom &#34;rebalance-option&#34; &#34;accounts&#34; &#34;^Assets:Invest&#34;" in tab
    assert "2024-12-31 custom &#34;rebalance-target&#34; &#34;Equities&#34; 60" in tab
    assert 'class="rebalance-table"' not in tab
    assert "<svg" not in tab
    assert "Suggested moves" not in tab


def test_no_targets_suggests_targets_at_todays_shares(client: FlaskClient) -> None:
    tab = _tab(page_html(client, "/no-targets/extension/Rebalance/?time=2024"))
    assert 'id="rebalance-missing-no-targets"' in tab
    assert 'id="rebalance-missing-no-holdings"' not in tab
    assert ("<pre><code>2024-12-31 custom &#34;rebalance-target&#34; &#34;Equities&#34; 67\n"
            "2024-12-31 custom &#34;rebalance-target&#34; &#34;Bonds&#34; 33</code></pre>") in tab
    assert 'id="rebalance-untargeted"' in tab
    assert 'id="rebalance-targeted"' not in tab


def test_nothing_categorized_shows_the_metadata_lines(client: FlaskClient) -> None:
    tab = _tab(page_html(client, "/uncategorized/extension/Rebalance/?time=2024"))
    block = tab[tab.index('id="rebalance-missing-nothing-categorized"') : tab.index("</section>", tab.index(
        'id="rebalance-missing-nothing-categorized"'))]
    codes = re.findall(r"<pre><code>(.*?)</code></pre>", block, re.S)
    assert codes == [
        "2024-03-05 commodity GLD\n  asset-class: &#34;...&#34;",  # no directive: first purchase
        "2020-01-01 commodity VTI\n  asset-class: &#34;...&#34;",  # the existing directive
        "2024-12-31 commodity USD\n  asset-class: &#34;Cash&#34;",  # the reporting currency
    ]
    assert ">uncategorized.beancount:14</a>" in block
    # Both targets name categories nothing declares; the errors are shown with file:line.
    assert ">uncategorized.beancount:11</a>" in tab
    assert ">uncategorized.beancount:12</a>" in tab


# --- errors never break the page ---------------------------------------------------------


def test_broken_metadata_page_opens_and_shows_the_errors(app: Flask, client: FlaskClient) -> None:
    tab = _tab(page_html(client, "/broken/extension/Rebalance/"))
    assert ">broken.beancount:9</a>" in tab
    assert "bad asset-class on VBIAX: split &#39;Equities 60%, Bonds 30%&#39; adds up to 90%, not 100%" in tab
    assert ">broken.beancount:17</a>" in tab
    assert "unknown rebalance-option &#39;colour&#39;" in tab
    # VTI still counts (10 x 100 = 1,000); VBIAX, unreadable, is uncategorized (10 x 50 = 500).
    assert rows(page_html(client, "/broken/extension/Rebalance/?time=2024"))["targeted"][0][:3] == [
        "Equities", "1000.00", "66.67"]
    # The plugin's errors are on Fava's Errors page too.
    messages = [e.message for e in app.config["LEDGERS"]["broken"].errors]
    assert any("adds up to 90%" in m for m in messages)
    assert any("unknown rebalance-option 'colour'" in m for m in messages)


def test_bad_filter_shows_a_message(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=notatime")
    assert "Fava could not apply this page&#39;s filters" in _tab(html)


@pytest.mark.parametrize(("time", "message"), [
    # The report looks 30 days back and 31 ahead: dates near Python's ends are refused.
    ("9999", "The report date 9999-12-30 is outside the supported dates, 1900-01-01 to 9998-12-31"),
    ("0001-01-15", "The report date 0001-01-15 is outside the supported dates"),
    ("1899-12-31", "The report date 1899-12-31 is outside the supported dates"),
    ("0001", "Fava could not apply this page&#39;s time filter: it reaches past the dates Python can hold"),
])
def test_dates_outside_the_supported_range_are_a_message(client: FlaskClient, time: str,
                                                         message: str) -> None:
    html = page_html(client, PAGE + f"?time={time}&cash=")
    assert message in _tab(html)
    for download in ("report.csv", "trades.csv", "report.xlsx", "report.json"):
        response = client.get(PAGE + f"{download}?time={time}")
        assert response.status_code == 400, (download, response.get_data(as_text=True))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert message.replace("&#39;", "'") in response.get_data(as_text=True)


def test_a_bug_shows_a_message_not_a_stack_trace(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(extension_module, "analyse_portfolios", broken)
    html = page_html(client, PAGE + "?time=2019")  # a scope not cached by the other tests
    assert "could not be computed (ZeroDivisionError: boom)" in _tab(html)
    response = client.get(PAGE + "report.csv?time=2019")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_bug_while_reading_the_ledger_still_opens_fava(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise KeyError("declarations")

    monkeypatch.setattr(extension_module.Ledger, "from_entries", broken)
    client = _app("hostile").test_client()
    assert client.get("/hostile/income_statement/").status_code == 200
    assert "could not be computed (KeyError: &#39;declarations&#39;)" in _tab(
        page_html(client, "/hostile/extension/Rebalance/"))


# --- computed once per load and filter ---------------------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = extension_module.analyse_portfolios

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(str(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(extension_module, "analyse_portfolios", counting)
    return calls


def test_report_is_computed_once_per_load_and_filters(counted: list[str]) -> None:
    app = _app("page")
    client = app.test_client()
    for url in (PAGE + "?time=2024", PAGE + "report.csv?time=2024", PAGE + "report.json?time=2024",
                PAGE + "?time=2024&conversion=at_value"):
        assert client.get(url).status_code == 200
    assert counted == ["2024-12-31"]
    client.get(PAGE + "?time=2025")
    assert counted == ["2024-12-31", "2025-12-31"]
    ledger = app.config["LEDGERS"]["rebalance-page"]
    extension = ledger.extensions.get_extension("Rebalance")
    assert isinstance(extension, Rebalance)
    ledger.load_file()  # a reload clears the cache
    client.get(PAGE + "?time=2024")
    assert counted == ["2024-12-31", "2025-12-31", "2024-12-31"]


# --- incognito and read-only -------------------------------------------------------------


def test_incognito_masks_every_figure() -> None:
    client = _app("page", incognito=True).test_client()
    tab = _tab(page_html(client, PAGE + "?time=2024"))
    assert '<dd class="rebalance-total">XXXXX.XX USD</dd>' in tab
    assert "<li>Buy XXXX.XX USD of Equities:International (XX.XX% now, target XX.XX%).</li>" in tab
    visible = re.sub(r"<[^>]*>", " ", tab[tab.index("</style>") :])  # text only, no attributes
    figures = re.findall(r"\d+\.\d\d", visible)
    assert figures == []
    titles = re.findall(r'title="([^"]*)"', tab)
    assert not [t for t in titles if re.search(r"\d+\.\d\d", t)]


FIGURE = re.compile(r"\d+\.\d\d|\d+%")  # 1234.50, 25%: the shapes the figures take


def test_incognito_masks_the_downloads() -> None:
    client = _app("page", incognito=True).test_client()
    for download in ("report.csv?time=2024", "trades.csv?time=2024&cash=1000",
                     "report.json?time=2024&cash=1000"):
        response = client.get(PAGE + download)
        assert response.status_code == 200
        assert FIGURE.findall(response.get_data(as_text=True)) == [], download
    doc = client.get(PAGE + "report.json?time=2024&cash=1000").get_json()
    # Names stay, figures go, as on the page: total 50,000.00 and Bonds 16,000.00 (32.00%).
    assert (doc["date"], doc["total"]) == ("2024-12-31", "XXXXX.XX")
    # Dates are not figures: Bonds has been outside its band since the first month end,
    # 2024-01-31 (until the prices of 2024-12-31 every holding is at cost: BND 200 x 78 =
    # 15,600 of 46,000 = 33.91%, more than 25 + 2).
    assert doc["targeted"][0] == {"category": "Bonds", "value": "XXXXX.XX", "percent": "XX.XX",
                                  "target": "XX.XX", "difference": "X.XX", "amount": "XXXX.XX",
                                  "action": "sell", "band": "X.XX", "outside_since": "2024-01-31"}
    drift = pd.read_csv(io.StringIO(client.get(PAGE + "report.csv?time=2024").get_data(as_text=True)),
                        dtype=str, keep_default_na=False)
    assert list(drift.iloc[0]) == ["2024-12-31", "USD", "targeted", "Bonds", "", "XXXXX.XX", "XX.XX", "XX.XX",
                                   "X.XX", "X.XX", "XXXX.XX", "sell"]
    workbook = pd.read_excel(io.BytesIO(client.get(PAGE + "report.xlsx?time=2024&cash=1000").data),
                             sheet_name=None, dtype=object)
    for name, sheet in workbook.items():
        for value in sheet.to_numpy().ravel():
            assert not isinstance(value, (int, float)) or isinstance(value, bool) or value != value, (
                name, value)  # no number (NaN is an empty cell)
            assert not FIGURE.findall(str(value)), (name, value)


def _geometry(html: str) -> list[str]:
    """Every position and size in the tab's SVG charts (texts left out)."""
    svgs = "".join(re.findall(r"<svg.*?</svg>", _tab(html), re.S))
    return re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="[^"]*"', svgs)


def test_incognito_charts_do_not_draw_the_figures() -> None:
    # time=2024 and time=2025 hold different shares (44/10/32/2% against 46/12/28/4%), so
    # their charts differ; under incognito both are drawn from the same placeholders.
    plain = _app("page").test_client()
    masked = _app("page", incognito=True).test_client()
    query = "?time={}&cash="
    assert _geometry(page_html(plain, PAGE + query.format(2024))) != _geometry(
        page_html(plain, PAGE + query.format(2025)))
    first = _geometry(page_html(masked, PAGE + query.format(2024)))
    assert first == _geometry(page_html(masked, PAGE + query.format(2025)))
    assert any(g.startswith("width=") for g in first)  # the bars are still drawn


def test_read_only_serves_the_page_and_downloads() -> None:
    client = _app("page", read_only=True).test_client()
    assert client.get(PAGE + "?time=2024").status_code == 200
    assert client.get(PAGE + "report.csv?time=2024").status_code == 200
    assert client.get(PAGE + "report.xlsx?time=2024").status_code == 200
    assert client.post(PAGE + "report.csv").status_code == 401


def test_partial_page_for_in_app_navigation(client: FlaskClient) -> None:
    html = page_html(client, PAGE + "?time=2024&partial=true")
    assert "<!doctype html>" not in html  # Fava inserts the fragment into its page
    assert 'class="rebalance-table"' in html



# --- the pure helpers behind the page ----------------------------------------------------


def test_whole_percents_add_up_to_100_by_largest_remainder() -> None:
    # 2:1 → 66.67 / 33.33 → floors 66 + 33 = 99; the point goes to the larger remainder.
    assert whole_percents([("A", Decimal(2)), ("B", Decimal(1))]) == [("A", 67), ("B", 33)]
    # 1:1:1 → 33.33 each → 99; equal remainders: the first name alphabetically gets it.
    assert whole_percents([("B", Decimal(1)), ("A", Decimal(1)), ("C", Decimal(1))]) == [
        ("B", 33), ("A", 34), ("C", 33)]
    assert whole_percents([("A", Decimal(0))]) == []


def test_numbers_round_half_up_and_keep_small_prices() -> None:
    numbers = Numbers()
    assert numbers.money(Decimal("2.005")) == "2.01"  # half up, as formatting.round2
    assert numbers.signed(Decimal("7")) == "+7.00"
    assert numbers.signed(Decimal("-0.001")) == "0.00"
    assert numbers.price(Decimal("80")) == "80.00"
    assert numbers.price(Decimal("0.0123456789")) == "0.012346"  # six places at most


def test_fava_locale_number_format() -> None:
    # Fava's `locale` option: German groups with "." and uses "," for decimals.
    assert Numbers(locale_number_format("de")).money(Decimal("16000")) == "16.000,00"
    assert Numbers(locale_number_format(None)).money(Decimal("16000")) == "16000.00"


def _item(label: str, current: Decimal, target: Decimal | None, band: Decimal, note: str) -> ChartItem:
    bars = (Bar("current", current, f"{current}%"), Bar("target", target, note))
    return ChartItem(label, bars, target, band)


def test_chart_geometry() -> None:
    chart = bar_chart([_item("Bonds", Decimal(32), Decimal(25), Decimal(2), "target 25.00%"),
                       _item("Crypto", Decimal(6), None, Decimal(0), "no target")],
                      [("current", "Current"), ("target", "Target"), ("band", "Band")])
    # Largest drawn: 32 → axis to 40 (a multiple of 10), ticks every 10.
    # Positions are percentages of the plot's width (the SVG is as wide as the page).
    assert [t.label for t in chart.ticks] == ["0%", "10%", "20%", "30%", "40%"]
    assert [t.x for t in chart.ticks] == [0, 25, 50, 75, 100]
    bonds, crypto = chart.rows
    current, target = (bar.box for bar in bonds.bars)
    assert current is not None
    assert (current.x, current.width) == (0, 80)  # 32 of 40
    assert target is not None
    assert target.width == 62.5  # 25 of 40
    assert bonds.band is not None  # 23% to 27%: 57.5% to 67.5% of the plot
    assert (bonds.band.x, bonds.band.width) == (57.5, 10)
    assert bonds.bars[0].text_x == 80  # the text starts where the bar ends, then 4 px
    assert crypto.bars[1].box is None  # "no target": the text alone
    assert (crypto.bars[1].text_x, crypto.bars[1].text_dx) == (0, 4)
    assert crypto.band is None
    assert [entry.kind for entry in chart.legend] == ["current", "target", "band"]
    assert bar_chart([]).rows == ()


def test_chart_axis_rounds_up_past_the_band() -> None:
    # 50 + a band of 2 = 52 → the axis goes to 60 (ticks every 20 above 50).
    chart = bar_chart([_item("US", Decimal(44), Decimal(50), Decimal(2), "")], [("band", "Band")])
    assert [t.label for t in chart.ticks] == ["0%", "20%", "40%", "60%"]
    assert chart.rows[0].band is not None
    assert [entry.kind for entry in chart.legend] == ["band"]
    no_band = bar_chart([_item("US", Decimal(44), Decimal(50), Decimal(0), "")], [("band", "Band")])
    assert no_band.legend == ()  # the band's legend entry only with a band to explain


def test_account_matcher_is_favas_account_filter() -> None:
    assert account_matcher("") is None
    by_component = account_matcher("IRA")
    assert by_component is not None
    assert by_component("Assets:Invest:IRA")
    assert by_component("Assets:Invest:ira")  # the regular expression ignores case
    assert not by_component("Assets:Invest:Taxable")
    by_regex = account_matcher("^Assets:Invest")
    assert by_regex is not None
    assert by_regex("Assets:Invest:Taxable")
    assert not by_regex("Assets:Bank:Checking")


def test_report_cache_computes_once_and_forgets_the_oldest() -> None:
    cache: ReportCache[int] = ReportCache(size=2)
    calls: list[str] = []

    def compute(key: str) -> Callable[[], int]:
        def run() -> int:
            calls.append(key)
            return len(calls)
        return run

    assert cache.get("a", compute("a")) == 1
    assert cache.get("a", compute("a")) == 1
    cache.get("b", compute("b"))
    cache.get("c", compute("c"))  # "a" is the least recently used: dropped
    assert len(cache) == 2
    cache.get("a", compute("a"))
    assert calls == ["a", "b", "c", "a"]
    cache.clear()
    assert len(cache) == 0
