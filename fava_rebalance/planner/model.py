"""The planner's results as frozen data: trades, lots sold, account totals, tax, after rows.

Every figure is an exact ``Decimal`` recomputed from units × price, the lots and the
configured rates; the views (JSON, tables, terminal, Fava) only round for display.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

SELL, BUY = "sell", "buy"
SHORT, LONG, MIXED = "short", "long", "mixed"
SINGLE = "single"   # a result taxed at one rate whatever the holding period (tax-rules uk, ca, de)
TAXABLE = "taxable"

# How the tax rules identify the units a sale takes (``LotSale.match``; SPEC §7).
LOT = "lot"                      # us: the ledger's lot the plan picks
SAME_DAY = "same day"            # uk: acquisitions on the day of the sale
THIRTY_DAYS = "30 days"          # uk: acquisitions in the 30 days after it ("bed and breakfast")
POOL = "section 104 pool"        # uk: the average cost of the shares held before
ACB = "ACB"                      # ca: the adjusted cost base, averaged over non-registered accounts
FIFO = "FIFO"                    # de: the oldest lot left in the depot

# The break-even's alternatives (``Alternative.kind``; also their keys in the JSON).
RAISE_CASH_ONLY = "raise_cash_only"              # a withdrawal raised at the least tax, no rebalancing
WITHOUT_TAXABLE_SALES = "without_taxable_sales"  # the plan's goals, no sales in taxable accounts

# How the plan came about (``Plan.mode``).
NOTHING = "none"            # every category within its band, no cash flow: no trades
REBALANCE = "rebalance"     # a category outside its band: every category to its target
DEPOSIT = "deposit"         # optimal lazy rebalancing of a deposit (buys only)
WITHDRAWAL = "withdrawal"   # optimal lazy rebalancing of a withdrawal (sells only)


@dataclass(frozen=True)
class CashFlow:
    """Money added (positive) or taken out (negative); ``account`` ``None``: the default one."""

    amount: Decimal
    account: str | None = None


@dataclass(frozen=True)
class PlanError:
    """Why a plan could not be made as asked (an unusable cash amount or account, a withdrawal too large)."""

    message: str


@dataclass(frozen=True)
class LotSale:
    """Units taken from one lot by a sell, with their gain in the reporting currency.

    ``averaged``: the units are a share of a net position sold at its average cost
    (``netposition``), not a lot of the ledger: ``cost`` is that average and ``date`` the
    purchase date the oldest-first rule gives them (``None`` when the ledger cannot tell).

    ``match``: how the tax rules identified the units (``LOT``, ``SAME_DAY``, ``THIRTY_DAYS``,
    ``POOL``, ``ACB``, ``FIFO``); the gain is always at that cost. Under uk, ca and de the
    ``term`` is ``SINGLE``: one rate, whatever the holding period.
    """

    date: datetime.date | None
    units: Decimal
    cost: Decimal | None
    cost_currency: str | None
    gain: Decimal
    term: str
    label: str | None = None
    averaged: bool = False
    match: str = LOT


@dataclass(frozen=True)
class WashSale:
    """A wash sale: a purchase that disallows (part of) a loss.

    On a sell (``of_sale`` false): the purchase in the window (its account, commodity and
    date) that disallows part of this sale's loss. On a buy (``of_sale`` true): the earlier
    sale at a loss (its account, commodity and date) that this buy washes. ``status`` is the
    tax status of the account that buys: taxable adds the loss to the new shares' basis,
    anything else loses it for good. ``term`` is the character of the loss.
    """

    account: str
    commodity: str
    date: datetime.date
    units: Decimal
    disallowed: Decimal
    status: str
    term: str
    of_sale: bool = False


@dataclass(frozen=True)
class Trade:
    """One order: in ``account`` (the one holding, or to hold, the commodity).

    ``tax`` is the order's share of the plan's estimated tax: its own short- and long-term
    results (after wash sales) at the rates the plan's netting leaves (``lots.netted_rates``),
    so the shares add up to the estimate.

    ``booking`` is how the ledger books ``account`` (``STRICT``, ``FIFO``, ``NONE``, ...).
    ``average_cost`` (with ``average_currency``) is set on a sell of a net position
    (``netposition``: an account booked ``NONE``, or lots of both signs): the average cost
    per unit as the ledger states it, which is what a ``NONE`` reduction writes in its
    ``{}`` (Beancount rejects an empty one there), whatever the account's tax status.

    ``lots`` are the units the tax rules sell (a ledger lot under us; under uk, ca and de the
    pool, the adjusted cost base or the depot's oldest lot), whose gains the tax is of.
    ``ledger_lots``: where those differ from the ledger's own lots, the ledger lots the order
    reduces, oldest first (what Beancount's FIFO booking takes, and what a ledger booked
    STRICT accepts); empty when they are ``lots`` themselves. A ``--format beancount`` writer
    reduces ``ledger_lots or lots``.
    """

    account: str
    trading_account: str
    tax_status: str
    action: str
    commodity: str
    units: Decimal
    price: Decimal
    amount: Decimal
    lots: tuple[LotSale, ...]
    gain: Decimal
    term: str | None
    washes: tuple[WashSale, ...]
    reason: str
    tax: Decimal = Decimal(0)
    booking: str = ""
    average_cost: Decimal | None = None
    average_currency: str | None = None
    ledger_lots: tuple[LotSale, ...] = ()


@dataclass(frozen=True)
class AccountTotal:
    """What the plan does in one trading account; money never moves between them.

    ``cash_moves``: how much the cash held in each account under it changes (new cash lands
    in the account holding the most; a net outflow is drawn from its cash accounts), what
    the plan written as ledger entries posts (``views.ledger_entries``).
    """

    account: str
    tax_status: str
    cash_before: Decimal
    flow: Decimal
    sold: Decimal
    bought: Decimal
    costs: Decimal
    cash_after: Decimal
    trades: int
    cash_moves: tuple[tuple[str, Decimal], ...] = ()
    cash_account: str = ""  # where new cash lands: the account holding the most cash, else this one


@dataclass(frozen=True)
class AfterRow:
    """A targeted category before and after the plan.

    ``within_band``: the category ends within its band (edge included), decided once by the
    planner with the one rule, ``core.allocation.within_band``, on the value and the total
    after; the summary, the tables, the JSON and the break-even all read it.
    """

    category: str
    target: Decimal
    band: Decimal
    value_before: Decimal
    percent_before: Decimal
    value: Decimal
    percent: Decimal
    within_band: bool

    @property
    def difference(self) -> Decimal:
        """Percent after minus target, in percentage points."""
        return self.percent - self.target


def largest_drift(rows: Sequence[AfterRow]) -> Decimal:
    """The largest |percent − target| the rows leave, in percentage points (a break-even figure)."""
    return max((abs(r.difference) for r in rows), default=Decimal(0))


def outside_band(rows: Sequence[AfterRow]) -> tuple[str, ...]:
    """The categories the rows leave outside their band (a break-even figure)."""
    return tuple(r.category for r in rows if not r.within_band)


class BreakEvenFigures:
    """What a break-even column shows of its ``after`` rows, for the plan and each alternative."""

    after: tuple[AfterRow, ...]

    @property
    def largest_drift(self) -> Decimal:
        """The largest |percent − target| left, in percentage points."""
        return largest_drift(self.after)

    @property
    def outside_band(self) -> tuple[str, ...]:
        """Categories left outside their band."""
        return outside_band(self.after)


@dataclass(frozen=True)
class Alternative(BreakEvenFigures):
    """Another way to do what the plan does, for the break-even: its tax and the drift it leaves.

    ``kind`` is ``RAISE_CASH_ONLY`` (a withdrawal raised in its account at the least tax,
    rebalancing nothing: every category inside its band stays inside, drift is otherwise
    not weighed) or ``WITHOUT_TAXABLE_SALES`` (the plan's goals with no sales in taxable
    accounts, except what a withdrawal from one needs); ``label`` names it for a column.
    """

    kind: str
    label: str
    after: tuple[AfterRow, ...]
    trades: int
    estimated_tax: Decimal


@dataclass(frozen=True)
class TaxSummary:
    """Realized gains of the plan (taxable accounts only) and the estimate at the rates.

    The gains are after wash sales: ``disallowed_loss`` (the plan's own losses that purchases
    in the window disallow) and ``rebought_loss`` (losses the ledger realized in the last 30
    days that the plan's buys disallow) are added back to the term they belong to.

    ``rules`` is the regime (``tax-rules``). Under uk, ca and de the short- and long-term
    figures are 0 and these say the rest: ``gain`` (realized at the regime's cost, after
    superficial losses), ``exempt_gain`` (de: the partial exemption's share of it),
    ``included_gain`` (what is left to tax: ca the ``inclusion`` of the gain, de the gain less
    its exemption, uk the gain), ``rate``, ``allowance``, ``allowance_used`` (what the
    ledger's own sales realized earlier in the tax year starting ``year_start``, taxable
    amounts) and ``allowance_left`` (before the plan); the estimate is ``rate`` on what the
    plan adds above the allowance. Under none every figure is 0 and none is shown.
    """

    short_term_gain: Decimal
    long_term_gain: Decimal
    estimated_tax: Decimal
    disallowed_loss: Decimal
    trade_costs: Decimal
    short_term_rate: Decimal
    long_term_rate: Decimal
    rebought_loss: Decimal = Decimal(0)
    rules: str = "us"
    gain: Decimal = Decimal(0)
    exempt_gain: Decimal = Decimal(0)
    included_gain: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    inclusion: Decimal = Decimal(1)
    allowance: Decimal = Decimal(0)
    allowance_used: Decimal = Decimal(0)
    allowance_left: Decimal = Decimal(0)
    year_start: datetime.date | None = None


@dataclass(frozen=True)
class LocationNote:
    """A holding of a class that is better held in another type of account."""

    account: str
    commodity: str
    category: str
    value: Decimal
    tax_status: str
    preferred: str


@dataclass(frozen=True)
class Plan(BreakEvenFigures):
    """The concrete orders for a report, and what they do.

    ``alternatives``: the break-even, when the plan costs tax: other ways to do it, each
    different from the plan and from the others in what a column shows (tax, largest drift,
    categories outside their band, orders).
    """

    mode: str
    cash: CashFlow | None
    cash_account: str | None
    trades: tuple[Trade, ...]
    accounts: tuple[AccountTotal, ...]
    tax: TaxSummary
    after: tuple[AfterRow, ...]
    total_after: Decimal
    locations: tuple[LocationNote, ...]
    warnings: tuple[str, ...]
    errors: tuple[PlanError, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    @property
    def problem(self) -> str | None:
        """Why the plan could not be made as asked, in a sentence (``None``: it was)."""
        if not self.errors:
            return None
        return "The plan could not be made: " + "; ".join(e.message for e in self.errors) + "."


@dataclass(frozen=True)
class CashAccount:
    """A trading account that can take a deposit or pay a withdrawal."""

    name: str
    tax_status: str
    cash: Decimal


@dataclass(frozen=True)
class CashAccounts:
    """The accounts cash may go to or come from, and the one ``plan`` picks without a name."""

    accounts: tuple[CashAccount, ...]
    default: str | None


@dataclass(frozen=True)
class PlanRequest:
    """A plan asked for, and the accounts cash may use, both from one household.

    ``cash_asked``: the request named a cash flow. A failed plan is fatal only then: the
    command line exits 2 and a download answers 400 (``refusal``); without cash the drift
    report stands and the plan's errors are only reported.
    """

    plan: Plan
    accounts: CashAccounts
    cash_asked: bool

    @property
    def refusal(self) -> str | None:
        """Why the request itself cannot be served: the plan's problem when cash was asked for."""
        return self.plan.problem if self.cash_asked else None
