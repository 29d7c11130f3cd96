"""From the optimiser's units to an exact, valid set of orders, and what they leave behind.

``realize`` takes the solver's units (already exact multiples of each quantum) and enforces
every rule again in exact Decimal arithmetic, whatever the floats did: never more than held,
lots chosen cheapest-first, nothing bought anywhere that is sold at a loss (nor a
substantially identical commodity), never a buy and a sell of one commodity in one account,
nothing below ``min-trade``, and no account spending cash it does not have (buys are cut,
or for a withdrawal sells raised, until it balances). ``settle`` then gives each category's
value, each account's cash and the total after the trades.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from fava_rebalance.planner.accounts import Household, SellOption
from fava_rebalance.planner.lots import LotFact, Piece, keep_lot_order, merge_pieces, sell_order, take_lots
from fava_rebalance.planner.optimize import Solution, SolveScope, floor_units

ZERO = Decimal(0)
MAX_ROUNDS = 50
Identical = Callable[[str], frozenset[str]]
Pieces = list[tuple[LotFact, Decimal]]


@dataclass(frozen=True)
class Draft:
    """Exact units per sell and buy option, and the lots each sell takes."""

    sells: Mapping[int, Decimal]
    buys: Mapping[int, Decimal]
    lots: Mapping[int, Pieces]


@dataclass(frozen=True)
class Settlement:
    """Category values, each trading account's cash, and the total after a draft."""

    values: Mapping[str, Decimal]
    cash: Mapping[str, Decimal]
    fees: Mapping[str, Decimal]
    total: Decimal
    moved: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # trading → cash acct → change


def _ceil_units(amount: Decimal, quantum: Decimal) -> int:
    return int((amount / quantum).to_integral_value(rounding=ROUND_CEILING))


class _Realizer:
    def __init__(self, household: Household, solution: Solution, scope: SolveScope,
                 identical_to: Identical) -> None:
        self.household = household
        self.scope = scope
        self.identical_to = identical_to
        self.losses = solution.losses
        self.solved = solution.lots
        self.sells: dict[int, Decimal] = {}
        self.lots: dict[int, Pieces] = {}
        for key, units in solution.sells.items():
            self.set_sell(key, units)
        self.buys = {k: u for k, u in solution.buys.items() if u > 0}

    def may_lose(self, option: SellOption) -> bool:
        return (not option.taxed or not self.household.regime.denies_losses
                or option.holding.commodity in self.losses)

    def order(self, option: SellOption) -> list[Piece]:
        """The pieces of a sell's lots in the order to take them: the solver's, then the cheapest first.

        A net position's shares go oldest first, whatever the solver's split (they all have
        the same basis: first in, first out decides which term each unit sold has); so do
        lots whose order the tax rules fix (uk, ca, de).
        """
        harvest = self.household.options.harvest if option.taxed else False
        if option.in_order:
            return sell_order(option.lots, harvest=harvest, losses=self.may_lose(option), fifo=True)
        solved = [piece for piece, _ in self.solved.get(option.key, ())]
        seen = {(id(p.fact), p.washed) for p in solved}
        found = keep_lot_order([*solved, *(p for p in sell_order(option.lots, harvest=harvest)
                                           if (id(p.fact), p.washed) not in seen)])
        if self.may_lose(option):
            return found
        return [p for p in found if not p.fact.is_loss]

    def set_sell(self, key: int, units: Decimal) -> None:
        option = self.household.sells[key]
        units = min(units, option.quantum * floor_units(option.max_units, option.quantum))
        solved = self.solved.get(key, ()) if not option.in_order else ()
        if solved and sum((u for _, u in solved), ZERO) == units and (
                self.may_lose(option) or not any(p.fact.is_loss for p, _ in solved)):
            self.sells[key], self.lots[key] = units, merge_pieces(solved)  # exactly the solver's lots
            return
        order = self.order(option)
        pieces, left = take_lots(order, units)
        if left > 0:  # not enough lots without a loss: sell what may be sold, in quanta
            units = option.quantum * floor_units(units - left, option.quantum)
            pieces, _ = take_lots(order, units)
        if units > 0:
            self.sells[key], self.lots[key] = units, pieces
        else:
            self.sells.pop(key, None)
            self.lots.pop(key, None)

    def sold_at_loss(self) -> set[str]:
        if not self.household.regime.denies_losses:
            return set()
        return {self.household.sells[k].holding.commodity for k, pieces in self.lots.items()
                if self.household.sells[k].taxed and any(f.is_loss for f, _ in pieces)}

    def drop_conflicts(self) -> None:
        """No buy of what is sold at a loss (us, ca), of what a taxable account sells (uk), nor here."""
        regime = self.household.regime
        banned: set[str] = set()
        for commodity in self.sold_at_loss():
            banned |= self.identical_to(commodity)
        sells = self.household.sells
        rematched = ({sells[k].holding.commodity for k in self.sells if sells[k].taxed}
                     if regime.rematches else set())
        sold_here = {(self.household.sells[k].trading_account, self.household.sells[k].holding.commodity)
                     for k in self.sells}
        for key in list(self.buys):
            b = self.household.buys[key]
            if (b.commodity in banned or (b.trading_account, b.commodity) in sold_here
                    or (b.commodity in rematched
                        and regime.taxed(self.household.account(b.trading_account).status))):
                del self.buys[key]

    def drop_small(self) -> bool:
        floor = self.household.options.min_trade
        changed = False
        for key in list(self.sells):
            if self.sells[key] * self.household.sells[key].price < floor:
                self.set_sell(key, ZERO)
                changed = True
        for key in list(self.buys):
            if self.buys[key] * self.household.buys[key].price < floor:
                del self.buys[key]
                changed = True
        return changed

    def available(self, account: str) -> Decimal:
        pots = sum((p.amount for p in self.household.pots if p.trading_account == account
                    and p.spendable and p.key in self.scope.draws), ZERO)
        return pots + self.scope.flows.get(account, ZERO)

    def balance(self, account: str) -> Decimal:
        fee = self.household.options.trade_cost
        money = self.available(account)
        for key, units in self.sells.items():
            if self.household.sells[key].trading_account == account:
                money += units * self.household.sells[key].price - fee
        for key, units in self.buys.items():
            if self.household.buys[key].trading_account == account:
                money -= units * self.household.buys[key].price + fee
        return money

    def fix_cash(self, account: str) -> bool:
        """Cut buys (then raise sells) until ``account`` spends no more than it has."""
        deficit = -self.balance(account)
        if deficit <= 0:
            return True
        def cut_value(k: int) -> tuple[Decimal, Decimal, int]:  # the smallest cut that covers it
            unit = self.household.buys[k].price * self.household.buys[k].quantum
            cut = min(_ceil_units(deficit, unit) * unit, self.buys[k] * self.household.buys[k].price)
            return (cut, -self.buys[k] * self.household.buys[k].price, k)

        buys = sorted((k for k in self.buys if self.household.buys[k].trading_account == account),
                      key=cut_value)
        if buys:
            key = buys[0]
            option = self.household.buys[key]
            cut = min(_ceil_units(deficit, option.price * option.quantum) * option.quantum, self.buys[key])
            rest = self.buys[key] - cut
            if rest > 0 and rest * option.price >= self.household.options.min_trade:
                self.buys[key] = rest
            else:
                del self.buys[key]
            return False
        for s in sorted((s for s in self.household.sells if s.trading_account == account
                         and s.key in self.scope.sells), key=lambda s: (s.key not in self.sells, s.key)):
            held = s.quantum * floor_units(s.max_units, s.quantum)
            now = self.sells.get(s.key, ZERO)
            if now >= held:
                continue
            fee = ZERO if s.key in self.sells else self.household.options.trade_cost
            more = _ceil_units(deficit + fee, s.price * s.quantum) * s.quantum
            self.set_sell(s.key, min(held, now + more))
            if self.sells.get(s.key, ZERO) > now:
                return False
        return True

    def run(self) -> Draft | str:
        for _ in range(MAX_ROUNDS):
            self.drop_conflicts()
            changed = self.drop_small()
            accounts = sorted({*(self.household.sells[k].trading_account for k in self.sells),
                               *(self.household.buys[k].trading_account for k in self.buys),
                               *self.scope.flows})
            for account in accounts:
                if not self.fix_cash(account):
                    changed = True
            if not changed:
                short = [a for a in accounts if self.balance(a) < 0]
                if short:
                    return (f"{short[0]} cannot raise the money asked: it would be "
                            f"{-self.balance(short[0]):f} short")
                return Draft(dict(self.sells), dict(self.buys), dict(self.lots))
        return "the orders could not be balanced"


def realize(
    household: Household,
    solution: Solution,
    scope: SolveScope,
    identical_to: Identical,
) -> Draft | str:
    """Exact, valid orders from a solution (or why the accounts cannot be balanced)."""
    return _Realizer(household, solution, scope, identical_to).run()


def settle(household: Household, draft: Draft, scope: SolveScope, draws: Mapping[int, float]) -> Settlement:
    """Values per category, cash per trading account and the total once ``draft`` is done."""
    values = {c.name: c.value for c in household.categories}
    fee = household.options.trade_cost
    delta = {name: scope.flows.get(name, ZERO) for name in household.accounts}
    fees = dict.fromkeys(household.accounts, ZERO)
    for key, units in draft.sells.items():
        s = household.sells[key]
        for name, share in s.fractions.items():
            values[name] -= units * s.price * share
        delta[s.trading_account] += units * s.price - fee
        fees[s.trading_account] += fee
    for key, units in draft.buys.items():
        b = household.buys[key]
        values[b.category] += units * b.price
        delta[b.trading_account] -= units * b.price + fee
        fees[b.trading_account] += fee
    cash = {}
    moved: dict[str, dict[str, Decimal]] = {}
    for name, account in household.accounts.items():
        change = delta[name]
        cash[name] = account.cash + change
        mine = moved[name] = {}
        if change >= 0:
            if change > 0:
                mine[account.sink] = change
            for cat, share in account.sink_fractions.items():
                values[cat] += change * share
            continue
        need = -change
        pots = sorted((p for p in household.pots if p.trading_account == name and p.spendable
                       and p.key in scope.draws), key=lambda p: (-draws.get(p.key, 0.0), -p.amount, p.key))
        for pot in pots:
            taken = min(need, pot.amount)
            for cat, share in pot.fractions.items():
                values[cat] -= taken * share
            if taken > 0:
                mine[pot.account] = mine.get(pot.account, ZERO) - taken
            need -= taken
            if need <= 0:
                break
    total = household.total + sum(scope.flows.values(), ZERO) - sum(fees.values(), ZERO)
    return Settlement(values, cash, fees, total, moved)
