"""The plan and record services one rule at a time: exemptions, compensation, cost floors,
subsidy rules, what may change when, documents and running costs, and the audit trail."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from linli.core.errors import Invalid
from linli.core.models import AuditEvent
from linli.elevators.models import (
    CaseDwelling,
    CaseStatus,
    DocumentKind,
    ElevatorCase,
    SubsidyKind,
)
from linli.elevators.selectors import allocation_of, running_statement
from linli.elevators.services.cases import create_case, update_plan
from linli.elevators.services.records import add_document, set_running_costs
from linli.elevators.services.workflow import (
    cancel_case,
    confirm_agreement,
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


@pytest.fixture
def place():  # type: ignore[no-untyped-def]
    [stairwell] = shared_stairwells(1)
    worker = community_worker(stairwell.building.compound)
    case = create_case(
        by=worker,
        title="2单元加装电梯",
        stairwells=[stairwell],
        costs={"equipment": "300000.00", "civil_works": "70000.00"},
        subsidy_rule=SubsidyRuleFactory(),
        coefficients="half_step",
    )
    rows = {(r.cost_floor, r.dwelling.number): r for r in case.pool.select_related("dwelling")}
    return case, worker, rows


def _agreed(case, worker):  # type: ignore[no-untyped-def]
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)


def test_an_exempt_dwelling_pays_nothing_and_the_others_cover_its_share(place):
    case, worker, rows = place
    ground = rows[(1, "101")]
    update_plan(
        case,
        by=worker,
        exempt=[ground.dwelling_id],
        exempt_reasons={ground.dwelling_id: "放弃使用"},
    )
    result = allocation_of(case)
    assert result.share_of(ground.dwelling_id).construction_share == Decimal("0.00")
    assert sum(s.construction_share for s in result.shares) == Decimal("270000.00")
    ground.refresh_from_db()
    assert ground.exempt_reason == "放弃使用"


def test_leaving_a_dwelling_out_of_the_exempt_list_clears_its_reason(place):
    case, worker, rows = place
    ground = rows[(1, "101")]
    update_plan(
        case, by=worker, exempt=[ground.dwelling_id], exempt_reasons={ground.dwelling_id: "x"}
    )
    update_plan(case, by=worker, exempt=[])
    ground.refresh_from_db()
    assert (ground.exempt, ground.exempt_reason) == (False, "")


def test_compensation_to_the_ground_floor_is_paid_by_the_others(place):
    case, worker, rows = place
    ground = rows[(1, "101")].dwelling_id
    update_plan(case, by=worker, compensation=[(ground, "6000.00")])
    result = allocation_of(case)
    assert result.share_of(ground).compensation_received == Decimal("6000.00")
    assert sum(s.compensation_paid for s in result.shares) == Decimal("6000.00")
    assert sum(s.net for s in result.shares) == Decimal("270000.00")


def test_compensation_to_a_dwelling_outside_the_case_is_refused(place):
    case, worker, _ = place
    [other] = shared_stairwells(1)
    stranger = other.dwellings.first()
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, compensation=[(stranger.pk, "100.00")])
    assert caught.value.code == "compensation"


def test_a_negative_cost_is_refused_and_the_plan_is_unchanged(place):
    case, worker, _ = place
    with pytest.raises(Invalid):
        update_plan(case, by=worker, costs={"design": "-1.00"})
    case.refresh_from_db()
    assert case.cost_design == Decimal("0.00")


def test_an_unknown_cost_part_is_refused(place):
    case, worker, _ = place
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, costs={"elevator": "1.00"})
    assert caught.value.code == "costs"


def test_a_table_missing_a_floor_is_refused_naming_it(place):
    case, worker, _ = place
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, coefficients={"1": "1", "2": "1"})
    assert "3" in caught.value.zh
    case.refresh_from_db()
    assert case.coefficients == "half_step"


def test_the_subsidy_follows_the_rule_and_the_costs(place):
    case, worker, _ = place
    rule = SubsidyRuleFactory(
        kind=SubsidyKind.PERCENT, amount=None, percent=Decimal("50"), cap=Decimal("150000.00")
    )
    update_plan(case, by=worker, subsidy_rule=rule)
    assert case.subsidy == Decimal("150000.00")
    update_plan(case, by=worker, costs={"equipment": "100000.00"})
    assert case.subsidy == Decimal("85000.00")


def test_an_inactive_subsidy_rule_is_refused(place):
    case, worker, _ = place
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, subsidy_rule=SubsidyRuleFactory(active=False))
    assert caught.value.code == "subsidy_rule"


def test_a_cost_floor_below_one_is_refused(place):
    case, worker, rows = place
    with pytest.raises(Invalid) as caught:
        update_plan(case, by=worker, cost_floors={rows[(2, "201")].dwelling_id: 0})
    assert caught.value.code == "cost_floors"


def test_a_colleague_elsewhere_cannot_change_the_plan(place):
    case, _, _ = place
    [elsewhere] = shared_stairwells(1)
    with pytest.raises(PermissionDenied):
        update_plan(case, by=community_worker(elsewhere.building.compound), title="x")


def test_a_resident_of_the_pool_cannot_change_the_plan(place):
    case, _, rows = place
    with pytest.raises(PermissionDenied):
        update_plan(case, by=resident_of(rows[(6, "601")].dwelling), coefficients="equal")


def test_every_plan_change_is_audited(place):
    case, worker, rows = place
    update_plan(case, by=worker, cost_floors={rows[(6, "601")].dwelling_id: 5})
    event = AuditEvent.objects.filter(
        model_label="elevators.casedwelling", object_id=str(rows[(6, "601")].pk)
    ).latest("pk")
    assert event.action == "update"


def test_return_to_draft_is_refused_while_a_vote_is_open(place):
    case, worker, _ = place
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    with pytest.raises(Invalid) as caught:
        return_to_draft(case, by=worker)
    assert caught.value.code == "votes"


def test_a_cancelled_case_frees_its_stairwells(place):
    case, worker, _ = place
    cancel_case(case, by=worker)
    again = create_case(by=worker, title="重新申请", stairwells=list(case.stairwells.all()))
    assert again.status == CaseStatus.DRAFT


def test_a_case_under_construction_cannot_be_cancelled(place):
    case, worker, _ = place
    _agreed(case, worker)
    start_works(case, by=worker)
    with pytest.raises(Invalid):
        cancel_case(case, by=worker)


def test_running_costs_wait_for_the_agreement(place):
    case, worker, _ = place
    with pytest.raises(Invalid) as caught:
        set_running_costs(case, by=worker, year=2027, costs={"maintenance": "6000.00"})
    assert caught.value.code == "status"


def test_running_costs_are_shared_by_the_construction_coefficients_by_default(place):
    case, worker, rows = place
    _agreed(case, worker)
    year = set_running_costs(
        case,
        by=worker,
        year=2027,
        costs={"maintenance": "1800.00", "electricity": "720.00", "inspection": "180.00"},
    )
    statement = running_statement(year)
    assert sum(s.construction_share for s in statement.shares) == Decimal("2700.00")
    ground = statement.share_of(rows[(1, "101")].dwelling_id).construction_share
    top = statement.share_of(rows[(6, "601")].dwelling_id).construction_share
    assert top == ground * Decimal("3.5")


def test_running_costs_may_follow_their_own_table(place):
    case, worker, _ = place
    _agreed(case, worker)
    year = set_running_costs(
        case, by=worker, year=2027, costs={"maintenance": "1200.00"}, coefficients="equal"
    )
    shares = {s.construction_share for s in running_statement(year).shares}
    assert shares == {Decimal("100.00")}


def test_recording_a_year_twice_corrects_it(place):
    case, worker, _ = place
    _agreed(case, worker)
    set_running_costs(case, by=worker, year=2027, costs={"maintenance": "1200.00"})
    set_running_costs(case, by=worker, year=2027, costs={"maintenance": "1300.00"})
    assert case.running_years.get(year=2027).maintenance == Decimal("1300.00")


def test_a_consent_document_keeps_its_hash(place):
    case, worker, rows = place
    document = add_document(
        case,
        by=worker,
        kind=DocumentKind.AFFECTED_CONSENT,
        title="101室同意书",
        file=ContentFile(b"signed", name="consent.pdf"),
        dwelling=rows[(1, "101")].dwelling,
    )
    assert document.sha256 == hashlib.sha256(b"signed").hexdigest()


def test_an_empty_document_is_refused(place):
    case, worker, _ = place
    with pytest.raises(Invalid) as caught:
        add_document(
            case,
            by=worker,
            kind=DocumentKind.CONSENT,
            title="",
            file=ContentFile(b"", name="x.pdf"),
        )
    assert caught.value.code == "file"
    assert not case.documents.exists()


def test_the_pool_leaves_out_dwellings_below_the_ground_floor():
    [stairwell] = shared_stairwells(1, storeys=2)
    from linli.registry.tests import factories as rf

    rf.DwellingFactory(stairwell=stairwell, floor=-1, number="B01", area=Decimal("20.00"))
    case = create_case(by=None, title="x", stairwells=[stairwell])
    assert case.pool.count() == 4
    assert not CaseDwelling.objects.filter(dwelling__floor__lt=1).exists()
    assert ElevatorCase.objects.count() == 1
