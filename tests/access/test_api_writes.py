"""Writes through the REST API follow the role and the jurisdiction.

An object the caller cannot see answers 404; one it sees but may not change answers 403; a
foreign key to a row outside the write scope is a 400 that reads exactly like a missing id.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.registry import models as m
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def places() -> dict[str, Any]:
    """Two communities of one sub-district; a compound in each, one run by a property firm."""
    sub = f.SubdistrictFactory()
    ours, theirs = f.CommunityFactory(subdistrict=sub), f.CommunityFactory(subdistrict=sub)
    company = f.OrganisationFactory()
    return {
        "ours": ours,
        "theirs": theirs,
        "company": company,
        "our_compound": f.CompoundFactory(
            community=ours,
            property_company=company,
            management_mode=m.ManagementMode.PROFESSIONAL,
        ),
        "their_compound": f.CompoundFactory(community=theirs),
    }


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def community_worker(places: dict[str, Any]) -> Any:
    return user_with_role(Role.COMMUNITY, community=places["ours"])


def test_a_community_worker_changes_a_compound_of_its_community(places):
    compound = places["our_compound"]
    response = api(community_worker(places)).patch(
        f"/api/v1/compounds/{compound.pk}/", {"address": "道南路70号"}, format="json"
    )
    assert response.status_code == 200, response.content
    compound.refresh_from_db()
    assert compound.address == "道南路70号"


def test_a_compound_of_another_community_answers_404_to_a_change(places):
    compound = places["their_compound"]
    response = api(community_worker(places)).patch(
        f"/api/v1/compounds/{compound.pk}/", {"address": "改"}, format="json"
    )
    assert response.status_code == 404


def test_a_visible_compound_the_role_may_not_change_answers_403(places):
    zone_lead = user_with_role(Role.ZONE_LEAD, zone=places["our_compound"].zone)
    compound = places["our_compound"]
    response = api(zone_lead).patch(
        f"/api/v1/compounds/{compound.pk}/", {"address": "改"}, format="json"
    )
    assert response.status_code == 403
    compound.refresh_from_db()
    assert compound.address != "改"


def test_a_department_sees_a_compound_but_may_not_delete_it(places):
    department = f.OrganisationFactory(kind=m.OrganisationKind.DEPARTMENT)
    user = user_with_role(Role.DEPARTMENT, organisation=department)
    compound = places["their_compound"]
    client = api(user)
    assert client.get(f"/api/v1/compounds/{compound.pk}/").status_code == 200
    assert client.delete(f"/api/v1/compounds/{compound.pk}/").status_code == 403
    assert m.Compound.objects.filter(pk=compound.pk).exists()


def test_a_community_worker_cannot_delete_a_compound_of_its_own(places):
    compound = places["our_compound"]
    response = api(community_worker(places)).delete(f"/api/v1/compounds/{compound.pk}/")
    assert response.status_code == 403


def test_a_building_in_someone_elses_compound_reads_like_a_missing_compound(places):
    client = api(community_worker(places))
    theirs = client.post(
        "/api/v1/buildings/",
        {"compound": places["their_compound"].pk, "number": "9", "storeys": 6},
        format="json",
    )
    missing = client.post(
        "/api/v1/buildings/", {"compound": 10**9, "number": "9", "storeys": 6}, format="json"
    )
    assert theirs.status_code == missing.status_code == 400
    assert list(theirs.json()) == ["compound"]
    assert theirs.json()["compound"][0].replace(str(places["their_compound"].pk), "N") == (
        missing.json()["compound"][0].replace(str(10**9), "N")
    )
    assert not m.Building.objects.filter(number="9").exists()


def test_a_community_worker_adds_a_building_to_a_compound_of_its_community(places):
    response = api(community_worker(places)).post(
        "/api/v1/buildings/",
        {"compound": places["our_compound"].pk, "number": "9", "storeys": 6},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_a_compound_cannot_be_moved_to_another_community(places):
    compound = places["our_compound"]
    response = api(community_worker(places)).patch(
        f"/api/v1/compounds/{compound.pk}/", {"community": places["theirs"].pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["community"]
    compound.refresh_from_db()
    assert compound.community == places["ours"]


def test_a_property_company_adds_a_household_in_a_compound_it_manages(places):
    company = user_with_role(Role.PROPERTY_COMPANY, organisation=places["company"])
    dwelling = f.DwellingFactory(stairwell__building__compound=places["our_compound"])
    response = api(company).post(
        "/api/v1/households/", {"dwelling": dwelling.pk, "head_name": "王建国"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_property_company_cannot_add_a_household_elsewhere(places):
    company = user_with_role(Role.PROPERTY_COMPANY, organisation=places["company"])
    dwelling = f.DwellingFactory(stairwell__building__compound=places["their_compound"])
    response = api(company).post(
        "/api/v1/households/", {"dwelling": dwelling.pk, "head_name": "王建国"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["dwelling"]


def test_a_property_company_may_not_change_the_compound_itself(places):
    company = user_with_role(Role.PROPERTY_COMPANY, organisation=places["company"])
    compound = places["our_compound"]
    response = api(company).patch(
        f"/api/v1/compounds/{compound.pk}/", {"address": "改"}, format="json"
    )
    assert response.status_code == 403


def test_a_district_office_cannot_create_a_district_outside_its_own(places):
    ours = places["ours"].subdistrict.district
    user = user_with_role(Role.DISTRICT_OFFICE, district=ours)
    response = api(user).post(
        "/api/v1/districts/", {"code": "410302", "name": "老城区"}, format="json"
    )
    assert response.status_code == 403
    assert "outside your jurisdiction" in response.json()["detail"]
    assert not m.District.objects.filter(code="410302").exists()


def test_a_district_office_registers_an_owner_and_links_it_to_a_dwelling(places):
    user = user_with_role(Role.DISTRICT_OFFICE, district=places["ours"].subdistrict.district)
    client = api(user)
    owner = client.post(
        "/api/v1/owners/",
        {"kind": "company", "name": "洛阳某公司", "credit_code": "91410303MA0000001K"},
        format="json",
    )
    assert owner.status_code == 201, owner.content
    dwelling = f.DwellingFactory(stairwell__building__compound=places["our_compound"])
    link = client.post(
        "/api/v1/ownerships/", {"owner": owner.json()["id"], "dwelling": dwelling.pk}, format="json"
    )
    assert link.status_code == 201, link.content


def test_a_community_worker_cannot_register_an_owner_belonging_nowhere(places):
    response = api(community_worker(places)).post(
        "/api/v1/owners/",
        {"kind": "company", "name": "洛阳某公司", "credit_code": "91410303MA0000001K"},
        format="json",
    )
    assert response.status_code == 403
    assert not m.Owner.objects.exists()


def test_a_resident_may_change_nothing_not_even_its_own_dwelling(places):
    dwelling = f.DwellingFactory(stairwell__building__compound=places["our_compound"])
    resident = user_with_role(Role.RESIDENT, dwelling=dwelling)
    response = api(resident).patch(
        f"/api/v1/dwellings/{dwelling.pk}/", {"area": "99.00"}, format="json"
    )
    assert response.status_code == 403
