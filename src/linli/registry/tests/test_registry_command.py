"""``linli registry import|export|template|schema``: output and exit status."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from linli.registry import models
from linli.registry.tests.factories import CommunityFactory, DwellingFactory, ZoneFactory
from linli.registry.tests.workbooks import Rows, changed, sample_rows, write_workbook
from linli.registry.workbook import markdown_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows() -> Rows:
    community = CommunityFactory()
    return sample_rows(community, ZoneFactory(district=community.subdistrict.district))


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("registry", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_table_per_sheet_and_writes(tmp_path, rows):
    path = write_workbook(tmp_path / "registry.xlsx", rows)

    out, _err = run("import", str(path))

    lines = out.splitlines()
    assert lines[0].split()[:2] == ["工作表", "Sheet"]
    assert lines[4].split() == ["房屋", "2", "0", "0", "0"]
    assert lines[5].split() == ["业主", "3", "0", "0", "0"]
    assert "导入完成 (import complete)" in out
    assert models.Dwelling.objects.count() == 2


def test_import_lists_the_changes_of_a_reimport(tmp_path, rows):
    run("import", str(write_workbook(tmp_path / "a.xlsx", rows)))
    path = write_workbook(tmp_path / "b.xlsx", changed(rows, "房屋", 0, sale_status="已售未交付"))

    out, _err = run("import", str(path))

    assert "房屋 XG0001 / 1 / 1 / 101 销售状态: 已售 -> 已售未交付" in out


def test_import_dry_run_writes_nothing(tmp_path, rows):
    path = write_workbook(tmp_path / "registry.xlsx", rows)

    out, _err = run("import", str(path), "--dry-run")

    assert "dry run: nothing was written" in out
    assert not models.Compound.objects.exists()


def test_import_with_errors_prints_each_one_and_exits_with_status_1(tmp_path, rows):
    rows = changed(rows, "楼栋", 0, storeys=41)
    rows = changed(rows, "房屋", 1, area=0)
    path = write_workbook(tmp_path / "registry.xlsx", rows)
    err = io.StringIO()

    with pytest.raises(CommandError) as info:
        call_command("registry", "import", str(path), stdout=io.StringIO(), stderr=err)

    assert info.value.returncode == 1
    assert "nothing was written" in str(info.value)
    assert err.getvalue().splitlines() == [
        "楼栋!C2: 须在 1–40 之间 (must be between 1 and 40)",
        "房屋!F3: 面积必须大于 0 (area must be greater than 0)",
    ]
    assert not models.Compound.objects.exists()


def test_import_of_a_missing_file_fails(tmp_path):
    with pytest.raises(CommandError) as info:
        run("import", str(tmp_path / "nowhere.xlsx"))

    assert "no such file" in str(info.value)


def test_export_writes_a_workbook_that_imports_unchanged(tmp_path, rows):
    run("import", str(write_workbook(tmp_path / "in.xlsx", rows)))
    path = tmp_path / "out.xlsx"

    out, _err = run("export", str(path))

    assert "exported 2 dwellings" in out
    again, _err = run("import", str(path), "--dry-run")
    assert again.splitlines()[4].split() == ["房屋", "0", "0", "2", "0"]


def test_export_of_chosen_compounds_leaves_the_others_out(tmp_path):
    wanted, other = DwellingFactory(), DwellingFactory()
    code = wanted.stairwell.building.compound.code
    path = tmp_path / "out.xlsx"

    run("export", str(path), "--compound", code)

    book = load_workbook(path, read_only=True)
    assert [row[0] for row in book["小区"].iter_rows(min_row=2, values_only=True)] == [code]
    assert other.stairwell.building.compound.code != code


def test_export_of_an_unknown_compound_fails(tmp_path):
    with pytest.raises(CommandError) as info:
        run("export", str(tmp_path / "out.xlsx"), "--compound", "NOPE")

    assert info.value.returncode == 1
    assert "NOPE" in str(info.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_template_writes_the_blank_template(tmp_path):
    path = tmp_path / "template.xlsx"

    out, _err = run("template", str(path))

    assert "blank template written" in out
    assert load_workbook(path).sheetnames[:5] == ["小区", "楼栋", "单元", "房屋", "业主"]


def test_schema_prints_the_column_reference():
    out, _err = run("schema")

    assert out == markdown_reference()
