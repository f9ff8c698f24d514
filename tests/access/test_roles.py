"""The role table and role assignments: what each role may do, and what it may be bound to."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import (
    ROLE_JURISDICTIONS,
    VIEW_PERSONAL_DATA,
    Jurisdiction,
    Role,
    role_grants,
)
from linli.accounts.tests.factories import UserFactory
from linli.registry import models as m
from linli.registry.tests import factories as f

# --- role_grants ---------------------------------------------------------------------------

#: (role, permission, granted): the spec of "write permissions follow the role".
TABLE = [
    (Role.DISTRICT_OFFICE, "registry.add_compound", True),
    (Role.DISTRICT_OFFICE, "registry.delete_compound", True),
    (Role.DISTRICT_OFFICE, "registry.change_district", True),
    (Role.DISTRICT_OFFICE, "accounts.change_roleassignment", True),
    (Role.DISTRICT_OFFICE, "auth.change_user", False),
    (Role.ZONE_LEAD, "registry.change_compound", False),
    (Role.SUBDISTRICT_OFFICE, "registry.add_compound", True),
    (Role.SUBDISTRICT_OFFICE, "registry.change_dwelling", True),
    (Role.SUBDISTRICT_OFFICE, "registry.delete_compound", False),
    (Role.SUBDISTRICT_OFFICE, "registry.change_community", False),
    (Role.COMMUNITY, "registry.change_compound", True),
    (Role.COMMUNITY, "registry.add_compound", False),
    (Role.COMMUNITY, "registry.delete_ownership", True),
    (Role.COMMUNITY, "accounts.change_roleassignment", False),
    (Role.DEPARTMENT, "registry.change_compound", False),
    (Role.CONTRACTOR, "registry.change_building", False),
    (Role.PROPERTY_COMPANY, "registry.add_household", True),
    (Role.PROPERTY_COMPANY, "registry.change_resident", True),
    (Role.PROPERTY_COMPANY, "registry.change_dwelling", False),
    (Role.RESIDENT, "registry.change_household", False),
]


@pytest.mark.parametrize(("role", "permission", "granted"), TABLE)
def test_the_role_table_grants_what_the_role_does(role, permission, granted):
    assert role_grants(role, permission) is granted


@pytest.mark.parametrize("role", Role.values)
def test_every_role_may_view_every_scoped_registry_model(role):
    for model in (m.Compound, m.Dwelling, m.Owner, m.Resident, m.Organisation):
        assert role_grants(role, f"registry.view_{model._meta.model_name}")


@pytest.mark.parametrize("role", Role.values)
def test_no_role_may_view_users_or_api_tokens(role):
    assert not role_grants(role, "auth.view_user")
    assert not role_grants(role, "accounts.view_apitoken")


@pytest.mark.parametrize("role", Role.values)
def test_no_role_alone_grants_viewing_personal_data(role):
    assert not role_grants(role, VIEW_PERSONAL_DATA)


def test_a_resident_is_bound_to_dwellings_only():
    assert ROLE_JURISDICTIONS[Role.RESIDENT] == {Jurisdiction.DWELLING}


@pytest.mark.parametrize("role", Role.values)
def test_every_role_is_bound_to_some_kind_of_jurisdiction(role):
    assert ROLE_JURISDICTIONS[role]


# --- RoleAssignment.clean and the database constraint ------------------------------------------


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for messages in exc.message_dict.values() for m in messages)


@pytest.mark.django_db
def test_an_assignment_without_a_jurisdiction_is_refused():
    assignment = RoleAssignment(user=UserFactory(), role=Role.COMMUNITY)
    with pytest.raises(ValidationError) as info:
        assignment.full_clean()
    assert "exactly one jurisdiction" in _messages(info.value)


@pytest.mark.django_db
def test_an_assignment_bound_to_two_jurisdictions_is_refused():
    compound = f.CompoundFactory()
    assignment = RoleAssignment(
        user=UserFactory(), role=Role.COMMUNITY, community=compound.community, compound=compound
    )
    with pytest.raises(ValidationError) as info:
        assignment.full_clean()
    assert "只绑定一个管辖范围" in _messages(info.value)


@pytest.mark.django_db
def test_the_database_refuses_an_assignment_with_two_jurisdictions():
    compound = f.CompoundFactory()
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(
            user=UserFactory(), role=Role.COMMUNITY, community=compound.community, compound=compound
        )


@pytest.mark.django_db
def test_a_role_bound_to_the_wrong_kind_of_place_is_refused_on_that_field():
    assignment = RoleAssignment(
        user=UserFactory(), role=Role.ZONE_LEAD, community=f.CommunityFactory()
    )
    with pytest.raises(ValidationError) as info:
        assignment.full_clean()
    assert list(info.value.message_dict) == ["community"]
    assert "this role binds to: zone" in _messages(info.value)


@pytest.mark.django_db
def test_a_property_company_role_bound_to_a_design_firm_is_refused():
    firm = f.OrganisationFactory(kind=m.OrganisationKind.DESIGN)
    assignment = RoleAssignment(user=UserFactory(), role=Role.PROPERTY_COMPANY, organisation=firm)
    with pytest.raises(ValidationError) as info:
        assignment.full_clean()
    assert list(info.value.message_dict) == ["organisation"]
    assert "does not fit this role" in _messages(info.value)


@pytest.mark.django_db
def test_a_department_role_may_be_bound_to_a_utility():
    utility = f.OrganisationFactory(kind=m.OrganisationKind.UTILITY)
    RoleAssignment(user=UserFactory(), role=Role.DEPARTMENT, organisation=utility).full_clean()


@pytest.mark.django_db
def test_a_community_role_may_be_bound_to_one_compound():
    compound = f.CompoundFactory()
    RoleAssignment(user=UserFactory(), role=Role.COMMUNITY, compound=compound).full_clean()
