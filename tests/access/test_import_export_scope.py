"""Workbook imports and exports through the web stay inside the user's jurisdiction.

Web uploads check every row against the uploader's write scope; the command line imports and
exports the whole registry, as the system operator.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.registry import models as m
from linli.registry.models_upload import UploadStatus
from linli.registry.services import ImportResult, import_registry_workbook
from linli.registry.tests import factories as f
from linli.registry.tests.workbooks import Rows, changed, sample_rows, write_workbook

pytestmark = pytest.mark.django_db

OUTSIDE = "超出管辖范围"


@pytest.fixture
def places() -> dict[str, Any]:
    """Two sub-districts of one district, a community in each."""
    district = f.DistrictFactory()
    ours = f.CommunityFactory(subdistrict=f.SubdistrictFactory(district=district))
    theirs = f.CommunityFactory(subdistrict=f.SubdistrictFactory(district=district))
    return {"ours": ours, "theirs": theirs, "zone": f.ZoneFactory(district=district)}


def officer(places: dict[str, Any]) -> Any:
    return user_with_role(Role.SUBDISTRICT_OFFICE, subdistrict=places["ours"].subdistrict)


def run(tmp_path: Path, rows: Rows, user: Any, *, dry_run: bool = True) -> ImportResult:
    path = write_workbook(tmp_path / "registry.xlsx", rows)
    return import_registry_workbook(path=path, dry_run=dry_run, user=user)


def scope_errors(result: ImportResult) -> list[tuple[str, int | None]]:
    return [(e.sheet, e.row) for e in result.errors if OUTSIDE in e.zh]


def test_a_sub_district_imports_a_new_compound_of_its_own_community(tmp_path, places):
    result = run(
        tmp_path, sample_rows(places["ours"], places["zone"]), officer(places), dry_run=False
    )
    assert result.applied, result.errors
    assert m.Compound.objects.filter(code="XG0001", community=places["ours"]).exists()


def test_a_new_compound_in_another_sub_district_is_an_error_naming_the_row(tmp_path, places):
    result = run(tmp_path, sample_rows(places["theirs"]), officer(places))
    assert not result.ok
    assert ("小区", 2) in scope_errors(result)
    error = next(e for e in result.errors if OUTSIDE in e.zh)
    assert "outside your jurisdiction" in error.en


def test_nothing_is_written_when_a_row_is_outside_the_jurisdiction(tmp_path, places):
    result = run(tmp_path, sample_rows(places["theirs"]), officer(places), dry_run=False)
    assert not result.applied
    assert not m.Compound.objects.exists()


def test_rows_of_a_stored_compound_outside_the_jurisdiction_are_errors(tmp_path, places):
    rows = sample_rows(places["theirs"])
    run(tmp_path, rows, None, dry_run=False)  # the command line: the operator imports it
    result = run(tmp_path, changed(rows, "楼栋", 0, storeys=7), officer(places))
    assert {sheet for sheet, _row in scope_errors(result)} >= {
        "小区",
        "楼栋",
        "单元",
        "房屋",
        "业主",
    }


def test_the_preview_of_an_out_of_scope_row_shows_no_stored_values(tmp_path, places):
    rows = sample_rows(places["theirs"])
    run(tmp_path, rows, None, dry_run=False)
    result = run(tmp_path, changed(rows, "小区", 0, name="改过的名字"), officer(places))
    assert result.changes == [] and result.change_count == 0


def test_moving_a_compound_into_another_sub_district_is_an_error(tmp_path, places):
    rows = sample_rows(places["ours"])
    run(tmp_path, rows, None, dry_run=False)
    moved = changed(rows, "小区", 0, community_code=places["theirs"].code)
    result = run(tmp_path, moved, officer(places))
    assert ("小区", 2) in scope_errors(result)


def test_a_community_worker_may_not_add_a_compound_even_in_its_community(tmp_path, places):
    worker = user_with_role(Role.COMMUNITY, community=places["ours"])
    result = run(tmp_path, sample_rows(places["ours"]), worker)
    assert ("小区", 2) in scope_errors(result)


def test_a_community_worker_updates_the_dwellings_of_its_compound(tmp_path, places):
    rows = sample_rows(places["ours"])
    run(tmp_path, rows, None, dry_run=False)
    worker = user_with_role(Role.COMMUNITY, community=places["ours"])
    result = run(tmp_path, changed(rows, "房屋", 0, area=75.0), worker, dry_run=False)
    assert result.applied, result.errors


def test_an_owner_registered_elsewhere_cannot_be_renamed_from_here(tmp_path, places):
    elsewhere = sample_rows(places["theirs"])
    run(tmp_path, elsewhere, None, dry_run=False)
    ours = sample_rows(places["ours"])
    for sheet in ours.values():
        for row in sheet:
            for key in ("code", "compound_code"):
                if row.get(key) == "XG0001":
                    row[key] = "XG0002"
    ours["业主"][0]["name"] = "另一个名字"  # the same ID number as 张三 of XG0001
    result = run(tmp_path, ours, officer(places))
    assert ("业主", 2) in scope_errors(result)
    assert result.changes == []


def test_the_command_line_imports_anywhere(tmp_path, places):
    result = run(tmp_path, sample_rows(places["theirs"]), None, dry_run=False)
    assert result.applied, result.errors


def test_a_web_upload_outside_the_jurisdiction_shows_the_error_and_cannot_be_confirmed(
    client, tmp_path, places
):
    client.force_login(officer(places))
    path = write_workbook(tmp_path / "registry.xlsx", sample_rows(places["theirs"]))
    response = client.post(
        reverse("registry_import:upload"),
        {"file": SimpleUploadedFile("registry.xlsx", path.read_bytes())},
        follow=True,
    )
    upload = response.context["upload"]
    assert upload.status == UploadStatus.INVALID
    assert "超出管辖范围" in response.content.decode()


def test_the_web_export_holds_only_the_compounds_of_the_users_jurisdiction(client, places):
    mine = f.CompoundFactory(community=places["ours"], code="MINE1")
    f.CompoundFactory(community=places["theirs"], code="THEIRS1")
    f.DwellingFactory(stairwell__building__compound=mine)
    client.force_login(officer(places))
    response = client.get(reverse("registry_import:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    codes = [row[0] for row in book["小区"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert codes == ["MINE1"]
