"""Ledgers at the edges: nothing held, shorts, missing prices, huge and tiny numbers, closed
accounts, empty target categories, and the odd directives fuzzing found.

Each test works its figures out by hand in a comment and checks that nothing raises, the
figures are the sensible ones and a warning says what is unusual.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

from beancount import loader

from beancount_plugins.rebalance import rebalance
from fava_rebalance.core.pipeline import Ledger, Report, analyse
from fava_rebalance.planner import plan

PLUGIN = 'plugin "beancount_plugins.rebalance"\n'
HEAD = """
option "operating_currency" "USD"
2020-01-01 commodity VTI
  asset-class: "Equities"
2020-01-01 commodity BND
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:Taxable
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-target" "Equities" 60
2020-01-01 custom "rebalance-target" "Bonds" 40
"""


def _report(body: str, date: str = "2024-06-30", head: str = HEAD) -> Report:
    entries, errors, options_map = loader.load_string(dedent(head) + dedent(body))
    assert not errors, [e.message for e in errors]
    return analyse(Ledger.from_entries(entries, options_map), datetime.date.fromisoformat(date))


def _plugin_errors(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Load with the plugin; (tracebacks of the plugin, its errors as (line, message))."""
    _entries, errors, _ = loader.load_string(PLUGIN + dedent(text))
    crashed = [e.message for e in errors if "Error applying plugin" in e.message
               and "beancount_plugins.rebalance" in e.message]
    ours = [(e.source["lineno"], e.message) for e in errors if type(e).__name__ == "RebalanceError"]
    return crashed, ours


# --- found by fuzzing ------------------------------------------------------------------------


def test_custom_without_values_is_an_error_not_a_crash() -> None:
    # `custom "rebalance-location"` with nothing after it: Beancount gives the directive
    # values=None; the plugin reported a traceback instead of the directive's line.
    text = HEAD + '2020-01-01 custom "rebalance-location"\n'
    crashed, errors = _plugin_errors(text)
    assert crashed == []
    # 1-based, and one more for the plugin line put first.
    line = 2 + dedent(text).splitlines().index('2020-01-01 custom "rebalance-location"')
    assert [lineno for lineno, _ in errors] == [line]
    assert "rebalance-location needs a category and an account type" in errors[0][1]


def test_drift_check_survives_a_pad_next_to_a_custom_without_values() -> None:
    # With max-drift-error the plugin pads a copy of the entries; Beancount's own pad fails
    # on a value-less custom. The plugin must still answer (unpadded), not raise.
    text = HEAD + dedent("""
    2020-01-01 custom "rebalance-option" "max-drift-error" TRUE
    2020-01-01 custom "rebalance-option"
    2020-01-01 pad Assets:Invest:Taxable Equity:Opening
    2020-01-02 balance Assets:Invest:Taxable 100 USD
    """)
    entries, _, options_map = loader.load_string(PLUGIN + dedent(text))
    out, errors = rebalance(entries, options_map)
    assert out is entries
    assert any("rebalance-option needs a name and a value" in e.message for e in errors)


# --- enormous and tiny numbers ----------------------------------------------------------------


def test_enormous_holding_is_reported_to_the_cent() -> None:
    # 123,456,789,012,345 VTI at 98,765,432,109,876 USD: 1.2193...E+28 USD, 29 digits before
    # the point. Decimal keeps 28 significant digits, so the value is
    # 12193263113702045407560419220 (exactly what Decimal's product gives). Rounding it to
    # cents needs 31 digits: quantize raised InvalidOperation in every view.
    report = _report("""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  123456789012345 VTI {98765432109876 USD}
      Assets:Invest:Taxable  0.000001 BND {0.0000001 USD}
      Equity:Opening
    2024-06-01 price VTI 98765432109876 USD
    2024-06-01 price BND 0.0000001 USD
    """)
    from fava_rebalance.views.serialize import report_to_dict

    figures = report_to_dict(report)
    # BND adds 0.000001 × 0.0000001 = 1E-13 USD, far below a cent.
    assert figures["total"] == "12193263113702045407560419220.00"
    rows = {row["category"]: row for row in figures["targeted"]}
    assert (rows["Equities"]["percent"], rows["Equities"]["action"]) == ("100.00", "sell")
    assert (rows["Bonds"]["percent"], rows["Bonds"]["action"]) == ("0.00", "buy")
    # Sell 40% of the total: 4,877,305,245,480,818,163,024,167,688.00 (to Decimal's 28 digits).
    assert rows["Equities"]["amount"] == "4877305245480818163024167688.00"
    assert report.moves[0].startswith("Buy 4,877,305,245,480,818,163,024,167,688.00 USD of Bonds")


def test_enormous_holding_gets_a_plan_error_not_a_crash() -> None:
    # The same 1.2E+28 USD: selling 40% of it is a bound of 4.9E+27, beyond the 1E+20 that
    # HiGHS can hold. The plan says so; the report above is unaffected.
    entries, errors, options_map = loader.load_string(dedent(HEAD) + dedent("""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  123456789012345 VTI {98765432109876 USD}
      Equity:Opening
    2024-06-01 price VTI 98765432109876 USD
    2024-06-01 price BND 0.0000001 USD
    """))
    assert not errors, [e.message for e in errors]
    ledger = Ledger.from_entries(entries, options_map)
    result = plan(analyse(ledger, datetime.date(2024, 6, 30)), ledger.declarations)
    assert result.trades == ()
    assert [e.message for e in result.errors] == [
        "no feasible plan (amounts of 1e20 or more, beyond the solver's range)"]


def test_tiny_holding_is_below_min_trade() -> None:
    # 0.000001 VTI at 0.0000001 USD = 1E-13 USD: 100% Equities against a 60% target, but
    # selling 40% of 1E-13 USD is below the default min-trade of 1 USD: no action, no move.
    report = _report("""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  0.000001 VTI {0.0000001 USD}
      Equity:Opening
    2024-06-01 price VTI 0.0000001 USD
    """)
    assert report.total == Decimal("1E-13")
    rows = {row.category: row for row in report.allocation.targeted}
    assert rows["Equities"].percent == 100
    assert [row.action for row in report.allocation.targeted] == ["none", "none"]
    assert report.moves == ()


# --- nothing held -----------------------------------------------------------------------------


def test_targets_but_no_holdings() -> None:
    # Targets in force, nothing bought: every row 0 of a 0 total; nothing to buy or sell
    # (there is no total to take a share of), no cash needed, and the report says what is
    # missing: the page explains "No holdings" instead of a table of zeros.
    report = _report("")
    assert report.total == 0
    assert [(r.category, r.value, r.percent, r.amount, r.action) for r in report.allocation.targeted] == [
        ("Bonds", 0, 0, 0, "none"), ("Equities", 0, 0, 0, "none")]
    assert report.moves == ()
    assert report.cash_needed == 0
    assert report.missing == ("no-holdings",)


def test_holdings_only_before_the_report_date_count() -> None:
    # The buy is dated after the report date: nothing held yet.
    report = _report("""
    2024-07-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    """, date="2024-06-30")
    assert report.total == 0
    assert report.missing == ("no-holdings",)


# --- shorts -----------------------------------------------------------------------------------


def test_short_position_counts_negative_and_is_named() -> None:
    # Long 1,000 VTI at 100 = 100,000; short 200 BND at 50 = -10,000; total 90,000.
    # Equities 100,000 / 90,000 = 111.11% (target 60: sell |54,000 - 100,000| = 46,000);
    # Bonds -10,000 / 90,000 = -11.11% (target 40: buy |36,000 - (-10,000)| = 46,000).
    # cash_needed = max(100,000 / 0.6, -10,000 / 0.4) - 90,000 = 76,666.67.
    report = _report("""
    2024-01-02 * "buy and short"
      Assets:Invest:Taxable  1000 VTI {100 USD}
      Assets:Invest:Taxable  -200 BND {50 USD}
      Equity:Opening
    2024-06-01 price VTI 100 USD
    2024-06-01 price BND 50 USD
    """)
    assert report.total == 90000
    rows = {r.category: r for r in report.allocation.targeted}
    assert (rows["Equities"].action, rows["Equities"].amount) == ("sell", 46000)
    assert (rows["Bonds"].action, rows["Bonds"].amount) == ("buy", 46000)
    assert round(rows["Bonds"].percent, 2) == Decimal("-11.11")
    assert round(report.cash_needed, 2) == Decimal("76666.67")
    shorts = [w for w in report.warnings if "short" in w]
    assert shorts == ["short position: -200 BND in Assets:Invest:Taxable counts as -10,000.00 USD "
                      "in the total"]


def test_only_shorts_give_a_negative_total_and_no_action() -> None:
    # Short 10 VTI at 100: total -1,000 (not positive), so no percentages and no action.
    report = _report("""
    2024-01-02 * "short"
      Assets:Invest:Taxable  -10 VTI {100 USD}
      Equity:Opening
    2024-06-01 price VTI 100 USD
    """)
    assert report.total == -1000
    assert [(r.percent, r.action) for r in report.allocation.targeted] == [(0, "none"), (0, "none")]
    assert report.moves == ()
    assert any(w.startswith("short position: -10 VTI") for w in report.warnings)


# --- prices -----------------------------------------------------------------------------------


def test_no_price_falls_back_to_cost_or_leaves_the_holding_out() -> None:
    # VTI: no price, cost 10 × 20 = 200 USD (warning). GHOST: no price, no cost: left out
    # (warning). BND: cost in EUR and no EUR→USD rate at all: left out (warning).
    # Total 200, all Equities: 100% vs 60 → sell 80; Bonds 0% vs 40 → buy 80.
    report = _report("""
    2020-01-01 commodity GHOST
      asset-class: "Bonds"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {20 USD}
      Assets:Invest:Taxable  5 GHOST
      Assets:Invest:Taxable  3 BND {10 EUR}
      Equity:Opening
    """)
    assert report.total == 200
    rows = {r.category: r for r in report.allocation.targeted}
    assert (rows["Equities"].action, rows["Equities"].amount) == ("sell", 80)
    assert (rows["Bonds"].action, rows["Bonds"].amount) == ("buy", 80)
    warnings = " | ".join(report.warnings)
    assert "no price for VTI" in warnings
    assert "valued at cost (200.00 USD)" in warnings
    assert "5 GHOST left out" in warnings
    assert "3 BND left out" in warnings


def test_price_in_an_unknown_currency_only() -> None:
    # VTI is priced in GBP only, and GBP has no rate to USD: no way to value it in USD but
    # its cost (10 × 100 USD = 1,000), with a warning.
    report = _report("""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-06-01 price VTI 80 GBP
    """)
    assert report.total == 1000
    assert any("no price for VTI" in w and "valued at cost" in w for w in report.warnings)


def test_stale_price_is_used_and_named() -> None:
    # The only price is from 2024-01-02, 180 days before the report date: used, with a warning.
    report = _report("""
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Equity:Opening
    2024-01-02 price VTI 110 USD
    """)
    assert report.total == 1100
    assert any("stale price for VTI" in w and "180 days" in w for w in report.warnings)


# --- closed accounts and empty categories --------------------------------------------------


def test_closed_account_holds_nothing_after_its_last_sale() -> None:
    # Old bought 10 VTI, sold them and closed; New holds 6 VTI (600) and 4 BND (400):
    # exactly 60/40, nothing to do.
    report = _report("""
    2020-01-01 open Assets:Invest:Old
    2020-01-01 open Income:Gains
    2021-01-04 * "buy"
      Assets:Invest:Old  10 VTI {50 USD}
      Equity:Opening
    2022-01-04 * "sell"
      Assets:Invest:Old  -10 VTI {50 USD} @ 80 USD
      Equity:Opening  -800 USD
      Income:Gains
    2022-02-01 close Assets:Invest:Old
    2024-01-02 * "buy"
      Assets:Invest:Taxable  6 VTI {100 USD}
      Assets:Invest:Taxable  4 BND {100 USD}
      Equity:Opening
    2024-06-01 price VTI 100 USD
    2024-06-01 price BND 100 USD
    """)
    assert report.total == 1000
    assert {h.account for h in report.holdings} == {"Assets:Invest:Taxable"}
    assert [r.action for r in report.allocation.targeted] == ["none", "none"]
    assert report.moves == ()


def test_target_category_with_nothing_in_it() -> None:
    # Cash has a 10% target and nothing in it; Equities 60 → 50, Bonds 40.
    # Holdings: 600 VTI-worth and 400 BND-worth = 1,000. Cash: 0% vs 10 → buy 100;
    # Equities 60% vs 50 → sell 100; Bonds 40% vs 40 → none. cash_needed: 600/0.5 - 1,000 = 200.
    report = _report("""
    2020-01-01 custom "rebalance-target" "Equities" 50
    2020-01-01 custom "rebalance-target" "Cash" 10
    2020-01-01 open Assets:Bank:Savings
      asset-class: "Cash"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  6 VTI {100 USD}
      Assets:Invest:Taxable  4 BND {100 USD}
      Equity:Opening
    2024-06-01 price VTI 100 USD
    2024-06-01 price BND 100 USD
    """)
    rows = {r.category: r for r in report.allocation.targeted}
    assert (rows["Cash"].value, rows["Cash"].percent, rows["Cash"].action, rows["Cash"].amount) == (
        0, 0, "buy", 100)
    assert (rows["Equities"].action, rows["Equities"].amount) == ("sell", 100)
    assert rows["Bonds"].action == "none"
    assert report.cash_needed == 200
    assert report.moves == ("Buy 100.00 USD of Cash (0.00% now, target 10.00%).",
                            "Sell 100.00 USD of Equities (60.00% now, target 50.00%).")
    assert report.missing == ()


# --- Fava's price map -------------------------------------------------------------------------


def test_favas_price_map_gives_the_same_figures_as_beancounts() -> None:
    # The Fava tab reuses Fava's FavaPriceMap instead of building Beancount's a second time.
    # Direct prices, an inverse rate (USD in EUR), a fund priced in EUR only, a later price
    # past the report date and a price of 0: the same rates and dates either way.
    # VTI 10 × 110 = 1,100; VEA 20 × 50 EUR × (1 / 0.8 = 1.25) = 1,250; BND 5 × 0 = 0;
    # the EUR rate is 60 days old: a stale-price warning for VEA from both.
    from fava.beans.prices import FavaPriceMap

    text = (dedent(HEAD) + dedent("""
    2020-01-01 commodity VEA
      asset-class: "Equities"
    2024-01-02 * "buy"
      Assets:Invest:Taxable  10 VTI {100 USD}
      Assets:Invest:Taxable  20 VEA {40 EUR}
      Assets:Invest:Taxable  5 BND {10 USD}
      Equity:Opening
    2024-06-01 price VTI 110 USD
    2024-07-01 price VTI 999 USD
    2024-06-01 price VEA 50 EUR
    2024-05-01 price USD 0.8 EUR
    2024-06-01 price BND 0 USD
    """)).replace('option "operating_currency" "USD"', 'option "operating_currency" "USD"\n'
                  'option "operating_currency" "EUR"')
    entries, errors, options_map = loader.load_string(text)
    assert not errors, [e.message for e in errors]
    date = datetime.date(2024, 6, 30)
    beancount = analyse(Ledger.from_entries(entries, options_map), date)
    fava_map = FavaPriceMap([e for e in entries if type(e).__name__ == "Price"])
    fava = analyse(Ledger.from_entries(entries, options_map, price_map=fava_map), date)
    assert fava.total == beancount.total == Decimal("2350.00")
    assert [(h.commodity, h.value, h.price_date) for h in fava.holdings] == [
        (h.commodity, h.value, h.price_date) for h in beancount.holdings]
    assert fava.warnings == beancount.warnings
    assert any("stale price for VEA" in w for w in fava.warnings)
