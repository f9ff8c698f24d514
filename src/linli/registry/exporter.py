"""Writing the registry workbook: the full export and the blank template.

Both use openpyxl's write-only mode (rows stream to disk, memory stays flat) and the format of
:mod:`.workbook`, so an export reads back through the importer with zero changes. Every data
sheet gets its header row (help text and example as cell comments), dropdowns for choice and
yes/no columns, text format for code columns, and the 说明 sheet explains every column.

Personal data (owners' ID and phone numbers) is masked unless the caller asks for it with
``include_personal_data=True``; a masked export still imports with zero changes (the importer
reads a masked cell as "the value already registered"). Who may ask is
:func:`may_export_personal_data`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from linli.core.crypto import reveal
from linli.registry.models import Building, Compound, Dwelling, Ownership, Stairwell
from linli.registry.scoping import whole_compounds_of
from linli.registry.workbook import (
    BUILDINGS,
    COMPOUNDS,
    DWELLINGS,
    GUIDE_SHEET,
    OWNERSHIPS,
    SHEETS,
    STAIRWELLS,
    TYPE_NAMES,
    ColumnType,
    CoordinateSystem,
    Sheet,
    choice_label,
)

__all__ = [
    "VIEW_PERSONAL_DATA",
    "export_registry_workbook",
    "may_export_personal_data",
    "write_template",
]

Target = str | os.PathLike[str] | IO[bytes]

#: Rows read per database round trip while streaming an export.
EXPORT_CHUNK = 2000
#: Rows a dropdown covers (Excel's sheet has 1,048,576).
_VALIDATION_ROWS = 1_048_576

#: The permission the scoping layer answers from role assignments' personal data grant
#: (``linli.accounts.roles.VIEW_PERSONAL_DATA``; the registry does not import accounts).
VIEW_PERSONAL_DATA = "registry.view_personal_data"

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_OPTIONAL_FILL = PatternFill("solid", fgColor="EDEDED")


def write_template(target: Target) -> None:
    """A blank workbook: every sheet with its headers and dropdowns, and the 说明 sheet."""
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        _data_sheet(book, sheet, iter(()))
    _guide_sheet(book)
    book.save(target)


def may_export_personal_data(user: Any, compounds: QuerySet[Compound]) -> bool:
    """Whether ``user`` holds the personal data grant for every one of ``compounds``.

    An export with personal data covers whole compounds, so the grant must cover all of them
    (superusers hold it everywhere).
    """
    granted = whole_compounds_of(user, VIEW_PERSONAL_DATA).values("pk")
    return not compounds.exclude(pk__in=granted).exists()


def export_registry_workbook(
    target: Target,
    *,
    compounds: QuerySet[Compound] | None = None,
    include_personal_data: bool = False,
) -> int:
    """Write the registry (or only ``compounds``) in the workbook format; returns dwelling rows.

    Coordinates are written in WGS-84; labels, not values, for choices; 是/否 for yes/no.
    ID and phone numbers are masked (``410303********0015``, ``154****1234``) unless
    ``include_personal_data``; the caller checks the user may have them
    (:func:`may_export_personal_data`).
    """
    scope = Compound.objects.all() if compounds is None else compounds
    ids = scope.values("pk")
    counted = [0]
    book = Workbook(write_only=True)
    _data_sheet(book, COMPOUNDS, _compound_rows(Compound.objects.filter(pk__in=ids)))
    _data_sheet(
        book,
        BUILDINGS,
        _rows(
            Building.objects.filter(compound__in=ids).order_by("compound__code", "number"),
            ("compound__code", "number", "storeys", "has_elevator", "structure", "year_built"),
            BUILDINGS,
        ),
    )
    _data_sheet(
        book,
        STAIRWELLS,
        _rows(
            Stairwell.objects.filter(building__compound__in=ids).order_by(
                "building__compound__code", "building__number", "number"
            ),
            ("building__compound__code", "building__number", "number"),
            STAIRWELLS,
        ),
    )
    dwelling_path = "stairwell__building__compound__code"
    _data_sheet(
        book,
        DWELLINGS,
        _counting(
            _rows(
                Dwelling.objects.filter(stairwell__building__compound__in=ids).order_by(
                    dwelling_path, "stairwell__building__number", "stairwell__number", "number"
                ),
                (
                    dwelling_path,
                    "stairwell__building__number",
                    "stairwell__number",
                    "number",
                    "floor",
                    "area",
                    "sale_status",
                ),
                DWELLINGS,
            ),
            counted,
        ),
    )
    owner_path = "dwelling__stairwell__building__compound__code"
    _data_sheet(
        book,
        OWNERSHIPS,
        _owner_rows(
            Ownership.objects.filter(dwelling__stairwell__building__compound__in=ids).order_by(
                owner_path,
                "dwelling__stairwell__building__number",
                "dwelling__stairwell__number",
                "dwelling__number",
                "owner__name",
                "pk",
            ),
            include_personal_data=include_personal_data,
        ),
    )
    _guide_sheet(book)
    book.save(target)
    return counted[0]


def _counting(rows: Iterable[list[Any]], counter: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        counter[0] += 1
        yield row


def _cell_value(sheet: Sheet, field: str, value: Any) -> Any:
    """A stored value as the workbook spells it."""
    if value is None:
        return None
    column = sheet.column(field)
    if column.kind is ColumnType.BOOLEAN:
        return "是" if value else "否"
    if column.choices is not None:
        return choice_label(column.choices, value)
    return value


def _rows(queryset: QuerySet[Any], names: tuple[str, ...], sheet: Sheet) -> Iterator[list[Any]]:
    fields = [c.field for c in sheet.columns]
    for values in queryset.values_list(*names).iterator(chunk_size=EXPORT_CHUNK):
        yield [_cell_value(sheet, f, v) for f, v in zip(fields, values, strict=True)]


def _compound_rows(queryset: QuerySet[Compound]) -> Iterator[list[Any]]:
    names = (
        "code",
        "name",
        "community__code",
        "zone__code",
        "address",
        "year_built",
        "management_mode",
        "heritage",
        "floor_area",
        "renovation_status",
        "renovated_year",
        "longitude",
        "latitude",
    )
    wgs84 = choice_label(CoordinateSystem, CoordinateSystem.WGS84)
    fields = [c.field for c in COMPOUNDS.columns][: len(names)]
    for values in queryset.order_by("code").values_list(*names).iterator(chunk_size=EXPORT_CHUNK):
        row = [_cell_value(COMPOUNDS, f, v) for f, v in zip(fields, values, strict=True)]
        yield [*row, wgs84 if values[-1] is not None else None]


def _owner_rows(
    queryset: QuerySet[Ownership], *, include_personal_data: bool
) -> Iterator[list[Any]]:
    # str() of a stored ID or phone is its masked form; reveal() is the plaintext.
    shown = reveal if include_personal_data else str
    names = (
        "dwelling__stairwell__building__compound__code",
        "dwelling__stairwell__building__number",
        "dwelling__stairwell__number",
        "dwelling__number",
        "owner__kind",
        "owner__name",
        "owner__id_number",
        "owner__credit_code",
        "owner__phone",
        "share",
    )
    for *head, kind, name, id_number, credit_code, phone, share in queryset.values_list(
        *names
    ).iterator(chunk_size=EXPORT_CHUNK):
        yield [
            *head,
            _cell_value(OWNERSHIPS, "kind", kind),
            name,
            shown(id_number) if id_number else credit_code,
            shown(phone) if phone else None,
            share,
        ]


def _data_sheet(book: Workbook, sheet: Sheet, rows: Iterable[list[Any]]) -> None:
    """One data sheet: formats and dropdowns first (write-only mode needs them before rows)."""
    ws: WriteOnlyWorksheet = book.create_sheet(sheet.name)
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        dimension = ws.column_dimensions[letter]
        dimension.width = max(10, 2 * len(column.header) + 4)
        if column.kind is ColumnType.TEXT:
            dimension.number_format = "@"  # typed IDs and codes stay text, not 4.1e17
        options = column.choice_labels or (
            ["是", "否"] if column.kind is ColumnType.BOOLEAN else []
        )
        if options:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header,
                error="请从下拉列表中选择 (choose from the list)",
            )
            dv.add(f"{letter}2:{letter}{_VALIDATION_ROWS}")
            ws.data_validations.append(dv)
    ws.append([_header_cell(ws, sheet, column) for column in sheet.columns])
    for row in rows:
        ws.append(row)


def _header_cell(ws: WriteOnlyWorksheet, sheet: Sheet, column: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=column.header)
    cell.font = _HEADER_FONT
    cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
    note = f"{'必填' if column.required else '选填'}。{column.describe_zh()}"
    if column.example:
        note += f"\n示例:{column.example_text}"
    comment = Comment(note, "Linli")
    comment.width, comment.height = 320, 140
    cell.comment = comment
    return cell


def _guide_sheet(book: Workbook) -> None:
    """The 说明 sheet: one row per column of every data sheet (ignored on import)."""
    ws = book.create_sheet(GUIDE_SHEET)
    for letter, width in zip("ABCDEFGH", (8, 16, 8, 12, 22, 60, 60, 24), strict=True):
        ws.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    header = ["工作表", "列标题", "必填", "类型", "示例", "说明", "Description", "识别键 Key"]
    ws.append([_bold(ws, text) for text in header])
    for sheet in SHEETS:
        for column in sheet.columns:
            zh_type, en_type = TYPE_NAMES[column.kind]
            values = [
                sheet.name,
                column.header,
                "是" if column.required else "否",
                f"{zh_type} {en_type}",
                column.example_text,
                column.describe_zh(),
                column.describe_en(),
                "是" if column.field in sheet.key else "",
            ]
            cells = []
            for value in values:
                cell = WriteOnlyCell(ws, value=value)
                cell.alignment = wrap
                cells.append(cell)
            ws.append(cells)


def _bold(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = _HEADER_FONT
    return cell
