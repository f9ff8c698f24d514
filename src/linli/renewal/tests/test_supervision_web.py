"""Supervision in the API and on the pages: items follow their project's scope, "mine", the
resolve action and form, and the lights on the project list and page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.registry.tests.factories import CompoundFactory
from linli.renewal import models as m
from linli.renewal import services
from linli.renewal.services import supervision as service
from linli.renewal.supervision import ChainLevel, Light
from linli.renewal.tests.factories import UserFactory, plan, project_with_chain, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def supervised(days_late: int = 3) -> tuple[m.Project, m.SupervisionItem]:
    """A project in design, ``days_late`` days past its planned end, whose community contact
    is a community user, with the item the check opened."""
    compound = CompoundFactory()
    contact = user_with_role(Role.COMMUNITY, community=compound.community)
    project = project_with_chain("design", compounds=[compound], community_contact=contact)
    plan(project, "design", start=day(-days_late - 30), end=day(-days_late))
    service.run_supervision_check(today=TODAY)
    project.refresh_from_db()
    return project, project.supervision_items.get()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- API -------------------------------------------------------------------------------------


def test_a_community_user_lists_only_the_items_of_its_projects(django_assert_max_num_queries):
    project, item = supervised()
    supervised()  # another community's project, with its own item
    with django_assert_max_num_queries(8):
        response = api(project.community_contact).get("/api/v1/supervision-items/")
    assert response.status_code == 200
    assert ids(response) == {item.pk}
    row = response.json()["results"][0]
    assert (row["level"], row["days_late"], row["project_light"]) == ("community", 3, "yellow")
    assert row["assignee_name"] == project.community_contact.username


def test_an_item_outside_the_scope_answers_404():
    project, _ = supervised()
    _, elsewhere = supervised()
    response = api(project.community_contact).get(f"/api/v1/supervision-items/{elsewhere.pk}/")
    assert response.status_code == 404


def test_mine_keeps_the_items_of_my_level_of_the_chain():
    project, item = supervised()
    zone_lead = user_with_role(Role.ZONE_LEAD, zone=project.zone)
    assert ids(api(project.community_contact).get("/api/v1/supervision-items/?mine=true")) == {
        item.pk
    }
    assert ids(api(zone_lead).get("/api/v1/supervision-items/?mine=true")) == set()
    assert ids(api(zone_lead).get("/api/v1/supervision-items/?mine=false")) == {item.pk}


def test_items_filter_by_level_status_light_and_zone():
    project, item = supervised()
    _, late = supervised(days_late=40)
    office = user_with_role(Role.DISTRICT_OFFICE, district=project.zone.district)
    client = api(office)
    assert ids(client.get("/api/v1/supervision-items/?level=district")) == {late.pk}
    assert ids(client.get("/api/v1/supervision-items/?light=yellow")) == {item.pk}
    assert ids(client.get(f"/api/v1/supervision-items/?zone={project.zone_id}")) == {item.pk}
    assert ids(client.get("/api/v1/supervision-items/?status=resolved")) == set()


def test_resolving_an_item_still_overdue_answers_400():
    project, item = supervised()
    response = api(project.community_contact).post(
        f"/api/v1/supervision-items/{item.pk}/resolve/", {"resolution": "已催办"}, format="json"
    )
    assert response.status_code == 400
    assert "still overdue" in str(response.json())


def test_the_assignee_resolves_an_item_once_the_stage_is_done():
    project, item = supervised()
    services.advance_stage(project=project, to=m.Stage.DECISION)
    response = api(project.community_contact).post(
        f"/api/v1/supervision-items/{item.pk}/resolve/", {"resolution": "已定稿"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolution"]) == ("resolved", "已定稿")


def test_a_colleague_who_sees_the_item_but_does_not_hold_it_gets_403():
    project, item = supervised()
    services.advance_stage(project=project, to=m.Stage.DECISION)
    zone_lead = user_with_role(Role.ZONE_LEAD, zone=project.zone)
    response = api(zone_lead).post(
        f"/api/v1/supervision-items/{item.pk}/resolve/", {"resolution": "完成"}, format="json"
    )
    assert response.status_code == 403


def test_the_project_api_shows_and_filters_the_light():
    project, _ = supervised()
    client = api(project.community_contact)
    row = client.get(f"/api/v1/projects/{project.pk}/").json()
    assert (row["light"], row["light_label"]) == ("yellow", "黄灯")
    assert "设计" in row["light_reason"]
    assert ids(client.get("/api/v1/projects/?light=yellow")) == {project.pk}
    assert ids(client.get("/api/v1/projects/?light=green")) == set()


def test_a_transition_through_the_api_refreshes_the_light():
    project, _ = supervised()
    office = user_with_role(Role.DISTRICT_OFFICE, district=project.zone.district)
    response = api(office).post(
        f"/api/v1/projects/{project.pk}/transition/", {"to": "decision"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["light"] == Light.GREEN
    assert project.supervision_items.get().status == "resolved"


# --- Pages -------------------------------------------------------------------------------------


def test_the_work_list_shows_my_open_items_and_the_light_counts(
    client, django_assert_max_num_queries
):
    project, item = supervised()
    supervised()
    client.force_login(project.community_contact)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("renewal:supervision_list"))
    assert response.status_code == 200
    assert [row for row, _days in response.context["items"]] == [item]
    assert dict(response.context["light_counts"])[Light.YELLOW] == 1
    assert "督办事项" in response.content.decode()


def test_the_work_list_of_a_zone_lead_shows_everything_in_its_zone_on_request(client):
    project, item = supervised()
    zone_lead = user_with_role(Role.ZONE_LEAD, zone=project.zone)
    client.force_login(zone_lead)
    mine = client.get(reverse("renewal:supervision_list"))
    everything = client.get(reverse("renewal:supervision_list") + "?show=all")
    assert mine.context["items"] == []
    assert [row for row, _days in everything.context["items"]] == [item]


def test_an_item_page_outside_the_scope_answers_404(client):
    project, _ = supervised()
    _, elsewhere = supervised()
    client.force_login(project.community_contact)
    assert client.get(reverse("renewal:supervision_item", args=[elsewhere.pk])).status_code == 404


def test_the_item_page_refuses_to_close_an_item_still_overdue(client):
    project, item = supervised()
    client.force_login(project.community_contact)
    url = reverse("renewal:supervision_item", args=[item.pk])
    response = client.post(url, {"resolution": "已催办"})
    assert response.status_code == 200
    assert "仍然逾期" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_the_assignee_closes_the_item_on_its_page(client):
    project, item = supervised()
    services.advance_stage(project=project, to=m.Stage.DECISION)
    client.force_login(project.community_contact)
    url = reverse("renewal:supervision_item", args=[item.pk])
    assert client.post(url, {"resolution": "已定稿"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.resolved_by) == ("resolved", project.community_contact)


def test_a_colleague_sees_the_item_page_without_the_form_and_cannot_post(client):
    project, item = supervised()
    zone_lead = user_with_role(Role.ZONE_LEAD, zone=project.zone)
    client.force_login(zone_lead)
    url = reverse("renewal:supervision_item", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(url, {"resolution": "完成"}).status_code == 403


def test_the_project_list_shows_the_light_and_filters_by_it(client):
    project, _ = supervised()
    office = user_with_role(Role.DISTRICT_OFFICE, district=project.zone.district)
    client.force_login(office)
    yellow = client.get(reverse("renewal:project_list") + "?light=yellow")
    red = client.get(reverse("renewal:project_list") + "?light=red")
    assert list(yellow.context["projects"]) == [project]
    assert list(red.context["projects"]) == []
    assert 'class="light light-yellow"' in yellow.content.decode()


def test_the_project_page_shows_the_light_its_reasons_and_the_open_items(client):
    project, item = supervised(days_late=35)
    client.force_login(project.community_contact)
    response = client.get(reverse("renewal:project_detail", args=[project.pk]))
    body = response.content.decode()
    assert response.context["supervision"].light == Light.RED
    assert "“设计”阶段逾期 35 天" in body
    assert response.context["supervision_items"] == [item]
    assert item.get_level_display() == ChainLevel.DISTRICT.label


def test_a_transition_on_the_project_page_refreshes_the_light(client):
    project, item = supervised()
    office = user_with_role(Role.DISTRICT_OFFICE, district=project.zone.district)
    client.force_login(office)
    response = client.post(
        reverse("renewal:transition", args=[project.pk]), {"to": "decision", "reason": ""}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    item.refresh_from_db()
    assert (project.stage, project.light, item.status) == ("decision", Light.GREEN, "resolved")


def test_the_admin_lists_supervision_items_read_only(admin_client):
    _, item = supervised()
    changelist = admin_client.get(reverse("admin:renewal_supervisionitem_changelist"))
    assert changelist.status_code == 200 and item.description in changelist.content.decode()
    change = admin_client.post(
        reverse("admin:renewal_supervisionitem_change", args=[item.pk]), {"status": "resolved"}
    )
    assert change.status_code == 403


def test_the_item_list_costs_the_same_queries_for_one_or_four_items(
    django_assert_max_num_queries,
):
    project, _ = supervised()
    office = user_with_role(Role.DISTRICT_OFFICE, district=project.zone.district)
    for _ in range(3):
        supervised()
    with django_assert_max_num_queries(8):
        response = api(office).get("/api/v1/supervision-items/")
    assert len(response.json()["results"]) == 4


def test_a_user_without_a_level_of_the_chain_sees_every_item_in_scope_by_default(client):
    _, item = supervised()
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.get(reverse("renewal:supervision_list"))
    assert [row for row, _days in response.context["items"]] == [item]


def test_a_user_without_any_scope_gets_an_empty_work_list(client):
    supervised()
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("renewal:supervision_list") + "?show=all&status=any")
    assert response.status_code == 200
    assert response.context["items"] == []
    assert response.context["paginator"].count == 0
