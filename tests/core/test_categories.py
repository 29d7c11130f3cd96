"""SPEC §1.1: category names, ``asset-class`` splits, fava_investor keys, the hierarchy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fava_rebalance.core.categories import (
    ClassError,
    Share,
    ancestors,
    check_name,
    fava_investor_shares,
    is_within,
    parse_asset_class,
)


def test_single_name_is_the_whole_holding() -> None:
    assert parse_asset_class("Equities:US") == (Share("Equities:US", Decimal(1)),)


def test_split_fund_fractions_are_exact() -> None:
    # 60% → 60/100 = 0.6 and 40% → 0.4, as exact Decimals (no float noise).
    assert parse_asset_class("Equities:US 60%, Bonds 40%") == (
        Share("Equities:US", Decimal("0.6")),
        Share("Bonds", Decimal("0.4")),
    )


def test_split_with_decimal_percents() -> None:
    # 33.3 + 33.3 + 33.4 = 100 exactly.
    shares = parse_asset_class("A 33.3%, B 33.3%, C 33.4%")
    assert [s.fraction for s in shares] == [Decimal("0.333"), Decimal("0.333"), Decimal("0.334")]


def test_whitespace_around_names_and_levels_is_trimmed() -> None:
    assert parse_asset_class("  Equities : US  ") == (Share("Equities:US", Decimal(1)),)
    assert check_name(" Bonds ") == "Bonds"


def test_category_name_may_contain_spaces_and_digits() -> None:
    # Any text without ',' or '%' is a name: "Real Estate 2" in a split still reads as the name
    # before the last number.
    assert parse_asset_class("Real Estate 2 50%, Cash 50%")[0] == Share("Real Estate 2", Decimal("0.5"))


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Equities:US 60%, Bonds 30%", "adds up to 90%"),  # 60 + 30 = 90
        ("Equities:US 60%, Bonds 50%", "adds up to 110%"),  # 60 + 50 = 110
        ("Equities 60, Bonds 40", "malformed"),  # no '%'
        ("Equities sixty%, Bonds 40%", "malformed"),  # not a number
        ("Equities 60%, Bonds", "malformed"),  # second part has no percent
        ("60%, Bonds 40%", "malformed"),  # no name
        ("Equities 0%, Bonds 100%", "above 0"),  # an empty part is a mistake
        ("Bonds 50%, Bonds 50%", "twice"),
        ("Equities::US", "empty level"),
        (":Equities", "empty level"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_malformed_asset_class_raises_with_reason(value: str, says: str) -> None:
    with pytest.raises(ClassError, match=says):
        parse_asset_class(value)


@pytest.mark.parametrize("value", [Decimal(60), True, None])
def test_asset_class_must_be_a_string(value: object) -> None:
    with pytest.raises(ClassError, match="string"):
        parse_asset_class(value)


def test_check_name_rejects_comma_and_percent() -> None:
    with pytest.raises(ClassError):
        check_name("Equities, US")
    with pytest.raises(ClassError):
        check_name("Equities 5%")


def test_fava_investor_keys_become_categories() -> None:
    # asset_allocation_Equity_US: 60 → "Equity:US" 60/100; Bonds 40/100 (sorted by name).
    meta = {"filename": "x", "lineno": 1, "asset_allocation_Equity_US": Decimal(60),
            "asset_allocation_Bonds": Decimal(40)}
    assert fava_investor_shares(meta) == (
        Share("Bonds", Decimal("0.4")),
        Share("Equity:US", Decimal("0.6")),
    )


def test_fava_investor_keys_absent_gives_none() -> None:
    assert fava_investor_shares({"filename": "x", "lineno": 1, "name": "Vanguard"}) is None


def test_fava_investor_zero_part_is_skipped() -> None:
    # 100 + 0 = 100; the 0% part is not a share at all.
    meta = {"asset_allocation_Bonds": Decimal(100), "asset_allocation_Cash": Decimal(0)}
    assert fava_investor_shares(meta) == (Share("Bonds", Decimal(1)),)


@pytest.mark.parametrize(
    ("meta", "says"),
    [
        ({"asset_allocation_Equity": Decimal(60)}, "add up to 60%"),
        ({"asset_allocation_Equity": "sixty"}, "must be a number"),
        ({"asset_allocation_Equity": Decimal(120)}, "between 0 and 100"),
    ],
)
def test_fava_investor_bad_keys_raise(meta: dict[str, object], says: str) -> None:
    with pytest.raises(ClassError, match=says):
        fava_investor_shares(meta)


def test_ancestors_nearest_first() -> None:
    assert list(ancestors("Equities:US:Small")) == ["Equities:US:Small", "Equities:US", "Equities"]
    assert list(ancestors("Cash")) == ["Cash"]


def test_is_within_respects_level_boundaries() -> None:
    assert is_within("Equities:US", "Equities:US")
    assert is_within("Equities:US:Small", "Equities")
    assert not is_within("Equities:USA", "Equities:US")  # a prefix, not a child
    assert not is_within("Equities", "Equities:US")


@st.composite
def splits(draw: st.DrawFn) -> list[tuple[str, int]]:
    """Distinct names with whole percents (each ≥ 1) adding up to exactly 100."""
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 100]
    names = draw(st.lists(st.from_regex(r"[A-Z][a-z]{1,6}(:[A-Z][a-z]{1,6})?", fullmatch=True),
                          min_size=count, max_size=count, unique=True))
    return [(names[i], bounds[i + 1] - bounds[i]) for i in range(count)]


@given(splits())
def test_any_split_adding_to_100_parses_to_fractions_adding_to_1(parts: list[tuple[str, int]]) -> None:
    text = ", ".join(f"{name} {pct}%" for name, pct in parts)
    shares = parse_asset_class(text)
    assert [(s.category, s.fraction * 100) for s in shares] == [(n, Decimal(p)) for n, p in parts]
    assert sum(s.fraction for s in shares) == 1


@given(splits(), st.integers(min_value=1, max_value=50))
def test_any_split_off_by_some_percent_is_rejected(parts: list[tuple[str, int]], extra: int) -> None:
    # Adding `extra` (≥ 1) to the first part makes the sum 100 + extra ≠ 100.
    name, pct = parts[0]
    broken = [(name, pct + extra), *parts[1:]]
    with pytest.raises(ClassError):
        parse_asset_class(", ".join(f"{n} {p}%" for n, p in broken))
