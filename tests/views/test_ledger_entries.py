"""The plan as ledger entries (SPEC §5.3) and its contract.

The contract: the ledger plus the listed ``open`` lines plus the output passes bean-check
(Beancount's loader, booking and balance checks, and our plugin), and the report as of the
same date then shows exactly the plan's ``after`` percentages. Checked on several plans:
a rebalance across several accounts, a deposit, a withdrawal, lots at a gain and at a loss
in a taxable account, an account booked ``NONE``, a lot bought in euros, a trade cost, and
the example household.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest
from beancount import loader
from beancount.parser import parser
from test_drift_history import LEDGER as HISTORY_LEDGER
from test_planner_booking_none import HEAD as NONE_HEAD

from fava_rebalance.cli import main
from fava_rebalance.core.formatting import plain
from fava_rebalance.core.pipeline import Ledger, analyse, analyse_portfolios
from fava_rebalance.planner import CashFlow, Plan, parse_cash, plan_request
from fava_rebalance.planner.together import plan_together
from fava_rebalance.views.ledger_entries import household_entries, plan_entries

D = datetime.date
EXAMPLE = Path(__file__).resolve().parents[2] / "example-ledger" / "example.beancount"
OPEN_LINE = re.compile(r"^; (\d{4}-\d\d-\d\d open \S+)$", re.M)

# One taxable account holding VTI bought at 100 (a gain at 250); nothing else.
SIMPLE = """
    option "operating_currency" "USD"
    2020-01-01 commodity VTI
      asset-class: "Stocks"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Equity:Opening
    2020-01-01 custom "rebalance-target" "Stocks" 50
    2020-01-01 custom "rebalance-target" "Bonds" 50
    2020-01-10 * "Buy"
      Assets:Taxable    10 VTI {100 USD}
      Assets:Taxable     5 BND {100 USD}
      Equity:Opening
    2024-12-31 price VTI 250 USD
    2024-12-31 price BND 100 USD
"""

# Several accounts: a taxable one with a gain lot and a loss lot and its cash account, an
# IRA, and a Roth booked NONE (lots of both signs). Prices of 2024-12-31: VTI 250, VXUS 60,
# BND 80, IAU 40.
HOUSEHOLD = """
    option "operating_currency" "USD"
    plugin "beancount_plugins.rebalance"
    2020-01-01 commodity VTI
      asset-class: "Equities:US"
    2020-01-01 commodity VOO
      asset-class: "Equities:US"
    2020-01-01 commodity VXUS
      asset-class: "Equities:International"
    2020-01-01 commodity BND
      asset-class: "Bonds"
    2020-01-01 commodity IAU
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Assets:Taxable:Cash USD
      asset-class: "Cash"
    2020-01-01 open Assets:IRA
      tax-status: "ira"
    2020-01-01 open Assets:Roth "NONE"
      tax-status: "roth"
    2020-01-01 open Equity:Opening
    2020-01-01 custom "rebalance-target" "Equities:US" 40
    2020-01-01 custom "rebalance-target" "Equities:International" 20
    2020-01-01 custom "rebalance-target" "Bonds" 35
    2020-01-01 custom "rebalance-target" "Cash" 5
    2020-01-01 custom "rebalance-option" "band" 2
    2020-01-10 * "Taxable"
      Assets:Taxable        40 VTI {100 USD}
      Assets:Taxable        20 VTI {300 USD}
      Assets:Taxable        30 VXUS {70 USD}
      Assets:Taxable         4 IAU {30 USD}
      Assets:Taxable:Cash  500 USD
      Equity:Opening
    2024-06-03 * "Later VTI at a loss"
      Assets:Taxable        10 VTI {280 USD}
      Equity:Opening
    2020-01-10 * "IRA"
      Assets:IRA            60 BND {90 USD}
      Assets:IRA            10 VOO {200 USD}
      Equity:Opening
    2020-01-10 * "Roth"
      Assets:Roth           10 VTI {100 USD}
      Equity:Opening
    2021-01-10 * "Roth"
      Assets:Roth           10 VTI {150 USD}
      Equity:Opening
    2022-01-10 * "Roth: a sale booked without lots"
      Assets:Roth           -5 VTI {110 USD}
      Equity:Opening
    2024-12-31 price VTI  250 USD
    2024-12-31 price VOO  500 USD
    2024-12-31 price VXUS  60 USD
    2024-12-31 price BND   80 USD
    2024-12-31 price IAU   40 USD
"""


def _plan(ledger: Ledger, date: datetime.date, cash: CashFlow | None) -> tuple[Plan, str]:
    report = analyse(ledger, date)
    request = plan_request(report, ledger.declarations, cash)
    assert request.refusal is None
    plan = request.plan
    assert not plan.errors, plan.errors
    return plan, plan_entries(report, plan, ledger.declarations)


def _check_contract(source: str, date: datetime.date, cash: CashFlow | None,
                    load: loader.LoadFunction | None = None) -> tuple[Plan, str]:
    """The contract for the plan of ``source`` (a ledger's text) on ``date`` with ``cash``."""
    entries, errors, options = (load or loader.load_string)(source)
    assert not errors, [e.message for e in errors]
    plan, text = _plan(Ledger.from_entries(entries, options), date, cash)
    assert plan.trades, "the plan should trade"
    opens = "\n".join(OPEN_LINE.findall(text))
    entries, errors, options = (load or loader.load_string)(source + "\n" + opens + "\n" + text)
    assert not errors, ([e.message for e in errors], text)
    after = analyse(Ledger.from_entries(entries, options), date)
    assert not after.errors
    shown = {r.category: plain(r.percent) for r in after.allocation.targeted}
    assert shown == {r.category: plain(r.percent) for r in plan.after}, text
    # Not only to the cent: the values and the total themselves.
    values = {r.category: r.value for r in after.allocation.targeted}
    assert values == {r.category: r.value for r in plan.after}
    assert after.total == plan.total_after
    return plan, text


def test_a_rebalance_in_one_taxable_account_by_hand() -> None:
    # Stocks 10 × 250 = 2,500 and Bonds 5 × 100 = 500 of 3,000; 50/50 with no band: sell 4 VTI
    # (1,000) and buy 10 BND (1,000): 1,500 each. The lot cost 100: a gain of 4 × 150 = 600.00,
    # which Beancount writes as income, -600.00.
    plan, text = _check_contract(dedent(SIMPLE), D(2024, 12, 31), None)
    assert text == dedent("""\
        ; The rebalancing plan of 2024-12-31 as ledger entries (bean-rebalance --format beancount).
        ; Flag ! marks them planned; change it to * once the orders are filled.
        ; Accounts the ledger does not open yet; add these lines to it:
        ; 2024-12-31 open Income:Capital-Gains

        2024-12-31 ! "Rebalance Assets:Taxable" #rebalance
          Assets:Taxable        -4 VTI {100 USD, 2020-01-10} @ 250 USD
          Assets:Taxable        10 BND {100 USD}
          Income:Capital-Gains  -600.00 USD
        """)
    assert {r.category: plain(r.percent) for r in plan.after} == {"Bonds": "50.00", "Stocks": "50.00"}


def test_a_deposit_is_its_own_transaction_by_hand() -> None:
    # A deposit of 1,000 buys 10 BND: Stocks 2,500, Bonds 1,500 of 4,000. The money lands in
    # the trading account itself (it holds no cash yet) and pays for the bonds there.
    text = dedent(SIMPLE) + '2020-01-01 custom "rebalance-option" "band" 25\n'
    plan, entries = _check_contract(text, D(2024, 12, 31), CashFlow(Decimal(1000)))
    assert entries.split("\n\n", 1)[1] == dedent("""\
        2024-12-31 ! "Deposit into Assets:Taxable" #rebalance
          Assets:Taxable    1000 USD
          Equity:Transfers  -1000 USD

        2024-12-31 ! "Rebalance Assets:Taxable" #rebalance
          Assets:Taxable  10 BND {100 USD}
          Assets:Taxable  -1000 USD
        """)
    assert "; 2024-12-31 open Equity:Transfers" in entries
    assert {r.category: plain(r.percent) for r in plan.after} == {"Bonds": "37.50", "Stocks": "62.50"}


@pytest.mark.parametrize("cash", [None, "3000", "-2000@Assets:Taxable", "-1500@Assets:IRA"])
def test_the_contract_across_several_accounts(cash: str | None) -> None:
    flow = parse_cash(cash) if cash is not None else None
    assert not isinstance(flow, Exception)
    plan, text = _check_contract(dedent(HOUSEHOLD), D(2024, 12, 31), flow)  # type: ignore[arg-type]
    assert len({t.trading_account for t in plan.trades}) >= 1
    # The Roth is booked NONE: a reduction there states the net position's average cost,
    # (10 × 100 + 10 × 150 - 5 × 110) / 15 = 1,950 / 15 = 130 a unit.
    for line in text.splitlines():
        if line.startswith("  Assets:Roth") and " VTI " in line and "-" in line.split()[1]:
            assert "{130 USD}" in line, line


def test_lots_at_a_gain_and_at_a_loss_are_named_exactly() -> None:
    # A withdrawal from the taxable account: whatever lots the plan takes, each is written with
    # its cost and date, and the gain posting is proceeds less those costs.
    flow = parse_cash("-2000@Assets:Taxable")
    assert not isinstance(flow, Exception)
    plan, text = _check_contract(dedent(HOUSEHOLD), D(2024, 12, 31), flow)
    sells = [t for t in plan.trades if t.action == "sell" and t.tax_status == "taxable"]
    assert sells
    gain = Decimal(0)
    for trade in sells:
        for lot in trade.lots:
            assert lot.date is not None
            assert lot.cost is not None
            written = f"  -{lot.units} {trade.commodity} {{{lot.cost} USD, {lot.date}}} @ {trade.price} USD"
            assert any(line.endswith(written) for line in text.splitlines()), (written, text)
            gain += lot.units * (trade.price - lot.cost)
    block = next(b for b in text.split("\n\n") if b.startswith('2024-12-31 ! "Rebalance Assets:Taxable"'))
    gains = [line for line in block.splitlines() if line.startswith("  Income:Capital-Gains")]
    assert [line.split()[1] for line in gains] == [plain(-gain)]


def test_a_lot_bought_in_euros() -> None:
    # A fund priced in EUR (EUR 1.10 USD) held at a cost in euros: the reduction names the
    # euro lot, the cash is dollars, and the gain posts in both currencies (Beancount's
    # weights: -units × cost EUR on the lot, +proceeds USD on the cash).
    text = dedent("""
        option "operating_currency" "USD"
        option "operating_currency" "EUR"
        2020-01-01 commodity VEUR
          asset-class: "Stocks"
        2020-01-01 commodity BND
          asset-class: "Bonds"
        2020-01-01 open Assets:Depot
          tax-status: "taxable"
        2020-01-01 open Assets:Depot:Cash USD
          asset-class: "Cash"
        2020-01-01 open Equity:Opening
        2020-01-01 custom "rebalance-option" "currency" "USD"
        2020-01-01 custom "rebalance-target" "Stocks" 50
        2020-01-01 custom "rebalance-target" "Bonds" 40
        2020-01-01 custom "rebalance-target" "Cash" 10
        2020-01-10 * "Buy"
          Assets:Depot        100 VEUR {30 EUR}
          Assets:Depot         10 BND {100 USD}
          Assets:Depot:Cash   100 USD
          Equity:Opening
        2020-01-10 price EUR 1.00 USD
        2024-12-31 price VEUR 40 EUR
        2024-12-31 price EUR  1.10 USD
        2024-12-31 price BND 100 USD
    """)
    plan, entries = _check_contract(text, D(2024, 12, 31), None)
    assert any(t.commodity == "VEUR" and t.action == "sell" for t in plan.trades)
    gains = [line.split()[1:] for line in entries.splitlines() if line.startswith("  Income:Capital-Gains")]
    assert sorted(currency for _, currency in gains) == ["EUR", "USD"]


def test_trade_costs_post_to_their_account() -> None:
    text = dedent(SIMPLE) + '2020-01-01 custom "rebalance-option" "trade-cost" 5\n'
    plan, entries = _check_contract(text, D(2024, 12, 31), None)
    costs = sum((a.costs for a in plan.accounts), Decimal(0))
    assert costs == 5 * len(plan.trades)
    assert f"  Expenses:Trade-Costs  {costs} USD" in entries
    assert "; 2024-12-31 open Expenses:Trade-Costs" in entries


def test_the_accounts_come_from_the_options() -> None:
    text = dedent(SIMPLE) + dedent("""
        2020-01-01 open Income:Realized
        2020-01-01 custom "rebalance-option" "gains-account" "Income:Realized"
    """)
    _, entries = _check_contract(text, D(2024, 12, 31), None)
    assert "  Income:Realized" in entries
    assert "open" not in entries  # every account it uses is open already


def test_bad_account_options_are_refused(load) -> None:
    _, errors, _ = load(dedent(SIMPLE) + '2020-01-01 custom "rebalance-option" "gains-account" "gains"\n'
                        'plugin "beancount_plugins.rebalance"\n')
    assert [e.message for e in errors] == ["option 'gains-account' needs an account name in quotes, such as "
                                           "\"Income:Capital-Gains\", not 'gains'"]


def test_nothing_to_do_says_so() -> None:
    text = dedent(SIMPLE) + '2020-01-01 custom "rebalance-option" "band" 50\n'
    ledger = Ledger.from_entries(*_loaded(text))
    plan, text = _plan(ledger, D(2024, 12, 31), None)
    assert plan.trades == ()
    assert text.splitlines()[-1] == "; The plan has no orders and no cash flow: nothing to enter."


def _loaded(text: str) -> tuple[list[object], dict[str, object]]:
    entries, errors, options = loader.load_string(text)
    assert not errors
    return entries, options


PENDING = ";;; A pending rebalance"


def _example_without_its_plan() -> tuple[str, str]:
    """The example ledger before its pending plan (includes made absolute), and the plan's text."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for name in ("prices.beancount", "budget.beancount"):  # load_string reads no folder
        text = text.replace(f'include "{name}"', f'include "{EXAMPLE.parent / name}"')
    head, _, tail = text.partition(PENDING)
    head = head[: head.rstrip().rindex("\n")]  # the section's rule line goes with it
    plan = tail[tail.index("; The rebalancing plan of"):]
    return head + "\n", plan


@pytest.mark.parametrize("cash", [None, "10000", "-5000@Assets:Invest:Brokerage"])
def test_the_example_household(cash: str | None) -> None:
    # On 2026-11-23, after the balance assertions of 2026-11-21 (the holdings and prices are
    # those of 2026-11-20), without the plan the example ends with: the 401(k), the Roth and
    # the brokerage trade, with the VOO lot at a loss, the VTI lots at gains, fractional shares
    # and the sweep.
    flow = parse_cash(cash) if cash is not None else None
    assert not isinstance(flow, Exception)
    source, _ = _example_without_its_plan()
    _check_contract(source, D(2026, 11, 23), flow)  # type: ignore[arg-type]


def test_the_example_ends_with_the_plan_the_tool_writes() -> None:
    # The pending plan at the end of example.beancount is exactly --format beancount's output
    # for 2026-11-23 on the ledger without it.
    source, written = _example_without_its_plan()
    ledger = Ledger.from_entries(*_loaded(source))
    _, text = _plan(ledger, D(2026, 11, 23), None)
    assert written == text


def test_cli_format_beancount(ledger_file, capsys) -> None:
    path = ledger_file(SIMPLE)
    assert main([str(path), "--date", "2024-12-31", "--format", "beancount"]) == 0
    out = capsys.readouterr().out
    assert "  Assets:Taxable        -4 VTI {100 USD, 2020-01-10} @ 250 USD" in out


def test_a_portfolio_without_tax_status_keeps_its_cash_where_it_trades() -> None:
    # test_drift_history's ledger on 2024-05-31: Assets:Broker has no tax-status, so its
    # trading account is "Assets", which Beancount cannot post to; the plan's leftover cash
    # (sell 1 STK for 140, buy 10 BND for 100: 40) is written to Assets:Broker.
    _, text = _check_contract(dedent(HISTORY_LEDGER), D(2024, 5, 31), None)
    assert "  Assets:Broker         40 USD" in text


# A portfolio whose name holds line breaks (a Beancount string may): as written in the
# ledger it reads "P", then a transaction, then a posting.
HOSTILE_NAME = 'P\n2024-12-31 * "injected"\n  Assets:Evil  1 USD\n  Equity:Opening'
_QUOTED = HOSTILE_NAME.replace("\n", "\\n").replace('"', '\\"')
INJECTED = SIMPLE + f"""
    2020-01-01 open Assets:Kids
      portfolio: "{_QUOTED}"
    2020-01-01 custom "rebalance-target" "Stocks" 100
      portfolio: "{_QUOTED}"
"""


@pytest.mark.parametrize("portfolio", [None, HOSTILE_NAME])
def test_a_name_with_line_breaks_stays_a_comment(ledger_file, capsys, portfolio: str | None) -> None:
    # Every portfolio (the household's comments name each) and the one named (its head names
    # it): each line of the name is a comment, so pasting the text adds only the plan's "!"
    # transactions.
    path = ledger_file(INJECTED)
    named = [] if portfolio is None else ["--portfolio", portfolio]
    assert main([str(path), "--date", "2024-12-31", "--format", "beancount", *named]) == 0
    out = capsys.readouterr().out
    assert '; 2024-12-31 * "injected"' in out
    entries, errors, _ = parser.parse_string(out)
    assert errors == []
    assert entries or "nothing to enter" in out
    assert all(entry.flag == "!" for entry in entries)
    assert "Assets:Evil" not in {p.account for entry in entries for p in entry.postings}


# Booked NONE for the whole ledger, one account FIFO on its own ``open`` (issue #16): the
# NONE account's average does not terminate. Prices of 2026-01-15: VTI 200, BND 80.
NONE_AND_FIFO = NONE_HEAD + """
    2020-01-01 open Assets:Taxable
      tax-status: "taxable"
    2020-01-01 open Assets:Fifo "FIFO"
      tax-status: "taxable"
    2022-01-10 * "buy"
      Assets:Taxable  10 VTI {100 USD}
      Assets:Taxable  20 BND {80 USD}
      Equity:Opening
    2022-02-01 * "buy"
      Assets:Fifo  10 VTI {90 USD}
      Equity:Opening
    2023-06-01 * "buy"
      Assets:Taxable  7 VTI {133.17 USD}
      Equity:Opening
    2025-06-01 * "buy"
      Assets:Taxable  11 VTI {151.03 USD}
      Equity:Opening
    2025-09-01 * "sell, booked without matching a lot"
      Assets:Taxable  -5 VTI {110 USD} @ 160 USD
      Equity:Opening   800 USD
      Income:Gains
    2026-01-15 price VTI 200 USD
    2026-01-15 price BND 80 USD
"""


def test_none_and_fifo_accounts_in_one_ledger() -> None:
    # A withdrawal of 3,000 from Assets:Taxable. Its VTI, booked NONE: 10 + 7 + 11 − 5 = 23
    # units at (1,000 + 932.19 + 1,661.33 − 550) / 23 = 3,043.52 / 23 = 132.3269565… a unit,
    # which the reduction states exactly (NONE matches no lot). Each VTI sold there gains
    # 200 − 132.3269565… = 67.673…; the FIFO account's reduction names its one lot.
    # The contract: ledger + output passes bean-check (NONE and FIFO booking both), and the
    # report then shows the plan's figures.
    flow = parse_cash("-3000@Assets:Taxable")
    assert not isinstance(flow, Exception)
    plan, text = _check_contract(dedent(NONE_AND_FIFO), D(2026, 1, 15), flow)
    taxable = [t for t in plan.trades if t.account == "Assets:Taxable" and t.action == "sell"]
    [vti] = [t for t in taxable if t.commodity == "VTI"]
    average = Decimal("3043.52") / 23
    assert f"  Assets:Taxable        -{vti.units} VTI {{{average} USD}} @ 200 USD" in text.splitlines()
    # Gain posted: units × (200 − average), to the cent; 17 units (say) give
    # 3,400 − 17 × 132.3269565… = 3,400 − 2,249.558… = 1,150.44.
    assert f"  Income:Capital-Gains  -{round(vti.units * (200 - average), 2)} USD" in text.splitlines()
    for line in text.splitlines():
        if line.startswith("  Assets:Fifo") and " VTI " in line:
            assert "{90 USD, 2022-02-01}" in line, line


# --- the contract with several portfolios and under other tax rules (SPEC §6.1, §7) -----------

# Two portfolios. Main: a taxable account booked NONE (VTI 20 at 140, 10 at 180, 4 sold at 150
# without a lot: 26 units at an average of 4,000 / 26), a taxable account with a VTI lot at a
# gain (150) and one at a loss (270 against a price of 250) and an IRA; Kids: a custodial
# account. Prices of 2024-12-31: VTI 250, VXUS 60, BND 80.
TWO_PORTFOLIOS = """
    option "operating_currency" "USD"
    plugin "beancount_plugins.rebalance"
    2019-01-01 commodity VTI
      asset-class: "Stocks"
    2019-01-01 commodity VXUS
      asset-class: "Intl"
    2019-01-01 commodity BND
      asset-class: "Bonds"
    2019-01-01 commodity USD
      asset-class: "Cash"
    2019-01-01 open Assets:Broker:Taxable
      tax-status: "taxable"
    2019-01-01 open Assets:Broker:Avg "NONE"
      tax-status: "taxable"
    2019-01-01 open Assets:Broker:IRA
      tax-status: "ira"
    2019-01-01 open Assets:Kids:Custodial
      tax-status: "taxable"
      portfolio: "Kids"
    2019-01-01 open Equity:Opening
    2019-01-01 custom "rebalance-option" "band" 2
    2019-01-01 custom "rebalance-target" "Stocks" 50
    2019-01-01 custom "rebalance-target" "Intl" 15
    2019-01-01 custom "rebalance-target" "Bonds" 30
    2019-01-01 custom "rebalance-target" "Cash" 5
    2019-01-01 custom "rebalance-target" "Stocks" 80
      portfolio: "Kids"
    2019-01-01 custom "rebalance-target" "Bonds" 20
      portfolio: "Kids"
    2019-02-01 * "Taxable"
      Assets:Broker:Taxable  30 VTI {150 USD}
      Assets:Broker:Taxable  10 VTI {260 USD}
      Assets:Broker:Taxable  40 VXUS {55 USD}
      Assets:Broker:Taxable  2000 USD
      Equity:Opening
    2024-08-01 * "VTI at what is now a loss"
      Assets:Broker:Taxable  5 VTI {270 USD}
      Assets:Broker:Taxable  -1350 USD
    2019-02-01 * "Avg"
      Assets:Broker:Avg  20 VTI {140 USD}
      Assets:Broker:Avg  10 BND {85 USD}
      Equity:Opening
    2020-02-01 * "Avg"
      Assets:Broker:Avg  10 VTI {180 USD}
      Equity:Opening
    2021-02-01 * "Avg: a sale without a lot"
      Assets:Broker:Avg  -4 VTI {150 USD}
      Equity:Opening
    2019-02-01 * "IRA"
      Assets:Broker:IRA  60 BND {95 USD}
      Equity:Opening
    2019-02-01 * "Kids"
      Assets:Kids:Custodial  20 VTI {150 USD}
      Assets:Kids:Custodial  30 BND {90 USD}
      Equity:Opening
    2024-12-31 price VTI  250 USD
    2024-12-31 price VXUS  60 USD
    2024-12-31 price BND   80 USD
"""


@pytest.mark.parametrize("cash", [None, "3000", "-4000@Assets:Broker:Avg", "1000@Assets:Kids:Custodial"])
def test_the_contract_for_every_portfolio_at_once(cash: str | None) -> None:
    # What `bean-rebalance --format beancount` writes for a ledger of several portfolios: each
    # portfolio's entries in turn, their plans made together; every portfolio's report then
    # shows its own plan's after percentages.
    flow = parse_cash(cash) if cash is not None else None
    assert not isinstance(flow, Exception)
    source = dedent(TWO_PORTFOLIOS)
    ledger = Ledger.from_entries(*_loaded(source))
    reports = analyse_portfolios(ledger, D(2024, 12, 31))
    together = plan_together(reports, ledger.declarations, flow)  # type: ignore[arg-type]
    plans = [request.plan for request in together.requests]
    assert all(request.refusal is None for request in together.requests)
    assert [p.portfolio for p in reports] == ["Main", "Kids"]
    assert all(plan.trades for plan in plans)
    text = household_entries(list(zip(reports, plans, strict=True)), ledger.declarations)
    assert "; Portfolio Main\n" in text
    assert "; Portfolio Kids\n" in text
    # The NONE-booked account sells at its average cost, (2,800 + 1,800 - 600) / 26 = 4,000 / 26.
    avg = [line for line in text.splitlines() if line.startswith("  Assets:Broker:Avg") and " VTI " in line]
    assert all(f"{{{Decimal(4000) / 26} USD}}" in line for line in avg), avg
    assert avg or cash not in (None, "-4000@Assets:Broker:Avg")  # these plans sell from it
    opens = "\n".join(OPEN_LINE.findall(text))
    entries, errors, options = loader.load_string(source + "\n" + opens + "\n" + text)
    assert not errors, ([e.message for e in errors], text)
    entered = Ledger.from_entries(entries, options)
    after = {r.portfolio: r for r in analyse_portfolios(entered, D(2024, 12, 31))}
    for report, plan in zip(reports, plans, strict=True):
        shown = after[report.portfolio]
        assert not shown.errors
        assert ({r.category: r.value for r in shown.allocation.targeted}
                == {r.category: r.value for r in plan.after}), (report.portfolio, text)
        assert shown.total == plan.total_after


# Under uk, ca, de or none: a general account booked NONE (200 VWRL at 60, 100 at 90, 50 sold at
# 70: 250 units costing 12,000 + 9,000 - 3,500 = 17,500, an average of 70.00), a second one
# booked FIFO (80 VWRL at 65 in 2019 and 10 at 125 on the report date: the same-day rule under
# uk) and an ISA. Prices of 2026-11-20: VWRL 125, IGLT 45.
REGIMES = """
    option "operating_currency" "GBP"
    plugin "beancount_plugins.rebalance"
    2019-01-01 custom "rebalance-option" "tax-rules" "{rules}"
    2019-01-01 custom "rebalance-option" "tax-rate" 0.20
    2019-01-01 custom "rebalance-option" "band" 3
    2019-01-01 commodity VWRL
      asset-class: "Equities"
    2019-01-01 commodity IGLT
      asset-class: "Bonds"
    2019-01-01 commodity GBP
      asset-class: "Cash"
    2019-01-01 open Assets:GIA "NONE"
      tax-status: "taxable"
    2019-01-01 open Assets:GIA2 "FIFO"
      tax-status: "taxable"
    2019-01-01 open Assets:ISA
      tax-status: "tax-free"
    2019-01-01 open Equity:Opening
    2019-01-01 open Income:Gains
    2019-01-01 custom "rebalance-target" "Equities" 60
    2019-01-01 custom "rebalance-target" "Bonds" 35
    2019-01-01 custom "rebalance-target" "Cash" 5
    2019-03-01 * "GIA"
      Assets:GIA   200 VWRL {{60 GBP}}
      Equity:Opening
    2020-03-01 * "GIA"
      Assets:GIA   100 VWRL {{90 GBP}}
      Equity:Opening
    2021-05-01 * "GIA: a sale without a lot"
      Assets:GIA   -50 VWRL {{70 GBP}} @ 100 GBP
      Assets:GIA   5000 GBP
      Income:Gains  -1500 GBP
    2019-03-01 * "GIA2"
      Assets:GIA2  80 VWRL {{65 GBP}}
      Assets:GIA2  20 IGLT {{50 GBP}}
      Equity:Opening
    2026-11-20 * "GIA2 buys on the report date"
      Assets:GIA2  10 VWRL {{125 GBP}}
      Equity:Opening
    2019-03-01 * "ISA"
      Assets:ISA  300 IGLT {{50 GBP}}
      Equity:Opening
    2026-11-20 price VWRL 125 GBP
    2026-11-20 price IGLT 45 GBP
"""


@pytest.mark.parametrize("cash", [None, "-3000@Assets:GIA2", "-36250@Assets:GIA"])
@pytest.mark.parametrize("rules", ["uk", "ca", "de", "none", "us"])
def test_the_contract_under_every_tax_rule(rules: str, cash: str | None) -> None:
    # Whatever the rules price a sale at (pool, ACB, depot FIFO), the entries reduce what the
    # ledger's booking accepts: the NONE account at its average, 17,500 / 250 = 70 GBP a unit.
    # The last withdrawal, 36,250 = 250 × 125 + 5,000, takes the NONE account's every unit.
    flow = parse_cash(cash) if cash is not None else None
    assert not isinstance(flow, Exception)
    _, text = _check_contract(dedent(REGIMES.format(rules=rules)), D(2026, 11, 20), flow)  # type: ignore[arg-type]
    for line in text.splitlines():
        if line.startswith("  Assets:GIA ") and " VWRL " in line and line.split()[1].startswith("-"):
            assert "{70 GBP}" in line, line
