"""The after-care API: assets with the overdue flag and filters, registering an asset, schedules
with ``overdue`` and ``days_overdue``, recording a visit (201, bilingual 400, 403, 404), the
records list, scoping, bounded list queries and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

from linli.aftercare.models import Asset, AssetKind, Schedule, ScheduleKind
from linli.aftercare.tests.factories import (
    community_worker,
    compound_of,
    days,
    elevator_of,
    fire_equipment_of,
    place,
    property_company_of,
    resident_of,
)

pytestmark = pytest.mark.django_db

ASSETS = "/api/v1/assets/"
SCHEDULES = "/api/v1/asset-schedules/"
RECORDS = "/api/v1/asset-records/"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def dwelling():
    return place()


@pytest.fixture
def compound(dwelling):
    return compound_of(dwelling)


@pytest.fixture
def worker(compound):
    return community_worker(compound)


@pytest.fixture
def api(worker):
    return api_as(worker)


@pytest.fixture
def late_elevator(compound):
    return elevator_of(compound, maintenance_due=days(-3))


def maintenance_of(asset):
    return Schedule.objects.get(asset=asset, kind=ScheduleKind.MAINTENANCE)


def visit(api, schedule, **body):
    return api.post(
        f"{SCHEDULES}{schedule.pk}/records/",
        {"done_on": str(days(0)), "performed_by": "维保员王师傅", **body},
        format="json",
    )


# --- assets -------------------------------------------------------------------------------


def test_an_asset_says_it_is_overdue(api, late_elevator):
    data = api.get(f"{ASSETS}{late_elevator.pk}/").json()
    assert data["overdue"] is True
    assert data["responsible_unit"] == "洛阳某物业服务有限公司"
    late = {s["kind"]: s["days_overdue"] for s in data["schedules"]}
    assert late == {"maintenance": 3, "inspection": 0}


def test_assets_filter_overdue(api, compound, late_elevator):
    on_time = fire_equipment_of(compound)
    late = api.get(ASSETS, {"overdue": "true"}).json()["results"]
    fine = api.get(ASSETS, {"overdue": "false"}).json()["results"]
    assert [a["id"] for a in late] == [late_elevator.pk]
    assert [a["id"] for a in fine] == [on_time.pk]


def test_assets_filter_by_kind_and_compound(api, compound, late_elevator):
    fire = fire_equipment_of(compound)
    by_kind = api.get(ASSETS, {"kind": AssetKind.FIRE, "compound": compound.pk}).json()
    assert [a["id"] for a in by_kind["results"]] == [fire.pk]


def test_an_unknown_kind_is_a_bilingual_400(api):
    response = api.get(ASSETS, {"kind": "rocket"})
    assert response.status_code == 400
    assert "not a valid choice" in str(response.json())


def test_the_asset_list_takes_a_bounded_number_of_queries(
    api, compound, django_assert_max_num_queries
):
    elevator_of(compound)
    with django_assert_max_num_queries(8):
        api.get(ASSETS)
    for n in range(10):
        elevator_of(compound, name=f"电梯{n}")
    with django_assert_max_num_queries(8):
        assert api.get(ASSETS).json()["count"] == 11


def test_the_worker_registers_an_asset(api, compound):
    response = api.post(
        ASSETS,
        {"compound": compound.pk, "kind": "gate", "name": "东门道闸", "responsible_unit": "物业"},
        format="json",
    )
    assert response.status_code == 201
    assert Asset.objects.get(pk=response.json()["id"]).name == "东门道闸"


def test_an_asset_without_its_responsible_unit_is_refused_in_both_languages(api, compound):
    response = api.post(
        ASSETS, {"compound": compound.pk, "kind": "gate", "name": "东门道闸"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "responsible_unit"
    assert body["zh"] == "请填写使用单位"
    assert "responsible unit" in body["en"]


def test_a_colleague_elsewhere_cannot_register_an_asset_here(compound):
    colleague = community_worker(compound_of(place()))
    response = api_as(colleague).post(
        ASSETS,
        {"compound": compound.pk, "kind": "gate", "name": "道闸", "responsible_unit": "物业"},
        format="json",
    )
    assert response.status_code == 400
    assert "compound" in response.json()
    assert not Asset.objects.exists()


def test_the_property_company_cannot_register_an_asset(compound):
    response = api_as(property_company_of(compound)).post(
        ASSETS,
        {"compound": compound.pk, "kind": "gate", "name": "道闸", "responsible_unit": "物业"},
        format="json",
    )
    assert response.status_code == 403


def test_a_colleague_elsewhere_sees_no_asset_here(late_elevator):
    colleague = api_as(community_worker(compound_of(place())))
    assert colleague.get(ASSETS).json()["count"] == 0
    assert colleague.get(f"{ASSETS}{late_elevator.pk}/").status_code == 404


# --- schedules and records ----------------------------------------------------------------


def test_schedules_carry_overdue_and_days_overdue(api, late_elevator):
    rows = api.get(SCHEDULES, {"asset": late_elevator.pk}).json()["results"]
    assert {(r["kind"], r["overdue"], r["days_overdue"]) for r in rows} == {
        ("maintenance", True, 3),
        ("inspection", False, 0),
    }


def test_schedules_filter_overdue(api, compound, late_elevator):
    elevator_of(compound, name="2号楼电梯", maintenance_due=days(0))
    rows = api.get(SCHEDULES, {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [maintenance_of(late_elevator).pk]


def test_the_schedule_list_takes_a_bounded_number_of_queries(
    api, compound, django_assert_max_num_queries
):
    for n in range(8):
        elevator_of(compound, name=f"电梯{n}")
    with django_assert_max_num_queries(6):
        assert api.get(SCHEDULES).json()["count"] == 16


def test_recording_a_visit_moves_the_next_due_date(api, late_elevator):
    schedule = maintenance_of(late_elevator)
    response = visit(api, schedule)
    assert response.status_code == 201
    assert response.json()["done_on"] == str(days(0))
    schedule.refresh_from_db()
    assert schedule.next_due_on == days(15)


def test_a_visit_in_the_future_is_a_bilingual_400(api, late_elevator):
    response = visit(api, maintenance_of(late_elevator), done_on=str(days(1)))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["zh"]) == ("done_on", "完成日期不能晚于今天")
    assert body["en"] == "the visit cannot be in the future"


def test_the_property_company_records_a_visit(compound, late_elevator):
    response = visit(api_as(property_company_of(compound)), maintenance_of(late_elevator))
    assert response.status_code == 201


def test_a_resident_sees_the_schedules_but_cannot_record(dwelling, late_elevator):
    resident = api_as(resident_of(dwelling))
    assert resident.get(SCHEDULES).json()["count"] == 2
    schedule = maintenance_of(late_elevator)
    assert visit(resident, schedule).status_code == 403
    assert not schedule.records.exists()


def test_a_colleague_elsewhere_gets_404_when_recording(late_elevator):
    colleague = api_as(community_worker(compound_of(place())))
    assert visit(colleague, maintenance_of(late_elevator)).status_code == 404


def test_records_are_listed_by_asset(api, compound, late_elevator):
    other = fire_equipment_of(compound)
    visit(api, maintenance_of(late_elevator))
    visit(api, maintenance_of(other))
    rows = api.get(RECORDS, {"asset": late_elevator.pk}).json()["results"]
    assert [(r["asset"], r["kind"]) for r in rows] == [(late_elevator.pk, "maintenance")]


def test_a_colleague_elsewhere_sees_no_records(api, late_elevator):
    visit(api, maintenance_of(late_elevator))
    assert api_as(community_worker(compound_of(place()))).get(RECORDS).json()["count"] == 0


# --- schema -------------------------------------------------------------------------------

#: Words naming this module's components and choice fields in drf-spectacular's warnings.
AFTERCARE_WORDS = ("Asset", "Schedule", "Record", "aftercare", '"kind"', '"result"')


def test_every_aftercare_endpoint_is_in_the_schema_without_warnings(tmp_path, capsys):
    reset_generator_stats()
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--file", str(out))
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
    assert [line for line in warnings if any(word in line for word in AFTERCARE_WORDS)] == []
    schema = out.read_text()
    for path in (
        "/api/v1/assets/:",
        "/api/v1/assets/{id}/:",
        "/api/v1/asset-schedules/:",
        "/api/v1/asset-schedules/{id}/records/:",
        "/api/v1/asset-records/:",
    ):
        assert path in schema
