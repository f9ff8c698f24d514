"""Report pages, API and CLI: issue (202), poll, download, and nobody else's report."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.registry.tests.factories import CommunityFactory, CompoundFactory
from linli.renewal.models import IssuedReport, ReportStatus
from linli.renewal.reports import services as reports
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    community = CommunityFactory()
    f.project_ready_for("works", compounds=[CompoundFactory(community=community)])
    return community


@pytest.fixture
def staff(community):
    return f.user_with_role(Role.COMMUNITY, community=community)


@pytest.fixture
def colleague(community):
    return f.user_with_role(Role.COMMUNITY, community=community)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_posting_a_report_request_answers_202_and_the_task_completes_it(
    staff, django_capture_on_commit_callbacks
):
    client = api(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/issued-reports/", {"kind": "monthly", "period": "2026-11", "format": "xlsx"}
        )
        assert response.status_code == 202
        assert (response.json()["status"], response.json()["progress"]) == ("queued", 0)
    body = client.get(f"/api/v1/issued-reports/{response.json()['id']}/").json()
    assert (body["status"], body["progress"]) == ("done", 100)


def test_polling_a_report_shows_its_status(staff):
    report = reports.issue_now(kind="weekly", period="2026-W48", format="docx", by=staff)
    body = api(staff).get(f"/api/v1/issued-reports/{report.pk}/").json()
    assert (body["status"], body["progress"], body["sha256"]) == ("done", 100, report.sha256)


def test_the_api_downloads_the_issued_file(staff):
    report = reports.issue_now(kind="annual", period="2026", format="xlsx", by=staff)
    response = api(staff).get(f"/api/v1/issued-reports/{report.pk}/download/")
    assert response.status_code == 200
    assert (
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0]
        == "概况"
    )


def test_another_users_report_is_not_found(staff, colleague):
    report = reports.issue_now(kind="annual", period="2026", format="xlsx", by=staff)
    assert api(colleague).get(f"/api/v1/issued-reports/{report.pk}/").status_code == 404
    assert api(colleague).get(f"/api/v1/issued-reports/{report.pk}/download/").status_code == 404


def test_the_list_holds_only_my_reports(staff, colleague, django_assert_max_num_queries):
    for _ in range(3):
        reports.issue_now(kind="annual", period="2026", format="xlsx", by=colleague)
    mine = reports.issue_now(kind="annual", period="2026", format="xlsx", by=staff)
    with django_assert_max_num_queries(6):
        rows = api(staff).get("/api/v1/issued-reports/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]


def test_a_resident_may_not_request_a_report(community):
    resident = f.user_with_role(Role.RESIDENT, community=community)
    response = api(resident).post(
        "/api/v1/issued-reports/", {"kind": "monthly", "period": "2026-11", "format": "xlsx"}
    )
    assert response.status_code == 403


def test_a_malformed_period_answers_400(staff):
    response = api(staff).post(
        "/api/v1/issued-reports/", {"kind": "quarterly", "period": "2026-13", "format": "xlsx"}
    )
    assert response.status_code == 400
    assert "period" in response.json()


def test_the_reports_page_issues_a_report_and_lists_it(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/renewal/reports/", {"kind": "quarterly", "period": "2026-Q4", "format": "docx"}
        )
    assert response.status_code == 302
    report = IssuedReport.objects.get(generated_by=staff)
    page = client.get("/renewal/reports/")
    assert f"/renewal/reports/{report.pk}/download/" in page.content.decode()
    assert "report_progress.js" in page.content.decode()


def test_the_reports_page_lists_in_a_bounded_number_of_queries(
    client, staff, django_assert_max_num_queries
):
    for _ in range(3):
        reports.issue_now(kind="annual", period="2026", format="xlsx", by=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get("/renewal/reports/").status_code == 200


def test_the_status_endpoint_gives_the_progress_as_json(client, staff):
    report = reports.issue_now(kind="annual", period="2026", format="xlsx", by=staff)
    client.force_login(staff)
    body = client.get(f"/renewal/reports/{report.pk}/status/").json()
    assert (body["status"], body["progress"]) == (ReportStatus.DONE, 100)
    assert body["download"] == f"/renewal/reports/{report.pk}/download/"


def test_the_download_page_serves_my_file_and_hides_it_from_others(client, staff, colleague):
    report = reports.issue_now(kind="annual", period="2026", format="docx", by=staff)
    client.force_login(colleague)
    assert client.get(f"/renewal/reports/{report.pk}/download/").status_code == 404
    client.force_login(staff)
    response = client.get(f"/renewal/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_the_cli_writes_the_report_for_a_users_scope(tmp_path, staff):
    out = tmp_path / "bulletin.xlsx"
    call_command(
        "report",
        "monthly",
        "--period",
        "2026-11",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        staff.username,
    )
    assert "红灯项目" in openpyxl.load_workbook(out).sheetnames
    assert IssuedReport.objects.get().generated_by == staff


def test_the_cli_without_a_user_issues_the_district_wide_report(tmp_path, community):
    out = tmp_path / "evaluation.docx"
    call_command("report", "annual", "--period", "2026", "--out", str(out))
    report = IssuedReport.objects.get()
    assert (report.generated_by, report.scope_label) == (None, reports.OPERATOR_SCOPE)
    assert out.read_bytes()[:2] == b"PK"


def test_the_cli_refuses_a_bad_period(tmp_path):
    with pytest.raises(CommandError, match="2026-W47"):
        call_command("report", "weekly", "--period", "2026-11", "--out", str(tmp_path / "x.docx"))
