"""SPEC §1.6: values in the reporting currency, price dates, conversion, cost fallback, stale prices."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from beancount.core import prices as bc_prices

from fava_rebalance.core.holdings import Lot, Position
from fava_rebalance.core.pricebook import PriceBook
from fava_rebalance.core.valuation import value_positions

D = datetime.date

HEADER = """
    option "operating_currency" "USD"
    option "operating_currency" "EUR"
    2010-01-01 open Assets:Invest:Taxable
    2010-01-01 open Equity:Opening
    2010-01-01 commodity VTI
      asset-class: "Equities"
"""


def _values(report) -> dict[str, Decimal]:
    return {h.commodity: h.value for h in report.holdings}


def test_latest_price_on_or_before_the_date_and_later_prices_ignored(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-03-01 price VTI 200 USD
    2024-03-15 price VTI 210 USD
    2024-04-01 price VTI 999 USD
    """
    # As of 2024-03-20 the latest price on or before is 210 (03-15); 999 (04-01) is later.
    report = report_of(text, "2024-03-20")
    assert _values(report) == {"VTI": Decimal(2100)}  # 10 × 210
    assert report.holdings[0].price_date == D(2024, 3, 15)
    assert report.warnings == ()
    # On the day of a price, that price applies: 10 × 999 = 9,990.
    assert _values(report_of(text, "2024-04-01")) == {"VTI": Decimal(9990)}


def test_holding_bought_after_the_date_is_not_held(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-02-02 * "buy more"
      Assets:Invest:Taxable  5 VTI {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    """
    assert _values(report_of(text, "2024-02-01")) == {"VTI": Decimal(1000)}  # 10 × 100
    assert _values(report_of(text, "2024-02-02")) == {"VTI": Decimal(1500)}  # (10 + 5) × 100, same day counts


def test_sales_reduce_the_position_and_sold_out_positions_vanish(report_of) -> None:
    text = HEADER + """
    option "booking_method" "FIFO"
    2010-01-01 commodity BND
      asset-class: "Bonds"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Assets:Invest:Taxable  5 BND {80 USD}
      Equity:Opening
    2024-02-01 * "buy more"
      Assets:Invest:Taxable  6 VTI {110 USD}
      Equity:Opening
    2024-03-01 * "sell"
      Assets:Invest:Taxable  -12 VTI {} @ 120 USD
      Assets:Invest:Taxable  -5 BND {} @ 90 USD
      Assets:Invest:Taxable  1890 USD
      Equity:Opening
    2024-03-01 price VTI 120 USD
    """
    report = report_of(text, "2024-03-10")
    # FIFO: the 10 at 100 go first, then 2 of the 6 at 110 → 4 VTI {110, 2024-02-01} left.
    # BND is sold out, so it is not a holding at all (no cost-fallback warning for it either).
    # Cash: 12 × 120 + 5 × 90 = 1,440 + 450 = 1,890.
    assert _values(report) == {"VTI": Decimal(480), "USD": Decimal(1890)}  # 4 × 120
    [vti] = [h for h in report.holdings if h.commodity == "VTI"]
    assert [(lot.units, lot.cost, lot.date) for lot in vti.lots] == [
        (Decimal(4), Decimal(110), D(2024, 2, 1))]
    assert report.warnings == ("USD in Assets:Invest:Taxable has no asset-class; "
                               "it is counted in the total but in no category",)


def test_other_currency_direct_price(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "deposit"
      Assets:Invest:Taxable  1000 CHF
      Equity:Opening
    2024-01-02 price CHF 1.10 USD
    """
    assert _values(report_of(text, "2024-01-10")) == {"CHF": Decimal("1100.00")}  # 1000 × 1.10


def test_inverse_price_is_used(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "deposit"
      Assets:Invest:Taxable  1000 GBP
      Equity:Opening
    2024-01-02 price USD 0.8 GBP
    """
    # 1 USD = 0.8 GBP, so 1 GBP = 1 / 0.8 = 1.25 USD; 1000 GBP = 1,250 USD.
    assert _values(report_of(text, "2024-01-10"))["GBP"] == Decimal(1250)


def test_price_via_an_operating_currency(report_of) -> None:
    text = HEADER + """
    2010-01-01 commodity XYZ
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 XYZ {50 EUR}
      Equity:Opening
    2024-01-05 price XYZ 60 EUR
    2024-01-06 price EUR 1.10 USD
    """
    report = report_of(text, "2024-01-10")
    # No XYZ/USD price: XYZ → EUR → USD = 10 × 60 × 1.10 = 660.
    assert _values(report) == {"XYZ": Decimal("660.00")}
    holding = report.holdings[0]
    assert holding.basis == "price"
    assert holding.price_date == D(2024, 1, 5)  # the older of the two prices


def test_no_price_falls_back_to_cost_and_warns(report_of) -> None:
    text = HEADER + """
    2010-01-01 commodity PRIV
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  4 PRIV {250 USD}
      Assets:Invest:Taxable  2 PRIV {300 USD}
      Equity:Opening
    """
    report = report_of(text, "2024-01-10")
    # Cost: 4 × 250 + 2 × 300 = 1,000 + 600 = 1,600.
    assert _values(report) == {"PRIV": Decimal(1600)}
    assert report.holdings[0].basis == "cost"
    assert report.total == Decimal(1600)
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert "PRIV" in warning
    assert "Assets:Invest:Taxable" in warning
    assert "valued at cost" in warning
    assert "1,600.00 USD" in warning


def test_cost_fallback_warning_rounds_like_the_report(report_of) -> None:
    text = HEADER + """
    2010-01-01 commodity PRIV
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  3 PRIV {0.335 USD}
      Equity:Opening
    """
    report = report_of(text, "2024-01-10")
    # 3 × 0.335 = 1.005 exactly; shown half up as 1.01 (as the report shows it), not 1.00.
    assert _values(report) == {"PRIV": Decimal("1.005")}
    assert "valued at cost (1.01 USD)" in report.warnings[0]


def test_price_only_after_the_date_falls_back_to_cost(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-06-01 price VTI 500 USD
    """
    report = report_of(text, "2024-01-10")
    assert _values(report) == {"VTI": Decimal(1000)}  # cost 10 × 100; the June price is ignored
    assert any("VTI" in w and "valued at cost" in w for w in report.warnings)


def test_cost_fallback_in_another_currency_is_converted(report_of) -> None:
    text = HEADER + """
    2010-01-01 commodity PRIV
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 PRIV {20 EUR}
      Equity:Opening
    2024-01-02 price EUR 1.5 USD
    """
    # 10 × 20 EUR = 200 EUR × 1.5 = 300 USD.
    assert _values(report_of(text, "2024-01-10")) == {"PRIV": Decimal("300.0")}


def test_neither_price_nor_cost_is_left_out_with_a_warning(report_of) -> None:
    text = HEADER + """
    2024-01-02 * "gift"
      Assets:Invest:Taxable  3 ART
      Equity:Opening
    2024-01-02 * "deposit"
      Assets:Invest:Taxable  500 USD
      Equity:Opening
    """
    report = report_of(text, "2024-01-10")
    assert _values(report) == {"USD": Decimal(500)}  # ART left out; total is the cash alone
    assert report.total == Decimal(500)
    assert any("ART" in w and "left out" in w for w in report.warnings)
    assert not any(row.commodity == "ART" for row in report.allocation.uncategorized)


@pytest.mark.parametrize(
    ("price_date", "stale"),
    [
        ("2024-03-01", False),  # 2024-03-31 − 30 days = 2024-03-01: exactly 30 days old, not stale
        ("2024-02-29", True),  # 31 days old (2024 is a leap year): stale
        ("2024-03-31", False),  # same day
    ],
)
def test_stale_price_warning(report_of, price_date: str, stale: bool) -> None:
    text = HEADER + f"""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {{100 USD}}
      Equity:Opening
    {price_date} price VTI 120 USD
    """
    report = report_of(text, "2024-03-31")
    assert _values(report) == {"VTI": Decimal(1200)}  # stale or not, the price is used: 10 × 120
    stale_warnings = [w for w in report.warnings if "stale price" in w]
    if stale:
        assert len(stale_warnings) == 1
        assert "VTI" in stale_warnings[0]
        assert price_date in stale_warnings[0]
        assert "31 days" in stale_warnings[0]
    else:
        assert stale_warnings == []


def test_stale_price_warns_once_per_commodity(report_of) -> None:
    text = HEADER + """
    2010-01-01 open Assets:Invest:IRA
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Assets:Invest:IRA      5 VTI {100 USD}
      Equity:Opening
    2024-01-02 price VTI 100 USD
    """
    report = report_of(text, "2024-06-30")
    assert len([w for w in report.warnings if "stale price for VTI" in w]) == 1


def test_reporting_currency_option_changes_the_unit(report_of) -> None:
    text = HEADER + """
    2024-01-01 custom "rebalance-option" "currency" "EUR"
    2024-01-02 * "deposit"
      Assets:Invest:Taxable  1100 USD
      Equity:Opening
    2024-01-02 price EUR 1.10 USD
    """
    report = report_of(text, "2024-01-10")
    assert report.currency == "EUR"
    # 1,100 USD ÷ 1.10 USD/EUR = 1,000 EUR (inverse rate of the EUR price).
    assert report.total.quantize(Decimal("0.000001")) == Decimal("1000.000000")


def test_price_book_direct() -> None:
    # One price map, asked for the same currency twice (memoised) and for one it lacks.
    from beancount.core import amount, data

    meta = data.new_metadata("<test>", 1)
    prices = [data.Price(meta, D(2024, 1, 1), "ABC", amount.Amount(Decimal(3), "USD"))]
    book = PriceBook(bc_prices.build_price_map(prices), "USD", D(2024, 1, 5))
    assert book.quote("USD").rate == 1
    assert book.quote("ABC").rate == Decimal(3)
    assert book.quote("ABC").date == D(2024, 1, 1)
    assert book.quote("NOPE") is None
    positions = [Position("Assets:X", "ABC", Decimal(7), (Lot(Decimal(7), None, None, None),))]
    holdings, warnings = value_positions(positions, book)
    assert [h.value for h in holdings] == [Decimal(21)]  # 7 × 3
    assert warnings == []


def test_fresh_price_via_operating_currency_beats_an_old_direct_price(report_of) -> None:
    # SPEC §1.6 asks for the latest price. A 2021 direct price (30 USD) loses to the
    # 2026-11-20 route VEUR 40 EUR × EUR 1.10 USD: 100 × 40 × 1.10 = 4,400.00, no stale warning.
    text = """
    option "operating_currency" "USD"
    option "operating_currency" "EUR"
    2020-01-01 commodity VEUR
      asset-class: "Equities"
    2020-01-01 custom "rebalance-target" "Equities" 100
    2020-01-01 open Assets:Depot VEUR
    2020-01-01 open Equity:Opening
    2020-01-02 * "opening"
      Assets:Depot  100 VEUR {20.00 EUR}
      Equity:Opening
    2021-03-31 price VEUR 30.00 USD
    2026-11-20 price VEUR 40.00 EUR
    2026-11-20 price EUR 1.10 USD
    """
    report = report_of(text, "2026-11-20")
    assert _values(report) == {"VEUR": Decimal("4400.00")}
    assert not any("stale" in w for w in report.warnings)


def test_transfer_between_own_accounts_is_not_a_purchase(report_of) -> None:
    # An in-kind transfer moves 10 VOO from one account to another: the household's net
    # VOO is unchanged, so it must not look like a buy to the wash-sale check; a real buy does.
    text = """
    option "operating_currency" "USD"
    2020-01-01 open Assets:Old
    2020-01-01 open Assets:New
    2020-01-01 open Assets:Cash USD
    2020-01-01 open Equity:Opening
    2020-01-02 * "opening"
      Assets:Old  10 VOO {350.00 USD, 2021-01-05}
      Assets:Cash  1000 USD
      Equity:Opening
    2026-11-10 * "ACATS transfer"
      Assets:Old  -10 VOO {350.00 USD, 2021-01-05}
      Assets:New   10 VOO {350.00 USD, 2021-01-05}
    2026-11-12 * "buy"
      Assets:New  2 VOO {400.00 USD}
      Assets:Cash  -800 USD
    """
    report = report_of(text, "2026-11-20")
    assert [(p.account, p.commodity, p.units, p.date) for p in report.purchases] == [
        ("Assets:New", "VOO", Decimal(2), datetime.date(2026, 11, 12))]
