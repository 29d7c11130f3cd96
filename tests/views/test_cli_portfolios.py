"""SPEC §6.1: ``bean-rebalance`` on a ledger with several portfolios, and ``--portfolio NAME``.

The ledger is ``test_portfolio_scopes.TWO`` (figures worked out there): on 2024-06-01 Main
is 10,000 USD (Stocks 70% against 60, Bonds 30% against 40) and College 2,000 USD (Stocks 25%
against 30, Bonds 75% against 70). Every lot cost 100, the price: the plans realize no gain.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from test_planner_portfolios import UK_HOUSEHOLD
from test_portfolio_scopes import TWO
from workbook_support import read_sheet

from fava_rebalance.cli import main

SPEC_KEYS = {"date", "currency", "total", "targeted", "untargeted", "uncategorized", "moves", "trades",
             "tax", "after", "cash_needed", "warnings"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_every_portfolio_and_the_household(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01", "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"portfolios", "household"}
    assert [p["portfolio"] for p in doc["portfolios"]] == ["Main", "College"]
    main_doc, college = doc["portfolios"]
    assert set(main_doc) >= SPEC_KEYS
    assert (main_doc["total"], college["total"]) == ("10000.00", "2000.00")
    assert {r["category"]: (r["target"], r["action"], r["amount"]) for r in college["targeted"]} == {
        "Stocks": ("30.00", "buy", "100.00"), "Bonds": ("70.00", "sell", "100.00")}
    # Main sells 10 VTI and buys 10 BND; College sells 1 BND and buys 1 VTI: no gain anywhere.
    assert [(t["account"], t["action"], t["commodity"], t["units"]) for t in college["trades"]] == [
        ("Assets:College:529", "sell", "BND", "1"), ("Assets:College:529", "buy", "VTI", "1")]
    assert doc["household"] == {"total": "12000.00", "tax": {
        "short_term_gain": "0.00", "long_term_gain": "0.00", "estimated_tax": "0.00",
        "disallowed_loss": "0.00", "rebought_loss": "0.00", "trade_costs": "0.00"}}


def test_one_portfolio_by_name_has_the_single_report_s_keys_and_its_name(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01", "--format", "json",
                          "--portfolio", "College")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) >= SPEC_KEYS
    assert (doc["portfolio"], doc["total"]) == ("College", "2000.00")
    assert next(iter(doc)) == "portfolio"


def test_an_unknown_portfolio_is_a_clear_error(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(TWO)), "--portfolio", "Colege")
    assert (code, out) == (2, "")
    assert err == "bean-rebalance: no portfolio named 'Colege'; the ledger's portfolios are Main, College\n"


def test_csv_has_a_portfolio_column(ledger_file, capsys) -> None:
    code, out, _ = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert next(iter(rows[0])) == "portfolio"
    assert [(r["portfolio"], r["category"], r["percent"]) for r in rows] == [
        ("Main", "Bonds", "30.00"), ("Main", "Stocks", "70.00"),
        ("College", "Bonds", "75.00"), ("College", "Stocks", "25.00")]


def test_excel_has_a_portfolio_column_and_a_household_sheet(ledger_file, tmp_path, capsys) -> None:
    out = tmp_path / "household.xlsx"
    code, _, _ = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01", "--format", "xlsx",
                      "-o", str(out))
    assert code == 0
    book = load_workbook(out)
    assert "Household" in book.sheetnames
    drift = read_sheet(out.read_bytes(), "Drift")
    assert list(drift.columns[:2]) == ["Portfolio", "Section"]
    assert sorted(set(drift["Portfolio"])) == ["College", "Main"]
    assert {"Summary Main", "Summary College"} <= set(book.sheetnames)
    sheet = read_sheet(out.read_bytes(), "Household")
    household = dict(zip(sheet.iloc[:, 0], sheet.iloc[:, 1], strict=True))
    assert household["value of portfolio College"] == 2000
    assert household["household value"] == 12000


def test_the_table_prints_each_portfolio_in_turn_then_the_household(ledger_file, capsys) -> None:
    code, out, _ = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01")
    assert code == 0
    main_at, college_at, household_at = (out.index("Portfolio Main\n"), out.index("Portfolio College\n"),
                                          out.index("Household\n"))
    assert main_at < college_at < household_at
    assert "Portfolio value 2,000.00 USD as of 2024-06-01" in out[college_at:]
    assert "  Value 12,000.00 USD: Main 10,000.00, College 2,000.00" in out[household_at:]


def test_cash_goes_to_the_portfolio_of_its_account(ledger_file, capsys) -> None:
    code, out, err = _run(capsys, str(ledger_file(TWO)), "--date", "2024-06-01", "--format", "json",
                          "--cash", "500@Assets:College:529")
    assert (code, err) == (0, "")
    main_doc, college = json.loads(out)["portfolios"]
    assert (main_doc["plan"]["cash"], college["plan"]["cash"]) == (None, "500.00")
    assert college["plan"]["account"] == "Assets:College:529"


def test_the_household_tax_is_in_the_rules_own_terms(ledger_file, tmp_path, capsys) -> None:
    # test_planner_portfolios.UK_HOUSEHOLD: each portfolio sells 50 VWRL out of one section
    # 104 pool at 50.00 (price 100.00): 2 × 2,500.00 = 5,000.00 of gains; the allowance of
    # 3,000.00 once: (5,000 − 3,000) × 20% = 400.00. No holding period under the UK's rules.
    path = str(ledger_file(UK_HOUSEHOLD))
    code, out, _ = _run(capsys, path, "--date", "2024-06-01")
    assert code == 0
    household = out[out.index("Household\n"):]
    assert "short-term" not in household
    assert "    Gain (same day, 30 days, section 104 pool cost): 5,000.00 GBP\n" in household
    assert "    Allowance left: 3,000.00 GBP\n" in household
    assert "    Estimated tax: 400.00 GBP\n" in household
    # Each plan alone: 2,500.00 of gain within the 3,000.00 allowance, no tax; 0 + 0 = 0.00.
    assert "the plans' own estimates add up to 0.00 GBP: each counts the whole allowance" in household
    code, out, _ = _run(capsys, path, "--date", "2024-06-01", "--format", "json")
    tax = json.loads(out)["household"]["tax"]
    assert (tax["rules"], tax["gain"], tax["estimated_tax"]) == ("uk", "5000.00", "400.00")
    book = tmp_path / "uk.xlsx"
    assert _run(capsys, path, "--date", "2024-06-01", "--format", "xlsx", "-o", str(book))[0] == 0
    sheet = read_sheet(book.read_bytes(), "Household")
    rows = dict(zip(sheet.iloc[:, 0], sheet.iloc[:, 1], strict=True))
    assert "Short-term gain" not in rows
    assert (rows["Tax rules"], rows["Allowance left"], rows["Estimated tax"]) == ("uk", 3000, 400)
    assert rows["household value"] == 20000  # 2 portfolios × 100 VWRL × 100.00


# Main: a taxable account with a short-term gain; College: a taxable 529 with a long-term loss.
NETTED = """
    option "operating_currency" "USD"
    2020-01-01 commodity VTI
      asset-class: "Stocks"
    2020-01-01 commodity VOO
      asset-class: "Stocks"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Invest:Taxable
      tax-status: "taxable"
    2020-01-01 open Assets:College:529
      tax-status: "taxable"
      portfolio: "College"
    2020-01-01 open Equity:Opening
    2020-01-01 open Income:Gains
    2020-01-01 custom "rebalance-option" "accounts" "^Assets:Invest:"
    2020-01-01 custom "rebalance-option" "accounts" "^Assets:College:"
      portfolio: "College"
    2020-01-01 custom "rebalance-option" "band" 5
    2020-01-01 custom "rebalance-option" "band" 2
      portfolio: "College"
    2020-01-01 custom "rebalance-option" "harvest" FALSE
    2020-01-01 custom "rebalance-option" "harvest" FALSE
      portfolio: "College"
    2024-01-01 custom "rebalance-target" "Stocks" 60
    2024-01-01 custom "rebalance-target" "Bonds" 40
    2024-01-01 custom "rebalance-target" "Stocks" 30
      portfolio: "College"
    2024-01-01 custom "rebalance-target" "Bonds" 70
      portfolio: "College"
    2024-04-02 * "Opening balances"
      Assets:Invest:Taxable    70 VTI {50 USD}
      Assets:Invest:Taxable    30 BND {100 USD}
      Assets:College:529       15 BND {100 USD}
      Assets:College:529       10 VTI {130 USD, 2020-01-02}
      Equity:Opening
    2024-06-01 price VTI 100 USD
    2024-06-01 price VOO 100 USD
    2024-06-01 price BND 100 USD
"""


def test_the_household_tax_says_when_netting_across_the_plans_changes_it(ledger_file, capsys) -> None:
    # Main sells 10 VTI bought at 50 (two months ago) at 100: a short-term gain of 500, about
    # 24% × 500 = 120.00 tax on its own. College (taxable) sells 2 VTI bought at 130 in 2020:
    # a long-term loss of 2 × 30 = 60, about 15% × 60 = 9.00 less tax on its own. The plans
    # add up to 120.00 − 9.00 = 111.00; the household nets the long-term loss against the
    # short-term gain: (500 − 60) × 24% = 105.60. Both are said, and why they differ.
    code, out, _ = _run(capsys, str(ledger_file(NETTED)), "--date", "2024-06-01")
    assert code == 0
    household = out[out.index("Household\n"):]
    assert "estimated tax 105.60 USD" in household
    assert ("the plans' own estimates add up to 111.00 USD: the household nets one plan's losses "
            "against another's gains") in household
