"""The audit trail's machinery: contexts, automatic tracking of saves and deletes, masked and
JSON-safe values, append-only storage, the request middleware, the CLI and Celery tasks."""

from __future__ import annotations

import datetime
import getpass
import json
import uuid
from decimal import Decimal

import pytest
from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from linli.accounts.services import create_api_token, revoke_api_token
from linli.celery import AUDIT_HEADER, add_audit_headers
from linli.cli import main as linli_main
from linli.core import audit
from linli.core.middleware import REQUEST_ID_HEADER, AuditContextMiddleware
from linli.core.models import AppendOnlyError, AuditAction, AuditEvent, AuditSource
from linli.registry import models as m
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db

ID_NUMBER = "410303198001010015"
PHONE = "13800138000"


def events_of(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            model_label=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("id")
    )


def dumped() -> str:
    """Every stored event as JSON text, to search for values that must never be there."""
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


@shared_task(name="linli.core.tests.rename_zone")
def rename_zone(zone_id: int, name: str) -> None:
    """A task changing one row, to see which context a task's changes are recorded in."""
    zone = m.Zone.objects.get(pk=zone_id)
    zone.name = name
    zone.save()


# --- Tracking --------------------------------------------------------------------------------


def test_creating_a_tracked_object_records_every_field_as_an_after_value():
    zone = f.ZoneFactory(name="第1片区")

    (event,) = events_of(zone)

    assert event.action == AuditAction.CREATE
    assert event.changes["name"] == [None, "第1片区"]
    assert event.changes["district"] == [None, zone.district_id]
    assert event.object_repr == "第1片区"


def test_an_update_records_only_the_changed_fields_with_before_and_after():
    compound = f.CompoundFactory(name="旧名", year_built=1985)
    compound.name = "新名"
    compound.save()

    event = events_of(compound)[-1]

    assert event.action == AuditAction.UPDATE
    assert event.changes == {"name": ["旧名", "新名"]}


def test_saving_an_unchanged_object_records_nothing():
    compound = f.CompoundFactory()
    before = AuditEvent.objects.count()

    compound.save()

    assert AuditEvent.objects.count() == before


def test_an_equal_value_of_another_type_is_not_a_change():
    compound = f.CompoundFactory(floor_area=Decimal("1200.50"))
    compound.floor_area = "1200.5"
    compound.save()

    assert [e.action for e in events_of(compound)] == [AuditAction.CREATE]


def test_save_with_update_fields_compares_only_those_fields():
    compound = f.CompoundFactory(name="甲", address="一号")
    compound.name, compound.address = "乙", "二号"
    compound.save(update_fields=["name"])

    assert events_of(compound)[-1].changes == {"name": ["甲", "乙"]}


def test_a_delete_records_the_values_before_it():
    building = f.BuildingFactory(number="7", storeys=5)
    pk, compound_id = building.pk, building.compound_id

    building.delete()

    event = AuditEvent.objects.get(
        model_label="registry.building", object_id=str(pk), action="delete"
    )
    assert event.changes["number"] == ["7", None]
    assert event.changes["storeys"] == [5, None]
    assert event.compound_id == compound_id


def test_a_cascade_records_each_deleted_child_in_its_compound():
    dwelling = f.DwellingFactory()
    compound = dwelling.stairwell.building.compound
    stairwell_pk, dwelling_pk = dwelling.stairwell_id, dwelling.pk

    with audit.audit_context(source=AuditSource.WEB):
        dwelling.stairwell.building.delete()

    deleted = AuditEvent.objects.filter(action=AuditAction.DELETE)
    assert {(e.model_label, e.object_id) for e in deleted} == {
        ("registry.building", str(dwelling.stairwell.building_id)),
        ("registry.stairwell", str(stairwell_pk)),
        ("registry.dwelling", str(dwelling_pk)),
    }
    assert {e.compound_id for e in deleted} == {compound.pk}
    assert len({e.request_id for e in deleted}) == 1


def test_every_object_below_a_compound_is_placed_in_it():
    resident = f.ResidentFactory()
    dwelling = resident.household.dwelling
    ownership = f.OwnershipFactory(dwelling=dwelling)
    building = dwelling.stairwell.building

    placed = (building, dwelling.stairwell, dwelling, ownership, resident.household, resident)
    assert {events_of(obj)[0].compound_id for obj in placed} == {building.compound_id}


def test_an_owner_is_placed_in_the_compound_of_their_first_dwelling():
    ownership = f.OwnershipFactory()
    owner = ownership.owner
    owner.name = "改名"
    owner.save()

    created, renamed = events_of(owner)
    assert created.compound_id is None  # registered before holding anything
    assert renamed.compound_id == ownership.dwelling.stairwell.building.compound_id


def test_models_that_are_not_tracked_record_nothing():
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["x"] = 1
    session.save()

    assert not AuditEvent.objects.exists()


def test_inside_suppressed_tracked_models_record_nothing():
    with audit.suppressed():
        f.CompoundFactory()

    assert not AuditEvent.objects.exists()


# --- Values ----------------------------------------------------------------------------------


def test_personal_data_is_masked_in_recorded_changes():
    owner = f.OwnerFactory(id_number=ID_NUMBER, phone=PHONE)

    (event,) = events_of(owner)

    assert event.changes["id_number"] == [None, "410303********0015"]
    assert event.changes["phone"] == [None, "138****8000"]
    assert ID_NUMBER not in dumped() and PHONE not in dumped()


def test_keyed_hashes_of_personal_data_are_never_recorded():
    owner = f.OwnerFactory(id_number=ID_NUMBER, phone=PHONE)

    (event,) = events_of(owner)

    assert "id_number_hash" not in event.changes and "phone_hash" not in event.changes
    assert owner.id_number_hash not in dumped()


def test_a_changed_phone_is_recorded_masked_before_and_after():
    owner = f.OwnerFactory(phone=PHONE)
    owner.phone = "13912345678"
    owner.save()

    assert events_of(owner)[-1].changes == {"phone": ["138****8000", "139****5678"]}


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("id_number", ID_NUMBER, "410303********0015"),
        ("phone", PHONE, "138****8000"),
        ("contact_phone", PHONE, "138****8000"),
        ("owner_id_number", ID_NUMBER, "410303********0015"),
        ("area", Decimal("72.50"), "72.50"),
        ("born", datetime.date(1990, 1, 2), "1990-01-02"),
        (
            "at",
            datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            "2026-01-02T03:04:05+00:00",
        ),
        ("token", uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ("storeys", 6, 6),
        ("heritage", True, True),
        ("note", None, None),
    ],
)
def test_values_are_stored_json_safe_and_personal_fields_masked_by_name(name, value, stored):
    assert audit.json_value(name, value) == stored


def test_a_password_change_is_recorded_as_changed_without_the_hash():
    user = get_user_model().objects.create_user("clerk", password="first-Passw0rd!")
    user.set_password("second-Passw0rd!")
    user.save()

    change = events_of(user)[-1]
    assert change.changes == {"password": ["***", "***"]}
    assert user.password not in dumped() and "argon2" not in dumped()


def test_a_token_key_hash_is_never_recorded_but_its_revocation_is():
    user = get_user_model().objects.create_user("clerk")
    token, key = create_api_token(user=user, name="笔记本")
    revoke_api_token(token=token)

    created, revoked = events_of(token)
    assert "key_hash" not in created.changes and created.changes["name"] == [None, "笔记本"]
    assert list(revoked.changes) == ["revoked_at"]
    assert token.key_hash not in dumped() and key not in dumped()


def test_a_sign_in_records_nothing_and_costs_no_extra_query(django_assert_num_queries):
    from django.contrib.auth.models import update_last_login

    user = get_user_model().objects.create_user("clerk")
    before = AuditEvent.objects.count()

    with django_assert_num_queries(1):  # the UPDATE of last_login, nothing more
        update_last_login(None, user)

    assert AuditEvent.objects.count() == before


def test_events_recorded_in_bulk_carry_the_context_and_their_changes(admin_user):
    with audit.audit_context(source=AuditSource.IMPORT, actor=admin_user) as context:
        build = audit.event_builder()
        count = audit.record_many(
            build(
                action=AuditAction.CREATE,
                model_label="registry.dwelling",
                object_id=n,
                object_repr=f"{n}室",
                changes={"area": [None, "72.50"], "phone": [None, "138****8000"]},
                compound_id=7,
            )
            for n in range(2500)  # more than one batch
        )

    assert count == AuditEvent.objects.filter(model_label="registry.dwelling").count() == 2500
    event = AuditEvent.objects.get(object_id="2499")
    assert (event.source, event.actor_id, event.request_id) == (
        "import",
        admin_user.pk,
        context.request_id,
    )
    assert event.changes == {"area": [None, "72.50"], "phone": [None, "138****8000"]}
    assert (event.object_repr, event.compound_id) == ("2499室", 7)
    assert event.occurred_at is not None


# --- Append-only -----------------------------------------------------------------------------


@pytest.fixture
def event():
    return audit.record(action=AuditAction.CREATE, model_label="registry.zone", object_id="1")


def test_a_stored_event_cannot_be_saved_again(event):
    event.object_repr = "改过"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_events_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="改过")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["object_repr"])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == ""


def test_the_refusal_is_in_chinese_and_english(event):
    with pytest.raises(AppendOnlyError) as refused:
        event.delete()
    assert "只能追加" in str(refused.value) and "append-only" in str(refused.value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET object_repr = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
)
def test_on_postgresql_raw_sql_cannot_update_or_delete_events(event, sql):
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, object_repr="").exists()


# --- Contexts --------------------------------------------------------------------------------


def test_outside_any_context_changes_are_recorded_as_the_system():
    zone = f.ZoneFactory()

    (event,) = events_of(zone)
    assert event.source == AuditSource.SYSTEM and event.actor_id is None
    assert uuid.UUID(event.request_id)


def test_a_context_names_the_actor_source_path_and_request(admin_user):
    request_id = str(uuid.uuid4())
    with audit.audit_context(
        source=AuditSource.WEB,
        actor=admin_user,
        path="POST /x/",
        ip="10.0.0.7",
        request_id=request_id,
    ):
        zone = f.ZoneFactory()

    (event,) = events_of(zone)
    assert (event.actor_id, event.actor_username) == (admin_user.pk, admin_user.username)
    assert (event.source, event.path, event.ip, event.request_id) == (
        "web",
        "POST /x/",
        "10.0.0.7",
        request_id,
    )


def test_nested_contexts_restore_the_outer_one():
    with audit.audit_context(source=AuditSource.CLI, actor_username="cli:ops") as outer:
        with audit.nested_context(source=AuditSource.IMPORT):
            inner = audit.current_context()
        assert audit.current_context() is outer
    assert inner.source == "import" and inner.request_id == outer.request_id
    assert inner.actor_username == "cli:ops"
    assert audit.current_context().source == AuditSource.SYSTEM


def test_the_events_of_one_context_share_its_request_id():
    with audit.audit_context(source=AuditSource.API) as context:
        zone = f.ZoneFactory()
        zone.name = "改名"
        zone.save()

    assert {e.request_id for e in events_of(zone)} == {context.request_id}


# --- The middleware --------------------------------------------------------------------------


def run_middleware(path: str, **headers: str) -> tuple[HttpResponse, AuditEvent]:
    """Pass a request through the middleware to a view that records one event."""

    def view(request):
        audit.record(action=AuditAction.CREATE, model_label="registry.zone", object_id="1")
        return HttpResponse("ok")

    request = RequestFactory().post(path, headers=headers)
    request.user = get_user_model().objects.create_user(f"u{AuditEvent.objects.count()}")
    response = AuditContextMiddleware(view)(request)
    return response, AuditEvent.objects.latest("id")


@pytest.mark.parametrize(
    ("path", "source"),
    [("/api/v1/zones/", "api"), ("/admin/registry/zone/add/", "admin"), ("/registry/", "web")],
)
def test_the_middleware_names_the_source_by_path(path, source):
    _response, event = run_middleware(path)

    assert event.source == source
    assert event.path == f"POST {path}"


def test_the_middleware_records_the_requests_user_and_address():
    _response, event = run_middleware("/registry/")

    assert event.actor_username.startswith("u") and event.actor_id is not None
    assert event.ip == "127.0.0.1"


def test_a_valid_request_id_header_is_used_and_echoed():
    given = str(uuid.uuid4())

    response, event = run_middleware("/api/v1/zones/", **{REQUEST_ID_HEADER: given})

    assert event.request_id == given
    assert response[REQUEST_ID_HEADER] == given


def test_an_invalid_request_id_header_is_replaced_by_a_new_one():
    response, event = run_middleware("/api/v1/zones/", **{REQUEST_ID_HEADER: "not-a-uuid'; --"})

    assert uuid.UUID(event.request_id)
    assert response[REQUEST_ID_HEADER] == event.request_id != "not-a-uuid'; --"


# --- The CLI and Celery ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # a command closes the connections when it ends
def test_a_cli_command_records_its_changes_as_the_os_user_with_the_command_line():
    zone = f.ZoneFactory(name="旧名")

    linli_main(
        [
            "shell",
            "-c",
            f"from linli.registry.models import Zone; z = Zone.objects.get(pk={zone.pk}); z.name = '新名'; z.save()",
        ]
    )

    event = events_of(zone)[-1]
    assert event.changes == {"name": ["旧名", "新名"]}
    assert event.source == AuditSource.CLI
    assert event.actor_username == f"cli:{getpass.getuser()}"
    assert event.path.startswith("linli shell -c")


def test_an_eager_task_records_its_changes_as_whoever_queued_it(admin_user):
    zone = f.ZoneFactory()

    with audit.audit_context(source=AuditSource.WEB, actor=admin_user) as context:
        rename_zone.delay(zone.pk, "任务改名")

    event = events_of(zone)[-1]
    assert event.changes == {"name": [zone.name, "任务改名"]}
    assert event.source == AuditSource.TASK and event.path == "task linli.core.tests.rename_zone"
    assert (event.actor_id, event.request_id) == (admin_user.pk, context.request_id)


def test_a_worker_task_takes_the_actor_and_request_from_the_message_headers(admin_user):
    zone = f.ZoneFactory()
    headers: dict = {}
    with audit.audit_context(source=AuditSource.API, actor=admin_user) as context:
        add_audit_headers(headers=headers)

    # As a worker receives it: the headers, and no context of the publishing process.
    rename_zone.apply(args=[zone.pk, "队列改名"], headers=headers)

    event = events_of(zone)[-1]
    assert headers[AUDIT_HEADER]["request_id"] == context.request_id
    assert (event.source, event.actor_id, event.actor_username, event.request_id) == (
        AuditSource.TASK,
        admin_user.pk,
        admin_user.username,
        context.request_id,
    )
    assert audit.current_context().source == AuditSource.SYSTEM  # the task's context closed
