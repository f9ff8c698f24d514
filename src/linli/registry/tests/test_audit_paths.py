"""Every write path records audit events with before/after values: the REST API, the admin,
web workbook uploads (a background task), CLI imports and commands, the demo builder; and
``/api/v1/audit/`` shows each caller only their part of the trail, read-only."""

from __future__ import annotations

import getpass
import json
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.accounts.services import create_api_token
from linli.accounts.tests.factories import user_with_role
from linli.cli import main as linli_main
from linli.core import audit
from linli.core.models import AuditAction, AuditEvent, AuditSource
from linli.registry import demo
from linli.registry import models as m
from linli.registry.models_upload import RegistryUpload, UploadStatus
from linli.registry.services import import_registry_workbook
from linli.registry.tests import factories as f
from linli.registry.tests.workbooks import PERSON_ID, Rows, changed, sample_rows, write_workbook

pytestmark = pytest.mark.django_db

AUDIT = "/api/v1/audit/"


def events_of(obj, action: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(model_label=obj._meta.label_lower, object_id=str(obj.pk))
    if action:
        events = events.filter(action=action)
    return list(events.order_by("id"))


def dumped() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


@pytest.fixture
def compound():
    return f.CompoundFactory(name="道南路70号院")


@pytest.fixture
def office(compound):
    """A district office user (may change the whole registry of the district)."""
    return user_with_role(
        Role.DISTRICT_OFFICE, username="office", district=compound.community.subdistrict.district
    )


@pytest.fixture
def api(office) -> APIClient:
    """The office's API client, authenticated by a token as integrations are."""
    _token, key = create_api_token(user=office)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def rows(compound) -> Rows:
    return sample_rows(compound.community)


# --- REST API --------------------------------------------------------------------------------


def test_an_api_create_records_the_token_user_the_path_and_the_values(api, office, compound):
    response = api.post(
        "/api/v1/buildings/", {"compound": compound.pk, "number": "9", "storeys": 6}, format="json"
    )

    building = m.Building.objects.get(pk=response.json()["id"])
    (event,) = events_of(building)
    assert event.action == AuditAction.CREATE and event.source == AuditSource.API
    assert (event.actor_id, event.actor_username) == (office.pk, "office")
    assert event.path == "POST /api/v1/buildings/"
    assert event.changes["number"] == [None, "9"] and event.changes["storeys"] == [None, 6]
    assert event.compound_id == compound.pk


def test_an_api_patch_records_the_changed_fields_before_and_after(api, compound):
    building = f.BuildingFactory(compound=compound, storeys=6, has_elevator=False)

    api.patch(f"/api/v1/buildings/{building.pk}/", {"has_elevator": True}, format="json")

    event = events_of(building)[-1]
    assert event.action == AuditAction.UPDATE and event.source == AuditSource.API
    assert event.changes == {"has_elevator": [False, True]}


def test_an_api_delete_records_the_values_before_it(api, compound):
    building = f.BuildingFactory(compound=compound, number="3")

    api.delete(f"/api/v1/buildings/{building.pk}/")

    (event,) = events_of(building, AuditAction.DELETE)
    assert event.changes["number"] == ["3", None]
    assert event.path == f"DELETE /api/v1/buildings/{building.pk}/"


def test_the_events_of_one_request_share_the_request_id_it_answers_with(api, compound):
    building = f.BuildingFactory(compound=compound)
    f.DwellingFactory.create_batch(2, stairwell=f.StairwellFactory(building=building))

    response = api.delete(f"/api/v1/buildings/{building.pk}/")

    deleted = AuditEvent.objects.filter(action=AuditAction.DELETE)
    assert deleted.count() == 4  # the building, its stairwell and two dwellings
    assert set(deleted.values_list("request_id", flat=True)) == {response["X-Request-ID"]}


def test_a_request_id_sent_by_the_client_groups_its_events(api, compound):
    given = str(uuid.uuid4())

    response = api.patch(
        f"/api/v1/compounds/{compound.pk}/",
        {"address": "道南路70号"},
        format="json",
        HTTP_X_REQUEST_ID=given,
    )

    assert response["X-Request-ID"] == given
    assert events_of(compound)[-1].request_id == given


def test_personal_data_written_through_the_api_is_masked_in_the_trail(api):
    response = api.post(
        "/api/v1/owners/",
        {"kind": "person", "name": "张三", "id_number": PERSON_ID, "phone": "13800138000"},
        format="json",
    )
    assert response.status_code == 201, response.content

    (event,) = events_of(m.Owner.objects.get(pk=response.json()["id"]))
    assert event.changes["id_number"] == [None, "410303********0015"]
    assert PERSON_ID not in dumped() and "13800138000" not in dumped()


def test_a_refused_write_leaves_no_event(api, compound):
    before = AuditEvent.objects.count()

    response = api.post(
        "/api/v1/buildings/", {"compound": compound.pk, "number": "1", "storeys": 99}, format="json"
    )

    assert response.status_code == 400
    assert AuditEvent.objects.count() == before


# --- Admin -----------------------------------------------------------------------------------


def test_an_admin_change_form_records_the_change_as_admin(admin_client, admin_user):
    zone = f.ZoneFactory(code="Z01", name="第一片区")

    admin_client.post(
        reverse("admin:registry_zone_change", args=[zone.pk]),
        {"district": zone.district_id, "code": "Z01", "name": "一号片区"},
    )

    event = events_of(zone)[-1]
    assert event.changes == {"name": ["第一片区", "一号片区"]}
    assert (event.source, event.actor_id) == (AuditSource.ADMIN, admin_user.pk)
    assert event.path == f"POST /admin/registry/zone/{zone.pk}/change/"


def test_an_admin_delete_records_the_deleted_row(admin_client):
    zone = f.ZoneFactory(name="临时片区")

    admin_client.post(reverse("admin:registry_zone_delete", args=[zone.pk]), {"post": "yes"})

    (event,) = events_of(zone, AuditAction.DELETE)
    assert event.changes["name"] == ["临时片区", None] and event.source == AuditSource.ADMIN


def test_audit_events_are_read_only_in_the_admin_even_for_superusers(admin_client):
    event = audit.record(action=AuditAction.CREATE, model_label="registry.zone", object_id="1")

    assert admin_client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:core_auditevent_change", args=[event.pk]), {"object_repr": "改过"}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).object_repr == ""


# --- Exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("personal", [False, True])
def test_a_web_export_is_recorded_with_whether_it_carried_personal_data(client, compound, personal):
    user = user_with_role(
        Role.DISTRICT_OFFICE,
        username="exporter",
        district=compound.community.subdistrict.district,
        can_view_personal_data=personal,
    )
    client.force_login(user)

    response = client.get(
        reverse("registry_import:export"), {"personal_data": "1"} if personal else {}
    )

    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert event.changes == {"compounds": 1, "include_personal_data": personal}
    assert (event.actor_id, event.source) == (user.pk, AuditSource.WEB)


# --- Workbook imports ------------------------------------------------------------------------


def test_a_confirmed_web_upload_records_every_row_as_an_import_by_the_uploader(
    client, office, rows, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(office)
    path = write_workbook(tmp_path / "registry.xlsx", rows)
    client.post(
        reverse("registry_import:upload"),
        {"file": SimpleUploadedFile("登记簿.xlsx", path.read_bytes())},
    )
    upload = RegistryUpload.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_import:confirm", args=[upload.pk]))

    upload.refresh_from_db()
    assert upload.status == UploadStatus.APPLIED
    imported = AuditEvent.objects.filter(source=AuditSource.IMPORT)
    labels = sorted(imported.values_list("model_label", flat=True))
    assert labels.count("registry.dwelling") == 2 and labels.count("registry.ownership") == 3
    assert set(imported.values_list("actor_id", flat=True)) == {office.pk}
    assert set(imported.values_list("action", flat=True)) == {AuditAction.CREATE}
    assert imported.first().path == f"registry upload #{upload.pk} 登记簿.xlsx"
    confirmed = events_of(upload)
    assert [e.changes.get("status") for e in confirmed[-2:]] == [
        [UploadStatus.PREVIEWED, UploadStatus.QUEUED],
        [UploadStatus.QUEUED, UploadStatus.APPLIED],
    ]
    assert confirmed[-2].source == AuditSource.WEB and confirmed[-1].source == AuditSource.TASK


def test_an_import_records_created_rows_with_their_values_and_compound(rows, tmp_path):
    import_registry_workbook(path=write_workbook(tmp_path / "a.xlsx", rows), dry_run=False)

    created = m.Compound.objects.get(code="XG0001")
    (event,) = events_of(created)
    assert event.changes["name"] == [None, "道南路12号院"]
    assert event.changes["year_built"] == [None, 1988]
    dwelling = m.Dwelling.objects.get(number="101")
    (event,) = events_of(dwelling)
    assert event.compound_id == created.pk
    assert event.changes["stairwell_id"] == [None, dwelling.stairwell_id]
    assert event.object_repr == "XG0001 / 1 / 1 / 101"


def test_an_import_masks_owners_personal_data_in_the_trail(rows, tmp_path):
    import_registry_workbook(path=write_workbook(tmp_path / "a.xlsx", rows), dry_run=False)

    person = m.Owner.objects.get(kind="person", name=rows["业主"][0]["name"])
    (event,) = events_of(person)
    assert event.changes["id_number"][1].count("*") == 8
    assert PERSON_ID not in dumped()
    assert "id_number_hash" not in dumped()


def test_a_reimport_records_only_changed_fields_before_and_after(rows, tmp_path):
    import_registry_workbook(path=write_workbook(tmp_path / "a.xlsx", rows), dry_run=False)
    before = AuditEvent.objects.count()

    import_registry_workbook(
        path=write_workbook(
            tmp_path / "b.xlsx", changed(rows, "房屋", 0, sale_status="已售未交付")
        ),
        dry_run=False,
    )

    (event,) = AuditEvent.objects.filter(pk__gt=AuditEvent.objects.order_by("id")[before - 1].pk)
    assert event.action == AuditAction.UPDATE and event.model_label == "registry.dwelling"
    assert event.changes == {"sale_status": ["sold", "undelivered"]}


def test_an_ownership_an_import_removes_is_recorded_as_deleted(rows, tmp_path):
    import_registry_workbook(path=write_workbook(tmp_path / "a.xlsx", rows), dry_run=False)
    without_lisi = {**rows, "业主": [r for r in rows["业主"] if r["name"] != "李四"]}

    import_registry_workbook(path=write_workbook(tmp_path / "b.xlsx", without_lisi), dry_run=False)

    (event,) = AuditEvent.objects.filter(action=AuditAction.DELETE)
    assert event.model_label == "registry.ownership"
    assert event.object_repr == "XG0001 / 1 / 1 / 101 李四"
    assert event.changes["share"] == ["50.00", None] and event.changes["owner_id"][1] is None
    assert not m.Ownership.objects.filter(pk=event.object_id).exists()


def test_a_dry_run_records_nothing(rows, tmp_path):
    before = AuditEvent.objects.count()

    import_registry_workbook(path=write_workbook(tmp_path / "a.xlsx", rows), dry_run=True)

    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)  # a command closes the connections when it ends
def test_a_cli_import_is_recorded_as_the_cli_with_the_command_line(tmp_path: Path):
    community = f.CommunityFactory()
    path = write_workbook(tmp_path / "a.xlsx", sample_rows(community))

    linli_main(["registry", "import", str(path)])

    imported = AuditEvent.objects.filter(model_label="registry.dwelling")
    assert imported.count() == 2
    event = imported.first()
    assert event.source == AuditSource.CLI
    assert event.actor_username == f"cli:{getpass.getuser()}"
    assert event.path == f"linli registry import {path}"


@pytest.mark.django_db(transaction=True)  # a command closes the connections when it ends
def test_a_cli_export_with_personal_data_is_recorded_as_an_export_event(tmp_path):
    f.CompoundFactory()

    linli_main(["registry", "export", str(tmp_path / "out.xlsx"), "--with-personal-data"])

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.source == AuditSource.CLI
    assert event.changes == {"compounds": 1, "include_personal_data": True}


def test_a_demo_build_records_one_summarising_bulk_event():
    demo.build(compounds=3)

    (event,) = AuditEvent.objects.all()
    assert event.action == AuditAction.BULK
    assert event.changes["created"]["registry.dwelling"] == m.Dwelling.objects.count() > 0
    assert event.changes["deleted"] == {}


# --- /api/v1/audit/ --------------------------------------------------------------------------


@pytest.fixture
def two_compounds(compound):
    """Events in the office's compound and in one of another community."""
    elsewhere = f.CompoundFactory(name="凯旋东路43号院")
    for target in (compound, elsewhere):
        f.BuildingFactory(compound=target)
    return compound, elsewhere


def audit_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(client: APIClient, **params) -> list[dict]:
    response = client.get(AUDIT, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_community_user_sees_the_events_of_their_community_only(two_compounds):
    mine, elsewhere = two_compounds
    user = user_with_role(Role.COMMUNITY, community=mine.community)

    compounds = {row["compound_id"] for row in listed(audit_client(user))}

    assert mine.pk in compounds and elsewhere.pk not in compounds


def test_a_user_sees_their_own_events_wherever_they_are(two_compounds):
    mine, elsewhere = two_compounds
    user = user_with_role(Role.COMMUNITY, community=mine.community)
    with audit.audit_context(source=AuditSource.WEB, actor=user):
        event = audit.record(action=AuditAction.UPDATE, obj=elsewhere, changes={"x": [1, 2]})

    assert event.id in {row["id"] for row in listed(audit_client(user))}


def test_a_resident_does_not_read_the_history_of_their_neighbours(two_compounds):
    mine, _elsewhere = two_compounds
    dwelling = f.DwellingFactory(stairwell__building__compound=mine)
    f.DwellingFactory(stairwell=dwelling.stairwell)
    resident = user_with_role(Role.RESIDENT, dwelling=dwelling)

    assert listed(audit_client(resident)) == []


def test_a_superuser_sees_every_event(admin_user, two_compounds):
    assert len(listed(audit_client(admin_user))) == AuditEvent.objects.count()


def test_an_event_outside_the_scope_answers_404(two_compounds):
    mine, elsewhere = two_compounds
    user = user_with_role(Role.COMMUNITY, community=mine.community)
    hidden = AuditEvent.objects.filter(compound_id=elsewhere.pk).first()

    assert audit_client(user).get(f"{AUDIT}{hidden.pk}/").status_code == 404


def test_the_audit_api_filters_by_object_action_and_request(admin_user, compound):
    with audit.audit_context(source=AuditSource.API) as context:
        compound.name = "改名"
        compound.save()
    client = audit_client(admin_user)

    by_object = listed(client, model_label="registry.compound", object_id=compound.pk)
    assert [r["action"] for r in by_object] == ["update", "create"]  # newest first
    assert [r["action"] for r in listed(client, request_id=context.request_id)] == ["update"]
    assert {r["action"] for r in listed(client, action="create", source="system")} == {"create"}
    assert listed(client, occurred_after="2999-01-01T00:00:00Z") == []


@pytest.mark.parametrize(
    ("params", "zh"),
    [({"action": "erase"}, "不是有效选项"), ({"request_id": "x'; --"}, "须为 UUID")],
)
def test_a_bad_filter_value_is_a_bilingual_400(admin_user, params, zh):
    response = audit_client(admin_user).get(AUDIT, params)

    assert response.status_code == 400
    assert zh in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_api_is_read_only(admin_user, method):
    event = audit.record(action=AuditAction.CREATE, model_label="registry.zone", object_id="1")
    client = audit_client(admin_user)
    url = AUDIT if method == "post" else f"{AUDIT}{event.pk}/"

    response = getattr(client, method)(url, {"object_repr": "改过"}, format="json")

    assert response.status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).object_repr == ""


def test_the_audit_list_takes_a_bounded_number_of_queries(
    two_compounds, django_assert_max_num_queries
):
    mine, _elsewhere = two_compounds
    for n in range(20):
        mine.address = f"{n}号"
        mine.save()
    client = audit_client(user_with_role(Role.COMMUNITY, community=mine.community))

    with django_assert_max_num_queries(5):
        assert len(listed(client)) > 20
