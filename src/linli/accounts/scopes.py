"""Turning a user's role assignments into scopes, and Django permissions that follow roles.

Installed into :mod:`linli.core.scoping` at start-up (see ``AccountsConfig.ready``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.db import models

from linli.accounts.models import JURISDICTION_FIELDS, RoleAssignment
from linli.accounts.roles import VIEW_PERSONAL_DATA, Role, role_grants
from linli.core.scoping import Scope, is_in_scope


def assignments_of(user: Any) -> list[RoleAssignment]:
    """The user's role assignments, read once per user object (i.e. once per request)."""
    cached = user.__dict__.get("_linli_assignments")
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user_id=user.pk).select_related("organisation"))
        user.__dict__["_linli_assignments"] = cached
    return cached


def assignment_grants(assignment: RoleAssignment, permission: str | None) -> bool:
    if permission is None:
        return True
    if permission == VIEW_PERSONAL_DATA:
        return assignment.can_view_personal_data
    return role_grants(assignment.role, permission)


def resolve_scope(user: Any, permission: str | None) -> Scope:
    """The union of the jurisdictions of the assignments that grant ``permission``.

    A department (职能部门) reads the whole district its organisation serves: the housing or
    planning bureau works across every compound, but changes nothing in the registry.
    """
    ids: dict[str, set[int]] = defaultdict(set)
    for assignment in assignments_of(user):
        if not assignment_grants(assignment, permission):
            continue
        for field_name in JURISDICTION_FIELDS.values():
            value = getattr(assignment, f"{field_name}_id")
            if value is not None:
                ids[f"{field_name}_ids"].add(value)
        if assignment.role == Role.DEPARTMENT and assignment.organisation is not None:
            ids["district_ids"].add(assignment.organisation.district_id)
    return Scope(user_id=user.pk, **{key: frozenset(value) for key, value in ids.items()})


class RoleBackend(BaseBackend):
    """Django permissions granted by role assignments (``user.has_perm`` and the admin use it).

    Without ``obj`` a permission is granted when any assignment's role grants it; with
    ``obj`` the object must also lie inside that permission's scope.
    """

    def has_perm(self, user_obj: Any, perm: str, obj: models.Model | None = None) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if not any(assignment_grants(a, perm) for a in assignments_of(user_obj)):
            return False
        return obj is None or is_in_scope(obj, user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return app_label == "registry" and bool(assignments_of(user_obj))
