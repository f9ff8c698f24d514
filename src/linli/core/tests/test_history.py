"""History pages: every object page links to its audit history; the history shows who changed
what, is paginated and answers 404 for objects outside the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.core import audit
from linli.core.models import AuditSource
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def history(obj) -> str:
    opts = obj._meta
    return reverse("core:history", args=[opts.app_label, opts.model_name, obj.pk])


@pytest.fixture
def compound():
    return f.CompoundFactory(name="道南路70号院")


@pytest.fixture
def community_client(client, compound):
    client.force_login(
        user_with_role(Role.COMMUNITY, username="grid", community=compound.community)
    )
    return client


def test_the_history_lists_each_change_with_field_labels_and_values(community_client, compound):
    with audit.audit_context(source=AuditSource.WEB, actor_username="clerk"):
        compound.name = "道南路70号院(西)"
        compound.save()

    response = community_client.get(history(compound))

    assert response.status_code == 200
    content = response.content.decode()
    assert "名称" in content  # the field's label, not its name
    assert "道南路70号院 → 道南路70号院(西)" in content
    assert "clerk" in content and "网页" in content


def test_the_newest_event_comes_first(community_client, compound):
    for name in ("第一次", "第二次"):
        compound.name = name
        compound.save()

    rows = community_client.get(history(compound)).context["rows"]

    assert [r.changes[0].after for r in rows[:2]] == ["第二次", "第一次"]


def test_choice_values_are_shown_by_their_labels(community_client, compound):
    compound.renovation_status = "planned"
    compound.save()

    content = community_client.get(history(compound)).content.decode()

    assert "未纳入计划 → 已纳入计划" in content


def test_the_history_is_paginated(community_client, compound):
    for n in range(55):
        compound.address = f"{n}号"
        compound.save()

    response = community_client.get(history(compound))

    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.count == 56  # and the create


def test_the_history_page_takes_a_bounded_number_of_queries(
    community_client, compound, django_assert_max_num_queries
):
    for n in range(30):
        compound.address = f"{n}号"
        compound.save()

    with django_assert_max_num_queries(8):
        community_client.get(history(compound))


def test_the_history_of_an_object_outside_the_users_scope_is_404(community_client):
    elsewhere = f.CompoundFactory()

    assert community_client.get(history(elsewhere)).status_code == 404


def test_the_history_of_an_unknown_model_or_object_is_404(community_client, compound):
    assert community_client.get("/history/registry/nothing/1/").status_code == 404
    assert (
        community_client.get(f"/history/registry/compound/{compound.pk + 99}/").status_code == 404
    )


def test_a_users_history_is_only_for_superusers(community_client, admin_client, django_user_model):
    other = django_user_model.objects.create_user("other")

    assert community_client.get(history(other)).status_code == 404
    assert admin_client.get(history(other)).status_code == 200


def test_the_history_needs_a_login(client, compound):
    response = client.get(history(compound))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_reveal_is_shown_by_the_field_it_revealed_never_the_value(community_client):
    resident = f.ResidentFactory(household__dwelling__stairwell__building__compound__name="甲院")
    client_user = user_with_role(
        Role.COMMUNITY,
        username="granted",
        community=resident.household.dwelling.stairwell.building.compound.community,
        can_view_personal_data=True,
    )
    community_client.force_login(client_user)
    community_client.post(
        reverse("registry:resident_personal_data", args=[resident.pk]), {"field": "id_number"}
    )

    content = community_client.get(history(resident)).content.decode()

    assert "查看了完整的身份证号" in content
    assert resident.id_number.reveal() not in content


@pytest.mark.parametrize(
    ("url_name", "target"),
    [
        (
            "registry:district_detail",
            lambda d: d.stairwell.building.compound.community.subdistrict.district,
        ),
        (
            "registry:subdistrict_detail",
            lambda d: d.stairwell.building.compound.community.subdistrict,
        ),
        ("registry:community_detail", lambda d: d.stairwell.building.compound.community),
        ("registry:compound_detail", lambda d: d.stairwell.building.compound),
        ("registry:building_detail", lambda d: d.stairwell.building),
        ("registry:stairwell_detail", lambda d: d.stairwell),
        ("registry:dwelling_detail", lambda d: d),
    ],
)
def test_every_registry_object_page_links_to_its_history(client, url_name, target):
    dwelling = f.DwellingFactory()
    obj = target(dwelling)
    client.force_login(
        user_with_role(Role.COMMUNITY, community=dwelling.stairwell.building.compound.community)
    )

    content = client.get(reverse(url_name, args=[obj.pk])).content.decode()

    assert f'href="{history(obj)}"' in content
    assert client.get(history(obj)).status_code == 200
