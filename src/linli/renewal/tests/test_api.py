"""The renewal REST API: a project from application to handover, refused transitions as 409,
joint-review decisions, scoping and write permissions, filters, bounded list queries and the
OpenAPI schema."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.core.api import router
from linli.registry.models import OrganisationKind, RenovationStatus
from linli.registry.tests.factories import CompoundFactory, DistrictFactory, ZoneFactory
from linli.renewal import services
from linli.renewal.api import ScopedViewSetMixin
from linli.renewal.gates import Stage
from linli.renewal.models import FundingSource, Project, ReviewStatus
from linli.renewal.reports.services import request_report
from linli.renewal.services.supervision import run_supervision_check
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

RENEWAL_PREFIXES = sorted(
    prefix for prefix, viewset, _ in router.registry if issubclass(viewset, ScopedViewSetMixin)
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def office(district):
    return f.user_with_role(Role.DISTRICT_OFFICE, district=district)


@pytest.fixture
def api(office) -> APIClient:
    return client_for(office)


def upload(name: str = "decision.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scanned", content_type="application/pdf")


def move(api: APIClient, project_id: int, to: str, reason: str = ""):
    return api.post(
        f"/api/v1/projects/{project_id}/transition/", {"to": to, "reason": reason}, format="json"
    )


# --- The whole way through ----------------------------------------------------------------------


def test_a_district_user_takes_a_project_from_application_to_handover_through_the_api(
    api, office, district
):
    compound = CompoundFactory(community__subdistrict__district=district)
    gas = f.OrganisationFactory(
        name="洛阳新奥燃气", kind=OrganisationKind.UTILITY, district=district
    )
    pipes = f.CatalogueItemFactory(name="燃气管道", unit="m")
    f.ReviewRuleFactory(item=pipes, department=gas)
    builder = f.OrganisationFactory(kind=OrganisationKind.CONSTRUCTION, district=district)

    created = api.post(
        "/api/v1/projects/",
        {
            "code": "XG-2026-01",
            "name": "道南路70号院改造",
            "year": 2026,
            "compounds": [compound.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["stage"] == "application"
    assert move(api, pk, "design").status_code == 200
    item = api.post(
        "/api/v1/project-items/",
        {"project": pk, "item": pipes.pk, "quantity": "850", "budget": "420000.00"},
        format="json",
    )
    assert item.status_code == 201, item.content
    funding = api.post(
        "/api/v1/funding-lines/",
        {"project": pk, "source": "central", "planned": "300000", "allocated": "300000"},
        format="json",
    )
    assert funding.status_code == 201, funding.content
    assert move(api, pk, "decision").status_code == 200
    decision = api.post(
        "/api/v1/decision-records/",
        {"project": pk, "decided_on": "2026-04-01", "approval_share": "91.5", "document": upload()},
        format="multipart",
    )
    assert decision.status_code == 201, decision.content
    reviews = api.post(f"/api/v1/projects/{pk}/joint-review/")
    assert reviews.status_code == 201, reviews.content
    assert [r["department_name"] for r in reviews.json()] == ["洛阳新奥燃气"]
    for review in reviews.json():
        signed = api.post(
            f"/api/v1/reviews/{review['id']}/decide/", {"decision": "approve"}, format="json"
        )
        assert signed.status_code == 200, signed.content
    assert move(api, pk, "tender").status_code == 200
    patched = api.patch(f"/api/v1/projects/{pk}/", {"construction_firm": builder.pk}, format="json")
    assert patched.status_code == 200, patched.content
    assert move(api, pk, "works").status_code == 200
    items = api.get(f"/api/v1/projects/{pk}/").json()["items"]
    lines = [{"project_item": item["id"], "percent": "100"} for item in items]
    progress = api.post(
        "/api/v1/progress-reports/",
        {"project": pk, "reported_on": timezone.localdate().isoformat(), "lines": lines},
        format="json",
    )
    assert progress.status_code == 201, progress.content
    assert move(api, pk, "completed").status_code == 200
    acceptance = api.post(
        "/api/v1/acceptance-records/",
        {
            "project": pk,
            "accepted_on": "2026-10-20",
            "satisfaction_percent": "93",
            "document": upload("acceptance.pdf"),
        },
        format="multipart",
    )
    assert acceptance.status_code == 201, acceptance.content
    assert move(api, pk, "acceptance").status_code == 200
    api.patch(f"/api/v1/projects/{pk}/", {"aftercare_owner_name": "居民自管会"}, format="json")
    done = move(api, pk, "handed_over")
    assert done.status_code == 200, done.content

    body = done.json()
    assert body["stage"] == "handed_over"
    assert body["budget_total"] == "420000.00"
    assert body["planned_total"] == "300000.00"
    assert [s["stage"] for s in body["stages"]] == list(Stage.values)
    assert all(s["actual_start"] for s in body["stages"])
    log = api.get("/api/v1/transitions/", {"project": pk}).json()["results"]
    assert len(log) == len(Stage.values)
    assert {t["by_username"] for t in log} == {office.username}
    compound.refresh_from_db()
    assert compound.renovation_status == RenovationStatus.RENOVATED


# --- Refusals and decisions --------------------------------------------------------------------


def test_a_transition_that_breaks_a_gate_answers_409_with_the_reasons_in_both_languages(
    api, district
):
    project = f.project_ready_for(Stage.WORKS, compounds=[_compound(district)])
    response = move(api, project.pk, "completed")
    assert response.status_code == 409
    body = response.json()
    assert [r["code"] for r in body["refusals"]] == ["progress_incomplete"]
    assert "100%" in body["refusals"][0]["zh"] and "100%" in body["refusals"][0]["en"]
    assert body["detail"].startswith("工程进度")


def test_skipping_a_stage_answers_409(api, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    response = move(api, project.pk, "tender")
    assert response.status_code == 409
    assert response.json()["refusals"][0]["code"] == "skip"


def test_an_unknown_stage_is_a_400_naming_the_field(api, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    response = move(api, project.pk, "demolished")
    assert response.status_code == 400
    assert "to" in response.json()


def test_joint_review_before_a_decision_answers_409(api, district):
    project = f.project_ready_for(Stage.DESIGN, compounds=[_compound(district)])
    services.advance_stage(project=project, to=Stage.DECISION)
    response = api.post(f"/api/v1/projects/{project.pk}/joint-review/")
    assert response.status_code == 409
    assert response.json()["refusals"][0]["code"] == "no_decision"


def test_next_stages_lists_the_refusals(api, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    response = api.get(f"/api/v1/projects/{project.pk}/next-stages/")
    assert response.status_code == 200
    options = response.json()
    assert [(o["stage"], o["allowed"]) for o in options] == [("tender", False), ("design", True)]
    assert options[0]["refusals"][0]["code"] == "reviews_pending"


def test_a_rejection_through_the_api_returns_the_project_to_design(api, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    review = project.reviews.get()
    response = api.post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"decision": "reject", "comments": "燃气管线须改线"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert api.get(f"/api/v1/projects/{project.pk}/").json()["stage"] == "design"


def test_a_rejection_without_comments_is_a_400_on_comments(api, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    response = api.post(
        f"/api/v1/reviews/{project.reviews.get().pk}/decide/", {"decision": "reject"}, format="json"
    )
    assert response.status_code == 400
    assert "comments" in response.json()


def test_a_department_signs_its_own_review_through_the_api(district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    review = project.reviews.get()
    clerk = f.user_with_role(Role.DEPARTMENT, organisation=review.department)
    response = client_for(clerk).post(
        f"/api/v1/reviews/{review.pk}/decide/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_another_department_gets_403_on_a_review_it_can_see(district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    other = f.user_with_role(Role.DEPARTMENT, organisation=f.OrganisationFactory(district=district))
    review = project.reviews.get()
    response = client_for(other).post(
        f"/api/v1/reviews/{review.pk}/decide/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_overdue_reviews_can_be_listed(api, district):
    project = f.project_ready_for(Stage.JOINT_REVIEW, compounds=[_compound(district)])
    review = project.reviews.get()
    type(review).objects.filter(pk=review.pk).update(due_on=datetime.date(2020, 1, 6))
    body = api.get("/api/v1/reviews/", {"overdue": "true"}).json()
    assert [r["id"] for r in body["results"]] == [review.pk]
    assert body["results"][0]["overdue"] is True
    projects = api.get("/api/v1/projects/", {"overdue": "true"}).json()["results"]
    assert [p["id"] for p in projects] == [project.pk]
    assert projects[0]["has_overdue_review"] is True


# --- Validation ------------------------------------------------------------------------------


def test_a_clustered_project_across_zones_is_a_400_on_compounds(api, district):
    a = _compound(district)
    b = CompoundFactory(community=a.community, zone=ZoneFactory(district=district))
    response = api.post(
        "/api/v1/projects/",
        {"code": "X1", "name": "跨片区", "year": 2026, "compounds": [a.pk, b.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "同一片区" in response.json()["compounds"][0]


def test_a_duplicate_project_code_is_a_400_on_code(api, district):
    f.ProjectFactory(code="DUP1", compounds=[_compound(district)])
    response = api.post(
        "/api/v1/projects/",
        {"code": "DUP1", "name": "重复", "year": 2026, "compounds": [_compound(district).pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_disbursing_more_than_allocated_is_a_400_on_disbursed(api, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    response = api.post(
        "/api/v1/funding-lines/",
        {
            "project": project.pk,
            "source": "district",
            "planned": "100",
            "allocated": "50",
            "disbursed": "80",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "disbursed" in response.json()


def test_patching_a_funding_line_keeps_the_other_amounts(api, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    line = services.set_funding(
        project=project, source=FundingSource.MUNICIPAL, planned=Decimal("1000")
    )
    response = api.patch(f"/api/v1/funding-lines/{line.pk}/", {"allocated": "400"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["planned"], response.json()["allocated"]) == ("1000.00", "400.00")


def test_stage_planned_dates_can_be_patched_but_actual_dates_cannot(api, district):
    project = f.ProjectFactory(compounds=[_compound(district)])
    record = project.stages.get(stage="design")
    response = api.patch(
        f"/api/v1/stage-records/{record.pk}/",
        {"planned_start": "2026-03-01", "planned_end": "2026-04-30", "actual_start": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.planned_end == datetime.date(2026, 4, 30)
    assert record.actual_start is None


def test_removing_an_item_after_the_decision_stage_began_is_a_400(api, district):
    project = f.project_ready_for(Stage.DECISION, compounds=[_compound(district)])
    response = api.delete(f"/api/v1/project-items/{project.items.get().pk}/")
    assert response.status_code == 400
    assert project.items.count() == 1


# --- Scope and permissions ----------------------------------------------------------------------


def _compound(district, **kwargs):
    return CompoundFactory(community__subdistrict__district=district, **kwargs)


def test_a_community_user_sees_only_projects_touching_its_compounds(district):
    mine = _compound(district)
    theirs = CompoundFactory(community__subdistrict=mine.community.subdistrict)
    visible = f.ProjectFactory(compounds=[mine])
    f.ProjectFactory(compounds=[theirs])
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=mine.community))
    ids = [p["id"] for p in clerk.get("/api/v1/projects/").json()["results"]]
    assert ids == [visible.pk]


def test_a_project_outside_the_scope_is_a_404(district):
    mine = _compound(district)
    outside = f.ProjectFactory(compounds=[CompoundFactory()])
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=mine.community))
    assert clerk.get(f"/api/v1/projects/{outside.pk}/").status_code == 404
    assert (
        clerk.post(f"/api/v1/projects/{outside.pk}/transition/", {"to": "design"}).status_code
        == 404
    )


def test_a_community_user_may_read_but_not_advance_its_project(district):
    compound = _compound(district)
    project = f.ProjectFactory(compounds=[compound])
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    assert clerk.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert move(clerk, project.pk, "design").status_code == 403
    assert clerk.patch(f"/api/v1/projects/{project.pk}/", {"name": "x"}).status_code == 403


def test_a_community_user_cannot_create_projects(district):
    compound = _compound(district)
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    response = clerk.post(
        "/api/v1/projects/",
        {"code": "C1", "name": "社区项目", "year": 2026, "compounds": [compound.pk]},
        format="json",
    )
    assert response.status_code == 403


def test_a_community_user_records_the_residents_decision_of_its_project(district):
    compound = _compound(district)
    project = f.project_ready_for(Stage.DECISION, compounds=[compound])
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    response = clerk.post(
        "/api/v1/decision-records/",
        {
            "project": project.pk,
            "decided_on": "2026-05-06",
            "approval_share": "88",
            "document": upload(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert project.decisions.count() == 2


def test_a_decision_for_a_project_outside_the_scope_is_a_400_that_does_not_leak(district):
    compound = _compound(district)
    outside = f.project_ready_for(Stage.DECISION, compounds=[CompoundFactory()])
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    response = clerk.post(
        "/api/v1/decision-records/",
        {
            "project": outside.pk,
            "decided_on": "2026-05-06",
            "approval_share": "88",
            "document": upload(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "project" in response.json()


def test_a_project_cannot_be_created_on_a_compound_outside_the_write_scope(api):
    response = api.post(
        "/api/v1/projects/",
        {
            "code": "O1",
            "name": "越界",
            "year": 2026,
            "compounds": [CompoundFactory(community__subdistrict__district__code="410302").pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "compounds" in response.json()


def test_a_contractor_sees_only_the_projects_it_works_on(district):
    firm = f.OrganisationFactory(kind=OrganisationKind.DESIGN, district=district)
    assigned = f.ProjectFactory(compounds=[_compound(district)], design_firm=firm)
    f.ProjectFactory(compounds=[_compound(district)])
    contractor = client_for(f.user_with_role(Role.CONTRACTOR, organisation=firm))
    ids = [p["id"] for p in contractor.get("/api/v1/projects/").json()["results"]]
    assert ids == [assigned.pk]


def test_a_resident_sees_no_projects(district):
    from linli.registry.tests.factories import DwellingFactory

    compound = _compound(district)
    f.ProjectFactory(compounds=[compound])
    dwelling = DwellingFactory(stairwell__building__compound=compound)
    resident = client_for(f.user_with_role(Role.RESIDENT, dwelling=dwelling))
    assert resident.get("/api/v1/projects/").json()["results"] == []


def test_the_catalogue_is_readable_by_any_role_but_edited_only_by_the_district_office(
    api, district
):
    compound = _compound(district)
    clerk = client_for(f.user_with_role(Role.COMMUNITY, community=compound.community))
    listing = clerk.get("/api/v1/catalogue-items/", {"page_size": 100})
    assert listing.status_code == 200
    assert listing.json()["count"] >= 39
    item = listing.json()["results"][0]
    assert (
        clerk.patch(f"/api/v1/catalogue-items/{item['id']}/", {"name": "改名"}).status_code == 403
    )
    assert (
        api.patch(
            f"/api/v1/catalogue-items/{item['id']}/", {"description": "区百城办修订"}, format="json"
        ).status_code
        == 200
    )


def test_anonymous_callers_get_nothing():
    assert APIClient().get("/api/v1/projects/").status_code in (401, 403)


# --- Filters, query counts, schema ----------------------------------------------------------------


def test_projects_filter_by_year_batch_stage_zone_and_compound(api, district):
    zone = ZoneFactory(district=district)
    compound = _compound(district, zone=zone)
    target = f.ProjectFactory(compounds=[compound], year=2025, batch=2)
    f.ProjectFactory(compounds=[_compound(district)], year=2025, batch=1)
    f.ProjectFactory(compounds=[_compound(district)], year=2024, batch=2)

    def ids(**params):
        return [p["id"] for p in api.get("/api/v1/projects/", params).json()["results"]]

    assert ids(year=2025, batch=2) == [target.pk]
    assert ids(zone=zone.pk) == [target.pk]
    assert ids(compound=compound.pk) == [target.pk]
    assert len(ids(stage="application")) == 3
    assert ids(stage="design") == []


@pytest.fixture
def busy_district(district, office):
    """Three projects at different stages with items, funding, reviews and records, a late
    works stage under supervision, and a report requested by the office."""
    for stage in (Stage.JOINT_REVIEW, Stage.WORKS, Stage.HANDED_OVER):
        project = f.project_ready_for(stage, compounds=[_compound(district)])
        services.set_funding(project=project, source=FundingSource.CENTRAL, planned=Decimal("9"))
        services.set_funding(project=project, source=FundingSource.DISTRICT, planned=Decimal("9"))
        if stage == Stage.WORKS:
            report = services.record_progress_report(
                project=project,
                reported_on=timezone.localdate(),
                percents={item.pk: Decimal("30") for item in project.items.all()},
            )
            services.add_progress_photo(report=report, image=f.jpeg())
            services.raise_problem(
                project=project, description="井盖缺失", raised_on=timezone.localdate()
            )
            works = project.stages.get(stage=Stage.WORKS)
            today = timezone.localdate()
            services.plan_stage(
                record=works,
                planned_start=today - datetime.timedelta(days=60),
                planned_end=today - datetime.timedelta(days=10),
            )
    run_supervision_check()
    year, week, _ = timezone.localdate().isocalendar()
    request_report(kind="weekly", period=f"{year}-W{week:02d}", format="xlsx", by=office)


# Lists whose rows carry prefetched parts: projects (compounds, items, funding, stages,
# reviews), progress reports (lines, photos).
EXTRA_LIST_QUERIES = {"projects": 4, "progress-reports": 2}


@pytest.mark.parametrize("prefix", RENEWAL_PREFIXES)
def test_a_renewal_list_costs_a_constant_number_of_queries(
    api, busy_district, prefix, django_assert_max_num_queries
):
    # Role assignments, count, page; a project adds its prefetched parts (compounds, items,
    # funding, stages, reviews).
    with django_assert_max_num_queries(4 + EXTRA_LIST_QUERIES.get(prefix, 0)):
        response = api.get(f"/api/v1/{prefix}/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 1


def test_every_renewal_endpoint_is_in_the_schema_without_warnings(tmp_path):
    reset_generator_stats()
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for prefix in RENEWAL_PREFIXES:
        assert f"/api/v1/{prefix}/:" in schema
    assert "/api/v1/projects/{id}/transition/:" in schema
    assert "/api/v1/reviews/{id}/decide/:" in schema


def test_projects_are_listed_with_nested_items_funding_stages_and_reviews(api, busy_district):
    body = api.get("/api/v1/projects/", {"stage": "joint_review"}).json()["results"][0]
    assert len(body["items"]) == 1
    assert {line["source"] for line in body["funding"]} == {"central", "district"}
    assert len(body["stages"]) == 9
    assert body["reviews"][0]["status"] == "pending"
    assert Project.objects.get(pk=body["id"]).code == body["code"]
