"""Progress pages: the "填报进度" form with photos and a problem, the progress page (bars,
history with photo time and place, problems), resolving a problem, serving photos by scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linli.accounts.roles import Role
from linli.registry.tests.factories import CompoundFactory, DistrictFactory
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import ProgressProblem
from linli.renewal.services.common import today
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

XIGONG_GPS = {1: "N", 2: (34.0, 40.0, 59.88), 3: "E", 4: (112.0, 26.0, 30.12)}
BEIJING_GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def office(district):
    return f.user_with_role(Role.DISTRICT_OFFICE, district=district)


@pytest.fixture
def web(client, office):
    client.force_login(office)
    return client


def in_works(district, *budgets: str):
    compound = CompoundFactory(community__subdistrict__district=district)
    return f.project_in_works(*budgets, compounds=[compound])


def form_for(project, percent: str = "100", **extra):
    data = {"reported_on": today().isoformat(), "summary": "", "problem": ""}
    data |= {f"percent_{pk}": percent for pk in project.items.values_list("pk", flat=True)}
    return data | extra


def test_the_report_form_is_prefilled_with_the_current_percent(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    services.record_progress_report(project=project, reported_on=today(), percents={item.pk: 35})
    html = web.get(reverse("renewal:progress_report", args=[project.pk])).content.decode()
    assert f'name="percent_{item.pk}"' in html
    assert 'value="35.00"' in html


def test_a_district_user_reports_with_photos_and_a_problem_and_the_project_completes(web, district):
    project = in_works(district, "300000", "100000")
    data = form_for(project, summary="主体完工", problem="一处井盖缺失")
    data["photos"] = [
        f.jpeg(name="a.jpg", taken="2026:05:01 10:20:30", gps=XIGONG_GPS),
        f.jpeg(name="b.jpg"),
    ]
    response = web.post(reverse("renewal:progress_report", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("renewal:progress", args=[project.pk])
    project.refresh_from_db()
    assert project.progress_percent == Decimal("100.00")
    (report,) = project.progress_reports.all()
    assert report.photos.count() == 2
    assert ProgressProblem.objects.get(report=report).description == "一处井盖缺失"
    moved = web.post(
        reverse("renewal:transition", args=[project.pk]), {"to": "completed", "reason": ""}
    )
    assert moved.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.COMPLETED


def test_a_bad_photo_refuses_the_whole_report(web, district):
    project = in_works(district)
    data = form_for(project, percent="50")
    data["photos"] = [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]
    response = web.post(reverse("renewal:progress_report", args=[project.pk]), data)
    assert response.status_code == 200
    assert "x.jpg" in response.content.decode()
    assert not project.progress_reports.exists()
    project.refresh_from_db()
    assert project.progress_percent == 0


def test_a_lower_percent_without_a_note_is_shown_as_an_error(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    services.record_progress_report(project=project, reported_on=today(), percents={item.pk: 60})
    response = web.post(
        reverse("renewal:progress_report", args=[project.pk]), form_for(project, percent="40")
    )
    assert response.status_code == 200
    assert "更正原因" in response.content.decode()


def test_the_progress_page_shows_bars_history_photo_place_and_the_outside_flag(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    report = services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 60}, summary="管网铺设"
    )
    inside = services.add_progress_photo(
        report=report, image=f.jpeg(taken="2026:05:01 10:20:30", gps=XIGONG_GPS)
    )
    outside = services.add_progress_photo(report=report, image=f.jpeg(gps=BEIJING_GPS))
    services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 50}, notes={item.pk: "返工"}
    )
    response = web.get(reverse("renewal:progress", args=[project.pk]))
    html = response.content.decode()
    assert 'value="50.00"' in html  # the item's bar
    assert "管网铺设" in html and "返工" in html
    assert "2026-05-01 10:20" in html
    assert "34.68330" in html
    assert reverse("renewal:progress_photo", args=[inside.pk]) in html
    assert html.count('data-flag="outside"') == 1
    assert f'data-photo="{outside.pk}"' in html
    assert "更正" in html


def test_the_progress_page_costs_a_fixed_number_of_queries(
    web, district, django_assert_max_num_queries
):
    project = in_works(district, "100", "200")
    pks = list(project.items.values_list("pk", flat=True))
    for n in range(4):
        report = services.record_progress_report(
            project=project, reported_on=today(), percents={pk: 10 * (n + 1) for pk in pks}
        )
        services.add_progress_photo(report=report, image=f.jpeg())
        services.raise_problem(project=project, description=f"问题{n}", raised_on=today())
    web.get(reverse("renewal:progress", args=[project.pk]))  # warm caches (session, scope)
    with django_assert_max_num_queries(12):
        response = web.get(reverse("renewal:progress", args=[project.pk]))
    assert response.status_code == 200


def test_the_project_page_shows_a_bar_per_item_and_links_the_report_form(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    services.record_progress_report(project=project, reported_on=today(), percents={item.pk: 42})
    html = web.get(reverse("renewal:project_detail", args=[project.pk])).content.decode()
    assert f'data-item-progress="{item.pk}"' in html
    assert 'value="42.00"' in html
    assert reverse("renewal:progress_report", args=[project.pk]) in html


def test_a_problem_is_raised_and_resolved_in_the_pages(web, district):
    project = in_works(district)
    raised = web.post(
        reverse("renewal:problem_add", args=[project.pk]),
        {"description": "围挡破损", "raised_on": today().isoformat()},
    )
    assert raised.status_code == 302
    problem = ProgressProblem.objects.get(project=project)
    page = web.get(reverse("renewal:progress", args=[project.pk])).content.decode()
    assert reverse("renewal:problem_resolve", args=[problem.pk]) in page
    resolved = web.post(
        reverse("renewal:problem_resolve", args=[problem.pk]),
        {"resolution": "已更换围挡", "resolved_on": today().isoformat()},
    )
    assert resolved.status_code == 302
    problem.refresh_from_db()
    assert (problem.is_open, problem.resolution) == (False, "已更换围挡")


def test_a_photo_is_served_to_a_user_who_sees_its_project(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    report = services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 10}
    )
    photo = services.add_progress_photo(report=report, image=f.jpeg())
    response = web.get(reverse("renewal:progress_photo", args=[photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_a_thumbnail_is_a_small_jpeg(web, district):
    project = in_works(district)
    (item,) = project.items.all()
    report = services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 10}
    )
    photo = services.add_progress_photo(report=report, image=f.jpeg(size=(2000, 1000)))
    response = web.get(reverse("renewal:progress_photo", args=[photo.pk]), {"size": "thumb"})
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (480, 240)


def test_an_outsider_gets_404_for_the_progress_page_and_the_photo(client, district):
    project = in_works(district)
    (item,) = project.items.all()
    report = services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 10}
    )
    photo = services.add_progress_photo(report=report, image=f.jpeg())
    elsewhere = CompoundFactory()
    client.force_login(f.user_with_role(Role.COMMUNITY, community=elsewhere.community))
    assert client.get(reverse("renewal:progress", args=[project.pk])).status_code == 404
    assert client.get(reverse("renewal:progress_photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("renewal:progress_report", args=[project.pk])).status_code == 404


def test_a_community_user_sees_progress_but_cannot_report(client, district):
    compound = CompoundFactory(community__subdistrict__district=district)
    project = f.project_in_works(compounds=[compound])
    client.force_login(f.user_with_role(Role.COMMUNITY, community=compound.community))
    assert client.get(reverse("renewal:progress", args=[project.pk])).status_code == 200
    assert client.get(reverse("renewal:progress_report", args=[project.pk])).status_code == 403


def test_the_admin_shows_reports_and_problems_read_only(admin_client, district):
    project = in_works(district)
    (item,) = project.items.all()
    report = services.record_progress_report(
        project=project, reported_on=today(), percents={item.pk: 10}
    )
    services.add_progress_photo(report=report, image=f.jpeg())
    services.raise_problem(project=project, description="井盖缺失", raised_on=today())
    for name in ("progressreport", "progressproblem"):
        assert admin_client.get(reverse(f"admin:renewal_{name}_changelist")).status_code == 200
    change = reverse("admin:renewal_progressreport_change", args=[report.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"summary": "改"}).status_code == 403
