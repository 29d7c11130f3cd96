"""The Rebalance tab's cash field: the ``cash`` and ``cash_account`` query parameters read.

``cash`` is money added (``5000``) or taken out (``-2500``) in the reporting currency, as
``bean-rebalance --cash`` takes it (``,`` and ``_`` group digits; ``5000@Assets:Broker``
names the account). ``cash_account`` is the account chosen in the form's list; one typed
after ``@`` wins. Both empty: no cash flow. The form is a GET form, so it works with
``fava --read-only`` and its URL can be bookmarked; the download links carry the same two
parameters (``query``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from beancount.core import account as bc_account

from fava_rebalance.core.limits import cash_problem
from fava_rebalance.planner import CashFlow
from fava_rebalance.planner.cashflow import read_amount

CASH = "cash"
CASH_ACCOUNT = "cash_account"


@dataclass(frozen=True)
class CashInput:
    """What the form sent (``text``, ``account``, as typed) and what it means.

    ``flow`` is ``None`` for no cash flow or when the input cannot be read; then
    ``problem`` says why, in words for the page.
    """

    text: str
    account: str
    flow: CashFlow | None
    problem: str | None = None

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """The parameters to carry to a download link (only those given)."""
        return tuple((name, value) for name, value in ((CASH, self.text), (CASH_ACCOUNT, self.account))
                     if value)


def read_cash(args: Mapping[str, str]) -> CashInput:
    """The cash flow the request asks for (``args``: the query parameters)."""
    text = (args.get(CASH) or "").strip()
    chosen = (args.get(CASH_ACCOUNT) or "").strip()
    if not text:
        return CashInput(text, chosen, None)
    amount_text, _, typed = text.partition("@")
    amount = read_amount(amount_text)
    if amount is None or not amount.is_finite():
        return CashInput(text, chosen, None,
                         f"The cash amount {amount_text.strip()!r} is not a number. Enter an amount such as "
                         "5000 to add money, or -2500 to take it out.")
    problem = cash_problem(amount)
    if problem is not None:
        return CashInput(text, chosen, None, f"{problem[0].upper()}{problem[1:]}.")
    account = typed.strip() or chosen
    if account and not bc_account.is_valid(account):
        return CashInput(text, chosen, None, f"{account!r} is not a Beancount account name.")
    return CashInput(text, chosen, CashFlow(amount, account or None))
