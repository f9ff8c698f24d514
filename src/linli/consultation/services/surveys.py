"""Survey writes: creating a survey, publishing a draft version and starting a new one,
closing, and the households' responses. The questionnaire builder (questions of a draft
version) lives in :mod:`.survey_questions` and is re-exported here, so
``from linli.consultation.services.surveys import add_question`` keeps working.

A published version is frozen: every edit of its questions is refused, and changing the
questionnaire means :func:`new_version` (a draft copy) and publishing it. Responses are
validated by the pure engine :mod:`linli.consultation.answers` against the current version and
keep pointing at the version they answered.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from linli.consultation import answers as engine
from linli.consultation.models import (
    Answer,
    Option,
    Question,
    Response,
    ResponseChannel,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from linli.consultation.services.survey_questions import (
    add_question,
    check_condition,
    clean_or_refuse,
    delete_question,
    draft_version,
    move_question,
    require_permission,
    update_question,
)
from linli.core.errors import Invalid
from linli.core.scoping import scope_for, scoped
from linli.registry.models import Compound, Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING, whole_compounds

__all__ = [
    "add_question",
    "close_survey",
    "create_survey",
    "delete_question",
    "draft_version",
    "move_question",
    "new_version",
    "publish_version",
    "question_specs",
    "submit_response",
    "update_question",
]


# --- Surveys ---------------------------------------------------------------------------------


def create_survey(
    *,
    by: Any,
    title: str,
    compounds: Sequence[Compound],
    description: str = "",
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    coverage_target: Decimal | None = None,
) -> Survey:
    """A draft survey over ``compounds`` (all within ``by``'s scope), with draft version 1."""
    with transaction.atomic():
        compounds = list(compounds)
        if not compounds:
            raise Invalid("请至少选择一个小区", "choose at least one compound", "compounds")
        allowed = scoped(Compound, by, "consultation.add_survey").filter(
            pk__in=[c.pk for c in compounds]
        )
        if allowed.count() != len({c.pk for c in compounds}):
            raise PermissionDenied(
                "不能在辖区外的小区发起问卷 (you may not survey these compounds)"
            )
        survey = Survey(
            title=title.strip(),
            description=description,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=by if getattr(by, "pk", None) else None,
        )
        if coverage_target is not None:
            survey.coverage_target = coverage_target
        clean_or_refuse(survey)
        survey.save()
        survey.compounds.set(compounds)
        SurveyVersion.objects.create(survey=survey, number=1)
        return survey


def publish_version(
    *, survey: Survey, by: Any, now: datetime.datetime | None = None
) -> SurveyVersion:
    """Publish the draft version: it becomes current, and the survey opens."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        require_permission(
            Survey, survey, by, "consultation.change_survey", "不能发布此问卷", "publish"
        )
        if survey.status == SurveyStatus.CLOSED:
            raise Invalid("问卷已结束,不能发布", "the survey is closed", "closed")
        version = draft_version(survey)
        if version is None:
            raise Invalid(
                "没有待发布的草稿版本", "there is no draft version to publish", "no_draft"
            )
        questions = list(version.questions.select_related("show_if").order_by("position"))
        if not questions:
            raise Invalid("至少需要一道题才能发布", "a version needs a question", "empty")
        for q in questions:
            try:
                check_condition(
                    version=version, position=q.position, show_if=q.show_if, values=q.show_if_values
                )
            except Invalid as exc:
                raise Invalid(
                    f"第 {q.position} 题:{exc.zh}", f"question {q.position}: {exc.en}", exc.code
                ) from exc
        version.published_at = now or timezone.now()
        version.save(update_fields=["published_at", "updated_at"])
        if survey.status != SurveyStatus.OPEN:
            survey.status = SurveyStatus.OPEN
            survey.save(update_fields=["status", "updated_at"])
        return version


def new_version(*, survey: Survey, by: Any, note: str = "") -> SurveyVersion:
    """A draft copy (number n+1) of the current published version, conditions remapped."""
    from linli.consultation.survey_selectors import current_version

    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        require_permission(
            Survey, survey, by, "consultation.change_survey", "不能修订此问卷", "revise"
        )
        if survey.status == SurveyStatus.CLOSED:
            raise Invalid("问卷已结束,不能修订", "the survey is closed", "closed")
        if draft_version(survey) is not None:
            raise Invalid(
                "已有一个草稿版本,请先编辑或发布它",
                "a draft version already exists; edit or publish it",
                "draft_exists",
            )
        current = current_version(survey)
        if current is None:
            raise Invalid("尚无已发布的版本", "no version is published yet", "no_published")
        number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = SurveyVersion.objects.create(survey=survey, number=number, note=note[:255])
        mapped: dict[int, Question] = {}
        for q in current.questions.prefetch_related("options").order_by("position"):
            copy = Question.objects.create(
                version=draft,
                position=q.position,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                rows=list(q.rows),
                max_choices=q.max_choices,
                min_value=q.min_value,
                max_value=q.max_value,
                show_if=mapped.get(q.show_if_id) if q.show_if_id else None,
                show_if_values=list(q.show_if_values),
            )
            for o in q.options.all():
                Option.objects.create(
                    question=copy,
                    position=o.position,
                    value=o.value,
                    label=o.label,
                    menu_code=o.menu_code,
                )
            mapped[q.pk] = copy
        return draft


def close_survey(*, survey: Survey, by: Any) -> Survey:
    """End an open survey: no more responses."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        require_permission(
            Survey, survey, by, "consultation.change_survey", "不能结束此问卷", "close it"
        )
        if survey.status != SurveyStatus.OPEN:
            raise Invalid(
                "只有进行中的问卷可以结束", "only an open survey can be closed", "not_open"
            )
        survey.status = SurveyStatus.CLOSED
        survey.save(update_fields=["status", "updated_at"])
        return survey


# --- Responses -------------------------------------------------------------------------------


def question_specs(version: SurveyVersion) -> list[engine.QuestionSpec]:
    """The version's questions as the pure engine sees them (two queries)."""
    return [
        engine.QuestionSpec(
            id=q.pk,
            number=q.position,
            kind=q.kind,
            required=q.required,
            options=tuple(o.value for o in q.options.all()),
            rows=tuple(q.rows),
            max_choices=q.max_choices,
            min_value=q.min_value,
            max_value=q.max_value,
            show_if=q.show_if_id,
            show_if_values=tuple(q.show_if_values),
        )
        for q in version.questions.prefetch_related("options").order_by("position")
    ]


def _channel_allowed(by: Any, dwelling: Dwelling, channel: str) -> None:
    scope = scope_for(by, "consultation.add_response")
    own = dwelling.pk in scope.dwelling_ids
    staff = scope.everything or (
        Dwelling.objects.filter(pk=dwelling.pk)
        .filter(whole_compounds(scope, f"{COMPOUND_OF_DWELLING}__"))
        .exists()
    )
    if channel == ResponseChannel.ONLINE and not own:
        raise Invalid(
            "手机填写只能由本户居民提交;工作人员入户请选择“入户填写”",
            "online answers come from the household itself; staff enter answers as a visit",
            "channel",
        )
    if channel == ResponseChannel.VISIT and not staff:
        raise Invalid("入户填写只能由工作人员录入", "visit answers are entered by staff", "channel")
    if channel not in ResponseChannel.values:
        raise Invalid(f"未知填写方式 {channel}", f"unknown channel {channel}", "channel")


def submit_response(
    *,
    survey: Survey,
    dwelling: Dwelling,
    answers: Mapping[Any, Any],
    by: Any,
    channel: str,
    respondent_name: str = "",
    now: datetime.datetime | None = None,
) -> Response:
    """Record (or replace) the household's answers to the survey's current version.

    Raises :class:`linli.consultation.answers.AnswersInvalid` (an ``Invalid``) listing every
    problem by question when the answers break the questionnaire's rules.
    """
    from linli.consultation.survey_selectors import current_version

    now = now or timezone.now()
    with transaction.atomic():
        if not scoped(Dwelling, by, "consultation.add_response").filter(pk=dwelling.pk).exists():
            raise PermissionDenied("不能为这户填写问卷 (you may not answer for this dwelling)")
        survey = Survey.objects.get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise Invalid("问卷未在进行中", "the survey is not open", "not_open")
        today = timezone.localdate(now)
        if survey.opens_on and today < survey.opens_on:
            raise Invalid(
                f"问卷 {survey.opens_on} 才开始",
                f"the survey opens on {survey.opens_on}",
                "not_open",
            )
        if survey.closes_on and today > survey.closes_on:
            raise Invalid(
                f"问卷已于 {survey.closes_on} 截止",
                f"the survey closed on {survey.closes_on}",
                "closed",
            )
        compound_id = (
            Dwelling.objects.filter(pk=dwelling.pk)
            .values_list(f"{COMPOUND_OF_DWELLING}_id", flat=True)
            .first()
        )
        if compound_id is None or not survey.compounds.filter(pk=compound_id).exists():
            raise Invalid(
                "该房屋不在本问卷的小区内",
                "the dwelling is not in one of the survey's compounds",
                "dwelling",
            )
        _channel_allowed(by, dwelling, channel)
        version = current_version(survey)
        if version is None:  # an open survey always has one; guard anyway
            raise Invalid("问卷尚未发布", "the survey is not published", "not_open")
        cleaned = engine.validate_answers(question_specs(version), answers)
        response = (
            Response.objects.select_for_update().filter(survey=survey, dwelling=dwelling).first()
        )
        if response is None:
            response = Response(survey=survey, dwelling=dwelling)
        response.version = version
        response.channel = channel
        response.respondent_name = respondent_name.strip()[:64]
        response.entered_by = by if getattr(by, "pk", None) else None
        response.submitted_at = now
        response.save()
        # Replaced answers are deleted one by one, so the audit trail keeps each old value.
        for old in response.answers.all():
            old.delete()
        for question_id, value in cleaned.items():
            Answer.objects.create(response=response, question_id=question_id, value=value)
        return response
