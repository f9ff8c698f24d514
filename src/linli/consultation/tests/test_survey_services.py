"""Survey services: the builder on drafts, publishing, versions, and who may answer for whom."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from linli.consultation import models as m
from linli.consultation.answers import AnswersInvalid
from linli.consultation.services import surveys as s
from linli.consultation.survey_selectors import (
    current_version,
    open_surveys_for_dwellings,
    results,
)
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.core.errors import Invalid
from linli.core.models import AuditEvent
from linli.registry.tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db

YES_NO = [("yes", "愿意", ""), ("no", "不愿意", "")]


@pytest.fixture
def world():
    compound = CompoundFactory()
    stairwell = stairwell_with_owners(compound=compound, storeys=2, per_floor=2)
    dwellings = list(stairwell.dwellings.order_by("floor", "number"))
    worker = community_worker(compound)
    return compound, dwellings, worker


def build(worker, compound):
    survey = s.create_survey(by=worker, title="加装电梯意愿", compounds=[compound])
    version = survey.versions.get()
    q1 = s.add_question(version=version, by=worker, kind="single", text="是否愿意", options=YES_NO)
    q2 = s.add_question(
        version=version,
        by=worker,
        kind="text",
        text="不愿意的原因",
        show_if=q1,
        show_if_values=["no"],
    )
    return survey, version, q1, q2


def test_create_survey_makes_a_draft_with_version_one(world):
    compound, _, worker = world
    survey = s.create_survey(by=worker, title=" 问卷 ", compounds=[compound])
    assert survey.status == m.SurveyStatus.DRAFT and survey.title == "问卷"
    assert [v.number for v in survey.versions.all()] == [1]
    assert survey.created_by == worker


def test_a_survey_outside_the_jurisdiction_is_refused(world):
    _, _, worker = world
    with pytest.raises(PermissionDenied):
        s.create_survey(by=worker, title="x", compounds=[CompoundFactory()])
    with pytest.raises(Invalid):
        s.create_survey(by=worker, title="x", compounds=[])


def test_options_get_generated_values_and_bad_shapes_are_refused(world):
    compound, _, worker = world
    version = s.create_survey(by=worker, title="t", compounds=[compound]).versions.get()
    q = s.add_question(
        version=version,
        by=worker,
        kind="multiple",
        text="想改什么",
        options=[("", "屋面", "roof"), ("", "管网", ""), ("o1", "电梯", "")],
        max_choices=2,
    )
    assert [(o.value, o.label, o.menu_code) for o in q.options.all()] == [
        ("o2", "屋面", "roof"),
        ("o3", "管网", ""),
        ("o1", "电梯", ""),
    ]
    for kwargs, code in [
        ({"kind": "single", "options": [("a", "A", "")]}, "options"),
        ({"kind": "text", "options": YES_NO}, "options"),
        ({"kind": "matrix", "options": YES_NO}, "rows"),
        ({"kind": "single", "options": [("a b", "A", ""), ("c", "C", "")]}, "options"),
        ({"kind": "single", "options": YES_NO, "max_choices": 1}, "max_choices"),
        ({"kind": "number", "min_value": Decimal(5), "max_value": Decimal(1)}, "range"),
        ({"kind": "poll"}, "kind"),
    ]:
        with pytest.raises(Invalid) as info:
            s.add_question(version=version, by=worker, text="x", **kwargs)
        assert info.value.code == code, kwargs


def test_a_condition_must_point_to_an_earlier_choice_question_and_its_options(world):
    compound, _, worker = world
    _survey, version, q1, q2 = build(worker, compound)
    with pytest.raises(Invalid, match="不是选择题"):
        s.add_question(
            version=version, by=worker, kind="text", text="x", show_if=q2, show_if_values=["a"]
        )
    with pytest.raises(Invalid, match="没有选项"):
        s.add_question(
            version=version, by=worker, kind="text", text="x", show_if=q1, show_if_values=["maybe"]
        )
    other = s.create_survey(by=worker, title="其他", compounds=[compound]).versions.get()
    with pytest.raises(Invalid, match="前面的题目"):
        s.add_question(
            version=other, by=worker, kind="text", text="x", show_if=q1, show_if_values=["no"]
        )


def test_update_move_and_delete_on_a_draft(world):
    compound, _, worker = world
    _survey, version, q1, q2 = build(worker, compound)
    q3 = s.add_question(version=version, by=worker, kind="number", text="几口人")
    s.update_question(question=q3, by=worker, text="家中几口人", min_value=Decimal(1))
    q3.refresh_from_db()
    assert (q3.text, q3.min_value) == ("家中几口人", Decimal("1.00"))
    s.move_question(question=q3, by=worker, position=1)
    assert list(version.questions.values_list("text", flat=True)) == [
        "家中几口人",
        "是否愿意",
        "不愿意的原因",
    ]
    with pytest.raises(Invalid) as info:
        s.move_question(question=q2, by=worker, position=1)  # before its condition
    assert info.value.code == "order"
    with pytest.raises(Invalid) as info:
        s.delete_question(question=q1, by=worker)  # q2 depends on it
    assert info.value.code == "has_dependants"
    s.delete_question(question=q3, by=worker)
    assert list(version.questions.values_list("position", "text")) == [
        (1, "是否愿意"),
        (2, "不愿意的原因"),
    ]


def test_publishing_needs_a_question_and_opens_the_survey(world):
    compound, _, worker = world
    empty = s.create_survey(by=worker, title="空", compounds=[compound])
    with pytest.raises(Invalid) as info:
        s.publish_version(survey=empty, by=worker)
    assert info.value.code == "empty"
    survey, version, *_ = build(worker, compound)
    moment = datetime.datetime(2026, 5, 1, 2, tzinfo=datetime.UTC)
    published = s.publish_version(survey=survey, by=worker, now=moment)
    survey.refresh_from_db()
    assert published.published_at == moment and survey.status == m.SurveyStatus.OPEN
    assert current_version(survey) == version
    with pytest.raises(Invalid) as info:
        s.publish_version(survey=survey, by=worker)
    assert info.value.code == "no_draft"


def test_a_published_version_refuses_every_edit(world):
    compound, _, worker = world
    survey, version, q1, q2 = build(worker, compound)
    s.publish_version(survey=survey, by=worker)
    for attempt in (
        lambda: s.add_question(version=version, by=worker, kind="text", text="x"),
        lambda: s.update_question(question=q1, by=worker, text="改"),
        lambda: s.delete_question(question=q2, by=worker),
        lambda: s.move_question(question=q2, by=worker, position=1),
    ):
        with pytest.raises(Invalid) as info:
            attempt()
        assert info.value.code == "published"
        assert "新版本" in info.value.zh


def test_new_version_copies_questions_options_and_conditions(world):
    compound, _, worker = world
    survey, _version, q1, _q2 = build(worker, compound)
    with pytest.raises(Invalid) as info:
        s.new_version(survey=survey, by=worker)
    assert info.value.code == "draft_exists"
    s.publish_version(survey=survey, by=worker)
    draft = s.new_version(survey=survey, by=worker, note="加一题")
    assert (draft.number, draft.published_at, draft.note) == (2, None, "加一题")
    c1, c2 = draft.questions.order_by("position")
    assert [o.value for o in c1.options.all()] == ["yes", "no"]
    assert c2.show_if == c1 and c2.show_if_values == ["no"]
    assert c1.pk != q1.pk
    with pytest.raises(Invalid):
        s.new_version(survey=survey, by=worker)  # one draft at a time
    s.update_question(question=c1, by=worker, text="是否同意加装电梯")
    q1.refresh_from_db()
    assert q1.text == "是否愿意"  # the published version is untouched
    s.publish_version(survey=survey, by=worker)
    assert current_version(survey) == draft


def test_responses_keep_the_version_they_answered_until_answered_again(world):
    compound, dwellings, worker = world
    survey, version, q1, _q2 = build(worker, compound)
    s.publish_version(survey=survey, by=worker)
    first = s.submit_response(
        survey=survey, dwelling=dwellings[0], answers={q1.pk: "yes"}, by=worker, channel="visit"
    )
    s.new_version(survey=survey, by=worker)
    v2 = s.publish_version(survey=survey, by=worker)
    first.refresh_from_db()
    assert first.version == version
    with pytest.raises(AnswersInvalid):  # old question ids are not part of the current version
        s.submit_response(
            survey=survey, dwelling=dwellings[0], answers={q1.pk: "no"}, by=worker, channel="visit"
        )
    c1 = v2.questions.get(position=1)
    again = s.submit_response(
        survey=survey,
        dwelling=dwellings[0],
        answers={str(c1.pk): "no", str(c1.pk + 1): "太吵"},
        by=worker,
        channel="visit",
    )
    assert again.pk == first.pk and again.version == v2
    assert sorted(again.answers.values_list("value", flat=True), key=str) == ["no", "太吵"]
    # The replaced answer stays in the audit trail.
    deleted = AuditEvent.objects.filter(action="delete", model_label="consultation.answer")
    assert deleted.count() == 1


def refusal(survey, question, *, dwelling, by, channel):
    """Why answering "yes" to ``question`` for ``dwelling`` is refused: the ``Invalid`` code,
    ``"permission"`` for a PermissionDenied, or ``None`` when the answer is taken."""
    try:
        s.submit_response(
            survey=survey,
            dwelling=dwelling,
            answers={question.pk: "yes"},
            by=by,
            channel=channel,
        )
    except PermissionDenied:
        return "permission"
    except Invalid as exc:
        return exc.code
    return None


def test_a_resident_answers_online_for_their_own_dwelling_only(world):
    compound, dwellings, worker = world
    survey, _version, q1, q2 = build(worker, compound)
    s.publish_version(survey=survey, by=worker)
    resident = resident_of(dwellings[0])
    response = s.submit_response(
        survey=survey,
        dwelling=dwellings[0],
        answers={q1.pk: "no", q2.pk: "费用高"},
        by=resident,
        channel="online",
    )
    assert response.channel == "online" and response.entered_by == resident
    neighbour = refusal(survey, q1, dwelling=dwellings[1], by=resident, channel="online")
    assert neighbour == "permission"
    as_visit = refusal(survey, q1, dwelling=dwellings[0], by=resident, channel="visit")
    assert as_visit == "channel"


def test_staff_answer_as_a_visit_in_their_compounds_only(world):
    compound, dwellings, worker = world
    survey, _version, q1, _ = build(worker, compound)
    s.publish_version(survey=survey, by=worker)
    assert refusal(survey, q1, dwelling=dwellings[1], by=worker, channel="online") == "channel"
    outsider = community_worker(CompoundFactory())
    assert refusal(survey, q1, dwelling=dwellings[1], by=outsider, channel="visit") == "permission"
    elsewhere = stairwell_with_owners(storeys=1, per_floor=1).dwellings.get()
    big = community_worker(elsewhere.stairwell.building.compound)
    assert refusal(survey, q1, dwelling=elsewhere, by=big, channel="visit") == "dwelling"


def test_answers_only_while_open_and_within_dates(world):
    compound, dwellings, worker = world
    survey, _version, q1, _ = build(worker, compound)
    args = {"dwelling": dwellings[0], "answers": {q1.pk: "yes"}, "by": worker, "channel": "visit"}
    with pytest.raises(Invalid) as info:
        s.submit_response(survey=survey, **args)
    assert info.value.code == "not_open"
    s.publish_version(survey=survey, by=worker)
    m.Survey.objects.filter(pk=survey.pk).update(
        opens_on=datetime.date(2026, 5, 1), closes_on=datetime.date(2026, 5, 31)
    )
    early = datetime.datetime(2026, 4, 30, 12, tzinfo=datetime.UTC)
    late = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    for moment, code in ((early, "not_open"), (late, "closed")):
        with pytest.raises(Invalid) as info:
            s.submit_response(survey=survey, now=moment, **args)
        assert info.value.code == code
    s.submit_response(
        survey=survey, now=datetime.datetime(2026, 5, 31, 12, tzinfo=datetime.UTC), **args
    )
    s.close_survey(survey=survey, by=worker)
    with pytest.raises(Invalid) as info:
        s.submit_response(survey=survey, **args)
    assert info.value.code == "not_open"
    with pytest.raises(Invalid):
        s.close_survey(survey=survey, by=worker)


def test_open_surveys_for_dwellings_and_results(world):
    compound, dwellings, worker = world
    survey, _version, q1, q2 = build(worker, compound)
    assert not open_surveys_for_dwellings([dwellings[0].pk]).exists()
    s.publish_version(survey=survey, by=worker)
    assert list(open_surveys_for_dwellings([dwellings[0].pk])) == [survey]
    for d, answer in zip(dwellings[:3], ["yes", "yes", "no"], strict=True):
        extra = {q2.pk: "贵"} if answer == "no" else {}
        s.submit_response(
            survey=survey, dwelling=d, answers={q1.pk: answer, **extra}, by=worker, channel="visit"
        )
    first, second = results(survey, worker)
    assert first.answered == 3
    assert [(o.value, o.count, o.share) for o in first.options] == [
        ("yes", 2, Decimal("66.7")),
        ("no", 1, Decimal("33.3")),
    ]
    assert second.texts == ["贵"]
    assert results(survey, resident_of(dwellings[0]))[0].answered == 1  # only their own
