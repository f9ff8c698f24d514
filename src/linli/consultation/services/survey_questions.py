"""The questionnaire builder: adding, changing, deleting and moving the questions (and their
options, rows and display conditions) of a survey's draft version, with the permission,
validation and draft checks the other survey writes in :mod:`.surveys` share.

A published version is frozen: each of these operations refuses to touch it (code
``published``); :func:`linli.consultation.services.surveys.new_version` makes a draft copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model

from linli.consultation.models import (
    CHOICE_KINDS,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyVersion,
)
from linli.core.errors import Invalid
from linli.core.scoping import scoped

__all__ = [
    "add_question",
    "check_condition",
    "clean_or_refuse",
    "delete_question",
    "draft_version",
    "move_question",
    "require_draft",
    "require_permission",
    "update_question",
]

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,32}$")
_UNSET: Any = object()


# --- Checks shared by the survey services ----------------------------------------------------


def require_permission(
    model: type[Model], obj: Model, by: Any, permission: str, zh: str, en: str
) -> None:
    """PermissionDenied unless ``by`` holds ``permission`` over ``obj`` (role and scope)."""
    if not scoped(model, by, permission).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"{zh} (you may not {en})")


def clean_or_refuse(obj: Model) -> None:
    """``full_clean()``, a failure raised as :class:`Invalid` (code ``invalid``)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        messages = "; ".join(exc.messages)
        raise Invalid(messages, messages, "invalid") from exc


def draft_version(survey: Survey) -> SurveyVersion | None:
    """The survey's draft version being built, if any (at most one at a time)."""
    return survey.versions.filter(published_at__isnull=True).order_by("-number").first()


def require_draft(version: SurveyVersion) -> None:
    """Refuse (code ``published``) to edit a published, frozen version."""
    if version.published_at is not None:
        raise Invalid(
            f"第 {version.number} 版已发布,不能再修改;请先生成新版本",
            f"version {version.number} is published and frozen; make a new version to change it",
            "published",
        )


def _options(kind: str, options: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Checked options with generated values where none was given (``o1``, ``o2``…)."""
    rows = [(v.strip(), lbl.strip(), code.strip()) for v, lbl, code in options]
    if kind not in CHOICE_KINDS:
        if rows:
            raise Invalid("该题型没有选项", f"a {kind} question has no options", "options")
        return []
    if len(rows) < 2:
        raise Invalid("选择题至少需要两个选项", "a choice question needs two options", "options")
    taken = {v for v, _, _ in rows if v}
    out: list[tuple[str, str, str]] = []
    n = 0
    for value, label, code in rows:
        if not label:
            raise Invalid("选项名称不能为空", "an option needs a label", "options")
        if not value:
            n += 1
            while f"o{n}" in taken:
                n += 1
            value = f"o{n}"
            taken.add(value)
        if not _SLUG.match(value):
            raise Invalid(
                f"选项值“{value}”只能由字母、数字、-、_ 组成(最长 32 位)",
                f"option value “{value}” may hold letters, digits, - and _ only (32 at most)",
                "options",
            )
        if len(label) > 128 or len(code) > 32:
            raise Invalid(
                "选项名称或改造内容编号过长", "option label or menu code too long", "options"
            )
        out.append((value, label, code))
    values = [v for v, _, _ in out]
    if len(set(values)) != len(values):
        raise Invalid("选项值重复", "two options share a value", "options")
    return out


def _check_shape(
    *,
    kind: str,
    rows: Sequence[str],
    max_choices: int,
    min_value: Decimal | None,
    max_value: Decimal | None,
    n_options: int,
) -> list[str]:
    if kind not in QuestionKind.values:
        raise Invalid(f"未知题型 {kind}", f"unknown question kind {kind}", "kind")
    clean_rows = [r.strip() for r in rows if r.strip()]
    if kind == QuestionKind.MATRIX and not clean_rows:
        raise Invalid("矩阵题至少需要一行", "a matrix question needs at least one row", "rows")
    if kind != QuestionKind.MATRIX and clean_rows:
        raise Invalid("只有矩阵题有行", "only a matrix question has rows", "rows")
    if max_choices < 0:
        raise Invalid("最多选择数不能为负", "max choices cannot be negative", "max_choices")
    if max_choices and kind not in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        raise Invalid(
            "只有多选题和排序题可限定最多选择数",
            "only multiple-choice and ranking questions take max choices",
            "max_choices",
        )
    if max_choices > n_options:
        raise Invalid(
            "最多选择数超过选项数", "max choices exceeds the number of options", "max_choices"
        )
    if (min_value is not None or max_value is not None) and kind != QuestionKind.NUMBER:
        raise Invalid(
            "只有数字题可设最小值、最大值", "only number questions take min and max", "range"
        )
    if min_value is not None and max_value is not None and min_value > max_value:
        raise Invalid("最小值大于最大值", "min is greater than max", "range")
    return clean_rows


def check_condition(
    *,
    version: SurveyVersion,
    position: int,
    show_if: Question | None,
    values: Sequence[str],
) -> list[str]:
    """The condition's values, checked: an earlier choice question of the same version."""
    values = [v.strip() for v in values if v.strip()]
    if show_if is None:
        if values:
            raise Invalid(
                "设了条件选项却没有条件题",
                "condition values given without a condition question",
                "show_if",
            )
        return []
    if show_if.version_id != version.pk or show_if.position >= position:
        raise Invalid(
            "显示条件须指向本版本中前面的题目",
            "a condition must point to an earlier question of the same version",
            "show_if",
        )
    if show_if.kind not in CHOICE_KINDS:
        raise Invalid(
            f"第 {show_if.position} 题不是选择题,不能作为显示条件",
            f"question {show_if.position} is not a choice question and cannot be a condition",
            "show_if",
        )
    if not values:
        raise Invalid("请选择显示条件的选项", "choose the condition's option values", "show_if")
    known = set(show_if.options.values_list("value", flat=True))
    unknown = [v for v in values if v not in known]
    if unknown:
        raise Invalid(
            f"第 {show_if.position} 题没有选项 {'、'.join(unknown)}",
            f"question {show_if.position} has no option {', '.join(unknown)}",
            "show_if",
        )
    return values


def _set_options(question: Question, options: Sequence[tuple[str, str, str]]) -> None:
    question.options.all().delete()
    for i, (value, label, code) in enumerate(options, start=1):
        option = Option(question=question, position=i, value=value, label=label, menu_code=code)
        clean_or_refuse(option)
        option.save()


# --- Questions -------------------------------------------------------------------------------


def add_question(
    *,
    version: SurveyVersion,
    by: Any,
    kind: str,
    text: str,
    options: Sequence[tuple[str, str, str]] = (),
    rows: Sequence[str] = (),
    required: bool = True,
    max_choices: int = 0,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    show_if: Question | None = None,
    show_if_values: Sequence[str] = (),
    help_text: str = "",
) -> Question:
    """Append a question to a draft version."""
    with transaction.atomic():
        version = SurveyVersion.objects.select_for_update().get(pk=version.pk)
        require_permission(
            SurveyVersion, version, by, "consultation.add_question", "不能编辑此问卷", "edit it"
        )
        require_draft(version)
        clean_options = _options(kind, options)
        clean_rows = _check_shape(
            kind=kind,
            rows=rows,
            max_choices=max_choices,
            min_value=min_value,
            max_value=max_value,
            n_options=len(clean_options),
        )
        position = (version.questions.aggregate(n=Max("position"))["n"] or 0) + 1
        values = check_condition(
            version=version, position=position, show_if=show_if, values=show_if_values
        )
        question = Question(
            version=version,
            position=position,
            kind=kind,
            text=text.strip(),
            help_text=help_text.strip(),
            required=required,
            rows=clean_rows,
            max_choices=max_choices,
            min_value=min_value,
            max_value=max_value,
            show_if=show_if,
            show_if_values=values,
        )
        clean_or_refuse(question)
        question.save()
        _set_options(question, clean_options)
        return question


def update_question(
    *,
    question: Question,
    by: Any,
    kind: str | None = None,
    text: str | None = None,
    options: Sequence[tuple[str, str, str]] | None = None,
    rows: Sequence[str] | None = None,
    required: bool | None = None,
    max_choices: int | None = None,
    min_value: Decimal | None = _UNSET,
    max_value: Decimal | None = _UNSET,
    show_if: Question | None = _UNSET,
    show_if_values: Sequence[str] | None = None,
    help_text: str | None = None,
) -> Question:
    """Change a question of a draft version; arguments left out keep their value."""
    with transaction.atomic():
        question = Question.objects.select_related("version").get(pk=question.pk)
        require_permission(
            Question, question, by, "consultation.change_question", "不能编辑此题", "edit it"
        )
        require_draft(question.version)
        kind = question.kind if kind is None else kind
        if options is None:
            current = [(o.value, o.label, o.menu_code) for o in question.options.all()]
            options = current if kind in CHOICE_KINDS else []
        clean_options = _options(kind, options)
        if rows is None:
            rows = list(question.rows) if kind == QuestionKind.MATRIX else []
        max_choices = question.max_choices if max_choices is None else max_choices
        if min_value is _UNSET:
            min_value = question.min_value if kind == QuestionKind.NUMBER else None
        if max_value is _UNSET:
            max_value = question.max_value if kind == QuestionKind.NUMBER else None
        clean_rows = _check_shape(
            kind=kind,
            rows=rows,
            max_choices=max_choices,
            min_value=min_value,
            max_value=max_value,
            n_options=len(clean_options),
        )
        if show_if is _UNSET:
            show_if = question.show_if
        if show_if_values is None:
            show_if_values = list(question.show_if_values) if show_if is not None else []
        values = check_condition(
            version=question.version,
            position=question.position,
            show_if=show_if,
            values=show_if_values,
        )
        question.kind = kind
        if text is not None:
            question.text = text.strip()
        if help_text is not None:
            question.help_text = help_text.strip()
        if required is not None:
            question.required = required
        question.rows = clean_rows
        question.max_choices = max_choices
        question.min_value = min_value
        question.max_value = max_value
        question.show_if = show_if
        question.show_if_values = values
        clean_or_refuse(question)
        question.save()
        _set_options(question, clean_options)
        return question


def _renumber(version: SurveyVersion, ordered: list[Question]) -> None:
    # Two passes so the (version, position) unique constraint never sees a duplicate; saved
    # one by one (not update()) so the audit trail records each move.
    moved = [(q, i) for i, q in enumerate(ordered, start=1) if q.position != i]
    for q, i in moved:
        q.position = i + 10000
        q.save(update_fields=["position"])
    for q, i in moved:
        q.position = i
        q.save(update_fields=["position"])


def delete_question(*, question: Question, by: Any) -> None:
    """Remove a question of a draft version (not one another question's condition uses)."""
    with transaction.atomic():
        question = Question.objects.select_related("version").get(pk=question.pk)
        require_permission(
            Question, question, by, "consultation.delete_question", "不能删除此题", "delete it"
        )
        version = question.version
        require_draft(version)
        dependants = list(
            question.dependants.order_by("position").values_list("position", flat=True)
        )
        if dependants:
            numbers = "、".join(str(n) for n in dependants)
            raise Invalid(
                f"第 {numbers} 题以此题为显示条件,请先修改它们",
                f"questions {', '.join(map(str, dependants))} depend on it; change them first",
                "has_dependants",
            )
        question.delete()
        _renumber(version, list(version.questions.order_by("position")))


def move_question(*, question: Question, by: Any, position: int) -> Question:
    """Move a question of a draft version to ``position`` (1-based), keeping conditions after
    the question they depend on."""
    with transaction.atomic():
        question = Question.objects.select_related("version").get(pk=question.pk)
        require_permission(
            Question, question, by, "consultation.change_question", "不能编辑此题", "edit it"
        )
        version = question.version
        require_draft(version)
        ordered = list(version.questions.select_related("show_if").order_by("position"))
        position = max(1, min(position, len(ordered)))
        ordered.remove(next(q for q in ordered if q.pk == question.pk))
        ordered.insert(position - 1, question)
        index = {q.pk: i for i, q in enumerate(ordered)}
        for q in ordered:
            if q.show_if_id is not None and index[q.show_if_id] > index[q.pk]:
                raise Invalid(
                    f"“{q.text}”的显示条件题须排在它前面",
                    f"“{q.text}” must come after the question its condition points to",
                    "order",
                )
        _renumber(version, ordered)
        question.refresh_from_db()
        return question
