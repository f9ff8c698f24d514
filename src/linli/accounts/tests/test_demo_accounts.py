"""The demo log-ins: created once, updated in place, and usable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from linli.accounts.demo import ensure_demo_accounts
from linli.core.errors import Invalid

pytestmark = pytest.mark.django_db

PASSWORD = "xigong-demo-4103"


def test_demo_accounts_are_created_and_can_log_in(client):
    assert ensure_demo_accounts(password=PASSWORD) == ["admin", "demo-district"]
    assert client.login(username="admin", password=PASSWORD)
    assert client.login(username="demo-district", password=PASSWORD)


def test_running_demo_accounts_twice_keeps_one_user_each():
    ensure_demo_accounts(password=PASSWORD)
    ensure_demo_accounts(password=PASSWORD)
    usernames = get_user_model().objects.values_list("username", flat=True)
    assert sorted(usernames) == ["admin", "demo-district"]


def test_running_demo_accounts_again_sets_the_new_password(client):
    ensure_demo_accounts(password=PASSWORD)
    ensure_demo_accounts(password="another-demo-pass-77")
    assert not client.login(username="admin", password=PASSWORD)
    assert client.login(username="admin", password="another-demo-pass-77")


def test_admin_is_a_superuser():
    ensure_demo_accounts(password=PASSWORD)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active


def test_district_user_is_staff_with_registry_permissions_only():
    ensure_demo_accounts(password=PASSWORD)
    user = get_user_model().objects.get(username="demo-district")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("registry.change_compound")
    assert user.has_perm("registry.view_resident")
    assert not user.has_perm("auth.add_user")


def test_district_user_flags_are_restored_when_run_again():
    ensure_demo_accounts(password=PASSWORD)
    get_user_model().objects.filter(username="demo-district").update(
        is_active=False, is_superuser=True
    )
    ensure_demo_accounts(password=PASSWORD)
    user = get_user_model().objects.get(username="demo-district")
    assert user.is_active and not user.is_superuser


def test_a_weak_demo_password_is_refused_in_both_languages():
    with pytest.raises(Invalid) as info:
        ensure_demo_accounts(password="123")
    assert "LINLI_DEMO_PASSWORD" in info.value.zh
    assert "not acceptable" in info.value.en
    assert not get_user_model().objects.exists()


def test_demo_accounts_command_prints_the_usernames_with_the_settings_password(settings, client):
    settings.LINLI_DEMO_PASSWORD = PASSWORD
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    assert out.getvalue().split() == ["admin", "demo-district"]
    assert client.login(username="demo-district", password=PASSWORD)


def test_demo_accounts_command_reports_a_weak_password(settings):
    settings.LINLI_DEMO_PASSWORD = "short"
    with pytest.raises(CommandError, match="LINLI_DEMO_PASSWORD"):
        call_command("demo", "accounts")
