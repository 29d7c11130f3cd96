"""The range of report dates and cash amounts fava_rebalance works with, and why.

Python's dates end at the years 1 and 9999, and the report looks around its date: 30 days
back for recent purchases (wash sales) and stale prices, 31 days ahead for the "do not buy
it back" warning, one day ahead for Fava's time filter. A report date from
``FIRST_DATE`` to ``LAST_DATE`` keeps all of that well inside; no portfolio needs more.

A cash amount is turned into a binary floating-point number for the optimiser, which holds
15 to 17 significant digits and no number beyond about 1e308: ``MAX_CASH`` (10^15, a
thousand trillion, in any currency) keeps cents meaningful and every figure finite.

Each check returns the message to show, or ``None`` when the value is in range. The command
line exits with status 2 on one, the Fava tab shows it (a download answers 400).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(9998, 12, 31)
MAX_CASH = Decimal(10) ** 15


def date_problem(date: datetime.date) -> str | None:
    """Why ``date`` cannot be a report date, or ``None`` when it can."""
    if FIRST_DATE <= date <= LAST_DATE:
        return None
    return (f"the report date {date.isoformat()} is outside the supported dates, "
            f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")


def cash_problem(amount: Decimal) -> str | None:
    """Why ``amount`` cannot be deposited or withdrawn, or ``None`` when it can."""
    if amount.is_finite() and abs(amount) < MAX_CASH:
        return None
    return (f"the cash amount {amount} is beyond the planner's range: a deposit or a withdrawal "
            f"must be less than {MAX_CASH:,f}")
