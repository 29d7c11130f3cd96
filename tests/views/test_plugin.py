"""SPEC §4: the bean-check plugin reports each problem at its directive and changes no entry."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from beancount import loader

from beancount_plugins.rebalance import rebalance
from fava_rebalance.core.errors import RebalanceError

PLUGIN = 'plugin "beancount_plugins.rebalance"\n'

# A valid base: everything declared, targets add up to 100.
BASE = """
option "operating_currency" "USD"
2010-01-01 commodity VTI
  asset-class: "Equities"
2010-01-01 commodity BND
  asset-class: "Bonds"
2010-01-01 open Assets:Invest:Taxable
2010-01-01 open Equity:Opening
2024-01-01 custom "rebalance-target" "Equities" 60
2024-01-01 custom "rebalance-target" "Bonds" 40
2024-01-02 * "buy"
  Assets:Invest:Taxable  600 VTI {100 USD}
  Assets:Invest:Taxable  400 BND {100 USD}
  Equity:Opening
2024-01-02 price VTI 100 USD
2024-01-02 price BND 100 USD
"""


def _check(text: str) -> list[RebalanceError]:
    """Load ``text`` with the plugin line at the end (so line numbers match the text) and
    return the plugin's errors, after checking that the entries equal those loaded without it."""
    text = dedent(text)
    with_plugin, errors, _ = loader.load_string(text + PLUGIN)
    without, plain_errors, _ = loader.load_string(text)
    assert plain_errors == [], [e.message for e in plain_errors]
    assert with_plugin == without  # passed through unchanged
    assert all(isinstance(e, RebalanceError) for e in errors), [e.message for e in errors]
    return errors


def _at(errors: list[RebalanceError]) -> list[tuple[int, str]]:
    return sorted((e.source["lineno"], e.message) for e in errors)


def test_valid_ledger_has_no_errors() -> None:
    assert _check(BASE) == []


def test_plugin_returns_the_same_list_object(load) -> None:
    entries, _, options_map = load(BASE)
    out, errors = rebalance(entries, options_map)
    assert out is entries
    assert errors == []
    out, _ = rebalance(entries, options_map, "ignored config")  # a config string is accepted
    assert out is entries


def lineno_of(text: str, needle: str) -> int:
    """1-based line of the only line of ``dedent(text)`` containing ``needle`` (from the test's text)."""
    lines = dedent(text).splitlines()
    found = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def _one_error(text: str, needle: str, says: str) -> RebalanceError:
    errors = _check(text)
    assert len(errors) == 1, _at(errors)
    [err] = errors
    assert err.source["lineno"] == lineno_of(text, needle)
    assert err.source["filename"] == "<string>"
    assert says in err.message, err.message
    assert err.entry is not None
    return err


def test_split_not_adding_to_100() -> None:
    text = BASE + '2010-01-01 commodity VBIAX\n  asset-class: "Equities 60%, Bonds 30%"\n'
    _one_error(text, "commodity VBIAX", "adds up to 90%")  # 60 + 30


def test_malformed_asset_class_on_an_account() -> None:
    text = BASE + '2010-01-01 open Assets:Invest:IRA\n  asset-class: "Equities 60, Bonds 40"\n'
    _one_error(text, "open Assets:Invest:IRA", "malformed")


def test_asset_class_not_a_string() -> None:
    text = BASE + "2010-01-01 commodity XX\n  asset-class: 60\n"
    _one_error(text, "commodity XX", "string")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('"sixty"', "not 'sixty'"),
        ("101", "not 101"),
        ("-5", "not -5"),
        ("TRUE", "not True"),
    ],
)
def test_target_not_a_number_in_0_to_100(value: str, says: str) -> None:
    text = BASE.replace('"Bonds" 40', f'"Bonds" {value}')
    errors = _check(text)
    # The bad target at its line; Bonds then has no target, so those in force are Equities' 60
    # alone, which is also reported (at the Equities target, the only one in force that day).
    bonds, equities = lineno_of(text, '"rebalance-target" "Bonds"'), lineno_of(text, '"Equities" 60')
    assert [(line, says in msg, "0 to 100" in msg, "add up to 60%" in msg) for line, msg in _at(errors)] == [
        (equities, False, False, True),
        (bonds, True, True, False),
    ]


def test_target_shortcut_not_a_number() -> None:
    text = BASE + '2010-01-01 commodity GLD\n  rebalance-target: "ten"\n'
    errors = _check(text)
    line = lineno_of(text, "commodity GLD")
    assert [e.source["lineno"] for e in errors if "rebalance-target" in e.message] == [line]


def test_targets_in_force_not_adding_to_100() -> None:
    text = BASE.replace('"Bonds" 40', '"Bonds" 30')
    # 60 + 30 = 90; reported at the last target of that date (the Bonds line).
    _one_error(text, '"Bonds" 30', "add up to 90%")


def test_targets_fixed_later_report_only_the_bad_date() -> None:
    text = BASE.replace('"Bonds" 40', '"Bonds" 30') + (
        '2025-01-01 custom "rebalance-target" "Bonds" 40\n'
        '2026-01-01 custom "rebalance-target" "Equities" 70\n')
    errors = _check(text)
    # 2024: 60 + 30 = 90 (bad); 2025: 60 + 40 = 100 (fine); 2026: 70 + 40 = 110 (bad).
    assert [(e.source["lineno"], "90%" in e.message, "110%" in e.message) for e in errors] == [
        (lineno_of(text, '"Bonds" 30'), True, False),
        (lineno_of(text, '"Equities" 70'), False, True),
    ]


def test_targets_within_a_hundredth_are_fine() -> None:
    text = BASE.replace('"Bonds" 40', '"Bonds" 39.99')  # 60 + 39.99 = 99.99: within 0.01
    assert _check(text) == []
    text = BASE.replace('"Bonds" 40', '"Bonds" 39.98')  # 99.98: off by 0.02
    _one_error(text, '"Bonds" 39.98', "99.98%")


def test_unknown_option() -> None:
    text = BASE + '2024-01-01 custom "rebalance-option" "bandwidth" 5\n'
    _one_error(text, '"bandwidth"', "unknown rebalance-option 'bandwidth'")


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("band", '"five"', "needs a number"),
        ("band", "150", "at most 100"),
        ("min-trade", "-1", "at least 0"),
        ("max-drift-error", "1", "TRUE or FALSE"),
        ("accounts", '"^Assets:("', "not a valid regular expression"),
        ("accounts", '"^Assets:(?=Invest)"', "refused: invalid perl operator: (?="),
        ("currency", '"dollars"', "currency"),
    ],
)
def test_bad_option_value(name: str, value: str, says: str) -> None:
    text = BASE + f'2024-01-01 custom "rebalance-option" "{name}" {value}\n'
    _one_error(text, f'"rebalance-option" "{name}"', says)


def test_option_without_a_value() -> None:
    text = BASE + '2024-01-01 custom "rebalance-option" "band"\n'
    _one_error(text, '"rebalance-option" "band"', "needs a name and a value")


def test_unknown_tax_status() -> None:
    text = BASE + '2010-01-01 open Assets:Invest:Pension\n  tax-status: "pension"\n'
    _one_error(text, "open Assets:Invest:Pension", "unknown tax-status 'pension'")


def test_target_for_an_undeclared_category() -> None:
    # Typo: Bond for Bonds. Only the typo is at fault: the sum is still 60 + 40 = 100.
    text = BASE.replace('"rebalance-target" "Bonds"', '"rebalance-target" "Bond"')
    _one_error(text, '"Bond" 40', "'Bond'")


def test_declared_category_holding_nothing_is_fine() -> None:
    text = BASE.replace('"Bonds" 40', '"Bonds" 30') + (
        '2010-01-01 commodity VMFXX\n  asset-class: "Cash"\n'
        '2024-01-01 custom "rebalance-target" "Cash" 10\n')
    assert _check(text) == []  # 60 + 30 + 10 = 100; Cash is declared by VMFXX, held or not


def test_target_on_a_parent_of_a_declared_class_is_declared() -> None:
    text = BASE.replace('asset-class: "Equities"', 'asset-class: "Equities:US"')
    assert _check(text) == []  # Equities is an ancestor of the declared Equities:US


def test_targets_on_a_category_and_its_ancestor() -> None:
    # A 0% target on the child keeps the sum at 60 + 40 + 0 = 100, so only the overlap is wrong.
    text = BASE.replace('asset-class: "Equities"', 'asset-class: "Equities:US"') + (
        '2024-06-01 custom "rebalance-target" "Equities:US" 0\n')
    # Reported at the later of the two (the Equities:US target).
    _one_error(text, '"Equities:US" 0', "parent 'Equities'")


def test_split_target_shortcut() -> None:
    text = BASE + (
        '2010-01-01 commodity VBIAX\n  asset-class: "Equities 60%, Bonds 40%"\n  rebalance-target: 5\n')
    _one_error(text, "commodity VBIAX", "split")


def test_bad_flag_value() -> None:
    text = BASE + '2010-01-01 open Assets:Home\n  rebalance: "no"\n'
    _one_error(text, "open Assets:Home", "TRUE or FALSE")


def test_bad_location() -> None:
    text = BASE + '2024-01-01 custom "rebalance-location" "Bonds" "offshore"\n'
    _one_error(text, '"offshore"', "unknown account type 'offshore'")


def test_several_errors_each_at_its_line() -> None:
    text = BASE + (
        '2010-01-01 commodity VBIAX\n  asset-class: "Equities 50%, Bonds 40%"\n'
        '2010-01-01 open Assets:Invest:Roth\n  tax-status: "roth-ish"\n'
        '2024-01-01 custom "rebalance-option" "colour" "red"\n')
    errors = _check(text)
    assert [line for line, _ in _at(errors)] == [
        lineno_of(text, "commodity VBIAX"),
        lineno_of(text, "open Assets:Invest:Roth"),
        lineno_of(text, '"colour"'),
    ]


def test_line_numbers_are_the_directive_lines_literally() -> None:
    # Counted by hand: 1 option, 2 commodity VTI, 3 its class, 4 commodity VBIAX, 5 its bad split,
    # 6 the target. Only VBIAX (line 4) is at fault.
    text = (
        'option "operating_currency" "USD"\n'
        '2010-01-01 commodity VTI\n'
        '  asset-class: "Equities"\n'
        '2010-01-01 commodity VBIAX\n'
        '  asset-class: "Equities 60%, Bonds 30%"\n'
        '2024-01-01 custom "rebalance-target" "Equities" 100\n'
    )
    assert [e.source["lineno"] for e in _check(text)] == [4]


# Drift gate: BASE is 60,000 / 40,000 of 100,000, exactly on target. A later price moves VTI.
DRIFT = BASE + '2024-01-01 custom "rebalance-option" "max-drift-error" TRUE\n' + \
    '2024-01-01 custom "rebalance-option" "band" 5\n'


def test_drift_gate_passes_inside_the_band() -> None:
    # VTI 110: 66,000 / 106,000 = 62.26% (diff +2.26 ≤ 5); Bonds 37.74% (diff −2.26).
    assert _check(DRIFT + "2024-03-01 price VTI 110 USD\n") == []


def test_drift_gate_passes_exactly_on_the_band_edge() -> None:
    # VTI 130 → 78,000, BND 105 → 42,000: 78,000 / 120,000 = 65.00%, diff +5.00 = band → inside
    # (the band is inclusive); Bonds 35.00%, diff −5.00 → inside.
    text = DRIFT + "2024-03-01 price VTI 130 USD\n2024-03-01 price BND 105 USD\n"
    assert _check(text) == []


def test_drift_gate_fails_outside_the_band() -> None:
    # VTI 131 → 78,600; BND 105 → 42,000; total 120,600; 78,600 / 120,600 = 65.17%: diff +5.17 > 5.
    # Bonds: 42,000 / 120,600 = 34.83%, diff −5.17: also outside.
    text = DRIFT + "2024-03-01 price VTI 131 USD\n2024-03-01 price BND 105 USD\n"
    errors = _check(text)
    assert _at(errors) == [
        (lineno_of(text, '"Equities" 60'),
         "Equities has drifted out of its band on 2024-03-01: 65.17% held, target 60.00% ± 5.00; "
         "sell 6240.00 USD"),  # 78,600 − 60% × 120,600 = 78,600 − 72,360 = 6,240
        (lineno_of(text, '"Bonds" 40'),
         "Bonds has drifted out of its band on 2024-03-01: 34.83% held, target 40.00% ± 5.00; "
         "buy 6240.00 USD"),  # 40% × 120,600 = 48,240 − 42,000 = 6,240
    ]


def test_drift_gate_off_by_default() -> None:
    text = BASE + "2024-01-01 custom \"rebalance-option\" \"band\" 5\n2024-03-01 price VTI 131 USD\n"
    assert _check(text) == []


def test_drift_gate_uses_the_last_date_in_the_ledger() -> None:
    # Out of band on 2024-03-01, back on target on 2024-04-01 (the last entry): no error.
    text = DRIFT + "2024-03-01 price VTI 131 USD\n2024-04-01 price VTI 100 USD\n"
    assert _check(text) == []


def test_drift_gate_counts_padded_balances() -> None:
    # Beancount 3 runs `pad` after user plugins, so the plugin sees the pad directive but not
    # the padding transaction. B is padded to 500: A 500 + B 500 = 1,000, exactly 50/50.
    text = """
    option "operating_currency" "USD"
    2010-01-01 open Assets:A
      asset-class: "A"
    2010-01-01 open Assets:B
      asset-class: "B"
    2010-01-01 open Equity:Opening
    2024-01-01 custom "rebalance-option" "max-drift-error" TRUE
    2024-01-01 custom "rebalance-option" "band" 5
    2024-01-01 custom "rebalance-target" "A" 50
    2024-01-01 custom "rebalance-target" "B" 50
    2024-01-02 * "deposit"
      Assets:A  500 USD
      Equity:Opening
    2024-01-02 pad Assets:B Equity:Opening
    2024-01-03 balance Assets:B  500 USD
    """
    assert _check(text) == []
    # And a real drift is still caught with pads around: B padded to 800 → 800 / 1,300 = 61.54%,
    # diff +11.54 > 5 → B sells 800 − 650 = 150 (and A buys 150).
    errors = _check(text.replace("Assets:B  500 USD", "Assets:B  800 USD"))
    assert [(e.source["lineno"], e.message.split("; ")[-1]) for e in errors] == [
        (lineno_of(text, '"A" 50'), "buy 150.00 USD"),  # A: 500 / 1,300 = 38.46%, 650 − 500
        (lineno_of(text, '"B" 50'), "sell 150.00 USD"),
    ]


def test_plugin_on_an_empty_ledger() -> None:
    assert _check("") == []
    # The drift gate on, nothing held and no targets: nothing to report, no crash.
    assert _check('2024-01-01 custom "rebalance-option" "max-drift-error" TRUE\n') == []


def test_drift_check_on_a_ledger_ending_outside_the_supported_dates() -> None:
    # The report looks 30 days back from its date: from 0001-01-05 that is before the year 1.
    text = ('0001-01-01 custom "rebalance-option" "max-drift-error" TRUE\n'
            "0001-01-05 open Assets:Invest:Taxable\n")
    _one_error(text, "max-drift-error", "max-drift-error cannot check the ledger's last date: the report "
                                        "date 0001-01-05 is outside the supported dates, 1900-01-01 to "
                                        "9998-12-31")


BEAN_CHECK = shutil.which("bean-check") or str(Path(sys.executable).with_name("bean-check"))


def test_bean_check_prints_file_and_line(tmp_path: Path) -> None:
    text = PLUGIN + dedent(BASE).replace('"Bonds" 40', '"Bonds" 30') + \
        '2010-01-01 open Assets:Invest:Pension\n  tax-status: "pension"\n'
    path = tmp_path / "bad.beancount"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    bonds_line = lineno_of(text, '"Bonds" 30')
    pension_line = lineno_of(text, "open Assets:Invest:Pension")
    assert f"{path}:{bonds_line}: targets in force on 2024-01-01 add up to 90%" in output
    assert f"{path}:{pension_line}: unknown tax-status 'pension'" in output


def test_bean_check_prints_errors_at_custom_directives_without_values(tmp_path: Path) -> None:
    # A custom directive with no values parses with values=None, which Beancount's printer
    # cannot print under the error: bean-check used to crash in the printer and show none of
    # the errors. (Beancount's own pad plugin still fails on such a directive: that is
    # Beancount's error, printed as one, not a crash.)
    text = (PLUGIN + 'option "operating_currency" "USD"\n2024-01-01 custom "rebalance-target"\n'
            '2024-01-01 custom "rebalance-option"\n2024-01-01 custom "rebalance-location"\n')
    path = tmp_path / "empty.beancount"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=60, check=False)
    output = done.stdout + done.stderr
    assert "parser/printer.py" not in output
    for directive, message in (('"rebalance-target"', "rebalance-target needs a category and a"),
                               ('"rebalance-option"', "rebalance-option needs a name and a value"),
                               ('"rebalance-location"', "rebalance-location needs a category and an")):
        assert f"{path}:{lineno_of(text, directive)}: {message}" in output


def test_malformed_class_is_the_only_error_for_the_category_it_names() -> None:
    # BND's only declaration of Bonds is malformed ("Bonds 100" lacks its %): the error
    # is the malformed value, not also "no commodity declares Bonds" at the target.
    text = BASE.replace('asset-class: "Bonds"', 'asset-class: "Bonds 100, Cash"')
    _one_error(text, "commodity BND", "malformed")


def test_misspelt_rebalance_directive_is_reported() -> None:
    text = BASE + '2024-01-01 custom "rebalance-traget" "Bonds" 40\n'
    _one_error(text, '"rebalance-traget"', "unknown directive")
