"""A case from draft to handover through the services: the plan, the votes per stairwell,
the agreement, acceptance and the elevator on the compound's maintenance schedule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from linli.aftercare.models import AssetKind, Schedule, ScheduleKind
from linli.consultation import models as cm
from linli.core.errors import Invalid
from linli.elevators.models import CaseStatus, ElevatorCase
from linli.elevators.selectors import allocation_of, bill_lines, stairwell_votes
from linli.elevators.services.cases import create_case, update_plan
from linli.elevators.services.workflow import (
    confirm_agreement,
    hand_over,
    return_to_draft,
    start_votes,
    start_works,
)
from linli.elevators.tests.factories import (
    NOW,
    SubsidyRuleFactory,
    community_worker,
    pass_votes,
    resident_of,
    shared_stairwells,
)

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)
COSTS = {"equipment": "300000.00", "civil_works": "50000.00", "design": "20000.00"}


def _case(stairwells, worker, **kw):  # type: ignore[no-untyped-def]
    return create_case(
        by=worker,
        title="1号楼加装电梯",
        stairwells=stairwells,
        costs=kw.pop("costs", COSTS),
        subsidy_rule=kw.pop("subsidy_rule", SubsidyRuleFactory()),
        coefficients=kw.pop("coefficients", "half_step"),
        **kw,
    )


def test_a_case_over_two_stairwells_pools_all_their_dwellings():
    stairwells = shared_stairwells(2)
    case = _case(stairwells, community_worker(stairwells[0].building.compound))
    assert case.pool.count() == 24
    assert case.total_cost == Decimal("370000.00")
    assert case.subsidy == Decimal("100000.00")
    assert case.residents_total == Decimal("270000.00")


def test_the_issue_example_gives_ten_and_thirty_five_thousand_in_one_stairwell():
    [stairwell] = shared_stairwells(1)
    case = _case([stairwell], community_worker(stairwell.building.compound))
    shares = {s.floor: s.construction_share for s in allocation_of(case).shares}
    assert shares[1] == Decimal("10000.00")
    assert shares[6] == Decimal("35000.00")


def test_a_stairwell_in_an_open_case_cannot_join_another():
    stairwells = shared_stairwells(2)
    worker = community_worker(stairwells[0].building.compound)
    _case(stairwells, worker)
    with pytest.raises(Invalid) as caught:
        _case([stairwells[1]], worker)
    assert caught.value.code == "stairwells"


def test_an_outsider_cannot_open_a_case():
    stairwells = shared_stairwells(1)
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    with pytest.raises(PermissionDenied):
        _case(stairwells, outsider)


def test_a_plan_that_cannot_be_shared_is_refused_and_nothing_is_written():
    [stairwell] = shared_stairwells(1)
    worker = community_worker(stairwell.building.compound)
    with pytest.raises(Invalid):
        _case([stairwell], worker, coefficients={"1": "0", "2": "0"})
    assert not ElevatorCase.objects.exists()


def test_half_landing_cost_floors_change_the_coefficients():
    [stairwell] = shared_stairwells(1)
    case = _case([stairwell], community_worker(stairwell.building.compound))
    top = case.pool.get(dwelling__floor=6, dwelling__number="601")
    update_plan(case, by=None, cost_floors={top.dwelling_id: 5})
    share = allocation_of(case).share_of(top.dwelling_id)
    assert share.floor == 5
    assert share.coefficient == Decimal("3.0")


def test_the_plan_freezes_once_votes_start():
    [stairwell] = shared_stairwells(1)
    worker = community_worker(stairwell.building.compound)
    case = _case([stairwell], worker)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, coefficients="equal")
    assert caught.value.code == "status"


def test_each_stairwell_votes_on_its_own_with_the_affected_owners_marked():
    stairwells = shared_stairwells(2)
    worker = community_worker(stairwells[0].building.compound)
    case = _case(stairwells, worker)
    ground = case.pool.filter(dwelling__stairwell=stairwells[1], cost_floor=1).first()
    update_plan(case, by=worker, affected=[ground.dwelling_id])
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    votes = stairwell_votes(case)
    assert [v.stairwell for v in votes] == stairwells
    assert all(v.vote.profile.code == "elevator-affected-consent" for v in votes)
    assert list(votes[1].vote.affected_dwellings.all()) == [ground.dwelling]
    assert votes[0].vote.affected_dwellings.count() == 0


def test_the_agreement_waits_for_every_stairwell():
    stairwells = shared_stairwells(2)
    worker = community_worker(stairwells[0].building.compound)
    case = _case(stairwells, worker)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    with pytest.raises(Invalid) as caught:
        confirm_agreement(case, by=worker)
    assert "单元" in caught.value.zh


def test_a_failed_vote_sends_the_case_back_to_the_plan():
    [stairwell] = shared_stairwells(1)
    worker = community_worker(stairwell.building.compound)
    case = _case([stairwell], worker)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker, choice=cm.Choice.NO)
    return_to_draft(case, by=worker)
    assert case.status == CaseStatus.DRAFT


def test_after_acceptance_the_elevator_is_on_the_compounds_maintenance_schedule():
    stairwells = shared_stairwells(2)
    compound = stairwells[0].building.compound
    worker = community_worker(compound)
    case = _case(stairwells, worker)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)
    start_works(case, by=worker)
    accepted = datetime.date(2026, 9, 1)
    hand_over(
        case,
        by=worker,
        accepted_on=accepted,
        responsible_unit="洛阳某物业服务有限公司",
        contractor="洛阳某电梯工程有限公司",
        contract_starts_on=accepted,
        contract_ends_on=datetime.date(2027, 8, 31),
        today=datetime.date(2026, 9, 2),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.asset.kind == AssetKind.ELEVATOR
    assert case.asset.compound == compound
    schedules = {s.kind: s for s in Schedule.objects.filter(asset=case.asset)}
    assert schedules[ScheduleKind.MAINTENANCE].next_due_on == accepted + datetime.timedelta(days=15)
    assert schedules[ScheduleKind.INSPECTION].interval_days == 365
    assert schedules[ScheduleKind.MAINTENANCE].is_overdue(datetime.date(2026, 9, 17))
    assert stairwells[0].building.__class__.objects.get(pk=stairwells[0].building_id).has_elevator


def test_a_residents_bill_shows_the_provident_fund_limit_of_their_own_share():
    [stairwell] = shared_stairwells(1)
    worker = community_worker(stairwell.building.compound)
    case = _case([stairwell], worker, provident_fund_cap=Decimal("20000.00"))
    lines = {line.row.cost_floor: line for line in bill_lines(case)}
    assert lines[1].provident_fund_limit == Decimal("10000.00")
    assert lines[6].provident_fund_limit == Decimal("20000.00")


def test_a_resident_sees_only_their_own_row_of_the_case():
    from linli.core.scoping import scoped
    from linli.elevators.models import CaseDwelling

    [stairwell] = shared_stairwells(1)
    case = _case([stairwell], community_worker(stairwell.building.compound))
    dwelling = case.pool.first().dwelling
    resident = resident_of(dwelling)
    assert list(scoped(ElevatorCase, resident)) == [case]
    assert [r.dwelling for r in scoped(CaseDwelling, resident)] == [dwelling]
