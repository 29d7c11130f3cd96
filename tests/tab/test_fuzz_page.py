"""Fuzz the Rebalance tab in Fava through Flask's test client: it never answers 500.

Two kinds of input a user controls:

- the URL: Fava's ``time``, ``account``, ``filter``, ``conversion`` and ``interval``
  parameters and the tab's ``cash`` and ``cash_account`` (valid, odd and hostile values)
  and stray parameters, on the page and on its downloads (``report.csv``, ``report.json``,
  ``report.xlsx``, ``trades.csv``);
- the ledger: the hypothesis-generated ledgers of ``test_fuzz_plugin`` (hostile metadata,
  shorts, huge and tiny numbers, missing prices), each loaded in a fresh Fava app.

A bad filter is the user's mistake (4xx, or the page explaining it), never a server error.
Derandomized and small enough to run in about 20 s.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from urllib.parse import urlencode

import pytest
from fava.application import create_app
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_fuzz_plugin import ledgers
from test_spreadsheet import check_csv

VALUELESS_CUSTOM = re.compile(r'custom "[^"\n]*" *$', re.MULTILINE)
SLUG = "fuzz"
PAGE = f"/{SLUG}/extension/Rebalance/"
ENDPOINTS = ["", "report.csv", "report.json", "report.xlsx", "trades.csv"]
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LEDGER = """
option "title" "Fuzz"
option "operating_currency" "USD"
option "operating_currency" "EUR"
2020-01-01 custom "fava-extension" "fava_rebalance"
2020-01-01 commodity VTI
  asset-class: "Equities:US"
  name: "<b>Vanguard</b> & \\"Co\\""
2020-01-01 commodity VXUS
  asset-class: "Equities:Intl 70%, <script>x</script> 30%"
2020-01-01 commodity BND
  asset-class: "Bonds"
2020-01-01 commodity GHOST
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:Taxable
  tax-status: "taxable"
2020-01-01 open Assets:Invest:IRA
  tax-status: "ira"
2020-01-01 open Assets:Invest:Épargne
2020-01-01 open Assets:Bank:Checking
2020-01-01 open Equity:Opening
2020-01-01 open Income:Gains
2020-01-01 custom "rebalance-target" "Equities:US" 40
2020-01-01 custom "rebalance-target" "Equities:Intl" 20
2020-01-01 custom "rebalance-target" "<script>x</script>" 10
2020-01-01 custom "rebalance-target" "Bonds" 30
2020-01-01 custom "rebalance-option" "band" 2
2021-01-04 * "Buy" #invest ^lot1
  Assets:Invest:Taxable  100 VTI {200 USD}
  Assets:Invest:IRA  50 BND {80 USD}
  Assets:Invest:Épargne  30 VXUS {50 EUR}
  Assets:Invest:Taxable  -5 GHOST {10 USD}
  Equity:Opening
2023-06-01 * "Sell" #invest
  Assets:Invest:Taxable  -10 VTI {200 USD} @ 250 USD
  Assets:Bank:Checking  2500 USD
  Income:Gains
2024-01-02 price VTI 260 USD
2024-01-02 price BND 75 USD
2024-01-02 price VXUS 55 EUR
2024-01-02 price EUR 1.1 USD
"""

time_value = st.one_of(
    st.sampled_from(["2024", "2023-06", "2024-Q1", "2021 - 2024", "day", "month", "year", "2024-W05",
                     "2019", "1900", "9999", "2024-13", "2024-02-30", "-", "today", "fy2024",
                     "<script>", "'", '"', "2024 -", "0", "", "0001", "0001-01-15", "9999-12-31",
                     "9999-12", "1899-12-31"]),
    st.text(max_size=12),
)
account_value = st.one_of(
    st.sampled_from(["Assets", "Assets:Invest", "IRA", "Épargne", "Taxable", "(", "[a-", "*", "Nothing",
                     ".*", "^Assets:Invest:IRA$", "\\", ""]),
    st.text(max_size=12),
)
filter_value = st.one_of(
    st.sampled_from(["#invest", "^lot1", "payee:Buy", 'narration:"Sell"', "any(account:Taxable)",
                     "-#invest", "(", ")", '"', "#", "units > 10", "account:(", "", "Épargne"]),
    st.text(max_size=12),
)
params = st.fixed_dictionaries({}, optional={
    "time": time_value,
    "account": account_value,
    "filter": filter_value,
    "conversion": st.sampled_from(["at_cost", "at_value", "units", "USD", "EUR", "XYZ", "", "<b>"]),
    "interval": st.sampled_from(["year", "month", "day", "bogus", ""]),
    "cash": st.sampled_from(["1000", "-500", "abc", "1e9", "", "100@Assets:Invest:IRA", "-1e30", "0",
                             "1,000.50", "-99999999", "1e306", "1e999999", "-1e15", "NaN", "=1+1"]),
    "cash_account": st.sampled_from(["Assets:Invest:IRA", "Assets:Invest:Taxable", "Assets:Nope", "(", ""]),
    "portfolio": st.sampled_from(["Main", "College", "", "<b>&", " Main ", "main"]),
    "x": st.text(max_size=8),
})


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.beancount"
        path.write_text(dedent(LEDGER), encoding="utf-8")
        fava_app = create_app([path], load=True)
        yield fava_app


def test_the_fixture_ledger_loads_cleanly(app: Flask) -> None:
    ledger = app.config["LEDGERS"][SLUG]
    assert [e.message for e in ledger.errors] == []
    response = app.test_client().get(PAGE)
    assert response.status_code == 200
    assert "Equities:US" in response.get_data(as_text=True)


@FUZZ
@given(params, st.sampled_from(ENDPOINTS))
def test_page_never_answers_500_whatever_the_url(app: Flask, query: dict[str, str], endpoint: str) -> None:
    url = PAGE + endpoint + ("?" + urlencode(query) if query else "")
    response = app.test_client().get(url)
    body = response.get_data(as_text=True) if endpoint != "report.xlsx" else ""
    assert response.status_code < 500, (url, response.status_code, body[-1500:])
    assert "Traceback" not in body
    if endpoint and response.mimetype == "text/plain":  # a message that may echo the input
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    if endpoint.endswith(".csv") and response.status_code == 200:
        check_csv(body)  # no cell a spreadsheet would run as a formula


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
          derandomize=not os.environ.get("FUZZ_RANDOM"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ledgers())
def test_page_never_answers_500_whatever_the_ledger(text: str) -> None:
    # Fava itself cannot load a ledger with a value-less custom directive (it fails in
    # group_entries_by_account); the plugin's fuzz covers those.
    assume(not VALUELESS_CUSTOM.search(text))
    head = 'option "title" "Fuzz"\n2019-01-01 custom "fava-extension" "fava_rebalance"\n'
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.beancount"
        path.write_text(head + text, encoding="utf-8")
        client = create_app([path], load=True).test_client()
        for url in (PAGE, PAGE + "?time=2020&cash=", PAGE + "?cash=1000", PAGE + "report.json",
                    PAGE + "report.csv?time=2019", PAGE + "trades.csv?cash=-50",
                    PAGE + "?portfolio=College&cash=", PAGE + "report.json?portfolio=College"):
            response = client.get(url)
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (url, response.status_code, body[-1500:])
            assert "Traceback" not in body
