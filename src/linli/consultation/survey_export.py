"""Survey answers as CSV (UTF-8 with a BOM, so Excel opens the Chinese) or Excel (openpyxl).

One row per response the user may see: the dwelling's address, channel, submission time,
who entered it, the version answered, then one column per question — a matrix question has
one column per row. Questions are matched across versions by kind and text (and rows), so a
question carried unchanged into a new version keeps one column; the columns follow the order
of the newest version, then questions only older versions asked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from linli.consultation.models import Answer, Question, QuestionKind, Response, Survey
from linli.core.scoping import scoped

FIXED_HEADERS = ["房屋地址", "填写方式", "提交时间", "录入人", "版本"]
_DWELLING_ORDER = (
    "stairwell__building__compound__name",
    "stairwell__building__number",
    "stairwell__number",
    "floor",
    "number",
)
#: A cell starting with one of these would run as a formula in a spreadsheet.
_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _inert(text: str) -> str:
    """A residents' text cannot become a spreadsheet formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True)
class Column:
    """One export column: a question (and a matrix row index, or ``None``)."""

    key: tuple[Any, ...]
    header: str
    row: int | None


def _identity(q: Question) -> tuple[Any, ...]:
    return (q.kind, q.text.strip(), tuple(q.rows) if q.kind == QuestionKind.MATRIX else ())


def _columns(questions: list[Question]) -> list[Column]:
    # Newest version first, so its order wins; older-only questions come after.
    ordered = sorted(questions, key=lambda q: (-q.version.number, q.position))
    seen: set[tuple[Any, ...]] = set()
    columns: list[Column] = []
    for q in ordered:
        key = _identity(q)
        if key in seen:
            continue
        seen.add(key)
        if q.kind == QuestionKind.MATRIX:
            columns += [Column(key, f"{q.text}·{row}", i) for i, row in enumerate(q.rows)]
        else:
            columns.append(Column(key, q.text, None))
    return columns


def _format(kind: str, value: Any, labels: dict[str, str], row: int | None) -> str:
    def label(v: Any) -> str:
        return labels.get(str(v), str(v))

    if value is None:
        return ""
    if kind == QuestionKind.SINGLE:
        return label(value)
    if kind == QuestionKind.MULTIPLE:
        return "、".join(label(v) for v in value)
    if kind == QuestionKind.RANKING:
        return " ".join(f"{i}.{label(v)}" for i, v in enumerate(value, start=1))
    if kind == QuestionKind.MATRIX:
        chosen = value.get(str(row)) if isinstance(value, dict) else None
        return label(chosen) if chosen else ""
    return str(value)


def table(survey: Survey, user: Any) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the export (the responses ``user`` may see)."""
    questions = list(
        Question.objects.filter(version__survey=survey)
        .select_related("version")
        .prefetch_related("options")
    )
    columns = _columns(questions)
    by_question = {q.pk: q for q in questions}
    labels = {q.pk: {o.value: o.label for o in q.options.all()} for q in questions}
    responses = list(
        scoped(Response.objects.filter(survey=survey), user)
        .select_related("dwelling__stairwell__building__compound", "entered_by", "version")
        .order_by(*(f"dwelling__{path}" for path in _DWELLING_ORDER))
    )
    answers: dict[int, dict[tuple[Any, ...], tuple[str, Any, dict[str, str]]]] = {}
    for a in Answer.objects.filter(response__in=[r.pk for r in responses]):
        q = by_question[a.question_id]
        answers.setdefault(a.response_id, {})[_identity(q)] = (q.kind, a.value, labels[q.pk])
    rows: list[list[str]] = []
    for r in responses:
        entered = r.entered_by
        mine = answers.get(r.pk, {})
        line = [
            str(r.dwelling),
            str(r.get_channel_display()),
            timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
            "" if entered is None else (entered.get_full_name() or entered.get_username()),
            f"v{r.version.number}",
        ]
        for c in columns:
            found = mine.get(c.key)
            line.append("" if found is None else _format(found[0], found[1], found[2], c.row))
        rows.append(line)
    return FIXED_HEADERS + [c.header for c in columns], rows


def to_csv(survey: Survey, user: Any) -> bytes:
    """The export as CSV, UTF-8 with a byte-order mark."""
    headers, rows = table(survey, user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_inert(h) for h in headers])
    writer.writerows([_inert(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(survey: Survey, user: Any) -> bytes:
    """The export as an Excel workbook with one sheet."""
    headers, rows = table(survey, user)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "答卷"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            # openpyxl stores a string starting with "=" as a formula; keep it text.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "B2"
    for i, header in enumerate(headers, start=1):
        width = max([len(header), *(len(r[i - 1]) for r in rows)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, width * 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
