"""From role assignments to scopes: each kind of jurisdiction, unions, read versus write.

The expected rows are computed straight from the registry's foreign keys, never through the
rules being tested.
"""

from __future__ import annotations

from typing import Any

import pytest

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import VIEW_PERSONAL_DATA, Role
from linli.accounts.scopes import granted_permissions
from linli.accounts.tests.factories import UserFactory, user_with_role
from linli.core.scoping import clear_cached_scopes, scope_for, scoped
from linli.registry import models as m
from linli.registry.scoping import Placement, covers_placement, whole_compounds
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> dict[str, Any]:
    """Two sub-districts, two communities each, a compound in each community; the first
    compound is managed by a property firm and holds a dwelling with owner and household."""
    district = f.DistrictFactory()
    zone_a, zone_b = f.ZoneFactory(district=district), f.ZoneFactory(district=district)
    company = f.OrganisationFactory(district=district)
    compounds = []
    for s in range(2):
        sub = f.SubdistrictFactory(district=district)
        for c in range(2):
            compounds.append(
                f.CompoundFactory(
                    community=f.CommunityFactory(subdistrict=sub),
                    zone=zone_a if c == 0 else zone_b,
                    property_company=company if (s, c) == (0, 0) else None,
                    management_mode=m.ManagementMode.PROFESSIONAL
                    if (s, c) == (0, 0)
                    else m.ManagementMode.NONE,
                )
            )
    stairwell = f.StairwellFactory(building__compound=compounds[0])
    home, neighbour = f.DwellingFactory.create_batch(2, stairwell=stairwell)
    for dwelling in (home, neighbour):
        f.OwnershipFactory(dwelling=dwelling)
        f.ResidentFactory(household=f.HouseholdFactory(dwelling=dwelling))
    return {
        "district": district,
        "zone": zone_a,
        "company": company,
        "compounds": compounds,
        "home": home,
        "neighbour": neighbour,
    }


def names(queryset: Any) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def binding(town: dict[str, Any], kind: str) -> tuple[str, dict[str, Any], set[m.Compound]]:
    """(role, jurisdiction, the compounds that jurisdiction holds) for one kind."""
    first = town["compounds"][0]
    everything = m.Compound.objects.all()
    return {
        "district": (Role.DISTRICT_OFFICE, {"district": town["district"]}, set(everything)),
        "zone": (Role.ZONE_LEAD, {"zone": town["zone"]}, set(everything.filter(zone=town["zone"]))),
        "subdistrict": (
            Role.SUBDISTRICT_OFFICE,
            {"subdistrict": first.community.subdistrict},
            set(everything.filter(community__subdistrict=first.community.subdistrict)),
        ),
        "community": (Role.COMMUNITY, {"community": first.community}, {first}),
        "compound": (Role.COMMUNITY, {"compound": first}, {first}),
        "organisation": (Role.PROPERTY_COMPANY, {"organisation": town["company"]}, {first}),
        "dwelling": (Role.RESIDENT, {"dwelling": town["home"]}, {first}),
    }[kind]


KINDS = ["district", "zone", "subdistrict", "community", "compound", "organisation", "dwelling"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_assignment_of_each_kind_sees_the_compounds_it_holds(town, kind):
    role, jurisdiction, expected = binding(town, kind)
    user = user_with_role(role, **jurisdiction)
    assert set(scoped(m.Compound, user)) == expected


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "dwelling"])
def test_a_place_or_firm_sees_every_dwelling_of_its_compounds(town, kind):
    role, jurisdiction, compounds = binding(town, kind)
    user = user_with_role(role, **jurisdiction)
    expected = m.Dwelling.objects.filter(stairwell__building__compound__in=compounds)
    assert set(scoped(m.Dwelling, user)) == set(expected)


def test_a_resident_sees_its_dwelling_owner_and_household_but_no_neighbours(town):
    user = user_with_role(Role.RESIDENT, dwelling=town["home"])
    assert list(scoped(m.Dwelling, user)) == [town["home"]]
    assert set(scoped(m.Household, user)) == set(town["home"].households.all())
    assert set(scoped(m.Owner, user)) == {o.owner for o in town["home"].ownerships.all()}
    assert set(scoped(m.Resident, user)) == set(
        m.Resident.objects.filter(household__dwelling=town["home"])
    )


def test_a_resident_sees_the_building_and_stairwell_around_its_dwelling(town):
    user = user_with_role(Role.RESIDENT, dwelling=town["home"])
    assert list(scoped(m.Stairwell, user)) == [town["home"].stairwell]
    assert list(scoped(m.Building, user)) == [town["home"].stairwell.building]


def test_parent_places_of_a_visible_compound_are_visible(town):
    first = town["compounds"][0]
    user = user_with_role(Role.COMMUNITY, compound=first)
    assert list(scoped(m.Community, user)) == [first.community]
    assert list(scoped(m.Subdistrict, user)) == [first.community.subdistrict]
    assert list(scoped(m.District, user)) == [town["district"]]
    assert list(scoped(m.Zone, user)) == [first.zone]


def test_assignments_add_up(town):
    first, last = town["compounds"][0], town["compounds"][-1]
    user = user_with_role(Role.COMMUNITY, community=first.community)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, community=last.community)
    clear_cached_scopes(user)
    assert set(scoped(m.Compound, user)) == {first, last}


def test_the_write_scope_holds_only_assignments_whose_role_may_write(town):
    first, last = town["compounds"][0], town["compounds"][-1]
    user = user_with_role(Role.ZONE_LEAD, zone=last.zone)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, community=first.community)
    clear_cached_scopes(user)
    assert set(scoped(m.Compound, user)) == set(m.Compound.objects.filter(zone=last.zone)) | {first}
    assert list(scoped(m.Compound, user, "registry.change_compound")) == [first]
    assert not scoped(m.Compound, user, "registry.add_compound").exists()


def test_the_personal_data_scope_holds_only_assignments_with_the_grant(town):
    first, last = town["compounds"][0], town["compounds"][-1]
    user = user_with_role(Role.COMMUNITY, community=first.community, can_view_personal_data=True)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, community=last.community)
    clear_cached_scopes(user)
    assert list(scoped(m.Compound, user, VIEW_PERSONAL_DATA)) == [first]


def test_a_department_reads_the_whole_district_and_writes_nothing(town):
    department = f.OrganisationFactory(kind=m.OrganisationKind.DEPARTMENT)
    user = user_with_role(Role.DEPARTMENT, organisation=department)
    assert set(scoped(m.Compound, user)) == set(town["compounds"])
    assert scope_for(user, "registry.change_compound").is_empty


def test_has_perm_without_an_object_asks_the_role_and_with_one_the_scope(town):
    first, last = town["compounds"][0], town["compounds"][-1]
    user = user_with_role(Role.COMMUNITY, community=first.community)
    assert user.has_perm("registry.change_compound")
    assert user.has_perm("registry.change_compound", first)
    assert not user.has_perm("registry.change_compound", last)
    assert not user.has_perm("registry.add_compound")


def test_the_admin_shows_the_apps_a_role_has_permissions_in(town):
    district = user_with_role(Role.DISTRICT_OFFICE, district=town["district"])
    community = user_with_role(Role.COMMUNITY, community=town["compounds"][0].community)
    assert district.has_module_perms("registry") and district.has_module_perms("accounts")
    assert community.has_module_perms("registry")
    assert not community.has_module_perms("auth")
    # Everyone may read their own role assignments; only the district office manages them.
    assert not community.has_perm("accounts.change_roleassignment")
    assert not UserFactory().has_module_perms("registry")


def test_all_permissions_of_a_community_role_hold_its_writes_and_no_more(town):
    user = user_with_role(Role.COMMUNITY, community=town["compounds"][0].community)
    granted = granted_permissions(user)
    assert "registry.change_compound" in granted
    assert "registry.add_compound" not in granted
    assert "auth.view_user" not in granted
    assert user.get_all_permissions() >= {"registry.change_compound", "registry.view_owner"}


def test_an_owner_holding_no_dwelling_is_seen_only_district_wide(town):
    orphan = f.OwnerFactory()
    district = user_with_role(Role.DISTRICT_OFFICE, district=town["district"])
    community = user_with_role(Role.COMMUNITY, community=town["compounds"][0].community)
    assert scoped(m.Owner, district).filter(pk=orphan.pk).exists()
    assert not scoped(m.Owner, community).filter(pk=orphan.pk).exists()


def test_an_owner_with_two_dwellings_in_scope_is_listed_once(town):
    owner = town["home"].ownerships.first().owner
    f.OwnershipFactory(owner=owner, dwelling=town["neighbour"])
    district = user_with_role(Role.DISTRICT_OFFICE, district=town["district"])
    assert scoped(m.Owner, district).filter(pk=owner.pk).count() == 1


def test_role_assignments_are_managed_in_the_district_office_s_district_only(town):
    officer = user_with_role(Role.DISTRICT_OFFICE, district=town["district"])
    worker = user_with_role(Role.COMMUNITY, community=town["compounds"][0].community)
    elsewhere = f.CommunityFactory(
        subdistrict=f.SubdistrictFactory(
            district=f.DistrictFactory(code="410302", name="老城区"), code="410302001"
        )
    )
    stranger = user_with_role(Role.COMMUNITY, community=elsewhere)
    managed = scoped(RoleAssignment, officer, "accounts.change_roleassignment")
    assert set(managed.values_list("user__username", flat=True)) == {
        officer.username,
        worker.username,
    }
    assert stranger.username not in managed.values_list("user__username", flat=True)
    assert list(scoped(RoleAssignment, worker).values_list("user", flat=True)) == [worker.pk]


@pytest.mark.parametrize("kind", KINDS)
def test_the_python_placement_check_agrees_with_the_compound_rule(town, kind):
    role, jurisdiction, _compounds = binding(town, kind)
    user = user_with_role(role, **jurisdiction)
    scope = scope_for(user)
    held = set(m.Compound.objects.filter(whole_compounds(scope)))
    for compound in m.Compound.objects.select_related("community__subdistrict"):
        placement = Placement(
            district_id=compound.community.subdistrict.district_id,
            subdistrict_id=compound.community.subdistrict_id,
            community_id=compound.community_id,
            zone_id=compound.zone_id,
            compound_id=compound.pk,
            property_company_id=compound.property_company_id,
        )
        assert covers_placement(scope, placement) is (compound in held)
