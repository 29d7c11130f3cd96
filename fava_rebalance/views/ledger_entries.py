"""The plan as Beancount entries to paste into the ledger (SPEC §5.3, ``--format beancount``).

Per trading account one transaction dated the report date, flag ``!`` (planned, not yet
done; change it to ``*`` once the orders are filled), tag ``#rebalance``:

- a sell reduces the exact lots the plan chose, ``-10 VTI {135.00 USD, 2018-03-12} @ 300.00
  USD`` (a lot that cost another currency than the report's gets its price as a comment:
  Beancount wants the ``@`` price in the cost's currency); under tax rules that sell
  something else than the ledger's lots (uk's pool, ca's adjusted cost base, de's depot-wide
  first in, first out: SPEC §7) the ledger's own lots the order reduces
  (``Trade.ledger_lots``, oldest first), which a ledger booked ``STRICT`` accepts; where the
  plan chose none (a tax-deferred or tax-free account, where the lot makes no difference to
  tax) the oldest lots go first. An account booked ``NONE`` has no lots to
  match: the reduction states the net position's average cost, ``-5 VTI {130.00 USD}``, as
  Beancount requires there. Units held without a cost are sold without one. An account
  booked by lots (``FIFO``, ``STRICT``) that holds lots of both signs is planned at the net
  position's average cost too, but its reduction must name a lot the booking can match: the
  oldest lots held long, so the gain posted is at their cost and may differ from the plan's
  estimate on the average (``-4 VTI {90 USD, ...}`` posts 440.00 where the plan says 445.00
  for lots +10 at 90 and −2 at 95).
- a buy is ``20 VXUS {62.00 USD}`` at the plan's price;
- the realized gain (proceeds less the cost of the units sold, in the lots' cost currency)
  posts to the ``gains-account`` option, rounded to the cent (Beancount's tolerance takes the
  rest); trade costs to ``trade-cost-account``;
- the cash postings balance the transaction: the change of each cash account of the trading
  account, as the plan settles it (``AccountTotal.cash_moves``).

A deposit or a withdrawal is its own ``!`` transaction between the account where the plan
puts new cash and the ``cash-flow-account`` option. Accounts the output uses that the ledger
does not open come first, as comments with the ``open`` line to add. The contract: the
ledger plus those lines plus this text passes ``bean-check``, and the report as of the same
date then shows the plan's ``after`` percentages (``tests/views/test_ledger_entries.py``).

Several portfolios' plans made together (``household_entries``) are written one portfolio
after the other, each under a comment naming it, with one list of ``open`` lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import account as bc_account

from fava_rebalance.core.declarations import Declarations
from fava_rebalance.core.formatting import round2
from fava_rebalance.core.holdings import Lot
from fava_rebalance.core.pipeline import Report
from fava_rebalance.planner.model import SELL, AccountTotal, Plan, Trade

ZERO = Decimal(0)
NONE_BOOKING = "NONE"
INDENT = "  "


@dataclass(frozen=True)
class _Posting:
    """One posting line: account, units and commodity, and what follows them (cost, price)."""

    account: str
    number: Decimal | None
    commodity: str = ""
    tail: str = ""

    def line(self, width: int) -> str:
        if self.number is None:
            return f"{INDENT}{self.account}"
        amount = f"{_number(self.number)} {self.commodity}"
        return f"{INDENT}{self.account.ljust(width)}  {amount}{self.tail}".rstrip()


def _number(value: Decimal) -> str:
    """A number as Beancount reads it back exactly (no exponent)."""
    return f"{value:f}"


def _cost(cost: Decimal, currency: str, date: datetime.date | None = None, label: str | None = None) -> str:
    parts = [f"{_number(cost)} {currency}"]
    if date is not None:
        parts.append(date.isoformat())
    if label:
        parts.append('"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " {" + ", ".join(parts) + "}"


class _Writer:
    """Collects the postings of one transaction, its gains per currency and the accounts used."""

    def __init__(self, report: Report, gains_account: str) -> None:
        self.report = report
        self.currency = report.currency
        self.gains_account = gains_account
        self.postings: list[_Posting] = []
        self.gains: dict[str, Decimal] = {}  # currency → proceeds less cost (reporting currency: net)

    def reduce(self, trade: Trade, units: Decimal, cost: Decimal | None, currency: str | None,
               date: datetime.date | None = None, label: str | None = None) -> None:
        """``units`` of the trade's commodity sold, from a lot at ``cost`` (``None``: held without one)."""
        price = f" @ {_number(trade.price)} {self.currency}"
        proceeds = units * trade.price
        if cost is None or currency is None:
            self.postings.append(_Posting(trade.account, -units, trade.commodity, price))
            return
        if currency != self.currency:  # Beancount wants a price in the cost's currency: a comment
            price = f"  ; sold at {_number(trade.price)} {self.currency}"
        self.postings.append(_Posting(trade.account, -units, trade.commodity,
                                      _cost(cost, currency, date, label) + price))
        self.gains[self.currency] = self.gains.get(self.currency, ZERO) + proceeds
        self.gains[currency] = self.gains.get(currency, ZERO) - units * cost

    def sell(self, trade: Trade) -> None:
        """A sell: the ledger's lots the plan reduces, the oldest lots, or the net position's average cost."""
        chosen = [sale for sale in (trade.ledger_lots or trade.lots) if not sale.averaged]
        if trade.booking == NONE_BOOKING:
            self.reduce(trade, trade.units, trade.average_cost, trade.average_currency)
        elif chosen and sum((sale.units for sale in chosen), ZERO) == trade.units:
            for sale in chosen:
                self.reduce(trade, sale.units, sale.cost, sale.cost_currency, sale.date, sale.label)
        else:
            for lot, units in _oldest_first(self._lots_of(trade), trade.units):
                self.reduce(trade, units, lot.cost, lot.cost_currency, lot.date, lot.label)

    def _lots_of(self, trade: Trade) -> Sequence[Lot]:
        for holding in self.report.holdings:
            if holding.account == trade.account and holding.commodity == trade.commodity:
                return holding.lots
        return ()

    def buy(self, trade: Trade) -> None:
        """A buy at the plan's price, held at that cost."""
        self.postings.append(_Posting(trade.account, trade.units, trade.commodity,
                                      _cost(trade.price, self.currency)))

    def gain_postings(self) -> list[_Posting]:
        """The realized gains: income is negative in Beancount, so the posting is minus the gain."""
        found = []
        for currency, gain in sorted(self.gains.items()):
            rounded = round2(gain)
            if rounded:
                found.append(_Posting(self.gains_account, -rounded, currency))
        return found


def _oldest_first(lots: Iterable[Lot], units: Decimal) -> list[tuple[Lot, Decimal]]:
    """``units`` taken from the lots held, oldest first (a lot without a date last)."""
    taken = []
    left = units
    for lot in sorted((lot for lot in lots if lot.units > 0),
                      key=lambda lot: (lot.date or datetime.date.max, lot.cost or ZERO)):
        if left <= 0:
            break
        part = min(left, lot.units)
        taken.append((lot, part))
        left -= part
    return taken


def _block(date: datetime.date, narration: str, postings: Sequence[_Posting]) -> list[str]:
    width = max((len(p.account) for p in postings if p.number is not None), default=0)
    head = f'{date.isoformat()} ! "{narration}" #rebalance'
    return [head, *(p.line(width) for p in postings), ""]


def _valid(account: str, trades: Sequence[Trade]) -> str:
    """``account``, or the first account traded in where Beancount cannot name it.

    A holding's trading account is its parent when no account has a ``tax-status``, and a
    bare ``Assets`` is no account Beancount can post to.
    """
    if bc_account.is_valid(account) or not trades:
        return account
    return sorted(t.account for t in trades)[0]


def _cash_home(account: str, currency: str, declarations: Declarations) -> str:
    """Where cash of ``currency`` is posted for ``account``: itself, or its ``Cash`` sub-account.

    An account whose ``open`` lists the commodities it may hold without ``currency`` (a 529
    plan opened ``VTI,BND``) cannot take the cash: it goes to ``ACCOUNT:Cash`` (in the same
    portfolio and trading account), whose ``open`` line is listed to add unless the ledger has it.
    """
    opened = declarations.opens.get(account)
    if opened is None or not opened.currencies or currency in opened.currencies:
        return account
    return bc_account.join(account, "Cash")


def _flow_home(report: Report, total: AccountTotal, trades: Sequence[Trade],
               declarations: Declarations) -> str:
    """Where the trading account's deposit or withdrawal lands, one account for both transactions.

    The flow's own transaction posts it there; the trading account's transaction leaves it out
    of that account's cash moves, which include it.
    """
    return _cash_home(_valid(total.cash_account or total.account, trades), report.currency, declarations)


def _account_transaction(report: Report, total: AccountTotal, trades: Sequence[Trade],
                         declarations: Declarations) -> list[str]:
    options = report.settings.options
    writer = _Writer(report, options.gains_account)
    for trade in trades:
        if trade.action == SELL:
            writer.sell(trade)
    for trade in trades:
        if trade.action != SELL:
            writer.buy(trade)
    flow = total.flow
    cash: dict[str, Decimal] = {}
    for account, change in total.cash_moves:
        where = _cash_home(_valid(account, trades), report.currency, declarations)
        cash[where] = cash.get(where, ZERO) + change
    if flow:
        where = _flow_home(report, total, trades, declarations)
        cash[where] = cash.get(where, ZERO) - flow  # the flow is its own transaction
    postings = writer.postings
    postings += [_Posting(account, change, report.currency)
                 for account, change in sorted(cash.items()) if change]
    if total.costs:
        postings.append(_Posting(options.trade_cost_account, total.costs, report.currency))
    postings += writer.gain_postings()
    if not postings:  # a deposit kept as cash: its own transaction says it all
        return []
    return _block(report.date, f"Rebalance {total.account}", postings)


def _flow_transaction(report: Report, total: AccountTotal, trades: Sequence[Trade],
                      declarations: Declarations) -> list[str]:
    options = report.settings.options
    where = _flow_home(report, total, trades, declarations)
    kind = "Deposit into" if total.flow > 0 else "Withdrawal from"
    return _block(report.date, f"{kind} {total.account}", [
        _Posting(where, total.flow, report.currency),
        _Posting(options.cash_flow_account, -total.flow, report.currency),
    ])


def _trades_of(plan: Plan, total: AccountTotal) -> list[Trade]:
    return [t for t in plan.trades if t.trading_account == total.account]


def _body(report: Report, plan: Plan, declarations: Declarations) -> list[str]:
    """The plan's transactions: the deposits and withdrawals first, then each trading account's."""
    body: list[str] = []
    for total in plan.accounts:
        if total.flow:
            body += _flow_transaction(report, total, _trades_of(plan, total), declarations)
    for total in plan.accounts:
        body += _account_transaction(report, total, _trades_of(plan, total), declarations)
    return body


def _text(date: datetime.date, head: list[str], body: list[str], declarations: Declarations) -> str:
    """``head``, the ``open`` lines the ``body`` needs (as comments), then the body."""
    used = sorted({line.split()[0] for line in body if line.startswith(INDENT)})
    missing = [account for account in used if account not in declarations.opens]
    if missing:
        head.append("; Accounts the ledger does not open yet; add these lines to it:")
        head += [f"; {date.isoformat()} open {account}" for account in missing]
    return "\n".join([*head, "", *body]).rstrip("\n") + "\n"


def _comment(text: str) -> list[str]:
    """``text`` as comment lines, each starting ``;``.

    A portfolio's name or a message can hold a line break (a Beancount string may): written
    as is, the next line would be a live entry in the text the user pastes into the ledger.
    """
    return [f"; {line}" for line in text.splitlines() or [""]]


def _failures(plan: Plan) -> list[str]:
    return [line for error in plan.errors
            for line in _comment(f"The plan could not be made: {error.message}")]


def _head(date: datetime.date, whose: str = "") -> list[str]:
    return [*_comment(f"The rebalancing plan of {date.isoformat()}{whose} as ledger entries (bean-rebalance "
                      "--format beancount)."),
            "; Flag ! marks them planned; change it to * once the orders are filled."]


NOTHING = "; The plan has no orders and no cash flow: nothing to enter."


def plan_entries(report: Report, plan: Plan, declarations: Declarations) -> str:
    """The plan as Beancount text: the ``open`` lines to add (as comments), then the transactions.

    With several portfolios in the ledger the first line names the plan's portfolio.
    """
    whose = f" for portfolio {report.portfolio}" if declarations.several_portfolios else ""
    head = _head(report.date, whose)
    head += _failures(plan)
    body = _body(report, plan, declarations)
    if not body:
        return "\n".join([*head, NOTHING]) + "\n"
    return _text(report.date, head, body, declarations)


def household_entries(plans: Sequence[tuple[Report, Plan]], declarations: Declarations) -> str:
    """Several portfolios' plans (made together) as one text: each portfolio's entries in turn."""
    if not plans:
        return ""
    date = plans[0][0].date
    head = _head(date, " for every portfolio")
    body: list[str] = []
    for report, plan in plans:
        body += _comment(f"Portfolio {report.portfolio}")
        body += _failures(plan)
        found = _body(report, plan, declarations)
        body += found if found else [NOTHING, ""]
    return _text(date, head, body, declarations)
