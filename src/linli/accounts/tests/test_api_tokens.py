"""API tokens: ``Authorization: Token <key>`` opens the REST API; revoked or unknown keys do not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from linli.accounts.models import ApiToken, RoleAssignment
from linli.accounts.roles import Role
from linli.accounts.services import create_api_token, revoke_api_token
from linli.registry.tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="x" * 12)


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_opens_the_api(user):
    _token, key = create_api_token(user=user)
    assert _client(key).get("/api/v1/districts/").status_code == 200


def test_using_a_token_records_when_it_was_last_used(user):
    token, key = create_api_token(user=user)
    _client(key).get("/api/v1/districts/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(user):
    token, key = create_api_token(user=user)
    revoke_api_token(token=token)
    response = _client(key).get("/api/v1/districts/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_unknown_token_is_refused():
    assert _client("0" * 60).get("/api/v1/districts/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(user):
    _token, key = create_api_token(user=user)
    user.is_active = False
    user.save()
    assert _client(key).get("/api/v1/districts/").status_code == 401


def test_a_token_writes_without_a_csrf_token(user):
    district = DistrictFactory()
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICE, district=district)
    _token, key = create_api_token(user=user)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        "/api/v1/zones/", {"district": district.pk, "code": "Z9", "name": "第9片区"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_token_command_prints_a_working_key(user):
    out = StringIO()
    call_command("token", "create", "alice", "--name", "etl", stdout=out)
    key = out.getvalue().strip()
    assert _client(key).get("/api/v1/districts/").status_code == 200
    assert ApiToken.objects.get(user=user).name == "etl"


def test_the_token_command_refuses_an_unknown_user():
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody", stdout=StringIO())
