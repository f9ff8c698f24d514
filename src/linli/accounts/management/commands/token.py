"""``linli token``: issue, list and revoke API tokens from the command line.

linli token create USERNAME [--name N]   print a new key (shown this once)
linli token list USERNAME                the user's tokens, newest first
linli token revoke PREFIX_OR_ID          revoke one token, effective at once
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import PREFIX_LENGTH, ApiToken, hash_token_key
from linli.accounts.services import create_api_token, revoke_api_token
from linli.core.errors import Invalid


class Command(BaseCommand):
    help = "Create, list or revoke a user's API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a new token and print its key once")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="a label for the token (default: cli)")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or its key prefix")
        revoke.add_argument("token", metavar="PREFIX_OR_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self.create(options["username"], options["name"])
        elif action == "list":
            self.list(options["username"])
        else:
            self.revoke(options["token"])

    @staticmethod
    def user(username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户不存在 (no such user): {username}") from exc

    def create(self, username: str, name: str) -> None:
        try:
            _token, key = create_api_token(user=self.user(username), name=name)
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)

    def list(self, username: str) -> None:
        tokens = ApiToken.objects.filter(user=self.user(username))
        rows = [("id", "prefix", "name", "created", "last used", "status")]
        for token in tokens:
            rows.append(
                (
                    str(token.pk),
                    f"{token.prefix}…",
                    token.name or "-",
                    _when(token.created_at),
                    _when(token.last_used_at) if token.last_used_at else "never",
                    "active" if token.is_active else f"revoked {_when(token.revoked_at)}",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

    def revoke(self, given: str) -> None:
        token = find_token(given)
        if revoke_api_token(token=token):
            self.stdout.write(f"revoked {token.prefix}… ({token.user}, id {token.pk})")
        else:
            self.stdout.write(f"already revoked {token.prefix}… ({token.user}, id {token.pk})")


def find_token(given: str) -> ApiToken:
    """The one token whose id, key prefix or whole key is ``given``; an error otherwise.

    A prefix is 8 hex characters and may be all digits, so both readings are tried and two
    different matches are refused rather than guessed between.
    """
    given = given.strip().rstrip("…")
    if len(given) > PREFIX_LENGTH:
        match = Q(key_hash=hash_token_key(given))
    elif len(given) == PREFIX_LENGTH:
        match = Q(prefix=given)
    else:
        match = Q(pk__in=[])
    if given.isdigit() and len(given) < 19:
        match |= Q(pk=int(given))
    found = list(ApiToken.objects.filter(match).select_related("user")[:3])
    if not found:
        raise CommandError(f"没有这个令牌 (no token with this id or prefix): {given}")
    if len(found) > 1:
        ids = ", ".join(str(token.pk) for token in found)
        raise CommandError(
            f"有多个令牌与之匹配,请改用 id (several tokens match; use the id): {ids}"
        )
    return found[0]


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
