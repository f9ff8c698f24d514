"""Revealing personal data: one value of one record, only with the grant for its jurisdiction,
404 outside the scope, 403 without the grant, and an audit event for every reveal."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.roles import VIEW_PERSONAL_DATA, Role
from linli.accounts.tests.factories import user_with_role
from linli.core.models import AuditAction, AuditEvent
from linli.registry import reveal
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db

ID_NUMBER = "410303198001010015"
PHONE = "13800138000"


@pytest.fixture
def dwelling():
    return f.DwellingFactory()


@pytest.fixture
def owner(dwelling):
    return f.OwnershipFactory(
        dwelling=dwelling, owner__id_number=ID_NUMBER, owner__phone=PHONE
    ).owner


@pytest.fixture
def resident(dwelling):
    return f.ResidentFactory(household__dwelling=dwelling, id_number=ID_NUMBER, phone=PHONE)


def community_of(dwelling):
    return dwelling.stairwell.building.compound.community


@pytest.fixture
def granted(dwelling):
    """A community worker granted "view personal data" for the dwelling's community."""
    return user_with_role(
        Role.COMMUNITY,
        username="granted",
        community=community_of(dwelling),
        can_view_personal_data=True,
    )


@pytest.fixture
def colleague(dwelling):
    """A worker of the same community without the grant."""
    return user_with_role(Role.COMMUNITY, username="colleague", community=community_of(dwelling))


@pytest.fixture
def outsider():
    """Granted, but for another community."""
    return user_with_role(
        Role.COMMUNITY,
        username="outsider",
        community=f.CommunityFactory(),
        can_view_personal_data=True,
    )


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def reveals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.REVEAL))


def test_the_permission_is_the_one_role_assignments_grant():
    assert reveal.VIEW_PERSONAL_DATA == VIEW_PERSONAL_DATA


# --- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("id_number", ID_NUMBER), ("phone", PHONE)])
def test_a_granted_user_gets_an_owners_value_and_the_reveal_is_audited(
    granted, owner, field, value
):
    response = api_for(granted).post(
        f"/api/v1/owners/{owner.pk}/reveal/", {"field": field}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"field": field, "value": value}
    assert response["Cache-Control"] == "no-store"
    (event,) = reveals()
    assert (event.model_label, event.object_id) == ("registry.owner", str(owner.pk))
    assert (event.actor_id, event.changes) == (granted.pk, {"field": field})
    assert value not in str(event.changes) and value not in event.object_repr


def test_a_granted_user_gets_a_residents_value(granted, resident):
    response = api_for(granted).post(
        f"/api/v1/residents/{resident.pk}/reveal/", {"field": "id_number"}, format="json"
    )

    assert response.json()["value"] == ID_NUMBER
    (event,) = reveals()
    assert event.compound_id == resident.household.dwelling.stairwell.building.compound_id


def test_a_user_without_the_grant_is_refused_with_403_and_no_value(colleague, owner):
    response = api_for(colleague).post(
        f"/api/v1/owners/{owner.pk}/reveal/", {"field": "id_number"}, format="json"
    )

    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert "没有查看个人信息的授权" in response.json()["detail"]
    assert reveals() == []


def test_a_record_outside_the_users_scope_answers_404(outsider, owner):
    response = api_for(outsider).post(
        f"/api/v1/owners/{owner.pk}/reveal/", {"field": "id_number"}, format="json"
    )

    assert response.status_code == 404
    assert reveals() == []


def test_the_same_answer_for_an_id_that_does_not_exist(outsider, owner):
    response = api_for(outsider).post(
        f"/api/v1/owners/{owner.pk + 1000}/reveal/", {"field": "id_number"}, format="json"
    )

    assert response.status_code == 404


def test_only_personal_data_fields_can_be_revealed(granted, owner):
    response = api_for(granted).post(
        f"/api/v1/owners/{owner.pk}/reveal/", {"field": "name"}, format="json"
    )

    assert response.status_code == 400
    assert "field" in response.json()
    assert reveals() == []


def test_anonymous_callers_cannot_reveal(owner):
    response = APIClient().post(
        f"/api/v1/owners/{owner.pk}/reveal/", {"field": "id_number"}, format="json"
    )

    assert response.status_code in (401, 403)
    assert ID_NUMBER not in response.content.decode()


def test_a_grant_on_the_assignment_of_a_compound_covers_its_people(dwelling, resident):
    compound = dwelling.stairwell.building.compound
    user = user_with_role(Role.COMMUNITY, compound=compound, can_view_personal_data=True)

    response = api_for(user).post(
        f"/api/v1/residents/{resident.pk}/reveal/", {"field": "phone"}, format="json"
    )

    assert response.json()["value"] == PHONE


# --- Web -------------------------------------------------------------------------------------


def test_the_dwelling_page_shows_masked_values_and_reveal_buttons_to_a_granted_user(
    client, granted, owner, resident, dwelling
):
    client.force_login(granted)

    content = client.get(reverse("registry:dwelling_detail", args=[dwelling.pk])).content.decode()

    assert "410303********0015" in content and "138****8000" in content
    assert ID_NUMBER not in content and PHONE not in content
    assert reverse("registry:owner_personal_data", args=[owner.pk]) in content
    assert reverse("registry:resident_personal_data", args=[resident.pk]) in content


def test_the_dwelling_page_has_no_reveal_buttons_without_the_grant(
    client, colleague, owner, resident, dwelling
):
    client.force_login(colleague)

    content = client.get(reverse("registry:dwelling_detail", args=[dwelling.pk])).content.decode()

    assert "410303********0015" in content
    assert reverse("registry:owner_personal_data", args=[owner.pk]) not in content


def test_revealing_on_the_web_shows_the_value_once_and_audits_it(client, granted, resident):
    client.force_login(granted)
    url = reverse("registry:resident_personal_data", args=[resident.pk])

    response = client.post(url, {"field": "phone"})

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    content = response.content.decode()
    assert PHONE in content and ID_NUMBER not in content  # only the one asked for
    (event,) = reveals()
    assert event.changes == {"field": "phone"} and event.source == "web"
    assert PHONE not in client.get(url).content.decode()  # masked again afterwards


def test_the_web_reveal_refuses_a_user_without_the_grant(client, colleague, resident):
    client.force_login(colleague)
    url = reverse("registry:resident_personal_data", args=[resident.pk])

    page = client.get(url)
    response = client.post(url, {"field": "id_number"})

    assert page.status_code == 200 and ID_NUMBER not in page.content.decode()
    assert response.status_code == 403 and ID_NUMBER not in response.content.decode()
    assert reveals() == []


def test_the_web_reveal_of_a_record_outside_the_scope_is_404(client, outsider, owner):
    client.force_login(outsider)
    url = reverse("registry:owner_personal_data", args=[owner.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"field": "id_number"}).status_code == 404
    assert reveals() == []


def test_the_web_reveal_of_another_field_is_a_400(client, granted, owner):
    client.force_login(granted)

    response = client.post(
        reverse("registry:owner_personal_data", args=[owner.pk]), {"field": "name"}
    )

    assert response.status_code == 400
    assert reveals() == []
