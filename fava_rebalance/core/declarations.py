"""What the ledger declares for rebalancing, read in one pass over its directives.

Input: Beancount entries. Output: a frozen ``Declarations`` (the open and commodity
directives, categories of accounts and commodities, dated targets and options, tax status,
exclusions, trading flags, asset locations, which portfolio each account is in) and a list of
``RebalanceError`` for everything that could not be read. Nothing here looks at balances or
prices; ``Declarations.as_of(date, portfolio)`` resolves what is in force for one portfolio
(``portfolios``: whose is what; ``targets``: the target of a category on a date).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from beancount.core import data

from fava_rebalance.core.categories import (
    HUNDRED,
    ClassError,
    Share,
    ancestors,
    check_name,
    fava_investor_shares,
    is_within,
    mentioned_names,
    parse_asset_class,
)
from fava_rebalance.core.errors import RebalanceError, error_at
from fava_rebalance.core.options import OptionError, Options, parse_option
from fava_rebalance.core.portfolios import (
    HOUSEHOLD_OPTIONS,
    KEY,
    MAIN,
    PortfolioError,
    ordered,
    portfolio_name,
    portfolio_of,
    unmatched_errors,
    unnamed_errors,
)
from fava_rebalance.core.targets import Glide, TargetPath

TAX_STATUSES = {
    "taxable": "taxable",
    "brokerage": "taxable",
    "tax-deferred": "tax-deferred",
    "ira": "tax-deferred",
    "401k": "tax-deferred",
    "403b": "tax-deferred",
    "sipp": "tax-deferred",
    "rrsp": "tax-deferred",
    "tax-free": "tax-free",
    "roth": "tax-free",
    "hsa": "tax-free",
    "isa": "tax-free",
    "tfsa": "tax-free",
}
LOCATIONS = ("taxable", "tax-deferred", "tax-free")
TARGET_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Target:
    """A target percentage for a category from a dated directive, in one portfolio.

    ``glide`` is set on a target in force between two waypoints of a glide path
    (``targets``): ``percent`` is then the day's interpolated, exact figure.
    """

    category: str
    percent: Decimal
    date: datetime.date
    entry: data.Directive
    portfolio: str = MAIN
    glide: Glide | None = None


@dataclass(frozen=True)
class OptionSetting:
    """One dated ``rebalance-option`` with its parsed value."""

    name: str
    value: Any
    date: datetime.date
    entry: data.Directive
    portfolio: str | None = None  # None: every portfolio that does not set its own


@dataclass(frozen=True)
class Location:
    """``custom "rebalance-location" CATEGORY STATUS``: where a class is best held."""

    category: str
    status: str
    date: datetime.date
    entry: data.Directive
    portfolio: str | None = None  # None: every portfolio that does not set its own


@dataclass(frozen=True)
class Settings:
    """One portfolio's options and targets in force on one date, and the accounts left out.

    ``excluded``: accounts that say ``rebalance: FALSE``; ``tags``: the accounts whose
    ``open`` names a ``portfolio`` (``portfolios``).
    """

    date: datetime.date
    options: Options
    targets: Mapping[str, Target]
    locations: Mapping[str, Location]
    excluded: frozenset[str] = frozenset()
    portfolio: str = MAIN
    tags: Mapping[str, str] = field(default_factory=dict)
    _portfolio: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def in_portfolio(self, account: str) -> bool:
        """Whether ``account`` belongs to the portfolio on this date (the one definition).

        The ``accounts`` option matches it, neither it nor an ancestor says
        ``rebalance: FALSE``, and its nearest ``portfolio`` tag names this portfolio (none:
        ``Main``). Remembered per account: the holdings ask once per posting.
        """
        found = self._portfolio.get(account)
        if found is None:
            found = self._portfolio[account] = (
                self.options.accounts.search(account)
                and not any(is_within(account, excluded) for excluded in self.excluded)
                and portfolio_of(self.tags, account) == self.portfolio)
        return found

    @property
    def target_total(self) -> Decimal:
        """Sum of the targets in force, in percent."""
        return sum((t.percent for t in self.targets.values()), Decimal(0))

    @property
    def targets_add_up(self) -> bool:
        """True when there are no targets or they add up to 100% (within 0.01)."""
        return not self.targets or abs(self.target_total - HUNDRED) <= TARGET_TOLERANCE

    def target_for(self, category: str) -> str | None:
        """The nearest of ``category`` and its ancestors that has a target, if any."""
        for name in ancestors(category):
            if name in self.targets:
                return name
        return None


@dataclass(frozen=True)
class Declarations:
    """Everything the ledger declares for rebalancing (not dated except targets/options)."""

    operating_currencies: tuple[str, ...]
    opens: Mapping[str, data.Open]
    commodities: Mapping[str, data.Commodity]
    account_classes: Mapping[str, tuple[Share, ...]]
    commodity_classes: Mapping[str, tuple[Share, ...]]
    targets: tuple[Target, ...]
    options: tuple[OptionSetting, ...]
    locations: tuple[Location, ...]
    tax_status: Mapping[str, str]
    excluded: frozenset[str]
    no_sell_accounts: frozenset[str]
    no_sell_commodities: frozenset[str]
    no_buy_commodities: frozenset[str]
    fractional: frozenset[str]
    identical: Mapping[str, tuple[frozenset[str], ...]]  # commodity → the declared groups it is in
    mentioned: frozenset[str] = frozenset()
    booking: str = "STRICT"
    portfolio_tags: Mapping[str, str] = field(default_factory=dict)  # account → its open's portfolio
    partial_exemption: Mapping[str, Decimal] = field(default_factory=dict)  # commodity → exempt fraction
    # commodities no taxable account may buy (uk: what an earlier plan sells in a general account)
    no_buy_taxable: frozenset[str] = frozenset()
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _paths: dict[str, TargetPath] = field(default_factory=dict, compare=False, repr=False)

    def _nearest(self, mapping: Mapping[str, Any], account: str) -> tuple[str, Any] | None:
        for name in ancestors(account):  # the account, then its parents
            if name in mapping:
                return name, mapping[name]
        return None

    def category_of(self, account: str, currency: str) -> tuple[Share, ...] | None:
        """Shares of a holding of ``currency`` in ``account`` (SPEC 1.1 order), or ``None``."""
        key = f"{account}\0{currency}"
        if key not in self._cache:
            found = self._nearest(self.account_classes, account)
            self._cache[key] = found[1] if found else self.commodity_classes.get(currency)
        result: tuple[Share, ...] | None = self._cache[key]
        return result

    def commodity_name(self, currency: str) -> str:
        """The ``name`` its ``commodity`` directive gives ``currency``, else the symbol itself."""
        entry = self.commodities.get(currency)
        name = (entry.meta or {}).get("name") if entry is not None else None
        return name if isinstance(name, str) and name else currency

    def tax_status_of(self, account: str) -> str:
        """Tax status of ``account``, inherited from ancestors; ``taxable`` by default."""
        found = self._nearest(self.tax_status, account)
        return found[1] if found else "taxable"

    def trading_account(self, account: str) -> str:
        """Nearest account (itself or an ancestor) whose ``open`` has ``tax-status``.

        With none, the parent of ``account`` (or ``account`` itself at the top level).
        """
        found = self._nearest(self.tax_status, account)
        if found:
            return found[0]
        return account.rsplit(":", 1)[0] if ":" in account else account

    def can_sell(self, account: str, currency: str) -> bool:
        """False where ``rebalance-sell: FALSE`` is on the commodity or the account (inherited)."""
        if currency in self.no_sell_commodities:
            return False
        return not any(is_within(account, ex) for ex in self.no_sell_accounts)

    def booking_of(self, account: str) -> str:
        """How Beancount books ``account``'s reductions: its ``open``'s method, else the ledger's.

        The name of a ``beancount.core.data.Booking`` (``STRICT``, ``FIFO``, ``NONE``, ...):
        ``2020-01-01 open Assets:X "FIFO"`` beats ``option "booking_method" "NONE"``. Not
        inherited: Beancount books each account by its own ``open``.
        """
        found = self.opens.get(account)
        method = found.booking if found is not None else None
        return method.name if method is not None else self.booking

    def identical_to(self, currency: str) -> frozenset[str]:
        """``currency`` and every commodity declared substantially identical to it.

        The commodities of each ``substantially-identical`` list (with the commodity that
        carries it) are one group, stored once and shared by its members, so a list of
        *n* names costs memory in *n*, not *n*². A commodity in several groups is identical
        to the members of each (the relation is not made transitive).
        """
        groups = self.identical.get(currency, ())
        if len(groups) == 1:
            return groups[0]
        return frozenset({currency}.union(*groups))

    @cached_property
    def declared_categories(self) -> frozenset[str]:
        """Every category some account or commodity names (with their ancestors)."""
        names: set[str] = set()
        for name in self.mentioned:  # named in an asset-class that could not be read
            names.update(ancestors(name))
        for shares in (*self.account_classes.values(), *self.commodity_classes.values()):
            for share in shares:
                names.update(ancestors(share.category))
        return frozenset(names)

    def portfolio_of(self, account: str) -> str:
        """The portfolio ``account``'s nearest ``portfolio`` tag names (none: ``Main``)."""
        return portfolio_of(self.portfolio_tags, account)

    @cached_property
    def portfolio_names(self) -> tuple[str, ...]:
        """The ledger's portfolios, ``Main`` first, then A–Z.

        Every name the ``portfolio`` key of an ``open`` or a target gives; ``Main`` when a
        target has no such key or when no other portfolio is named (a ledger that names
        none has just ``Main``). A name only an option gives is an error, not a portfolio.
        """
        named = {*self.portfolio_tags.values(), *(t.portfolio for t in self.targets)}
        if not named - {MAIN} or any(t.portfolio == MAIN for t in self.targets):
            named.add(MAIN)
        return ordered(named)

    @property
    def several_portfolios(self) -> bool:
        """Whether the ledger names more than one portfolio (messages then name theirs)."""
        return len(self.portfolio_names) > 1

    def target_path(self, portfolio: str = MAIN) -> TargetPath:
        """The waypoints of ``portfolio``'s targets (``TargetPath.on``: the targets on a date)."""
        path = self._paths.get(portfolio)
        if path is None:
            path = self._paths[portfolio] = TargetPath([t for t in self.targets if t.portfolio == portfolio])
        return path

    def _option_values(self, date: datetime.date, portfolio: str) -> dict[str, Any]:
        """Option name → value in force for ``portfolio`` on ``date``: its own, else the shared."""
        shared: dict[str, Any] = {}
        own: dict[str, Any] = {}
        for setting in self.options:
            if setting.date <= date and setting.portfolio in (None, portfolio):
                (shared if setting.portfolio is None else own)[setting.name] = setting.value
        return {**shared, **own}

    def as_of(self, date: datetime.date, portfolio: str = MAIN) -> Settings:
        """``portfolio``'s options, targets and locations in force on ``date``.

        Each option is the latest on or before ``date`` that the portfolio sets itself,
        else the latest set for every portfolio; the same for each category's location.
        Targets are the portfolio's own, stepped or gliding (``glide``; ``TargetPath.on``).
        """
        options = Options.in_force(self._option_values(date, portfolio), self.operating_currencies)
        targets = self.target_path(portfolio).on(date, glide=options.glide)
        places: dict[str, Location] = {}
        mine: dict[str, Location] = {}
        for loc in self.locations:
            if loc.date <= date and loc.portfolio in (None, portfolio):
                (places if loc.portfolio is None else mine)[loc.category] = loc
        return Settings(date, options, targets, {**places, **mine}, self.excluded, portfolio,
                        self.portfolio_tags)


class _Reader:
    """Collects declarations and errors while walking the entries once."""

    def __init__(self) -> None:
        self.errors: list[RebalanceError] = []
        self.opens: dict[str, data.Open] = {}
        self.commodities: dict[str, data.Commodity] = {}
        self.account_classes: dict[str, tuple[Share, ...]] = {}
        self.commodity_classes: dict[str, tuple[Share, ...]] = {}
        self.targets: list[Target] = []
        self.options: list[OptionSetting] = []
        self.locations: list[Location] = []
        self.tax_status: dict[str, str] = {}
        self.excluded: set[str] = set()
        self.no_sell_accounts: set[str] = set()
        self.no_sell_commodities: set[str] = set()
        self.no_buy: set[str] = set()
        self.fractional: set[str] = set()
        self.identical: dict[str, list[frozenset[str]]] = {}
        self.mentioned: set[str] = set()
        self.portfolio_tags: dict[str, str] = {}
        self.scoped: list[tuple[str, data.Directive]] = []  # (portfolio, directive) of custom ones
        self.partial_exemption: dict[str, Decimal] = {}

    def portfolio(self, entry: data.Directive) -> tuple[bool, str | None]:
        """The ``portfolio`` key of ``entry``: (readable, the name or ``None`` when absent)."""
        if KEY not in (entry.meta or {}):
            return True, None
        try:
            return True, portfolio_name(entry.meta[KEY])
        except PortfolioError as exc:
            self.fail(entry, str(exc))
            return False, None

    def fail(self, entry: data.Directive, message: str) -> None:
        self.errors.append(error_at(entry, message))

    def flag(self, entry: data.Directive, key: str) -> bool | None:
        value = entry.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        self.fail(entry, f"{key} must be TRUE or FALSE, not {value!r}")
        return None

    def classes(self, entry: data.Directive, own_name: str) -> tuple[Share, ...] | None:
        """Shares declared on an open/commodity, and the target shortcut it may carry."""
        meta = entry.meta
        shares: tuple[Share, ...] | None = None
        if "asset-class" in meta:
            try:
                shares = parse_asset_class(meta["asset-class"])
            except ClassError as exc:
                self.fail(entry, f"bad asset-class on {own_name}: {exc}")
                self.mentioned.update(mentioned_names(meta["asset-class"]))
        elif isinstance(entry, data.Commodity):
            try:
                shares = fava_investor_shares(meta)
            except ClassError as exc:
                self.fail(entry, f"bad fava_investor keys on {own_name}: {exc}")
        if "rebalance-target" in meta:
            percent = self.percent(entry, meta["rebalance-target"], "rebalance-target")
            if shares is None and "asset-class" not in meta:
                shares = (Share(own_name, Decimal(1)),)
            if percent is not None and shares is not None:
                if len(shares) != 1:
                    self.fail(entry, f"rebalance-target on {own_name} names a split asset-class; "
                                     "put the target on each class with custom \"rebalance-target\"")
                else:  # an open's portfolio is its account's, resolved once every open is read
                    scope = self.portfolio(entry)[1] if isinstance(entry, data.Commodity) else None
                    self.targets.append(Target(shares[0].category, percent, entry.date, entry, scope or MAIN))
        return shares

    def category(self, entry: data.Directive, raw: str, what: str) -> str | None:
        """The category named by ``raw``, normalised, or ``None`` after an error about ``what``."""
        try:
            return check_name(raw)
        except ClassError as exc:
            self.fail(entry, f"bad {what} category: {exc}")
            return None

    def percent(self, entry: data.Directive, value: Any, what: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            self.fail(entry, f"{what} must be a number from 0 to 100, not {value!r}")
            return None
        number = Decimal(value)
        if number < 0 or number > HUNDRED:
            self.fail(entry, f"{what} must be a number from 0 to 100, not {number}")
            return None
        return number

    def open(self, entry: data.Open) -> None:
        account = entry.account
        self.opens[account] = entry
        meta = entry.meta or {}
        scope = self.portfolio(entry)[1]
        if scope is not None:
            self.portfolio_tags[account] = scope
        if "asset-class" in meta or "rebalance-target" in meta:
            shares = self.classes(entry, account)
            if shares is not None:
                self.account_classes[account] = shares
        if "tax-status" in meta:
            raw = meta["tax-status"]
            status = TAX_STATUSES.get(raw.strip().lower()) if isinstance(raw, str) else None
            if status is None:
                self.fail(entry, f"unknown tax-status {raw!r} on {account}; use taxable, tax-deferred "
                                 "or tax-free (or ira, 401k, 403b, sipp, rrsp, roth, hsa, isa, tfsa, "
                                 "brokerage)")
            else:
                self.tax_status[account] = status
        if self.flag(entry, "rebalance") is False:
            self.excluded.add(account)
        if self.flag(entry, "rebalance-sell") is False:
            self.no_sell_accounts.add(account)

    def commodity(self, entry: data.Commodity) -> None:
        currency = entry.currency
        self.commodities[currency] = entry
        meta = entry.meta or {}
        shares = self.classes(entry, currency)
        if shares is not None:
            self.commodity_classes[currency] = shares
        if self.flag(entry, "rebalance-sell") is False:
            self.no_sell_commodities.add(currency)
        if self.flag(entry, "rebalance-buy") is False:
            self.no_buy.add(currency)
        if self.flag(entry, "fractional"):
            self.fractional.add(currency)
        if "partial-exemption" in meta:  # Teilfreistellung (tax-rules de): 30 equity funds, 15 mixed
            percent = self.percent(entry, meta["partial-exemption"], f"partial-exemption on {currency}")
            if percent is not None:
                self.partial_exemption[currency] = percent / HUNDRED
        for key in ("substantially-identical", "a__substidenticals"):
            if key in meta:
                raw = meta[key]
                if not isinstance(raw, str):
                    self.fail(entry, f"{key} must be a list of commodities in quotes, not {raw!r}")
                    continue
                group = frozenset({currency, *(c.strip() for c in raw.split(",") if c.strip())})
                for member in group:  # one shared group: memory linear in its size
                    self.identical.setdefault(member, []).append(group)

    def custom(self, entry: data.Custom) -> None:
        values = [v.value for v in entry.values or ()]
        readable, scope = self.portfolio(entry)
        if not readable:
            return
        if scope is not None:
            self.scoped.append((scope, entry))
        if entry.type == "rebalance-target":
            if len(values) != 2 or not isinstance(values[0], str):
                self.fail(entry, 'rebalance-target needs a category and a percentage: '
                                 'custom "rebalance-target" "Bonds" 30')
                return
            name = self.category(entry, values[0], "rebalance-target")
            if name is None:
                return
            percent = self.percent(entry, values[1], f"rebalance-target for {name!r}")
            if percent is not None:
                self.targets.append(Target(name, percent, entry.date, entry, scope or MAIN))
        elif entry.type == "rebalance-option":
            if len(values) != 2:
                self.fail(entry, 'rebalance-option needs a name and a value: '
                                 'custom "rebalance-option" "band" 5')
                return
            try:
                parsed = parse_option(values[0], values[1])
            except OptionError as exc:
                self.fail(entry, str(exc))
                return
            if scope is not None and values[0] in HOUSEHOLD_OPTIONS:
                self.fail(entry, f"option {values[0]!r} is the household's, the same for every portfolio "
                                 f"(one total, one tax estimate): remove portfolio: {scope!r} from it")
                return
            self.options.append(OptionSetting(values[0], parsed, entry.date, entry, scope))
        elif entry.type == "rebalance-location":
            if len(values) != 2 or not all(isinstance(v, str) for v in values):
                self.fail(entry, 'rebalance-location needs a category and an account type: '
                                 'custom "rebalance-location" "Bonds" "tax-deferred"')
                return
            status = TAX_STATUSES.get(values[1].strip().lower())
            if status is None:
                self.fail(entry, f"unknown account type {values[1]!r} in rebalance-location; "
                                 f"use one of {', '.join(LOCATIONS)}")
                return
            name = self.category(entry, values[0], "rebalance-location")
            if name is not None:
                self.locations.append(Location(name, status, entry.date, entry, scope))
        else:
            self.fail(entry, f"unknown directive custom {entry.type!r}; rebalancing knows "
                             '"rebalance-target", "rebalance-option" and "rebalance-location"')


def read_declarations(
    entries: Iterable[data.Directive], options_map: Mapping[str, Any]
) -> tuple[Declarations, list[RebalanceError]]:
    """Read the rebalancing metadata of a ledger; never raises for bad metadata."""
    reader = _Reader()
    for entry in entries:
        if isinstance(entry, data.Open):
            reader.open(entry)
        elif isinstance(entry, data.Commodity):
            reader.commodity(entry)
        elif isinstance(entry, data.Custom) and entry.type.startswith("rebalance-"):
            reader.custom(entry)
    tags = reader.portfolio_tags
    targets = [replace(t, portfolio=portfolio_of(tags, t.entry.account))
               if isinstance(t.entry, data.Open) else t for t in reader.targets]
    reader.errors.extend(unnamed_errors(reader.scoped, tags.values()))
    for portfolio in {t.portfolio for t in targets}:
        reader.errors.extend(_check_target_tree([t for t in targets if t.portfolio == portfolio]))
    declarations = Declarations(
        operating_currencies=tuple(options_map.get("operating_currency") or ()),
        opens=reader.opens,
        commodities=reader.commodities,
        account_classes=reader.account_classes,
        commodity_classes=reader.commodity_classes,
        targets=tuple(sorted(targets, key=lambda t: t.date)),
        options=tuple(sorted(reader.options, key=lambda o: o.date)),
        locations=tuple(sorted(reader.locations, key=lambda loc: loc.date)),
        tax_status=reader.tax_status,
        excluded=frozenset(reader.excluded),
        no_sell_accounts=frozenset(reader.no_sell_accounts),
        no_sell_commodities=frozenset(reader.no_sell_commodities),
        no_buy_commodities=frozenset(reader.no_buy),
        fractional=frozenset(reader.fractional),
        identical={k: tuple(v) for k, v in reader.identical.items()},
        mentioned=frozenset(reader.mentioned),
        booking=_booking_name(options_map.get("booking_method")),
        portfolio_tags=tags,
        partial_exemption=reader.partial_exemption,
    )
    return declarations, reader.errors


def _booking_name(method: Any) -> str:
    """The name of the ledger's ``booking_method`` option (a ``Booking``; a string in tests)."""
    name = getattr(method, "name", method)
    return name if isinstance(name, str) and name else "STRICT"


def _check_target_tree(targets: Sequence[Target]) -> list[RebalanceError]:
    """A target on both a category and one of its ancestors is an error (at the later one)."""
    errors = []
    by_name: dict[str, Target] = {}
    for target in sorted(targets, key=lambda t: t.date):
        by_name.setdefault(target.category, target)
    for name, target in by_name.items():
        for ancestor in list(ancestors(name))[1:]:
            if ancestor in by_name:
                other = by_name[ancestor]
                at = target if (target.date, target.entry.meta.get("lineno", 0)) >= (
                    other.date, other.entry.meta.get("lineno", 0)) else other
                errors.append(error_at(at.entry, f"targets on both {name!r} and its parent {ancestor!r}; "
                                                 "set a target on one level only"))
    return errors


def portfolio_prefix(declarations: Declarations, portfolio: str) -> str:
    """``portfolio College: `` before a message about one portfolio, when the ledger has several."""
    return f"portfolio {portfolio}: " if declarations.several_portfolios else ""


def target_sum_errors(declarations: Declarations) -> list[RebalanceError]:
    """One error for each date on which a portfolio's targets in force stop adding up to 100%.

    Checked at each waypoint (``targets``): the targets of a glide path move in straight
    lines between waypoints, so when every waypoint adds up to 100 so does every day.
    """
    errors = []
    for portfolio in declarations.portfolio_names:
        prefix = portfolio_prefix(declarations, portfolio)
        for point in declarations.target_path(portfolio).waypoints:
            total = sum((t.percent for t in point.targets.values()), Decimal(0))
            if abs(total - HUNDRED) > TARGET_TOLERANCE:
                last = [t for t in declarations.targets
                        if t.portfolio == portfolio and t.date == point.date][-1]
                errors.append(error_at(last.entry, f"{prefix}targets in force on {point.date} add up to "
                                                   f"{total}%, not 100%"))
    return errors


def portfolio_errors(declarations: Declarations, date: datetime.date | None) -> list[RebalanceError]:
    """Tagged accounts that their portfolio's ``accounts`` option, in force on ``date``, leaves out."""
    if date is None or not declarations.portfolio_tags:
        return []
    patterns = {name: declarations.as_of(date, name).options.accounts
                for name in set(declarations.portfolio_tags.values())}
    return unmatched_errors(declarations.opens, declarations.portfolio_tags, patterns, declarations.excluded)


def undeclared_target_errors(declarations: Declarations) -> list[RebalanceError]:
    """Targets for categories that no commodity or account declares (often a typo)."""
    declared = declarations.declared_categories
    errors = []
    for target in declarations.targets:
        if target.category not in declared:
            errors.append(error_at(target.entry, f"target for category {target.category!r}, which no "
                                                 "commodity or account declares (a typo?)"))
    return errors
