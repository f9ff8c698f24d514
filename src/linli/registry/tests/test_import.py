"""Importing registry workbooks: create, update by natural key, all-or-nothing errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from linli.core.geo import bd09_to_wgs84, gcj02_to_wgs84
from linli.registry import models
from linli.registry.services import ImportResult, import_registry_workbook
from linli.registry.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    DwellingFactory,
    OwnershipFactory,
    StairwellFactory,
    ZoneFactory,
)
from linli.registry.tests.workbooks import (
    COMPANY_CODE,
    PERSON_ID,
    Rows,
    changed,
    sample_rows,
    with_rows,
    write_workbook,
)
from linli.registry.workbook import SHEETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def community() -> models.Community:
    return CommunityFactory()


@pytest.fixture
def rows(community: models.Community) -> Rows:
    zone = ZoneFactory(district=community.subdistrict.district)
    return sample_rows(community, zone)


def run(tmp_path: Path, rows: Rows, *, dry_run: bool = False, **options) -> ImportResult:
    path = write_workbook(tmp_path / "registry.xlsx", rows, **options)
    return import_registry_workbook(path=path, dry_run=dry_run)


def registry_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            models.Compound,
            models.Building,
            models.Stairwell,
            models.Dwelling,
            models.Owner,
            models.Ownership,
        )
    }


NOTHING = dict.fromkeys(["Compound", "Building", "Stairwell", "Dwelling", "Owner", "Ownership"], 0)


def the_error(result: ImportResult):
    assert not result.applied
    assert result.error_count == 1, [e.format() for e in result.errors]
    return result.errors[0]


def dwelling(number: str, floor: int = 1, area: object = 60, stairwell: str = "1") -> dict:
    return {
        "compound_code": "XG0001",
        "building_number": "1",
        "stairwell_number": stairwell,
        "number": number,
        "floor": floor,
        "area": area,
        "sale_status": None,
    }


# --- Happy paths ---------------------------------------------------------------------------


def test_a_fresh_workbook_creates_every_level(tmp_path, rows):
    result = run(tmp_path, rows)

    assert result.applied and result.ok
    assert registry_counts() == {
        "Compound": 1,
        "Building": 1,
        "Stairwell": 1,
        "Dwelling": 2,
        "Owner": 3,
        "Ownership": 3,
    }
    compound = models.Compound.objects.get(code="XG0001")
    assert compound.management_mode == models.ManagementMode.SELF_MANAGED
    assert compound.renovation_status == models.RenovationStatus.PLANNED
    assert compound.floor_area == Decimal("3200.50")
    assert compound.zone is not None
    dwelling = models.Dwelling.objects.get(number="601")
    assert (dwelling.floor, dwelling.area, dwelling.sale_status) == (6, Decimal("88.25"), "sold")
    company = models.Owner.objects.get(credit_code=COMPANY_CODE)
    assert company.kind == models.OwnerKind.COMPANY and company.id_number is None
    assert result.summary["业主"].owners_created == 3


def test_reimporting_the_same_workbook_reports_every_row_unchanged(tmp_path, rows):
    run(tmp_path, rows)

    result = run(tmp_path, rows)

    assert result.applied
    assert {name: s.unchanged for name, s in result.summary.items()} == {
        "小区": 1,
        "楼栋": 1,
        "单元": 1,
        "房屋": 2,
        "业主": 3,
    }
    assert sum(s.created + s.updated + s.removed for s in result.summary.values()) == 0
    assert result.change_count == 0


def test_reimport_updates_rows_by_natural_key_and_lists_the_changed_fields(tmp_path, rows):
    run(tmp_path, rows)
    rows = changed(rows, "小区", 0, name="道南路12号院(东区)")
    rows = changed(rows, "房屋", 1, area=90)

    result = run(tmp_path, rows)

    assert models.Compound.objects.get().name == "道南路12号院(东区)"
    assert models.Dwelling.objects.get(number="601").area == Decimal("90.00")
    assert (result.summary["小区"].updated, result.summary["房屋"].updated) == (1, 1)
    assert result.summary["房屋"].unchanged == 1
    assert [c.format() for c in result.changes] == [
        "小区 XG0001 名称: 道南路12号院 -> 道南路12号院(东区)",
        "房屋 XG0001 / 1 / 1 / 601 登记面积(m²): 88.25 -> 90.00",
    ]


def test_dry_run_reports_what_would_be_created_and_writes_nothing(tmp_path, rows):
    result = run(tmp_path, rows, dry_run=True)

    assert result.ok and not result.applied
    assert result.summary["房屋"].created == 2
    assert registry_counts() == NOTHING


def test_the_owner_sheet_makes_a_listed_dwellings_ownerships_exactly_the_listed_rows(
    tmp_path, rows
):
    run(tmp_path, rows)
    rows["业主"] = [r for r in rows["业主"] if r["name"] != "李四"]

    result = run(tmp_path, rows)

    dwelling = models.Dwelling.objects.get(number="101")
    assert list(dwelling.owners.values_list("name", flat=True)) == ["张三"]
    assert result.summary["业主"].removed == 1
    assert result.changes[0].new == "(移除 removed)"
    assert models.Owner.objects.filter(name="李四").exists(), "the owner record stays"


def test_dwellings_not_on_the_owner_sheet_keep_their_ownerships(tmp_path, rows):
    run(tmp_path, rows)
    rows["业主"] = [r for r in rows["业主"] if r["dwelling_number"] == "101"]

    run(tmp_path, rows)

    assert models.Dwelling.objects.get(number="601").owners.get().credit_code == COMPANY_CODE


def test_an_import_never_deletes_rows_missing_from_the_workbook(tmp_path, rows):
    run(tmp_path, rows)
    rows["房屋"] = rows["房屋"][:1]
    rows["业主"] = []

    result = run(tmp_path, rows)

    assert result.applied
    assert models.Dwelling.objects.filter(number="601").exists()
    assert models.Ownership.objects.count() == 3


def test_parents_may_be_registered_rather_than_in_the_workbook(tmp_path, community):
    stairwell = StairwellFactory(
        building=BuildingFactory(storeys=7, compound__community=community), number="2"
    )
    building = stairwell.building
    rows: Rows = {
        "房屋": [
            {
                "compound_code": building.compound.code,
                "building_number": building.number,
                "stairwell_number": "2",
                "number": "701",
                "floor": 7,
                "area": "66.6",
            }
        ]
    }

    result = run(tmp_path, rows)

    assert result.applied
    assert stairwell.dwellings.get().number == "701"


def test_a_number_typed_into_a_code_cell_is_read_as_its_digits(tmp_path, rows):
    rows = changed(rows, "楼栋", 0, number=1)
    rows = changed(rows, "单元", 0, building_number=1.0, number=1)

    result = run(tmp_path, rows)

    assert result.applied
    assert models.Building.objects.get().number == "1"


def test_choices_may_be_given_by_their_stored_value(tmp_path, rows):
    result = run(tmp_path, changed(rows, "楼栋", 0, structure="frame"))

    assert result.applied
    assert models.Building.objects.get().structure == models.Structure.FRAME


def test_gcj02_coordinates_are_stored_as_wgs84_with_six_decimals(tmp_path, rows):
    rows = changed(rows, "小区", 0, longitude=112.436, latitude=34.667, coord_system="GCJ-02")

    run(tmp_path, rows)

    compound = models.Compound.objects.get()
    lon, lat = gcj02_to_wgs84(112.436, 34.667)
    assert (compound.longitude, compound.latitude) == (
        Decimal(f"{lon:.6f}"),
        Decimal(f"{lat:.6f}"),
    )
    assert compound.longitude is not None
    assert abs(compound.longitude - Decimal("112.436")) > Decimal("0.001"), "it was converted"


def test_bd09_coordinates_are_stored_as_wgs84(tmp_path, rows):
    rows = changed(rows, "小区", 0, longitude=112.442, latitude=34.673, coord_system="BD-09(百度)")

    run(tmp_path, rows)

    lon, lat = bd09_to_wgs84(112.442, 34.673)
    compound = models.Compound.objects.get()
    assert (compound.longitude, compound.latitude) == (
        Decimal(f"{lon:.6f}"),
        Decimal(f"{lat:.6f}"),
    )


def test_an_import_looks_rows_up_in_a_few_queries_not_one_per_row(
    tmp_path, rows, django_assert_max_num_queries
):
    rows = with_rows(rows, "房屋", (dwelling(f"2{n:02d}", floor=2) for n in range(60)))
    path = write_workbook(tmp_path / "registry.xlsx", rows)

    with django_assert_max_num_queries(12):
        result = import_registry_workbook(path=path, dry_run=True)

    assert result.summary["房屋"].created == 62


# --- Errors: nothing written, every error located and explained in both languages ----------


def test_a_wrong_header_is_reported_on_row_one_and_nothing_is_written(tmp_path, rows):
    headers = {"楼栋": ["小区编码", "楼号", "地上层数", "有电梯", "结构", "建成年份"]}

    result = run(tmp_path, rows, headers=headers)

    unknown, missing = result.errors
    assert (unknown.sheet, unknown.row, unknown.letter, unknown.value) == ("楼栋", 1, "B", "楼号")
    assert "未知的列标题" in unknown.zh and "unknown column header" in unknown.en
    assert (missing.column, missing.letter) == ("楼栋号", "B")
    assert "缺少列" in missing.zh and "is missing" in missing.en
    assert registry_counts() == NOTHING


def test_a_missing_sheet_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, rows, omit_sheets=["单元"]))

    assert (error.sheet, error.row, error.column) == ("单元", None, None)
    assert "缺少工作表" in error.zh and "missing" in error.en
    assert error.format().startswith("单元: 缺少工作表")
    assert registry_counts() == NOTHING


def test_a_word_in_a_number_column_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "楼栋", 0, storeys="六层")))

    assert (error.sheet, error.row, error.column, error.letter) == ("楼栋", 2, "地上层数", "C")
    assert (error.value, error.zh, error.en) == ("六层", "须为整数", "must be a whole number")
    assert error.format() == "楼栋!C2: 须为整数 (must be a whole number)"
    assert registry_counts() == NOTHING


def test_a_required_cell_left_blank_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "小区", 0, name="  ")))

    assert (error.column, error.letter) == ("名称", "B")
    assert "必填" in error.zh and "required" in error.en


def test_a_duplicate_natural_key_is_reported_on_the_second_row(tmp_path, rows):
    rows = with_rows(rows, "房屋", [dwelling("101", floor=2)])

    error = the_error(run(tmp_path, rows))

    assert (error.sheet, error.row, error.column, error.letter) == ("房屋", 4, "房号", "D")
    assert "与第 2 行重复" in error.zh and "duplicates row 2" in error.en
    assert registry_counts() == NOTHING


def test_an_unknown_parent_is_reported(tmp_path, rows):
    rows = with_rows(rows, "房屋", [dwelling("102", stairwell="9")])

    error = the_error(run(tmp_path, rows))

    assert (error.sheet, error.row, error.column) == ("房屋", 4, "单元号")
    assert "XG0001 / 1 / 9" in error.zh and "neither on the 单元" in error.en
    assert registry_counts() == NOTHING


def test_an_unregistered_community_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "小区", 0, community_code="410303999999")))

    assert (error.column, error.letter) == ("社区代码", "C")
    assert "未在系统中登记" in error.zh and "no community with code 410303999999" in error.en
    assert registry_counts() == NOTHING


def test_a_malformed_community_code_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "小区", 0, community_code="41030300100")))

    assert error.column == "社区代码"
    assert "应为 12 位" in error.zh and "must have 12 digits" in error.en


def test_a_zone_of_another_district_is_reported(tmp_path, rows):
    ZoneFactory(district__code="410302", code="Z77")

    error = the_error(run(tmp_path, changed(rows, "小区", 0, zone_code="Z77")))

    assert error.column == "片区编号"
    assert "no zone Z77" in error.en


def test_a_resident_id_with_a_wrong_check_character_is_reported_masked(tmp_path, rows):
    bad_id = PERSON_ID[:-1] + "9"

    error = the_error(run(tmp_path, changed(rows, "业主", 0, id_code=bad_id)))

    assert (error.sheet, error.row, error.column) == ("业主", 2, "证件号码")
    assert "校验位错误" in error.zh and "check character is wrong" in error.en
    assert error.value == "410303********0019", "personal data is masked"
    assert registry_counts() == NOTHING


def test_a_person_owner_given_a_credit_code_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "业主", 2, kind="自然人")))

    assert error.column == "证件号码"
    assert error.zh.startswith("自然人业主须填身份证号") and "resident ID" in error.en


def test_an_owner_spelled_two_ways_is_reported(tmp_path, rows):
    rows = with_rows(rows, "业主", [dict(rows["业主"][0], dwelling_number="601", name="张叁")])

    error = the_error(run(tmp_path, rows))

    assert (error.row, error.column) == (5, "姓名/名称")
    assert "第 2 行" in error.zh and "row 2" in error.en


def test_shares_of_one_dwelling_over_100_are_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "业主", 1, share=60)))

    assert (error.row, error.column) == (3, "产权份额(%)")
    assert "110" in error.zh and "over 100%" in error.en


def test_a_floor_above_the_storeys_of_a_building_in_the_same_workbook_is_reported(tmp_path, rows):
    rows = with_rows(rows, "房屋", [dwelling("701", floor=7)])

    error = the_error(run(tmp_path, rows))

    assert (error.sheet, error.row, error.column, error.letter) == ("房屋", 4, "所在楼层", "E")
    assert "该楼共 6 层" in error.zh and "building's 6 storeys" in error.en
    assert registry_counts() == NOTHING


def test_a_floor_above_the_storeys_of_a_registered_building_is_reported(tmp_path, community):
    stairwell = StairwellFactory(building=BuildingFactory(storeys=5, compound__community=community))
    building = stairwell.building
    row = {
        "compound_code": building.compound.code,
        "building_number": building.number,
        "stairwell_number": stairwell.number,
        "number": "601",
        "floor": 6,
        "area": 70,
    }

    error = the_error(run(tmp_path, {"房屋": [row]}))

    assert "该楼共 5 层" in error.zh


def test_lowering_a_buildings_storeys_below_its_registered_dwellings_is_reported(tmp_path, rows):
    run(tmp_path, rows)
    rows = changed(rows, "楼栋", 0, storeys=5)
    rows["房屋"] = rows["房屋"][:1]

    error = the_error(run(tmp_path, rows))

    assert (error.sheet, error.column) == ("楼栋", "地上层数")
    assert "XG0001 / 1 / 1 / 601" in error.zh and "floor 6" in error.en
    assert models.Building.objects.get().storeys == 6


@pytest.mark.parametrize("area", [0, -12.5])
def test_an_area_not_above_zero_is_reported(tmp_path, rows, area):
    error = the_error(run(tmp_path, changed(rows, "房屋", 0, area=area)))

    assert (error.column, error.letter) == ("登记面积(m²)", "F")
    assert error.zh == "面积必须大于 0" and error.en == "area must be greater than 0"
    assert registry_counts() == NOTHING


def test_an_area_with_three_decimals_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "房屋", 0, area=72.505)))

    assert error.value == "72.505"
    assert error.zh == "最多 2 位小数" and error.en == "must have at most 2 decimal places"
    assert registry_counts() == NOTHING


def test_41_storeys_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "楼栋", 0, storeys=41)))

    assert (error.column, error.value) == ("地上层数", "41")
    assert error.zh == "须在 1–40 之间" and error.en == "must be between 1 and 40"
    assert registry_counts() == NOTHING


def test_a_year_built_before_1900_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "小区", 0, year_built=1850)))

    assert error.column == "建成年份"
    assert error.zh.startswith("建成年份须在 1900") and "year built must be" in error.en


def test_an_unknown_choice_is_reported_with_the_choices(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "房屋", 0, sale_status="出租")))

    assert "已售、开发商未售、已售未交付" in error.zh and "sold, unsold" in error.en


def test_a_renovated_compound_without_its_year_is_reported(tmp_path, rows):
    error = the_error(run(tmp_path, changed(rows, "小区", 0, renovation_status="已改造")))

    assert error.column == "改造完成年份"
    assert "a renovated compound needs its year" in error.en


def test_one_bad_row_among_good_ones_leaves_the_registered_data_untouched(tmp_path, rows):
    run(tmp_path, rows)
    before = list(models.Dwelling.objects.values_list("number", "area"))
    rows = changed(rows, "房屋", 0, area=99)
    rows = with_rows(rows, "房屋", [dwelling("102", area="abc")])

    result = run(tmp_path, rows)

    assert not result.applied and result.error_count == 1
    assert list(models.Dwelling.objects.values_list("number", "area")) == before


def test_errors_are_listed_up_to_200_and_the_rest_counted(tmp_path, rows):
    rows = with_rows(rows, "房屋", (dwelling(f"9{n:03d}", floor=0) for n in range(250)))

    result = run(tmp_path, rows)

    assert result.error_count == 250
    assert len(result.errors) == 200 and result.hidden_error_count == 50
    assert result.errors[-1].row == 203  # rows 2-3 are good, the bad ones start on row 4


def test_a_file_that_is_not_a_workbook_is_reported(tmp_path):
    path = tmp_path / "registry.xlsx"
    path.write_text("小区编码,名称\n")

    result = import_registry_workbook(path=path, dry_run=False)

    assert not result.applied and result.error_count == 1
    assert "无法读取文件" in result.errors[0].zh and "cannot be read" in result.errors[0].en


def test_the_sheets_are_checked_in_workbook_order():
    assert [s.name for s in SHEETS] == ["小区", "楼栋", "单元", "房屋", "业主"]


def test_existing_ownerships_are_compared_by_owner_id(tmp_path, rows):
    run(tmp_path, rows)
    owner = models.Owner.objects.with_id_number(PERSON_ID).get()
    OwnershipFactory(owner=owner, dwelling=DwellingFactory())

    result = run(tmp_path, changed(rows, "业主", 0, share=40))

    assert result.summary["业主"].updated == 1
    assert models.Ownership.objects.get(
        owner=owner, dwelling__stairwell__building__compound__code="XG0001"
    ).share == Decimal("40.00")
    assert owner.ownerships.count() == 2, "ownerships of unlisted dwellings stay"


def test_owner_changes_are_listed_with_personal_data_masked(tmp_path, rows):
    run(tmp_path, rows)

    result = run(tmp_path, changed(rows, "业主", 0, phone="15400009999", share=45))

    assert [c.format() for c in result.changes] == [
        "业主 张三 410303********0015 手机号: 154****1234 -> 154****9999",
        "业主 XG0001 / 1 / 1 / 101 / 410303********0015 产权份额(%): 50.00 -> 45.00",
    ]
    assert result.summary["业主"].owners_updated == 1
    assert models.Owner.objects.with_id_number(PERSON_ID).get().phone == "15400009999"
