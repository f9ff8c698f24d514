"""The project's progress from its items' (renewal/progress.py): a pure function."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.renewal.progress import ItemProgress, project_percent


def items(*pairs: tuple[str, str]) -> list[ItemProgress]:
    return [ItemProgress(percent=Decimal(p), budget=Decimal(b)) for p, b in pairs]


def test_no_items_is_zero():
    assert project_percent([]) == Decimal("0.00")


def test_one_item_is_its_percent():
    assert project_percent(items(("37.5", "1000"))) == Decimal("37.50")


def test_items_are_weighted_by_budget():
    # 100% of 300,000 and 0% of 100,000: three quarters of the money's worth is done.
    assert project_percent(items(("100", "300000"), ("0", "100000"))) == Decimal("75.00")


def test_an_item_without_budget_does_not_weigh_when_others_have_one():
    assert project_percent(items(("40", "100000"), ("90", "0"))) == Decimal("40.00")


def test_without_any_budget_the_plain_mean_counts():
    assert project_percent(items(("40", "0"), ("90", "0"), ("20", "0"))) == Decimal("50.00")


def test_the_result_is_rounded_half_up_to_two_places():
    # (10 + 10 + 10.01) / 3 = 10.00333… → 10.00
    assert project_percent(items(("10", "1"), ("10", "1"), ("10.01", "1"))) == Decimal("10.00")
    # 0.005 exactly: half up gives 0.01.
    assert project_percent(items(("0.01", "1"), ("0", "1"))) == Decimal("0.01")


def test_every_item_at_full_is_exactly_one_hundred():
    assert project_percent(items(("100", "5"), ("100", "0"), ("100", "7"))) == Decimal("100.00")


def test_rounding_never_reaches_one_hundred_while_an_item_is_unfinished():
    # 99.99 on 1 yuan and 100 on a million: the mean rounds to 100.00, yet work remains.
    assert project_percent(items(("99.99", "1"), ("100", "1000000"))) == Decimal("99.99")


def test_a_zero_budget_item_left_unfinished_keeps_the_project_below_one_hundred():
    assert project_percent(items(("100", "100000"), ("50", "0"))) == Decimal("99.99")


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("50", "1"), ("50", "3")), "50.00"),
        ((("0", "1"), ("100", "1")), "50.00"),
        ((("0", "2"), ("100", "1")), "33.33"),
        ((("0", "1"), ("100", "2")), "66.67"),
        ((("12.34", "0"),), "12.34"),
    ],
)
def test_worked_examples(pairs, expected):
    assert project_percent(items(*pairs)) == Decimal(expected)


# --- Properties ------------------------------------------------------------------------------

percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
budgets = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
rows = st.lists(st.builds(ItemProgress, percent=percents, budget=budgets), min_size=1)


@given(rows)
def test_the_result_lies_between_the_lowest_and_highest_item(items_):
    result = project_percent(items_)
    assert min(i.percent for i in items_) <= result <= max(i.percent for i in items_)


@given(rows)
def test_one_hundred_exactly_when_every_item_is_at_one_hundred(items_):
    assert (project_percent(items_) == 100) == all(i.percent == 100 for i in items_)


@given(rows)
def test_the_result_has_two_places(items_):
    assert project_percent(items_).as_tuple().exponent == -2


@given(rows, st.randoms())
def test_the_order_of_items_does_not_matter(items_, rnd):
    shuffled = list(items_)
    rnd.shuffle(shuffled)
    assert project_percent(shuffled) == project_percent(items_)
