"""Issue #9, item 1: prices through any currency, converted the way Beancount converts.

Each figure is worked by hand in its test; where Beancount itself converts the position, the
test also asks ``beancount.core.convert.convert_position`` (the function behind
``bean-query``'s ``convert``) for the same figure.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from textwrap import dedent

from beancount import loader
from beancount.core import convert, data
from beancount.core import prices as bc_prices
from beancount.core.amount import Amount
from beancount.core.position import Cost, Position
from fava.beans.prices import FavaPriceMap

from fava_rebalance.core.pipeline import Ledger, analyse
from fava_rebalance.core.pricebook import MAX_PRICES, PriceBook

D = datetime.date

# Reporting in EUR: EUR is the only operating currency (USD and GBP are not).
EUR_HEADER = """
    option "operating_currency" "EUR"
    2010-01-01 open Assets:Invest:Depot
    2010-01-01 open Assets:Invest:Other
    2010-01-01 open Equity:Opening
    2010-01-01 commodity VTI
      asset-class: "Equities"
    2010-01-01 commodity VUKE
      asset-class: "Equities"
    2010-01-01 commodity FOO
      asset-class: "Equities"
"""


def _values(report) -> dict[str, Decimal]:
    return {h.commodity: h.value for h in report.holdings}


def _beancount(text: str, units: str, commodity: str, cost: str, cost_currency: str, target: str,
               date: datetime.date) -> Amount:
    """What Beancount's own convert_position makes of ``units commodity {cost cost_currency}``."""
    entries, errors, _ = loader.load_string(dedent(text))
    assert not errors, [e.message for e in errors]
    position = Position(Amount(Decimal(units), commodity), Cost(Decimal(cost), cost_currency, None, None))
    return convert.convert_position(position, target, bc_prices.build_price_map(entries), date)


def test_a_fund_priced_only_in_usd_reported_in_eur(report_of) -> None:
    # The case of the issue: USD is not an operating currency, so there was no route and the
    # fund was valued at cost with a false "no price" warning.
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VTI {100 USD}
      Assets:Invest:Depot  500 USD
      Equity:Opening
    2024-03-01 price VTI 200 USD
    2024-03-01 price EUR 1.25 USD
    """
    report = report_of(text, "2024-03-10")
    # 1 USD = 1 / 1.25 = 0.8 EUR (the inverse of the EUR price).
    # VTI: 10 × 200 USD × 0.8 = 1,600 EUR; the cash: 500 USD × 0.8 = 400 EUR; total 2,000 EUR.
    assert _values(report) == {"VTI": Decimal(1600), "USD": Decimal(400)}
    assert report.total == Decimal(2000)
    assert not any("no price" in w for w in report.warnings)
    [vti] = [h for h in report.holdings if h.commodity == "VTI"]
    assert (vti.basis, vti.price, vti.price_date) == ("price", Decimal(160), D(2024, 3, 1))
    # Beancount's own conversion (direct, else via the cost currency USD): the same 1,600 EUR.
    assert _beancount(text, "10", "VTI", "100", "USD", "EUR", D(2024, 3, 10)) == Amount(Decimal(1600), "EUR")


def test_a_fund_bought_in_eur_but_priced_only_in_usd(report_of) -> None:
    # Beancount gives up here (no VTI/EUR price; its cost currency is the target itself);
    # the chain VTI → USD → EUR still prices it.
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VTI {90 EUR}
      Equity:Opening
    2024-03-01 price VTI 200 USD
    2024-03-01 price EUR 1.25 USD
    """
    report = report_of(text, "2024-03-10")
    # 10 × 200 USD × (1 / 1.25 = 0.8) = 1,600 EUR, not the cost 10 × 90 = 900 EUR.
    assert _values(report) == {"VTI": Decimal(1600)}
    assert report.warnings == ()
    assert _beancount(text, "10", "VTI", "90", "EUR", "EUR", D(2024, 3, 10)) == Amount(Decimal(10), "VTI")


def test_a_fund_priced_in_gbp_with_a_gbp_to_eur_rate(report_of) -> None:
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VUKE {25 GBP}
      Equity:Opening
    2024-01-02 price GBP 1.16 EUR
    2024-03-01 price VUKE 30 GBP
    2024-03-04 price GBP 1.15 EUR
    """
    report = report_of(text, "2024-03-10")
    # 10 × 30 GBP × 1.15 (the latest rate) = 345.00 EUR (not the cost, 10 × 25 × 1.15 = 287.50).
    assert _values(report) == {"VUKE": Decimal("345.00")}
    assert report.warnings == ()
    holding = report.holdings[0]
    assert holding.price_date == D(2024, 3, 1)  # the older of the two prices on the route
    assert _beancount(text, "10", "VUKE", "25", "GBP", "EUR", D(2024, 3, 10)) == Amount(Decimal("345.00"),
                                                                                         "EUR")


def test_a_chain_of_three_prices_and_its_stale_date(report_of) -> None:
    # Reporting in USD; VUKE is priced in GBP, GBP in EUR, EUR in USD: no two-price route.
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:Invest:Depot
    2010-01-01 open Equity:Opening
    2010-01-01 commodity VUKE
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VUKE {25 GBP}
      Equity:Opening
    2024-01-02 price GBP 1.16 EUR
    2024-01-02 price EUR 1.09 USD
    2024-03-01 price VUKE 30 GBP
    2024-03-04 price GBP 1.15 EUR
    2024-03-05 price EUR 1.10 USD
    """
    # 10 × 30 × 1.15 × 1.10 = 10 × 37.95 = 379.50 USD, dated by its oldest price, 2024-03-01.
    report = report_of(text, "2024-03-10")
    assert _values(report) == {"VUKE": Decimal("379.5000")}
    assert report.holdings[0].price_date == D(2024, 3, 1)
    assert report.warnings == ()
    # On 2024-04-15 the route's oldest price (03-01) is 45 days old (30 + 15): stale, though
    # the EUR/USD rate (03-05) alone would be 41 days old.
    later = report_of(text, "2024-04-15")
    assert later.warnings == (
        "stale price for VUKE: the latest is from 2024-03-01, 45 days before 2024-04-15",)


def test_between_equally_fresh_routes_the_cost_currency_wins_as_in_beancount(report_of) -> None:
    # FOO has a USD and a GBP price the same day, and both currencies a EUR rate that day.
    # Beancount converts via the position's cost currency; so must we, lot by lot of account.
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 FOO {7 GBP}
      Assets:Invest:Other  10 FOO {9 USD}
      Equity:Opening
    2024-03-01 price FOO 10 USD
    2024-03-01 price FOO 8 GBP
    2024-03-01 price USD 0.90 EUR
    2024-03-01 price GBP 1.20 EUR
    """
    report = report_of(text, "2024-03-10")
    # Bought in GBP: 10 × 8 × 1.20 = 96.00 EUR; bought in USD: 10 × 10 × 0.90 = 90.00 EUR.
    assert {h.account: h.value for h in report.holdings} == {
        "Assets:Invest:Depot": Decimal("96.00"), "Assets:Invest:Other": Decimal("90.00")}
    assert _beancount(text, "10", "FOO", "7", "GBP", "EUR", D(2024, 3, 10)) == Amount(Decimal("96.00"), "EUR")
    assert _beancount(text, "10", "FOO", "9", "USD", "EUR", D(2024, 3, 10)) == Amount(Decimal("90.00"), "EUR")


def test_an_equally_fresh_direct_price_beats_a_chain(report_of) -> None:
    # Direct VTI 200 USD and VTI 150 EUR × EUR 1.5 USD = 225, all dated 2024-03-01: the direct
    # price is Beancount's choice and ours (fewer prices): 10 × 200 = 2,000.
    text = """
    option "operating_currency" "USD"
    option "operating_currency" "EUR"
    2010-01-01 open Assets:Invest:Depot
    2010-01-01 open Equity:Opening
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VTI {150 EUR}
      Equity:Opening
    2024-03-01 price VTI 150 EUR
    2024-03-01 price VTI 200 USD
    2024-03-01 price EUR 1.5 USD
    """
    assert _values(report_of(text, "2024-03-10")) == {"VTI": Decimal(2000)}
    assert _beancount(text, "10", "VTI", "150", "EUR", "USD", D(2024, 3, 10)) == Amount(Decimal(2000), "USD")


def test_a_later_rate_on_the_chain_is_ignored(report_of) -> None:
    # The GBP/EUR rate exists only after the report date: no route on 2024-03-10, so VUKE is
    # valued at cost, converted... at no rate either: left out, with a warning.
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VUKE {25 GBP}
      Equity:Opening
    2024-03-01 price VUKE 30 GBP
    2024-03-20 price GBP 1.15 EUR
    """
    report = report_of(text, "2024-03-10")
    assert _values(report) == {}
    assert any("VUKE" in w and "left out" in w for w in report.warnings)
    # From 2024-03-20 on the route exists: 10 × 30 × 1.15 = 345.00.
    assert _values(report_of(text, "2024-03-20")) == {"VUKE": Decimal("345.00")}


def test_chains_are_bounded() -> None:
    # A → B → C → ... one price per hop: a chain of MAX_PRICES prices is followed, a longer
    # one is not (rate 2 per hop: 2 ** MAX_PRICES).
    names = ["A", "B", "C", "D", "E", "F", "G"][: MAX_PRICES + 2]
    meta = data.new_metadata("<test>", 1)
    prices = [data.Price(meta, D(2024, 1, 1), base, Amount(Decimal(2), quote))
              for base, quote in itertools.pairwise(names)]
    book = PriceBook(bc_prices.build_price_map(prices), names[-1], D(2024, 1, 5))
    assert book.quote(names[1]).rate == Decimal(2) ** MAX_PRICES
    assert book.quote(names[0]) is None


def test_favas_price_map_routes_the_same() -> None:
    # The Fava tab passes Fava's FavaPriceMap: the same chained figures and dates. The GBP/EUR
    # pair is written once each way, which Fava's list of pairs leaves out; the ledger's own
    # list of price pairs keeps it.
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:Invest:Depot
    2010-01-01 open Equity:Opening
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VUKE {25 GBP}
      Assets:Invest:Depot  10 VTI {100 USD}
      Equity:Opening
    2024-03-01 price VUKE 30 GBP
    2024-03-04 price GBP 1.25 EUR
    2024-02-04 price EUR 0.8 GBP
    2024-03-05 price EUR 1.10 USD
    2024-03-05 price VTI 200 USD
    """
    entries, errors, options_map = loader.load_string(dedent(text))
    assert not errors, [e.message for e in errors]
    date = D(2024, 3, 10)
    beancount = analyse(Ledger.from_entries(entries, options_map), date)
    fava_map = FavaPriceMap([e for e in entries if isinstance(e, data.Price)])
    fava = analyse(Ledger.from_entries(entries, options_map, price_map=fava_map), date)
    # VUKE 10 × 30 × 1.25 × 1.10 = 412.50 (1.25 exactly either way: 1 / 0.8); VTI 10 × 200
    # = 2,000; total 2,412.50.
    assert beancount.total == fava.total == Decimal("2412.5")
    assert [(h.commodity, h.value, h.price_date) for h in fava.holdings] == [
        (h.commodity, h.value, h.price_date) for h in beancount.holdings]


def test_the_report_prices_what_the_portfolio_does_not_hold(report_of) -> None:
    # The planner buys commodities nobody holds yet; the report carries the prices it was
    # valued at, so it needs nothing else. VUKE is held by no one: 20 GBP a unit, 1 GBP =
    # 1.15 EUR, so 20 × 1.15 = 23.00 EUR; the reporting currency is 1; no price at all: None.
    text = EUR_HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Depot  10 VTI {100 EUR}
      Equity:Opening
    2024-03-01 price VTI 110 EUR
    2024-03-01 price VUKE 20 GBP
    2024-03-01 price GBP 1.15 EUR
    """
    report = report_of(text, "2024-03-10")
    assert report.price_of("VUKE") == Decimal("23.00")
    assert report.price_of("EUR") == 1
    assert report.price_of("FOO") is None
