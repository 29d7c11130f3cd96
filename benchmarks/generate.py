"""Write a large, realistic, deterministic Beancount ledger for the benchmarks.

The household: a checking account with a salary and everyday spending, a credit card, and
ten trading accounts of mixed tax status that buy funds every month for decades (FIFO lots),
sell some of them, and receive dividends. Every commodity has an asset class written twice,
as our ``asset-class`` and as fava_investor's ``asset_allocation_*`` keys, so both tools do
their real work on it. Prices: monthly for the whole span, daily (week days) for the last
``--price-years``. Targets (``custom "rebalance-target"``, adding up to 100 on every date),
options, ``plugin "beancount_plugins.rebalance"`` and ``custom "fava-extension"`` lines.
Two portfolios: two of the trading accounts (``COLLEGE``) are the portfolio ``College``, with
its own targets on a glide path (``glide TRUE``, gliding on the last day) and its own band; the
other eight are ``Main``. The tags add lines only: the random draws, and so every
transaction, are the same as with one portfolio.

The body (all the data) goes into ``body.beancount``; small top files include it:

- ``with.beancount``: the plugin and the Rebalance extension (what a user of ours runs);
- ``without.beancount``: neither (the baseline: plain bean-check, plain Fava);
- ``drift.beancount``: as ``with``, plus ``max-drift-error`` (the plugin's expensive mode);
- ``investor.beancount``: fava_investor's extension only, configured on the same accounts.

Same flags, same seed: byte-identical files. Usage::

    python benchmarks/generate.py --out benchmarks/out/full            # full size
    python benchmarks/generate.py --out benchmarks/out/quick --quick   # a small one
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

TITLE = "Rebalance Benchmark"
SLUG = "rebalance-benchmark"
PORTFOLIO = "Assets:Invest"
CHECKING = "Assets:Bank:Checking"
CARD = "Liabilities:CreditCard"
BUFFER = 15_000_000  # cents kept in checking by the payroll

# Leaf classes and how likely a fund is to be in each.
CLASSES = (
    ("Equities:US:Large", 22),
    ("Equities:US:Small", 10),
    ("Equities:International:Developed", 12),
    ("Equities:International:Emerging", 6),
    ("Bonds:US:Treasury", 10),
    ("Bonds:US:Corporate", 8),
    ("Bonds:International", 5),
    ("Bonds:TIPS", 5),
    ("RealEstate", 6),
    ("Commodities:Gold", 3),
    ("Commodities:Broad", 3),
)
# Two sets of targets: one at the start, one revised half-way. Each adds up to 100 and
# names no category together with one of its ancestors.
TARGETS_START = (
    ("Equities:US", 45), ("Equities:International", 20), ("Bonds:US", 20),
    ("Bonds:International", 5), ("Bonds:TIPS", 0), ("RealEstate", 5), ("Commodities", 3), ("Cash", 2),
)
TARGETS_LATER = (
    ("Equities:US", 40), ("Equities:International", 20), ("Bonds:US", 20),
    ("Bonds:International", 5), ("Bonds:TIPS", 5), ("RealEstate", 5), ("Commodities", 3), ("Cash", 2),
)
# College's targets: a glide path from the start to eight years after the ledger's end.
COLLEGE_START = (("Equities", 70), ("Bonds", 20), ("RealEstate", 5), ("Commodities", 3), ("Cash", 2))
COLLEGE_END = (("Equities", 30), ("Bonds", 60), ("RealEstate", 5), ("Commodities", 3), ("Cash", 2))
# Ten trading accounts: (name, tax-status as written; aliases included on purpose).
TRADING = (
    ("Schwab:Brokerage", "taxable"),
    ("Schwab:Joint", "brokerage"),
    ("Fidelity:Taxable", "taxable"),
    ("Fidelity:IRA", "ira"),
    ("Fidelity:Rollover", "tax-deferred"),
    ("Fidelity:RothIRA", "tax-free"),
    ("Vanguard:401k", "401k"),
    ("Vanguard:403b", "403b"),
    ("Vanguard:Roth", "roth"),
    ("HSA", "hsa"),
)
COLLEGE = frozenset({"Schwab:Joint", "Vanguard:Roth"})  # the second portfolio's trading accounts
EXPENSES = (
    ("Groceries", 40, 180), ("Restaurants", 15, 90), ("Transport", 10, 70), ("Shopping", 10, 300),
    ("Utilities", 60, 220), ("Health", 20, 400), ("Travel", 100, 2500), ("Fees", 1, 30),
)


@dataclass(frozen=True)
class Size:
    """How big the ledger is."""

    transactions: int
    commodities: int
    lots: int
    years: int
    price_years: int


FULL = Size(transactions=100_000, commodities=300, lots=20_000, years=20, price_years=2)
QUICK = Size(transactions=3_000, commodities=40, lots=800, years=6, price_years=1)


@dataclass
class Fund:
    """One commodity: its ticker, classes and daily price path (cents per unit)."""

    ticker: str
    shares: tuple[tuple[str, int], ...]
    fractional: bool
    prices: list[int] = field(default_factory=list)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _tickers(rng: random.Random, count: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    seen: set[str] = {"USD"}
    names: list[str] = []
    while len(names) < count:
        name = "".join(rng.choice(letters) for _ in range(rng.choice((3, 4, 4, 5))))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _business_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    day = start
    one = datetime.timedelta(days=1)
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += one
    return days


def _funds(rng: random.Random, size: Size, days: int) -> list[Fund]:
    names = [name for name, _ in CLASSES]
    weights = [weight for _, weight in CLASSES]
    funds = []
    for ticker in _tickers(rng, size.commodities):
        if rng.random() < 0.2:  # a balanced fund: two or three classes
            picked = rng.sample(names, rng.choice((2, 2, 3)))
            cuts = sorted(rng.sample(range(5, 96, 5), len(picked) - 1))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
            shares = tuple(zip(picked, parts, strict=True))
        else:
            shares = ((rng.choices(names, weights)[0], 100),)
        fund = Fund(ticker, shares, fractional=rng.random() < 0.1)
        price = rng.uniform(10, 400)
        drift = rng.uniform(-0.0001, 0.0004)
        vol = rng.uniform(0.004, 0.02)
        path = []
        for _ in range(days):
            price *= math.exp(drift + vol * rng.gauss(0, 1))
            price = min(max(price, 1.0), 100_000.0)
            path.append(round(price * 100))
        fund.prices = path
        funds.append(fund)
    return funds


def _header(variant: str, start: datetime.date) -> str:
    lines = [
        f'option "title" "{TITLE}"',
        'option "operating_currency" "USD"',
        'option "booking_method" "FIFO"',
    ]
    if variant in ("with", "drift"):
        lines.append('plugin "beancount_plugins.rebalance"')
    lines.append("")
    if variant in ("with", "drift"):
        lines.append(f'{start} custom "fava-extension" "fava_rebalance"')
    if variant == "drift":
        lines.append(f'{start} custom "rebalance-option" "max-drift-error" TRUE')
    if variant == "investor":
        lines.append(f'{start} custom "fava-extension" "fava_investor" "{{')
        lines.append("  'asset_alloc_by_class': {")
        lines.append(f"    'accounts_patterns': ['^{PORTFOLIO}'],")
        lines.append("  }}\"")
    lines.append('include "body.beancount"')
    return "\n".join(lines) + "\n"


class Writer:
    """Simulates the household day by day and writes its ledger text."""

    def __init__(self, size: Size, seed: int, end: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.end = end
        self.start = datetime.date(end.year - size.years, 1, 1)
        self.days = _business_days(self.start, end)
        self.day_index = {day: i for i, day in enumerate(self.days)}
        self.funds = _funds(self.rng, size, len(self.days))
        self.out: list[str] = []
        self.checking = 0
        self.cash: dict[str, int] = {}  # trading account -> cents (Decimal-exact via _exact)
        self.cash_exact: dict[str, Decimal] = {}
        self.lots: dict[tuple[str, int], deque[tuple[datetime.date, Decimal]]] = {}
        self.bought_on: set[tuple[str, int, datetime.date]] = set()
        self.transactions = 0

    # -- directives ------------------------------------------------------------------------

    def declarations(self) -> None:
        """Commodities (classes in both forms), accounts, targets, options, opening balances."""
        out, start = self.out, self.start
        opened = self.start - datetime.timedelta(days=1)
        out.append(f"{opened} commodity USD\n  name: \"US Dollar\"\n  asset-class: \"Cash\"\n"
                   "  asset_allocation_Cash: 100\n")
        groups = [self.funds[i:i + 2] for i in range(0, min(len(self.funds), 40), 2)]
        identical = {f.ticker: g[1 - k].ticker for g in groups if len(g) == 2 for k, f in enumerate(g)}
        for index, fund in enumerate(self.funds):
            lines = [f"{opened} commodity {fund.ticker}", f'  name: "Fund {fund.ticker} ({index})"']
            if len(fund.shares) == 1:
                lines.append(f'  asset-class: "{fund.shares[0][0]}"')
            else:
                lines.append('  asset-class: "' + ", ".join(f"{n} {p}%" for n, p in fund.shares) + '"')
            for name, pct in fund.shares:
                lines.append(f"  asset_allocation_{name.replace(':', '_')}: {pct}")
            if fund.fractional:
                lines.append("  fractional: TRUE")
            if fund.ticker in identical:
                lines.append(f'  substantially-identical: "{identical[fund.ticker]}"')
            if index % 97 == 5:
                lines.append("  rebalance-buy: FALSE")
            out.append("\n".join(lines) + "\n")
        for account in (CHECKING, "Assets:Bank:Savings", CARD, "Income:Salary", "Income:Dividends",
                        "Income:CapitalGains", "Income:Interest", "Expenses:Rent", "Expenses:Taxes",
                        *(f"Expenses:{name}" for name, _, _ in EXPENSES), "Equity:Opening-Balances"):
            out.append(f"{opened} open {account}\n")
        out.append(f"{opened} open Assets:Home HOUSE\n  rebalance: FALSE\n")
        for name, status in TRADING:
            account = f"{PORTFOLIO}:{name}"
            tag = '  portfolio: "College"\n' if name in COLLEGE else ""
            out.append(f'{opened} open {account}\n  tax-status: "{status}"\n{tag}')
            out.append(f"{opened} open {account}:Cash USD\n")
            self.cash_exact[account] = Decimal(0)
        out.append(f'{opened} open {PORTFOLIO}:Fidelity:Taxable:MoneyMarket USD\n  asset-class: "Cash"\n')
        for name, pct in TARGETS_START:
            out.append(f'{start} custom "rebalance-target" "{name}" {pct}\n')
        later = datetime.date(start.year + self.size.years // 2, 1, 1)
        for (name, pct), (_, old) in zip(TARGETS_LATER, TARGETS_START, strict=True):
            if pct != old:
                out.append(f'{later} custom "rebalance-target" "{name}" {pct}\n')
        college = '  portfolio: "College"\n'
        glide_end = datetime.date(self.end.year + 8, 1, 1)
        for day, targets in ((start, COLLEGE_START), (glide_end, COLLEGE_END)):
            for name, pct in targets:
                out.append(f'{day} custom "rebalance-target" "{name}" {pct}\n{college}')
        out.append(f'{start} custom "rebalance-option" "glide" TRUE\n{college}')
        out.append(f'{start} custom "rebalance-option" "band" 3\n{college}')
        out.append(f'{start} custom "rebalance-option" "accounts" "^{PORTFOLIO}"\n')
        out.append(f'{start} custom "rebalance-option" "band" 5\n')
        out.append(f'{start} custom "rebalance-option" "relative-band" 25\n')
        out.append(f'{start} custom "rebalance-option" "min-trade" 100\n')
        out.append(f'{start} custom "rebalance-location" "Bonds" "tax-deferred"\n')
        out.append(f'{start} custom "rebalance-location" "RealEstate" "tax-deferred"\n')
        out.append(f'{start} custom "rebalance-location" "Equities:International" "taxable"\n')
        out.append(f'{opened} * "Opening balance"\n  {CHECKING}  25000.00 USD\n'
                   "  Equity:Opening-Balances\n")
        out.append(f'{opened} * "Sweep"\n  {PORTFOLIO}:Fidelity:Taxable:MoneyMarket  10000.00 USD\n'
                   "  Equity:Opening-Balances\n")
        self.checking = 2_500_000

    def txn(self, day: datetime.date, narration: str, *postings: str, payee: str | None = None) -> None:
        """Append one transaction."""
        head = f'{day} * "{payee}" "{narration}"' if payee else f'{day} * "{narration}"'
        self.out.append(head + "\n" + "".join(f"  {p}\n" for p in postings))
        self.transactions += 1

    def prices(self) -> None:
        """Monthly prices for the whole span, then every week day for the last years."""
        daily_from = datetime.date(self.end.year - self.size.price_years, self.end.month, 1)
        last_month = None
        for i, day in enumerate(self.days):
            month = (day.year, day.month)
            if day < daily_from and month == last_month:
                continue
            last_month = month
            for fund in self.funds:
                self.out.append(f"{day} price {fund.ticker} {_money(fund.prices[i])} USD\n")

    # -- the household -----------------------------------------------------------------

    def plan_counts(self) -> dict[str, int]:
        """How many of each kind of transaction, so that about ``lots`` lots stay open."""
        size = self.size
        sells_full = size.lots // 6
        sells_part = size.lots // 25
        buys = size.lots + sells_full
        dividends = size.lots // 4
        # Transfers into the trading accounts happen as needed (about one per 12 buys).
        everyday = max(size.transactions - buys - sells_full - sells_part - dividends - buys // 12, 0)
        return {"buy": buys, "sell": sells_full, "partial": sells_part, "dividend": dividends,
                "everyday": everyday}

    def run(self) -> None:
        """Walk the business days in order: payroll, rent, card, and the drawn events."""
        rng = self.rng
        counts = self.plan_counts()
        first_trade = min(20, len(self.days) - 1)
        events: list[tuple[int, int, str]] = []
        for kind, count in counts.items():
            low = first_trade + 5 if kind in ("sell", "partial") else 0
            for _ in range(count):
                events.append((rng.randrange(low, len(self.days)), len(events), kind))
        # Salary twice a month, rent, card payment: fixed calendar.
        events.sort()
        holdings = {}
        for name, _ in TRADING:
            account = f"{PORTFOLIO}:{name}"
            count = max(len(self.funds) * 4 // len(TRADING), 1)
            holdings[account] = rng.sample(range(len(self.funds)), min(count, len(self.funds)))
        # Every fund is held somewhere.
        held = {i for picks in holdings.values() for i in picks}
        accounts = list(holdings)
        for i in range(len(self.funds)):
            if i not in held:
                holdings[accounts[i % len(accounts)]].append(i)
        last_month: tuple[int, int] | None = None
        card = 0
        position = 0
        for day_i, day in enumerate(self.days):
            month = (day.year, day.month)
            if month != last_month:
                self.out.append(f"{day.replace(day=1)} balance {CHECKING} {_money(self.checking)} USD\n")
                last_month = month
                self.txn(day, "Rent", f"Expenses:Rent  {_money(240_000)} USD", CHECKING, payee="Landlord")
                self.checking -= 240_000
                if card:
                    self.txn(day, "Card payment", f"{CARD}  {_money(card)} USD", CHECKING)
                    self.checking -= card
                    card = 0
            if day.day in (1, 2, 3, 15, 16, 17) and (day.day in (1, 15) or day.weekday() == 0):
                # A bonus keeps checking above a buffer: the household spends a lot.
                gross = 620_000 + max(0, BUFFER - self.checking) // 10_000 * 10_000
                tax = gross // 4
                self.txn(day, "Payroll", f"{CHECKING}  {_money(gross - tax)} USD",
                         f"Expenses:Taxes  {_money(tax)} USD", f"Income:Salary  {_money(-gross)} USD",
                         payee="Employer")
                self.checking += gross - tax
            while position < len(events) and events[position][0] == day_i:
                kind = events[position][2]
                position += 1
                if kind == "everyday":
                    name, low, high = rng.choice(EXPENSES)
                    cents = rng.randrange(low * 100, high * 100)
                    if rng.random() < 0.6:
                        self.txn(day, name, f"Expenses:{name}  {_money(cents)} USD", CARD,
                                 payee=f"Shop {rng.randrange(200)}")
                        card += cents
                    else:
                        self.txn(day, name, f"Expenses:{name}  {_money(cents)} USD", CHECKING,
                                 payee=f"Shop {rng.randrange(200)}")
                        self.checking -= cents
                elif kind == "buy":
                    self.buy(day, day_i, holdings)
                elif kind in ("sell", "partial"):
                    self.sell(day, day_i, partial=kind == "partial")
                else:
                    self.dividend(day)

    def buy(self, day: datetime.date, day_i: int, holdings: dict[str, list[int]]) -> None:
        """Buy one new lot (funding the account's cash from checking when short)."""
        rng = self.rng
        for _ in range(20):
            account = rng.choice(list(holdings))
            fund_i = rng.choice(holdings[account])
            if (account, fund_i, day) not in self.bought_on:
                break
        else:
            return
        self.bought_on.add((account, fund_i, day))
        fund = self.funds[fund_i]
        cost = Decimal(fund.prices[day_i]).scaleb(-2)
        if fund.fractional:
            units = Decimal(rng.randrange(500, 40_000)).scaleb(-3)
        else:
            units = Decimal(max(1, int(rng.uniform(100, 3000) / float(cost)) or 1))
        amount = units * cost
        if self.cash_exact[account] < amount:
            top_up = int(amount - self.cash_exact[account]) // 1000 * 1000 + 5000
            self.txn(day, "Contribution", f"{account}:Cash  {top_up}.00 USD", CHECKING)
            self.checking -= top_up * 100
            self.cash_exact[account] += top_up
        self.cash_exact[account] -= amount
        self.lots.setdefault((account, fund_i), deque()).append((day, units))
        self.txn(day, f"Buy {fund.ticker}", f"{account}  {units} {fund.ticker} {{{cost} USD}}",
                 f"{account}:Cash  {-amount} USD", payee=account.split(":")[2])

    def sell(self, day: datetime.date, day_i: int, *, partial: bool) -> None:
        """Sell the oldest lot of a position (half of it if ``partial``), FIFO."""
        rng = self.rng
        keys = list(self.lots)
        for _ in range(20):
            if not keys:
                return
            key = rng.choice(keys)
            queue = self.lots[key]
            if len(queue) >= 2 and queue[0][0] < day:
                break
        else:
            return
        account, fund_i = key
        fund = self.funds[fund_i]
        lot_day, lot_units = queue[0]
        if partial and lot_units >= 2:
            units = (lot_units / 2).quantize(Decimal(1) if not fund.fractional else Decimal("0.001"))
            queue[0] = (lot_day, lot_units - units)
        else:
            units = lot_units
            queue.popleft()
        price = Decimal(fund.prices[day_i]).scaleb(-2)
        proceeds = units * price
        self.cash_exact[account] += proceeds
        self.txn(day, f"Sell {fund.ticker}", f"{account}  {-units} {fund.ticker} {{}} @ {price} USD",
                 f"{account}:Cash  {proceeds} USD", "Income:CapitalGains",
                 payee=account.split(":")[2])

    def dividend(self, day: datetime.date) -> None:
        """A cash dividend into a trading account."""
        account = self.rng.choice(list(self.cash_exact))
        cents = self.rng.randrange(500, 40_000)
        self.cash_exact[account] += Decimal(cents).scaleb(-2)
        self.txn(day, "Dividend", f"{account}:Cash  {_money(cents)} USD", "Income:Dividends",
                 payee=account.split(":")[2])


def generate(out: Path, size: Size, seed: int, end: datetime.date) -> dict[str, int]:
    """Write the body and the four top files under ``out``; return counts."""
    writer = Writer(size, seed, end)
    writer.declarations()
    writer.run()
    writer.prices()
    out.mkdir(parents=True, exist_ok=True)
    text = "".join(writer.out)
    (out / "body.beancount").write_text(text, encoding="utf-8")
    for variant in ("with", "without", "drift", "investor"):
        (out / f"{variant}.beancount").write_text(_header(variant, writer.start), encoding="utf-8")
    open_lots = sum(len(queue) for queue in writer.lots.values())
    return {"transactions": writer.transactions, "open_lots": open_lots,
            "commodities": len(writer.funds), "lines": text.count("\n")}


def main(argv: list[str] | None = None) -> int:
    """Parse flags, write the ledger, print what was written."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("benchmarks/out/full"), help="output directory")
    p.add_argument("--quick", action="store_true", help="a small ledger (seconds to load)")
    p.add_argument("--transactions", type=int, help="transactions, about (default 100000)")
    p.add_argument("--commodities", type=int, help="commodities (default 300)")
    p.add_argument("--lots", type=int, help="open lots at the end, about (default 20000)")
    p.add_argument("--years", type=int, help="years of history (default 20)")
    p.add_argument("--price-years", type=int, help="years of daily prices at the end (default 2)")
    p.add_argument("--end", type=datetime.date.fromisoformat, default=datetime.date(2026, 11, 20),
                   help="last day of the ledger (default 2026-11-20)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    base = QUICK if args.quick else FULL
    size = Size(
        transactions=args.transactions or base.transactions,
        commodities=args.commodities or base.commodities,
        lots=args.lots or base.lots,
        years=args.years or base.years,
        price_years=args.price_years or base.price_years,
    )
    began = time.perf_counter()
    counts = generate(args.out, size, args.seed, args.end)
    took = time.perf_counter() - began
    print(" ".join(f"{k}={v}" for k, v in counts.items()) + f" seconds={took:.1f} out={args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
