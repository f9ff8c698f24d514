"""The supervision check: lights stored, items opened, escalated and closed; the manual close;
the Celery task and the command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.roles import Role
from linli.renewal import models as m
from linli.renewal import services, tasks
from linli.renewal.services import supervision as service
from linli.renewal.supervision import ChainLevel, Light
from linli.renewal.tests.factories import (
    UserFactory,
    plan,
    project_ready_for,
    project_with_chain,
    user_with_role,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def late_design(days: int, **kwargs) -> m.Project:
    """A project in design whose design stage was planned to end ``days`` days ago."""
    project = project_with_chain("design", **kwargs)
    plan(project, "design", start=day(-days - 30), end=day(-days))
    return project


def open_items(project: m.Project) -> list[m.SupervisionItem]:
    return list(project.supervision_items.filter(status=m.SupervisionStatus.OPEN))


# --- Lights ----------------------------------------------------------------------------------


def test_the_check_stores_the_light_and_its_reason():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    assert (project.light, project.light_checked_on) == (Light.YELLOW, TODAY)
    assert "设计" in project.light_reason and "3 天" in project.light_reason


def test_a_project_on_schedule_stays_green_and_is_not_saved():
    project = project_with_chain("design")
    plan(project, "design", start=day(-5), end=day(5))
    before = m.Project.objects.get(pk=project.pk).updated_at
    service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    assert (project.light, project.light_checked_on) == (Light.GREEN, TODAY)
    assert project.updated_at == before


def test_a_second_run_saves_no_project_whose_light_did_not_change():
    late_design(3)
    service.run_supervision_check(today=TODAY)
    summary = service.run_supervision_check(today=TODAY)
    assert (summary.lights_changed, summary.opened) == (0, 0)


def test_works_lagging_twenty_points_behind_plan_turn_red():
    project = project_with_chain("works")
    plan(project, "works", start=day(-50), end=day(50))
    services.record_progress_report(
        project=project,
        reported_on=project.stages.get(stage="works").actual_start,
        percents={item.pk: Decimal("30") for item in project.items.all()},
    )
    service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    assert project.light == Light.RED
    assert "滞后" in project.light_reason


# --- Items -----------------------------------------------------------------------------------


def test_an_overdue_stage_opens_an_item_for_the_community_contact():
    project = late_design(3)
    summary = service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    assert summary.opened == 1
    assert (item.kind, item.key, item.stage) == ("stage", "stage:design", "design")
    assert (item.due_on, item.opened_on) == (day(-3), TODAY)
    assert (item.level, item.assignee) == (ChainLevel.COMMUNITY, project.community_contact)


def test_running_the_check_twice_never_duplicates_an_item():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    service.run_supervision_check(today=TODAY)
    service.run_supervision_check(today=day(1))
    assert project.supervision_items.count() == 1


@pytest.mark.parametrize(
    ("later", "level", "contact"),
    [
        (4, ChainLevel.COMMUNITY, "community_contact"),  # 7 days late
        (5, ChainLevel.SUBDISTRICT, "subdistrict_contact"),  # 8
        (13, ChainLevel.ZONE_LEAD, "zone_lead"),  # 16
        (28, ChainLevel.DISTRICT, "district_contact"),  # 31
    ],
)
def test_an_item_rises_up_the_chain_as_days_pass(later, level, contact):
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    summary = service.run_supervision_check(today=day(later))
    (item,) = open_items(project)
    assert (item.level, item.assignee) == (level, getattr(project, contact))
    assert summary.escalated == (0 if level == ChainLevel.COMMUNITY else 1)


def test_an_item_skips_levels_without_a_contact():
    project = late_design(3, community_contact=None, subdistrict_contact=None)
    service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    assert (item.level, item.assignee) == (ChainLevel.ZONE_LEAD, project.zone_lead)


def test_an_item_with_nobody_named_lands_unassigned_at_the_district_office():
    project = late_design(
        3, community_contact=None, subdistrict_contact=None, zone_lead=None, district_contact=None
    )
    service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    assert (item.level, item.assignee) == (ChainLevel.DISTRICT, None)


def test_a_new_contact_at_the_items_level_takes_it_over():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    successor = UserFactory(username="new-community-contact")
    services.update_project(project=project, community_contact=successor)
    service.run_supervision_check(today=day(1))
    assert open_items(project)[0].assignee == successor


def test_an_item_closes_itself_when_the_stage_is_done():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    summary = service.run_supervision_check(today=TODAY)
    item = project.supervision_items.get()
    assert summary.resolved == 1
    assert (item.status, item.resolved_on, item.resolved_by) == ("resolved", TODAY, None)
    assert item.resolution == service.AUTO_DONE
    project.refresh_from_db()
    assert project.light == Light.GREEN


def test_an_item_closes_itself_when_the_stage_is_re_planned():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    plan(project, "design", start=day(-30), end=day(10))
    service.run_supervision_check(today=TODAY)
    assert project.supervision_items.get().resolution == service.AUTO_REPLANNED


def test_a_re_planned_date_still_past_moves_the_due_date_but_never_lowers_the_level():
    project = late_design(20)
    service.run_supervision_check(today=TODAY)
    plan(project, "design", start=day(-60), end=day(-2))
    service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    assert (item.due_on, item.level) == (day(-2), ChainLevel.ZONE_LEAD)


def test_a_stage_late_again_after_an_automatic_close_opens_a_new_item():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    plan(project, "design", start=day(-30), end=day(1))
    service.run_supervision_check(today=TODAY)
    service.run_supervision_check(today=day(3))
    assert [i.status for i in project.supervision_items.order_by("pk")] == ["resolved", "open"]


def test_an_overdue_sign_off_opens_an_item_for_the_district_office():
    project = project_with_chain("joint_review")
    review = project.reviews.get()
    service.run_supervision_check(today=review.due_on + datetime.timedelta(days=1))
    (item,) = open_items(project)
    assert (item.kind, item.key) == ("review", f"review:{review.pk}")
    assert (item.level, item.assignee) == (ChainLevel.DISTRICT, project.district_contact)
    assert review.department.name in item.description


def test_a_problem_open_too_long_opens_an_item_and_its_resolution_closes_it():
    project = project_with_chain("works")
    problem = m.ProgressProblem.objects.create(
        project=project, description="雨水管堵塞", raised_on=day(-20)
    )
    service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    assert (item.kind, item.key) == ("problem", f"problem:{problem.pk}")
    problem.resolved_on = TODAY
    problem.save()
    service.run_supervision_check(today=TODAY)
    assert open_items(project) == []


def test_the_handover_clears_the_light_and_closes_the_items():
    project = project_with_chain("acceptance")
    plan(project, "acceptance", start=day(-40), end=day(-35))
    service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    assert project.light == Light.RED
    services.update_project(project=project, aftercare_owner_name="居民自管委员会")
    services.advance_stage(project=project, to=m.Stage.HANDED_OVER)
    summary = service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    assert (project.light, project.light_reason, summary.resolved) == (Light.GREEN, "", 1)
    assert open_items(project) == []


def test_handed_over_projects_that_are_clear_are_not_checked_again():
    project_ready_for("handed_over")
    assert service.run_supervision_check(today=TODAY).projects == 0


def test_refresh_light_checks_one_project_at_once():
    project = late_design(40)
    other = late_design(3)
    assessment = service.refresh_light(project=project, today=TODAY)
    assert assessment.light == project.light == Light.RED
    assert len(open_items(project)) == 1
    other.refresh_from_db()
    assert (other.light, open_items(other)) == (Light.GREEN, [])


def _queries_of_check(today: datetime.date) -> int:
    with CaptureQueriesContext(connection) as queries:
        service.run_supervision_check(today=today)
    return len(queries)


def test_a_steady_check_costs_the_same_queries_for_three_or_nine_projects():
    for _ in range(3):
        late_design(3)
    service.run_supervision_check(today=TODAY)
    few = _queries_of_check(TODAY)
    for _ in range(6):
        late_design(3)
    service.run_supervision_check(today=TODAY)
    many = _queries_of_check(TODAY)
    assert few == many <= 8


def test_a_first_check_costs_a_bounded_number_of_queries_per_change():
    projects = [late_design(3) for _ in range(5)]
    queries = _queries_of_check(TODAY)
    # Reads are fixed (8); each project whose light changes and gets an item costs its light
    # save (3 with the audit), the item's validation and save (7) and the audit's place (1).
    assert queries <= 8 + len(projects) * 11


# --- Manual close ------------------------------------------------------------------------------


def test_an_item_still_overdue_cannot_be_closed_by_hand():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    (item,) = open_items(project)
    with pytest.raises(ValidationError) as refused:
        service.resolve_item(item=item, resolution="已催办", by=project.community_contact)
    assert refused.value.code == "still_overdue"


def test_the_assignee_closes_an_item_whose_stage_is_done_before_the_next_check():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    (item,) = open_items(project)
    item = service.resolve_item(
        item=item, resolution="设计方案已定稿", by=project.community_contact
    )
    assert (item.status, item.resolution, item.resolved_by) == (
        "resolved",
        "设计方案已定稿",
        project.community_contact,
    )


def test_a_colleague_at_another_level_cannot_close_the_item():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    (item,) = open_items(project)
    with pytest.raises(PermissionDenied):
        service.resolve_item(item=item, resolution="完成", by=project.zone_lead)


def test_the_district_office_closes_any_item_in_its_scope():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    office = user_with_role(
        Role.DISTRICT_OFFICE, district=project.compounds.get().community.subdistrict.district
    )
    (item,) = open_items(project)
    assert service.resolve_item(item=item, resolution="完成", by=office).status == "resolved"


def test_closing_needs_a_resolution():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    (item,) = open_items(project)
    with pytest.raises(ValidationError):
        service.resolve_item(item=item, resolution="  ", by=project.community_contact)


def test_a_closed_item_cannot_be_closed_again():
    project = late_design(3)
    service.run_supervision_check(today=TODAY)
    services.advance_stage(project=project, to=m.Stage.DECISION)
    service.run_supervision_check(today=TODAY)
    item = project.supervision_items.get()
    office = UserFactory(username="root", is_superuser=True)
    with pytest.raises(ValidationError) as refused:
        service.resolve_item(item=item, resolution="完成", by=office)
    assert refused.value.code == "closed"


# --- Task and command ----------------------------------------------------------------------------


def test_the_celery_task_runs_the_check():
    project = late_design(3)
    summary = tasks.supervision_check.delay(TODAY.isoformat()).get()
    assert "opened 1" in summary
    assert len(open_items(project)) == 1


def test_the_beat_schedule_runs_the_task_daily_at_seven(settings):
    from linli.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["renewal-supervision-check"]
    assert entry["task"] == tasks.supervision_check.name
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert app.conf.timezone == "Asia/Shanghai"


def test_the_command_runs_the_check_as_of_a_date():
    project = late_design(3)
    out = StringIO()
    call_command("renewal", "supervise", "--date", day(20).isoformat(), stdout=out)
    assert "opened 1" in out.getvalue()
    (item,) = open_items(project)
    assert (item.opened_on, item.level) == (day(20), ChainLevel.ZONE_LEAD)
