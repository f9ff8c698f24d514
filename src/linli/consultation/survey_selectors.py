"""Survey reads: the current version, the open surveys of some dwellings, and the per-question
result summaries shown on the survey page.

Summaries count the answers given to the questions of one version (by default the current
one) among the responses the user may see: counts and shares per option, the mean of numbers,
the average position of each ranked option (1 = first), counts per matrix row and option, and
the latest texts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from linli.consultation.models import (
    Answer,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from linli.core.scoping import scoped
from linli.registry.models import Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING

#: Texts shown per text question on the survey page.
TEXTS_SHOWN = 20


def current_version(survey: Survey) -> SurveyVersion | None:
    """The latest published version (the one new responses answer)."""
    return survey.versions.filter(published_at__isnull=False).order_by("-number").first()


def open_surveys_for_dwellings(dwelling_ids: Iterable[int]) -> QuerySet[Survey]:
    """Open surveys (within their dates today) covering the compound of any of the dwellings."""
    ids = sorted(set(dwelling_ids))
    today = timezone.localdate()
    compounds = Dwelling.objects.filter(pk__in=ids).values(f"{COMPOUND_OF_DWELLING}_id")
    matching = Survey.objects.filter(compounds__in=compounds).values("pk")
    return (
        Survey.objects.filter(pk__in=matching, status=SurveyStatus.OPEN)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )


def _ratio(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class OptionCount:
    value: str
    label: str
    count: int = 0
    share: Decimal = Decimal("0.0")  # percent of those who answered the question
    mean_position: Decimal | None = None  # ranking only


@dataclass
class RowCounts:
    label: str
    counts: list[OptionCount]


@dataclass
class QuestionSummary:
    """What the answers to one question add up to."""

    question: Question
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    mean: Decimal | None = None
    rows: list[RowCounts] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _summarise(question: Question, values: list[Any]) -> QuestionSummary:
    summary = QuestionSummary(question=question, answered=len(values))
    options = list(question.options.all())
    n = len(values)
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
        counts: Counter[str] = Counter()
        positions: dict[str, list[int]] = {}
        for value in values:
            chosen = [value] if isinstance(value, str) else list(value)
            for i, v in enumerate(chosen, start=1):
                counts[v] += 1
                positions.setdefault(v, []).append(i)
        for o in options:
            row = OptionCount(o.value, o.label, counts[o.value], _ratio(counts[o.value], n))
            if question.kind == QuestionKind.RANKING and positions.get(o.value):
                ps = positions[o.value]
                row.mean_position = (Decimal(sum(ps)) / len(ps)).quantize(Decimal("0.01"))
            summary.options.append(row)
        if question.kind == QuestionKind.RANKING:
            summary.options.sort(
                key=lambda r: (r.mean_position is None, r.mean_position or 0, -r.count)
            )
    elif question.kind == QuestionKind.NUMBER:
        numbers = [Decimal(v) for v in values]
        if numbers:
            summary.mean = (sum(numbers, Decimal(0)) / len(numbers)).quantize(Decimal("0.01"))
    elif question.kind == QuestionKind.TEXT:
        summary.texts = [str(v) for v in values[-TEXTS_SHOWN:]][::-1]
    elif question.kind == QuestionKind.MATRIX:
        for i, label in enumerate(question.rows):
            row_counts: Counter[str] = Counter(
                str(v[str(i)]) for v in values if isinstance(v, dict) and v.get(str(i))
            )
            answered = sum(row_counts.values())
            summary.rows.append(
                RowCounts(
                    label,
                    [
                        OptionCount(
                            o.value,
                            o.label,
                            row_counts[o.value],
                            _ratio(row_counts[o.value], answered),
                        )
                        for o in options
                    ],
                )
            )
    return summary


def results(
    survey: Survey, user: Any, version: SurveyVersion | None = None
) -> list[QuestionSummary]:
    """One summary per question of ``version`` (default: current) over visible responses."""
    version = version or current_version(survey)
    if version is None:
        return []
    questions = list(version.questions.prefetch_related("options").order_by("position"))
    responses = scoped(Response.objects.filter(survey=survey, version=version), user)
    values: dict[int, list[Any]] = {q.pk: [] for q in questions}
    rows = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .order_by("response__submitted_at", "pk")
        .values_list("question_id", "value")
    )
    for question_id, value in rows:
        if question_id in values:
            values[question_id].append(value)
    return [_summarise(q, values[q.pk]) for q in questions]


def response_counts(surveys: QuerySet[Survey], user: Any) -> dict[int, int]:
    """Visible responses per survey, in one query."""
    rows = (
        scoped(Response.objects.filter(survey__in=surveys.values("pk")), user)
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
    )
    return {row["survey_id"]: row["n"] for row in rows}
