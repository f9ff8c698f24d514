"""A survey on the resident's phone (``resident.py``): the questions of a version drawn for
touch (options, ranking places, matrix rows, the condition in words), the answers read back
from a posted form into the shapes the answers engine (:mod:`linli.consultation.answers`)
validates, and stored answers in words. Plain helpers over questions whose options the view
has prefetched; no writes and no queries of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from linli.consultation import answers as engine
from linli.consultation.models import Question, QuestionKind


@dataclass
class OptionView:
    value: str
    label: str
    checked: bool = False


@dataclass
class Slot:
    """One place of a ranking question (第1位, 第2位…) and the option chosen for it."""

    number: int
    name: str
    selected: str


@dataclass
class RowView:
    """One row of a matrix question, with its radio name and the chosen option."""

    index: int
    label: str
    name: str
    options: list[OptionView]


@dataclass
class QuestionView:
    """What the template needs to draw one question for touch."""

    question: Question
    name: str
    value: Any
    options: list[OptionView]
    slots: list[Slot]
    rows: list[RowView]
    errors: list[str]
    condition: str
    answer_text: str


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def parse_answers(
    questions: Sequence[Question], specs: Sequence[engine.QuestionSpec], data: QueryDict
) -> dict[int, Any]:
    """The raw answers of a posted form, keyed by question id, in the engine's shapes.

    Answers to a conditional question whose condition the same form does not meet are left
    out (without JavaScript every question is on the page; the household is not asked it).
    """
    raw: dict[int, Any] = {}
    for q in questions:
        name = field_name(q)
        if q.kind == QuestionKind.MULTIPLE:
            value: Any = [v for v in data.getlist(name) if v]
        elif q.kind == QuestionKind.RANKING:
            value = [data.get(f"{name}_{n}", "") for n in range(1, ranking_places(q) + 1)]
            value = [v for v in value if v]
        elif q.kind == QuestionKind.MATRIX:
            value = {
                str(i): data.get(f"{name}_{i}", "")
                for i in range(len(q.rows))
                if data.get(f"{name}_{i}", "")
            }
        else:
            value = data.get(name, "")
        raw[q.pk] = value
    kinds = {q.pk: q.kind for q in questions}
    kept: dict[int, Any] = {}
    by_id = {s.id: s for s in specs}
    for q in sorted(questions, key=lambda q: q.position):
        if engine.is_blank(raw[q.pk]) or q.pk not in by_id:
            continue
        if engine.shown(by_id[q.pk], kept, kinds):
            kept[q.pk] = raw[q.pk]
    return kept


def ranking_places(question: Question) -> int:
    n = len(question.options.all())
    return min(question.max_choices, n) if question.max_choices else n


def answer_words(question: Question, value: Any) -> str:
    """A stored answer in words (option labels, not values)."""
    if engine.is_blank(value):
        return ""
    labels = {o.value: o.label for o in question.options.all()}
    if question.kind == QuestionKind.SINGLE:
        return labels.get(value, str(value))
    if question.kind == QuestionKind.MULTIPLE:
        return "、".join(labels.get(v, str(v)) for v in value)
    if question.kind == QuestionKind.RANKING:
        return " > ".join(f"{i}. {labels.get(v, str(v))}" for i, v in enumerate(value, start=1))
    if question.kind == QuestionKind.MATRIX and isinstance(value, dict):
        rows = list(question.rows)
        parts = []
        for key, chosen in value.items():
            row = rows[int(key)] if str(key).isdigit() and int(key) < len(rows) else key
            parts.append(f"{row}:{labels.get(chosen, str(chosen))}")
        return ";".join(parts)
    return str(value)


def condition_words(question: Question, by_id: Mapping[int, Question]) -> str:
    if question.show_if_id is None or question.show_if_id not in by_id:
        return ""
    parent = by_id[question.show_if_id]
    labels = {o.value: o.label for o in parent.options.all()}
    wanted = "”或“".join(labels.get(v, v) for v in question.show_if_values)
    return gettext("仅当第 %(number)s 题选择“%(options)s”时作答") % {
        "number": parent.position,
        "options": wanted,
    }


def question_views(
    questions: Sequence[Question],
    values: Mapping[int, Any],
    errors: Mapping[int | None, list[str]],
) -> list[QuestionView]:
    by_id = {q.pk: q for q in questions}
    out: list[QuestionView] = []
    for q in questions:
        name = field_name(q)
        value = values.get(q.pk)
        options = list(q.options.all())
        if q.kind == QuestionKind.MULTIPLE:
            chosen = set(value or [])
        elif q.kind == QuestionKind.SINGLE:
            chosen = {value} if isinstance(value, str) else set()
        else:
            chosen = set()
        slots: list[Slot] = []
        if q.kind == QuestionKind.RANKING:
            ranked = list(value or [])
            slots = [
                Slot(n, f"{name}_{n}", ranked[n - 1] if n <= len(ranked) else "")
                for n in range(1, ranking_places(q) + 1)
            ]
        rows: list[RowView] = []
        if q.kind == QuestionKind.MATRIX:
            matrix = value if isinstance(value, dict) else {}
            rows = [
                RowView(
                    i,
                    label,
                    f"{name}_{i}",
                    [OptionView(o.value, o.label, matrix.get(str(i)) == o.value) for o in options],
                )
                for i, label in enumerate(q.rows)
            ]
        out.append(
            QuestionView(
                question=q,
                name=name,
                value="" if value is None or isinstance(value, list | dict) else value,
                options=[OptionView(o.value, o.label, o.value in chosen) for o in options],
                slots=slots,
                rows=rows,
                errors=list(errors.get(q.pk, [])),
                condition=condition_words(q, by_id),
                answer_text=answer_words(q, value),
            )
        )
    return out
