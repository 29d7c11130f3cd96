"""The wash-sale and band rules against slow, obviously correct references (hypothesis).

Random small households: one taxable trading account in the portfolio and an IRA outside it
(``rebalance: FALSE``) that buys in the wash-sale window; a few funds in two classes, some
substantially identical; lots at gains and losses, short and long; losses the ledger sold
last week; no cash flow or a withdrawal. The references below share no code with the planner:

- **wash sales, share by share**: every loss share the plan sells and every replacement share
  bought in the window is listed one by one; replacement shares, earliest first, are matched
  with the loss shares in the order of their acquisition (the larger loss first on one day),
  skipping the shares of the lot's own purchase and the purchase's shares the plan sells
  (Pub. 550; Treas. Reg. §1.1091-1; Rev. Rul. 56-602). The plan's disallowed loss must be
  the sum. The ledger's own losses of last week likewise, first against the ledger's
  purchases within 30 days of them, then against the plan's buys.
- **bands, by brute force** (households whose lots are all at a gain, so that no wash-sale
  rule narrows the choice): every whole-unit set of orders in the account the plan's mode
  may use is tried; if any keeps every category that was inside its band inside it, the
  plan must too.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from planner_support import load

from fava_rebalance.core.pipeline import analyse
from fava_rebalance.planner import CashFlow, Plan, plan

AS_OF = datetime.date(2026, 11, 20)
ACCOUNT = "Assets:Taxable"
DATES = {"old": datetime.date(2022, 3, 1), "short": datetime.date(2026, 3, 2),
         "recent": datetime.date(2026, 11, 10)}
FUNDS = {"AAA": "Stocks", "BBB": "Stocks", "XXX": "Bonds", "YYY": "Bonds", "MMF": "Cash", "GLD": "Gold"}
D = Decimal


@dataclass(frozen=True)
class Lot:
    commodity: str
    units: int
    cost: int
    date: datetime.date


@dataclass(frozen=True)
class Buy:
    account: str
    commodity: str
    units: int
    cost: int
    date: datetime.date


@dataclass(frozen=True)
class PastSale:
    commodity: str
    units: int
    cost: int
    acquired: datetime.date
    price: int


@dataclass(frozen=True)
class House:
    text: str
    prices: dict[str, int]
    lots: tuple[Lot, ...]
    purchases: tuple[Buy, ...]
    sales: tuple[PastSale, ...]
    twins: frozenset[str]
    cash: int
    withdrawal: int
    targets: dict[str, int]
    band: int


def group(house: House, commodity: str) -> frozenset[str]:
    return house.twins if commodity in house.twins else frozenset({commodity})


@st.composite
def houses(draw: st.DrawFn, gains_only: bool = False) -> House:
    prices = {name: draw(st.integers(5, 40)) for name in FUNDS}
    prices["MMF"] = 1  # a money-market fund: a unit is a dollar, never a gain
    twins = frozenset({"AAA", "BBB"}) if draw(st.booleans()) else frozenset()
    lots: list[Lot] = []
    for name in FUNDS:
        # Gold has no target: held, it keeps the targets from being met all at once, which is
        # when a plan is tempted to push a category out of its band.
        fewest = 1 if gains_only and name == "GLD" else 0
        for _ in range(draw(st.integers(fewest, 2))):
            if name == "MMF":
                lots.append(Lot(name, draw(st.integers(10, 150)), 1, DATES["old"]))
                continue
            cost = draw(st.integers(1, prices[name])) if gains_only else draw(st.integers(1, 60))
            lots.append(Lot(name, draw(st.integers(1, 8 if gains_only else 6)), cost,
                            DATES[draw(st.sampled_from(sorted(DATES)))]))
    purchases: list[Buy] = []
    sales: list[PastSale] = []
    if not gains_only:
        for _ in range(draw(st.integers(0, 2))):
            name = draw(st.sampled_from(sorted(set(FUNDS) - {"MMF"})))
            day = draw(st.sampled_from([datetime.date(2026, 11, 5), datetime.date(2026, 12, 1),
                                        datetime.date(2026, 10, 1)]))  # the last is outside
            purchases.append(Buy("Assets:IRA", name, draw(st.integers(1, 4)), prices[name], day))
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(set(FUNDS) - {"MMF"})))
            sales.append(PastSale(name, draw(st.integers(1, 4)), prices[name] + draw(st.integers(1, 9)),
                                  datetime.date(2025, 1, 10), prices[name]))
    stocks = draw(st.integers(0, 100))
    bonds = draw(st.integers(0, 100 - stocks))
    targets = {"Stocks": stocks, "Bonds": bonds, "Cash": 100 - stocks - bonds}
    band = draw(st.sampled_from([3, 10] if gains_only else [0, 3, 10]))
    cash = draw(st.sampled_from([0, 40, 300]))
    withdrawal = draw(st.sampled_from([0, 0, 30, 120]))
    lines = ['option "operating_currency" "USD"', "2020-01-01 open Equity:Opening",
             "2020-01-01 open Income:Gains", f"2020-01-01 open {ACCOUNT}", '  tax-status: "taxable"',
             "2020-01-01 open Assets:IRA", '  tax-status: "ira"', "  rebalance: FALSE"]
    for name, category in FUNDS.items():
        lines += [f"2020-01-01 commodity {name}", f'  asset-class: "{category}"']
        if name in twins:
            lines.append('  substantially-identical: "AAA, BBB"')
    lines += [f'2024-01-01 custom "rebalance-target" "{c}" {t}' for c, t in targets.items()]
    lines.append(f'2024-01-01 custom "rebalance-option" "band" {band}')
    entries: list[tuple[datetime.date, list[str]]] = []
    if cash:
        entries.append((datetime.date(2021, 1, 4), ['* "cash"', f"  {ACCOUNT}  {cash} USD",
                                                    "  Equity:Opening"]))
    for lot in lots:
        entries.append((lot.date, ['* "buy"', f"  {ACCOUNT}  {lot.units} {lot.commodity} {{{lot.cost} USD}}",
                                   "  Equity:Opening"]))
    for sale in sales:
        bought = f"  {ACCOUNT}  {sale.units} {sale.commodity} {{{sale.cost} USD}}"
        entries.append((sale.acquired, ['* "buy"', bought, "  Equity:Opening"]))
        entries.append((datetime.date(2026, 11, 9), [
            '* "sold at a loss"',
            f"  {ACCOUNT}  -{sale.units} {sale.commodity} {{{sale.cost} USD, {sale.acquired}}} "
            f"@ {sale.price} USD",
            f"  {ACCOUNT}  {sale.units * sale.price} USD", "  Income:Gains"]))
    for buy in purchases:
        bought = f"  {buy.account}  {buy.units} {buy.commodity} {{{buy.cost} USD}}"
        entries.append((buy.date, ['* "IRA buy"', bought, "  Equity:Opening"]))
    for day, body in sorted(entries, key=lambda item: item[0]):
        lines.append(f"{day} {body[0]}")
        lines += body[1:]
    lines += [f"2026-11-19 price {name} {price} USD" for name, price in prices.items()]
    return House("\n".join(lines) + "\n", prices, tuple(lots), tuple(purchases), tuple(sales), twins, cash,
                 withdrawal, targets, band)


def plan_of(house: House) -> Plan:
    ledger = load(house.text)
    report = analyse(ledger, AS_OF)
    flow = CashFlow(D(-house.withdrawal), ACCOUNT) if house.withdrawal else None
    return plan(report, ledger.declarations, flow)


# --- wash sales, share by share --------------------------------------------------------------

def in_window(day: datetime.date, around: datetime.date) -> bool:
    return abs((day - around).days) <= 30


def reference_disallowed(house: House, result: Plan) -> Decimal:
    """The plan's disallowed losses, matching shares one by one."""
    sold: dict[tuple[str, int, datetime.date], int] = {}  # (commodity, cost, date) → units the plan sells
    losses: list[tuple[datetime.date, Decimal, str, int]] = []  # one per loss share
    for t in result.trades:
        if t.action != "sell" or t.tax_status != "taxable":
            continue
        for lot in t.lots:
            assert lot.cost is not None
            assert lot.date is not None
            units = int(lot.units)
            key = (t.commodity, int(lot.cost), lot.date)
            sold[key] = sold.get(key, 0) + units
            per_share = lot.gain / lot.units
            if per_share < 0:
                losses += [(lot.date, per_share, t.commodity, int(lot.cost))] * units
    # Replacement shares: the IRA's purchases in the window, and the taxable lots bought in it.
    shares: list[tuple[datetime.date, str, str, int]] = []  # (date, account, commodity, cost)
    for buy in house.purchases:
        if in_window(buy.date, AS_OF):
            shares += [(buy.date, buy.account, buy.commodity, buy.cost)] * buy.units
    taken: dict[tuple[str, int, datetime.date], int] = {}
    for lot in house.lots:
        if in_window(lot.date, AS_OF):
            key = (lot.commodity, lot.cost, lot.date)
            # The shares the plan sells of this very purchase replace nothing.
            gone = min(lot.units, sold.get(key, 0) - taken.get(key, 0))
            taken[key] = taken.get(key, 0) + max(gone, 0)
            shares += [(lot.date, ACCOUNT, lot.commodity, lot.cost)] * (lot.units - max(gone, 0))
    shares.sort(key=lambda s: s[0])
    used = [False] * len(shares)
    disallowed = D(0)
    for acquired, per_share, commodity, cost in sorted(losses, key=lambda x: (x[0], x[1])):
        for i, (day, account, bought, bought_cost) in enumerate(shares):
            own = account == ACCOUNT and bought == commodity and bought_cost == cost and day == acquired
            if used[i] or own or bought not in group(house, commodity):
                continue
            used[i] = True
            disallowed -= per_share
            break
    return disallowed


def reference_rebought(house: House, result: Plan) -> Decimal:
    """Last week's losses that the plan's buys wash, share by share."""
    losses = sorted(((sale.acquired, D(sale.price - sale.cost), sale.commodity, sale.cost)
                     for sale in house.sales for _ in range(sale.units)), key=lambda x: (x[0], x[1]))
    sale_day = datetime.date(2026, 11, 9)
    ledger_shares = sorted((buy.date, buy.commodity) for buy in house.purchases
                           if in_window(buy.date, sale_day) for _ in range(buy.units))
    lot_shares = sorted((lot.date, lot.commodity) for lot in house.lots if in_window(lot.date, sale_day)
                        for _ in range(lot.units))
    open_losses = []
    used = [False] * (len(ledger_shares) + len(lot_shares))
    every = ledger_shares + lot_shares
    order = sorted(range(len(every)), key=lambda i: every[i][0])
    for loss in losses:
        for i in order:
            if not used[i] and every[i][1] in group(house, loss[2]):
                used[i] = True
                break
        else:
            open_losses.append(loss)
    rebought = D(0)
    left = list(open_losses)
    for t in result.trades:
        if t.action != "buy":
            continue
        for _ in range(int(t.units)):
            match = next((x for x in left if x[2] in group(house, t.commodity)), None)
            if match is None:
                break
            left.remove(match)
            rebought -= match[1]
    return rebought


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(houses())
def test_wash_sales_match_share_by_share(house: House) -> None:
    result = plan_of(house)
    if result.errors:
        event("cash flow refused")
        return
    if result.tax.disallowed_loss:
        event("a planned loss washed")
    if result.tax.rebought_loss:
        event("last week's loss washed by a buy")
    assert result.tax.disallowed_loss == reference_disallowed(house, result)
    assert result.tax.rebought_loss == reference_rebought(house, result)


# --- bands, by brute force ----------------------------------------------------------------------

def inside(value: Decimal, target: int, band: int, total: Decimal) -> bool:
    return abs(value * 100 - target * total) <= band * total


# About 3% of these households tempted the planner before bands were held exactly (found by
# running 400 of them on the earlier code): 150 examples catch such a planner nearly always.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(houses(gains_only=True))
def test_no_plan_pushes_a_category_out_of_its_band_when_one_could_avoid_it(house: House) -> None:
    result = plan_of(house)
    if result.errors or not result.after:
        return
    held = {name: sum(lot.units for lot in house.lots if lot.commodity == name) for name in FUNDS}
    values = {c: D(sum(held[n] * house.prices[n] for n in FUNDS if FUNDS[n] == c)) for c in house.targets}
    total_after = D(sum(held[n] * house.prices[n] for n in FUNDS) + house.cash - house.withdrawal)
    kept = [c for c in house.targets if inside(values[c], house.targets[c], house.band, total_after)]
    tolerance = D("0.02")
    pushed = [r.category for r in result.after if r.category in kept
              and abs(r.value * 100 - r.target * total_after) > r.band * total_after + tolerance * 100]
    event(f"mode {result.mode}, {'pushed out' if pushed else 'bands kept'}")
    if not pushed:
        return
    # Brute force over the orders the plan's mode may place: could every kept band hold?
    # Each category's possible net changes (whole units of each fund, bought or sold, buys
    # only where the mode allows them); a set of orders is possible when the money it
    # needs is at most the cash less the withdrawal.
    budget = house.cash + sum(held[n] * house.prices[n] for n in FUNDS if FUNDS[n] in house.targets)
    needed: dict[str, int | None] = {}
    for category in house.targets:  # Gold has no target: the planner never trades it
        funds = [n for n in FUNDS if FUNDS[n] == category]
        ranges = [range(-held[n], (budget // house.prices[n] if result.mode != "withdrawal" else 0) + 1)
                  for n in funds]
        changes = {sum(d * house.prices[n] for d, n in zip(deltas, funds, strict=True))
                   for deltas in itertools.product(*ranges)}
        fits = [x for x in changes if category not in kept
                or inside(values[category] + x, house.targets[category], house.band, total_after)]
        needed[category] = min(fits) if fits else None
    cheapest = list(needed.values())
    if all(x is not None for x in cheapest) and sum(x for x in cheapest if x is not None) <= (
            house.cash - house.withdrawal):
        raise AssertionError(f"{pushed} left their band, though orders changing the categories by "
                             f"{needed} keep every band: {result.after}")
