"""factory_boy factories for users and role assignments."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.scoping import clear_cached_scopes


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n + 1}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment; pass the role and exactly one jurisdiction (``district=...``)."""

    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.DISTRICT_OFFICE


def user_with_role(role: str, username: str | None = None, **jurisdiction: Any) -> Any:
    """A user holding ``role`` bound to ``jurisdiction`` (one keyword: ``community=c``, ...)."""
    user = UserFactory(**({"username": username} if username else {}))
    personal = jurisdiction.pop("can_view_personal_data", False)
    RoleAssignmentFactory(user=user, role=role, can_view_personal_data=personal, **jurisdiction)
    clear_cached_scopes(user)
    return user
