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
