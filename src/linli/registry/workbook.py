"""The registry workbook format as data: sheets, columns, natural keys.

One workbook describes the registry below the community level, one sheet per level
(小区, 楼栋, 单元, 房屋, 业主). This module is the single source of that format: the blank
template, the export, the importer and ``docs/registry-workbook.md`` are all generated from
:data:`SHEETS`. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from linli.core.ids import (
    check_credit_code,
    check_division_code,
    check_mobile,
    check_resident_id,
)
from linli.registry.models import (
    MAX_STOREYS,
    ManagementMode,
    OwnerKind,
    RenovationStatus,
    SaleStatus,
    Structure,
    code_validator,
    number_validator,
    validate_positive_area,
    validate_year_built,
)

__all__ = [
    "BUILDINGS",
    "COMPOUNDS",
    "DWELLINGS",
    "GUIDE_SHEET",
    "OWNERSHIPS",
    "SHEETS",
    "SHEETS_BY_NAME",
    "STAIRWELLS",
    "Column",
    "ColumnType",
    "CoordinateSystem",
    "Sheet",
    "choice_label",
    "markdown_reference",
]

#: The extra sheet the template and the export carry to explain every column; ignored on import.
GUIDE_SHEET = "说明"

Validator = Callable[[Any], None]


class ColumnType(StrEnum):
    """How a cell is read; the value is the wire name used in the docs."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    CHOICE = "choice"


#: (Chinese, English) names of each column type, for the docs and the guide sheet.
TYPE_NAMES: dict[ColumnType, tuple[str, str]] = {
    ColumnType.TEXT: ("文本", "text"),
    ColumnType.INTEGER: ("整数", "whole number"),
    ColumnType.DECIMAL: ("数值", "number"),
    ColumnType.BOOLEAN: ("是/否", "yes/no"),
    ColumnType.CHOICE: ("下拉选项", "choice"),
}

#: Cell texts read as true / false (compared in lower case); the export writes 是 / 否.
TRUE_WORDS = frozenset({"是", "有", "true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"否", "无", "false", "no", "n", "0"})


class CoordinateSystem(models.TextChoices):
    """The system the 经度/纬度 cells are given in; stored coordinates are always WGS-84."""

    WGS84 = "wgs84", _("WGS-84(GPS)")
    GCJ02 = "gcj02", _("GCJ-02(高德/腾讯)")
    BD09 = "bd09", _("BD-09(百度)")


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The Chinese label of a choice value (the msgid, whatever language is active)."""
    with translation.override("zh-hans"):
        return str(choices(value).label)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, how its cells are read and what they mean."""

    header: str
    field: str
    kind: ColumnType
    required: bool
    example: str
    help_zh: str
    help_en: str
    max_length: int | None = None
    decimal_places: int | None = None
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    choices: type[models.TextChoices] | None = None
    validators: tuple[Validator, ...] = ()
    #: A :mod:`linli.core.ids` checker: returns the normalised text or raises ``Invalid``.
    check: Callable[[str], str] | None = None
    #: The value a blank optional cell stands for.
    default: Any = None
    #: Personal data (PIPL): masked in previews and error reports.
    personal: bool = False

    @property
    def example_text(self) -> str:
        """The example as written in a cell (a choice column's example is a value)."""
        if self.choices is not None and self.example:
            return choice_label(self.choices, self.example)
        return self.example

    @property
    def choice_labels(self) -> list[str]:
        """The Chinese labels a choice column offers (what the dropdown lists)."""
        if self.choices is None:
            return []
        return [choice_label(self.choices, value) for value in self.choices.values]

    def describe_zh(self) -> str:
        """The Chinese help text, with the accepted choices spelled out."""
        if self.choices is None:
            return self.help_zh
        return f"{self.help_zh}可选:{'、'.join(self.choice_labels)}。"

    def describe_en(self) -> str:
        """The English help text, with the accepted choice values spelled out."""
        if self.choices is None:
            return self.help_en
        values = ", ".join(str(v) for v in self.choices.values)
        return f"{self.help_en} Label or value ({values})."


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: a level of the registry keyed by a natural key."""

    name: str
    title_en: str
    help_zh: str
    help_en: str
    columns: tuple[Column, ...]
    #: Fields whose values identify a row (the natural key).
    key: tuple[str, ...]
    #: The sheet this one hangs under, and the leading key fields that name the parent row.
    parent: str | None = None
    parent_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        headers = [c.header for c in self.columns]
        if len(set(headers)) != len(headers):
            raise ValueError(f"sheet {self.name} repeats a header")
        fields = {c.field for c in self.columns}
        if not set(self.key) <= fields or not set(self.parent_key) <= fields:
            raise ValueError(f"sheet {self.name} keys name unknown fields")

    @property
    def headers(self) -> list[str]:
        """The header row, in order."""
        return [c.header for c in self.columns]

    def column(self, field: str) -> Column:
        """The column holding ``field``."""
        for column in self.columns:
            if column.field == field:
                return column
        raise KeyError(field)

    def key_label(self, key: tuple[str, ...]) -> str:
        """A natural key as people write it, e.g. ``XG0001 / 3 / 2 / 501``."""
        return " / ".join(key)


def _text(
    header: str, field: str, required: bool, example: str, zh: str, en: str, **kw: Any
) -> Column:
    return Column(header, field, ColumnType.TEXT, required, example, zh, en, **kw)


_COMPOUND_CODE_HELP = (
    "小区的唯一编码,字母、数字、- 或 _。",
    "Unique compound code: letters, digits, - or _.",
)


def _compound_ref() -> Column:
    return _text(
        "小区编码",
        "compound_code",
        True,
        "XG0001",
        "所属小区的编码,须在“小区”表或系统中已存在。",
        "Code of the compound, listed on the 小区 sheet or already registered.",
        max_length=32,
        validators=(code_validator,),
    )


def _number(header: str, field: str, example: str, zh: str, en: str) -> Column:
    return _text(
        header, field, True, example, zh, en, max_length=16, validators=(number_validator,)
    )


def _building_ref() -> Column:
    return _number(
        "楼栋号",
        "building_number",
        "3",
        "所属楼栋号,须在“楼栋”表或系统中已存在。",
        "Building number within the compound, on the 楼栋 sheet or already registered.",
    )


def _stairwell_ref() -> Column:
    return _number(
        "单元号",
        "stairwell_number",
        "2",
        "所属单元号,须在“单元”表或系统中已存在。",
        "Stairwell number within the building, on the 单元 sheet or already registered.",
    )


COMPOUNDS = Sheet(
    name="小区",
    title_en="Compounds",
    help_zh="每行一个小区,按小区编码识别。",
    help_en="One row per compound, identified by its code.",
    key=("code",),
    columns=(
        _text(
            "小区编码",
            "code",
            True,
            "XG0001",
            *_COMPOUND_CODE_HELP,
            max_length=32,
            validators=(code_validator,),
        ),
        _text("名称", "name", True, "道南路12号院", "小区名称。", "Compound name.", max_length=128),
        _text(
            "社区代码",
            "community_code",
            True,
            "410303001001",
            "所属社区的 12 位统计用区划代码,社区须已在系统中登记。",
            "12-digit division code of the community, which must already be registered.",
            check=partial(check_division_code, level="community"),
        ),
        _text(
            "片区编号",
            "zone_code",
            False,
            "Z01",
            "所属改造片区编号(本区内),可留空;片区须已在系统中登记。",
            "Renovation zone code within the district, optional; the zone must exist.",
            max_length=16,
            validators=(code_validator,),
        ),
        _text(
            "地址",
            "address",
            False,
            "西工区道南路12号",
            "门牌地址。",
            "Street address.",
            max_length=255,
            default="",
        ),
        Column(
            "建成年份",
            "year_built",
            ColumnType.INTEGER,
            True,
            "1988",
            "小区建成年份(四位数字)。",
            "Year the compound was finished (four digits).",
            validators=(validate_year_built,),
        ),
        Column(
            "管理模式",
            "management_mode",
            ColumnType.CHOICE,
            False,
            ManagementMode.SELF_MANAGED.value,
            "物业管理方式,留空为“无物业”。",
            "How the compound is managed; blank means no manager.",
            choices=ManagementMode,
            default=ManagementMode.NONE.value,
        ),
        Column(
            "历史风貌",
            "heritage",
            ColumnType.BOOLEAN,
            False,
            "否",
            "是否为历史建筑/风貌保护小区,填“是”或“否”,留空为“否”。",
            "Historic building or protected townscape: 是 (yes) or 否 (no); blank means no.",
            default=False,
        ),
        Column(
            "建筑面积(m²)",
            "floor_area",
            ColumnType.DECIMAL,
            False,
            "12500.50",
            "总建筑面积,平方米,大于 0,最多两位小数。",
            "Total floor area in m², greater than 0, at most 2 decimals.",
            decimal_places=2,
            max_value=10**10,
            validators=(validate_positive_area,),
        ),
        Column(
            "改造状态",
            "renovation_status",
            ColumnType.CHOICE,
            False,
            RenovationStatus.PLANNED.value,
            "留空为“未纳入计划”;“已改造”须填写改造完成年份。",
            "Blank means not planned; renovated compounds need the year.",
            choices=RenovationStatus,
            default=RenovationStatus.NOT_PLANNED.value,
        ),
        Column(
            "改造完成年份",
            "renovated_year",
            ColumnType.INTEGER,
            False,
            "",
            "改造完成的年份,不早于建成年份。",
            "Year the renovation was finished, not before the year built.",
            validators=(validate_year_built,),
        ),
        Column(
            "经度",
            "longitude",
            ColumnType.DECIMAL,
            False,
            "112.430512",
            "经度(十进制度),与纬度同时填写;按“坐标系”换算后以 WGS-84 保存,保留 6 位小数。",
            "Longitude in decimal degrees, together with latitude; converted from the "
            "坐标系 column to WGS-84 and kept to 6 decimals.",
        ),
        Column(
            "纬度",
            "latitude",
            ColumnType.DECIMAL,
            False,
            "34.668927",
            "纬度(十进制度),与经度同时填写。",
            "Latitude in decimal degrees, together with longitude.",
        ),
        Column(
            "坐标系",
            "coord_system",
            ColumnType.CHOICE,
            False,
            CoordinateSystem.GCJ02.value,
            "经纬度所用坐标系:高德、腾讯地图为 GCJ-02,百度地图为 BD-09,GPS 为 WGS-84;"
            "留空为 WGS-84。导出时一律为 WGS-84。",
            "Coordinate system of the longitude/latitude: AMap and Tencent use GCJ-02, "
            "Baidu BD-09, GPS WGS-84; blank means WGS-84. Exports are always WGS-84.",
            choices=CoordinateSystem,
            default=CoordinateSystem.WGS84.value,
        ),
    ),
)

BUILDINGS = Sheet(
    name="楼栋",
    title_en="Buildings",
    help_zh="每行一栋楼,按(小区编码, 楼栋号)识别。",
    help_en="One row per building, identified by (compound code, building number).",
    key=("compound_code", "number"),
    parent="小区",
    parent_key=("compound_code",),
    columns=(
        _compound_ref(),
        _number(
            "楼栋号", "number", "3", "小区内的楼栋号。", "Building number within the compound."
        ),
        Column(
            "地上层数",
            "storeys",
            ColumnType.INTEGER,
            True,
            "6",
            f"地上层数,1–{MAX_STOREYS}。",
            f"Storeys above ground, 1 to {MAX_STOREYS}.",
            min_value=1,
            max_value=MAX_STOREYS,
        ),
        Column(
            "有电梯",
            "has_elevator",
            ColumnType.BOOLEAN,
            False,
            "否",
            "填“是”或“否”,留空为“否”。",
            "是 (yes) or 否 (no); blank means no.",
            default=False,
        ),
        Column(
            "结构",
            "structure",
            ColumnType.CHOICE,
            False,
            Structure.BRICK_CONCRETE.value,
            "建筑结构,留空为“砖混”。",
            "Structure; blank means brick-concrete.",
            choices=Structure,
            default=Structure.BRICK_CONCRETE.value,
        ),
        Column(
            "建成年份",
            "year_built",
            ColumnType.INTEGER,
            False,
            "1988",
            "楼栋建成年份,可留空。",
            "Year the building was finished, optional.",
            validators=(validate_year_built,),
        ),
    ),
)

STAIRWELLS = Sheet(
    name="单元",
    title_en="Stairwells",
    help_zh="每行一个单元,按(小区编码, 楼栋号, 单元号)识别。",
    help_en="One row per stairwell, identified by (compound, building, stairwell number).",
    key=("compound_code", "building_number", "number"),
    parent="楼栋",
    parent_key=("compound_code", "building_number"),
    columns=(
        _compound_ref(),
        _building_ref(),
        _number(
            "单元号", "number", "2", "楼栋内的单元号。", "Stairwell number within the building."
        ),
    ),
)

DWELLINGS = Sheet(
    name="房屋",
    title_en="Dwellings",
    help_zh="每行一套房屋(专有部分),按(小区编码, 楼栋号, 单元号, 房号)识别。",
    help_en="One row per dwelling, identified by (compound, building, stairwell, number).",
    key=("compound_code", "building_number", "stairwell_number", "number"),
    parent="单元",
    parent_key=("compound_code", "building_number", "stairwell_number"),
    columns=(
        _compound_ref(),
        _building_ref(),
        _stairwell_ref(),
        _number("房号", "number", "501", "单元内的房号。", "Dwelling number within the stairwell."),
        Column(
            "所在楼层",
            "floor",
            ColumnType.INTEGER,
            True,
            "5",
            "所在楼层,1 到所在楼栋的地上层数。",
            "Floor, from 1 to the building's storeys.",
            min_value=1,
            max_value=MAX_STOREYS,
        ),
        Column(
            "登记面积(m²)",
            "area",
            ColumnType.DECIMAL,
            True,
            "72.50",
            "不动产登记的建筑面积,平方米,大于 0,最多两位小数。",
            "Registered floor area in m², greater than 0, at most 2 decimals.",
            decimal_places=2,
            max_value=10**6,
            validators=(validate_positive_area,),
        ),
        Column(
            "销售状态",
            "sale_status",
            ColumnType.CHOICE,
            False,
            SaleStatus.SOLD.value,
            "留空为“已售”。",
            "Blank means sold.",
            choices=SaleStatus,
            default=SaleStatus.SOLD.value,
        ),
    ),
)

OWNERSHIPS = Sheet(
    name="业主",
    title_en="Owners",
    help_zh="每行一条产权(一套房屋的一位业主);业主按证件号码识别。表中列出的房屋,其产权即为所列各行,"
    "未列出的原有产权将被移除;未列出的房屋保持不变。",
    help_en="One row per ownership (one owner of one dwelling); owners are identified by their "
    "ID or credit code. For every dwelling listed, its ownerships become exactly the listed "
    "rows; dwellings not listed keep theirs.",
    key=("compound_code", "building_number", "stairwell_number", "dwelling_number", "id_code"),
    parent="房屋",
    parent_key=("compound_code", "building_number", "stairwell_number", "dwelling_number"),
    columns=(
        _compound_ref(),
        _building_ref(),
        _stairwell_ref(),
        _number(
            "房号",
            "dwelling_number",
            "501",
            "房号,须在“房屋”表或系统中已存在。",
            "Dwelling number, on the 房屋 sheet or already registered.",
        ),
        Column(
            "业主类型",
            "kind",
            ColumnType.CHOICE,
            False,
            OwnerKind.PERSON.value,
            "留空为“自然人”。自然人填身份证号,单位和开发建设单位填统一社会信用代码。",
            "Blank means a person. People give a resident ID, organisations and developers "
            "a unified social credit code.",
            choices=OwnerKind,
            default=OwnerKind.PERSON.value,
        ),
        _text(
            "姓名/名称",
            "name",
            True,
            "张三",
            "业主姓名或单位名称。",
            "Owner's name.",
            max_length=128,
        ),
        _text(
            "证件号码",
            "id_code",
            True,
            "410303198001010015",
            "自然人为 18 位身份证号,单位为 18 位统一社会信用代码;同一业主各行须一致。",
            "18-character resident ID (people) or credit code (organisations); "
            "the same owner must be spelled the same on every row.",
            max_length=18,
            personal=True,
        ),
        _text(
            "手机号",
            "phone",
            False,
            "15400001234",
            "11 位手机号,可留空。",
            "11-digit mobile number, optional.",
            max_length=20,
            check=check_mobile,
            default="",
            personal=True,
        ),
        Column(
            "产权份额(%)",
            "share",
            ColumnType.DECIMAL,
            False,
            "50",
            "共有时的产权份额,0.01–100,最多两位小数;同一房屋合计不超过 100。",
            "Share of a co-owned dwelling, 0.01 to 100, at most 2 decimals; "
            "a dwelling's shares add up to at most 100.",
            decimal_places=2,
            min_value=Decimal("0.01"),
            max_value=100,
        ),
    ),
)

#: The sheets, parents before children (the order of import and of the workbook).
SHEETS: tuple[Sheet, ...] = (COMPOUNDS, BUILDINGS, STAIRWELLS, DWELLINGS, OWNERSHIPS)
SHEETS_BY_NAME: dict[str, Sheet] = {sheet.name: sheet for sheet in SHEETS}

#: Owner kinds identified by a credit code rather than a resident ID.
ORGANISATION_KINDS = frozenset({OwnerKind.COMPANY.value, OwnerKind.DEVELOPER.value})
#: Checkers of the 证件号码 column by owner kind (the column's meaning depends on the kind).
ID_CHECKERS: dict[str, Callable[[str], str]] = {
    OwnerKind.PERSON.value: check_resident_id,
    OwnerKind.COMPANY.value: check_credit_code,
    OwnerKind.DEVELOPER.value: check_credit_code,
}


def markdown_reference() -> str:
    """The column reference of ``docs/registry-workbook.md``, generated from :data:`SHEETS`."""
    lines: list[str] = []
    for sheet in SHEETS:
        key = ", ".join(sheet.column(f).header for f in sheet.key)
        lines += [
            f"### {sheet.name} ({sheet.title_en})",
            "",
            f"{sheet.help_zh}",
            "",
            f"{sheet.help_en} Natural key: {key}.",
            "",
            "| 列 Column | 必填 Required | 类型 Type | 示例 Example | 说明 | Description |",
            "|---|---|---|---|---|---|",
        ]
        for c in sheet.columns:
            zh_type, en_type = TYPE_NAMES[c.kind]
            required = "是 yes" if c.required else "否 no"
            cells = [
                c.header,
                required,
                f"{zh_type} {en_type}",
                c.example_text,
                c.describe_zh(),
                c.describe_en(),
            ]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
