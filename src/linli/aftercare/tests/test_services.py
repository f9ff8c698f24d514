"""The after-care services: statutory intervals, visits moving the next due date, the overdue
flag on the day after the due date, and who may register, schedule and record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from linli.aftercare import services
from linli.aftercare.models import AssetKind, Schedule, ScheduleKind
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
from linli.core.errors import Invalid
from linli.core.scoping import scoped

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def dwelling():
    return place()


@pytest.fixture
def compound(dwelling):
    return compound_of(dwelling)


@pytest.fixture
def elevator(compound):
    return elevator_of(compound)


def schedule_of(asset, kind=ScheduleKind.MAINTENANCE):
    return Schedule.objects.get(asset=asset, kind=kind)


def visit(schedule, done_on, *, by=None, today=None):
    return services.record_visit(
        by=by,
        schedule=schedule,
        done_on=done_on,
        performed_by="洛阳某电梯工程有限公司",
        today=today or done_on,
    )


# --- statutory limits ---------------------------------------------------------------------


def test_an_elevator_maintained_every_sixteen_days_is_refused(elevator):
    with pytest.raises(Invalid) as caught:
        services.set_schedule(
            by=None,
            asset=elevator,
            kind=ScheduleKind.MAINTENANCE,
            interval_days=16,
            first_due_on=days(1),
        )
    assert caught.value.code == "interval_days"
    assert schedule_of(elevator).interval_days == 15


def test_an_elevator_maintained_every_fifteen_days_is_accepted(compound):
    asset = services.register_asset(
        by=None, compound=compound, kind=AssetKind.ELEVATOR, name="电梯", responsible_unit="物业"
    )
    schedule = services.set_schedule(
        by=None,
        asset=asset,
        kind=ScheduleKind.MAINTENANCE,
        interval_days=15,
        first_due_on=days(15),
    )
    assert schedule.interval_days == 15


def test_an_elevator_inspected_less_often_than_yearly_is_refused(elevator):
    with pytest.raises(Invalid):
        services.set_schedule(
            by=None,
            asset=elevator,
            kind=ScheduleKind.INSPECTION,
            interval_days=366,
            first_due_on=days(1),
        )


def test_an_elevator_inspected_yearly_is_accepted(elevator):
    schedule = services.set_schedule(
        by=None,
        asset=elevator,
        kind=ScheduleKind.INSPECTION,
        interval_days=365,
        first_due_on=days(30),
    )
    assert schedule.next_due_on == days(30)


def test_other_assets_have_no_statutory_limit(compound):
    asset = fire_equipment_of(compound)
    schedule = services.set_schedule(
        by=None,
        asset=asset,
        kind=ScheduleKind.INSPECTION,
        interval_days=730,
        first_due_on=days(30),
    )
    assert schedule.interval_days == 730


def test_an_asset_needs_its_responsible_unit(compound):
    with pytest.raises(Invalid) as caught:
        services.register_asset(
            by=None, compound=compound, kind=AssetKind.GATE, name="东门道闸", responsible_unit=" "
        )
    assert caught.value.code == "responsible_unit"


def test_a_contract_cannot_end_before_it_starts(elevator):
    with pytest.raises(Invalid) as caught:
        services.add_contract(
            by=None,
            asset=elevator,
            contractor="洛阳某电梯工程有限公司",
            starts_on=days(0),
            ends_on=days(-1),
        )
    assert caught.value.code == "ends_on"


# --- visits -------------------------------------------------------------------------------


def test_recording_a_visit_moves_the_next_due_date(elevator):
    schedule = schedule_of(elevator)
    visit(schedule, days(-2))
    schedule.refresh_from_db()
    assert schedule.last_done_on == days(-2)
    assert schedule.next_due_on == days(13)


def test_an_older_visit_recorded_late_does_not_move_the_due_date_back(elevator):
    schedule = schedule_of(elevator)
    visit(schedule, days(-2))
    visit(schedule, days(-9), today=days(0))
    schedule.refresh_from_db()
    assert schedule.last_done_on == days(-2)
    assert schedule.next_due_on == days(13)
    assert schedule.records.count() == 2


def test_a_visit_in_the_future_is_refused(elevator):
    schedule = schedule_of(elevator)
    with pytest.raises(Invalid) as caught:
        visit(schedule, days(1), today=days(0))
    assert caught.value.code == "done_on"
    assert not schedule.records.exists()


def test_a_new_interval_counts_from_the_last_visit(compound):
    asset = fire_equipment_of(compound)
    schedule = schedule_of(asset)
    visit(schedule, days(-5))
    services.set_schedule(
        by=None, asset=asset, kind=ScheduleKind.MAINTENANCE, interval_days=7, first_due_on=days(99)
    )
    schedule.refresh_from_db()
    assert schedule.next_due_on == days(2)


# --- overdue ------------------------------------------------------------------------------


def test_a_schedule_is_not_overdue_on_its_due_date(compound):
    schedule = schedule_of(elevator_of(compound, maintenance_due=days(0)))
    today = days(0)
    assert not schedule.is_overdue(today)
    assert schedule.days_overdue(today) == 0
    assert not Schedule.objects.overdue(today).exists()


def test_a_schedule_is_overdue_the_day_after_its_due_date(compound):
    schedule = schedule_of(elevator_of(compound, maintenance_due=days(0)))
    tomorrow = days(1)
    assert schedule.is_overdue(tomorrow)
    assert schedule.days_overdue(tomorrow) == 1
    assert list(Schedule.objects.overdue(tomorrow)) == [schedule]


def test_a_visit_clears_the_overdue_flag(compound):
    schedule = schedule_of(elevator_of(compound, maintenance_due=days(-3)))
    visit(schedule, days(0))
    schedule.refresh_from_db()
    assert not schedule.is_overdue(days(0))


# --- who may do what ----------------------------------------------------------------------


def test_the_community_worker_registers_assets_of_their_compound(compound):
    asset = services.register_asset(
        by=community_worker(compound),
        compound=compound,
        kind=AssetKind.FIRE,
        name="灭火器",
        responsible_unit="业主委员会",
    )
    assert asset.compound == compound


def test_a_colleague_elsewhere_cannot_register_assets_here(compound):
    colleague = community_worker(compound_of(place()))
    with pytest.raises(PermissionDenied):
        services.register_asset(
            by=colleague,
            compound=compound,
            kind=AssetKind.FIRE,
            name="灭火器",
            responsible_unit="业主委员会",
        )


def test_a_colleague_elsewhere_does_not_see_the_assets(elevator):
    colleague = community_worker(compound_of(place()))
    assert not scoped(type(elevator), colleague).exists()
    assert not scoped(Schedule, colleague).exists()


def test_the_property_company_sees_the_assets_of_its_compound(compound, elevator):
    company = property_company_of(compound)
    assert list(scoped(type(elevator), company)) == [elevator]


def test_the_property_company_records_visits(compound, elevator):
    company = property_company_of(compound)
    record = visit(schedule_of(elevator), days(0), by=company)
    assert record.recorded_by == company


def test_the_property_company_cannot_register_assets(compound):
    company = property_company_of(compound)
    with pytest.raises(PermissionDenied):
        services.register_asset(
            by=company, compound=compound, kind=AssetKind.GATE, name="道闸", responsible_unit="物业"
        )


def test_the_property_company_cannot_change_schedules(compound, elevator):
    company = property_company_of(compound)
    with pytest.raises(PermissionDenied):
        services.set_schedule(
            by=company,
            asset=elevator,
            kind=ScheduleKind.MAINTENANCE,
            interval_days=10,
            first_due_on=days(1),
        )


def test_a_resident_of_the_compound_sees_the_assets(dwelling, elevator):
    resident = resident_of(dwelling)
    assert list(scoped(type(elevator), resident)) == [elevator]
    assert scoped(Schedule, resident).count() == 2


def test_a_resident_cannot_record_a_visit(dwelling, elevator):
    with pytest.raises(PermissionDenied):
        visit(schedule_of(elevator), days(0), by=resident_of(dwelling))


def test_a_resident_of_another_compound_does_not_see_the_assets(elevator):
    assert not scoped(type(elevator), resident_of(place())).exists()
