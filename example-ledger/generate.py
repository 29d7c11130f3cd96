"""Regenerate prices.beancount and budget.beancount for the example ledger.

    python example-ledger/generate.py

Both files are committed; this script only documents how they were made, so they can be
remade after a change. It is deterministic (a fixed seed) and uses only the standard library.

* prices.beancount: a price at the end of every month from January 2020 (or the month a
  commodity starts trading) to October 2026, and one on 2026-11-20, for every commodity
  except NIMBUS (a private company: deliberately no price at all). Between the hand-picked
  anchor prices below, the price follows a straight line plus a small wobble that is zero at
  every anchor, so the anchors, and with them the figures in README.md, are exact.
* budget.beancount: the household's day-to-day money in the checking account (salaries,
  mortgage, groceries and so on) and the quarterly dividends paid out to checking. Checking
  is not part of the portfolio, so nothing in this file changes the rebalancing figures.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
D = datetime.date
LAST = D(2026, 11, 20)

# Anchor prices: (date, price). The first is the first price; the price on 2025-12-31 and on
# 2026-11-20 are the ones README.md works with, so they must stay as they are.
ANCHORS: dict[str, tuple[str, int, list[tuple[D, str]]]] = {
    # commodity: (quote currency, decimal places, anchors)
    "VTI": ("USD", 2, [
        (D(2020, 1, 31), "163.00"), (D(2020, 3, 31), "131.00"), (D(2020, 12, 31), "195.00"),
        (D(2021, 6, 30), "220.00"), (D(2021, 12, 31), "241.00"), (D(2022, 9, 30), "180.00"),
        (D(2022, 12, 31), "188.00"), (D(2023, 4, 30), "205.00"), (D(2023, 12, 31), "237.00"),
        (D(2024, 12, 31), "280.00"), (D(2025, 4, 30), "250.00"), (D(2025, 12, 31), "290.00"),
        (D(2026, 2, 28), "317.00"), (D(2026, 6, 30), "288.00"), (D(2026, 10, 31), "297.00"),
        (LAST, "300.00")]),
    "VOO": ("USD", 2, [
        (D(2020, 1, 31), "296.00"), (D(2020, 3, 31), "237.00"), (D(2020, 12, 31), "343.00"),
        (D(2021, 12, 31), "437.00"), (D(2022, 9, 30), "328.00"), (D(2022, 12, 31), "351.00"),
        (D(2023, 12, 31), "436.00"), (D(2024, 12, 31), "525.00"), (D(2025, 4, 30), "480.00"),
        (D(2025, 12, 31), "540.00"), (D(2026, 1, 31), "571.00"), (D(2026, 2, 28), "588.00"),
        (D(2026, 6, 30), "530.00"), (D(2026, 10, 31), "545.00"), (LAST, "550.00")]),
    "IVV": ("USD", 2, [
        (D(2020, 1, 31), "322.00"), (D(2020, 3, 31), "258.00"), (D(2020, 12, 31), "375.00"),
        (D(2021, 12, 31), "477.00"), (D(2022, 9, 30), "359.00"), (D(2022, 12, 31), "384.00"),
        (D(2023, 12, 31), "477.00"), (D(2024, 12, 31), "572.00"), (D(2025, 4, 30), "523.00"),
        (D(2025, 12, 31), "588.00"), (D(2026, 2, 28), "640.00"), (D(2026, 6, 30), "577.00"),
        (D(2026, 10, 31), "594.00"), (LAST, "600.00")]),
    "VB": ("USD", 2, [
        (D(2020, 1, 31), "163.00"), (D(2020, 3, 31), "115.00"), (D(2020, 12, 31), "195.00"),
        (D(2021, 12, 31), "226.00"), (D(2022, 8, 31), "186.00"), (D(2022, 9, 30), "172.00"),
        (D(2022, 12, 31), "182.00"), (D(2023, 12, 31), "213.00"), (D(2024, 12, 31), "240.00"),
        (D(2025, 4, 30), "205.00"), (D(2025, 12, 31), "228.00"), (D(2026, 2, 28), "245.00"),
        (D(2026, 6, 30), "232.00"), (D(2026, 10, 31), "237.00"), (LAST, "240.00")]),
    "VXUS": ("USD", 2, [
        (D(2020, 1, 31), "55.00"), (D(2020, 3, 31), "41.80"), (D(2020, 12, 31), "60.00"),
        (D(2021, 6, 30), "66.20"), (D(2021, 12, 31), "63.00"), (D(2022, 9, 30), "47.00"),
        (D(2022, 12, 31), "52.00"), (D(2023, 12, 31), "58.00"), (D(2024, 12, 31), "60.00"),
        (D(2025, 6, 30), "66.00"), (D(2025, 12, 31), "62.50"), (D(2026, 3, 31), "64.00"),
        (D(2026, 6, 30), "60.00"), (D(2026, 10, 31), "61.50"), (LAST, "62.00")]),
    "BND": ("USD", 2, [
        (D(2020, 1, 31), "85.00"), (D(2020, 12, 31), "88.00"), (D(2021, 12, 31), "85.00"),
        (D(2022, 10, 31), "69.00"), (D(2022, 12, 31), "72.50"), (D(2023, 10, 31), "68.50"),
        (D(2023, 12, 31), "73.50"), (D(2024, 12, 31), "72.00"), (D(2025, 12, 31), "73.50"),
        (D(2026, 6, 30), "72.80"), (D(2026, 10, 31), "71.80"), (LAST, "72.00")]),
    "VBIAX": ("USD", 2, [
        (D(2020, 1, 31), "40.00"), (D(2020, 3, 31), "35.00"), (D(2020, 4, 30), "37.00"),
        (D(2020, 12, 31), "43.00"), (D(2021, 4, 30), "46.50"), (D(2021, 12, 31), "48.50"),
        (D(2022, 4, 30), "43.00"), (D(2022, 9, 30), "39.00"), (D(2022, 12, 31), "40.50"),
        (D(2023, 4, 30), "42.30"), (D(2023, 12, 31), "44.50"), (D(2024, 4, 30), "45.00"),
        (D(2024, 12, 31), "46.50"), (D(2025, 4, 30), "46.20"), (D(2025, 12, 31), "47.50"),
        (D(2026, 2, 28), "49.80"), (D(2026, 4, 30), "49.00"), (D(2026, 6, 30), "47.40"),
        (D(2026, 10, 31), "47.80"), (LAST, "48.00")]),
    "FXAIX": ("USD", 2, [
        (D(2020, 1, 31), "112.00"), (D(2020, 3, 31), "90.00"), (D(2020, 12, 31), "131.00"),
        (D(2021, 12, 31), "165.00"), (D(2022, 9, 30), "125.00"), (D(2022, 12, 31), "133.00"),
        (D(2023, 12, 31), "163.00"), (D(2024, 12, 31), "189.00"), (D(2025, 4, 30), "172.00"),
        (D(2025, 12, 31), "195.00"), (D(2026, 2, 28), "213.00"), (D(2026, 6, 30), "192.00"),
        (D(2026, 10, 31), "198.00"), (LAST, "200.00")]),
    "FXNAX": ("USD", 2, [
        (D(2020, 1, 31), "12.00"), (D(2020, 12, 31), "12.40"), (D(2021, 12, 31), "12.00"),
        (D(2022, 10, 31), "10.20"), (D(2022, 12, 31), "10.45"), (D(2023, 10, 31), "9.80"),
        (D(2023, 12, 31), "10.35"), (D(2024, 12, 31), "10.15"), (D(2025, 12, 31), "10.60"),
        (D(2026, 6, 30), "10.52"), (D(2026, 10, 31), "10.45"), (LAST, "10.50")]),
    "VMFXX": ("USD", 2, [(D(2020, 1, 31), "1.00"), (LAST, "1.00")]),
    "VEUR": ("EUR", 2, [
        (D(2020, 1, 31), "33.00"), (D(2020, 3, 31), "25.50"), (D(2020, 12, 31), "31.50"),
        (D(2021, 12, 31), "37.00"), (D(2022, 9, 30), "30.00"), (D(2022, 12, 31), "32.50"),
        (D(2023, 12, 31), "35.50"), (D(2024, 12, 31), "36.00"), (D(2025, 12, 31), "38.50"),
        (D(2026, 6, 30), "39.20"), (D(2026, 10, 31), "39.60"), (LAST, "40.00")]),
    "EUR": ("USD", 4, [
        (D(2020, 1, 31), "1.1090"), (D(2020, 12, 31), "1.2215"), (D(2021, 12, 31), "1.1370"),
        (D(2022, 9, 30), "0.9800"), (D(2022, 12, 31), "1.0705"), (D(2023, 12, 31), "1.1040"),
        (D(2024, 12, 31), "1.0390"), (D(2025, 6, 30), "1.1720"), (D(2025, 12, 31), "1.1700"),
        (D(2026, 6, 30), "1.1350"), (D(2026, 10, 31), "1.1050"), (LAST, "1.1000")]),
    "IAU": ("USD", 2, [
        (D(2020, 1, 31), "30.00"), (D(2020, 7, 31), "37.50"), (D(2020, 12, 31), "36.00"),
        (D(2021, 12, 31), "34.50"), (D(2022, 9, 30), "31.50"), (D(2023, 2, 28), "35.20"),
        (D(2023, 3, 31), "37.00"), (D(2023, 12, 31), "39.00"), (D(2024, 12, 31), "40.00"),
        (D(2025, 12, 31), "44.00"), (D(2026, 6, 30), "47.50"), (D(2026, 10, 31), "49.20"),
        (LAST, "50.00")]),
    "AAPL": ("USD", 2, [
        (D(2020, 1, 31), "77.00"), (D(2020, 8, 31), "129.00"), (D(2020, 12, 31), "132.00"),
        (D(2021, 12, 31), "177.00"), (D(2022, 12, 31), "130.00"), (D(2023, 12, 31), "192.00"),
        (D(2024, 12, 31), "250.00"), (D(2025, 4, 30), "212.00"), (D(2025, 12, 31), "255.00"),
        (D(2026, 6, 30), "238.00"), (D(2026, 10, 31), "228.00"), (LAST, "230.00")]),
    "INTK": ("USD", 2, [
        (D(2025, 2, 28), "58.00"), (D(2025, 3, 31), "61.00"), (D(2025, 9, 30), "72.50"),
        (D(2025, 12, 31), "75.00"), (D(2026, 6, 30), "70.00"), (D(2026, 10, 31), "78.50"),
        (LAST, "80.00")]),
}

# How far a month-end price may stray from the straight line between two anchors.
WOBBLE = {"VMFXX": 0.0, "EUR": 0.01, "BND": 0.01, "FXNAX": 0.01}

# The house: a yearly estimate is enough (it is outside the portfolio; no stale warning).
HOUSE = [(D(2020, 12, 31), "465000.00"), (D(2021, 12, 31), "520000.00"),
         (D(2022, 12, 31), "540000.00"), (D(2023, 12, 31), "555000.00"),
         (D(2024, 12, 31), "570000.00"), (D(2025, 12, 31), "585000.00"),
         (LAST, "595000.00")]


def month_ends(start: D, end: D) -> list[D]:
    """The last day of every month from ``start``'s month to ``end`` (inclusive), plus ``end``."""
    days = []
    year, month = start.year, start.month
    while True:
        day = D(year, month, calendar.monthrange(year, month)[1])
        if day >= end:
            break
        days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    days.append(end)
    return days


def quantize(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def segment(points: list[tuple[D, Decimal]], day: D) -> tuple[tuple[D, Decimal], tuple[D, Decimal]]:
    """The two anchors around ``day``."""
    for start, end in itertools.pairwise(points):
        if start[0] <= day <= end[0]:
            return start, end
    raise ValueError(f"{day} is outside the anchors")


def price_path(name: str, anchors: list[tuple[D, str]], places: int) -> list[tuple[D, Decimal]]:
    """Monthly prices through the anchors: a straight line plus a wobble zero at anchors."""
    rng = random.Random(f"fava_rebalance-{name}")
    points = [(day, Decimal(price)) for day, price in anchors]
    exact = dict(points)
    path = []
    for day in month_ends(points[0][0], LAST):
        (d0, p0), (d1, p1) = segment(points, day)
        f = (day - d0).days / ((d1 - d0).days or 1)
        line = float(p0) + (float(p1) - float(p0)) * f
        wobble = WOBBLE.get(name, 0.025) * math.sin(math.pi * f) * rng.uniform(-1, 1)
        price = Decimal(str(line * (1 + wobble)))
        path.append((day, exact.get(day, quantize(price, places))))
    return path


def prices_file() -> str:
    """The text of prices.beancount."""
    out = [
        "; Prices for the example ledger: made by generate.py, do not edit by hand.",
        "; End of every month from January 2020 (INTK: from its listing in February 2025) to",
        "; October 2026, and 2026-11-20. Illustrative figures, not real market data.",
        "; NIMBUS (a private company) has no price on purpose: it is valued at cost, with a warning.",
        "",
    ]
    for name, (quote, places, anchors) in ANCHORS.items():
        out.append(f"; {name} in {quote}")
        for day, price in price_path(name, anchors, places):
            out.append(f"{day} price {name:<5} {price:>9} {quote}")
        out.append("")
    out.append("; HOUSE: a yearly estimate (the house is outside the portfolio)")
    for day, price in HOUSE:
        out.append(f"{day} price HOUSE {price} USD")
    return "\n".join(out) + "\n"


def money(value: float | Decimal) -> Decimal:
    """An amount of money: two decimals, half up."""
    return quantize(Decimal(str(value)), 2)


def txn(day: D, payee: str, narration: str, *legs: tuple[str, Decimal]) -> list[str]:
    """A transaction in USD, as lines of text, followed by a blank line."""
    lines = [f'{day} * "{payee}" "{narration}"']
    lines += [f"  {account:<34} {amount:>10} USD" for account, amount in legs]
    return [*lines, ""]


def budget_file() -> str:
    """The text of budget.beancount."""
    rng = random.Random("fava_rebalance-budget")
    out = [
        "; Day-to-day money of the household: made by generate.py, do not edit by hand.",
        "; Everything here goes through Assets:Bank:Checking, which is not part of the portfolio",
        "; (rebalance: FALSE), so none of it changes the rebalancing figures.",
        "",
    ]
    mortgage = Decimal("310000.00")  # balance on 2020-01-01 (see example.beancount)
    rate = Decimal("0.03") / 12
    payment = Decimal("1850.00")
    dividends = {"VTI": Decimal("0.80"), "VXUS": Decimal("0.45"), "VB": Decimal("0.85"),
                 "VOO": Decimal("1.70"), "AAPL": Decimal("0.24")}
    held = {  # units in the taxable brokerage from these dates (see example.beancount)
        "VTI": [(D(2020, 1, 1), 300), (D(2020, 3, 23), 200), (D(2021, 6, 15), 100),
                (D(2023, 4, 14), 100)],
        "VXUS": [(D(2020, 3, 23), 600), (D(2021, 6, 15), 400)],
        "VB": [(D(2022, 9, 15), 150)],
        "VOO": [(D(2026, 2, 10), 50)],
        "AAPL": [(D(2020, 8, 31), 60)],
    }
    year, month = 2020, 1
    while D(year, month, 1) <= LAST:
        raise_factor = Decimal("1.03") ** (year - 2020)
        first = D(year, month, 1)
        if first > D(2020, 1, 1):  # the first payment is due a month after the opening balance
            interest = money(mortgage * rate)
            principal = payment - interest
            mortgage -= principal
            out += txn(first, "Big Bank Mortgage", "Mortgage payment",
                       ("Liabilities:Mortgage", principal),
                       ("Expenses:Home:Mortgage-Interest", interest),
                       ("Assets:Bank:Checking", -payment))
            tax = money(560 * float(raise_factor))
            out += txn(first, "Multnomah County", "Property tax (monthly escrow)",
                       ("Expenses:Home:Property-Tax", tax), ("Assets:Bank:Checking", -tax))
        out += txn(D(year, month, 3), "Sunshine Daycare", "Daycare",
                   ("Expenses:Kids:Childcare", money(1150 * float(raise_factor))),
                   ("Assets:Bank:Checking", -money(1150 * float(raise_factor))))
        for day in (6, 19):
            if D(year, month, day) > LAST:
                continue
            amount = money(rng.uniform(330, 560))
            out += txn(D(year, month, day), rng.choice(["Costco", "Trader Joe's", "Safeway"]),
                       "Groceries", ("Expenses:Food:Groceries", amount),
                       ("Assets:Bank:Checking", -amount))
        amount = money(rng.uniform(220, 420))
        out += txn(D(year, month, 9), "City Utilities", "Power, water, internet",
                   ("Expenses:Home:Utilities", amount), ("Assets:Bank:Checking", -amount))
        insurance = money(410 * float(raise_factor))
        out += txn(D(year, month, 12), "Acme Insurance", "Car and home insurance",
                   ("Expenses:Insurance", insurance), ("Assets:Bank:Checking", -insurance))
        if D(year, month, 14) <= LAST:
            amount = money(rng.uniform(120, 380))
            out += txn(D(year, month, 14), rng.choice(["Luigi's", "Thai Garden", "Taqueria"]),
                       "Dinner out", ("Expenses:Food:Restaurants", amount),
                       ("Assets:Bank:Checking", -amount))
        if D(year, month, 17) <= LAST:
            amount = money(rng.uniform(300, 900))
            out += txn(D(year, month, 17), "Various", "Shopping, clothes, household",
                       ("Expenses:Shopping", amount), ("Assets:Bank:Checking", -amount))
        if month == 7:
            amount = money(rng.uniform(2500, 4500))
            out += txn(D(year, month, 20), "Alaska Airlines", "Summer holiday",
                       ("Expenses:Travel", amount), ("Assets:Bank:Checking", -amount))
        if month in (3, 6, 9, 12) and D(year, month, 24) <= LAST:
            pay_day = D(year, month, 24)
            for ticker, per_share in dividends.items():
                units = sum(n for since, n in held[ticker] if since <= pay_day)
                if units:
                    amount = money(per_share * units * (1 + Decimal(year - 2020) / 50))
                    out += txn(pay_day, "Vanguard", f"{ticker} dividend",
                               ("Assets:Bank:Checking", amount),
                               (f"Income:Dividends:{ticker}", -amount))
        if D(year, month, 25) <= LAST:
            dana = money(5000 * float(raise_factor))
            out += txn(D(year, month, 25), "Initech", "Salary Dana (net)",
                       ("Assets:Bank:Checking", dana), ("Income:Salary:Dana", -dana))
        if D(year, month, 28) <= LAST:
            chris = money(3700 * float(raise_factor))
            out += txn(D(year, month, 28), "Riverside Hospital", "Salary Chris (net)",
                       ("Assets:Bank:Checking", chris), ("Income:Salary:Chris", -chris))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return "\n".join(out)


def main() -> None:
    """Write both files next to this script."""
    (HERE / "prices.beancount").write_text(prices_file(), encoding="utf-8")
    (HERE / "budget.beancount").write_text(budget_file(), encoding="utf-8")


if __name__ == "__main__":
    main()
