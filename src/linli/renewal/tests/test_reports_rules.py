"""Report periods and scores: pure functions, tested exhaustively."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.renewal.reports import scoring
from linli.renewal.reports.periods import current_period, parse_period
from linli.renewal.reports.scoring import AreaFacts, ProjectFacts

D = datetime.date


# --- periods -------------------------------------------------------------------------------


def test_an_iso_week_runs_monday_to_sunday():
    period = parse_period("weekly", "2026-W47")
    assert (period.start, period.end, period.label) == (
        D(2026, 11, 16),
        D(2026, 11, 22),
        "2026-W47",
    )


def test_week_one_may_start_in_the_previous_year():
    assert parse_period("weekly", "2026-W01").start == D(2025, 12, 29)


def test_a_year_with_53_iso_weeks_accepts_week_53():
    assert parse_period("weekly", "2026-W53").end == D(2027, 1, 3)


def test_week_53_of_a_52_week_year_is_refused():
    with pytest.raises(ValidationError, match="52"):
        parse_period("weekly", "2025-W53")


def test_a_month_ends_on_its_last_day_in_a_leap_year():
    assert parse_period("monthly", "2028-02").end == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_a_quarter_covers_its_three_months(text, start, end):
    period = parse_period("quarterly", text)
    assert (period.start, period.end) == (start, end)


def test_a_year_covers_january_to_december():
    period = parse_period("annual", "2026")
    assert (period.start, period.end) == (D(2026, 1, 1), D(2026, 12, 31))


def test_lower_case_and_spaces_are_accepted():
    assert parse_period("quarterly", " 2026-q4 ").label == "2026-Q4"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("weekly", "2026-11"),
        ("weekly", "2026-W00"),
        ("monthly", "2026-13"),
        ("monthly", "2026-00"),
        ("monthly", "2026-W47"),
        ("quarterly", "2026-Q5"),
        ("quarterly", "2026-Q0"),
        ("annual", "26"),
        ("annual", "1999"),
        ("annual", ""),
    ],
)
def test_a_malformed_period_is_refused(kind, text):
    with pytest.raises(ValidationError):
        parse_period(kind, text)


def test_the_refusal_shows_the_expected_shape_in_both_languages():
    with pytest.raises(ValidationError) as error:
        parse_period("monthly", "November")
    assert "期间格式应如 2026-11" in error.value.messages[0]
    assert "should look like 2026-11" in error.value.messages[0]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError, match="unknown report kind"):
        parse_period("daily", "2026-11-01")


@given(
    st.dates(D(2001, 1, 1), D(2099, 12, 31)),
    st.sampled_from(["weekly", "monthly", "quarterly", "annual"]),
)
def test_the_current_period_contains_the_day(day, kind):
    period = parse_period(kind, current_period(kind, day))
    assert period.start <= day <= period.end
    assert period.label == current_period(kind, day)


# --- monthly score -------------------------------------------------------------------------


def test_a_perfect_area_scores_100_in_the_monthly_ranking():
    one = Decimal(1)
    facts = AreaFacts(
        start_rate=one, completion_rate=one, investment_completion=one, projects=2, green=2
    )
    assert scoring.monthly_score(facts) == Decimal("100.00")


def test_the_monthly_score_weighs_start_completion_investment_and_green_share():
    facts = AreaFacts(
        start_rate=Decimal("0.5"),
        completion_rate=Decimal("0.25"),
        investment_completion=Decimal("0.1"),
        projects=4,
        green=1,
    )
    # 40 × 0.5 + 30 × 0.25 + 20 × 0.1 + 10 × 1/4
    assert scoring.monthly_score(facts) == Decimal("32.00")


def test_rates_that_cannot_be_computed_score_nothing():
    assert scoring.monthly_score(AreaFacts()) == Decimal("0.00")


# --- annual score --------------------------------------------------------------------------


def test_the_annual_score_adds_satisfaction_and_the_supervision_points():
    facts = AreaFacts(
        start_rate=Decimal(1),
        completion_rate=Decimal("0.5"),
        investment_completion=Decimal("0.5"),
        satisfaction=Decimal(90),
        projects=3,
        red=1,
        yellow=1,
    )
    # 25 + 12.5 + 10 + 18 + (10 − 2 − 1)
    assert scoring.annual_score(facts) == Decimal("72.50")


def test_supervision_deductions_stop_at_zero():
    assert scoring.supervision_points(AreaFacts(red=4, yellow=9)) == Decimal(0)


@pytest.mark.parametrize(
    ("red", "yellow", "points"), [(0, 0, 10), (1, 0, 8), (0, 1, 9), (2, 3, 3), (5, 0, 0)]
)
def test_each_red_project_costs_two_points_and_each_yellow_one(red, yellow, points):
    assert scoring.supervision_points(AreaFacts(red=red, yellow=yellow)) == Decimal(points)


rates = st.none() | st.decimals(0, 1, places=4)


@given(
    rates,
    rates,
    rates,
    st.none() | st.decimals(0, 100, places=2),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 20),
)
def test_area_scores_lie_between_0_and_100(
    start, completion, investment, satisfaction, green, yellow, red
):
    facts = AreaFacts(
        start_rate=start,
        completion_rate=completion,
        investment_completion=investment,
        satisfaction=satisfaction,
        projects=green + yellow + red,
        green=green,
        yellow=yellow,
        red=red,
    )
    for score in (scoring.monthly_score(facts), scoring.annual_score(facts)):
        assert Decimal(0) <= score <= Decimal(100)


@given(rates, st.decimals(0, 1, places=4), st.integers(0, 5))
def test_a_higher_start_rate_never_lowers_an_area_score(base, bump, red):
    low = AreaFacts(start_rate=base, projects=5, red=red)
    high_rate = min(Decimal(1), (base or Decimal(0)) + bump)
    high = AreaFacts(start_rate=high_rate, projects=5, red=red)
    assert scoring.monthly_score(high) >= scoring.monthly_score(low)
    assert scoring.annual_score(high) >= scoring.annual_score(low)


@given(st.integers(0, 10), st.integers(0, 10))
def test_another_red_project_never_raises_the_annual_score(red, yellow):
    before = AreaFacts(red=red, yellow=yellow, projects=red + yellow)
    after = AreaFacts(red=red + 1, yellow=yellow, projects=red + yellow + 1)
    assert scoring.annual_score(after) <= scoring.annual_score(before)


# --- site-tour score -----------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["application", "design", "decision", "joint_review", "tender"])
def test_projects_before_works_are_not_toured(stage):
    assert scoring.tour_score(ProjectFacts(stage=stage)) is None


def test_a_handed_over_green_project_with_full_satisfaction_and_nothing_open_scores_100():
    facts = ProjectFacts(stage="handed_over", light="green", satisfaction=Decimal(100))
    assert scoring.tour_score(facts) == Decimal("100.00")


def test_a_project_in_works_scores_its_progress_share_of_the_works_points():
    facts = ProjectFacts(stage="works", progress=Decimal(50), light="yellow")
    # 30 × 0.5 + 30 × 0.5 + 25 × 0.8 (presumed) + 15
    assert scoring.tour_score(facts) == Decimal("65.00")


def test_an_open_item_or_problem_costs_the_clean_points():
    clean = ProjectFacts(stage="completed")
    assert (
        scoring.tour_score(clean)
        - scoring.tour_score(ProjectFacts(stage="completed", open_items=1))
        == 15
    )
    assert (
        scoring.tour_score(clean)
        - scoring.tour_score(ProjectFacts(stage="completed", open_problems=2))
        == 15
    )


@pytest.mark.parametrize(("light", "points"), [("green", 30), ("yellow", 15), ("red", 0)])
def test_the_light_gives_the_schedule_points(light, points):
    red = scoring.tour_score(ProjectFacts(stage="completed", light="red"))
    assert scoring.tour_score(ProjectFacts(stage="completed", light=light)) - red == points


@given(
    st.sampled_from(scoring.TOUR_STAGES),
    st.decimals(0, 100, places=2),
    st.sampled_from(["green", "yellow", "red"]),
    st.none() | st.decimals(0, 100, places=2),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_tour_scores_lie_between_0_and_100(stage, progress, light, satisfaction, items, problems):
    score = scoring.tour_score(ProjectFacts(stage, progress, light, satisfaction, items, problems))
    assert score is not None and Decimal(0) <= score <= Decimal(100)


# --- ranking -------------------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    entries = [("b", Decimal(5)), ("a", Decimal(9)), ("c", Decimal(5)), ("d", Decimal(1))]
    ranked = scoring.rank(entries, lambda e: e[1], lambda e: e[0])
    assert [(place, e[0]) for place, e in ranked] == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


def test_an_empty_ranking_is_empty():
    assert scoring.rank([], lambda e: Decimal(0), str) == []


def test_the_weights_add_up_to_100():
    for weights in (scoring.MONTHLY_WEIGHTS, scoring.ANNUAL_WEIGHTS, scoring.TOUR_WEIGHTS):
        assert sum(weights.values()) == 100
