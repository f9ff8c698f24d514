"""API tokens: the "my tokens" page and the ``linli token`` command issue, list and revoke them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.models import ApiToken, hash_token_key
from linli.accounts.services import create_api_token, revoke_api_token
from linli.accounts.tests.hashing import cheap_hashing  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_hashing")]

API = "/api/v1/districts/"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="a-long-password-1")


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user(username="bob", password="a-long-password-1")


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def api_status(key: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(API).status_code


def new_key_on(html: str) -> str:
    start = html.index("data-token-key>") + len("data-token-key>")
    return html[start : html.index("<", start)]


# --- the page ------------------------------------------------------------------------------


def test_the_tokens_page_needs_a_login(client):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_lists_the_users_tokens_with_prefix_and_status(client_in, user):
    active, _ = create_api_token(user=user, name="数据同步脚本")
    revoked, _ = create_api_token(user=user, name="旧脚本")
    revoke_api_token(token=revoked)
    html = client_in.get(reverse("accounts:tokens")).content.decode()
    assert "数据同步脚本" in html and f"{active.prefix}…" in html
    assert "旧脚本" in html and "已撤销" in html


def test_the_page_does_not_list_other_users_tokens(client_in, other):
    token, _ = create_api_token(user=other, name="bob 的脚本")
    html = client_in.get(reverse("accounts:tokens")).content.decode()
    assert "bob 的脚本" not in html and token.prefix not in html


def test_a_token_created_on_the_page_is_shown_once_and_works(client_in, user):
    response = client_in.post(reverse("accounts:tokens"), {"name": "报表导出"})
    assert response.status_code == 201
    key = new_key_on(response.content.decode())
    assert ApiToken.objects.get(user=user).key_hash == hash_token_key(key)
    assert api_status(key) == 200


def test_the_new_key_is_not_shown_again_on_the_next_visit(client_in):
    created = client_in.post(reverse("accounts:tokens"), {"name": "报表导出"})
    key = new_key_on(created.content.decode())
    assert key not in client_in.get(reverse("accounts:tokens")).content.decode()


def test_the_answer_carrying_a_new_key_is_not_cached(client_in):
    response = client_in.post(reverse("accounts:tokens"), {"name": "报表导出"})
    assert "no-store" in response["Cache-Control"]


def test_a_token_needs_a_name(client_in, user):
    response = client_in.post(reverse("accounts:tokens"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()


def test_revoking_on_the_page_refuses_the_key_at_once(client_in, user):
    token, key = create_api_token(user=user, name="etl")
    assert api_status(key) == 200
    response = client_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api_status(key) == 401


def test_a_revoked_token_shows_as_revoked_without_a_revoke_button(client_in, user):
    token, _ = create_api_token(user=user, name="etl")
    client_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    html = client_in.get(reverse("accounts:tokens")).content.decode()
    assert reverse("accounts:token_revoke", args=[token.pk]) not in html
    assert "已撤销" in html


def test_revoking_someone_elses_token_answers_404_and_leaves_it_working(client_in, other):
    token, key = create_api_token(user=other, name="bob")
    response = client_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert api_status(key) == 200


def test_revoking_a_token_that_does_not_exist_answers_404(client_in):
    assert client_in.post(reverse("accounts:token_revoke", args=[999999])).status_code == 404


def test_revoking_needs_a_post(client_in, user):
    token, key = create_api_token(user=user, name="etl")
    assert client_in.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert api_status(key) == 200


def test_revoking_twice_keeps_the_first_revocation_time(client_in, user):
    token, _ = create_api_token(user=user, name="etl")
    client_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    client_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_the_tokens_page_takes_a_fixed_number_of_queries(
    client_in, user, django_assert_max_num_queries
):
    for number in range(12):
        create_api_token(user=user, name=f"script {number}")
    # session, user, tokens (+ slack for middleware added by other features)
    with django_assert_max_num_queries(5):
        client_in.get(reverse("accounts:tokens"))


# --- the command ---------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_named_token_and_prints_its_key(user):
    key = run("create", "alice", "--name", "nightly-sync").strip()
    assert api_status(key) == 200
    assert ApiToken.objects.get(user=user).name == "nightly-sync"


def test_the_command_refuses_a_name_that_is_too_long(user):
    with pytest.raises(CommandError, match="64"):
        run("create", "alice", "--name", "x" * 65)


def test_the_command_lists_a_users_tokens_with_their_status(user, other):
    active, _ = create_api_token(user=user, name="sync")
    revoked, _ = create_api_token(user=user, name="old")
    revoke_api_token(token=revoked)
    bobs, _ = create_api_token(user=other, name="bobs")
    lines = run("list", "alice").splitlines()
    assert len(lines) == 3  # header + two tokens
    by_prefix = {line.split()[1]: line for line in lines[1:]}
    assert "active" in by_prefix[f"{active.prefix}…"]
    assert "revoked" in by_prefix[f"{revoked.prefix}…"]
    assert f"{bobs.prefix}…" not in by_prefix


def test_the_list_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="no such user"):
        run("list", "nobody")


def test_the_command_revokes_by_prefix(user):
    token, key = create_api_token(user=user, name="sync")
    run("revoke", token.prefix)
    assert api_status(key) == 401


def test_the_command_revokes_by_id(user):
    token, key = create_api_token(user=user, name="sync")
    run("revoke", str(token.pk))
    assert api_status(key) == 401


def test_the_command_revokes_by_the_whole_key(user):
    _token, key = create_api_token(user=user, name="sync")
    run("revoke", key)
    assert api_status(key) == 401


def test_the_command_refuses_an_unknown_token(user):
    with pytest.raises(CommandError, match="no token"):
        run("revoke", "ffffffff")


def test_the_command_refuses_a_prefix_two_tokens_share(user, other):
    ApiToken.objects.create(user=user, prefix="abcd1234", key_hash="1" * 64)
    ApiToken.objects.create(user=other, prefix="abcd1234", key_hash="2" * 64)
    with pytest.raises(CommandError, match="several tokens match"):
        run("revoke", "abcd1234")
    assert ApiToken.objects.active().count() == 2
