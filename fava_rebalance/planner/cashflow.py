"""A deposit or withdrawal: ``AMOUNT[@ACCOUNT]`` read, and its trading account found.

``parse_cash`` reads the text the command line's ``--cash`` and the tab's cash field take,
the one parser of both; its messages speak of the amount and the account, never of a flag.
The amount is in the reporting currency, positive to add money, negative to take it out.
Without an account the money goes to (or comes from) the taxable trading account with the
most cash (any trading account when none is taxable). A named account is taken as the
trading account it belongs to; an account the portfolio does not hold yet may be named if
the ledger opens it. ``cash_accounts`` lists the accounts a form may offer, with the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from beancount.core import account as bc_account

from fava_rebalance.core.declarations import Declarations, Settings
from fava_rebalance.core.limits import cash_problem
from fava_rebalance.core.pipeline import Report
from fava_rebalance.core.recent import Purchase
from fava_rebalance.planner.accounts import Category, Household, TradingAccount, build_household
from fava_rebalance.planner.model import TAXABLE, CashAccount, CashAccounts, CashFlow, PlanError
from fava_rebalance.planner.regime import Regime

DEFAULT_ACCOUNT_RULE = (
    "Without an account named, the money goes to (or comes from) the default account: of the "
    "trading accounts in which something can be bought, the taxable one with the most cash (the "
    "reporting currency held in the account itself; a money-market fund is a holding, not cash); "
    "on a tie, often no cash anywhere, the one holding the most; with no taxable account, any "
    "trading account by the same rule."
)
"""``default_account``'s rule in words: the README, ``--help`` and the tab's form say exactly this."""


def _amount(text: str) -> Decimal | None:
    """The number in ``text`` (``,`` and ``_`` group digits), or ``None`` if it is not one."""
    try:
        amount = Decimal(text.strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_cash(text: str, account: str = "") -> CashFlow | PlanError:
    """``5000``, ``-2500.50`` or ``5000@Assets:Broker`` (``,`` and ``_`` group digits).

    ``account`` is the account to use when ``text`` names none (the tab's list); one typed
    after ``@`` wins. Amounts outside the planner's range (``limits.cash_problem``) and names
    that are not Beancount account names are refused.
    """
    amount_text, at, typed = text.partition("@")
    amount = _amount(amount_text)
    if amount is None:
        return PlanError(f"the cash amount {amount_text.strip()!r} is not a number. Enter an amount such "
                         "as 5000 to add money, or -2500 to take it out")
    problem = cash_problem(amount)
    if problem is not None:
        return PlanError(problem)
    if at and not typed.strip():
        return PlanError(f"{text.strip()!r} names no account after '@': name one, or leave out the '@'")
    name = typed.strip() or account.strip()
    if name and not bc_account.is_valid(name):
        return PlanError(f"{name!r} is not a Beancount account name")
    return CashFlow(amount, name or None)


def resolve_account(
    name: str, known: Iterable[str], declarations: Declarations, settings: Settings
) -> str | PlanError:
    """The trading account of the account named for the cash, or why it cannot take the money."""
    known = set(known)
    if name in known:
        return name
    trading = declarations.trading_account(name)
    if trading in known:
        return trading
    if name in declarations.opens and settings.in_portfolio(name):
        return name
    return PlanError(f"{name} is not an account of the portfolio, so it cannot take the cash")


def default_account(accounts: Mapping[str, TradingAccount], can_buy: Iterable[str] = ()) -> str | None:
    """The taxable trading account with the most cash (any account when none is taxable).

    Ties (often: no cash anywhere) go to the account holding the most. Accounts in which
    something may be bought (``can_buy``) come first: a deposit into a bank account that
    can buy nothing would only sit there. ``DEFAULT_ACCOUNT_RULE`` says this in words.
    """
    if not accounts:
        return None
    buying = set(can_buy)
    pool = [a for a in accounts.values() if a.name in buying] or list(accounts.values())
    taxable = [a for a in pool if a.status == TAXABLE] or pool
    return max(taxable, key=lambda a: (a.cash, a.value, a.name)).name


def declared_accounts(declarations: Declarations, settings: Settings) -> tuple[str, ...]:
    """Portfolio accounts whose ``open`` declares a tax status (trading accounts by definition)."""
    return tuple(sorted(name for name in declarations.tax_status if settings.in_portfolio(name)))


def known_accounts(report: Report, declarations: Declarations) -> list[str]:
    """The trading accounts of the holdings in ``report``, A–Z."""
    return sorted({declarations.trading_account(h.account) for h in report.holdings})


def household_of(report: Report, declarations: Declarations, extra: Sequence[str] = (),
                 purchases: Sequence[Purchase] = (), regime: Regime | None = None) -> Household:
    """The household of ``report``'s portfolio, with the trading accounts ``extra`` added.

    Built once per request: a plan and the cash form's accounts (``accounts_for_cash``) share
    it. Commodities not held are priced from the report; ``purchases`` (the wash-sale window,
    for the plan) mark which loss lots recent purchases cover; ``regime`` (the plan's tax
    rules, ``tax_rules.regime_of``) prices each taxable holding's units.
    """
    categories = tuple(Category(r.category, r.value, r.target, r.band) for r in report.allocation.targeted)
    return build_household(report.holdings, declarations, report.settings, categories, report.total,
                           report.price_of, tuple(extra), purchases, regime)


def accounts_for_cash(household: Household, report: Report, declarations: Declarations) -> CashAccounts:
    """The trading accounts cash may use, and the default, from the household a plan uses.

    The default is the one ``plan`` chooses for a cash flow without an account; the list
    adds the accounts that declare a tax status but hold nothing yet.
    """
    buying = {b.trading_account for b in household.buys}
    found = {name: CashAccount(name, a.status, a.cash) for name, a in household.accounts.items()}
    for name in declared_accounts(declarations, report.settings):
        found.setdefault(name, CashAccount(name, declarations.tax_status_of(name), Decimal(0)))
    default = default_account(household.accounts, buying) if report.allocation.targeted else None
    return CashAccounts(tuple(found[name] for name in sorted(found)), default)


def cash_accounts(report: Report, declarations: Declarations) -> CashAccounts:
    """The accounts cash may use when no plan is asked for (the cash form alone).

    Its household is the one ``plan_request`` builds without a cash account named (and
    without the wash-sale window, which the list does not need).
    """
    known = known_accounts(report, declarations)
    extra = () if known else declared_accounts(declarations, report.settings)
    return accounts_for_cash(household_of(report, declarations, extra), report, declarations)
