"""Sessions end after SESSION_IDLE_TIMEOUT without a request and SESSION_COOKIE_AGE after sign-in;
production settings make the cookies secure and send HSTS."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.middleware import LAST_ACTIVITY, SIGNED_IN_AT
from linli.accounts.services import create_api_token
from linli.accounts.tests.hashing import cheap_hashing  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_hashing")]

MINUTE = 60
HOUR = 3600


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="clerk", password="a-long-password-1")


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def set_clocks(client: Client, *, idle: int | None = None, age: int | None = None) -> None:
    """Move the session's clocks back: ``idle`` seconds since the last request, ``age`` since
    sign-in."""
    session = client.session
    now = int(time.time())
    if idle is not None:
        session[LAST_ACTIVITY] = now - idle
    if age is not None:
        session[SIGNED_IN_AT] = now - age
    session.save()


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_signing_in_starts_both_clocks(client, user):
    client.post(reverse("login"), {"username": "clerk", "password": "a-long-password-1"})
    session = client.session
    assert abs(session[LAST_ACTIVITY] - time.time()) < 5
    assert session[SIGNED_IN_AT] == session[LAST_ACTIVITY]


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out(client_in):
    set_clocks(client_in, idle=30 * MINUTE + 1)
    response = client_in.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not signed_in(client_in)


def test_a_session_idle_for_less_than_the_timeout_stays_signed_in(client_in):
    set_clocks(client_in, idle=29 * MINUTE)
    client_in.get(reverse("accounts:tokens"))
    assert signed_in(client_in)


def test_the_idle_sign_out_tells_the_user_why(client_in):
    set_clocks(client_in, idle=31 * MINUTE)
    response = client_in.get(reverse("web:dashboard"), follow=True)
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("30 分钟未操作" in text and "inactivity" in text for text in texts)


def test_the_idle_timeout_follows_the_setting(client_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * MINUTE
    set_clocks(client_in, idle=6 * MINUTE)
    client_in.get(reverse("accounts:tokens"))
    assert not signed_in(client_in)


def test_a_request_restarts_the_idle_clock(client_in):
    set_clocks(client_in, idle=20 * MINUTE)
    client_in.get(reverse("accounts:tokens"))
    assert abs(client_in.session[LAST_ACTIVITY] - time.time()) < 5


def test_the_idle_clock_is_written_at_most_once_a_minute(client_in):
    set_clocks(client_in, idle=10)
    stamped = client_in.session[LAST_ACTIVITY]
    client_in.get(reverse("accounts:tokens"))
    assert client_in.session[LAST_ACTIVITY] == stamped


def test_an_active_session_still_ends_after_the_session_age(client_in):
    set_clocks(client_in, idle=MINUTE, age=8 * HOUR + 1)
    client_in.get(reverse("accounts:tokens"))
    assert not signed_in(client_in)


def test_an_active_session_younger_than_the_session_age_stays(client_in):
    set_clocks(client_in, idle=MINUTE, age=7 * HOUR)
    client_in.get(reverse("accounts:tokens"))
    assert signed_in(client_in)


def test_an_idle_session_no_longer_opens_the_api(user):
    api = APIClient()
    api.force_login(user)
    assert api.get("/api/v1/districts/").status_code == 200
    set_clocks(api, idle=31 * MINUTE)
    assert api.get("/api/v1/districts/").status_code in (401, 403)


def test_a_token_keeps_working_whatever_the_session_clocks(user):
    _token, key = create_api_token(user=user, name="etl")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/districts/").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site_lax(client, user):
    response = client.post(reverse("login"), {"username": "clerk", "password": "a-long-password-1"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- production settings -------------------------------------------------------------------


def settings_under(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, linli.settings as s; "
        f"print(json.dumps({{n: str(getattr(s, n)) for n in {list(names)!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 50,
    "LINLI_DATA_KEY": base64.b64encode(b"k" * 32).decode(),
}


def test_production_settings_make_cookies_secure_and_send_hsts():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
    ]
    result = settings_under(PRODUCTION, *names)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": "31536000",
    }


def test_development_settings_send_no_hsts_and_allow_plain_http_cookies():
    result = settings_under({"DEBUG": "1"}, "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS")
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0",
    }


def test_lockout_and_idle_settings_come_from_the_environment():
    env = {
        **PRODUCTION,
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_LOCKOUT_MINUTES": "20",
        "SESSION_IDLE_TIMEOUT": "600",
    }
    result = settings_under(env, "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "SESSION_IDLE_TIMEOUT")
    assert json.loads(result.stdout) == {
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_TIME": "0:20:00",
        "SESSION_IDLE_TIMEOUT": "600",
    }


def test_a_lockout_setting_that_is_not_a_number_stops_start_up():
    result = settings_under({**PRODUCTION, "LOGIN_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT" in result.stderr
