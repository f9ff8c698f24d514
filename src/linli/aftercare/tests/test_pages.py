"""The after-care pages: the asset list with its red overdue flag and filters, an asset's desk
with its forms (record a visit, change a schedule, add a contract), a new asset; each scoped
(404 outside, 403 when visible but not writable) with bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.aftercare import services
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
    user_with_role,
)
from linli.elevators.services.cases import create_case
from linli.elevators.services.workflow import (
    confirm_agreement,
    hand_over,
    start_votes,
    start_works,
)
from linli.elevators.tests.factories import (
    NOW,
    SubsidyRuleFactory,
    pass_votes,
    shared_stairwells,
)

pytestmark = pytest.mark.django_db

LIST = reverse("aftercare:asset_list")


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
def desk(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture
def late_elevator(compound):
    """Maintenance due three days ago: overdue by 3 days."""
    return elevator_of(compound, maintenance_due=days(-3))


def detail(asset):
    return reverse("aftercare:asset_detail", args=[asset.pk])


def row_of(response, asset):
    html = response.content.decode()
    start = html.index(f'data-asset="{asset.pk}"')
    return html[start : html.index("</tr>", start)]


# --- list -----------------------------------------------------------------------------------


def test_the_list_flags_an_overdue_asset_in_red_with_its_days(desk, late_elevator):
    row = row_of(desk.get(LIST), late_elevator)
    assert "is-overdue" in row
    assert '<span class="overdue">逾期 3 天</span>' in row


def test_the_list_shows_an_asset_due_today_as_on_time(desk, compound):
    asset = elevator_of(compound, maintenance_due=days(0))
    row = row_of(desk.get(LIST), asset)
    assert "overdue" not in row
    assert "正常" in row


def test_the_list_shows_location_responsible_unit_and_next_due_dates(desk, compound):
    asset = elevator_of(compound, maintenance_due=days(4), inspection_due=days(100))
    row = row_of(desk.get(LIST), asset)
    for text in ("1号楼1单元", "洛阳某物业服务有限公司", str(days(4)), str(days(100))):
        assert text in row


def test_overdue_only_leaves_out_assets_on_time(desk, compound, late_elevator):
    on_time = fire_equipment_of(compound)
    response = desk.get(LIST, {"overdue": "on"})
    assert [r.asset for r in response.context["rows"]] == [late_elevator]
    assert on_time not in response.context["assets"]


def test_the_list_filters_by_kind(desk, compound, late_elevator):
    fire = fire_equipment_of(compound)
    response = desk.get(LIST, {"kind": AssetKind.FIRE})
    assert [r.asset for r in response.context["rows"]] == [fire]


def test_the_list_filters_by_compound(client, compound, late_elevator):
    other = compound_of(place())
    elsewhere = fire_equipment_of(other)
    client.force_login(
        user_with_role(Role.DISTRICT_OFFICE, district=compound.community.subdistrict.district)
    )
    response = client.get(LIST, {"compound": other.pk})
    assert [r.asset for r in response.context["rows"]] == [elsewhere]


def test_a_colleague_elsewhere_sees_no_assets_here(client, late_elevator):
    client.force_login(community_worker(compound_of(place())))
    assert client.get(LIST).context["rows"] == []


def test_the_list_needs_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_takes_a_bounded_number_of_queries(desk, compound, django_assert_max_num_queries):
    for n in range(3):
        elevator_of(compound, name=f"电梯{n}")
    with django_assert_max_num_queries(12):
        first = desk.get(LIST)
    for n in range(3, 12):
        elevator_of(compound, name=f"电梯{n}")
        fire_equipment_of(compound)
    with django_assert_max_num_queries(12):
        second = desk.get(LIST)
    assert len(first.context["rows"]) == 3
    assert len(second.context["rows"]) == 21


# --- an asset -------------------------------------------------------------------------------


def test_the_desk_shows_schedules_contracts_and_records(desk, worker, late_elevator):
    services.add_contract(
        by=worker,
        asset=late_elevator,
        contractor="洛阳某电梯工程有限公司",
        starts_on=days(-30),
        ends_on=days(300),
    )
    schedule = Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.INSPECTION)
    services.record_visit(
        by=worker, schedule=schedule, done_on=days(-1), performed_by="市特检院", today=days(0)
    )
    html = desk.get(detail(late_elevator)).content.decode()
    assert "逾期 3 天" in html
    assert "洛阳某电梯工程有限公司" in html
    assert "市特检院" in html
    for form in ("record-form", "schedule-form", "contract-form"):
        assert f'id="{form}"' in html


def test_recording_a_visit_on_the_desk_moves_the_next_due_date(desk, late_elevator):
    schedule = Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.MAINTENANCE)
    response = desk.post(
        reverse("aftercare:asset_record", args=[late_elevator.pk]),
        {
            "schedule": schedule.pk,
            "done_on": days(0),
            "performed_by": "维保员王师傅",
            "result": "passed",
        },
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.next_due_on == days(15)


def test_a_visit_in_the_future_is_refused_on_the_desk(desk, late_elevator):
    schedule = Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.MAINTENANCE)
    response = desk.post(
        reverse("aftercare:asset_record", args=[late_elevator.pk]),
        {"schedule": schedule.pk, "done_on": days(1), "performed_by": "维保员", "result": "passed"},
    )
    assert response.status_code == 200
    assert "完成日期不能晚于今天" in response.content.decode()
    assert not schedule.records.exists()


def test_a_sixteen_day_elevator_maintenance_is_refused_on_the_desk(desk, late_elevator):
    response = desk.post(
        reverse("aftercare:asset_schedule", args=[late_elevator.pk]),
        {"kind": ScheduleKind.MAINTENANCE, "interval_days": 16, "first_due_on": days(1)},
    )
    assert "周期不得超过15天" in response.content.decode()
    assert (
        Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.MAINTENANCE).interval_days == 15
    )


def test_a_contract_is_added_on_the_desk(desk, late_elevator):
    response = desk.post(
        reverse("aftercare:asset_contract", args=[late_elevator.pk]),
        {"contractor": "洛阳某电梯工程有限公司", "starts_on": days(0), "ends_on": days(364)},
    )
    assert response.status_code == 302
    assert late_elevator.contracts.get().contractor == "洛阳某电梯工程有限公司"


def test_the_property_company_records_visits_on_the_desk(client, compound, late_elevator):
    client.force_login(property_company_of(compound))
    html = client.get(detail(late_elevator)).content.decode()
    assert 'id="record-form"' in html
    assert 'id="schedule-form"' not in html
    schedule = Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.MAINTENANCE)
    response = client.post(
        reverse("aftercare:asset_record", args=[late_elevator.pk]),
        {"schedule": schedule.pk, "done_on": days(0), "performed_by": "维保员", "result": "passed"},
    )
    assert response.status_code == 302
    assert schedule.records.count() == 1


def test_the_property_company_may_not_change_a_schedule(client, compound, late_elevator):
    client.force_login(property_company_of(compound))
    response = client.post(
        reverse("aftercare:asset_schedule", args=[late_elevator.pk]),
        {"kind": ScheduleKind.MAINTENANCE, "interval_days": 10, "first_due_on": days(1)},
    )
    assert response.status_code == 403


def test_a_resident_sees_the_desk_without_forms(client, dwelling, late_elevator):
    client.force_login(resident_of(dwelling))
    html = client.get(detail(late_elevator)).content.decode()
    assert "逾期 3 天" in html
    assert '<form method="post" action' not in html


def test_a_resident_may_not_record_a_visit(client, dwelling, late_elevator):
    client.force_login(resident_of(dwelling))
    schedule = Schedule.objects.get(asset=late_elevator, kind=ScheduleKind.MAINTENANCE)
    response = client.post(
        reverse("aftercare:asset_record", args=[late_elevator.pk]),
        {"schedule": schedule.pk, "done_on": days(0), "performed_by": "我", "result": "passed"},
    )
    assert response.status_code == 403
    assert not schedule.records.exists()


def test_a_colleague_elsewhere_gets_404_for_the_desk(client, late_elevator):
    client.force_login(community_worker(compound_of(place())))
    assert client.get(detail(late_elevator)).status_code == 404


def test_a_standalone_asset_has_no_link_to_an_elevator_case(desk, compound):
    html = desk.get(detail(fire_equipment_of(compound))).content.decode()
    assert "/elevators/" not in html.split("<main", 1)[1]


def _handed_over_elevator():
    """An elevator handed over by a retrofit case (elevators → aftercare, as in production)."""
    [stairwell] = shared_stairwells(1, storeys=2)
    worker = community_worker(stairwell.building.compound)
    case = create_case(
        by=worker,
        title="1号楼加装电梯",
        stairwells=[stairwell],
        costs={"equipment": "300000.00"},
        subsidy_rule=SubsidyRuleFactory(),
        coefficients="half_step",
    )
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + datetime.timedelta(days=7), now=NOW)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)
    start_works(case, by=worker)
    hand_over(
        case,
        by=worker,
        accepted_on=days(-20),
        responsible_unit="洛阳某物业服务有限公司",
        contractor="洛阳某电梯工程有限公司",
        contract_starts_on=days(-20),
        contract_ends_on=days(345),
        today=days(0),
    )
    case.refresh_from_db()
    return case, worker, stairwell


def test_a_handed_over_elevator_links_back_to_its_case_for_staff(client):
    case, worker, _ = _handed_over_elevator()
    client.force_login(worker)
    html = client.get(detail(case.asset)).content.decode()
    assert f'href="/elevators/{case.pk}/"' in html
    assert "逾期 5 天" in html


def test_a_resident_sees_the_handed_over_elevator_without_the_staff_link(client):
    case, _, stairwell = _handed_over_elevator()
    client.force_login(resident_of(stairwell.dwellings.first()))
    response = client.get(detail(case.asset))
    assert response.status_code == 200
    assert "/elevators/" not in response.content.decode().split("<main", 1)[1]


# --- a new asset ----------------------------------------------------------------------------


def test_the_community_worker_registers_fire_equipment(desk, compound):
    response = desk.post(
        reverse("aftercare:asset_create"),
        {
            "compound": compound.pk,
            "kind": AssetKind.FIRE,
            "name": "3号楼消防栓",
            "responsible_unit": "业主委员会",
        },
    )
    asset = Asset.objects.get(name="3号楼消防栓")
    assert response["Location"] == detail(asset)
    assert asset.responsible_unit == "业主委员会"


def test_an_elevator_cannot_be_registered_on_the_page(desk, compound):
    response = desk.post(
        reverse("aftercare:asset_create"),
        {
            "compound": compound.pk,
            "kind": AssetKind.ELEVATOR,
            "name": "电梯",
            "responsible_unit": "物业",
        },
    )
    assert response.status_code == 200
    assert not Asset.objects.exists()


def test_the_property_company_may_not_register_assets(client, compound):
    client.force_login(property_company_of(compound))
    assert client.get(reverse("aftercare:asset_create")).status_code == 403


def test_the_compound_page_links_to_its_maintenance_schedules(desk, compound):
    page = desk.get(reverse("registry:compound_detail", args=[compound.pk])).content.decode()
    assert f'{LIST}?compound={compound.pk}"' in page
