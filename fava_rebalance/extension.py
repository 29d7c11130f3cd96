"""The Rebalance tab in Fava: a thin ``FavaExtensionBase`` over the core library.

Enable it with ``2020-01-01 custom "fava-extension" "fava_rebalance"``. The page is
``/<ledger>/extension/Rebalance/``; its downloads are the endpoints ``report.csv``,
``trades.csv``, ``report.xlsx``, ``report.json`` and ``plan.beancount`` beside it, with the
same filters, cash input and figures. ``history`` is the drift history's section (HTML),
which ``Rebalance.js`` fetches once the page is shown. A ledger with several portfolios
shows one at a time (``?portfolio=NAME``, default ``Main``), with a switcher listing them
all (``tab.switcher``); the downloads, the history section and the cash form keep the
portfolio.

Per ledger load (``after_load_file``) it reads the declarations and builds the price map
from *all* entries; per request it takes Fava's filters and the report date
(``tab.scope``; the time filter sets the date, the holdings come from the whole history),
and computes one ``Report`` per scope and one trade ``Plan`` per scope and cash flow
(``tab.cash_input``), each kept in a ``ReportCache`` of the current load (computed outside
its lock, and never remembered from a load that a reload has replaced).
Nothing here raises into Fava: a problem becomes a message on the page.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from beancount.core import data
from fava.application import url_for as fava_url_for
from fava.context import g
from fava.ext import FavaExtensionBase, extension_endpoint
from fava.helpers import FavaAPIError
from flask import Response, current_app, request

from fava_rebalance.core.beginnings import Beginnings, ledger_beginnings
from fava_rebalance.core.history import (
    History,
    drift_history_of,
    first_date,
    outside_now,
    outside_since,
    since_first,
)
from fava_rebalance.core.limits import FIRST_DATE, LAST_DATE, date_problem
from fava_rebalance.core.pipeline import Ledger, Report, analyse_portfolios
from fava_rebalance.core.portfolios import MAIN, unknown_portfolio_message
from fava_rebalance.planner import CashAccounts, CashFlow, Plan, PlanRequest, cash_accounts, plan_request
from fava_rebalance.tab.cache import ReportCache
from fava_rebalance.tab.cash_input import CASH, read_cash
from fava_rebalance.tab.downloads import Render, drift_csv, json_text, ledger_entries, trades_csv, workbook
from fava_rebalance.tab.filtered import filtered_note, is_filtered
from fava_rebalance.tab.history_chart import chart_width
from fava_rebalance.tab.history_page import HistoryView, build_history_view, chart_range
from fava_rebalance.tab.incognito import masked_page
from fava_rebalance.tab.page import (
    NumberFormat,
    Numbers,
    Page,
    Panel,
    build_page,
    locale_number_format,
    with_panels,
)
from fava_rebalance.tab.plan_page import PlanView, build_plan_view, cash_form
from fava_rebalance.tab.scope import RequestScope, account_matcher, scope_of
from fava_rebalance.tab.switcher import PORTFOLIO, Switcher, build_switcher

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger

LOG = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_TEMPLATE = "_rebalance_plan.html"
FORM_FILTERS = ("time", "account", "filter", "conversion", PORTFOLIO)  # carried by the cash form


class ReportUnavailable(Exception):
    """The report cannot be computed; the message says why, in plain words."""


class BadRequest(ReportUnavailable):
    """The user's input cannot be used, not a bug (HTTP 400 for a download)."""


class BadFilter(BadRequest):
    """The request's filters cannot be applied."""


class BadCash(BadRequest):
    """The cash input cannot be read, or no plan can be made for it."""


@dataclass(frozen=True)
class Loaded:
    """What is read once per ledger load."""

    ledger: Ledger
    number_format: NumberFormat
    generation: int = 0  # which load: the caches remember only the current one's results


@dataclass(frozen=True)
class PageResult:
    """The page, or the reason there is none (``problem``); the portfolio switcher, if several."""

    page: Page | None
    problem: str | None = None
    switcher: Switcher | None = None


def _incognito() -> bool:
    """Whether Fava runs with ``--incognito`` (its templates then mask every figure)."""
    return bool(current_app.config.get("INCOGNITO", False))


def _no_sniffing(response: Response) -> Response:
    """``response`` with ``X-Content-Type-Options: nosniff``.

    A message may echo the request's input (``cash=<script>…``): the browser must take it
    as the plain text it is labelled, never guess HTML from its content.
    """
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _message(text: str, status: int) -> Response:
    """A download's failure: ``text`` as plain text with HTTP ``status``, never sniffed."""
    return _no_sniffing(Response(text, status=status, mimetype="text/plain"))


_Handler = Callable[["Rebalance"], Response]


def _get(name: str) -> Callable[[_Handler], _Handler]:
    """Fava's ``extension_endpoint(name)`` (a GET endpoint), typed for mypy."""
    return cast(Callable[[_Handler], _Handler], extension_endpoint(name))


def _unexpected(exc: Exception, what: str = "The rebalance report") -> str:
    return (f"{what} could not be computed ({type(exc).__name__}: {exc}). "
            "This is a bug in fava_rebalance; the ledger itself may be fine. "
            "Fava's log has the details.")


def _resolved(names: Sequence[str], name: str) -> str:
    """Portfolio ``name`` among ``names`` (empty: ``Main``, or the first); ``BadFilter`` if none is."""
    wanted = name or (MAIN if MAIN in names else names[0])
    if wanted in names:
        return wanted
    message = unknown_portfolio_message(name, names)
    raise BadFilter(f"{message[0].upper()}{message[1:]}.")


def _chosen(reports: Sequence[Report], name: str) -> Report:
    """The report of portfolio ``name`` (empty: ``Main``, or the first); ``BadFilter`` if none is."""
    wanted = _resolved([r.portfolio for r in reports], name)
    return next(report for report in reports if report.portfolio == wanted)


def _file_part(name: str) -> str:
    """A portfolio name made safe for a download's file name (letters, digits, ``-`` and ``_``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "portfolio"


class Rebalance(FavaExtensionBase):
    """Drift from the target allocation, what to buy or sell, and downloads of the report."""

    report_title = "Rebalance"
    has_js_module = True

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._loaded: Loaded | None = None
        self._load_problem: str | None = "The ledger has not been read yet."
        self._reports: ReportCache[tuple[Report, ...]] = ReportCache()  # every portfolio's, per scope
        self._plans: ReportCache[PlanRequest] = ReportCache()
        self._histories: ReportCache[History] = ReportCache(8)
        self._generations = itertools.count(1)

    def after_load_file(self) -> None:
        """Read the declarations and the prices once per ledger load.

        The caches move to the new load first: a request still computing from the old
        declarations gets its answer, but it is not remembered for the new load.
        """
        generation = next(self._generations)
        self._reports.reset(generation)
        self._plans.reset(generation)
        self._histories.reset(generation)
        try:
            entries = cast(Sequence[data.Directive], self.ledger.all_entries)
            # Fava's own price map, built from all entries on this load: no second one.
            ledger = Ledger.from_entries(entries, cast(Mapping[str, Any], self.ledger.options),
                                         price_map=self.ledger.prices)
            self._loaded = Loaded(ledger, locale_number_format(self.ledger.fava_options.locale), generation)
            self._load_problem = None
        except Exception as exc:  # a bug must not stop Fava from loading the ledger
            LOG.exception("fava_rebalance: reading the ledger failed")
            self._load_problem = _unexpected(exc)
            self._loaded = None

    def _scope(self) -> RequestScope:
        return scope_of(request.args, g.filtered.end_date, datetime.date.today())

    def _entries(self, scope: RequestScope) -> Sequence[data.Directive]:
        """The entries under the account and advanced filters, without the time filter.

        The time filter gives the report date only. Fava replaces the entries before its
        period with flag-``S`` opening balances, which keep the lots but not the purchases
        the wash-sale check looks back 30 days for (``time=2026-11-20`` would hide them all).
        """
        filtered = self.ledger.get_filtered(account=scope.account, filter=scope.filter, time="")
        return cast(Sequence[data.Directive], filtered.entries)

    def _compute(self, loaded: Loaded, scope: RequestScope) -> tuple[Report, ...]:
        return analyse_portfolios(
            loaded.ledger,
            scope.date,
            entries=self._entries(scope),
            account_match=account_matcher(scope.account),
        )

    def _report(self) -> tuple[Loaded, RequestScope, Report]:
        """The report of this request's portfolio (its scope names the portfolio, resolved)."""
        loaded, scope, reports = self._portfolios()
        report = _chosen(reports, scope.portfolio)
        return loaded, replace(scope, portfolio=report.portfolio), report

    def _portfolios(self) -> tuple[Loaded, RequestScope, tuple[Report, ...]]:
        """Every portfolio's report for this request's filters, once per ledger load and scope."""
        loaded, scope = self._checked_scope()
        try:
            reports = self._every_report(loaded, scope)
        except Exception as exc:
            LOG.exception("fava_rebalance: computing the report failed")
            raise ReportUnavailable(_unexpected(exc)) from exc
        return loaded, scope, reports

    def _every_report(self, loaded: Loaded, scope: RequestScope) -> tuple[Report, ...]:
        """Every portfolio's report for ``scope``'s filters and date (its portfolio aside), once per load."""
        every = replace(scope, portfolio="")  # one computation for every portfolio
        return self._reports.get(every, lambda: self._compute(loaded, every), loaded.generation)

    def _checked_scope(self) -> tuple[Loaded, RequestScope]:
        """The ledger load and this request's scope; ``BadFilter`` when the filters cannot be used."""
        loaded = self._loaded
        if loaded is None:
            raise ReportUnavailable(self._load_problem or "The ledger has not been read yet.")
        try:
            scope = self._scope()  # Fava applies the request's filters here
        except FavaAPIError as exc:  # a bad time or filter expression
            raise BadFilter(f"Fava could not apply this page's filters: {exc.message}") from exc
        except OverflowError as exc:  # time=0001: Fava's period reaches before the year 1
            raise BadFilter(f"Fava could not apply this page's time filter: it reaches past the dates "
                            f"Python can hold; report dates from {FIRST_DATE} to {LAST_DATE} "
                            "are supported.") from exc
        except Exception as exc:  # Fava's own parsers raise on some values: time=2024-13, account=(
            raise BadFilter(f"Fava could not apply this page's filters: {exc}") from exc
        problem = date_problem(scope.date)
        if problem is not None:  # time=9999, time=0001-01-15: the report cannot look around it
            raise BadFilter(f"{problem[0].upper()}{problem[1:]}; choose a time filter inside them.")
        return loaded, scope

    def _history(self, loaded: Loaded, scope: RequestScope, first: datetime.date, every: str) -> History:
        """The drift history of this request's filters and portfolio, ``first`` to the report date, cached.

        ``scope.portfolio`` must be resolved (``_resolved``): it names the history's portfolio.
        """
        def compute() -> History:
            return drift_history_of(loaded.ledger, scope.date, first=first, every=every,
                                    entries=self._entries(scope),
                                    account_match=account_matcher(scope.account), portfolio=scope.portfolio)

        return self._histories.get((scope, first, every), compute, loaded.generation)

    def _since_history(self, loaded: Loaded, scope: RequestScope) -> History:
        """The monthly history since the portfolio's first target, for ``outside_since`` (SPEC §5.1)."""
        return self._history(loaded, scope, since_first(loaded.ledger, scope.date, scope.portfolio), "month")

    def _with_since(self, loaded: Loaded, scope: RequestScope, report: Report) -> Report:
        """``report`` with ``outside_since``, for the downloads that show it."""
        if not outside_now(report):
            return replace(report, outside_since={})
        return replace(report, outside_since=outside_since(self._since_history(loaded, scope).points))

    def _history_view(self) -> HistoryView:
        """The drift history's section for this request: the time filter's range, else the whole history.

        The portfolio is the page's (``?portfolio=``), resolved from the declarations alone: the
        section never waits for the report.
        """
        loaded, scope = self._checked_scope()
        names = loaded.ledger.declarations.portfolio_names
        scope = replace(scope, portfolio=_resolved(names, scope.portfolio))
        date_range = g.filtered.date_range
        entries = loaded.ledger.entries
        first = first_date(loaded.ledger, scope.date, scope.portfolio)
        start, every = chart_range(first, date_range.begin if date_range is not None else None,
                                   entries[0].date if entries else scope.date, scope.date)
        history = self._history(loaded, scope, start, every)
        found: Mapping[str, datetime.date] = {}
        if history.points and history.points[-1].outside:  # the same date and filters as the report's
            # From the cache: ``history`` itself when the chart's range is the monthly one since_first.
            found = outside_since(self._since_history(loaded, scope).points)
        return build_history_view(history, found, Numbers(loaded.number_format), incognito=_incognito(),
                                  width=chart_width(request.args.get("width")))

    def _plan(self, loaded: Loaded, scope: RequestScope, report: Report,
              flow: CashFlow | None) -> PlanRequest:
        """The trade plan for a report and cash flow, computed once per ledger load."""
        return self._plans.get((scope, flow), lambda: plan_request(report, loaded.ledger.declarations, flow),
                               loaded.generation)

    def _requested_plan(self, loaded: Loaded, scope: RequestScope, report: Report) -> Plan:
        """The plan for this request's cash input; ``BadCash`` when it cannot be read or planned.

        Without a cash input a plan that failed is still given (its ``errors`` say why), so
        the report itself can always be downloaded (``PlanRequest.refusal``).
        """
        cash = read_cash(request.args)
        if cash.problem is not None:
            raise BadCash(cash.problem)
        try:
            asked = self._plan(loaded, scope, report, cash.flow)
        except Exception as exc:
            LOG.exception("fava_rebalance: planning failed")
            raise ReportUnavailable(_unexpected(exc, "The trade plan")) from exc
        if asked.refusal is not None:
            raise BadCash(asked.refusal)
        return asked.plan

    def _page_path(self) -> str:
        """The tab's URL without its query string."""
        return fava_url_for("extension_report", extension_name=self.name).partition("?")[0]

    def _plan_view(self, loaded: Loaded, scope: RequestScope, report: Report) -> PlanView:
        """The planner's panel for this request; a problem becomes its message, never an error."""
        numbers = Numbers(loaded.number_format)
        cash = read_cash(request.args)
        asked = CASH in request.args  # the form always sends it, even empty
        plan, accounts, problem = None, None, cash.problem
        if asked and problem is None:
            try:
                found = self._plan(loaded, scope, report, cash.flow)
                plan, accounts = found.plan, found.accounts  # one household for both
            except Exception as exc:
                LOG.exception("fava_rebalance: planning failed")
                problem = _unexpected(exc, "The trade plan")
        if accounts is None:
            try:
                accounts = cash_accounts(report, loaded.ledger.declarations)
            except Exception:
                LOG.exception("fava_rebalance: listing the accounts for cash failed")
                accounts = CashAccounts((), None)
        hidden = [(name, request.args[name]) for name in FORM_FILTERS if request.args.get(name)]
        form = cash_form(self._page_path(), hidden, cash.text, cash.account, accounts, numbers)
        if not asked:
            return PlanView(report.currency, form, None, pending=True)
        try:
            return build_plan_view(report, form, plan, problem, numbers, loaded.ledger.declarations)
        except Exception as exc:
            LOG.exception("fava_rebalance: building the plan's panel failed")
            return build_plan_view(report, form, None, _unexpected(exc, "The trade plan"), numbers,
                                   loaded.ledger.declarations)

    def _beginnings(self, loaded: Loaded, scope: RequestScope, report: Report) -> Beginnings | None:
        """When the portfolio's targets and holdings begin, for a report that misses one of them."""
        if not report.missing:
            return None
        return ledger_beginnings(loaded.ledger, scope.date, self._entries(scope),
                                 account_matcher(scope.account))

    def _filtered(self, loaded: Loaded, scope: RequestScope, report: Report) -> str | None:
        """What a filtered view says about itself, with the whole portfolio's value (``tab.filtered``)."""
        if not is_filtered(scope):
            return None
        whole: Decimal | None
        try:
            unfiltered = self._every_report(loaded, replace(scope, account="", filter=""))
            whole = _chosen(unfiltered, scope.portfolio).total
        except Exception:
            LOG.exception("fava_rebalance: computing the whole portfolio for a filtered view failed")
            whole = None
        return filtered_note(scope, report.total, whole, report.currency, Numbers(loaded.number_format))

    def _switcher(self, loaded: Loaded, reports: Sequence[Report], current: str) -> Switcher | None:
        """The portfolio switcher: a link per portfolio, keeping Fava's filters (not the cash)."""
        numbers = Numbers(loaded.number_format)

        def url_of(name: str) -> str:
            return fava_url_for("extension_report", extension_name=self.name, **{PORTFOLIO: name})

        return build_switcher(reports, current, url_of, numbers.money, numbers.signed)

    def page(self) -> PageResult:
        """The page for this request (called once by the template)."""
        switcher = None
        try:
            loaded, scope, reports = self._portfolios()
            switcher = self._switcher(loaded, reports, scope.portfolio or _chosen(reports, "").portfolio)
            report = _chosen(reports, scope.portfolio)
            scope = replace(scope, portfolio=report.portfolio)
            page = build_page(report, loaded.ledger.declarations, loaded.number_format,
                              beginnings=self._beginnings(loaded, scope, report),
                              filtered=self._filtered(loaded, scope, report))
            if report.allocation.targeted:
                page = with_panels(page, Panel(PLAN_TEMPLATE, self._plan_view(loaded, scope, report)))
            return PageResult(masked_page(page) if _incognito() else page, switcher=switcher)
        except ReportUnavailable as exc:
            return PageResult(None, str(exc), switcher)
        except Exception as exc:
            LOG.exception("fava_rebalance: building the page failed")
            return PageResult(None, _unexpected(exc), switcher)

    def download_url(self, endpoint: str, *, cash: bool = True) -> str:
        """The URL of one of this extension's endpoints, with the page's filters and cash input.

        Fava's ``url_for`` copies ``time``, ``account``, ``filter`` and ``conversion`` from
        the request; the endpoint route cannot be named directly (its ``endpoint`` variable
        clashes with ``url_for``'s own first argument), so it is built from the page's URL.
        ``portfolio`` is added, and ``cash`` and ``cash_account`` (unless ``cash`` is false), so
        a download holds the plan on the page.
        """
        page_url = fava_url_for("extension_report", extension_name=self.name)
        path, _, query = page_url.partition("?")
        portfolio = (request.args.get(PORTFOLIO) or "").strip()
        extra = urlencode((*(((PORTFOLIO, portfolio),) if portfolio else ()),
                           *(read_cash(request.args).query if cash else ())))
        query = "&".join(part for part in (query, extra) if part)
        return f"{path}{endpoint}{'?' if query else ''}{query}"

    def _download(
        self,
        render: Render,
        name: str,
        mimetype: str,
        *,
        with_plan: bool = True,
        with_since: bool = False,
    ) -> Response:
        """``render(report, plan, masked, declarations)`` as a file ``name``; a plain-text message on failure.

        ``with_plan``: the plan for the request's cash input is computed (and must exist);
        ``with_since``: the report's ``outside_since`` is read from the drift history.
        """
        try:
            loaded, scope, report = self._report()
            plan = self._requested_plan(loaded, scope, report) if with_plan else None
            if with_since:
                report = self._with_since(loaded, scope, report)
            declarations = loaded.ledger.declarations  # the load the report was made from
            body = render(report, plan, _incognito(), declarations)
            if declarations.several_portfolios:  # the file says whose it is: rebalance-College-2026-11-20.csv
                name = name.replace("{date}", f"{_file_part(report.portfolio)}-{{date}}")
        except BadRequest as exc:
            return _message(str(exc), 400)
        except ReportUnavailable as exc:
            return _message(str(exc), 500)
        except Exception as exc:
            LOG.exception("fava_rebalance: rendering a download failed")
            return _message(_unexpected(exc), 500)
        response = _no_sniffing(Response(body, mimetype=mimetype))
        response.headers["Content-Disposition"] = f'attachment; filename="{name.format(date=report.date)}"'
        return response

    @_get("report.csv")
    def report_csv(self) -> Response:
        """The drift table as CSV (exact two-place figures, as on the page and the CLI)."""
        return self._download(drift_csv, "rebalance-{date}.csv", "text/csv",
                              with_plan=False)

    @_get("trades.csv")
    def trades_csv(self) -> Response:
        """The plan's orders for the request's cash input as CSV (the workbook's Trades sheet)."""
        return self._download(trades_csv, "rebalance-trades-{date}.csv", "text/csv")

    @_get("report.xlsx")
    def report_xlsx(self) -> Response:
        """The report and the plan as an Excel workbook (drift, moves, trades, tax, ...)."""
        return self._download(workbook, "rebalance-{date}.xlsx", XLSX)

    @_get("report.json")
    def report_json(self) -> Response:
        """The report and the plan as the CLI's JSON object (SPEC §3), ``outside_since`` included."""
        return self._download(json_text, "rebalance-{date}.json", "application/json", with_since=True)

    @_get("plan.beancount")
    def plan_beancount(self) -> Response:
        """The plan for the request's cash input as ledger entries (SPEC §5.3)."""
        return self._download(ledger_entries, "rebalance-{date}.beancount", "text/plain")

    @_get("history")
    def history(self) -> Response:
        """The drift history's section of the tab, as HTML (fetched by ``Rebalance.js``)."""
        try:
            view = self._history_view()
            template = self.jinja_env.get_template("_rebalance_history.html")
            body = template.render(history=view, extension=self)
        except BadRequest as exc:
            return _message(str(exc), 400)
        except ReportUnavailable as exc:
            return _message(str(exc), 500)
        except Exception as exc:
            LOG.exception("fava_rebalance: the drift history failed")
            return _message(_unexpected(exc, "The drift history"), 500)
        return _no_sniffing(Response(body, mimetype="text/html"))
