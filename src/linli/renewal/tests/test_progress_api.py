"""Progress API: reports with nested lines, photos (multipart, EXIF, scoped download),
problems (open filter, resolve), permissions and scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.registry.tests.factories import CompoundFactory, DistrictFactory
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import ProgressReport
from linli.renewal.services.common import today
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

XIGONG_GPS = {1: "N", 2: (34.0, 40.0, 59.88), 3: "E", 4: (112.0, 26.0, 30.12)}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def api(district) -> APIClient:
    return client_for(f.user_with_role(Role.DISTRICT_OFFICE, district=district))


def in_works(district, *budgets: str):
    compound = CompoundFactory(community__subdistrict__district=district)
    return f.project_in_works(*budgets, compounds=[compound])


def post_report(api, project, percents: dict[int, str], **extra):
    body = {
        "project": project.pk,
        "reported_on": today().isoformat(),
        "lines": [{"project_item": pk, "percent": p} for pk, p in percents.items()],
        **extra,
    }
    return api.post("/api/v1/progress-reports/", body, format="json")


def test_a_report_with_lines_sets_the_project_percent(api, district):
    project = in_works(district, "300000", "100000")
    a, b = project.items.order_by("pk").values_list("pk", flat=True)
    response = post_report(api, project, {a: "100", b: "0"}, summary="管网完成")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(line["project_item"], line["percent"]) for line in body["lines"]] == [
        (a, "100.00"),
        (b, "0.00"),
    ]
    assert body["summary"] == "管网完成"
    project.refresh_from_db()
    assert project.progress_percent == Decimal("75.00")


def test_a_district_user_reports_full_progress_and_completes_the_project(api, district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    assert post_report(api, project, {a: "100"}).status_code == 201
    moved = api.post(
        f"/api/v1/projects/{project.pk}/transition/", {"to": "completed"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    project.refresh_from_db()
    assert project.stage == Stage.COMPLETED


def test_an_item_appearing_twice_is_refused(api, district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    body = {
        "project": project.pk,
        "reported_on": today().isoformat(),
        "lines": [{"project_item": a, "percent": "10"}, {"project_item": a, "percent": "20"}],
    }
    response = api.post("/api/v1/progress-reports/", body, format="json")
    assert response.status_code == 400
    assert "twice" in str(response.json())


def test_a_service_refusal_is_a_bilingual_400(api, district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    response = post_report(api, project, {a: "10"}, reported_on="2000-01-01")
    assert response.status_code == 400
    assert "开工" in response.json()["reported_on"][0]
    assert "works started" in response.json()["reported_on"][0]


def test_an_item_of_another_visible_project_is_refused_by_name(api, district):
    project, other = in_works(district), in_works(district)
    (foreign,) = other.items.select_related("item")
    response = post_report(api, project, {foreign.pk: "10"})
    assert response.status_code == 400
    assert foreign.item.name in str(response.json())


def test_reports_filter_by_project(api, district):
    first, second = in_works(district), in_works(district)
    for project in (first, second):
        (a,) = project.items.values_list("pk", flat=True)
        post_report(api, project, {a: "10"})
    rows = api.get("/api/v1/progress-reports/", {"project": first.pk}).json()["results"]
    assert [row["project"] for row in rows] == [first.pk]


def test_a_photo_upload_returns_exif_and_a_scoped_download_url(api, district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    report = post_report(api, project, {a: "10"}).json()
    image = f.jpeg(taken="2026:05:01 10:20:30", offset="+08:00", gps=XIGONG_GPS)
    response = api.post(
        "/api/v1/progress-photos/",
        {"report": report["id"], "image": image, "caption": "开挖"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["latitude"], body["longitude"]) == ("34.6833000", "112.4417000")
    assert body["taken_at"].startswith("2026-05-01T10:20:30")
    assert body["outside_xigong"] is False
    assert "image" not in body  # the media path is not handed out
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_that_is_not_an_image_is_a_400(api, district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    report = post_report(api, project, {a: "10"}).json()
    fake = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    response = api.post(
        "/api/v1/progress-photos/", {"report": report["id"], "image": fake}, format="multipart"
    )
    assert response.status_code == 400


def test_problems_are_raised_listed_open_and_resolved(api, district):
    project = in_works(district)
    created = api.post(
        "/api/v1/progress-problems/",
        {"project": project.pk, "description": "围挡破损", "raised_on": today().isoformat()},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [
        p["id"] for p in api.get("/api/v1/progress-problems/", {"open": True}).json()["results"]
    ] == [pk]
    resolved = api.post(
        f"/api/v1/progress-problems/{pk}/resolve/",
        {"resolution": "已更换", "resolved_on": today().isoformat()},
        format="json",
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["is_open"] is False
    assert api.get("/api/v1/progress-problems/", {"open": True}).json()["results"] == []
    again = api.post(
        f"/api/v1/progress-problems/{pk}/resolve/",
        {"resolution": "再次", "resolved_on": today().isoformat()},
        format="json",
    )
    assert again.status_code == 400


def test_a_community_user_reads_progress_but_cannot_report_or_resolve(district):
    compound = CompoundFactory(community__subdistrict__district=district)
    project = f.project_in_works(compounds=[compound])
    (a,) = project.items.values_list("pk", flat=True)
    services.record_progress_report(project=project, reported_on=today(), percents={a: 10})
    problem = services.raise_problem(project=project, description="x", raised_on=today())
    api = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    assert len(api.get("/api/v1/progress-reports/").json()["results"]) == 1
    assert post_report(api, project, {a: "20"}).status_code == 403
    resolve = api.post(
        f"/api/v1/progress-problems/{problem.pk}/resolve/",
        {"resolution": "r", "resolved_on": today().isoformat()},
        format="json",
    )
    assert resolve.status_code == 403


def test_an_outsider_gets_404_on_the_report_and_the_photo(district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    report = services.record_progress_report(project=project, reported_on=today(), percents={a: 10})
    photo = services.add_progress_photo(report=report, image=f.jpeg())
    outsider = client_for(f.user_with_role(Role.COMMUNITY, community=CompoundFactory().community))
    assert outsider.get(f"/api/v1/progress-reports/{report.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/progress-photos/{photo.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/progress-photos/{photo.pk}/download/").status_code == 404
    assert outsider.get("/api/v1/progress-reports/").json()["results"] == []


def test_an_outsider_cannot_report_on_a_project_it_does_not_see(district):
    project = in_works(district)
    (a,) = project.items.values_list("pk", flat=True)
    elsewhere = DistrictFactory(code="410302", name="老城区")
    other_district_office = f.user_with_role(Role.DISTRICT_OFFICE, district=elsewhere)
    response = post_report(client_for(other_district_office), project, {a: "10"})
    assert response.status_code == 400  # the project is not among its choices
    assert not ProgressReport.objects.exists()


def test_the_report_list_costs_a_fixed_number_of_queries(
    api, district, django_assert_max_num_queries
):
    for _ in range(3):
        project = in_works(district, "100", "200")
        pks = list(project.items.values_list("pk", flat=True))
        report = services.record_progress_report(
            project=project, reported_on=today(), percents={pk: 10 for pk in pks}
        )
        services.add_progress_photo(report=report, image=f.jpeg())
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/progress-reports/")
    assert len(response.json()["results"]) == 3
