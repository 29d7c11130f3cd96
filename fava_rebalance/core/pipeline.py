"""The whole pipeline: ledger entries → declarations → holdings → sections → moves.

``analyse`` is the one entry point the plugin, the CLI and the Fava page share. It never
raises for bad ledger content: problems come back as ``errors`` (bad metadata, with file
and line) and ``warnings`` (prices, totals, what is missing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from beancount.core import data
from beancount.core import prices as bc_prices

from fava_rebalance.core.allocation import Allocation, allocate, cash_needed
from fava_rebalance.core.band_deposit import BandDeposit, cash_needed_band
from fava_rebalance.core.declarations import (
    Declarations,
    Settings,
    read_declarations,
    target_sum_errors,
    undeclared_target_errors,
)
from fava_rebalance.core.errors import RebalanceError
from fava_rebalance.core.formatting import grouped, units
from fava_rebalance.core.holdings import positions_as_of
from fava_rebalance.core.moves import Moves, suggested_moves
from fava_rebalance.core.pricebook import PriceBook, PriceSeries, price_graph
from fava_rebalance.core.rebalances import Rebalance, read_rebalances
from fava_rebalance.core.recent import Purchase, RealizedLoss, window_around
from fava_rebalance.core.review import Review, review_of
from fava_rebalance.core.valuation import Holding, value_positions

NO_HOLDINGS = "no-holdings"
NO_TARGETS = "no-targets"
NOTHING_CATEGORIZED = "nothing-categorized"


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

    def review_on(self, date: datetime.date) -> Review:
        """The review calendar as of ``date`` (SPEC §5.1): last rebalance, next review, pending."""
        targets = self.declarations.targets
        return review_of(self.rebalances, self.declarations.as_of(date).options.review,
                         targets[0].date if targets else None, date)

    @property
    def last_date(self) -> datetime.date | None:
        """Date of the last entry, or ``None`` for an empty ledger."""
        return self.entries[-1].date if self.entries else None

    def price_on(self, commodity: str, currency: str, date: datetime.date) -> Decimal | None:
        """The latest price of ``commodity`` in ``currency`` on or before ``date`` (no conversion)."""
        fava_lookup = getattr(self.price_map, "get_price_point", None)
        if fava_lookup is not None:  # Fava's FavaPriceMap
            found = fava_lookup((commodity, currency), date)
        else:
            found = bc_prices.get_price(self.price_map, (commodity, currency), date)
        rate = found[1]
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
) -> Report:
    """The rebalancing report as of ``date``.

    ``entries`` replaces the ledger's entries for holdings (Fava passes its filtered ones);
    ``account_match`` narrows which accounts count (Fava's account filter). The wash-sale
    window (``purchases``, ``realized_losses``) always reads every entry of every account: it
    is the same taxpayer's, whatever the portfolio's scope or the filters.
    """
    declarations = ledger.declarations
    settings = declarations.as_of(date)
    options = settings.options
    in_portfolio = settings.in_portfolio
    if account_match is not None:
        base = in_portfolio

        def in_portfolio(account: str) -> bool:
            return base(account) and account_match(account)

    positions = positions_as_of(ledger.entries if entries is None else entries, date, in_portfolio)
    window = window_around(ledger.entries, date, ledger.price_on)
    book = ledger.price_book(options.currency, date)
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
        review=ledger.review_on(date),
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
