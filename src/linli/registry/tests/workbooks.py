"""Building registry workbooks in tests: rows as dicts by field, written with openpyxl."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from linli.registry.models import Community, Zone
from linli.registry.workbook import SHEETS, SHEETS_BY_NAME

Rows = dict[str, list[dict[str, Any]]]

#: A valid resident ID (GB 11643 check character included) and a valid credit code.
PERSON_ID = "410303198001010015"
PERSON_ID_2 = "410303197506150027"
COMPANY_CODE = "91410303MA0000001K"


def sample_rows(community: Community, zone: Zone | None = None) -> Rows:
    """One compound (XG0001) with one 6-storey building, one stairwell, two dwellings and
    three ownerships (a co-owned dwelling and one owned by a company)."""
    return {
        "小区": [
            {
                "code": "XG0001",
                "name": "道南路12号院",
                "community_code": community.code,
                "zone_code": zone.code if zone else None,
                "address": "西工区道南路12号",
                "year_built": 1988,
                "management_mode": "居民自管",
                "heritage": "否",
                "floor_area": 3200.5,
                "renovation_status": "已纳入计划",
                "renovated_year": None,
                "longitude": 112.430512,
                "latitude": 34.668927,
                "coord_system": None,
            }
        ],
        "楼栋": [
            {
                "compound_code": "XG0001",
                "number": "1",
                "storeys": 6,
                "has_elevator": "否",
                "structure": "砖混",
                "year_built": 1988,
            }
        ],
        "单元": [{"compound_code": "XG0001", "building_number": "1", "number": "1"}],
        "房屋": [
            {
                "compound_code": "XG0001",
                "building_number": "1",
                "stairwell_number": "1",
                "number": "101",
                "floor": 1,
                "area": 72.5,
                "sale_status": "已售",
            },
            {
                "compound_code": "XG0001",
                "building_number": "1",
                "stairwell_number": "1",
                "number": "601",
                "floor": 6,
                "area": 88.25,
                "sale_status": None,
            },
        ],
        "业主": [
            _owner("101", "自然人", "张三", PERSON_ID, "15400001234", 50),
            _owner("101", "自然人", "李四", PERSON_ID_2, None, 50),
            _owner("601", "单位", "洛阳某某公司", COMPANY_CODE, None, None),
        ],
    }


def _owner(
    number: str, kind: str, name: str, code: str, phone: str | None, share: float | None
) -> dict[str, Any]:
    return {
        "compound_code": "XG0001",
        "building_number": "1",
        "stairwell_number": "1",
        "dwelling_number": number,
        "kind": kind,
        "name": name,
        "id_code": code,
        "phone": phone,
        "share": share,
    }


def with_rows(rows: Rows, sheet: str, extra: Iterable[dict[str, Any]]) -> Rows:
    """A deep copy of ``rows`` with ``extra`` rows appended to ``sheet``."""
    copied = copy.deepcopy(rows)
    copied[sheet].extend(extra)
    return copied


def changed(rows: Rows, sheet: str, index: int, **values: Any) -> Rows:
    """A deep copy of ``rows`` with some values of one row replaced."""
    copied = copy.deepcopy(rows)
    copied[sheet][index].update(values)
    return copied


def write_workbook(
    path: Path,
    rows: Rows,
    *,
    omit_sheets: Iterable[str] = (),
    headers: dict[str, list[str]] | None = None,
) -> Path:
    """Write ``rows`` (by sheet, then field) in the documented format.

    ``headers`` replaces a sheet's header row (to test wrong headers); cells follow the
    standard column order whatever the headers say.
    """
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        if sheet.name in omit_sheets:
            continue
        ws = book.create_sheet(sheet.name)
        ws.append((headers or {}).get(sheet.name, sheet.headers))
        for row in rows.get(sheet.name, []):
            ws.append([row.get(c.field) for c in SHEETS_BY_NAME[sheet.name].columns])
    book.save(path)
    return path
