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

from fava_rebalance.planner import CashFlow, PlanError, parse_cash

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
    """The cash flow the request asks for (``args``: the query parameters).

    The text is read by the planner's ``parse_cash``, as ``bean-rebalance --cash`` reads it,
    with the chosen account when the text names none; its message becomes a sentence.
    """
    text = (args.get(CASH) or "").strip()
    chosen = (args.get(CASH_ACCOUNT) or "").strip()
    if not text:
        return CashInput(text, chosen, None)
    flow = parse_cash(text, chosen)
    if isinstance(flow, PlanError):
        return CashInput(text, chosen, None, f"{flow.message[0].upper()}{flow.message[1:]}.")
    return CashInput(text, chosen, flow)
