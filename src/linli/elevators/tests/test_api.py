"""The elevator case API: opening a case (the issue's example), the allocation adding up,
bad input refused naming the field, PATCH, the detail, scoping (outsiders, residents, property
companies) and bounded list queries. The workflow, records and subsidy rules are in
``test_api_workflow.py``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.elevators.models import CaseStatus, ElevatorCase
from linli.elevators.tests.factories import (
    SubsidyRuleFactory,
    community_worker,
    resident_of,
    shared_stairwells,
    user_with_role,
)
from linli.registry.models import OrganisationKind
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

CASES = "/api/v1/elevator-cases/"
COSTS = {"equipment": "300000.00", "civil_works": "50000.00", "design": "20000.00"}


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def stairwell():
    [stairwell] = shared_stairwells(1)
    return stairwell


@pytest.fixture
def compound(stairwell):
    return stairwell.building.compound


@pytest.fixture
def worker(compound):
    return community_worker(compound)


@pytest.fixture
def rule():
    return SubsidyRuleFactory()


def body(stairwells, rule, **extra):
    return {
        "title": "1号楼加装电梯",
        "stairwells": [s.pk for s in stairwells],
        "costs": COSTS,
        "subsidy_rule": rule.pk,
        "coefficients": "half_step",
        **extra,
    }


def open_case(worker, stairwells, rule, **extra):
    response = api_as(worker).post(CASES, body(stairwells, rule, **extra), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def shares_by_floor(allocation):
    return {s["floor"]: s["construction_share"] for s in allocation["shares"]}


# --- opening a case and its allocation -----------------------------------------------------------


def test_the_issue_example_gives_ten_and_thirty_five_thousand(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    response = api_as(worker).get(f"{CASES}{case['id']}/allocation/")
    assert response.status_code == 200
    data = response.json()
    assert (data["total_cost"], data["subsidy"]) == ("370000.00", "100000.00")
    assert data["residents_total"] == "270000.00"
    assert shares_by_floor(data)[1] == "10000.00"
    assert shares_by_floor(data)[6] == "35000.00"


def test_construction_shares_add_up_to_the_residents_total(rule):
    stairwells = shared_stairwells(2, area="61.37")
    ground = stairwells[1].dwellings.get(floor=1, number="101")
    extra = {
        "area_weighted": True,
        "coefficients": {"1": "0", "2": "0.3", "3": "1", "4": "1.7", "5": "2.1", "6": "2.9"},
        "compensation": [{"dwelling": ground.pk, "amount": "3333.33"}],
        "costs": {"equipment": "312345.67", "pipeline": "12345.01"},
    }
    worker = community_worker(stairwells[0].building.compound)
    case = open_case(worker, stairwells, rule, **extra)
    data = api_as(worker).get(f"{CASES}{case['id']}/allocation/").json()
    total = sum(Decimal(s["construction_share"]) for s in data["shares"])
    assert len(data["shares"]) == 24
    assert total == Decimal(data["residents_total"])


def test_the_case_pools_every_dwelling_with_its_label(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    labels = [row["label"] for row in case["pool"]]
    building = stairwell.building.number
    assert len(labels) == 12
    assert labels[0] == f"{building}栋{stairwell.number}单元101"


def test_the_detail_shows_each_stairwell_without_a_vote_yet(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    assert case["votes"] == [
        {"stairwell": stairwell.pk, "vote": None, "status": None, "passed": False}
    ]
    assert case["costs"]["equipment"] == "300000.00"
    assert case["coefficients"] == "half_step"


# --- bad input -------------------------------------------------------------------------------


def refused(worker, stairwells, rule, **extra):
    response = api_as(worker).post(CASES, body(stairwells, rule, **extra), format="json")
    assert response.status_code == 400
    return response.json()


def test_a_negative_cost_is_refused_naming_the_costs(worker, stairwell, rule):
    error = refused(worker, [stairwell], rule, costs={"equipment": "-1.00"})
    assert (error["field"], error["code"]) == ("costs", "negative_amount")
    assert error["zh"] and error["en"]


def test_an_unknown_cost_part_is_refused_naming_the_costs(worker, stairwell, rule):
    error = refused(worker, [stairwell], rule, costs={"lift": "1.00"})
    assert error["field"] == "costs"
    assert "lift" in error["en"]


def test_a_table_missing_a_floor_is_refused_naming_the_coefficients(worker, stairwell, rule):
    table = {"1": "0", "2": "1", "3": "1", "4": "1", "5": "1"}
    error = refused(worker, [stairwell], rule, coefficients=table)
    assert (error["field"], error["code"]) == ("coefficients", "unknown_floor")


def test_all_zero_coefficients_are_refused_and_no_case_is_written(worker, stairwell, rule):
    table = {str(floor): "0" for floor in range(1, 7)}
    error = refused(worker, [stairwell], rule, coefficients=table)
    assert (error["field"], error["code"]) == ("coefficients", "zero_weights")
    assert not ElevatorCase.objects.exists()


def test_a_missing_title_is_a_field_error(worker, stairwell, rule):
    payload = body([stairwell], rule)
    del payload["title"]
    response = api_as(worker).post(CASES, payload, format="json")
    assert response.status_code == 400
    assert "title" in response.json()


# --- PATCH -----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    url = f"{CASES}{case['id']}/"
    response = api_as(worker).patch(url, {"costs": {"other": "30000.00"}}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["total_cost"] == "400000.00"
    assert (data["costs"]["equipment"], data["coefficients"]) == ("300000.00", "half_step")


def test_patch_sets_a_half_landing_cost_floor(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    top = stairwell.dwellings.get(floor=6, number="601")
    url = f"{CASES}{case['id']}/"
    response = api_as(worker).patch(url, {"cost_floors": {str(top.pk): 5}}, format="json")
    rows = {row["dwelling"]: row for row in response.json()["pool"]}
    assert rows[top.pk]["cost_floor"] == 5


def test_patch_after_the_votes_started_is_a_conflict(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    ElevatorCase.objects.filter(pk=case["id"]).update(status=CaseStatus.VOTING)
    url = f"{CASES}{case['id']}/"
    response = api_as(worker).patch(url, {"coefficients": "equal"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "status"


# --- who may do what --------------------------------------------------------------------------


def test_an_outsider_worker_may_not_open_a_case(stairwell, rule):
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    response = api_as(outsider).post(CASES, body([stairwell], rule), format="json")
    assert response.status_code == 403


def test_a_resident_may_not_open_a_case(stairwell, rule):
    resident = resident_of(stairwell.dwellings.first())
    response = api_as(resident).post(CASES, body([stairwell], rule), format="json")
    assert response.status_code == 403


def test_a_colleague_in_the_same_community_may_change_the_plan(worker, compound, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    colleague = community_worker(compound)
    url = f"{CASES}{case['id']}/"
    response = api_as(colleague).patch(url, {"title": "改名"}, format="json")
    assert response.status_code == 200


def test_an_outsider_worker_does_not_see_the_case(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    response = api_as(outsider).get(f"{CASES}{case['id']}/")
    assert response.status_code == 404


def test_a_resident_sees_only_their_own_share_with_the_totals(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    top = stairwell.dwellings.get(floor=6, number="601")
    data = api_as(resident_of(top)).get(f"{CASES}{case['id']}/allocation/").json()
    assert data["residents_total"] == "270000.00"
    assert [(s["dwelling"], s["construction_share"]) for s in data["shares"]] == [
        (top.pk, "35000.00")
    ]


def test_a_resident_sees_only_their_own_pool_row(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    mine = stairwell.dwellings.get(floor=2, number="201")
    data = api_as(resident_of(mine)).get(f"{CASES}{case['id']}/").json()
    assert [row["dwelling"] for row in data["pool"]] == [mine.pk]


def test_a_resident_may_not_change_the_plan(worker, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    resident = resident_of(stairwell.dwellings.first())
    url = f"{CASES}{case['id']}/"
    response = api_as(resident).patch(url, {"title": "改名"}, format="json")
    assert response.status_code == 403


def test_a_property_company_sees_no_cases(worker, compound, stairwell, rule):
    case = open_case(worker, [stairwell], rule)
    company = rf.OrganisationFactory(kind=OrganisationKind.PROPERTY)
    compound.property_company = company
    compound.save()
    manager = api_as(user_with_role(Role.PROPERTY_COMPANY, organisation=company))
    assert manager.get(CASES).json()["count"] == 0
    assert manager.get(f"{CASES}{case['id']}/").status_code == 404


# --- lists ---------------------------------------------------------------------------------------


def test_the_list_filters_by_compound_and_status(worker, stairwell, rule):
    mine = open_case(worker, [stairwell], rule)
    other = shared_stairwells(1)[0]
    district = other.building.compound.community.subdistrict.district
    office = user_with_role(Role.DISTRICT_OFFICE, district=district)
    open_case(office, [other], rule)
    response = api_as(office).get(CASES, {"compound": stairwell.building.compound_id})
    assert [c["id"] for c in response.json()["results"]] == [mine["id"]]
    response = api_as(office).get(CASES, {"status": "voting"})
    assert response.json()["count"] == 0


def test_the_list_runs_a_bounded_number_of_queries(
    worker, compound, rule, django_assert_max_num_queries
):
    for _ in range(4):
        stairwell = rf.StairwellFactory(building=rf.BuildingFactory(compound=compound, storeys=6))
        for floor in range(1, 7):
            rf.DwellingFactory(stairwell=stairwell, floor=floor, number=f"{floor}01")
        open_case(worker, [stairwell], rule)
    client = api_as(worker)
    with django_assert_max_num_queries(6):
        response = client.get(CASES)
    assert response.json()["count"] == 4
    assert all(len(c["stairwells"]) == 1 for c in response.json()["results"])
