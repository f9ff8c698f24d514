"""Reading and checking a registry workbook, without touching the database.

:func:`read_workbook` opens the file with python-calamine (the fastest reader measured in
``bench/bench_import.py``), checks that every sheet and header of :mod:`.workbook` is there,
reads every cell by its column's type and rules, and checks what a single workbook can tell on
its own: duplicate natural keys, one owner spelled two ways, co-owners' shares over 100 %.
Checks that need the database (parents, floors against stored buildings, the diff) live in
:mod:`.import_diff`; writing lives in :mod:`.services`.

Cells are read by :func:`~.import_cells.parse_cell`; errors are
:class:`~.import_cells.CellError` records naming sheet, Excel row, column header and letter,
the value and the reason in Chinese and English (personal data masked).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from linli.core.errors import Invalid
from linli.core.geo import to_wgs84
from linli.registry.import_cells import (
    MAX_ERRORS,
    CellError,
    ErrorLog,
    as_text,
    is_blank,
    is_masked,
    mask,
    parse_cell,
    shown,
    split_bilingual,
)
from linli.registry.models import Compound
from linli.registry.workbook import (
    COMPOUNDS,
    ID_CHECKERS,
    ORGANISATION_KINDS,
    OWNERSHIPS,
    SHEETS,
    Column,
    CoordinateSystem,
    Sheet,
)

__all__ = [
    "MAX_ERRORS",
    "CellError",
    "ErrorLog",
    "ParsedSheet",
    "Row",
    "Source",
    "mask",
    "parse_cell",
    "read_workbook",
]

Source = str | os.PathLike[str] | IO[bytes]

_HUNDRED = Decimal(100)


@dataclass
class Row:
    """A data row: its Excel row number and its values by field (parsed where valid)."""

    number: int
    values: dict[str, Any]
    ok: bool = True
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedSheet:
    """One sheet's rows, and the Excel column letter of each field."""

    sheet: Sheet
    rows: list[Row]
    letters: dict[str, str]
    #: Natural keys of every row, valid or not, so children never see a false "unknown parent".
    keys: set[tuple[str, ...]] = field(default_factory=set)

    def error(self, errors: ErrorLog, row: Row, field_name: str, zh: str, en: str) -> None:
        """Record an error on ``row``'s cell for ``field_name`` and mark the row invalid."""
        row.ok = False
        errors.add(
            self.sheet.name,
            zh,
            en,
            row=row.number,
            column=self.sheet.column(field_name),
            letter=self.letters[field_name],
            value=shown(row.raw.get(field_name, row.values.get(field_name))),
        )


# --- Sheets ----------------------------------------------------------------------------------


def read_workbook(source: Source, errors: ErrorLog) -> dict[str, ParsedSheet] | None:
    """Every sheet of the workbook read and checked on its own; ``None`` if its shape is wrong.

    A missing sheet, a missing, unknown or repeated header, or a file that is not a workbook
    stops here (the rows cannot be trusted); any other error is recorded and reading goes on,
    so one pass reports as much as possible.
    """
    try:
        book = CalamineWorkbook.from_object(source)
    except (CalamineError, OSError, ValueError, TypeError) as exc:
        errors.add(
            "",
            f"无法读取文件,请上传 .xlsx 格式的 Excel 工作簿({exc})",
            f"the file cannot be read; upload an Excel .xlsx workbook ({exc})",
        )
        return None
    tables: dict[str, list[list[Any]]] = {}
    letters: dict[str, dict[str, str]] = {}
    for sheet in SHEETS:
        if sheet.name not in book.sheet_names:
            errors.add(
                sheet.name,
                f"缺少工作表“{sheet.name}”(表中可以没有数据行,但须有表头)",
                f"sheet {sheet.name!r} is missing (it may have no data rows, but needs its headers)",
            )
            continue
        table = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        found = _check_headers(sheet, table[0] if table else [], errors)
        if found is not None:
            tables[sheet.name], letters[sheet.name] = table, found
    book.close()
    if errors:
        return None
    parsed = {
        sheet.name: _read_rows(sheet, tables[sheet.name], letters[sheet.name], errors)
        for sheet in SHEETS
    }
    _check_compounds(parsed[COMPOUNDS.name], errors)
    _check_owners(parsed[OWNERSHIPS.name], errors)
    return parsed


def _check_headers(sheet: Sheet, header: list[Any], errors: ErrorLog) -> dict[str, str] | None:
    """Field -> column letter, or ``None`` after recording what is wrong with the header row."""
    by_header = {column.header: column for column in sheet.columns}
    letters: dict[str, str] = {}
    ok = True
    for index, raw in enumerate(header):
        if is_blank(raw):
            continue
        text, letter = as_text(raw), get_column_letter(index + 1)
        column = by_header.get(text)
        if column is None:
            ok = False
            errors.add(
                sheet.name,
                f"未知的列标题“{text}”,应为:{'、'.join(sheet.headers)}",
                f"unknown column header {text!r}; expected: {', '.join(sheet.headers)}",
                row=1,
                letter=letter,
                value=text,
            )
        elif column.field in letters:
            ok = False
            errors.add(
                sheet.name,
                f"列标题“{text}”重复(已在 {letters[column.field]} 列)",
                f"column header {text!r} repeats column {letters[column.field]}",
                row=1,
                column=column,
                letter=letter,
                value=text,
            )
        else:
            letters[column.field] = letter
    for position, column in enumerate(sheet.columns, start=1):
        if column.field not in letters:
            ok = False
            errors.add(
                sheet.name,
                f"缺少列“{column.header}”(应在第 1 行,模板中为 {get_column_letter(position)} 列)",
                f"column {column.header!r} is missing from row 1 "
                f"(column {get_column_letter(position)} in the template)",
                row=1,
                column=column,
                letter=get_column_letter(position),
            )
    return letters if ok else None


def _read_rows(
    sheet: Sheet, table: list[list[Any]], letters: dict[str, str], errors: ErrorLog
) -> ParsedSheet:
    """Parse every non-blank row after the header; record cell errors and duplicate keys."""
    parsed = ParsedSheet(sheet=sheet, rows=[], letters=letters)
    index_of = {field: _letter_index(letter) for field, letter in letters.items()}
    # Key columns repeat the same few values on every row (XG0001, 1, 2, ...): each column
    # remembers what a raw cell parsed to. Keyed by type too, since 1 == 1.0 == True.
    plan: list[tuple[Column, int, dict[tuple[type, Any], tuple[bool, Any]]]] = [
        (column, index_of[column.field], {}) for column in sheet.columns
    ]
    key_fields = sheet.key
    first_row_of: dict[tuple[str, ...], int] = {}
    for offset, cells in enumerate(table[1:], start=2):
        width = len(cells)
        if all(is_blank(c) for c in cells):
            continue
        row = Row(number=offset, values={})
        for column, index, memo in plan:
            raw = cells[index] if index < width else None
            seen = memo.get((raw.__class__, raw))
            if seen is None:
                try:
                    seen = (True, parse_cell(column, raw))
                except Invalid as exc:
                    seen = (False, exc)
                memo[(raw.__class__, raw)] = seen
            if seen[0]:
                row.values[column.field] = seen[1]
            else:
                row.raw[column.field] = raw
                parsed.error(errors, row, column.field, seen[1].zh, seen[1].en)
        if sheet is OWNERSHIPS:
            _check_owner_id(parsed, row, errors)
        parsed.rows.append(row)
        key = _key(row, key_fields)
        if key is None:
            continue
        parsed.keys.add(key)
        if key in first_row_of:
            last = key_fields[-1]
            parsed.error(
                errors,
                row,
                last,
                f"与第 {first_row_of[key]} 行重复({sheet.key_label(_shown_key(sheet, key))})",
                f"duplicates row {first_row_of[key]} "
                f"(same {', '.join(sheet.column(f).header for f in key_fields)})",
            )
        else:
            first_row_of[key] = offset
    return parsed


def _letter_index(letter: str) -> int:
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - 64
    return index - 1


def _key(row: Row, fields: Iterable[str]) -> tuple[str, ...] | None:
    """The row's values for ``fields``, or None if any of them did not parse."""
    try:
        key = tuple(row.values[f] for f in fields)
    except KeyError:
        return None
    # A masked 证件号码 names no one until import_diff matches it to a registered owner.
    if all(isinstance(part, str) and part and not is_masked(part) for part in key):
        return key
    return None


def _shown_key(sheet: Sheet, key: tuple[str, ...]) -> tuple[str, ...]:
    """A key with personal parts masked, for messages."""
    return tuple(
        mask(part) if sheet.column(f).personal else part
        for f, part in zip(sheet.key, key, strict=True)
    )


def _check_owner_id(parsed: ParsedSheet, row: Row, errors: ErrorLog) -> None:
    """The 证件号码 is a resident ID for a person and a credit code for an organisation."""
    kind, code = row.values.get("kind"), row.values.get("id_code")
    if kind is None or code is None or is_masked(code):
        return  # a masked code is matched to a registered owner by import_diff
    try:
        row.values["id_code"] = ID_CHECKERS[kind](code)
    except Invalid as exc:
        if kind in ORGANISATION_KINDS:
            zh, en = "单位业主须填统一社会信用代码", "an organisation needs a unified credit code"
        else:
            zh, en = "自然人业主须填身份证号", "a person needs a resident ID number"
        row.values.pop("id_code")
        row.raw["id_code"] = code
        parsed.error(errors, row, "id_code", f"{zh}:{exc.zh}", f"{en}: {exc.en}")


def _check_compounds(parsed: ParsedSheet, errors: ErrorLog) -> None:
    """Compound rules across cells (the model's ``clean``), then coordinates to WGS-84."""
    clean_fields = ("longitude", "latitude", "renovation_status", "renovated_year", "year_built")
    for row in parsed.rows:
        if not row.ok:
            continue
        values = row.values
        try:
            Compound(**{f: values[f] for f in clean_fields}).clean()
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                parsed.error(errors, row, field_name, *split_bilingual(messages[0]))
            continue
        _convert_coordinates(row)


def _convert_coordinates(row: Row) -> None:
    """Store coordinates as WGS-84 with 6 decimals, whatever system they were given in."""
    lon, lat = row.values["longitude"], row.values["latitude"]
    system = row.values.pop("coord_system")
    if lon is None:
        return
    if system != CoordinateSystem.WGS84:
        lon, lat = (Decimal(f"{x:.6f}") for x in to_wgs84(float(lon), float(lat), system))
    quantum = Decimal("0.000001")
    row.values["longitude"], row.values["latitude"] = lon.quantize(quantum), lat.quantize(quantum)


def _check_owners(parsed: ParsedSheet, errors: ErrorLog) -> None:
    """One owner is spelled the same on every row; a dwelling's shares add up to at most 100."""
    first: dict[str, Row] = {}
    shares: dict[tuple[str, ...], Decimal] = {}
    for row in parsed.rows:
        code = row.values.get("id_code")
        # Masked codes of different owners may look alike; import_diff checks them once matched.
        if row.ok and code is not None and not is_masked(code):
            seen = first.setdefault(code, row)
            for field_name in ("kind", "name", "phone"):
                if seen is not row and seen.values[field_name] != row.values[field_name]:
                    header = OWNERSHIPS.column(field_name).header
                    parsed.error(
                        errors,
                        row,
                        field_name,
                        f"同一业主(证件号码相同)在第 {seen.number} 行的{header}不同,各行须一致",
                        f"the same owner (same ID) has a different {header} on row "
                        f"{seen.number}; every row must agree",
                    )
        share = row.values.get("share")
        dwelling = _key(row, OWNERSHIPS.parent_key)
        if share is None or dwelling is None:
            continue
        total = shares.get(dwelling, Decimal(0)) + share
        shares[dwelling] = total
        if total > _HUNDRED:
            parsed.error(
                errors,
                row,
                "share",
                f"该房屋的产权份额合计 {total}%,超过 100%",
                f"the dwelling's shares add up to {total}%, over 100%",
            )
