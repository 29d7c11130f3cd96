"""The report as an aligned text table for a terminal; ANSI colour only when asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from fava_rebalance.core.allocation import BUY, NONE, SELL
from fava_rebalance.core.band_deposit import deposit_sentences
from fava_rebalance.core.beginnings import Beginnings
from fava_rebalance.core.formatting import grouped, plain, signed, units
from fava_rebalance.core.pipeline import NO_HOLDINGS, Report
from fava_rebalance.planner.location import describe
from fava_rebalance.planner.model import LOT, Plan
from fava_rebalance.views.labels import (
    action_label,
    gain_known,
    glide_label,
    lot_words,
    saving_words,
    trade_term_label,
)
from fava_rebalance.views.moves_vs_plan import Comparison, change_words, compare
from fava_rebalance.views.plan_summary import plan_summary
from fava_rebalance.views.review_words import pending_words, review_line
from fava_rebalance.views.tax_terms import NO_TAX, PERCENT, TaxLine, has_terms, no_tax, percent, tax_lines

COLOURS = {BUY: "\x1b[32m", SELL: "\x1b[31m"}
GREY, BOLD, RESET = "\x1b[90m", "\x1b[1m", "\x1b[0m"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i])
              for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                         for i, c in enumerate(cells)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def tax_figure(line: TaxLine, currency: str) -> str:
    """A uk, ca or de tax line's figure: ``26.375%`` for a rate, ``1,234.50 GBP`` for an amount."""
    return percent(line.value) if line.kind == PERCENT else f"{grouped(line.value)} {currency}"


def _plan_lines(plan: Plan, currency: str, min_trade: Decimal, versus: Comparison | None,
                paint: Callable[[str, str], str]) -> list[str]:
    """What the plan does, trades, totals by account, tax, before/after and the location review."""
    out = [paint("Trades", BOLD), f"  {plan_summary(plan, min_trade, grouped, currency)}"]
    if versus is not None:
        out.append(f"  {versus.note}")
        if versus.differences:
            rows = [[d.category, change_words(d.move, grouped), change_words(d.plan, grouped)]
                    for d in versus.differences]
            table = _table(["Category", "Suggested move", "This plan"], rows, {1, 2})
            out.extend(f"  {line}" for line in table)
    if plan.cash is not None and plan.cash_account is not None:
        kind = "Deposit" if plan.cash.amount > 0 else "Withdrawal"
        out.append(f"  {kind} of {grouped(abs(plan.cash.amount))} {currency} in {plan.cash_account}")
    if plan.trades:
        rows = [[t.account, action_label(t.action), t.commodity, units(t.units), grouped(t.amount),
                 grouped(t.gain) if (t.term or t.lots) and gain_known(t) else "", trade_term_label(t)]
                for t in plan.trades]
        lines = _table(["Account", "Action", "Commodity", "Units", f"Amount ({currency})", "Gain", "Term"],
                       rows, {3, 4, 5})
        out.extend(lines[:2])
        for text, trade in zip(lines[2:], plan.trades, strict=True):
            out.append(paint(text, COLOURS.get(trade.action, GREY)))
            for lot in trade.lots:  # a US lot; outside the US what the rules matched the units with
                out.append(f"      {'lot ' if lot.match == LOT else ''}{lot_words(lot, grouped)}")
            out.append(f"      {trade.reason}")
    else:
        out.append("  No trades.")
    out.append("")
    if plan.accounts:
        out.append(paint("By account", BOLD))
        header = ["Account", "Status", "Cash before", "In/out", "Sold", "Bought", "Costs", "Cash after"]
        out.extend(_table(header, [[a.account, a.tax_status, grouped(a.cash_before), grouped(a.flow),
                                    grouped(a.sold), grouped(a.bought), grouped(a.costs),
                                    grouped(a.cash_after)] for a in plan.accounts], {2, 3, 4, 5, 6, 7}))
        out.append("")
    tax = plan.tax
    out.append(paint("Tax", BOLD))
    if no_tax(tax):
        out.append(f"  {NO_TAX}")
    elif not has_terms(tax):
        out.append(f"  Tax rules: {tax.rules}")
        out += [f"  {line.label}: {tax_figure(line, currency)}" for line in tax_lines(tax)]
    else:
        out.append(f"  Short-term gain {grouped(tax.short_term_gain)}, long-term gain "
                   f"{grouped(tax.long_term_gain)}, estimated tax {grouped(tax.estimated_tax)} {currency}")
    if tax.disallowed_loss and has_terms(tax):
        out.append(f"  Losses disallowed by wash sales: {grouped(tax.disallowed_loss)} {currency}")
    if tax.trade_costs:
        out.append(f"  Trading costs: {grouped(tax.trade_costs)} {currency}")
    if plan.alternatives:
        out.append("  Break-even, against other ways of doing it:")
    for alt in plan.alternatives:
        outside = ", ".join(alt.outside_band) or "none"
        orders = "1 order" if alt.trades == 1 else f"{alt.trades} orders"
        out.append(f"    {saving_words(alt, tax.estimated_tax, currency, grouped)}: {orders}, largest drift "
                   f"{plain(alt.largest_drift)} points, outside its band: {outside}")
    out.append("")
    if plan.after:
        out.append(paint("Before and after", BOLD))
        out.extend(_table(["Category", "Target %", "Before %", "After %", "Diff"],
                          [[r.category, plain(r.target), plain(r.percent_before), plain(r.percent),
                            signed(r.difference)] for r in plan.after], {1, 2, 3, 4}))
        out.append("")
    if plan.locations:
        out.append(paint("Asset location", BOLD))
        out.extend(f"  {describe(n, currency)}" for n in plan.locations)
        out.append("")
    return out


def _no_moves(report: Report, beginnings: Beginnings | None) -> str | None:
    """Instead of the moves, when there is nothing to rebalance: no targets, or nothing held."""
    held_later = beginnings.holdings_later(report.date) if beginnings is not None else None
    when = f" (the portfolio's first holding is on {held_later})" if held_later is not None else ""
    if not report.allocation.targeted:
        held = f"; nothing is held yet either{when}" if NO_HOLDINGS in report.missing else ""
        return f"No targets in force on {report.date}, so no moves{held}."
    if NO_HOLDINGS in report.missing:
        return (f"Nothing to rebalance yet: the portfolio holds nothing on {report.date}{when}. "
                "--cash AMOUNT plans what to buy first.")
    return None


def render(report: Report, plan: Plan | None = None, *, colour: bool = False,
           beginnings: Beginnings | None = None) -> str:
    """The three sections, the suggested moves, the plan if given, and the warnings.

    ``beginnings``: when the ledger's targets and holdings begin (``core.beginnings``), so a
    report dated before them says so rather than ask for lines the ledger has.
    """
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    cur = report.currency
    out = [paint(f"Portfolio value {grouped(report.total)} {cur} as of {report.date}", BOLD)]
    if report.review is not None:
        out += [line for line in (review_line(report.review), pending_words(report.review)) if line]
    out.append("")
    alloc = report.allocation
    out.append(paint("Categories with targets", BOLD))
    if alloc.targeted:
        rows = [[r.category, grouped(r.value), plain(r.percent), plain(r.target),
                 signed(r.difference), f"±{plain(r.band)}",
                 f"{action_label(r.action)} {grouped(r.amount)}" if r.action != NONE else action_label(NONE)]
                for r in alloc.targeted]
        lines = _table(["Category", f"Value ({cur})", "Current %", "Target %", "Diff", "Band", "Action"],
                       rows, {1, 2, 3, 4, 5})
        out.extend(lines[:2])
        for text, row in zip(lines[2:], alloc.targeted, strict=True):
            out.append(paint(text, COLOURS.get(row.action, GREY)))
        for name, target in sorted(report.settings.targets.items()):
            if target.glide is not None:
                out.append(f"  {name}: target {glide_label(target.glide)}.")
        out += [f"  {row.category} has been outside its band since {since} (monthly history)."
                for row in alloc.targeted if (since := report.since(row.category)) is not None]
    else:
        later = beginnings.targets_later(report.date) if beginnings is not None else None
        out.append(f"  (no targets yet on {report.date}: the ledger's first target is dated {later}; "
                   f"use --date {later} or later)" if later is not None else
                   "  (no targets: add custom \"rebalance-target\" \"Equities\" 60 and so on)")
    out.append("")
    if alloc.untargeted:
        out.append(paint("No target set", BOLD))
        out.extend(_table(["Category", f"Value ({cur})", "Current %"],
                          [[r.category, grouped(r.value), plain(r.percent)] for r in alloc.untargeted],
                          {1, 2}))
        out.append("")
    if alloc.uncategorized:
        out.append(paint("Uncategorized", BOLD))
        out.extend(_table(["Commodity", "Accounts", f"Value ({cur})", "Current %"],
                          [[r.commodity, ", ".join(r.accounts), grouped(r.value), plain(r.percent)]
                           for r in alloc.uncategorized], {2, 3}))
        out.append("")
    out.append(paint("Suggested moves", BOLD))
    no_moves = _no_moves(report, beginnings)
    if no_moves is not None:
        out.append(f"  {no_moves}")
    elif report.moves:
        out.extend(f"  {m}" for m in report.moves_text)
    else:
        out.append("  Nothing to do: every category is within its band.")
    if no_moves is None:
        out.extend(f"  {line}" for line in deposit_sentences(report.cash_needed, report.band_deposit, cur))
    problems = [*(e.describe() for e in report.errors), *report.warnings]
    if plan is not None:
        out.append("")
        versus = compare(report.suggested, plan, grouped, cur)
        out.extend(_plan_lines(plan, cur, report.settings.options.min_trade, versus, paint))
        problems += [*(e.message for e in plan.errors), *plan.warnings]
    if problems:
        out.append("")
        out.append(paint("Warnings", BOLD))
        out.extend(f"  - {w}" for w in problems)
    return "\n".join(out) + "\n"
