"""The pure supervision rules: lights at every threshold, milestones, escalation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.renewal import supervision as rules
from linli.renewal.supervision import ChainLevel, Light, ScheduleFacts, StagePlan

TODAY = datetime.date(2026, 6, 30)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def late_stage(days: int, stage: str = "design", current: str = "design") -> ScheduleFacts:
    return ScheduleFacts(
        stage=current, stages=(StagePlan(stage=stage, planned_end=days_ago(days)),)
    )


def in_works(progress: str, *, start: int = 50, end: int = -50) -> ScheduleFacts:
    """In works, the window planned from ``start`` days ago to ``-end`` days ahead."""
    return ScheduleFacts(
        stage="works",
        progress_percent=Decimal(progress),
        stages=(
            StagePlan(stage="works", planned_start=days_ago(start), planned_end=days_ago(end)),
        ),
    )


# --- Lights --------------------------------------------------------------------------------


def test_a_project_without_plan_dates_is_green():
    assert rules.assess(ScheduleFacts(stage="design"), TODAY).light == Light.GREEN


def test_a_stage_ending_today_is_not_late():
    assessment = rules.assess(late_stage(0), TODAY)
    assert (assessment.light, assessment.milestones) == (Light.GREEN, ())


@pytest.mark.parametrize(
    ("days", "light"),
    [(1, Light.YELLOW), (29, Light.YELLOW), (30, Light.YELLOW), (31, Light.RED), (90, Light.RED)],
)
def test_a_late_stage_is_yellow_up_to_thirty_days_and_red_beyond(days, light):
    assert rules.assess(late_stage(days), TODAY).light == light


def test_a_late_stage_is_a_milestone_with_its_days_late():
    (milestone,) = rules.assess(late_stage(12), TODAY).milestones
    assert (milestone.kind, milestone.key, milestone.stage) == ("stage", "stage:design", "design")
    assert (milestone.due_on, milestone.days_late) == (days_ago(12), 12)


def test_a_finished_stage_is_not_late():
    facts = ScheduleFacts(
        stage="design",
        stages=(StagePlan(stage="design", planned_end=days_ago(40), actual_end=days_ago(1)),),
    )
    assert rules.assess(facts, TODAY).light == Light.GREEN


def test_a_stage_before_the_current_one_is_not_late():
    assert rules.assess(late_stage(40, stage="design", current="tender"), TODAY).milestones == ()


def test_a_later_stage_whose_planned_end_passed_is_late_too():
    facts = late_stage(5, stage="tender", current="design")
    assert [m.key for m in rules.assess(facts, TODAY).milestones] == ["stage:tender"]


def test_a_handed_over_project_is_green_whatever_its_dates():
    facts = ScheduleFacts(
        stage="handed_over",
        stages=(StagePlan(stage="handed_over", planned_end=days_ago(100)),),
        reviews=(rules.PendingReview(pk=1, department="住建局", due_on=days_ago(50)),),
    )
    assessment = rules.assess(facts, TODAY)
    assert (assessment.light, assessment.reasons, assessment.milestones) == (Light.GREEN, (), ())


@pytest.mark.parametrize(
    ("progress", "light"),
    [
        ("50", Light.GREEN),  # on plan (half the window elapsed)
        ("40.01", Light.GREEN),  # lag 9.99
        ("40", Light.YELLOW),  # lag 10
        ("39.99", Light.YELLOW),
        ("30.01", Light.YELLOW),  # lag 19.99
        ("30", Light.RED),  # lag 20
        ("29.99", Light.RED),  # lag 20.01
        ("0", Light.RED),
        ("100", Light.GREEN),  # ahead of plan
    ],
)
def test_the_progress_lag_turns_yellow_at_ten_points_and_red_at_twenty(progress, light):
    assert rules.assess(in_works(progress), TODAY).light == light


def test_the_lag_is_expected_minus_reported_progress():
    assessment = rules.assess(in_works("35"), TODAY)
    assert (assessment.expected_progress, assessment.lag) == (Decimal("50.00"), Decimal("15.00"))
    assert assessment.reasons[0].code == "lag"


def test_before_its_planned_start_nothing_is_expected_of_the_works():
    assessment = rules.assess(in_works("0", start=-5, end=-60), TODAY)
    assert (assessment.expected_progress, assessment.light) == (Decimal("0.00"), Light.GREEN)


def test_past_its_planned_end_the_works_are_expected_complete():
    assert rules.expected_progress(
        StagePlan(stage="works", planned_start=days_ago(10), planned_end=days_ago(1)), TODAY
    ) == Decimal("100.00")


def test_works_without_a_planned_window_have_no_lag():
    facts = ScheduleFacts(stage="works", stages=(StagePlan(stage="works"),))
    assessment = rules.assess(facts, TODAY)
    assert (assessment.lag, assessment.light) == (None, Light.GREEN)


def test_the_lag_counts_only_during_works():
    facts = ScheduleFacts(
        stage="completed",
        stages=(StagePlan(stage="works", planned_start=days_ago(50), planned_end=days_ago(-50)),),
    )
    assert rules.assess(facts, TODAY).lag is None


@pytest.mark.parametrize(
    ("due", "light"), [(0, Light.GREEN), (1, Light.YELLOW), (60, Light.YELLOW)]
)
def test_an_overdue_sign_off_is_yellow_never_red(due, light):
    facts = ScheduleFacts(
        stage="joint_review",
        reviews=(rules.PendingReview(pk=7, department="财政局", due_on=days_ago(due)),),
    )
    assessment = rules.assess(facts, TODAY)
    assert assessment.light == light
    assert [m.key for m in assessment.milestones] == (["review:7"] if due else [])


@pytest.mark.parametrize(
    ("age", "overdue"),
    [
        (rules.PROBLEM_DAYS_TO_RESOLVE - 1, False),
        (rules.PROBLEM_DAYS_TO_RESOLVE, False),
        (rules.PROBLEM_DAYS_TO_RESOLVE + 1, True),
    ],
)
def test_a_problem_open_longer_than_its_limit_is_overdue(age, overdue):
    facts = ScheduleFacts(
        stage="works", problems=(rules.OpenProblem(pk=3, raised_on=days_ago(age), description="x"),)
    )
    assessment = rules.assess(facts, TODAY)
    assert assessment.light == (Light.YELLOW if overdue else Light.GREEN)
    assert [(m.key, m.days_late) for m in assessment.milestones] == (
        [("problem:3", 1)] if overdue else []
    )


def test_reasons_come_worst_first_and_speak_both_languages():
    facts = ScheduleFacts(
        stage="design",
        stages=(
            StagePlan(stage="design", planned_end=days_ago(3)),
            StagePlan(stage="decision", planned_end=days_ago(1)),
            StagePlan(stage="tender", planned_end=days_ago(45)),
        ),
    )
    reasons = rules.assess(facts, TODAY).reasons
    assert [r.light for r in reasons] == [Light.RED, Light.YELLOW, Light.YELLOW]
    assert "招标" in reasons[0].zh and "tender" in reasons[0].en
    assert reasons[0].message == f"{reasons[0].zh} ({reasons[0].en})"


def test_the_summary_is_cut_to_the_column_size():
    facts = ScheduleFacts(
        stage="application",
        stages=tuple(StagePlan(stage=s, planned_end=days_ago(5)) for s in rules.STAGES[:-1]),
    )
    summary = rules.assess(facts, TODAY).summary(limit=40)
    assert len(summary) == 40 and summary.endswith("…")


# --- Escalation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "level"),
    [
        (1, ChainLevel.COMMUNITY),
        (6, ChainLevel.COMMUNITY),
        (7, ChainLevel.COMMUNITY),
        (8, ChainLevel.SUBDISTRICT),
        (14, ChainLevel.SUBDISTRICT),
        (15, ChainLevel.SUBDISTRICT),
        (16, ChainLevel.ZONE_LEAD),
        (29, ChainLevel.ZONE_LEAD),
        (30, ChainLevel.ZONE_LEAD),
        (31, ChainLevel.DISTRICT),
        (400, ChainLevel.DISTRICT),
    ],
)
def test_an_item_rises_with_days_late(days, level):
    assert rules.level_for(days) == level


def test_an_overdue_sign_off_goes_to_the_district_office_at_once():
    assert rules.level_for(1, "review") == ChainLevel.DISTRICT


ALL = {
    ChainLevel.COMMUNITY: 1,
    ChainLevel.SUBDISTRICT: 2,
    ChainLevel.ZONE_LEAD: 3,
    ChainLevel.DISTRICT: 4,
}


def test_an_item_goes_to_the_contact_at_its_level():
    assert rules.assign(days_late=10, contacts=ALL) == (ChainLevel.SUBDISTRICT, 2)


def test_an_item_skips_up_past_levels_without_a_contact():
    contacts = {**ALL, ChainLevel.COMMUNITY: None, ChainLevel.SUBDISTRICT: None}
    assert rules.assign(days_late=2, contacts=contacts) == (ChainLevel.ZONE_LEAD, 3)


def test_an_item_with_nobody_above_it_lands_unassigned_at_the_district_office():
    contacts = {ChainLevel.COMMUNITY: 1, ChainLevel.ZONE_LEAD: None, ChainLevel.DISTRICT: None}
    assert rules.assign(days_late=20, contacts=contacts) == (ChainLevel.DISTRICT, None)


def test_an_item_never_goes_down_the_chain():
    assert rules.assign(days_late=2, contacts=ALL, floor=ChainLevel.ZONE_LEAD) == (
        ChainLevel.ZONE_LEAD,
        3,
    )


# --- Invariants ----------------------------------------------------------------------------

_rank = rules.LIGHT_ORDER.index
_days = st.integers(min_value=0, max_value=400)
_lag = st.one_of(st.none(), st.decimals(min_value=-100, max_value=100, places=2))


@given(a=_days, b=_days, lag=_lag, other=st.booleans())
def test_the_light_never_improves_as_days_late_grow(a, b, lag, other):
    low, high = sorted((a, b))
    assert _rank(rules.light_for(worst_days_late=low, lag=lag, other_overdue=other)) <= _rank(
        rules.light_for(worst_days_late=high, lag=lag, other_overdue=other)
    )


@given(
    days=_days,
    a=st.decimals(min_value=-100, max_value=100, places=2),
    b=st.decimals(min_value=-100, max_value=100, places=2),
    other=st.booleans(),
)
def test_the_light_never_improves_as_the_lag_grows(days, a, b, other):
    low, high = sorted((a, b))
    assert _rank(rules.light_for(worst_days_late=days, lag=low, other_overdue=other)) <= _rank(
        rules.light_for(worst_days_late=days, lag=high, other_overdue=other)
    )


@given(days=st.integers(min_value=0, max_value=200), progress=st.integers(0, 100))
def test_the_assessment_matches_its_worst_reason(days, progress):
    facts = ScheduleFacts(
        stage="works",
        progress_percent=Decimal(progress),
        stages=(StagePlan(stage="works", planned_start=days_ago(60), planned_end=days_ago(days)),),
    )
    assessment = rules.assess(facts, TODAY)
    worst = max((r.light for r in assessment.reasons), key=_rank, default=Light.GREEN)
    assert assessment.light == worst


@given(a=st.integers(1, 400), b=st.integers(1, 400))
def test_escalation_never_goes_down_as_days_pass(a, b):
    low, high = sorted((a, b))
    order = rules.CHAIN_ORDER.index
    assert order(rules.level_for(low)) <= order(rules.level_for(high))
