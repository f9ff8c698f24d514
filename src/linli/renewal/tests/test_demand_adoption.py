"""A project adopts the residents' order (居民点单): items linked to their demand entries,
refusals naming each entry, the permission and stage rules, the API (201/409) and the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.consultation.models import DemandEntry, DemandRanking
from linli.registry.tests.factories import CompoundFactory
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import CatalogueItem, ProjectItem
from linli.renewal.services.demand import AdoptionRefused, adopt_demand
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


def ranking_for(compound, *items, households=(40, 31, 12)):
    """A computed ranking of ``compound`` naming ``items`` (catalogue items or bare codes)."""
    ranking = DemandRanking.objects.create(compound=compound, respondents=50)
    for rank, item in enumerate(items, start=1):
        code = getattr(item, "code", item)
        DemandEntry.objects.create(
            ranking=ranking,
            rank=rank,
            menu_code=code,
            label=getattr(item, "name", code),
            score=Decimal(100 - rank * 10),
            households=households[rank - 1],
            share=Decimal(households[rank - 1] * 2),
            first_choices=households[rank - 1] // 2,
        )
    return ranking


@pytest.fixture
def compound():
    return CompoundFactory()


@pytest.fixture
def office(compound):
    return f.user_with_role(Role.DISTRICT_OFFICE, district=compound.community.subdistrict.district)


@pytest.fixture
def project(compound):
    return f.ProjectFactory(compounds=[compound])


@pytest.fixture
def menu():
    # The seeded catalogue: 加装电梯, 停车位建设, 健身设施.
    return [CatalogueItem.objects.get(code=code) for code in ("I14", "I07", "I11")]


def test_adopted_items_keep_the_link_to_their_demand_and_say_where_they_came_from(
    project, compound, office, menu
):
    ranking = ranking_for(compound, *menu)
    first, second, _ = ranking.entries.all()
    rows = adopt_demand(project=project, entries=[first, second], by=office)
    assert [r.item for r in rows] == menu[:2]
    stored = ProjectItem.objects.get(project=project, item=menu[0])
    assert stored.demand == first
    assert stored.note == "居民点单第1名(40户点单)"
    assert (stored.quantity, stored.budget) == (Decimal("1"), Decimal("0.00"))
    assert list(first.project_items.all()) == [stored]


def test_unknown_inactive_and_foreign_entries_are_refused_each_by_name_and_nothing_is_added(
    project, compound, office, menu
):
    menu[1].active = False
    menu[1].save()
    ranking = ranking_for(compound, menu[0], menu[1], "ZZ9")
    elsewhere = ranking_for(CompoundFactory(), menu[2])
    entries = [*ranking.entries.all(), *elsewhere.entries.all()]
    with pytest.raises(AdoptionRefused) as refused:
        adopt_demand(project=project, entries=entries, by=office)
    codes = [r.code for r in refused.value.refusals]
    assert codes == ["inactive", "unknown_item", "other_compound"]
    assert "ZZ9" in refused.value.refusals[1].zh and "ZZ9" in refused.value.refusals[1].en
    assert menu[2].name in refused.value.refusals[2].zh
    assert not project.items.exists()


def test_an_item_already_on_the_project_is_refused(project, compound, office, menu):
    services.add_item(project=project, item=menu[0], quantity=Decimal("2"))
    ranking = ranking_for(compound, menu[0])
    with pytest.raises(AdoptionRefused) as refused:
        adopt_demand(project=project, entries=list(ranking.entries.all()), by=office)
    assert refused.value.code == "already_on_project"
    assert "加装电梯" in refused.value.zh


def test_the_same_item_chosen_from_two_compounds_rankings_is_refused_once(office, menu):
    a, b = CompoundFactory(), CompoundFactory()
    b.zone, b.community = a.zone, a.community
    b.save()
    project = f.ProjectFactory(compounds=[a, b])
    entries = [*ranking_for(a, menu[0]).entries.all(), *ranking_for(b, menu[0]).entries.all()]
    with pytest.raises(AdoptionRefused) as refused:
        adopt_demand(project=project, entries=entries, by=office)
    assert [r.code for r in refused.value.refusals] == ["chosen_twice"]


def test_adoption_needs_a_planning_stage(compound, office, menu):
    project = f.project_ready_for(Stage.DECISION, compounds=[compound])
    ranking = ranking_for(compound, menu[0])
    with pytest.raises(AdoptionRefused) as refused:
        adopt_demand(project=project, entries=list(ranking.entries.all()), by=office)
    assert refused.value.code == "wrong_stage"
    assert "采纳居民点单" in refused.value.zh


def test_adoption_needs_the_permission_to_add_items(project, compound, menu):
    worker = f.user_with_role(Role.COMMUNITY, community=compound.community)
    ranking = ranking_for(compound, menu[0])
    with pytest.raises(PermissionDenied):
        adopt_demand(project=project, entries=list(ranking.entries.all()), by=worker)
    assert not project.items.exists()


# --- API --------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_adopts_entries_with_201_and_returns_the_items_with_their_demand(
    project, compound, office, menu
):
    ranking = ranking_for(compound, *menu)
    ids = list(ranking.entries.values_list("pk", flat=True))
    answer = api_for(office).post(
        f"/api/v1/projects/{project.pk}/adopt-demand/", {"entries": ids[:2]}, format="json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert [row["item_code"] for row in body] == [menu[0].code, menu[1].code]
    assert [(row["demand"], row["demand_rank"]) for row in body] == [(ids[0], 1), (ids[1], 2)]


def test_the_api_answers_409_with_every_reason(project, compound, office, menu):
    services.add_item(project=project, item=menu[0], quantity=Decimal("1"))
    ranking = ranking_for(compound, menu[0], "ZZ9")
    ids = list(ranking.entries.values_list("pk", flat=True))
    answer = api_for(office).post(
        f"/api/v1/projects/{project.pk}/adopt-demand/", {"entries": ids}, format="json"
    )
    assert answer.status_code == 409
    refusals = answer.json()["refusals"]
    assert [r["code"] for r in refusals] == ["already_on_project", "unknown_item"]
    assert all(r["zh"] and r["en"] for r in refusals)


def test_the_api_hides_projects_outside_scope_and_refuses_readers(project, compound, menu):
    ranking = ranking_for(compound, menu[0])
    ids = list(ranking.entries.values_list("pk", flat=True))
    url = f"/api/v1/projects/{project.pk}/adopt-demand/"
    stranger = f.user_with_role(Role.COMMUNITY, community=CompoundFactory().community)
    assert api_for(stranger).post(url, {"entries": ids}, format="json").status_code == 404
    worker = f.user_with_role(Role.COMMUNITY, community=compound.community)
    assert api_for(worker).post(url, {"entries": ids}, format="json").status_code == 403
    assert not project.items.exists()


# --- Page -------------------------------------------------------------------------------------


def test_the_page_lists_the_latest_ranking_and_adopts_the_checked_entries(
    client, project, compound, office, menu
):
    ranking_for(compound, menu[2])  # an older ranking: not shown
    ranking = ranking_for(compound, *menu)
    client.force_login(office)
    url = reverse("renewal:adopt_demand", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    for entry in ranking.entries.all():
        assert f'value="{entry.pk}"' in text
    assert text.count('name="entries"') == 3
    first = ranking.entries.get(rank=1)
    answer = client.post(url, {"entries": [first.pk]}, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("renewal:project_detail", args=[project.pk])
    detail = answer.content.decode()
    assert f'data-demand="{first.pk}"' in detail and "点单第1名 · 40户" in detail
    assert project.items.get().demand == first


def test_the_page_shows_refusals_and_marks_items_already_on_the_project(
    client, project, compound, office, menu
):
    services.add_item(project=project, item=menu[0], quantity=Decimal("1"))
    ranking = ranking_for(compound, menu[0], menu[1])
    client.force_login(office)
    url = reverse("renewal:adopt_demand", args=[project.pk])
    text = client.get(url).content.decode()
    assert "已在项目中" in text
    first = ranking.entries.get(rank=1)
    answer = client.post(url, {"entries": [first.pk]})
    assert answer.status_code == 200
    assert "对应的改造内容已在项目中" in answer.content.decode()
    assert project.items.count() == 1


def test_the_page_is_404_outside_scope_and_403_without_the_permission(client, project, compound):
    url = reverse("renewal:adopt_demand", args=[project.pk])
    stranger = f.user_with_role(Role.COMMUNITY, community=CompoundFactory().community)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(f.user_with_role(Role.COMMUNITY, community=compound.community))
    assert client.get(url).status_code == 403


# --- The menu the survey builder offers -------------------------------------------------------


def test_the_active_catalogue_is_the_consultation_menu(menu):
    from linli.consultation.menu import menu_items

    menu[2].active = False
    menu[2].save()
    items = dict(menu_items())
    assert items["I14"] == "加装电梯" and items["I07"] == "停车位建设"
    assert "I11" not in items
