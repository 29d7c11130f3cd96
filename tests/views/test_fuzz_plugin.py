"""Fuzz the bean-check plugin and the report with hypothesis-generated ledgers.

Every ledger is text a user could write: commodities and accounts whose rebalancing
metadata is drawn from valid, odd and hostile values (asset-class strings with quotes,
backslashes, newlines, ``%`` and ``,`` in odd places; split percentages that do not add up;
targets and options of every value type; unknown tax statuses), plus holdings (long and
short, huge and tiny) and prices. Whatever the input:

- the plugin never raises, returns the very same entries, and each of its errors carries a
  ``source`` whose ``filename`` is the ledger's and whose integer ``lineno`` is the first
  line of a directive of the generated text, and prints through Beancount's printer as
  ``bean-check`` prints it (``custom`` directives with no values, whose ``values`` is
  ``None``, and metadata keys with no value, ``None``, are drawn often);
- ``bean-rebalance`` on the ledger's file never crashes: exit status 0, or 1 with every
  error on stderr as ``file:line: message``;
- ``analyse`` (the report every view shows) never raises, at any date, and the report
  serialises to the CLI's JSON.

Examples are derandomized (the same on every run, so CI is stable) and few enough that the
whole file runs in a few seconds; ``FUZZ_EXAMPLES=3000 FUZZ_RANDOM=1`` hunts longer.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import printer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beancount_plugins.rebalance import rebalance
from fava_rebalance.cli import main
from fava_rebalance.core.options import PARSERS
from fava_rebalance.core.pipeline import Ledger, analyse_portfolios
from fava_rebalance.views.serialize import report_to_dict

# FUZZ_EXAMPLES=3000 FUZZ_RANDOM=1 pytest tests/test_fuzz_plugin.py: a longer, random hunt.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The command line also plans trades (a solver run per ledger): fewer examples.
CLI_FUZZ = settings(FUZZ, max_examples=max(FUZZ.max_examples // 4, 1))
DIRECTIVE_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} ")
DATES = [datetime.date(2019, 12, 31), datetime.date(2020, 6, 1), datetime.date(2021, 1, 1),
         datetime.date(2030, 1, 1)]


def quoted(text: str) -> str:
    """``text`` as a Beancount string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- values ---------------------------------------------------------------------------------

HOSTILE_CHARS = st.sampled_from(
    [*list('abcXYZ :,%%"\\\n\t -_.0123456789'), "é", "Ω", "😀", "\u202e", "\x00", "\xa0", "ß"])
hostile_text = st.text(HOSTILE_CHARS, max_size=24)
category_name = st.one_of(
    st.sampled_from(["Equities", "Bonds", "Cash", "Equities:US", "Equities:Intl", "Bonds:TIPS",
                     "Real Estate", "équités", "Equities::US", ":Bonds", "Bonds:", "  Cash  "]),
    hostile_text,
)
percent_text = st.one_of(
    st.sampled_from(["60", "40", "100", "0", "-5", "33.3333", "1e2", "1_0", ".5", "100.0000001",
                     "nan", "Infinity", "99999999999999999999999999999", ""]),
    st.integers(-200, 300).map(str),
)


@st.composite
def asset_class_text(draw: st.DrawFn) -> str:
    """An ``asset-class`` string: a name, a split, or something in between."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(category_name)
    if kind == 1:
        return draw(hostile_text)
    parts = draw(st.lists(st.tuples(category_name, percent_text), min_size=1, max_size=4))
    sep = draw(st.sampled_from([", ", ",", " , ", ";", ",,"]))
    return sep.join(f"{name} {pct}%" for name, pct in parts)


number = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["0", "100", "60", "40", "0.000000001", "1e-9", "123456789012345678901234567890",
                     "-0", "99.999", "100.01", "(50 + 50)", "10 / 3", "-1"]),
)


@st.composite
def meta_value(draw: st.DrawFn) -> str:
    """A metadata value of any Beancount type, as source text."""
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return quoted(draw(hostile_text))
    if kind == 1:
        return quoted(draw(asset_class_text()))
    if kind == 2:
        return draw(number)
    if kind == 3:
        return draw(st.sampled_from(["TRUE", "FALSE"]))
    if kind == 4:
        return draw(st.sampled_from(["2020-01-01", "12.50 USD", "USD", "Assets:Cash", "#tag"]))
    if kind == 5 and draw(st.booleans()):
        return ""  # ``key:`` with nothing after it: the value is None
    if kind == 5:
        return quoted(draw(st.sampled_from(["taxable", "IRA", " roth ", "tax-free", "taxdeferred", "401K",
                                            "", "hsa", "tax-deferred"])))
    return quoted(draw(st.sampled_from(["VTI, BND", "VTI", ",", "", "C0, C1, C0"])))


custom_value = st.one_of(meta_value(), st.sampled_from(['"Equities"', '"Bonds"', '"Cash"', "50", "60", "40"]))
# A custom directive's values: often none at all (Beancount parses that as ``values=None``).
custom_values = st.one_of(st.just([]), st.lists(custom_value.filter(bool), max_size=3))
option_name = st.one_of(st.sampled_from(sorted(PARSERS)), st.sampled_from(["Band", "bands", ""]),
                        hostile_text)


@st.composite
def option_value(draw: st.DrawFn, name: str) -> str:
    """A value for option ``name``: usually of the right type, sometimes anything."""
    if draw(st.booleans()):
        return draw(meta_value())
    return {
        "accounts": quoted(draw(st.sampled_from(["^Assets:", "^Assets:Invest", "(", "[a-", ".*", "",
                                                 "^Nothing$"]))),
        "currency": quoted(draw(st.sampled_from(["USD", "EUR", "usd", "XYZ", "", "US D"]))),
        "max-drift-error": draw(st.sampled_from(["TRUE", "FALSE", '"TRUE"', '"yes"'])),
        "harvest": draw(st.sampled_from(["TRUE", "FALSE", '"false"'])),
    }.get(name, draw(number))


ACCOUNTS = ["Assets:Invest:A0", "Assets:Invest:A1", "Assets:Invest", "Assets:Invest:A0:Sub",
            "Assets:Invest:Épargne", "Assets:Invest:401k", "Assets:Bank:Cash", "Liabilities:Margin",
            "Assets:Invest:A0:B:C:D:E"]
meta_keys_commodity = ["asset-class", "rebalance-target", "rebalance-buy", "rebalance-sell", "fractional",
                       "substantially-identical", "a__substidenticals", "asset_allocation_Equities",
                       "asset_allocation_Bonds_US", "asset_allocation_"]
meta_keys_open = ["asset-class", "rebalance-target", "tax-status", "rebalance", "rebalance-sell", "portfolio"]
portfolio_value = st.sampled_from(['"College"', '"Main"', '"Kids"', '""', '" College "', "5", '"<b>&"'])


@st.composite
def metadata(draw: st.DrawFn, keys: list[str]) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
    lines = []
    for key in chosen:
        if key == "asset-class":
            value = quoted(draw(asset_class_text()))
        elif key == "tax-status" and draw(st.booleans()):
            value = quoted(draw(st.sampled_from(["taxable", "ira", "Roth", "401k", "brokerage", "bogus"])))
        elif key == "portfolio" and draw(st.booleans()):
            value = draw(portfolio_value)
        else:
            value = draw(meta_value())
        lines.append(f"  {key}: {value}")
    return lines


@st.composite
def ledgers(draw: st.DrawFn) -> str:
    """A whole ledger, as text, with the plugin line."""
    commodities = [f"C{i}" for i in range(draw(st.integers(1, 4)))]
    accounts = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3, unique=True))
    lines = ['option "operating_currency" "USD"', 'plugin "beancount_plugins.rebalance"',
             "2020-01-01 commodity USD"]
    for currency in commodities:
        lines.append(f"2020-01-01 commodity {currency}")
        lines += draw(metadata(meta_keys_commodity))
    lines.append("2020-01-01 open Equity:Opening")
    if draw(st.booleans()):  # a pad and a balance: the drift check pads a copy of the entries
        lines.append(f"2020-01-01 pad {accounts[0]} Equity:Opening")
        lines.append(f"2020-01-05 balance {accounts[0]} {draw(st.sampled_from(['100', '0', '-5']))} USD")
    for account in accounts:
        lines.append(f"2020-01-01 open {account}")
        lines += draw(metadata(meta_keys_open))
    for _ in range(draw(st.integers(0, 5))):
        day = draw(st.sampled_from(["2019-06-01", "2020-01-01", "2020-06-01", "2021-01-01"]))
        values = draw(custom_values)
        name = draw(st.sampled_from(["Equities", "Bonds", "Cash", "C0", "Equities:US", "Nothing"]))
        if draw(st.booleans()):
            values = [quoted(draw(category_name) if draw(st.booleans()) else name), draw(number)]
        lines.append(f'{day} custom "rebalance-target" ' + " ".join(values))
        if draw(st.integers(0, 2)) == 0:  # scoped to a portfolio (one the opens may not name)
            lines.append(f"  portfolio: {draw(portfolio_value)}")
    for _ in range(draw(st.integers(0, 4))):
        day = draw(st.sampled_from(["2019-06-01", "2020-01-01", "2020-06-01"]))
        name = draw(option_name)
        values = [quoted(name), draw(option_value(name))]
        if draw(st.integers(0, 9)) == 0:
            values = draw(custom_values)
        lines.append(f'{day} custom "rebalance-option" ' + " ".join(values))
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"  portfolio: {draw(portfolio_value)}")
    if draw(st.booleans()):
        values = draw(custom_values)
        lines.append('2020-01-01 custom "rebalance-location" ' + " ".join(values))
    units = st.sampled_from(["1", "10", "-5", "0.000001", "123456789012345", "-100000000000", "3.333"])
    price = st.sampled_from(["1", "100.25", "0.0000001", "98765432109876", "0"])
    for index in range(draw(st.integers(0, 5))):
        currency = draw(st.sampled_from([*commodities, "USD"]))
        account = draw(st.sampled_from(accounts))
        n = draw(units)
        cost = f" {{{draw(price)} USD}}" if currency != "USD" and draw(st.booleans()) else ""
        lines.append(f'2020-02-{index + 1:02d} * "trade {index}"')
        lines.append(f"  {account}  {n} {currency}{cost}")
        lines.append("  Equity:Opening")
    for currency in commodities:
        if draw(st.booleans()):
            lines.append(f"2020-03-01 price {currency} {draw(price)} USD")
    if draw(st.booleans()):
        lines.append(f"2020-04-01 close {draw(st.sampled_from(accounts))}")
    return "\n".join(lines) + "\n"


# -- properties ------------------------------------------------------------------------------


def crashed_here(load_errors: list[object]) -> list[str]:
    """Tracebacks of our plugin (Beancount's own plugins may crash on odd input, e.g. a
    ``custom`` with no values; that is not ours to test)."""
    return [e.message for e in load_errors  # type: ignore[attr-defined]
            if 'Error applying plugin "beancount_plugins.rebalance"' in e.message]  # type: ignore[attr-defined]


def check_errors_located(errors: list[object], text: str) -> None:
    lines = text.split("\n")
    for err in errors:
        source = getattr(err, "source", None)
        assert isinstance(source, dict), err
        assert source.get("filename") == "<string>", source
        lineno = source.get("lineno")
        assert isinstance(lineno, int), source
        assert not isinstance(lineno, bool), source
        assert 1 <= lineno <= len(lines), (lineno, len(lines))
        where = (lineno, lines[lineno - 1], getattr(err, "message", ""))
        assert DIRECTIVE_LINE.match(lines[lineno - 1]), where
        assert isinstance(getattr(err, "message", None), str)
        assert err.message
        # bean-check prints each error with Beancount's printer, directive and all.
        assert printer.format_error(err).startswith(f"<string>:{lineno}: "), err


@FUZZ
@given(ledgers())
def test_plugin_never_raises_and_locates_every_error(text: str) -> None:
    entries, load_errors, options_map = loader.load_string(text)
    assert not crashed_here(load_errors)
    snapshot = list(entries)
    out, errors = rebalance(entries, options_map)
    assert out is entries
    assert len(out) == len(snapshot)
    assert all(a is b for a, b in zip(out, snapshot, strict=True))
    check_errors_located(list(errors), text)


@FUZZ
@given(ledgers(), st.sampled_from(DATES))
def test_report_never_raises(text: str, date: datetime.date) -> None:
    entries, _, options_map = loader.load_string(text)
    ledger = Ledger.from_entries(entries, options_map)
    reports = analyse_portfolios(ledger, date)
    assert [r.portfolio for r in reports] == list(ledger.declarations.portfolio_names)
    for report in reports:
        as_json = report_to_dict(report)
        assert as_json["date"] == date.isoformat()
        assert isinstance(report.total, Decimal)
        for row in report.allocation.targeted:
            assert row.action in ("buy", "sell", "none")
        for warning in report.warnings:
            assert isinstance(warning, str)
            assert warning


@FUZZ
@given(ledgers())
def test_plugin_with_drift_check_never_raises(text: str) -> None:
    text += '2020-01-01 custom "rebalance-option" "max-drift-error" TRUE\n'
    entries, load_errors, options_map = loader.load_string(text)
    assert not crashed_here(load_errors)
    out, errors = rebalance(entries, options_map)
    assert out is entries
    check_errors_located(list(errors), text)
    assert all(isinstance(e.entry, data.ALL_DIRECTIVES) or e.entry is None for e in errors)


@CLI_FUZZ
@given(ledgers(), st.sampled_from(DATES), st.sampled_from(["json", "csv"]))
def test_cli_never_crashes(text: str, date: datetime.date, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.beancount"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = main([str(path), "--date", date.isoformat(), "--format", fmt])
    assert status in (0, 1), err.getvalue()
    if fmt == "json":
        doc = json.loads(out.getvalue())
        for one in doc.get("portfolios", [doc]):  # several portfolios: each one
            assert one["date"] == date.isoformat()
    for line in err.getvalue().splitlines():
        # ledger errors at file:line (Beancount's own plugin failures at <load>), plan errors
        assert line.startswith((f"{path}:", "<load>:", "bean-rebalance: ")), line
