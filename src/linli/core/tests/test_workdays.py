"""Working days in China: official holidays, make-up workdays, the Monday-Friday fallback, and
the round-trip and monotonicity properties of the arithmetic."""

from __future__ import annotations

import datetime
import logging

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.core import workdays
from linli.core.workdays import (
    KNOWN_LAST_YEAR,
    add_workdays,
    is_workday,
    knows_year,
    workdays_between,
)

D = datetime.date

#: Dates across known years and the first unknown ones (fallback), so both paths are exercised.
dates = st.dates(min_value=D(2019, 1, 1), max_value=D(KNOWN_LAST_YEAR + 2, 12, 31))
steps = st.integers(min_value=-60, max_value=60)


def test_national_day_2026_is_a_holiday():
    assert not is_workday(D(2026, 10, 1))


def test_sunday_27_september_2026_is_part_of_the_mid_autumn_holiday_not_a_workday():
    # The 2026 arrangement makes Sunday 20 September and Saturday 10 October the make-up
    # workdays; 25-27 September is the Mid-autumn holiday.
    assert not is_workday(D(2026, 9, 27))


def test_saturday_10_october_2026_is_a_make_up_workday():
    assert D(2026, 10, 10).weekday() == 5
    assert is_workday(D(2026, 10, 10))


def test_sunday_20_september_2026_is_a_make_up_workday():
    assert is_workday(D(2026, 9, 20))


def test_an_ordinary_tuesday_is_a_workday():
    assert is_workday(D(2026, 3, 10))


def test_an_ordinary_saturday_is_not_a_workday():
    assert not is_workday(D(2026, 3, 14))


def test_every_day_of_the_known_years_agrees_with_chinese_calendar():
    day = D(workdays.KNOWN_FIRST_YEAR, 1, 1)
    while day.year <= KNOWN_LAST_YEAR:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)


def test_a_datetime_is_judged_by_its_date():
    assert not is_workday(datetime.datetime(2026, 10, 1, 9, 30))


def test_five_workdays_after_the_day_before_national_day_skip_the_holiday_week():
    # 30 Sep (Wed) + 5: 1-7 Oct holiday, 8 Oct Thu, 9 Fri, 10 Sat (make-up), 12 Mon, 13 Tue.
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_five_workdays_after_a_plain_friday_is_the_next_friday():
    assert add_workdays(D(2026, 3, 6), 5) == D(2026, 3, 13)


def test_adding_zero_workdays_returns_the_same_day():
    assert add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)


def test_subtracting_a_workday_from_a_monday_gives_the_friday_before():
    assert add_workdays(D(2026, 3, 9), -1) == D(2026, 3, 6)


def test_the_national_day_week_has_four_workdays_between_30_september_and_10_october():
    # (30 Sep, 10 Oct]: 8 Oct, 9 Oct, 10 Oct (make-up Saturday) -> 3 workdays.
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_workdays_between_a_day_and_itself_is_zero():
    assert workdays_between(D(2026, 5, 6), D(2026, 5, 6)) == 0


def test_workdays_between_backwards_is_negative():
    assert workdays_between(D(2026, 3, 13), D(2026, 3, 6)) == -5


def test_an_unknown_year_falls_back_to_monday_to_friday():
    year = KNOWN_LAST_YEAR + 1
    assert not knows_year(year)
    # 1 January is a holiday in every real arrangement, but the fallback cannot know that.
    first = D(year, 1, 1)
    assert is_workday(first) == (first.weekday() < 5)
    saturday = first + datetime.timedelta(days=(5 - first.weekday()) % 7)
    assert not is_workday(saturday)


def test_an_unknown_year_is_warned_about_once(caplog):
    year = KNOWN_LAST_YEAR + 3
    workdays._warn_unknown_year.cache_clear()
    with caplog.at_level(logging.WARNING, logger="linli.core.workdays"):
        for day in range(1, 20):
            is_workday(D(year, 3, day))
    warnings = [r for r in caplog.records if str(year) in r.getMessage()]
    assert len(warnings) == 1


@given(day=dates, n=steps)
def test_adding_then_counting_workdays_round_trips(day, n):
    assert workdays_between(day, add_workdays(day, n)) == n


@given(day=dates, n=steps.filter(lambda x: x != 0))
def test_adding_a_nonzero_number_of_workdays_lands_on_a_workday(day, n):
    assert is_workday(add_workdays(day, n))


@given(day=dates, n=st.integers(min_value=1, max_value=60))
def test_no_workday_is_skipped_between_a_day_and_its_result(day, n):
    result = add_workdays(day, n)
    between = [day + datetime.timedelta(days=i) for i in range(1, (result - day).days + 1)]
    assert sum(is_workday(x) for x in between) == n


@given(a=dates, b=dates, n=steps)
def test_adding_workdays_is_monotonic_in_the_start_day(a, b, n):
    early, late = sorted((a, b))
    assert add_workdays(early, n) <= add_workdays(late, n)


@given(day=dates, n=steps, m=steps)
def test_adding_workdays_is_monotonic_in_the_count(day, n, m):
    low, high = sorted((n, m))
    assert add_workdays(day, low) <= add_workdays(day, high)


@given(a=dates, b=dates)
def test_counting_forwards_is_the_workdays_after_the_start_up_to_the_end(a, b):
    early, late = min(a, b), max(a, b)
    span = [early + datetime.timedelta(days=i) for i in range(1, (late - early).days + 1)]
    assert workdays_between(early, late) == sum(is_workday(x) for x in span)


@given(a=dates, b=dates)
def test_counting_backwards_is_minus_the_workdays_from_the_end_up_to_the_start(a, b):
    late, early = max(a, b), min(a, b)
    span = [early + datetime.timedelta(days=i) for i in range((late - early).days)]
    assert workdays_between(late, early) == -sum(is_workday(x) for x in span)


@given(a=dates, b=dates, c=dates)
def test_counting_adds_up_over_consecutive_forward_spans(a, b, c):
    a, b, c = sorted((a, b, c))
    assert workdays_between(a, b) + workdays_between(b, c) == workdays_between(a, c)


@pytest.mark.parametrize("year", range(2019, KNOWN_LAST_YEAR + 1))
def test_every_known_year_has_between_240_and_255_workdays(year):
    assert 240 <= workdays_between(D(year - 1, 12, 31), D(year, 12, 31)) <= 255
