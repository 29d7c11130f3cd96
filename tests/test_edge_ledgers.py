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
from fava_rebalance.analysis import Ledger, Report, analyse

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
    entries, errors, _ = loader.load_string(PLUGIN + dedent(text))
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
    from fava_rebalance.serialize import report_to_dict

    figures = report_to_dict(report)
    # BND adds 0.000001 × 0.0000001 = 1E-13 USD, far below a cent.
    assert figures["total"] == "12193263113702045407560419220.00"
    rows = {row["category"]: row for row in figures["targeted"]}
    assert (rows["Equities"]["percent"], rows["Equities"]["action"]) == ("100.00", "sell")
    assert (rows["Bonds"]["percent"], rows["Bonds"]["action"]) == ("0.00", "buy")
    # Sell 40% of the total: 4,877,305,245,480,818,163,024,167,688.00 (to Decimal's 28 digits).
    assert rows["Equities"]["amount"] == "4877305245480818163024167688.00"
    assert report.moves[0].startswith("Buy 4,877,305,245,480,818,163,024,167,688.00 USD of Bonds")


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
