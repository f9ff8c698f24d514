"""Writes for accounts: issuing and revoking API tokens."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import PREFIX_LENGTH, ApiToken, hash_token_key, new_token_key


@transaction.atomic
def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token; the clear key is returned once and never stored."""
    key = new_token_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_token_key(key)
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
