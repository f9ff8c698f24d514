"""The elevator API's workflow (start votes → agree → start works → hand over, refusals as
409s), consent documents, running costs, subsidy rules and the OpenAPI schema."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import reset_generator_stats

from linli.accounts.roles import Role
from linli.aftercare.models import AssetKind
from linli.consultation import models as cm
from linli.consultation.tests.factories import stairwell_with_owners
from linli.elevators.models import SubsidyRule
from linli.elevators.tests.factories import (
    SubsidyRuleFactory,
    community_worker,
    pass_votes,
    resident_of,
    shared_stairwells,
    user_with_role,
)
from linli.elevators.tests.test_api import CASES, api_as, open_case
from linli.registry.models import OrganisationKind
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

RULES = "/api/v1/elevator-subsidy-rules/"


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
def case(worker, stairwell):
    return open_case(worker, [stairwell], SubsidyRuleFactory())


def url(case, action=""):
    return f"{CASES}{case['id']}/{action}"


def start(worker, case):
    closes = (timezone.now() + datetime.timedelta(days=7)).isoformat()
    return api_as(worker).post(url(case, "start-votes/"), {"closes_at": closes}, format="json")


def agreed(worker, case):
    assert start(worker, case).status_code == 200
    pass_votes(_model(case), by=worker)
    assert api_as(worker).post(url(case, "agree/")).status_code == 200


def _model(case):
    from linli.elevators.models import ElevatorCase

    return ElevatorCase.objects.get(pk=case["id"])


# --- workflow --------------------------------------------------------------------------------


def test_starting_the_votes_opens_one_vote_per_stairwell(worker, case, stairwell):
    response = start(worker, case)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "voting"
    [vote] = data["votes"]
    assert vote["stairwell"] == stairwell.pk
    assert cm.Vote.objects.get(pk=vote["vote"]).profile.code == "elevator-affected-consent"


def test_the_whole_flow_ends_with_the_elevator_handed_over(worker, compound, case):
    company = rf.OrganisationFactory(kind=OrganisationKind.PROPERTY)
    compound.property_company = company
    compound.save()
    agreed(worker, case)
    client = api_as(worker)
    assert client.post(url(case, "start-works/")).json()["status"] == "building"
    today = timezone.localdate()
    handover = {
        "accepted_on": today.isoformat(),
        "responsible_unit": company.name,
        "responsible_organisation": company.pk,
        "contractor": "洛阳某电梯工程有限公司",
        "contract_starts_on": today.isoformat(),
        "contract_ends_on": (today + datetime.timedelta(days=364)).isoformat(),
        "annual_fee": "12000.00",
    }
    response = client.post(url(case, "hand-over/"), handover, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "accepted"
    asset = _model(case).asset
    assert (asset.pk, asset.kind) == (data["asset"], AssetKind.ELEVATOR)
    assert asset.responsible_organisation == company


def test_agreeing_before_the_votes_passed_is_a_conflict_in_both_languages(worker, case):
    start(worker, case)
    response = api_as(worker).post(url(case, "agree/"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "votes"
    assert "单元" in body["zh"] and "stairwell" in body["en"]


def test_a_failed_vote_returns_the_case_to_the_draft(worker, case):
    start(worker, case)
    pass_votes(_model(case), by=worker, choice=cm.Choice.NO)
    response = api_as(worker).post(url(case, "return-to-draft/"))
    assert response.json()["status"] == "draft"


def test_a_draft_can_be_cancelled(worker, case):
    response = api_as(worker).post(url(case, "cancel/"))
    assert response.json()["status"] == "cancelled"


def test_a_hand_over_dated_tomorrow_is_refused_naming_the_field(worker, case):
    agreed(worker, case)
    api_as(worker).post(url(case, "start-works/"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    handover = {
        "accepted_on": tomorrow.isoformat(),
        "responsible_unit": "某物业",
        "contractor": "某电梯公司",
        "contract_starts_on": tomorrow.isoformat(),
        "contract_ends_on": (tomorrow + datetime.timedelta(days=300)).isoformat(),
    }
    response = api_as(worker).post(url(case, "hand-over/"), handover, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "accepted_on"


def test_a_resident_may_not_start_the_votes(case, stairwell):
    resident = resident_of(stairwell.dwellings.first())
    assert start(resident, case).status_code == 403


def test_an_outsider_may_not_start_the_votes(case):
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    assert start(outsider, case).status_code == 404


# --- documents -----------------------------------------------------------------------------


def upload(worker, case, **extra):
    sheet = SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    data = {"kind": "consent", "title": "同意书", "file": sheet, **extra}
    return api_as(worker).post(url(case, "documents/"), data, format="multipart")


def test_a_signed_consent_letter_is_stored_with_its_hash(worker, case, stairwell):
    dwelling = stairwell.dwellings.first()
    response = upload(worker, case, dwelling=dwelling.pk)
    assert response.status_code == 201
    assert response.json()["dwelling"] == dwelling.pk
    assert len(response.json()["sha256"]) == 64
    listed = api_as(worker).get(url(case, "documents/")).json()
    assert [d["id"] for d in listed["results"]] == [response.json()["id"]]


def test_a_document_without_a_title_takes_the_name_of_its_kind(worker, case):
    response = upload(worker, case, title="")
    assert response.json()["title"] == "业主同意书"


def test_an_unknown_document_kind_is_a_field_error(worker, case):
    response = upload(worker, case, kind="selfie")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_staff_download_a_stored_document_as_uploaded(worker, case):
    stored = upload(worker, case).json()
    response = api_as(worker).get(url(case, f"documents/{stored['id']}/file/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert "consent" in response["Content-Disposition"]


def test_a_document_is_not_found_under_another_case(worker, case, compound):
    stored = upload(worker, case).json()
    other = open_case(worker, [stairwell_with_owners(compound=compound)], SubsidyRuleFactory())
    response = api_as(worker).get(f"{CASES}{other['id']}/documents/{stored['id']}/file/")
    assert response.status_code == 404


def test_a_resident_cannot_download_a_stored_document(worker, case, stairwell):
    stored = upload(worker, case).json()
    resident = resident_of(stairwell.dwellings.first())
    response = api_as(resident).get(url(case, f"documents/{stored['id']}/file/"))
    assert response.status_code == 404


def test_a_resident_sees_no_documents(worker, case, stairwell):
    upload(worker, case)
    resident = resident_of(stairwell.dwellings.first())
    assert api_as(resident).get(url(case, "documents/")).json()["count"] == 0


# --- running costs -------------------------------------------------------------------------


def record_year(worker, case, **extra):
    data = {"year": 2026, "maintenance": "8000.00", "electricity": "1234.57", **extra}
    return api_as(worker).post(url(case, "running-costs/"), data, format="json")


def test_a_years_running_costs_are_shared_to_the_fen(worker, case):
    agreed(worker, case)
    response = record_year(worker, case)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["total"] == "9234.57"
    assert sum(Decimal(s["share"]) for s in data["shares"]) == Decimal("9234.57")


def test_the_year_statement_reads_back_what_was_recorded(worker, case):
    agreed(worker, case)
    record_year(worker, case, coefficients="equal")
    data = api_as(worker).get(url(case, "running-costs/2026/")).json()
    assert data["coefficients"] == "equal"
    assert {s["share"] for s in data["shares"]} == {"769.54", "769.55"}
    years = api_as(worker).get(url(case, "running-costs/")).json()
    assert [y["year"] for y in years] == [2026]


def test_running_costs_before_the_agreement_are_a_conflict(worker, case):
    response = record_year(worker, case)
    assert response.status_code == 409
    assert response.json()["code"] == "status"


def test_a_negative_running_cost_is_refused_naming_its_part(worker, case):
    agreed(worker, case)
    response = record_year(worker, case, electricity="-5.00")
    assert response.status_code == 400
    assert response.json()["field"] == "electricity"


def test_a_resident_gets_no_running_statement(worker, case, stairwell):
    agreed(worker, case)
    record_year(worker, case)
    resident = resident_of(stairwell.dwellings.first())
    assert api_as(resident).get(url(case, "running-costs/2026/")).status_code == 404


# --- subsidy rules -------------------------------------------------------------------------


def district_office(compound):
    return user_with_role(Role.DISTRICT_OFFICE, district=compound.community.subdistrict.district)


RULE = {"city": "洛阳市", "name": "2026年补贴", "kind": "percent", "percent": "30", "cap": "150000"}


def test_anyone_signed_in_reads_the_subsidy_rules(stairwell):
    rule = SubsidyRuleFactory()
    resident = resident_of(stairwell.dwellings.first())
    response = api_as(resident).get(RULES)
    assert [r["id"] for r in response.json()["results"]] == [rule.pk]


def test_the_district_office_adds_a_subsidy_rule(compound):
    response = api_as(district_office(compound)).post(RULES, RULE, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["percent"], response.json()["cap"]) == ("30.00", "150000.00")


def test_a_community_worker_may_not_add_a_subsidy_rule(worker):
    response = api_as(worker).post(RULES, RULE, format="json")
    assert response.status_code == 403
    assert not SubsidyRule.objects.exists()


def test_a_fixed_rule_without_its_amount_is_refused_naming_the_amount(compound):
    data = {"city": "洛阳市", "name": "定额", "kind": "fixed"}
    response = api_as(district_office(compound)).post(RULES, data, format="json")
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == ("amount", "missing_amount")


def test_the_district_office_changes_one_field_of_a_rule(compound):
    rule = SubsidyRuleFactory()
    office = api_as(district_office(compound))
    response = office.patch(f"{RULES}{rule.pk}/", {"amount": "120000.00"}, format="json")
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.amount, rule.kind) == (Decimal("120000.00"), "fixed")


def test_a_community_worker_may_not_change_a_rule(worker):
    rule = SubsidyRuleFactory()
    response = api_as(worker).patch(f"{RULES}{rule.pk}/", {"active": False}, format="json")
    assert response.status_code == 403


def test_a_storeys_table_is_stored_the_way_the_engine_reads_it(compound):
    data = {
        "city": "杭州市",
        "name": "按层",
        "kind": "storeys",
        "by_storeys": {"7": "250000", "6": "2e5"},
    }
    response = api_as(district_office(compound)).post(RULES, data, format="json")
    assert response.json()["by_storeys"] == {"6": "200000.00", "7": "250000.00"}


# --- schema --------------------------------------------------------------------------------

#: Words naming this module's components in drf-spectacular's warnings.
ELEVATOR_WORDS = ("Elevator", "SubsidyRule", "Case", "Allocation", "Running", "HandOver")


def test_every_elevator_endpoint_is_in_the_schema_without_warnings(tmp_path, capsys):
    reset_generator_stats()
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--file", str(out))
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
    assert [line for line in warnings if any(word in line for word in ELEVATOR_WORDS)] == []
    schema = out.read_text()
    for path in (
        "/api/v1/elevator-cases/:",
        "/api/v1/elevator-cases/{id}/:",
        "/api/v1/elevator-cases/{id}/allocation/:",
        "/api/v1/elevator-cases/{id}/start-votes/:",
        "/api/v1/elevator-cases/{id}/agree/:",
        "/api/v1/elevator-cases/{id}/return-to-draft/:",
        "/api/v1/elevator-cases/{id}/start-works/:",
        "/api/v1/elevator-cases/{id}/cancel/:",
        "/api/v1/elevator-cases/{id}/hand-over/:",
        "/api/v1/elevator-cases/{id}/documents/:",
        "/api/v1/elevator-cases/{id}/documents/{document_id}/file/:",
        "/api/v1/elevator-cases/{id}/running-costs/:",
        "/api/v1/elevator-cases/{id}/running-costs/{year}/:",
        "/api/v1/elevator-subsidy-rules/{id}/:",
    ):
        assert path in schema
