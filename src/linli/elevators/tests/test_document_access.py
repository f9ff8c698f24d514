"""Who may download which generated document, on the pages and through the API: staff get
everything, a resident the notice and their own dwelling's bill and running-cost statement,
a neighbour's bill and anyone outside the case 404; files carry the Word content type and a
Chinese-safe filename (RFC 5987); generating writes nothing; bounded queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from linli.consultation.vote_reads import dwelling_label
from linli.elevators.document_parts import CONTENT_TYPE
from linli.elevators.models import ElevatorCase
from linli.elevators.services.records import set_running_costs
from linli.elevators.tests.factories import community_worker, resident_of, shared_stairwells
from linli.elevators.tests.test_documents import agreed, build_case, owner_of, table_with, text_of

pytestmark = pytest.mark.django_db

PAGES = ("case_bills", "case_agreement", "case_notice")


@pytest.fixture
def case() -> ElevatorCase:
    return build_case()


@pytest.fixture
def worker(case: ElevatorCase) -> Any:
    return community_worker(case.compound)


@pytest.fixture
def own(case: ElevatorCase) -> Any:
    return owner_of(case, 3, "301")[0]


@pytest.fixture
def neighbour(case: ElevatorCase) -> Any:
    return owner_of(case, 3, "302")[0]


def page(client: Any, user: Any, name: str, case: ElevatorCase, **kw: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(f"elevators:{name}", kwargs={"pk": case.pk, **kw}))


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def filename_of(response: Any) -> str:
    """The UTF-8 filename of an RFC 5987 Content-Disposition header."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename=")
    return unquote(header.split("filename*=UTF-8''", 1)[1])


# --- Staff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_staff_download_the_case_documents_as_word_files(client, case, worker, name):
    response = page(client, worker, name, case)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert filename_of(response).startswith("幸福里1号楼加装电梯-")


def test_staff_download_any_households_bill(client, case, worker, neighbour):
    response = page(client, worker, "case_bill", case, dwelling_pk=neighbour.pk)
    assert response.status_code == 200
    label = dwelling_label(neighbour)
    assert filename_of(response) == f"幸福里1号楼加装电梯-{label}-费用分摊通知单.docx"


def test_the_ascii_fallback_filename_names_the_case(client, case, worker):
    response = page(client, worker, "case_notice", case)
    assert f'filename="elevator-{case.pk}-notice.docx"' in response["Content-Disposition"]


def test_a_bill_of_a_dwelling_outside_the_pool_is_not_found(client, case, worker):
    elsewhere = shared_stairwells(1)[0].dwellings.first()
    response = page(client, worker, "case_bill", case, dwelling_pk=elsewhere.pk)
    assert response.status_code == 404


def test_generating_the_bills_writes_nothing(client, case, worker):
    client.force_login(worker)
    url = reverse("elevators:case_bills", kwargs={"pk": case.pk})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_bills_of_a_large_pool_take_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    case = build_case(3)
    client.force_login(community_worker(case.compound))
    url = reverse("elevators:case_bills", kwargs={"pk": case.pk})
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_a_plan_that_cannot_be_shared_answers_409_with_the_reason(client, case, worker):
    # A stored plan broken behind the services' back (they would refuse it).
    ElevatorCase.objects.filter(pk=case.pk).update(coefficients={"1": "1"})
    response = page(client, worker, "case_agreement", case)
    assert response.status_code == 409
    assert "系数表没有第2层" in response.content.decode()


# --- Residents -------------------------------------------------------------------------------


def test_a_resident_downloads_their_own_bill_with_their_own_names(client, case, own):
    response = page(client, resident_of(own), "case_bill", case, dwelling_pk=own.pk)
    assert response.status_code == 200
    assert own.ownerships.get().owner.name in text_of(response.content)


def test_a_resident_cannot_fetch_a_neighbours_bill(client, case, own, neighbour):
    response = page(client, resident_of(own), "case_bill", case, dwelling_pk=neighbour.pk)
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["case_bills", "case_agreement"])
def test_a_resident_cannot_fetch_the_whole_pools_documents(client, case, own, name):
    # Staff-only documents: 403 for every case alike, so nothing tells which cases exist.
    assert page(client, resident_of(own), name, case).status_code == 403


def test_a_resident_of_the_pool_reads_the_public_notice(client, case, neighbour):
    assert page(client, resident_of(neighbour), "case_notice", case).status_code == 200


def test_a_resident_gets_only_their_own_running_cost_line(client, case, worker, own):
    agreed(case)
    set_running_costs(case, by=worker, year=2027, costs={"other": "1200"})
    response = page(client, resident_of(own), "case_running", case, year=2027)
    assert response.status_code == 200
    rows = table_with(response.content, "分摊金额（元）")
    assert [row[0][-4:] for row in rows[1:]] == ["301室"]


def test_staff_get_every_running_cost_line(client, case, worker):
    agreed(case)
    set_running_costs(case, by=worker, year=2027, costs={"other": "1200"})
    response = page(client, worker, "case_running", case, year=2027)
    rows = table_with(response.content, "分摊金额（元）")
    assert len(rows) == 1 + 12 + 1


def test_a_year_without_running_costs_is_not_found(client, case, own):
    assert page(client, resident_of(own), "case_running", case, year=2030).status_code == 404


# --- Outsiders -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_staff_of_another_compound_get_404(client, case, name):
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    assert page(client, outsider, name, case).status_code == 404


def test_a_resident_outside_the_pool_gets_404_for_the_notice(client, case):
    elsewhere = shared_stairwells(1)[0].dwellings.first()
    assert page(client, resident_of(elsewhere), "case_notice", case).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, case):
    response = client.get(reverse("elevators:case_notice", kwargs={"pk": case.pk}))
    assert response.status_code == 302


# --- API -------------------------------------------------------------------------------------


def test_the_api_serves_the_bills_as_a_word_file_with_a_chinese_filename(case, worker):
    response = api_as(worker).get(f"/api/v1/elevator-documents/{case.pk}/bills/")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert filename_of(response) == "幸福里1号楼加装电梯-费用分摊通知单.docx"
    assert text_of(response.content).count("加装电梯费用分摊通知单") == 12


@pytest.mark.parametrize("path", ["agreement/", "notice/"])
def test_the_api_serves_the_agreement_and_notice(case, worker, path):
    response = api_as(worker).get(f"/api/v1/elevator-documents/{case.pk}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE


def test_the_api_refuses_a_neighbours_bill_to_a_resident(case, own, neighbour):
    client = api_as(resident_of(own))
    assert client.get(f"/api/v1/elevator-documents/{case.pk}/bills/{own.pk}/").status_code == 200
    response = client.get(f"/api/v1/elevator-documents/{case.pk}/bills/{neighbour.pk}/")
    assert response.status_code == 404


def test_the_api_serves_a_running_statement(case, worker):
    agreed(case)
    set_running_costs(case, by=worker, year=2027, costs={"maintenance": "6000"})
    response = api_as(worker).get(f"/api/v1/elevator-documents/{case.pk}/running/2027/")
    assert response.status_code == 200
    assert filename_of(response) == "幸福里1号楼加装电梯-2027年度运行费用分摊表.docx"


def test_the_api_lists_a_residents_documents(case, own):
    response = api_as(resident_of(own)).get(f"/api/v1/elevator-documents/{case.pk}/")
    assert response.status_code == 200
    kinds = [(doc["kind"], doc["url"].split("/api/v1")[1]) for doc in response.json()["documents"]]
    assert kinds == [
        ("notice", f"/elevator-documents/{case.pk}/notice/"),
        ("bill", f"/elevator-documents/{case.pk}/bills/{own.pk}/"),
    ]


def test_the_api_answers_409_for_a_plan_that_cannot_be_shared(case, worker):
    ElevatorCase.objects.filter(pk=case.pk).update(coefficients={"1": "1"})
    response = api_as(worker).get(f"/api/v1/elevator-documents/{case.pk}/notice/")
    assert response.status_code == 409
    assert response.json()["code"] == "unknown_floor"


def test_the_api_hides_the_case_from_an_outsider(case):
    outsider = community_worker(shared_stairwells(1)[0].building.compound)
    response = api_as(outsider).get(f"/api/v1/elevator-documents/{case.pk}/notice/")
    assert response.status_code == 404
