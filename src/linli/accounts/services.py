"""Writes for accounts: issuing and revoking API tokens, changing a password."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import PREFIX_LENGTH, ApiToken, hash_token_key, new_token_key
from linli.core.errors import Invalid

TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 64


def clean_token_name(name: str) -> str:
    """A token's label, stripped; too long is an error rather than a silent cut."""
    name = name.strip()
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise Invalid(
            f"令牌名称最多 {TOKEN_NAME_MAX_LENGTH} 个字符",
            f"a token name has at most {TOKEN_NAME_MAX_LENGTH} characters",
            code="max_length",
        )
    return name


@transaction.atomic
def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token; the clear key is returned once and never stored."""
    key = new_token_key()
    token = ApiToken.objects.create(
        user=user,
        name=clean_token_name(name),
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_token_key(key),
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> bool:
    """Revoke a token from this moment on; False if it already was (the first time is kept)."""
    # Re-read under a row lock so two revocations racing each other keep the first time.
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is not None:
        token.revoked_at = current.revoked_at
        return False
    current.revoked_at = token.revoked_at = timezone.now()
    current.save(update_fields=["revoked_at"])
    return True


@transaction.atomic
def change_password(*, user: User, password: str) -> None:
    """Set a new password that passes the policy (AUTH_PASSWORD_VALIDATORS); Argon2-hashed.

    Raises Django's ``ValidationError`` with the policy's messages. Other sessions of the user
    end because their stored password hash no longer matches; API tokens are kept (revoke them
    on the tokens page if the password was leaked together with a token).
    """
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
