"""Exporting the registry and the blank template; the documented format cannot drift."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from linli.registry import models
from linli.registry.exporter import export_registry_workbook, write_template
from linli.registry.services import import_registry_workbook
from linli.registry.tests.factories import (
    BuildingFactory,
    CompoundFactory,
    DwellingFactory,
    OwnerFactory,
    OwnershipFactory,
    StairwellFactory,
)
from linli.registry.tests.workbooks import COMPANY_CODE
from linli.registry.workbook import GUIDE_SHEET, SHEETS, markdown_reference

DOC = Path(__file__).resolve().parents[4] / "docs" / "registry-workbook.md"


@pytest.fixture
def registry() -> models.Compound:
    """A compound using every column: optional values set and left empty, all owner kinds."""
    compound = CompoundFactory(
        code="XG0100",
        heritage=True,
        floor_area=Decimal("8800.25"),
        renovation_status=models.RenovationStatus.RENOVATED,
        renovated_year=2021,
        management_mode=models.ManagementMode.PROFESSIONAL,
        address="凯旋东路 8 号",
    )
    building = BuildingFactory(
        compound=compound,
        number="2",
        storeys=7,
        has_elevator=True,
        structure=models.Structure.FRAME,
        year_built=None,
    )
    stairwell = StairwellFactory(building=building, number="1")
    shared = DwellingFactory(stairwell=stairwell, number="701", floor=7, area=Decimal("101.10"))
    unsold = DwellingFactory(
        stairwell=stairwell, number="102", floor=1, sale_status=models.SaleStatus.UNSOLD
    )
    OwnershipFactory(dwelling=shared, share=Decimal("50"))
    OwnershipFactory(dwelling=shared, share=Decimal("50"), owner__phone="")
    developer = OwnerFactory(
        kind=models.OwnerKind.DEVELOPER, id_number=None, credit_code=COMPANY_CODE, phone=""
    )
    OwnershipFactory(dwelling=unsold, owner=developer)
    StairwellFactory(building=building, number="2")  # a stairwell with no dwellings yet
    return compound


@pytest.mark.django_db
def test_an_export_imported_again_changes_nothing(tmp_path, registry):
    CompoundFactory(zone=None, longitude=None, latitude=None)
    path = tmp_path / "export.xlsx"
    export_registry_workbook(path)

    result = import_registry_workbook(path=path, dry_run=False)

    assert result.ok, [e.format() for e in result.errors]
    assert result.change_count == 0, [c.format() for c in result.changes]
    created = sum(s.created + s.owners_created for s in result.summary.values())
    updated = sum(s.updated + s.removed + s.owners_updated for s in result.summary.values())
    assert (created, updated) == (0, 0)
    assert result.summary["小区"].unchanged == 2
    assert result.summary["单元"].unchanged == 2
    assert result.summary["业主"].unchanged == 3


@pytest.mark.django_db
def test_an_export_writes_labels_yes_no_and_wgs84(tmp_path, registry):
    path = tmp_path / "export.xlsx"

    dwellings = export_registry_workbook(path)

    assert dwellings == 2
    book = load_workbook(path, read_only=True)
    compound = next(book["小区"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in next(book["小区"].iter_rows(max_row=1))]
    values = dict(zip(header, compound, strict=True))
    assert values["管理模式"] == "专业物业"
    assert values["历史风貌"] == "是"
    assert values["改造状态"] == "已改造"
    assert values["坐标系"] == "WGS-84(GPS)"
    assert (values["经度"], values["纬度"]) == (112.43, 34.67)
    owners = list(book["业主"].iter_rows(min_row=2, values_only=True))
    assert ("开发建设单位", COMPANY_CODE) in {(row[4], row[6]) for row in owners}


@pytest.mark.django_db
def test_an_export_of_some_compounds_leaves_the_others_out(tmp_path, registry):
    other = DwellingFactory()

    export_registry_workbook(
        tmp_path / "one.xlsx", compounds=models.Compound.objects.filter(pk=registry.pk)
    )

    book = load_workbook(tmp_path / "one.xlsx", read_only=True)
    codes = {row[0] for row in book["房屋"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"XG0100"}
    assert other.stairwell.building.compound.code not in codes


def test_the_template_has_every_sheet_and_header_and_no_data_rows(tmp_path):
    path = tmp_path / "template.xlsx"

    write_template(path)

    book = load_workbook(path)
    assert book.sheetnames == [*(s.name for s in SHEETS), GUIDE_SHEET]
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == sheet.headers
        assert ws.max_row == 1
        assert ws["A1"].comment is not None


def test_the_template_offers_dropdowns_for_choice_and_yes_no_columns(tmp_path):
    path = tmp_path / "template.xlsx"

    write_template(path)

    validations = load_workbook(path)["房屋"].data_validations.dataValidation
    assert [(str(dv.sqref), dv.formula1) for dv in validations] == [
        ("G2:G1048576", '"已售,开发商未售,已售未交付"')
    ]
    buildings = load_workbook(path)["楼栋"].data_validations.dataValidation
    assert '"是,否"' in {dv.formula1 for dv in buildings}


def test_the_guide_sheet_explains_every_column(tmp_path):
    path = tmp_path / "template.xlsx"

    write_template(path)

    guide = load_workbook(path)[GUIDE_SHEET]
    described = {(row[0], row[1]) for row in guide.iter_rows(min_row=2, values_only=True)}
    assert described == {(s.name, c.header) for s in SHEETS for c in s.columns}


@pytest.mark.django_db
def test_the_blank_template_imports_as_an_empty_workbook(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)

    result = import_registry_workbook(path=path, dry_run=False)

    assert result.ok and result.change_count == 0


def test_the_documentation_carries_the_generated_column_reference():
    text = DOC.read_text(encoding="utf-8")

    block = re.search(
        r"<!-- BEGIN GENERATED: linli registry schema -->\n(.*)<!-- END GENERATED -->",
        text,
        re.S,
    )

    assert block is not None, "docs/registry-workbook.md lost its generated section"
    assert block.group(1) == markdown_reference(), "regenerate it with `linli registry schema`"
    for sheet in SHEETS:
        for column in sheet.columns:
            assert f"| {column.header} |" in block.group(1)
