"""SPEC §7 in the ledger: ``tax-rules``, ``tax-rate``, ``allowance``, ``inclusion``, the account
type aliases and ``partial-exemption``, as the declarations read them and the plugin checks them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

import pytest
from beancount import loader

from beancount_plugins.rebalance import rebalance
from fava_rebalance.core.declarations import read_declarations
from fava_rebalance.core.options import OptionError, Options, parse_option

D = Decimal


def test_tax_rules_are_one_of_five() -> None:
    assert [parse_option("tax-rules", v) for v in ("us", "UK", " ca ", "de", "none")] == [
        "us", "uk", "ca", "de", "none"]
    with pytest.raises(OptionError, match="option 'tax-rules' must be one of us, uk, ca, de, none, not 'fr'"):
        parse_option("tax-rules", "fr")
    with pytest.raises(OptionError, match="option 'tax-rate' must be at least 0 and at most 1, not 24"):
        parse_option("tax-rate", D(24))
    with pytest.raises(OptionError, match="option 'inclusion' must be at least 0 and at most 1"):
        parse_option("inclusion", D("1.5"))
    with pytest.raises(OptionError, match="option 'allowance' must be at least 0"):
        parse_option("allowance", D(-1))


@pytest.mark.parametrize(("rules", "rate", "allowance"), [
    ("us", D(0), D(0)),               # unused: the US rules have their two rates
    ("uk", D("0.24"), D(3000)),       # CGT's higher rate since 30 October 2024; the annual exempt amount
    ("ca", D("0.30"), D(0)),          # no allowance in Canada
    ("de", D("0.26375"), D(1000)),    # 25% plus 5.5% of it; the Sparer-Pauschbetrag
    ("none", D(0), D(0)),
])
def test_each_regime_has_its_defaults(rules: str, rate: Decimal, allowance: Decimal) -> None:
    options = Options.in_force({"tax-rules": rules}, ["GBP"])
    assert (options.tax_rules, options.tax_rate, options.allowance, options.inclusion) == (
        rules, rate, allowance, D("0.5"))
    assert Options.in_force({}, []).tax_rules == "us"


def test_the_ledger_s_values_win() -> None:
    options = Options.in_force({"tax-rules": "de", "tax-rate": D("0.28"), "allowance": D(2000)}, [])
    assert (options.tax_rate, options.allowance) == (D("0.28"), D(2000))


def test_the_new_account_types_and_partial_exemption(load) -> None:
    text = """
    2024-01-01 open Assets:ISA
      tax-status: "ISA"
    2024-01-01 open Assets:TFSA
      tax-status: "tfsa"
    2024-01-01 open Assets:SIPP
      tax-status: "sipp"
    2024-01-01 open Assets:RRSP
      tax-status: "RRSP"
    2024-01-01 commodity VWCE
      partial-exemption: 30
    2024-01-01 commodity MIX
      partial-exemption: 15
    """
    entries, _, options_map = load(text)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    assert [decl.tax_status_of(a) for a in ("Assets:ISA", "Assets:TFSA", "Assets:SIPP", "Assets:RRSP")] == [
        "tax-free", "tax-free", "tax-deferred", "tax-deferred"]
    assert decl.partial_exemption == {"VWCE": D("0.3"), "MIX": D("0.15")}


def test_the_plugin_names_a_bad_value_at_its_line() -> None:
    text = dedent("""
    option "operating_currency" "EUR"
    2024-01-01 commodity VWCE
      partial-exemption: 130
    2024-01-01 commodity ETF
      partial-exemption: "thirty"
    2024-01-01 custom "rebalance-option" "tax-rules" "nl"
    2024-01-01 open Assets:Pension
      tax-status: "riester"
    """)
    entries, load_errors, options_map = loader.load_string(text)
    assert load_errors == []
    _, errors = rebalance(entries, options_map)
    assert sorted((e.source["lineno"], e.message) for e in errors) == [
        (3, "partial-exemption on VWCE must be a number from 0 to 100, not 130"),
        (5, "partial-exemption on ETF must be a number from 0 to 100, not 'thirty'"),
        (7, "option 'tax-rules' must be one of us, uk, ca, de, none, not 'nl'"),
        (8, "unknown tax-status 'riester' on Assets:Pension; use taxable, tax-deferred or tax-free (or ira, "
            "401k, 403b, sipp, rrsp, roth, hsa, isa, tfsa, brokerage)"),
    ]


def test_the_rules_are_dated_like_every_option(load) -> None:
    text = """
    2020-01-01 custom "rebalance-option" "tax-rules" "us"
    2024-01-01 custom "rebalance-option" "tax-rules" "de"
    """
    entries, _, options_map = load(text)
    decl, _ = read_declarations(entries, options_map)
    assert decl.as_of(datetime.date(2023, 12, 31)).options.tax_rules == "us"
    assert decl.as_of(datetime.date(2024, 1, 1)).options.tax_rules == "de"
