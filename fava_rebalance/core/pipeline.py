"""The whole pipeline: ledger entries → declarations → holdings → sections → moves.

``analyse`` is the one entry point the plugin, the CLI and the Fava page share (one
portfolio's report); ``analyse_portfolios`` gives several portfolios' reports from one pass
over the entries. It never raises for bad ledger content: problems come back as ``errors``
(bad metadata, with file and line) and ``warnings`` (prices, totals, what is missing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from beancount.core import data
from beancount.core import prices as bc_prices

from fava_rebalance.core.allocation import Allocation, allocate, cash_needed
from fava_rebalance.core.band_deposit import BandDeposit, cash_needed_band
from fava_rebalance.core.declarations import (
    Declarations,
    Settings,
    portfolio_errors,
    read_declarations,
    target_sum_errors,
    undeclared_target_errors,
)
from fava_rebalance.core.errors import RebalanceError
from fava_rebalance.core.formatting import grouped, units
from fava_rebalance.core.holdings import Position, positions_as_of
from fava_rebalance.core.movements import Movement, movements
from fava_rebalance.core.moves import Moves, suggested_moves
from fava_rebalance.core.portfolios import MAIN
from fava_rebalance.core.pricebook import PriceBook, PriceSeries, price_graph, price_point
from fava_rebalance.core.rebalances import Rebalance, by_portfolio, read_rebalances
from fava_rebalance.core.recent import Purchase, RealizedLoss, Window, window_around
from fava_rebalance.core.review import Review, review_of
from fava_rebalance.core.valuation import Holding, value_positions

NO_HOLDINGS = "no-holdings"
NO_TARGETS = "no-targets"
NOTHING_CATEGORIZED = "nothing-categorized"
REPLAYED = ("uk", "ca", "de")  # tax rules whose costs come from the whole history (``core.movements``)


@dataclass(frozen=True)
class Ledger:
    """What the pipeline reads from a ledger: its entries, options and price map.

    ``declarations`` and ``errors`` are read once per ledger and reused for every date;
    the price map is built once, when first needed.
    """

    entries: Sequence[data.Directive]
    options_map: Mapping[str, Any]
    declarations: Declarations
    errors: tuple[RebalanceError, ...]
    prices: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_entries(
        cls, entries: Sequence[data.Directive], options_map: Mapping[str, Any], *, price_map: Any = None
    ) -> Ledger:
        """Read declarations from loaded entries.

        ``price_map``: one already built from the same entries, Beancount's or Fava's
        ``FavaPriceMap`` (the Fava tab reuses Fava's instead of building a second one).
        """
        declarations, errors = read_declarations(entries, options_map)
        errors += target_sum_errors(declarations)
        errors += undeclared_target_errors(declarations)
        errors += portfolio_errors(declarations, entries[-1].date if entries else None)
        return cls(entries, options_map, declarations, tuple(errors), price_map)

    @cached_property
    def price_map(self) -> Any:
        """The price map given, else Beancount's, built on first use (few callers need one)."""
        if self.prices is not None:
            return self.prices
        return bc_prices.build_price_map(self.entries)

    @cached_property
    def price_graph(self) -> dict[str, tuple[str, ...]]:
        """Which currencies have prices with which, from the price directives (for routes)."""
        return price_graph((e.currency, e.amount.currency) for e in self.entries if isinstance(e, data.Price))

    @cached_property
    def price_series(self) -> PriceSeries:
        """Each pair's prices, read once from the price map (many dates: the drift history)."""
        return PriceSeries(self.price_map)

    def price_book(self, currency: str, date: datetime.date) -> PriceBook:
        """Rates into ``currency`` as of ``date`` from this ledger's prices."""
        return PriceBook(self.price_map, currency, date, self.declarations.operating_currencies,
                         self.price_graph, self.price_series)

    @cached_property
    def rebalances(self) -> tuple[Rebalance, ...]:
        """The ledger's ``#rebalance`` transactions (every account, whatever the filters)."""
        return read_rebalances(self.entries)

    @cached_property
    def portfolio_rebalances(self) -> Mapping[str, tuple[Rebalance, ...]]:
        """Each portfolio's ``#rebalance`` transactions (``rebalances.by_portfolio``)."""
        return by_portfolio(self.rebalances, self.declarations)

    def rebalances_of(self, portfolio: str = MAIN) -> tuple[Rebalance, ...]:
        """``portfolio``'s ``#rebalance`` transactions: those that post to it, and the household's."""
        return self.portfolio_rebalances.get(portfolio, ())

    def review_on(self, date: datetime.date, portfolio: str = MAIN) -> Review:
        """``portfolio``'s review calendar as of ``date`` (SPEC §5.1): last rebalance, next review, pending.

        Its own ``review`` option (else the shared one), its own rebalances and its first target.
        """
        waypoints = self.declarations.target_path(portfolio).waypoints
        every = self.declarations.as_of(date, portfolio).options.review
        return review_of(self.rebalances_of(portfolio), every, waypoints[0].date if waypoints else None, date)

    @property
    def last_date(self) -> datetime.date | None:
        """Date of the last entry, or ``None`` for an empty ledger."""
        return self.entries[-1].date if self.entries else None

    def price_on(self, commodity: str, currency: str, date: datetime.date) -> Decimal | None:
        """The latest price of ``commodity`` in ``currency`` on or before ``date`` (no conversion)."""
        rate = price_point(self.price_map, commodity, currency, date)[1]
        return rate if isinstance(rate, Decimal) else None


@dataclass(frozen=True)
class Report:
    """Everything the views show for one date, and the prices it was valued at.

    ``prices`` is the book that valued the holdings (rates into the reporting currency on
    the report date); ``price_of`` reads it for the planner, which buys commodities the
    portfolio may not hold, so a plan needs the report and the declarations only.
    """

    date: datetime.date
    currency: str
    settings: Settings
    allocation: Allocation
    holdings: tuple[Holding, ...]
    purchases: tuple[Purchase, ...]
    realized_losses: tuple[RealizedLoss, ...]
    suggested: Moves
    cash_needed: Decimal
    band_deposit: BandDeposit
    warnings: tuple[str, ...]
    errors: tuple[RebalanceError, ...]
    missing: tuple[str, ...]
    prices: PriceBook = field(compare=False, repr=False)
    review: Review | None = None
    outside_since: Mapping[str, datetime.date] | None = None
    read_movements: Callable[[], tuple[Movement, ...]] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def movements(self) -> tuple[Movement, ...]:
        """Every acquisition and disposal of the household (``core.movements``), read on first use.

        For the tax rules that replay them (``tax-rules`` uk, ca, de; empty otherwise): the
        drift report and the plugin never need them, only a plan does.
        """
        return self.read_movements() if self.read_movements is not None else ()

    def since(self, category: str) -> datetime.date | None:
        """The first monthly point of ``category``'s run outside its band (SPEC §5.1).

        ``None`` for a category inside its band, and while the history was not read
        (``history.with_outside_since`` fills ``outside_since``).
        """
        return (self.outside_since or {}).get(category)

    def price_of(self, commodity: str) -> Decimal | None:
        """The price of one unit of ``commodity`` on the report date, in the reporting currency.

        Routed as the holdings were valued (``core.pricebook``); ``None`` without a route.
        """
        found = self.prices.quote(commodity)
        return found.rate if found is not None else None

    @property
    def total(self) -> Decimal:
        """Total portfolio value in the reporting currency."""
        return self.allocation.total

    @property
    def portfolio(self) -> str:
        """The name of the portfolio this report is about (``Main`` unless the ledger names others)."""
        return self.settings.portfolio

    @property
    def moves(self) -> tuple[str, ...]:
        """The suggested moves as sentences, biggest first (``suggested`` has their figures)."""
        return self.suggested.sentences

    @property
    def moves_text(self) -> tuple[str, ...]:
        """The moves and, when their sells and buys differ, the sentence saying by how much and why."""
        note = self.suggested.note
        return (*self.moves, note) if note else self.moves


def analyse(
    ledger: Ledger,
    date: datetime.date,
    *,
    entries: Sequence[data.Directive] | None = None,
    account_match: Callable[[str], bool] | None = None,
    portfolio: str = MAIN,
) -> Report:
    """The rebalancing report of ``portfolio`` as of ``date``.

    ``entries`` replaces the ledger's entries for holdings (Fava passes its filtered ones);
    ``account_match`` narrows which accounts count (Fava's account filter). The wash-sale
    window (``purchases``, ``realized_losses``) always reads every entry of every account: it
    is the same taxpayer's, whatever the portfolio's scope or the filters.
    """
    return analyse_portfolios(ledger, date, entries=entries, account_match=account_match,
                              portfolios=(portfolio,))[0]


def analyse_portfolios(
    ledger: Ledger,
    date: datetime.date,
    *,
    entries: Sequence[data.Directive] | None = None,
    account_match: Callable[[str], bool] | None = None,
    portfolios: Sequence[str] | None = None,
) -> tuple[Report, ...]:
    """The report of each of ``portfolios`` (default: every one of the ledger) as of ``date``.

    One pass over the entries reads the holdings of them all, and one the wash-sale window
    (every account: it is the household's); each portfolio then gets its own sections,
    bands and moves. ``entries`` and ``account_match`` as for ``analyse``.
    """
    declarations = ledger.declarations
    names = tuple(portfolios) if portfolios is not None else declarations.portfolio_names
    settings = [declarations.as_of(date, name) for name in names]

    seen: dict[str, bool] = {}

    def held(account: str) -> bool:  # asked once per posting: remembered per account
        found = seen.get(account)
        if found is None:
            found = seen[account] = any(s.in_portfolio(account) for s in settings) and (
                account_match is None or account_match(account))
        return found

    positions = positions_as_of(ledger.entries if entries is None else entries, date, held)
    window = window_around(ledger.entries, date, ledger.price_on)
    book = ledger.price_book(settings[0].options.currency, date)  # one currency: the household's
    return tuple(_report(ledger, mine, [p for p in positions if mine.in_portfolio(p.account)], window, book)
                 for mine in settings)


def _report(ledger: Ledger, settings: Settings, positions: list[Position], window: Window,
            book: PriceBook) -> Report:
    """One portfolio's report from its positions, the household's window and the price book."""
    declarations = ledger.declarations
    date = settings.date
    options = settings.options
    holdings, warnings = value_positions(positions, book)
    for holding in holdings:
        if holding.units < 0:
            warnings.append(f"short position: {units(holding.units)} {holding.commodity} in "
                            f"{holding.account} counts as {grouped(holding.value)} {options.currency} "
                            "in the total")
    allocation = allocate(holdings, declarations.category_of, settings)
    if not settings.targets_add_up:
        warnings.append(f"targets in force on {date} add up to {settings.target_total}%, not 100%")
    missing = _missing(allocation, settings)
    read_movements = None
    if options.tax_rules in REPLAYED:  # every entry, like the wash-sale window: the same taxpayer's
        cash = frozenset({options.currency, *declarations.operating_currencies})
        root = str(ledger.options_map.get("name_assets") or "Assets")
        read_movements = partial(movements, ledger.entries, date, book, root, cash)
    for row in allocation.uncategorized:
        warnings.append(f"{row.commodity} in {', '.join(row.accounts)} has no asset-class; "
                        "it is counted in the total but in no category")
    return Report(
        date=date,
        currency=options.currency,
        settings=settings,
        allocation=allocation,
        holdings=tuple(holdings),
        purchases=window.purchases,
        realized_losses=window.losses,
        suggested=suggested_moves(allocation, options.currency, options.min_trade, settings.target_total),
        cash_needed=cash_needed(allocation),
        band_deposit=cash_needed_band(allocation, options.currency),
        warnings=tuple(warnings),
        errors=ledger.errors,
        missing=missing,
        prices=book,
        read_movements=read_movements,
        review=ledger.review_on(date, settings.portfolio),
    )


def _missing(allocation: Allocation, settings: Settings) -> tuple[str, ...]:
    """The prerequisites that are not met (the seed's list), in the order to fix them."""
    missing = []
    held = allocation.untargeted or allocation.uncategorized or any(row.parts for row in allocation.targeted)
    if not held:  # targeted rows exist with a target even when nothing is held
        missing.append(NO_HOLDINGS)
    if not settings.targets:
        missing.append(NO_TARGETS)
    categorized = allocation.untargeted or any(row.parts for row in allocation.targeted)
    if allocation.uncategorized and not categorized:
        missing.append(NOTHING_CATEGORIZED)
    return tuple(missing)
