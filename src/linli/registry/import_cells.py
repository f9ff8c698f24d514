"""Reading one cell of a registry workbook, and the errors an import reports.

:func:`parse_cell` turns a raw cell (as python-calamine returns it: ``str``, ``float``,
``bool``, ``datetime`` or ``""`` for blank) into the value its column asks for, or raises
:class:`~linli.core.errors.Invalid` with the reason in Chinese and English. The model
validators are called directly (no ``full_clean`` per row). :class:`CellError` and
:class:`ErrorLog` are how every problem is located and counted. No database access here.

Personal data columns (ID and phone numbers) may hold a *masked* value, as a masked export
writes it (``410303********0015``): such a cell is passed through unchecked and
:mod:`.import_diff` matches it against the value already registered. Reasons given for a bad
personal data cell never quote the value in full.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

from linli.core.crypto import is_masked, scrub
from linli.core.errors import Invalid
from linli.registry.workbook import FALSE_WORDS, TRUE_WORDS, Column, ColumnType, choice_label

__all__ = [
    "MAX_ERRORS",
    "CellError",
    "ErrorLog",
    "as_text",
    "is_blank",
    "is_masked",
    "mask",
    "parse_cell",
    "shown",
    "split_bilingual",
]

#: Errors listed in a report; more are counted, not listed.
MAX_ERRORS = 200


def mask(text: str) -> str:
    """Personal data shown in reports: ``154****1234``, ``410303********0015``."""
    if len(text) <= 4:
        return "*" * len(text)
    head = min(6, len(text) // 3)
    return text[:head] + "*" * (len(text) - head - 4) + text[-4:]


@dataclass(frozen=True)
class CellError:
    """One problem in the workbook, located as precisely as possible."""

    sheet: str
    row: int | None
    column: str | None
    letter: str | None
    value: str
    zh: str
    en: str

    @property
    def cell(self) -> str:
        """``E7``, ``E`` (a whole column), ``7`` (a whole row) or ``""`` (the whole sheet)."""
        return f"{self.letter or ''}{self.row or ''}"

    @property
    def location(self) -> str:
        """``房屋!E7`` as in Excel formulas, or just the sheet."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def format(self) -> str:
        """The one-line form the CLI prints: ``房屋!E7: 中文原因 (English reason)``."""
        return f"{self.location}: {self.zh} ({self.en})"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (stored on uploads)."""
        return asdict(self)


class ErrorLog:
    """Collects errors; lists the first ``limit`` and only counts the rest."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.limit = limit
        self.items: list[CellError] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def hidden(self) -> int:
        """How many errors were counted but not listed."""
        return self.total - len(self.items)

    def add(
        self,
        sheet: str,
        zh: str,
        en: str,
        *,
        row: int | None = None,
        column: Column | None = None,
        letter: str | None = None,
        value: Any = "",
    ) -> None:
        """Record one error (silently counted once ``limit`` are listed)."""
        self.total += 1
        if len(self.items) >= self.limit:
            return
        shown = "" if value is None else str(value)
        if column is not None and column.personal and shown:
            shown = mask(shown)
        self.items.append(
            CellError(
                sheet=sheet,
                row=row,
                column=column.header if column else None,
                letter=letter,
                value=shown,
                zh=zh,
                en=en,
            )
        )


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(raw: Any) -> str:
    """A cell as people see it in Excel (41, not 41.0)."""
    return "" if raw is None else as_text(raw)


def split_bilingual(message: str) -> tuple[str, str]:
    """``"中文 (English)"`` -> ``("中文", "English")``; the model validators' message style."""
    start = message.find(" (")
    while start != -1:
        rest = message[start + 2 : -1]
        if message.endswith(")") and rest.count("(") == rest.count(")"):
            return message[:start], rest
        start = message.find(" (", start + 1)
    return message, message


def as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel stores every number as a float: 3 arrives as 3.0
    if hasattr(raw, "isoformat"):
        return raw.isoformat()
    return str(raw)


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Invalid("须为整数", "must be a whole number", "integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise Invalid("须为整数", "must be a whole number", "integer")
    try:
        number = Decimal(as_text(raw))
    except InvalidOperation:
        raise Invalid("须为整数", "must be a whole number", "integer") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise Invalid("须为整数", "must be a whole number", "integer")
    return int(number)


def _as_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise Invalid("须为数字", "must be a number", "number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise Invalid("须为数字", "must be a number", "number")
        return Decimal(repr(raw))  # the shortest text that reads back as this float
    try:
        number = Decimal(as_text(raw))
    except InvalidOperation:
        raise Invalid("须为数字", "must be a number", "number") from None
    if not number.is_finite():
        raise Invalid("须为数字", "must be a number", "number")
    return number


def _as_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = as_text(raw).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Invalid("须填“是”或“否”", "must be 是 (yes) or 否 (no)", "boolean")


@cache
def _choice_lookup(column: Column) -> dict[str, str]:
    """Every accepted spelling of a choice -> its value: value, Chinese and English label."""
    assert column.choices is not None
    lookup: dict[str, str] = {}
    for value in column.choices.values:
        lookup[_choice_token(value)] = value
        lookup[_choice_token(choice_label(column.choices, value))] = value
        with translation.override("en"):
            lookup[_choice_token(str(column.choices(value).label))] = value
    return lookup


def _choice_token(text: str) -> str:
    return text.strip().lower().replace("-", "").replace(" ", "")


def _as_choice(column: Column, raw: Any) -> str:
    text = as_text(raw)
    value = _choice_lookup(column).get(_choice_token(text))
    if value is None:
        assert column.choices is not None
        raise Invalid(
            f"“{text}”不是有效选项,可选:{'、'.join(column.choice_labels)}",
            f"{text!r} is not a valid choice; expected one of: "
            + ", ".join(str(v) for v in column.choices.values),
            "choice",
        )
    return value


def _check_range(column: Column, value: int | Decimal) -> None:
    low, high = column.min_value, column.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise Invalid(f"须在 {low}–{high} 之间", f"must be between {low} and {high}", "range")
        if low is not None:
            raise Invalid(f"不能小于 {low}", f"must be at least {low}", "range")
        raise Invalid(f"不能大于 {high}", f"must be at most {high}", "range")


def parse_cell(column: Column, raw: Any) -> Any:
    """The value of one cell read by ``column``'s rules, or :class:`Invalid` saying why not.

    A blank cell is the column's default, or an error if the column is required.
    """
    if is_blank(raw):
        if column.required:
            raise Invalid("必填项,不能为空", "this column is required", "required")
        return column.default
    kind = column.kind
    value: Any
    if kind is ColumnType.TEXT:
        value = as_text(raw)
        if column.personal and is_masked(value):
            return value  # a masked export's cell: import_diff compares it with the stored value
        if column.check is not None:
            try:
                value = column.check(value)
            except Invalid as exc:
                if not column.personal:
                    raise
                kind_of = "phone" if column.field == "phone" else "id_number"
                raise Invalid(
                    scrub(exc.zh, value, kind_of), scrub(exc.en, value, kind_of), exc.code
                ) from None
        if column.max_length is not None and len(value) > column.max_length:
            raise Invalid(
                f"不能超过 {column.max_length} 个字符(现为 {len(value)} 个)",
                f"must be at most {column.max_length} characters (got {len(value)})",
                "max_length",
            )
    elif kind is ColumnType.INTEGER:
        value = _as_int(raw)
        _check_range(column, value)
    elif kind is ColumnType.DECIMAL:
        value = _as_decimal(raw)
        places = column.decimal_places
        if places is not None:
            quantum = Decimal(1).scaleb(-places)
            if value != value.quantize(quantum):
                raise Invalid(
                    f"最多 {places} 位小数", f"must have at most {places} decimal places", "places"
                )
            value = value.quantize(quantum)
        _check_range(column, value)
    elif kind is ColumnType.BOOLEAN:
        value = _as_bool(raw)
    else:
        value = _as_choice(column, raw)
    for validator in column.validators:
        try:
            validator(value)
        except ValidationError as exc:
            raise Invalid(*split_bilingual(exc.messages[0])) from None
    return value
