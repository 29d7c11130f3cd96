"""SPEC §1: what the ledger declares (classes, targets, options, tax status, exclusions)."""

from __future__ import annotations

import datetime
import re
import tracemalloc
from decimal import Decimal

import pytest
from beancount.core import data

from fava_rebalance.core.account_pattern import compile_accounts
from fava_rebalance.core.categories import Share
from fava_rebalance.core.declarations import read_declarations
from fava_rebalance.core.options import OptionError, Options, parse_option

D = datetime.date

CLASSES = """
option "operating_currency" "USD"
2010-01-01 commodity VTI
  asset-class: "Equities:US"
2010-01-01 commodity VBIAX
  asset-class: "Equities:US 60%, Bonds 40%"
2010-01-01 commodity FXI
  asset_allocation_Equity_US: 70
  asset_allocation_Bond: 30
2010-01-01 commodity GLD
2010-01-01 open Assets:Invest:Taxable
2010-01-01 open Assets:Bank
  asset-class: "Cash"
2010-01-01 open Assets:Bank:Savings USD
2010-01-01 open Assets:Bank:Savings:Sub
  asset-class: "Bonds:Short"
"""


def test_commodity_class_split_and_fava_investor_keys(load) -> None:
    entries, _, options_map = load(CLASSES)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    assert decl.category_of("Assets:Invest:Taxable", "VTI") == (Share("Equities:US", Decimal(1)),)
    assert decl.category_of("Assets:Invest:Taxable", "VBIAX") == (
        Share("Equities:US", Decimal("0.6")), Share("Bonds", Decimal("0.4")))
    # asset_allocation_Equity_US: 70 → Equity:US 0.7; asset_allocation_Bond: 30 → Bond 0.3.
    assert decl.category_of("Assets:Invest:Taxable", "FXI") == (
        Share("Bond", Decimal("0.3")), Share("Equity:US", Decimal("0.7")))
    assert decl.category_of("Assets:Invest:Taxable", "GLD") is None  # commodity with no class


def test_account_class_beats_commodity_class_and_is_inherited(load) -> None:
    entries, _, options_map = load(CLASSES)
    decl, _ = read_declarations(entries, options_map)
    # VTI is Equities:US as a commodity, but held in Assets:Bank:Savings its account's nearest
    # ancestor with a class (Assets:Bank → Cash) wins.
    assert decl.category_of("Assets:Bank:Savings", "VTI") == (Share("Cash", Decimal(1)),)
    # The nearest ancestor wins over a farther one.
    assert decl.category_of("Assets:Bank:Savings:Sub", "USD") == (Share("Bonds:Short", Decimal(1)),)
    # Declared categories include every ancestor of a named category.
    assert {"Equities", "Equities:US", "Bonds", "Bonds:Short", "Cash", "Equity", "Equity:US",
            "Bond"} <= decl.declared_categories


SHORTCUTS = """
option "operating_currency" "USD"
2010-01-01 commodity VTI
  rebalance-target: 50
2010-01-01 commodity BND
  asset-class: "Bonds"
  rebalance-target: 30
2010-01-01 open Assets:Invest:Crypto
  rebalance-target: 10
2010-01-01 open Assets:Bank:Savings
  asset-class: "Cash"
  rebalance-target: 10
"""


def test_target_shortcuts_on_commodity_and_account(load) -> None:
    entries, _, options_map = load(SHORTCUTS)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    settings = decl.as_of(D(2024, 1, 1))
    # Commodity without a class: the currency is its own category; account: the account is;
    # with an asset-class, the target belongs to that class.
    assert {name: t.percent for name, t in settings.targets.items()} == {
        "VTI": Decimal(50), "Bonds": Decimal(30), "Assets:Invest:Crypto": Decimal(10), "Cash": Decimal(10)}
    assert decl.category_of("Assets:Invest:Taxable", "VTI") == (Share("VTI", Decimal(1)),)
    # The account's own category also covers its sub-accounts.
    assert decl.category_of("Assets:Invest:Crypto:Wallet", "BTC") == (
        Share("Assets:Invest:Crypto", Decimal(1)),)
    assert settings.targets_add_up  # 50 + 30 + 10 + 10 = 100


def test_target_shortcut_on_a_split_is_an_error(load) -> None:
    text = """
    2010-01-01 commodity VBIAX
      asset-class: "Equities 60%, Bonds 40%"
      rebalance-target: 20
    """
    entries, _, options_map = load(text)
    decl, errors = read_declarations(entries, options_map)
    assert [e.source["lineno"] for e in errors] == [2]  # the commodity directive (line 1 is blank)
    assert "split" in errors[0].message
    assert decl.targets == ()


TARGETS = """
option "operating_currency" "USD"
2010-01-01 commodity VTI
  asset-class: "Equities"
2010-01-01 commodity BND
  asset-class: "Bonds"
2024-01-01 custom "rebalance-target" "Equities" 60
2024-01-01 custom "rebalance-target" "Bonds" 40
2026-01-01 custom "rebalance-target" "Equities" 50
2026-01-01 custom "rebalance-target" "Bonds" 50
"""


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (D(2023, 12, 31), {}),  # before any target
        (D(2024, 1, 1), {"Equities": 60, "Bonds": 40}),  # on the day it is dated
        (D(2025, 12, 31), {"Equities": 60, "Bonds": 40}),  # the day before the change
        (D(2026, 1, 1), {"Equities": 50, "Bonds": 50}),  # the change date itself
    ],
)
def test_latest_target_on_or_before_the_date_applies(
    load, date: datetime.date, expected: dict[str, int]
) -> None:
    entries, _, options_map = load(TARGETS)
    decl, _ = read_declarations(entries, options_map)
    targets = decl.as_of(date).targets
    assert {name: t.percent for name, t in targets.items()} == {k: Decimal(v) for k, v in expected.items()}


def test_target_for_walks_up_the_hierarchy(load) -> None:
    text = """
    2010-01-01 commodity X
      asset-class: "Equities:US:Small"
    2024-01-01 custom "rebalance-target" "Equities:US" 100
    """
    entries, _, options_map = load(text)
    decl, _ = read_declarations(entries, options_map)
    settings = decl.as_of(D(2024, 6, 1))
    assert settings.target_for("Equities:US:Small") == "Equities:US"
    assert settings.target_for("Equities:US") == "Equities:US"
    assert settings.target_for("Equities") is None  # an ancestor of the target is not covered
    assert settings.target_for("Bonds") is None


OPTIONS = """
option "operating_currency" "EUR"
option "operating_currency" "USD"
2024-01-01 custom "rebalance-option" "band" 5
2024-01-01 custom "rebalance-option" "relative-band" 25
2024-01-01 custom "rebalance-option" "min-trade" 100
2024-01-01 custom "rebalance-option" "accounts" "^Assets:(Invest|Bank:Savings)"
2024-01-01 custom "rebalance-option" "max-drift-error" TRUE
2024-01-01 custom "rebalance-option" "harvest" FALSE
2024-01-01 custom "rebalance-option" "short-term-rate" 0.32
2024-01-01 custom "rebalance-option" "long-term-rate" 0.2
2024-01-01 custom "rebalance-option" "trade-cost" 4.95
2025-01-01 custom "rebalance-option" "band" 3
2025-01-01 custom "rebalance-option" "currency" "USD"
"""


def test_options_defaults(load) -> None:
    entries, _, options_map = load(OPTIONS)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    opts = decl.as_of(D(2023, 12, 31)).options
    assert opts.currency == "EUR"  # the first operating currency
    assert opts.accounts.pattern == "^Assets:"
    assert (opts.band, opts.relative_band) == (None, None)
    assert opts.min_trade == Decimal(1)
    assert (opts.short_term_rate, opts.long_term_rate) == (Decimal("0.24"), Decimal("0.15"))
    assert (opts.max_drift_error, opts.harvest, opts.trade_cost) == (False, True, Decimal(0))


def test_latest_option_on_or_before_the_date_wins(load) -> None:
    entries, _, options_map = load(OPTIONS)
    decl, _ = read_declarations(entries, options_map)
    opts = decl.as_of(D(2024, 6, 1)).options
    assert opts.currency == "EUR"
    assert (opts.band, opts.relative_band, opts.min_trade) == (Decimal(5), Decimal(25), Decimal(100))
    assert opts.accounts.search("Assets:Bank:Savings")
    assert not opts.accounts.search("Assets:Bank:Checking")
    assert (opts.max_drift_error, opts.harvest) == (True, False)
    assert (opts.short_term_rate, opts.long_term_rate, opts.trade_cost) == (
        Decimal("0.32"), Decimal("0.2"), Decimal("4.95"))
    later = decl.as_of(D(2025, 1, 1)).options
    assert (later.band, later.currency) == (Decimal(3), "USD")


def test_no_operating_currency_defaults_to_usd(load) -> None:
    entries, _, options_map = load("2024-01-01 open Assets:Cash\n")
    decl, _ = read_declarations(entries, options_map)
    assert decl.as_of(D(2024, 1, 1)).options.currency == "USD"


def _opts(band: str | None, relative: str | None) -> Options:
    return Options(accounts=compile_accounts("^Assets:"), currency="USD",
                   band=None if band is None else Decimal(band),
                   relative_band=None if relative is None else Decimal(relative))


@pytest.mark.parametrize(
    ("band", "relative", "target", "width"),
    [
        ("5", "25", "10", "2.5"),  # 5/25 rule, target 10: 25% of 10 = 2.5 < 5 → 2.5
        ("5", "25", "40", "5"),  # target 40: 25% of 40 = 10 > 5 → 5
        ("5", "25", "20", "5"),  # target 20: 25% of 20 = 5 = 5 → 5
        ("5", None, "10", "5"),  # absolute only
        (None, "25", "40", "10"),  # relative only: 25% of 40 = 10
        (None, None, "40", "0"),  # neither: no band
        ("5", "25", "0", "0"),  # target 0: 25% of 0 = 0
    ],
)
def test_band_width_is_the_narrower_of_both(band: str | None, relative: str | None, target: str,
                                            width: str) -> None:
    assert _opts(band, relative).band_width(Decimal(target)) == Decimal(width)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("bands", Decimal(5), "unknown rebalance-option 'bands'"),
        ("band", "five", "needs a number"),
        ("band", Decimal(101), "at most 100"),
        ("band", Decimal(-1), "at least 0"),
        ("relative-band", True, "needs a number"),
        ("min-trade", Decimal(-5), "at least 0"),
        ("short-term-rate", Decimal(24), "at most 1"),  # a fraction, not a percent
        ("max-drift-error", Decimal(1), "TRUE or FALSE"),
        ("accounts", "^Assets:(", "not a valid regular expression"),
        ("accounts", Decimal(1), "regular expression in quotes"),
        # Valid for Python's re, refused for linear-time matching (account_pattern):
        ("accounts", r"^Assets:(\w+):\1", "is refused: invalid escape sequence: \\1. Account patterns are "
                                            "matched in linear time (RE2), which has no backreferences or "
                                            "lookaround"),
        ("accounts", "^(?!Liabilities)", "is refused: invalid perl operator: (?!"),
        ("currency", "usd", "currency such as"),
        ("time-budget", Decimal(0), "at least 0.1"),
        ("time-budget", Decimal(7200), "at most 3600"),
    ],
)
def test_bad_option_values_raise(name: str, value: object, says: str) -> None:
    with pytest.raises(OptionError, match=re.escape(says)):
        parse_option(name, value)


def test_option_accepts_quoted_booleans() -> None:
    assert parse_option("harvest", "false") is False
    assert parse_option("max-drift-error", "TRUE") is True


SCOPE = """
2015-01-01 open Assets:Invest:Roth
  tax-status: "tax-free"
2015-01-01 open Assets:Invest:Roth:Cash
2015-01-01 open Assets:Invest:IRA
  tax-status: "IRA"
2015-01-01 open Assets:Invest:K
  tax-status: "401k"
2015-01-01 open Assets:Invest:B
  tax-status: "403b"
2015-01-01 open Assets:Invest:R
  tax-status: "roth"
2015-01-01 open Assets:Invest:H
  tax-status: "hsa"
2015-01-01 open Assets:Invest:Broker
  tax-status: "brokerage"
2015-01-01 open Assets:Invest:Broker:VTI
2015-01-01 open Assets:Invest:Loose:VTI
2015-01-01 open Assets:Home HOUSE
  rebalance: FALSE
2015-01-01 open Assets:Home:Furniture
"""


@pytest.mark.parametrize(
    ("account", "status", "trading"),
    [
        ("Assets:Invest:Roth", "tax-free", "Assets:Invest:Roth"),
        ("Assets:Invest:Roth:Cash", "tax-free", "Assets:Invest:Roth"),  # inherited
        ("Assets:Invest:IRA", "tax-deferred", "Assets:Invest:IRA"),  # alias, any case
        ("Assets:Invest:K", "tax-deferred", "Assets:Invest:K"),
        ("Assets:Invest:B", "tax-deferred", "Assets:Invest:B"),
        ("Assets:Invest:R", "tax-free", "Assets:Invest:R"),
        ("Assets:Invest:H", "tax-free", "Assets:Invest:H"),
        ("Assets:Invest:Broker:VTI", "taxable", "Assets:Invest:Broker"),
        # No tax-status anywhere: taxable, and the trading account is the parent (SPEC §1.5).
        ("Assets:Invest:Loose:VTI", "taxable", "Assets:Invest:Loose"),
    ],
)
def test_tax_status_aliases_and_inheritance(load, account: str, status: str, trading: str) -> None:
    entries, _, options_map = load(SCOPE)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    assert decl.tax_status_of(account) == status
    assert decl.trading_account(account) == trading


def test_rebalance_false_excludes_the_account_and_its_sub_accounts(load) -> None:
    entries, _, options_map = load(SCOPE)
    decl, _ = read_declarations(entries, options_map)
    settings = decl.as_of(D(2024, 1, 1))
    assert not settings.in_portfolio("Assets:Home")
    assert not settings.in_portfolio("Assets:Home:Furniture")
    assert settings.in_portfolio("Assets:HomeOffice")  # a name prefix, not a sub-account
    assert settings.in_portfolio("Assets:Invest:Roth")
    assert not settings.in_portfolio("Liabilities:Card")  # the accounts option: ^Assets:


def test_trading_flags(load) -> None:
    text = """
    2015-01-01 commodity LOCK
      rebalance-sell: FALSE
      rebalance-buy: FALSE
      fractional: TRUE
      substantially-identical: "VOO, IVV"
    2015-01-01 commodity SPY
      a__substidenticals: "SPLG"
    2015-01-01 open Assets:Invest:Vested
      rebalance-sell: FALSE
    """
    entries, _, options_map = load(text)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    assert not decl.can_sell("Assets:Invest:Taxable", "LOCK")
    assert not decl.can_sell("Assets:Invest:Vested:Sub", "VTI")
    assert decl.can_sell("Assets:Invest:Taxable", "VTI")
    assert "LOCK" in decl.no_buy_commodities
    assert "LOCK" in decl.fractional
    assert decl.identical_to("VOO") == {"VOO", "LOCK", "IVV"}
    assert decl.identical_to("SPLG") == {"SPLG", "SPY"}


def test_commodities_in_two_groups_are_identical_to_both_and_no_further(load) -> None:
    text = """
    2015-01-01 commodity VOO
      substantially-identical: "IVV"
    2015-01-01 commodity SPLG
      substantially-identical: "IVV"
    """
    entries, _, options_map = load(text)
    decl, _ = read_declarations(entries, options_map)
    assert decl.identical_to("IVV") == {"IVV", "VOO", "SPLG"}  # in both declared groups
    assert decl.identical_to("VOO") == {"VOO", "IVV"}  # VOO and SPLG were never declared alike
    assert decl.identical_to("VTI") == {"VTI"}


def test_a_long_substantially_identical_list_costs_linear_memory() -> None:
    # 3,000 names, each identical to every other: stored per pair that is 3,000 x 2,999 =
    # 9 million set entries (hundreds of MB); one shared group is the 3,000 names, a few
    # hundred kB. 16 MB is far below the first and far above the second.
    names = ", ".join(f"F{i}" for i in range(3000))
    entry = data.Commodity({"filename": "x", "lineno": 1, "substantially-identical": names},
                           datetime.date(2020, 1, 1), "F0")
    tracemalloc.start()
    try:
        decl, errors = read_declarations([entry], {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert errors == []
    assert peak < 16 * 2**20, peak
    assert len(decl.identical_to("F1234")) == 3000


def test_locations(load) -> None:
    text = """
    2024-01-01 custom "rebalance-location" "Bonds" "tax-deferred"
    2024-01-01 custom "rebalance-location" "Equities:Intl" "taxable"
    2025-01-01 custom "rebalance-location" "Bonds" "roth"
    """
    entries, _, options_map = load(text)
    decl, errors = read_declarations(entries, options_map)
    assert errors == []
    assert {k: v.status for k, v in decl.as_of(D(2024, 6, 1)).locations.items()} == {
        "Bonds": "tax-deferred", "Equities:Intl": "taxable"}
    assert decl.as_of(D(2025, 6, 1)).locations["Bonds"].status == "tax-free"


def test_errors_are_values_with_the_directive_line(load) -> None:
    text = """
    2010-01-01 commodity VBIAX
      asset-class: "Equities 60%, Bonds 30%"
    2010-01-01 open Assets:Invest:X
      tax-status: "pension"
    2024-01-01 custom "rebalance-option" "colour" "red"
    2024-01-01 custom "rebalance-location" "Bonds" "offshore"
    2024-01-01 custom "rebalance-target" "Bonds"
    """
    entries, _, options_map = load(text)
    _, errors = read_declarations(entries, options_map)
    got = sorted((e.source["lineno"], e.entry is not None) for e in errors)
    # Line 1 is blank: commodity on 2, open on 4, then the customs on 6, 7, 8.
    assert got == [(2, True), (4, True), (6, True), (7, True), (8, True)]


def test_a_ledger_without_options_gets_the_readme_defaults(load) -> None:
    # README's option table: accounts ^Assets:, currency the first operating_currency, no
    # band, min-trade 1, rates 0.24 / 0.15, trade-cost 0, max-drift-error FALSE, harvest
    # TRUE, time-budget 10 s. They are Options' own defaults, written nowhere else.
    entries, _, options_map = load('option "operating_currency" "EUR"\n2024-01-01 open Assets:Cash\n')
    decl, _ = read_declarations(entries, options_map)
    options = decl.as_of(D(2024, 1, 1)).options
    assert options == Options(currency="EUR")
    assert (options.accounts.pattern, options.band, options.relative_band, options.min_trade,
            options.short_term_rate, options.long_term_rate, options.trade_cost, options.max_drift_error,
            options.harvest, options.time_budget) == (
        "^Assets:", None, None, Decimal(1), Decimal("0.24"), Decimal("0.15"), Decimal(0), False, True,
        Decimal(10))


def test_commodity_directives_and_names_are_read_once_here(load) -> None:
    # The tab's hints point at a commodity's directive and its pages show the commodity's
    # name: both come from the declarations, not from a second pass over the entries.
    text = """
    2015-01-01 commodity VTI
      name: "Vanguard Total Stock Market"
    2015-01-01 commodity GLD
    """
    entries, _, options_map = load(text)
    decl, _ = read_declarations(entries, options_map)
    assert (decl.commodities["GLD"].date, decl.commodities["GLD"].meta["lineno"]) == (D(2015, 1, 1), 4)
    assert decl.commodity_name("VTI") == "Vanguard Total Stock Market"
    assert decl.commodity_name("GLD") == "GLD"  # no name: the symbol
    assert decl.commodity_name("BND") == "BND"  # no directive at all
