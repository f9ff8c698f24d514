"""The Django admin shows and changes only what the staff user's roles hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.registry import models as m
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts() -> dict[str, Any]:
    ours = f.DistrictFactory()
    theirs = f.DistrictFactory(code="410302", name="老城区")
    their_sub = f.SubdistrictFactory(district=theirs, code="410302001")
    return {
        "ours": ours,
        "theirs": theirs,
        "our_compound": f.CompoundFactory(),
        "their_compound": f.CompoundFactory(community=f.CommunityFactory(subdistrict=their_sub)),
    }


def staff(role: str, **jurisdiction: Any) -> Any:
    user = user_with_role(role, **jurisdiction)
    user.is_staff = True
    user.save()
    return user


def admin_url(model: type, action: str, *args: Any) -> str:
    return reverse(f"admin:registry_{model._meta.model_name}_{action}", args=args)


def test_the_compound_change_list_holds_only_the_officers_district(client, two_districts):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    response = client.get(admin_url(m.Compound, "changelist"))
    assert list(response.context["cl"].result_list) == [two_districts["our_compound"]]


def test_a_compound_of_another_district_cannot_be_opened(client, two_districts):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    theirs = two_districts["their_compound"]
    response = client.get(admin_url(m.Compound, "change", theirs.pk))
    # Django's admin answers a missing id this way too: back to the index, "does not exist".
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_staff_community_worker_may_change_its_compound_but_not_delete_it(client):
    compound = f.CompoundFactory()
    client.force_login(staff(Role.COMMUNITY, community=compound.community))
    response = client.get(admin_url(m.Compound, "change", compound.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]
    assert client.get(admin_url(m.Compound, "delete", compound.pk)).status_code == 403


def test_a_zone_lead_may_only_view_its_compounds(client):
    compound = f.CompoundFactory()
    client.force_login(staff(Role.ZONE_LEAD, zone=compound.zone))
    response = client.get(admin_url(m.Compound, "change", compound.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get(admin_url(m.Compound, "add")).status_code == 403


def test_foreign_key_choices_hold_only_compounds_the_user_may_add_buildings_to(
    client, two_districts
):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    form = client.get(admin_url(m.Building, "add")).context["adminform"].form
    assert list(form.fields["compound"].queryset) == [two_districts["our_compound"]]


def test_a_building_cannot_be_added_to_a_compound_of_another_district(client, two_districts):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    payload = {
        "compound": two_districts["their_compound"].pk,
        "number": "9",
        "storeys": 6,
        "structure": "brick_concrete",
        "stairwells-TOTAL_FORMS": 0,
        "stairwells-INITIAL_FORMS": 0,
    }
    response = client.post(admin_url(m.Building, "add"), payload)
    assert response.status_code == 200  # the form again, with an error
    assert "compound" in response.context["adminform"].form.errors
    assert not m.Building.objects.filter(number="9").exists()


def test_autocomplete_offers_only_compounds_in_scope(client, two_districts):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": "building", "field_name": "compound"},
    )
    assert response.status_code == 200
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids == {two_districts["our_compound"].pk}


def test_the_zone_filter_lists_only_zones_of_the_users_compounds(client, two_districts):
    client.force_login(staff(Role.DISTRICT_OFFICE, district=two_districts["ours"]))
    response = client.get(admin_url(m.Compound, "changelist"))
    zone_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "zone"
    )
    offered = {pk for pk, _label in zone_filter.lookup_choices}
    assert offered == {two_districts["our_compound"].zone_id}


def test_the_district_office_manages_the_role_assignments_of_its_district(client, two_districts):
    officer = staff(Role.DISTRICT_OFFICE, district=two_districts["ours"])
    worker = user_with_role(Role.COMMUNITY, community=two_districts["our_compound"].community)
    stranger = user_with_role(Role.COMMUNITY, community=two_districts["their_compound"].community)
    client.force_login(officer)
    response = client.get(reverse("admin:accounts_roleassignment_changelist"))
    users = {a.user for a in response.context["cl"].result_list}
    assert users == {officer, worker}
    assert stranger not in users


def test_the_district_office_cannot_grant_a_place_outside_its_district(client, two_districts):
    officer = staff(Role.DISTRICT_OFFICE, district=two_districts["ours"])
    worker = user_with_role(Role.COMMUNITY, community=two_districts["our_compound"].community)
    client.force_login(officer)
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {
            "user": worker.pk,
            "role": Role.COMMUNITY,
            "community": two_districts["their_compound"].community_id,
        },
    )
    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(
        community=two_districts["their_compound"].community, user=worker
    ).exists()


def test_the_district_office_grants_a_community_of_its_district(client, two_districts):
    officer = staff(Role.DISTRICT_OFFICE, district=two_districts["ours"])
    worker = user_with_role(Role.ZONE_LEAD, zone=two_districts["our_compound"].zone)
    client.force_login(officer)
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {
            "user": worker.pk,
            "role": Role.COMMUNITY,
            "community": two_districts["our_compound"].community_id,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RoleAssignment.objects.filter(user=worker, role=Role.COMMUNITY).exists()


def test_other_staff_cannot_add_role_assignments(client):
    compound = f.CompoundFactory()
    client.force_login(staff(Role.COMMUNITY, community=compound.community))
    assert client.get(reverse("admin:accounts_roleassignment_add")).status_code == 403
