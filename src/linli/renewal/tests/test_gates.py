"""The stage gates, exhaustively: every pair of stages, every refusal, and properties over
arbitrary facts. Pure: no database."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.renewal import gates
from linli.renewal.gates import (
    ORDER,
    RETURNS_TO_DESIGN_FROM,
    DecisionFacts,
    ProjectFacts,
    ReviewRound,
    Stage,
    TransitionRefused,
)

#: Facts under which every gate is satisfied.
ALL_MET = ProjectFacts(
    stage=Stage.APPLICATION,
    item_count=3,
    decision=DecisionFacts(approved=True, has_document=True),
    required_reviewers=2,
    review_round=ReviewRound(approved=("燃气公司", "住建局")),
    has_construction_firm=True,
    progress_percent=Decimal(100),
    acceptance_satisfaction=Decimal("85.5"),
    satisfaction_threshold=Decimal(80),
    has_aftercare_owner=True,
)


def at(stage: Stage, **changes) -> ProjectFacts:
    return replace(ALL_MET, stage=stage, **changes)


def codes(facts: ProjectFacts, to: Stage, reason: str = "") -> list[str]:
    return [r.code for r in gates.refusals(facts, to, reason=reason)]


def expected_route(here: Stage, to: Stage) -> str | None:
    """The route refusal code for a move, written independently of the engine."""
    i, j = ORDER.index(here), ORDER.index(to)
    if i == j:
        return "same_stage"
    if here == Stage.HANDED_OVER:
        return "terminal"
    if to == Stage.DESIGN and here in RETURNS_TO_DESIGN_FROM:
        return None
    if j < i:
        return "backward"
    if j > i + 1:
        return "skip"
    return None


@pytest.mark.parametrize(("here", "to"), list(itertools.product(ORDER, ORDER)))
def test_every_stage_pair_is_allowed_exactly_when_it_is_the_next_stage_or_a_return_to_design(
    here, to
):
    found = codes(at(here), to, reason="方案调整")
    route = expected_route(here, to)
    assert found == ([] if route is None else [route])


def test_the_stages_run_in_the_order_of_the_issue():
    assert [s.value for s in ORDER] == [
        "application",
        "design",
        "decision",
        "joint_review",
        "tender",
        "works",
        "completed",
        "acceptance",
        "handed_over",
    ]


@pytest.mark.parametrize("here", sorted(RETURNS_TO_DESIGN_FROM))
def test_returning_to_design_needs_a_reason(here):
    assert codes(at(here), Stage.DESIGN) == ["reason_required"]
    assert codes(at(here), Stage.DESIGN, reason="   ") == ["reason_required"]


@pytest.mark.parametrize("here", [Stage.WORKS, Stage.COMPLETED, Stage.ACCEPTANCE])
def test_a_project_under_construction_cannot_return_to_design(here):
    assert codes(at(here), Stage.DESIGN, reason="重新设计") == ["backward"]


def test_a_handed_over_project_cannot_move_at_all():
    for to in ORDER:
        if to != Stage.HANDED_OVER:
            assert codes(at(Stage.HANDED_OVER), to, reason="x") == ["terminal"]


def test_residents_cannot_decide_on_a_plan_without_items():
    assert codes(at(Stage.DESIGN, item_count=0), Stage.DECISION) == ["no_items"]


def test_no_joint_review_before_a_recorded_residents_decision():
    assert codes(at(Stage.DECISION, decision=None), Stage.JOINT_REVIEW) == ["no_decision"]


def test_no_joint_review_after_a_decision_that_did_not_approve():
    decision = DecisionFacts(approved=False, has_document=True)
    assert codes(at(Stage.DECISION, decision=decision), Stage.JOINT_REVIEW) == [
        "decision_not_approved"
    ]


def test_no_joint_review_on_a_decision_without_its_document():
    decision = DecisionFacts(approved=True, has_document=False)
    assert codes(at(Stage.DECISION, decision=decision), Stage.JOINT_REVIEW) == [
        "decision_without_document"
    ]


def test_no_joint_review_when_the_rules_require_no_department():
    assert codes(at(Stage.DECISION, required_reviewers=0), Stage.JOINT_REVIEW) == ["no_reviewers"]


@pytest.mark.parametrize("to", [Stage.TENDER, Stage.WORKS])
def test_no_tender_or_works_while_a_department_has_not_signed(to):
    round_ = ReviewRound(approved=("住建局",), pending=("燃气公司",))
    here = ORDER[ORDER.index(to) - 1]
    assert codes(at(here, review_round=round_), to) == ["reviews_pending"]


@pytest.mark.parametrize("to", [Stage.TENDER, Stage.WORKS])
def test_no_tender_or_works_after_a_rejection(to):
    round_ = ReviewRound(approved=("住建局",), rejected=("消防",))
    here = ORDER[ORDER.index(to) - 1]
    assert codes(at(here, review_round=round_), to) == ["reviews_rejected"]


@pytest.mark.parametrize("round_", [None, ReviewRound()])
def test_no_tender_without_a_joint_review_round(round_):
    assert codes(at(Stage.JOINT_REVIEW, review_round=round_), Stage.TENDER) == ["no_review_round"]


def test_no_works_without_a_construction_firm():
    assert codes(at(Stage.TENDER, has_construction_firm=False), Stage.WORKS) == [
        "no_construction_firm"
    ]


@pytest.mark.parametrize("progress", ["0", "50", "99.99"])
def test_no_completion_below_full_progress(progress):
    facts = at(Stage.WORKS, progress_percent=Decimal(progress))
    assert codes(facts, Stage.COMPLETED) == ["progress_incomplete"]


def test_no_acceptance_without_an_acceptance_record():
    facts = at(Stage.COMPLETED, acceptance_satisfaction=None)
    assert codes(facts, Stage.ACCEPTANCE) == ["no_acceptance_record"]


def test_no_acceptance_when_satisfaction_is_below_the_threshold():
    facts = at(Stage.COMPLETED, acceptance_satisfaction=Decimal("79.99"))
    assert codes(facts, Stage.ACCEPTANCE) == ["satisfaction_below_threshold"]


def test_satisfaction_exactly_at_the_threshold_passes():
    facts = at(Stage.COMPLETED, acceptance_satisfaction=Decimal(80))
    assert codes(facts, Stage.ACCEPTANCE) == []


def test_the_threshold_is_the_projects_own():
    facts = at(
        Stage.COMPLETED,
        acceptance_satisfaction=Decimal(85),
        satisfaction_threshold=Decimal(90),
    )
    assert codes(facts, Stage.ACCEPTANCE) == ["satisfaction_below_threshold"]


def test_handover_needs_the_after_care_owner():
    assert codes(at(Stage.ACCEPTANCE, has_aftercare_owner=False), Stage.HANDED_OVER) == [
        "no_aftercare_owner"
    ]


def test_every_failing_condition_of_a_gate_is_reported():
    facts = at(
        Stage.TENDER,
        review_round=ReviewRound(pending=("燃气公司",), rejected=("消防",)),
        has_construction_firm=False,
    )
    assert codes(facts, Stage.WORKS) == [
        "reviews_rejected",
        "reviews_pending",
        "no_construction_firm",
    ]


def test_a_refusal_names_the_departments_still_to_sign_in_both_languages():
    facts = at(Stage.JOINT_REVIEW, review_round=ReviewRound(pending=("燃气公司", "消防大队")))
    (refusal,) = gates.refusals(facts, Stage.TENDER)
    assert "燃气公司、消防大队" in refusal.zh
    assert refusal.en.startswith("departments still to approve")
    assert refusal.message == f"{refusal.zh} ({refusal.en})"


def test_a_refusal_states_the_progress_and_the_threshold_in_both_languages():
    facts = at(Stage.COMPLETED, acceptance_satisfaction=Decimal("75.50"))
    (refusal,) = gates.refusals(facts, Stage.ACCEPTANCE)
    assert "75.5%" in refusal.zh and "80%" in refusal.zh
    assert "75.5%" in refusal.en and "80%" in refusal.en


def test_a_skip_refusal_names_the_stage_that_must_come_next_in_chinese():
    (refusal,) = gates.refusals(at(Stage.APPLICATION), Stage.TENDER)
    assert "设计" in refusal.zh
    assert "design" in refusal.en


def test_check_raises_with_every_refusal():
    facts = at(Stage.DECISION, decision=None, required_reviewers=0)
    with pytest.raises(TransitionRefused) as caught:
        gates.check(facts, Stage.JOINT_REVIEW)
    assert [r.code for r in caught.value.refusals] == ["no_reviewers", "no_decision"]
    assert caught.value.code == "no_reviewers"


def test_check_passes_silently_when_allowed():
    gates.check(at(Stage.APPLICATION), Stage.DESIGN)


def test_options_offer_the_next_stage_and_the_return_to_design_before_works():
    options = gates.options(at(Stage.TENDER))
    assert [(o.stage, o.allowed, o.backward) for o in options] == [
        (Stage.WORKS, True, False),
        (Stage.DESIGN, True, True),
    ]


def test_options_show_why_the_next_stage_is_refused():
    (option,) = gates.options(at(Stage.WORKS, progress_percent=Decimal(40)))
    assert option.stage == Stage.COMPLETED
    assert not option.allowed
    assert [r.code for r in option.refusals] == ["progress_incomplete"]


def test_a_handed_over_project_has_no_options():
    assert gates.options(at(Stage.HANDED_OVER)) == []


# --- Properties over arbitrary facts -------------------------------------------------------

names = st.lists(
    st.sampled_from(["住建局", "财政局", "燃气公司", "消防"]), max_size=3, unique=True
).map(tuple)
percent = st.decimals(min_value=0, max_value=100, places=2)
facts_strategy = st.builds(
    ProjectFacts,
    stage=st.sampled_from(ORDER),
    item_count=st.integers(min_value=0, max_value=5),
    decision=st.none()
    | st.builds(DecisionFacts, approved=st.booleans(), has_document=st.booleans()),
    required_reviewers=st.integers(min_value=0, max_value=4),
    review_round=st.none() | st.builds(ReviewRound, approved=names, pending=names, rejected=names),
    has_construction_firm=st.booleans(),
    progress_percent=percent,
    acceptance_satisfaction=st.none() | percent,
    satisfaction_threshold=percent,
    has_aftercare_owner=st.booleans(),
)


@given(facts=facts_strategy, to=st.sampled_from(ORDER), reason=st.sampled_from(["", "调整方案"]))
def test_a_move_is_allowed_only_to_the_next_stage_or_back_to_design(facts, to, reason):
    if not gates.refusals(facts, to, reason=reason):
        i, j = ORDER.index(facts.stage), ORDER.index(to)
        assert j == i + 1 or (to == Stage.DESIGN and facts.stage in RETURNS_TO_DESIGN_FROM)


@given(facts=facts_strategy)
def test_completion_is_never_allowed_below_full_progress(facts):
    facts = replace(facts, stage=Stage.WORKS)
    allowed = not gates.refusals(facts, Stage.COMPLETED)
    assert allowed == (facts.progress_percent >= 100)


@given(facts=facts_strategy)
def test_works_never_start_unless_every_department_approved(facts):
    facts = replace(facts, stage=Stage.TENDER)
    if not gates.refusals(facts, Stage.WORKS):
        round_ = facts.review_round
        assert round_ is not None and round_.approved
        assert not round_.pending and not round_.rejected


@given(facts=facts_strategy)
def test_acceptance_is_allowed_exactly_when_satisfaction_reaches_the_threshold(facts):
    facts = replace(facts, stage=Stage.COMPLETED)
    allowed = not gates.refusals(facts, Stage.ACCEPTANCE)
    satisfaction = facts.acceptance_satisfaction
    assert allowed == (satisfaction is not None and satisfaction >= facts.satisfaction_threshold)


@given(facts=facts_strategy)
def test_options_agree_with_refusals(facts):
    for option in gates.options(facts):
        if not option.backward:
            assert option.refusals == gates.refusals(facts, option.stage)
