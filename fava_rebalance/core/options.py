"""The ``rebalance-option`` settings: names, defaults and value checks.

``custom "rebalance-option" NAME VALUE`` is dated; the latest on or before the report date
wins. Each option's value is checked here so the plugin and the report agree on what is valid,
and each default is written here only, on ``Options``' fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import account as bc_account

from fava_rebalance.core.account_pattern import AccountPattern, PatternError, compile_accounts
from fava_rebalance.core.periods import PeriodError, ReviewPeriod, parse_review

DEFAULT_CURRENCY = "USD"  # a ledger without an operating_currency option
ASSETS = compile_accounts("^Assets:")


# The tax rules that price a sale (SPEC §7), and each regime's defaults where the ledger sets
# none: ``tax-rate`` (one rate, a fraction) and ``allowance`` (a yearly amount of tax-free
# gains, in the regime's own currency: GBP, EUR). UK: the higher rate on gains since
# 30 October 2024 and the annual exempt amount since 6 April 2024; Canada: a middle-income
# combined federal and provincial marginal rate, rounded; Germany: Abgeltungsteuer 25%
# plus the 5.5% solidarity surcharge on it (no church tax) and the Sparer-Pauschbetrag of a
# single person. Each is a default to replace with one's own (docs/PLANNER.md).
TAX_RULES = ("us", "uk", "ca", "de", "none")
DEFAULT_TAX_RATES = {"uk": Decimal("0.24"), "ca": Decimal("0.30"), "de": Decimal("0.26375")}
DEFAULT_ALLOWANCES = {"uk": Decimal(3000), "de": Decimal(1000)}
ALLOWANCE_CURRENCIES = {"uk": "GBP", "de": "EUR"}


class OptionError(ValueError):
    """A bad option value; the message names the option and the value."""


def _number(name: str, low: Decimal, high: Decimal | None) -> Callable[[Any], Any]:
    def check(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise OptionError(f"option {name!r} needs a number, not {value!r}")
        number = Decimal(value)
        if number < low or (high is not None and number > high):
            upper = f" and at most {high}" if high is not None else ""
            raise OptionError(f"option {name!r} must be at least {low}{upper}, not {number}")
        return number

    return check


def _boolean(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        raise OptionError(f"option {name!r} needs TRUE or FALSE, not {value!r}")

    return check


def _regex(value: Any) -> AccountPattern:
    """The ``accounts`` pattern: Python's syntax, matched in linear time (``account_pattern``)."""
    if not isinstance(value, str):
        raise OptionError(f"option 'accounts' needs a regular expression in quotes, not {value!r}")
    try:
        re.compile(value)  # compiling never hangs; a typo gets Python's own message
    except re.error as exc:
        raise OptionError(f"option 'accounts' is not a valid regular expression {value!r}: {exc}") from exc
    try:
        return compile_accounts(value)
    except PatternError as exc:
        raise OptionError(f"option 'accounts': the regular expression {value!r} is refused: {exc}") from exc


def _choice(name: str, choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> str:
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in choices:
            raise OptionError(f"option {name!r} must be one of {', '.join(choices)}, not {value!r}")
        return text

    return check


def _currency(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]?", value.strip()):
        raise OptionError(f"option 'currency' needs a currency such as \"USD\", not {value!r}")
    return value.strip()


def _review(value: Any) -> ReviewPeriod:
    try:
        return parse_review(value)
    except PeriodError as exc:
        raise OptionError(str(exc)) from exc


def _account(name: str) -> Callable[[Any], Any]:
    """An account the plan's ledger entries post to (``gains-account``, ...)."""
    def check(value: Any) -> str:
        if not isinstance(value, str) or not bc_account.is_valid(value.strip()):
            raise OptionError(f"option {name!r} needs an account name in quotes, such as "
                              f"\"Income:Capital-Gains\", not {value!r}")
        return value.strip()

    return check


PARSERS: dict[str, Callable[[Any], Any]] = {
    "accounts": _regex,
    "currency": _currency,
    "band": _number("band", Decimal(0), Decimal(100)),
    "relative-band": _number("relative-band", Decimal(0), None),
    "min-trade": _number("min-trade", Decimal(0), None),
    "short-term-rate": _number("short-term-rate", Decimal(0), Decimal(1)),
    "long-term-rate": _number("long-term-rate", Decimal(0), Decimal(1)),
    "trade-cost": _number("trade-cost", Decimal(0), None),
    "max-drift-error": _boolean("max-drift-error"),
    "harvest": _boolean("harvest"),
    "time-budget": _number("time-budget", Decimal("0.1"), Decimal(3600)),
    "glide": _boolean("glide"),
    "tax-rules": _choice("tax-rules", TAX_RULES),
    "tax-rate": _number("tax-rate", Decimal(0), Decimal(1)),
    "allowance": _number("allowance", Decimal(0), None),
    "inclusion": _number("inclusion", Decimal(0), Decimal(1)),
    "review": _review,
    "overdue-error": _boolean("overdue-error"),
    "gains-account": _account("gains-account"),
    "cash-flow-account": _account("cash-flow-account"),
    "trade-cost-account": _account("trade-cost-account"),
}


def parse_option(name: Any, value: Any) -> Any:
    """Check one option and return its parsed value, or raise ``OptionError``."""
    if not isinstance(name, str) or name not in PARSERS:
        known = ", ".join(sorted(PARSERS))
        raise OptionError(f"unknown rebalance-option {name!r}; known options: {known}")
    return PARSERS[name](value)


@dataclass(frozen=True)
class Options:
    """The options in force on one date; each field's default is the option's (README table).

    ``currency`` defaults to the ledger's first operating currency (``in_force``).
    """

    accounts: AccountPattern = ASSETS
    currency: str = DEFAULT_CURRENCY
    band: Decimal | None = None
    relative_band: Decimal | None = None
    min_trade: Decimal = Decimal(1)
    short_term_rate: Decimal = Decimal("0.24")
    long_term_rate: Decimal = Decimal("0.15")
    trade_cost: Decimal = Decimal(0)
    max_drift_error: bool = False
    harvest: bool = True
    time_budget: Decimal = Decimal(10)  # seconds for one whole plan (``planner.budget``)
    glide: bool = False  # targets move day by day between their dates (``targets``)
    tax_rules: str = "us"
    tax_rate: Decimal = Decimal(0)    # one rate (uk, ca, de): the regime's default unless set
    allowance: Decimal = Decimal(0)   # yearly tax-free gains: the regime's default unless set
    inclusion: Decimal = Decimal("0.5")  # ca: the share of a gain that is taxed
    review: ReviewPeriod | None = None  # how often the portfolio is reviewed (SPEC §5.1)
    overdue_error: bool = False
    gains_account: str = "Income:Capital-Gains"  # the plan as ledger entries (SPEC §5.3)
    cash_flow_account: str = "Equity:Transfers"
    trade_cost_account: str = "Expenses:Trade-Costs"

    @classmethod
    def in_force(cls, values: Mapping[str, Any], operating_currencies: Sequence[str]) -> Options:
        """The options ``values`` sets (option name → parsed value), the defaults for the rest.

        The reporting currency, unless set, is the first of ``operating_currencies``; the
        ``tax-rate`` and ``allowance``, unless set, are the regime's (``DEFAULT_TAX_RATES``,
        ``DEFAULT_ALLOWANCES``; 0 where it has none).
        """
        fields = {name.replace("-", "_"): value for name, value in values.items()}
        if operating_currencies:
            fields.setdefault("currency", operating_currencies[0])
        rules = fields.get("tax_rules", "us")
        fields.setdefault("tax_rate", DEFAULT_TAX_RATES.get(rules, Decimal(0)))
        fields.setdefault("allowance", DEFAULT_ALLOWANCES.get(rules, Decimal(0)))
        return cls(**fields)

    def band_width(self, target: Decimal) -> Decimal:
        """Half-width of the no-action band around ``target``, in percentage points.

        ``band`` is absolute; ``relative-band`` is a percentage of the target; with both
        the narrower applies (the 5/25 rule); with neither the band is 0.
        """
        widths = []
        if self.band is not None:
            widths.append(self.band)
        if self.relative_band is not None:
            widths.append(target * self.relative_band / Decimal(100))
        return min(widths) if widths else Decimal(0)
