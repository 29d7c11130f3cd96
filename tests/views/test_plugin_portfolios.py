"""SPEC §6.1 and §4: the plugin checks each portfolio on its own and names it in its messages."""

from __future__ import annotations

from textwrap import dedent

from beancount import loader
from test_plugin import lineno_of
from test_portfolio_scopes import TWO

PLUGIN = 'plugin "beancount_plugins.rebalance"\n'


def _errors(text: str) -> list[tuple[int, str]]:
    _, errors, _ = loader.load_string(dedent(text) + PLUGIN)
    return sorted((e.source["lineno"], e.message) for e in errors)


def test_targets_add_up_to_100_in_each_portfolio() -> None:
    # Main's 60 + 40 = 100 is fine; College's 30 + 65 = 95 is not: one error, at College's
    # last target of that date, naming the portfolio.
    text = TWO.replace('"Bonds" 70', '"Bonds" 65')
    assert _errors(text) == [(lineno_of(text, '"Bonds" 65'), "portfolio College: targets in force on "
                                                              "2024-01-01 add up to 95%, not 100%")]
    # Main's targets alone would not add up to 100 if College's counted with them (200%).
    assert _errors(TWO) == []


def test_drift_is_checked_against_each_portfolio_s_own_bands() -> None:
    # On 2024-06-01 (worked out in test_portfolio_scopes): Main Stocks 70% against 60 ± 5,
    # Bonds 30% against 40 ± 5; College Stocks 25% against 30 ± 2, Bonds 75% against 70 ± 2.
    text = TWO + '2020-01-01 custom "rebalance-option" "max-drift-error" TRUE\n'
    assert _errors(text) == [
        (lineno_of(text, '"Stocks" 60'), "portfolio Main: Stocks has drifted out of its band on 2024-06-01: "
                                         "70.00% held, target 60.00% ± 5.00; sell 1000.00 USD"),
        (lineno_of(text, '"Bonds" 40'), "portfolio Main: Bonds has drifted out of its band on 2024-06-01: "
                                        "30.00% held, target 40.00% ± 5.00; buy 1000.00 USD"),
        (lineno_of(text, '"Stocks" 30'), "portfolio College: Stocks has drifted out of its band on "
                                         "2024-06-01: 25.00% held, target 30.00% ± 2.00; buy 100.00 USD"),
        (lineno_of(text, '"Bonds" 70'), "portfolio College: Bonds has drifted out of its band on "
                                        "2024-06-01: 75.00% held, target 70.00% ± 2.00; sell 100.00 USD"),
    ]


def test_max_drift_error_can_be_one_portfolio_s() -> None:
    text = TWO + '2020-01-01 custom "rebalance-option" "max-drift-error" TRUE\n  portfolio: "College"\n'
    assert [message.split(":")[0] for _, message in _errors(text)] == ["portfolio College"] * 2
