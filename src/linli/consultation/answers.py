"""The pure answer engine of surveys: which answers a questionnaire accepts.

Plain dataclasses describe the questions (no ORM here), and :func:`validate_answers` turns the
raw answers of one household into cleaned values or raises one :class:`AnswersInvalid` listing
every problem by question number, in Chinese and English. The survey service loads the
questions of a version, calls the engine and stores what it returns.

Cleaned values, as stored in ``Answer.value``:

- single: the option value (``"yes"``);
- multiple: the chosen values in option order (``["lift", "roof"]``);
- ranking: the values in the order given, first = most wanted;
- number: a plain decimal string (``"3.5"``);
- text: the stripped text;
- matrix: ``{"0": "good", "1": "poor"}`` — row index (as a string) to option value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from linli.core.errors import Invalid

SINGLE = "single"
MULTIPLE = "multiple"
RANKING = "ranking"
NUMBER = "number"
TEXT = "text"
MATRIX = "matrix"
KINDS = frozenset({SINGLE, MULTIPLE, RANKING, NUMBER, TEXT, MATRIX})
#: Kinds answered with option values; only these can drive a condition.
CHOICE_KINDS = frozenset({SINGLE, MULTIPLE, RANKING, MATRIX})
#: Longest text answer accepted.
MAX_TEXT = 2000


@dataclass(frozen=True)
class QuestionSpec:
    """What the engine needs to know of one question.

    ``number`` is the question's position as the household sees it (第 n 题). ``show_if`` is the
    id of an earlier choice question; the question is asked only when that question's answer
    includes one of ``show_if_values``.
    """

    id: int
    number: int
    kind: str
    required: bool = True
    options: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    max_choices: int = 0
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    show_if: int | None = None
    show_if_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One broken rule: the question (``None`` for an unknown id) and the reason."""

    question_id: int | None
    number: int | None
    zh: str
    en: str
    code: str

    @property
    def message(self) -> str:
        return f"{self.zh} ({self.en})"


class AnswersInvalid(Invalid):
    """The answers break one or more rules; ``problems`` lists each of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            ";".join(p.zh for p in self.problems),
            "; ".join(p.en for p in self.problems),
            "answers",
        )

    def by_question(self) -> dict[int | None, list[str]]:
        """Bilingual messages keyed by question id (``None``: not tied to a known question)."""
        out: dict[int | None, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.question_id, []).append(p.message)
        return out


class _Refused(Exception):
    """Raised inside a checker: the reason, without the question number."""

    def __init__(self, zh: str, en: str, code: str) -> None:
        super().__init__(en)
        self.zh, self.en, self.code = zh, en, code


def is_blank(value: Any) -> bool:
    """Whether a raw answer counts as "not answered"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def chosen_values(kind: str, value: Any) -> set[str]:
    """The option values a cleaned choice answer includes (for conditions)."""
    if kind == SINGLE and isinstance(value, str):
        return {value}
    if kind in (MULTIPLE, RANKING) and isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    if kind == MATRIX and isinstance(value, dict):
        return {v for v in value.values() if isinstance(v, str)}
    return set()


def _known(q: QuestionSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused("选项须为文本值", "an option must be given by its value", "type")
    if value not in q.options:
        raise _Refused(f"“{value}”不是本题的选项", f"“{value}” is not an option", "unknown_option")
    return value


def _value_list(q: QuestionSpec, value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise _Refused("须为选项值的列表", "must be a list of option values", "type")
    values = [_known(q, v) for v in value]
    if len(set(values)) != len(values):
        raise _Refused("同一选项不能重复", "an option appears twice", "duplicate")
    return values


def _single(q: QuestionSpec, value: Any) -> str:
    return _known(q, value)


def _multiple(q: QuestionSpec, value: Any) -> list[str]:
    values = _value_list(q, value)
    if not values:
        raise _Refused("请至少选择一项", "choose at least one option", "required")
    if q.max_choices and len(values) > q.max_choices:
        raise _Refused(
            f"最多选择 {q.max_choices} 项", f"choose at most {q.max_choices}", "max_choices"
        )
    order = {v: i for i, v in enumerate(q.options)}
    return sorted(values, key=order.__getitem__)


def _ranking(q: QuestionSpec, value: Any) -> list[str]:
    values = _value_list(q, value)
    if not values:
        raise _Refused("请至少排出一项", "rank at least one option", "required")
    cap = q.max_choices or len(q.options)
    if len(values) > cap:
        raise _Refused(f"最多排出 {cap} 项", f"rank at most {cap}", "max_choices")
    return values


def _number(q: QuestionSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        raise _Refused("须为数字", "must be a number", "number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Refused("须为数字", "must be a number", "number") from None
    if not number.is_finite():
        raise _Refused("须为数字", "must be a number", "number")
    if q.min_value is not None and number < q.min_value:
        raise _Refused(f"不能小于 {q.min_value}", f"must be at least {q.min_value}", "min_value")
    if q.max_value is not None and number > q.max_value:
        raise _Refused(f"不能大于 {q.max_value}", f"must be at most {q.max_value}", "max_value")
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(q: QuestionSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused("须为文本", "must be text", "type")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise _Refused(
            f"最多 {MAX_TEXT} 个字符", f"no more than {MAX_TEXT} characters", "max_length"
        )
    return text


def _matrix(q: QuestionSpec, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Refused("须为“行号: 选项值”的对象", "must map row numbers to option values", "type")
    out: dict[str, str] = {}
    for key, chosen in value.items():
        index = str(key)
        if not index.isdigit() or int(index) >= len(q.rows):
            raise _Refused(f"没有第 {key} 行", f"there is no row {key}", "unknown_row")
        if is_blank(chosen):
            continue
        try:
            out[str(int(index))] = _known(q, chosen)
        except _Refused as exc:
            row = q.rows[int(index)]
            raise _Refused(f"“{row}”行:{exc.zh}", f"row “{row}”: {exc.en}", exc.code) from None
    if q.required and out:
        missing = [q.rows[i] for i in range(len(q.rows)) if str(i) not in out]
        if missing:
            raise _Refused(
                f"以下各行未作答:{'、'.join(missing)}",
                f"rows not answered: {', '.join(missing)}",
                "rows_required",
            )
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


_CHECKERS = {
    SINGLE: _single,
    MULTIPLE: _multiple,
    RANKING: _ranking,
    NUMBER: _number,
    TEXT: _text,
    MATRIX: _matrix,
}


def _key(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def shown(q: QuestionSpec, cleaned: Mapping[int, Any], kinds: Mapping[int, str]) -> bool:
    """Whether ``q`` is asked, given the cleaned answers of the questions before it."""
    if q.show_if is None:
        return True
    if q.show_if not in cleaned:  # the question it depends on is hidden or unanswered
        return False
    chosen = chosen_values(kinds.get(q.show_if, ""), cleaned[q.show_if])
    return bool(chosen & set(q.show_if_values))


def validate_answers(
    questions: Sequence[QuestionSpec], answers: Mapping[Any, Any]
) -> dict[int, Any]:
    """The cleaned answers keyed by question id, or :class:`AnswersInvalid` with every problem.

    ``answers`` are keyed by question id (int or digit string). Questions are checked in their
    order (``number``), so a condition sees the cleaned answer of the question it points to.
    Blank answers (``None``, ``""``, ``[]``, ``{}``) count as unanswered and are left out.
    """
    problems: list[Problem] = []
    by_id = {q.id: q for q in questions}
    given: dict[int, Any] = {}
    for raw_key, value in answers.items():
        key = _key(raw_key)
        if key is None or key not in by_id:
            problems.append(
                Problem(
                    None,
                    None,
                    f"问题 {raw_key} 不属于本问卷",
                    f"question {raw_key} is not part of this survey",
                    "unknown_question",
                )
            )
            continue
        given[key] = value
    kinds = {q.id: q.kind for q in questions}
    cleaned: dict[int, Any] = {}
    for q in sorted(questions, key=lambda q: q.number):
        value = given.get(q.id)
        blank = is_blank(value)
        zh_no, en_no = f"第 {q.number} 题", f"question {q.number}"
        if not shown(q, cleaned, kinds):
            if not blank:
                problems.append(
                    Problem(
                        q.id,
                        q.number,
                        f"{zh_no}:按前面的回答不应作答此题",
                        f"{en_no}: not asked given the earlier answers, leave it empty",
                        "not_shown",
                    )
                )
            continue
        if blank:
            if q.required:
                problems.append(
                    Problem(q.id, q.number, f"{zh_no}:必答", f"{en_no}: required", "required")
                )
            continue
        try:
            cleaned[q.id] = _CHECKERS[q.kind](q, value)
        except _Refused as exc:
            problems.append(
                Problem(q.id, q.number, f"{zh_no}:{exc.zh}", f"{en_no}: {exc.en}", exc.code)
            )
        except KeyError:
            problems.append(
                Problem(
                    q.id,
                    q.number,
                    f"{zh_no}:未知题型 {q.kind}",
                    f"{en_no}: unknown kind {q.kind}",
                    "kind",
                )
            )
    if problems:
        raise AnswersInvalid(problems)
    return cleaned
