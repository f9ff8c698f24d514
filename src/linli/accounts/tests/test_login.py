"""Signing in: Argon2 hashes, the lockout after repeated failures, the password policy."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli import settings as project_settings
from linli.accounts.lockout import client_ip
from linli.accounts.tests.hashing import cheap_hashing  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_hashing")]

USERNAME = "clerk"
PASSWORD = "a-long-password-1"
WRONG = "not-the-password"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username=USERNAME, password=PASSWORD)


def sign_in(client: Client, password: str = PASSWORD, username: str = USERNAME, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client: Client, times: int, username: str = USERNAME, **extra) -> None:
    for _ in range(times):
        sign_in(client, WRONG, username, **extra)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- passwords ---------------------------------------------------------------------------


@pytest.fixture
def project_hashers(settings):
    """The hashers settings.py configures, not the cheap test variant."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_argon2_is_the_hasher_for_new_passwords():
    assert project_settings.PASSWORD_HASHERS[0].endswith(".Argon2PasswordHasher")


def test_new_passwords_are_stored_as_argon2_hashes(project_hashers, django_user_model):
    user = django_user_model.objects.create_user(username=USERNAME, password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")


def test_a_password_changed_on_the_page_is_stored_as_an_argon2_hash(project_hashers, client, user):
    client.force_login(user)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "xigong-renewal-2027",
            "new_password2": "xigong-renewal-2027",
        },
    )
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("xigong-renewal-2027")


# --- the login page ------------------------------------------------------------------------


def test_the_right_password_signs_in(client, user):
    response = sign_in(client)
    assert response.status_code == 302
    assert signed_in(client)


def test_signing_in_gives_the_session_a_new_key(client, user):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    sign_in(client)
    assert client.session.session_key != before


def test_logging_out_with_a_get_is_refused(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)


# --- lockout -------------------------------------------------------------------------------


def test_four_failures_still_let_the_right_password_in(client, user):
    fail(client, 4)
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_account_on_that_address(client, user):
    fail(client, 4)
    response = sign_in(client, WRONG)
    assert response.status_code == 429


def test_after_five_failures_the_right_password_is_refused(client, user):
    fail(client, 5)
    response = sign_in(client)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_says_when_to_try_again_in_both_languages(client, user):
    fail(client, 5)
    before = timezone.localtime()
    response = sign_in(client)
    html = response.content.decode()
    retry_at = before + timedelta(minutes=15)
    assert retry_at.strftime("%Y-%m-%d %H:") in html
    assert "请于" in html and "Try again after" in html
    assert response["Retry-After"] == "900"


def test_a_lockout_holds_for_other_users_only_if_they_fail_themselves(
    client, user, django_user_model
):
    django_user_model.objects.create_user(username="colleague", password=PASSWORD)
    fail(client, 5)
    assert sign_in(client, username="colleague").status_code == 302


def test_a_lockout_does_not_hold_for_the_same_user_from_another_address(client, user):
    fail(client, 5, REMOTE_ADDR="10.1.1.1")
    assert sign_in(client, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_the_lockout_lifts_when_the_cool_off_has_passed(client, user):
    fail(client, 5)
    fifteen_minutes_ago = timezone.now() - timedelta(minutes=15, seconds=1)
    AccessAttempt.objects.update(attempt_time=fifteen_minutes_ago)
    assert sign_in(client).status_code == 302


def test_the_lockout_holds_just_before_the_cool_off_has_passed(client, user):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert sign_in(client).status_code == 429


def test_the_axes_reset_command_lifts_a_lockout(client, user):
    fail(client, 5)
    call_command("axes_reset", stdout=StringIO())
    assert sign_in(client).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, user):
    fail(client, 4)
    sign_in(client)
    client.post(reverse("logout"))
    fail(client, 4)
    assert sign_in(client).status_code == 302


def test_failures_on_the_admin_login_count_towards_the_same_lockout(client, user):
    fail(client, 3)
    for _ in range(2):
        client.post(reverse("admin:login"), {"username": USERNAME, "password": WRONG})
    assert sign_in(client).status_code == 429


def test_the_failure_limit_and_cool_off_follow_the_settings(client, user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=40)
    fail(client, 2)
    response = sign_in(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "2400"


# --- the JSON session sign-in --------------------------------------------------------------


def post_json(client: Client, username: str, password: str, **extra):
    return client.post(
        reverse("accounts:session"),
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        **extra,
    )


def test_the_json_sign_in_opens_a_session_for_the_api(client, user):
    response = post_json(client, USERNAME, PASSWORD)
    assert response.status_code == 200
    assert response.json()["username"] == USERNAME
    assert client.get("/api/v1/districts/").status_code == 200


def test_the_json_sign_in_refuses_a_wrong_password_in_both_languages(client, user):
    response = post_json(client, USERNAME, WRONG)
    assert response.status_code == 400
    assert response.json()["detail"] == "用户名或密码错误 (wrong username or password)"


def test_the_json_sign_in_says_whether_someone_is_signed_in(client, user):
    assert client.get(reverse("accounts:session")).json()["authenticated"] is False
    client.force_login(user)
    assert client.get(reverse("accounts:session")).json()["username"] == USERNAME


def test_failures_of_the_json_sign_in_count_towards_the_lockout(client, user):
    for _ in range(3):
        post_json(client, USERNAME, WRONG)
    fail(client, 2)
    assert sign_in(client).status_code == 429


def test_a_locked_out_json_sign_in_answers_json_with_the_wait(client, user):
    fail(client, 5)
    response = post_json(client, USERNAME, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["retry_after"] == 900
    assert "too many failed sign-ins" in body["detail"]
    assert not signed_in(client)


def test_the_json_sign_in_refuses_a_body_that_is_not_an_object(client, user):
    response = client.post(reverse("accounts:session"), "[1]", content_type="application/json")
    assert response.status_code == 400


# --- client address behind a proxy --------------------------------------------------------


def forwarded_request(rf, forwarded: str):
    return rf.post("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(rf, settings):
    settings.LINLI_PROXY_COUNT = 0
    assert client_ip(forwarded_request(rf, "1.2.3.4")) == "10.0.0.1"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(rf, settings):
    settings.LINLI_PROXY_COUNT = 1
    assert client_ip(forwarded_request(rf, "6.6.6.6, 1.2.3.4")) == "1.2.3.4"


def test_behind_two_proxies_the_client_is_the_second_last_forwarded_address(rf, settings):
    settings.LINLI_PROXY_COUNT = 2
    assert client_ip(forwarded_request(rf, "6.6.6.6, 1.2.3.4, 10.0.0.2")) == "1.2.3.4"


def test_a_client_cannot_escape_a_lockout_by_forging_the_forwarded_header(client, user, settings):
    settings.LINLI_PROXY_COUNT = 1
    for forged in ["7.7.7.1", "7.7.7.2", "7.7.7.3", "7.7.7.4", "7.7.7.5"]:
        sign_in(client, WRONG, HTTP_X_FORWARDED_FOR=f"{forged}, 1.2.3.4")
    response = sign_in(client, HTTP_X_FORWARDED_FOR="7.7.7.6, 1.2.3.4")
    assert response.status_code == 429


# --- password policy -----------------------------------------------------------------------


def change(client: Client, new: str, old: str = PASSWORD):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    "weak",
    [
        pytest.param("Sh0rt-pw", id="shorter-than-ten"),
        pytest.param("20260415093000", id="all-digits"),
        pytest.param("qwertyuiop", id="common"),
        pytest.param("xigong-clerk-01", id="like-the-username"),
    ],
)
def test_the_password_page_refuses_a_weak_password(client, django_user_model, weak):
    user = django_user_model.objects.create_user(username="xigong-clerk-01", password=PASSWORD)
    client.force_login(user)
    response = change(client, weak)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_page_refuses_a_wrong_old_password(client, user):
    client.force_login(user)
    response = change(client, "xigong-renewal-2027", old=WRONG)
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_strong_password_is_accepted_and_keeps_this_session(client, user):
    client.force_login(user)
    response = change(client, "xigong-renewal-2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_a_password_change_ends_the_users_other_sessions(client, user):
    other = Client()
    other.force_login(user)
    client.force_login(user)
    change(client, "xigong-renewal-2027")
    assert other.get(reverse("web:dashboard")).status_code == 302


def test_the_password_page_states_the_policy(client, user):
    client.force_login(user)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert "至少 10 个字符" in html
    assert "不能全部是数字" in html
    assert "不能是常见密码" in html
    assert "用户名" in html


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
