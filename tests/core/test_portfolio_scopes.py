"""SPEC §6.1: several portfolios in one ledger, each with its own targets, options and report.

Figures are worked out by hand in the comments; the ledger is ``TWO`` below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from fava_rebalance.core.pipeline import analyse, analyse_portfolios
from fava_rebalance.core.portfolios import MAIN

D = datetime.date

# Main: Assets:Invest (taxable account and IRA), targets Stocks 60 / Bonds 40, band 5.
# College: Assets:College:529, targets Stocks 30 / Bonds 70, its own band 2 and its own
# accounts pattern; min-trade 50 is set once, for both. Every price is 100 USD.
TWO = """
option "operating_currency" "USD"
2020-01-01 commodity VTI
  asset-class: "Stocks"
2020-01-01 commodity BND
  asset-class: "Bonds"
2020-01-01 open Assets:Invest:Taxable
  tax-status: "taxable"
2020-01-01 open Assets:Invest:IRA
  tax-status: "ira"
2020-01-01 open Assets:College
  portfolio: "College"
2020-01-01 open Assets:College:529
  tax-status: "tax-free"
2020-01-01 open Assets:Bank:Checking
2020-01-01 open Equity:Opening
2020-01-01 custom "rebalance-option" "accounts" "^Assets:Invest:"
2020-01-01 custom "rebalance-option" "accounts" "^Assets:College:"
  portfolio: "College"
2020-01-01 custom "rebalance-option" "band" 5
2020-01-01 custom "rebalance-option" "band" 2
  portfolio: "College"
2020-01-01 custom "rebalance-option" "min-trade" 50
2024-01-01 custom "rebalance-target" "Stocks" 60
2024-01-01 custom "rebalance-target" "Bonds" 40
2024-01-01 custom "rebalance-target" "Stocks" 30
  portfolio: "College"
2024-01-01 custom "rebalance-target" "Bonds" 70
  portfolio: "College"
2024-01-02 * "Opening balances"
  Assets:Invest:Taxable    70 VTI {100 USD}
  Assets:Invest:IRA        30 BND {100 USD}
  Assets:College:529        5 VTI {100 USD}
  Assets:College:529       15 BND {100 USD}
  Assets:Bank:Checking   1000 USD
  Equity:Opening
2024-06-01 price VTI 100 USD
2024-06-01 price BND 100 USD
"""


def _rows(report):
    return {r.category: (r.value, r.percent, r.target, r.band, r.amount, r.action)
            for r in report.allocation.targeted}


def test_each_portfolio_has_its_own_targets_bands_and_holdings(ledger_of) -> None:
    ledger = ledger_of(TWO)
    assert ledger.errors == ()
    assert ledger.declarations.portfolio_names == (MAIN, "College")
    main, college = analyse_portfolios(ledger, D(2024, 6, 1))
    assert (main.portfolio, college.portfolio) == (MAIN, "College")
    # Main: 70 VTI + 30 BND at 100 = 10,000 (checking is outside both: the accounts pattern).
    # Stocks 7,000 = 70% against 60: +10 > band 5 → sell |6,000 − 7,000| = 1,000;
    # Bonds 3,000 = 30% against 40 → buy 1,000.
    assert main.total == Decimal(10000)
    assert _rows(main) == {
        "Stocks": (Decimal(7000), Decimal(70), Decimal(60), Decimal(5), Decimal(1000), "sell"),
        "Bonds": (Decimal(3000), Decimal(30), Decimal(40), Decimal(5), Decimal(1000), "buy"),
    }
    # College: 5 VTI + 15 BND = 2,000. Stocks 500 = 25% against 30: −5, outside College's
    # own band of 2 → buy |600 − 500| = 100 (with Main's band of 5 it would be inside);
    # Bonds 1,500 = 75% against 70: +5 → sell 100. min-trade 50 (set for every portfolio)
    # lets both through.
    assert college.total == Decimal(2000)
    assert _rows(college) == {
        "Stocks": (Decimal(500), Decimal(25), Decimal(30), Decimal(2), Decimal(100), "buy"),
        "Bonds": (Decimal(1500), Decimal(75), Decimal(70), Decimal(2), Decimal(100), "sell"),
    }
    assert {h.account for h in main.holdings} == {"Assets:Invest:Taxable", "Assets:Invest:IRA"}
    assert {h.account for h in college.holdings} == {"Assets:College:529"}
    assert college.settings.options.min_trade == main.settings.options.min_trade == Decimal(50)
    # One portfolio alone gives the same report as in the pass over all of them.
    assert _rows(analyse(ledger, D(2024, 6, 1), portfolio="College")) == _rows(college)
    assert _rows(analyse(ledger, D(2024, 6, 1))) == _rows(main)


def test_a_portfolio_keeps_its_own_option_when_a_later_shared_one_comes(ledger_of) -> None:
    # A shared band 4 from 2025 changes Main's band (5 → 4); College set its own (2) and
    # keeps it: "an option without portfolio: applies to every portfolio that does not set its own".
    ledger = ledger_of(TWO + '2025-01-01 custom "rebalance-option" "band" 4\n')
    declarations = ledger.declarations
    assert declarations.as_of(D(2024, 12, 31)).options.band == Decimal(5)
    assert declarations.as_of(D(2025, 1, 1)).options.band == Decimal(4)
    assert declarations.as_of(D(2025, 1, 1), "College").options.band == Decimal(2)


def test_a_ledger_without_portfolio_keys_is_all_main(ledger_of) -> None:
    ledger = ledger_of("""
        option "operating_currency" "USD"
        2020-01-01 open Assets:Invest:Taxable
        2024-01-01 custom "rebalance-target" "Assets:Invest:Taxable" 100
        """)
    assert ledger.declarations.portfolio_names == (MAIN,)
    assert not ledger.declarations.several_portfolios
    assert ledger.declarations.as_of(D(2024, 6, 1)).portfolio == MAIN


def test_a_sub_account_can_be_put_back_in_main(ledger_of) -> None:
    # The nearest tag wins: Assets:College:Main-Cash says "Main" under a College parent.
    ledger = ledger_of(TWO.replace('2020-01-01 open Equity:Opening', '2020-01-01 open Equity:Opening\n'
                                   '2020-01-01 open Assets:College:Kept\n  portfolio: "Main"'))
    declarations = ledger.declarations
    assert declarations.portfolio_of("Assets:College:Kept") == MAIN
    assert declarations.portfolio_of("Assets:College:529:Sub") == "College"
    assert declarations.portfolio_of("Assets:Invest:IRA") == MAIN


def test_mistakes_with_portfolio_keys_are_errors_at_their_directive(ledger_of) -> None:
    text = TWO + (
        '2024-01-01 custom "rebalance-target" "Stocks" 100\n'
        '  portfolio: "Colege"\n'                            # a typo: no open names it
        '2024-01-01 custom "rebalance-option" "currency" "USD"\n'
        '  portfolio: "College"\n'                           # the household's, not a portfolio's
        '2024-01-01 custom "rebalance-option" "min-trade" 10\n'
        '  portfolio: 5\n'                                   # not a name
        '2020-01-01 open Assets:Kids:Savings\n'
        '  portfolio: "College"\n'                           # College's pattern is ^Assets:College:
    )
    ledger = ledger_of(text)
    messages = sorted(e.message for e in ledger.errors)
    assert len(messages) == 4, messages  # nothing else: "Colege"'s targets add up to 100
    assert any(m.startswith("Assets:Kids:Savings is in portfolio College, but the accounts option in "
                            "force for College (^Assets:College:) matches neither it") for m in messages)
    assert any("option 'currency' is the household's" in m for m in messages)
    assert any(m.startswith("portfolio 'Colege' is named here but on no open directive") for m in messages)
    assert any(m.startswith("portfolio must be a name in quotes") for m in messages)
    # The bad option is dropped, not applied to every portfolio.
    assert ledger.declarations.as_of(D(2024, 6, 1), "College").options.min_trade == Decimal(50)


def test_a_tagged_parent_is_fine_when_its_sub_accounts_match(ledger_of) -> None:
    # Assets:College itself does not match ^Assets:College: but Assets:College:529 does.
    assert ledger_of(TWO).errors == ()
