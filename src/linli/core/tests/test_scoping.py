"""The scoping layer itself: scopes, rules, the resolver hook and the 404 helper."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from linli.accounts.roles import Role
from linli.accounts.tests.factories import UserFactory, user_with_role
from linli.core.scoping import (
    EVERYTHING,
    NOTHING,
    Scope,
    any_of,
    clear_cached_scopes,
    get_scoped_or_404,
    is_in_scope,
    scope_for,
    scoped,
)
from linli.registry.models import Compound, RegistryUpload
from linli.registry.tests.factories import CommunityFactory, CompoundFactory

pytestmark = pytest.mark.django_db


def test_a_union_holds_the_ids_of_both_scopes():
    merged = Scope(community_ids=frozenset({1}), user_id=7).union(
        Scope(zone_ids=frozenset({2}), community_ids=frozenset({3}))
    )
    assert merged == Scope(community_ids=frozenset({1, 3}), zone_ids=frozenset({2}), user_id=7)


def test_a_union_with_everything_is_everything():
    assert Scope(zone_ids=frozenset({2})).union(EVERYTHING).everything


def test_a_scope_without_ids_is_empty_and_one_with_any_is_not():
    assert NOTHING.is_empty
    assert not Scope(dwelling_ids=frozenset({5})).is_empty
    assert not EVERYTHING.is_empty


def test_any_of_leaves_out_empty_id_sets():
    assert any_of(("pk", {2, 1}), ("zone_id", set())) == any_of(("pk", [1, 2]))


def test_any_of_with_only_empty_sets_matches_nothing():
    CompoundFactory()
    assert not Compound.objects.filter(any_of(("pk", set()), ("zone_id", []))).exists()


def test_an_anonymous_user_has_an_empty_scope():
    assert scope_for(AnonymousUser()) == NOTHING
    assert scope_for(None) == NOTHING


def test_an_inactive_user_has_an_empty_scope():
    compound = CompoundFactory()
    user = user_with_role(Role.COMMUNITY, community=compound.community)
    user.is_active = False
    assert scope_for(user).is_empty
    assert not scoped(Compound, user).exists()


def test_a_superuser_sees_everything_without_any_assignment():
    admin = UserFactory(is_superuser=True)
    assert scope_for(admin).everything
    assert scope_for(admin, "registry.delete_compound").everything


def test_a_user_without_assignments_sees_no_compound():
    CompoundFactory()
    assert not scoped(Compound, UserFactory()).exists()


def test_scopes_are_cached_on_the_user_until_cleared():
    compound = CompoundFactory()
    user = UserFactory()
    assert not scoped(Compound, user).exists()
    user_with_role(Role.COMMUNITY, username=user.username, community=compound.community)
    assert not scoped(Compound, user).exists()  # the same request: the cached answer
    clear_cached_scopes(user)
    assert list(scoped(Compound, user)) == [compound]


def test_a_model_without_a_rule_cannot_be_scoped():
    with pytest.raises(ImproperlyConfigured, match=r"auth\.Group"):
        scoped(Group, UserFactory())


def test_scoped_takes_a_model_a_manager_or_a_queryset():
    compound = CompoundFactory()
    other = CompoundFactory()
    user = user_with_role(Role.COMMUNITY, community=compound.community)
    assert list(scoped(Compound, user)) == [compound]
    assert list(scoped(Compound.objects, user)) == [compound]
    assert list(scoped(Compound.objects.filter(pk__in=[compound.pk, other.pk]), user)) == [compound]


def test_an_object_outside_the_scope_is_a_404():
    mine, theirs = CompoundFactory(), CompoundFactory()
    user = user_with_role(Role.COMMUNITY, community=mine.community)
    assert get_scoped_or_404(Compound, user, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_scoped_or_404(Compound, user, pk=theirs.pk)


def test_is_in_scope_answers_for_one_object_and_one_permission():
    compound = CompoundFactory()
    user = user_with_role(Role.ZONE_LEAD, zone=compound.zone)
    assert is_in_scope(compound, user)
    assert not is_in_scope(compound, user, "registry.change_compound")


def test_a_user_without_jurisdiction_still_sees_rows_that_are_their_own(tmp_path):
    user = UserFactory()
    own = RegistryUpload.objects.create(file="x.xlsx", original_name="x.xlsx", uploaded_by=user)
    RegistryUpload.objects.create(file="y.xlsx", original_name="y.xlsx", uploaded_by=UserFactory())
    assert list(scoped(RegistryUpload, user)) == [own]


def test_the_same_community_twice_is_one_scope():
    community = CommunityFactory()
    user = user_with_role(Role.COMMUNITY, community=community)
    user_with_role(Role.COMMUNITY, username=user.username, community=community)
    clear_cached_scopes(user)
    assert scope_for(user).community_ids == frozenset({community.pk})
