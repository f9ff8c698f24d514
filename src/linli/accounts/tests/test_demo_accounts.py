"""The demo log-ins: created once, updated in place, usable, and bound to the demo's places."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from linli.accounts.demo import USERNAMES, ensure_demo_accounts
from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.errors import Invalid
from linli.registry import demo
from linli.registry.models import Compound, Household, Ownership

pytestmark = pytest.mark.django_db

PASSWORD = "xigong-demo-4103"
# client.login() passes request= because django-axes counts sign-ins per username + address and
# refuses an authenticate() call that has no request (docs/security.md).


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Eight Argon2 hashes per run cost seconds; what is tested here is not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registry():
    """The smallest demo: just the two named compounds (道南路70号院, 凯旋东路43号院)."""
    demo.build(compounds=2)


def user(username: str):
    return get_user_model().objects.get(username=username)


def assignment(username: str) -> RoleAssignment:
    (only,) = RoleAssignment.objects.filter(user__username=username)
    return only


def test_every_demo_account_is_created_and_can_log_in(registry, client):
    assert ensure_demo_accounts(password=PASSWORD) == list(USERNAMES)
    for username in USERNAMES:
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD)


def test_running_demo_accounts_twice_keeps_one_user_and_assignment_each(registry):
    ensure_demo_accounts(password=PASSWORD)
    ensure_demo_accounts(password=PASSWORD)
    usernames = get_user_model().objects.values_list("username", flat=True)
    assert sorted(usernames) == sorted(USERNAMES)
    assert RoleAssignment.objects.filter(user__username="demo-zone").count() == 1


def test_running_demo_accounts_again_sets_the_new_password(registry, client):
    ensure_demo_accounts(password=PASSWORD)
    ensure_demo_accounts(password="another-demo-pass-77")
    assert not client.login(request=HttpRequest(), username="admin", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="admin", password="another-demo-pass-77")


def test_admin_is_a_superuser(registry):
    ensure_demo_accounts(password=PASSWORD)
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active


def test_district_user_is_staff_whose_registry_permissions_come_from_its_role(registry):
    ensure_demo_accounts(password=PASSWORD)
    district = user("demo-district")
    assert district.is_staff and not district.is_superuser
    assert not district.user_permissions.exists()
    assert district.has_perm("registry.change_compound")
    assert district.has_perm("accounts.change_roleassignment")
    assert not district.has_perm("auth.add_user")
    bound = assignment("demo-district")
    assert (bound.role, bound.district.code, bound.can_view_personal_data) == (
        Role.DISTRICT_OFFICE,
        "410303",
        True,
    )


def test_direct_permissions_an_earlier_demo_gave_are_removed(registry):
    ensure_demo_accounts(password=PASSWORD)
    district = user("demo-district")
    district.user_permissions.add(*Permission.objects.filter(content_type__app_label="registry"))
    ensure_demo_accounts(password=PASSWORD)
    assert not district.user_permissions.exists()


def test_district_user_flags_are_restored_when_run_again(registry):
    ensure_demo_accounts(password=PASSWORD)
    get_user_model().objects.filter(username="demo-district").update(
        is_active=False, is_superuser=True
    )
    ensure_demo_accounts(password=PASSWORD)
    district = user("demo-district")
    assert district.is_active and not district.is_superuser


def test_only_admin_and_the_district_office_are_staff(registry):
    ensure_demo_accounts(password=PASSWORD)
    staff = get_user_model().objects.filter(is_staff=True).values_list("username", flat=True)
    assert sorted(staff) == ["admin", "demo-district"]


def test_zone_sub_district_and_community_accounts_are_those_of_daonan_road_70(registry):
    ensure_demo_accounts(password=PASSWORD)
    daonan = Compound.objects.get(name="道南路70号院")
    assert assignment("demo-zone").zone == daonan.zone
    assert assignment("demo-subdistrict").subdistrict == daonan.community.subdistrict
    community = assignment("demo-community")
    assert (community.role, community.community) == (Role.COMMUNITY, daonan.community)
    assert community.can_view_personal_data
    assert not assignment("demo-subdistrict").can_view_personal_data


def test_property_account_is_bound_to_the_company_managing_only_kaixuan_road_43(registry):
    ensure_demo_accounts(password=PASSWORD)
    bound = assignment("demo-property")
    assert bound.role == Role.PROPERTY_COMPANY
    managed = bound.organisation.managed_compounds.values_list("name", flat=True)
    assert list(managed) == ["凯旋东路43号院"]


def test_department_account_is_the_housing_department(registry):
    ensure_demo_accounts(password=PASSWORD)
    bound = assignment("demo-department")
    assert (bound.role, bound.organisation.name) == (Role.DEPARTMENT, "西工区住房和城乡建设局")


def test_resident_account_owns_and_lives_in_its_dwellings_in_daonan_road_70(registry):
    ensure_demo_accounts(password=PASSWORD)
    resident = user("demo-resident")
    bound = RoleAssignment.objects.filter(user=resident)
    assert bound and all(a.role == Role.RESIDENT for a in bound)
    for a in bound:
        assert a.dwelling.stairwell.building.compound.name == "道南路70号院"
        owners = Ownership.objects.filter(dwelling=a.dwelling).values_list("owner__name", flat=True)
        assert resident.first_name in owners
    assert Household.objects.filter(
        dwelling__in=[a.dwelling for a in bound], is_owner_occupied=True
    ).exists()


def test_the_resident_is_chosen_the_same_way_on_every_run(registry):
    ensure_demo_accounts(password=PASSWORD)
    first = list(RoleAssignment.objects.filter(user__username="demo-resident").values("dwelling"))
    ensure_demo_accounts(password=PASSWORD)
    again = list(RoleAssignment.objects.filter(user__username="demo-resident").values("dwelling"))
    assert first == again


def test_without_the_demo_registry_the_accounts_are_refused_and_nothing_is_created():
    with pytest.raises(Invalid) as info:
        ensure_demo_accounts(password=PASSWORD)
    assert "linli demo build" in info.value.zh
    assert "run linli demo build first" in info.value.en
    assert not get_user_model().objects.exists()


def test_a_weak_demo_password_is_refused_in_both_languages(registry):
    with pytest.raises(Invalid) as info:
        ensure_demo_accounts(password="123")
    assert "LINLI_DEMO_PASSWORD" in info.value.zh
    assert "not acceptable" in info.value.en
    assert not get_user_model().objects.exists()


def test_demo_accounts_command_prints_the_usernames_with_the_settings_password(
    registry, settings, client
):
    settings.LINLI_DEMO_PASSWORD = PASSWORD
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    assert out.getvalue().split() == list(USERNAMES)
    assert client.login(request=HttpRequest(), username="demo-district", password=PASSWORD)


def test_demo_accounts_command_reports_a_weak_password(settings):
    settings.LINLI_DEMO_PASSWORD = "short"
    with pytest.raises(CommandError, match="LINLI_DEMO_PASSWORD"):
        call_command("demo", "accounts")
