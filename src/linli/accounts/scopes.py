"""Turning a user's role assignments into scopes, and Django permissions that follow roles.

Installed into :mod:`linli.core.scoping` at start-up (see ``AccountsConfig.ready``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission
from django.db import models

from linli.accounts.models import JURISDICTION_FIELDS, RoleAssignment
from linli.accounts.roles import VIEW_PERSONAL_DATA, Role, role_grants
from linli.core.scoping import Scope, any_of, is_in_scope, register

_DISTRICT_OF_JURISDICTION = {
    "district": "district_id",
    "zone": "zone__district_id",
    "subdistrict": "subdistrict__district_id",
    "community": "community__subdistrict__district_id",
    "compound": "compound__community__subdistrict__district_id",
    "organisation": "organisation__district_id",
    "dwelling": "dwelling__stairwell__building__compound__community__subdistrict__district_id",
}


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
        if (
            assignment.role == Role.DEPARTMENT
            and assignment.organisation is not None
            and _is_read(permission)
        ):
            # Reading only: a department's changes stay within what is bound to it.
            ids["district_ids"].add(assignment.organisation.district_id)
    frozen: dict[str, Any] = {key: frozenset(value) for key, value in ids.items()}
    return Scope(user_id=user.pk, **frozen)


def role_assignment_rule(scope: Scope) -> models.Q:
    """A user's own assignments, and every assignment bound to a place in a scope's districts.

    Only the district office manages assignments (``accounts.change_roleassignment``); the
    admin lists them with that permission's scope, so a department that reads the whole
    district's registry still sees only its own assignments there.
    """
    own = (("user_id", [scope.user_id]),) if scope.user_id is not None else ()
    return any_of(
        *own, *((path, scope.district_ids) for path in _DISTRICT_OF_JURISDICTION.values())
    )


def register_rules() -> None:
    register(RoleAssignment, role_assignment_rule)


def granted_permissions(user: Any) -> frozenset[str]:
    """Every permission (``app_label.codename``) some assignment of ``user`` grants somewhere.

    One query over the permission table, once per user object; the admin asks it for each
    app it lists.
    """
    cached = user.__dict__.get("_linli_role_permissions")
    if cached is None:
        assignments = assignments_of(user)
        names: set[str] = set()
        if assignments:
            rows = Permission.objects.values_list("content_type__app_label", "codename")
            names = {
                perm
                for perm in (f"{app}.{codename}" for app, codename in rows)
                if any(assignment_grants(a, perm) for a in assignments)
            }
            if any(a.can_view_personal_data for a in assignments):
                names.add(VIEW_PERSONAL_DATA)
        cached = frozenset(names)
        user.__dict__["_linli_role_permissions"] = cached
    return cached


def _is_read(permission: str | None) -> bool:
    if permission == VIEW_PERSONAL_DATA:
        return False
    return permission is None or permission.partition(".")[2].startswith("view_")


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

    def get_all_permissions(self, user_obj: Any, obj: models.Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(granted_permissions(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in granted_permissions(user_obj))
