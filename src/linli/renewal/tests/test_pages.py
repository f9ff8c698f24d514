"""The renewal pages: a district user takes a project from application to handover with the
test client alone; refusals are shown with their reasons; departments sign their reviews;
scoping (404 outside, 403 without the permission); bounded list queries."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.registry.models import OrganisationKind, RenovationStatus
from linli.registry.tests.factories import CompoundFactory, DistrictFactory, ZoneFactory
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import FundingSource, Project, Review, ReviewStatus
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


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


def _compound(district, **kwargs):
    return CompoundFactory(community__subdistrict__district=district, **kwargs)


def detail(project) -> str:
    return reverse("renewal:project_detail", args=[project.pk])


def advance(web, project, to, reason=""):
    return web.post(
        reverse("renewal:transition", args=[project.pk]), {"to": to, "reason": reason}, follow=True
    )


def upload(name="scan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")


def ok(response):
    """A form POST that succeeded redirects to the project page."""
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


# --- The whole way through -------------------------------------------------------------------


def test_a_district_user_takes_a_project_from_application_to_handover_in_the_pages(web, district):
    compounds = [_compound(district, zone=ZoneFactory(district=district))]
    compounds.append(_compound(district, zone=compounds[0].zone))
    fire = f.OrganisationFactory(name="西工区消防救援大队", district=district)
    housing = f.OrganisationFactory(name="西工区住房和城乡建设局", district=district)
    fire_item = f.CatalogueItemFactory(name="消防通道改造")
    f.ReviewRuleFactory(item=fire_item, department=fire, workdays=3)
    f.ReviewRuleFactory(applies_to="all", item=None, department=housing)
    builder = f.OrganisationFactory(kind=OrganisationKind.CONSTRUCTION, district=district)
    property_firm = f.OrganisationFactory(kind=OrganisationKind.PROPERTY, district=district)

    ok(
        web.post(
            reverse("renewal:project_create"),
            {
                "code": "XG-2026-07",
                "name": "凯旋东路组团改造",
                "year": "2026",
                "batch": "1",
                "compounds": [c.pk for c in compounds],
                "satisfaction_threshold": "80",
            },
        )
    )
    project = Project.objects.get(code="XG-2026-07")
    assert project.zone == compounds[0].zone
    assert advance(web, project, "design").status_code == 200
    ok(
        web.post(
            reverse("renewal:item_add", args=[project.pk]),
            {"item": fire_item.pk, "quantity": "2", "budget": "350000.00"},
        )
    )
    ok(
        web.post(
            reverse("renewal:funding", args=[project.pk]),
            {"source": "central", "planned": "200000", "allocated": "200000", "disbursed": "0"},
        )
    )
    ok(
        web.post(
            reverse("renewal:funding", args=[project.pk]),
            {"source": "district", "planned": "150000", "allocated": "100000", "disbursed": "0"},
        )
    )
    advance(web, project, "decision")
    ok(
        web.post(
            reverse("renewal:decision_add", args=[project.pk]),
            {
                "decided_on": "2026-03-15",
                "outcome": "approved",
                "approval_share": "86.4",
                "summary": "板凳会表决通过",
                "document": upload(),
            },
        )
    )
    advance(web, project, "joint_review")
    project.refresh_from_db()
    assert project.stage == Stage.JOINT_REVIEW
    for review in Review.objects.filter(project=project):
        ok(
            web.post(
                reverse("renewal:review_decide", args=[review.pk]),
                {"decision": "approve", "comments": "同意(纸质意见代录)"},
            )
        )
    advance(web, project, "tender")
    form = {
        "code": project.code,
        "name": project.name,
        "year": "2026",
        "batch": "1",
        "compounds": [c.pk for c in compounds],
        "satisfaction_threshold": "80",
        "construction_firm": builder.pk,
    }
    ok(web.post(reverse("renewal:project_edit", args=[project.pk]), form))
    advance(web, project, "works")
    report = {"reported_on": timezone.localdate().isoformat(), "summary": "完工"}
    report |= {f"percent_{item.pk}": "100" for item in project.items.all()}
    ok(web.post(reverse("renewal:progress_report", args=[project.pk]), report))
    advance(web, project, "completed")
    ok(
        web.post(
            reverse("renewal:acceptance_add", args=[project.pk]),
            {
                "accepted_on": "2026-11-02",
                "satisfaction_percent": "91",
                "notes": "五方联合验收合格",
                "document": upload("acceptance.pdf"),
            },
        )
    )
    advance(web, project, "acceptance")
    ok(
        web.post(
            reverse("renewal:project_edit", args=[project.pk]),
            {**form, "aftercare_owner": property_firm.pk},
        )
    )
    page = advance(web, project, "handed_over")

    project.refresh_from_db()
    assert project.stage == Stage.HANDED_OVER
    html = page.content.decode()
    assert 'data-stage="handed_over"' in html
    assert "350,000.00" in html  # the budget total
    assert 'data-total="planned">350,000.00' in html
    assert 'data-total="allocated">300,000.00' in html
    assert project.transitions.count() == len(Stage.values)
    for compound in compounds:
        compound.refresh_from_db()
        assert compound.renovation_status == RenovationStatus.RENOVATED


# --- Refusals on the page -----------------------------------------------------------------------


def test_the_detail_page_shows_why_the_next_stage_is_refused(web, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    html = web.get(detail(project)).content.decode()
    assert 'data-code="reviews_pending"' in html
    assert re.search(r'data-to="tender"\s+disabled', html)


def test_a_refused_transition_reports_every_reason_and_changes_nothing(web, district):
    project = f.project_ready_for(Stage.DESIGN, compounds=[_compound(district)])
    services.advance_stage(project=project, to=Stage.DECISION)
    response = advance(web, project, "joint_review")
    html = response.content.decode()
    assert "尚未登记居民决策" in html
    assert "the joint review cannot start" in html
    project.refresh_from_db()
    assert project.stage == Stage.DECISION


def test_returning_to_design_without_a_reason_is_refused(web, district):
    project = f.project_ready_for(Stage.DECISION, compounds=[_compound(district)])
    html = advance(web, project, "design").content.decode()
    assert "退回设计须说明原因" in html
    project.refresh_from_db()
    assert project.stage == Stage.DECISION


def test_a_form_error_from_the_service_is_shown_on_the_form(web, district):
    a = _compound(district)
    b = _compound(district)  # another zone
    response = web.post(
        reverse("renewal:project_create"),
        {
            "code": "X2",
            "name": "跨片区",
            "year": "2026",
            "batch": "1",
            "compounds": [a.pk, b.pk],
            "satisfaction_threshold": "80",
        },
    )
    assert response.status_code == 200
    assert "同一片区" in response.content.decode()
    assert not Project.objects.filter(code="X2").exists()


def test_funding_above_the_plan_is_refused_on_the_form(web, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    response = web.post(
        reverse("renewal:funding", args=[project.pk]),
        {"source": "central", "planned": "100", "allocated": "200", "disbursed": "0"},
    )
    assert response.status_code == 200
    assert "allocated must not exceed planned" in response.content.decode()
    assert not project.funding.exists()


def test_the_funding_form_edits_an_existing_line(web, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    services.set_funding(project=project, source=FundingSource.MUNICIPAL, planned=Decimal("500"))
    page = web.get(reverse("renewal:funding", args=[project.pk]), {"source": "municipal"})
    assert 'value="500.00"' in page.content.decode()


def test_stage_dates_are_planned_on_their_page(web, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    records = list(project.stages.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(records)),
        "form-INITIAL_FORMS": str(len(records)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, record in enumerate(records):
        data[f"form-{i}-id"] = str(record.pk)
        data[f"form-{i}-planned_start"] = ""
        data[f"form-{i}-planned_end"] = ""
    data["form-1-planned_start"] = "2026-03-01"
    data["form-1-planned_end"] = "2026-04-15"
    ok(web.post(reverse("renewal:stage_plan", args=[project.pk]), data))
    design = project.stages.get(stage=Stage.DESIGN)
    assert design.planned_end == datetime.date(2026, 4, 15)


def test_a_late_stage_is_flagged_on_the_timeline(web, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    services.plan_stage(
        record=project.stages.get(stage=Stage.APPLICATION),
        planned_start=datetime.date(2020, 1, 1),
        planned_end=datetime.date(2020, 2, 1),
    )
    assert "滞后" in web.get(detail(project)).content.decode()


# --- Department sign-off -------------------------------------------------------------------------


def test_a_department_user_finds_and_signs_its_pending_review(client, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    review = project.reviews.get()
    clerk = f.user_with_role(Role.DEPARTMENT, organisation=review.department)
    client.force_login(clerk)
    listing = client.get(reverse("renewal:review_list")).content.decode()
    assert reverse("renewal:review_decide", args=[review.pk]) in listing
    ok(
        client.post(
            reverse("renewal:review_decide", args=[review.pk]),
            {"decision": "reject", "comments": "需补充燃气改线方案"},
        )
    )
    review.refresh_from_db()
    project.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert project.stage == Stage.DESIGN


def test_another_departments_user_sees_no_such_review_to_sign_and_gets_403(client, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    other = f.user_with_role(Role.DEPARTMENT, organisation=f.OrganisationFactory(district=district))
    client.force_login(other)
    review = project.reviews.get()
    listing = client.get(reverse("renewal:review_list")).content.decode()
    assert reverse("renewal:review_decide", args=[review.pk]) not in listing
    response = client.post(
        reverse("renewal:review_decide", args=[review.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403


def test_a_rejection_without_comments_stays_on_the_form(web, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    review = project.reviews.get()
    response = web.post(reverse("renewal:review_decide", args=[review.pk]), {"decision": "reject"})
    assert response.status_code == 200
    assert "a rejection needs comments" in response.content.decode()


def test_overdue_reviews_are_flagged_in_the_list_filter(web, district):
    late = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    Review.objects.filter(project=late).update(due_on=datetime.date(2020, 1, 6))
    html = web.get(reverse("renewal:project_list"), {"overdue": "on"}).content.decode()
    assert late.name in html
    assert html.count("审批超期") == 1 + 1  # the filter label and the one flagged project


# --- Scope and permissions --------------------------------------------------------------------


def test_a_community_user_sees_only_projects_touching_its_compounds(client, district):
    mine = _compound(district)
    visible = f.ProjectFactory(compounds=[mine])
    hidden = f.ProjectFactory(compounds=[_compound(district)])
    client.force_login(f.user_with_role(Role.COMMUNITY, community=mine.community))
    html = client.get(reverse("renewal:project_list")).content.decode()
    assert visible.name in html
    assert hidden.name not in html
    assert client.get(detail(hidden)).status_code == 404
    assert client.get(detail(visible)).status_code == 200


def test_a_community_user_cannot_use_the_write_pages_of_its_project(client, district):
    compound = _compound(district)
    project = f.ProjectFactory(compounds=[compound])
    client.force_login(f.user_with_role(Role.COMMUNITY, community=compound.community))
    assert client.get(reverse("renewal:project_edit", args=[project.pk])).status_code == 403
    assert client.get(reverse("renewal:project_create")).status_code == 403
    assert advance(client, project, "design").status_code == 403


def test_a_community_user_records_the_residents_decision_on_the_page(client, district):
    compound = _compound(district)
    project = f.project_ready_for(Stage.DECISION, compounds=[compound])
    client.force_login(f.user_with_role(Role.COMMUNITY, community=compound.community))
    ok(
        client.post(
            reverse("renewal:decision_add", args=[project.pk]),
            {
                "decided_on": "2026-03-15",
                "outcome": "approved",
                "approval_share": "90",
                "document": upload(),
            },
        )
    )
    assert project.decisions.count() == 2


def test_documents_are_served_only_inside_the_scope(client, web, district):
    project = f.project_ready_for(Stage.DECISION, compounds=[_compound(district)])
    decision = project.decisions.get()
    url = reverse("renewal:decision_document", args=[decision.pk])
    response = web.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(f.user_with_role(Role.COMMUNITY, community=CompoundFactory().community))
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    for url in (reverse("renewal:project_list"), detail(project), reverse("renewal:catalogue")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- Lists and the catalogue -----------------------------------------------------------------------


def test_the_project_list_filters_by_year_stage_and_zone(web, district):
    zone = ZoneFactory(district=district)
    wanted = f.ProjectFactory(compounds=[_compound(district, zone=zone)], year=2024)
    other = f.ProjectFactory(compounds=[_compound(district)], year=2025)
    html = web.get(
        reverse("renewal:project_list"), {"year": "2024", "stage": "application", "zone": zone.pk}
    ).content.decode()
    assert wanted.name in html
    assert other.name not in html


def test_the_project_list_costs_a_constant_number_of_queries(
    web, district, django_assert_max_num_queries
):
    zone = ZoneFactory(district=district)
    for _ in range(6):
        project = f.ProjectFactory(compounds=[_compound(district, zone=zone) for _ in range(2)])
        services.set_funding(project=project, source=FundingSource.CENTRAL, planned=Decimal("9"))
    with django_assert_max_num_queries(12):
        response = web.get(reverse("renewal:project_list"))
    assert response.context["paginator"].count == 6


def test_the_project_page_costs_a_bounded_number_of_queries(
    web, district, django_assert_max_num_queries
):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    with django_assert_max_num_queries(25):
        assert web.get(detail(project)).status_code == 200


def test_the_catalogue_page_lists_the_seeded_items_by_category(web):
    html = web.get(reverse("renewal:catalogue")).content.decode()
    for name in ("基础类", "完善类", "提升类", "加装电梯", "燃气管道改造", "城市书房", "拆违建"):
        assert name in html


def test_the_nav_links_to_the_projects(web):
    html = web.get(reverse("renewal:catalogue")).content.decode()
    assert f'href="{reverse("renewal:project_list")}"' in html


def test_the_project_page_speaks_english_when_asked(web, district, settings):
    project = f.ProjectFactory(compounds=[_compound(district)])
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = web.get(detail(project)).content.decode()
    assert "Move on to “Design”" in html
    assert "Stages and dates" in html


def test_acceptance_documents_are_served_to_users_who_see_the_project(web, district):
    project = f.project_ready_for(Stage.ACCEPTANCE, compounds=[_compound(district)])
    url = reverse("renewal:acceptance_document", args=[project.acceptances.get().pk])
    response = web.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_every_renewal_page_with_a_pk_names_a_model_with_a_scope_rule():
    from linli.core.scoping import rule_for
    from linli.renewal import urls

    pages = [p for p in urls.urlpatterns if "<int:pk>" in str(p.pattern)]
    assert len(pages) >= 12
    for pattern in pages:
        view = pattern.callback.view_class
        model = next(k.__dict__["model"] for k in view.__mro__ if "model" in k.__dict__)
        rule_for(model)  # raises ImproperlyConfigured when the model has no scope rule


def test_the_responsible_people_offered_are_staff_never_residents(web, office, district):
    from linli.registry.tests.factories import DwellingFactory

    resident = f.user_with_role(Role.RESIDENT, dwelling=DwellingFactory())
    html = web.get(reverse("renewal:project_create")).content.decode()
    assert f">{office.username}<" in html
    assert f">{resident.username}<" not in html
