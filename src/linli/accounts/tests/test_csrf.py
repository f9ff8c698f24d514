"""CSRF everywhere: every form and session-authenticated write needs the token; API tokens don't."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.services import create_api_token
from linli.accounts.tests.hashing import cheap_hashing  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_hashing")]

PASSWORD = "a-long-password-1"
NEW_DISTRICT = {"code": "410302", "name": "老城区"}
SRC = Path(__file__).resolve().parents[2]


@pytest.fixture
def user(django_user_model):
    # A superuser: the writes below are inside anyone's jurisdiction, so only CSRF decides.
    return django_user_model.objects.create_superuser(username="root", password=PASSWORD)


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


def csrf_token(client: Client) -> str:
    client.get(reverse("login"))
    return client.cookies["csrftoken"].value


# --- forms ---------------------------------------------------------------------------------


def test_a_login_post_without_a_csrf_token_is_refused(strict, user):
    response = strict.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_the_csrf_refusal_page_explains_itself_in_both_languages(strict, user):
    html = strict.post(reverse("login"), {"username": "root", "password": PASSWORD}).content
    assert "刷新页面" in html.decode() and "Reload the page" in html.decode()


def test_a_login_post_with_the_csrf_token_signs_in(strict, user):
    token = csrf_token(strict)
    response = strict.post(
        reverse("login"),
        {"username": "root", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_a_logout_post_without_a_csrf_token_is_refused(strict, user):
    strict.force_login(user)
    assert strict.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in strict.session


def test_creating_a_token_on_the_page_without_a_csrf_token_is_refused(strict, user):
    strict.force_login(user)
    assert strict.post(reverse("accounts:tokens"), {"name": "x"}).status_code == 403
    assert not user.api_tokens.exists()


def test_revoking_a_token_without_a_csrf_token_is_refused(strict, user):
    strict.force_login(user)
    token, _key = create_api_token(user=user, name="etl")
    assert strict.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.is_active


def test_changing_the_password_without_a_csrf_token_is_refused(strict, user):
    strict.force_login(user)
    new = "xigong-renewal-2027"
    response = strict.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_json_sign_in_without_a_csrf_token_is_refused(strict, user):
    response = strict.post(
        reverse("accounts:session"),
        json.dumps({"username": "root", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_json_sign_in_with_the_csrf_header_signs_in(strict, user):
    strict.get(reverse("accounts:session"))  # sets the cookie, as a script would first do
    response = strict.post(
        reverse("accounts:session"),
        json.dumps({"username": "root", "password": PASSWORD}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=strict.cookies["csrftoken"].value,
    )
    assert response.status_code == 200


def post_forms_without_a_csrf_token() -> list[str]:
    """Every ``<form method="post">`` in our templates whose body lacks ``{% csrf_token %}``."""
    missing = []
    form = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        for match in form.finditer(path.read_text(encoding="utf-8")):
            if "{% csrf_token %}" not in match.group(1):
                missing.append(f"{path.relative_to(SRC)}: {match.group(0)[:80]}")
    return missing


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    assert post_forms_without_a_csrf_token() == []


def test_the_template_scan_sees_the_forms_it_checks():
    # Guards the scan above: it must find the forms (login, logout, tokens ...) to mean anything.
    assert len(list(SRC.glob("*/templates/**/*.html"))) > 10
    assert "accounts/templates/accounts/tokens.html" in {
        str(path.relative_to(SRC)) for path in SRC.glob("*/templates/**/*.html")
    }


# --- the API -------------------------------------------------------------------------------


def test_an_api_write_with_a_session_and_no_csrf_token_is_refused(user):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    response = api.post("/api/v1/districts/", NEW_DISTRICT, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_api_write_with_a_session_and_the_csrf_header_goes_through(user):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    token = csrf_token(api)
    response = api.post("/api/v1/districts/", NEW_DISTRICT, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code in (201, 400), response.content


def test_an_api_write_with_a_token_needs_no_csrf_token(user):
    _token, key = create_api_token(user=user, name="etl")
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post("/api/v1/districts/", NEW_DISTRICT, format="json")
    assert response.status_code in (201, 400), response.content


def test_an_api_read_with_a_session_needs_no_csrf_token(user):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    assert api.get("/api/v1/districts/").status_code == 200
