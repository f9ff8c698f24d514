"""The Django admin side of jurisdiction scoping.

:class:`ScopedAdminMixin` goes first in the bases of every ``ModelAdmin`` (and inline) whose
model has a scope rule: change lists, change pages, inlines, foreign-key choices and
autocomplete answers hold only rows of the user's scope, and the add/change/delete/view
permissions are asked of ``user.has_perm(perm, obj)``, which checks the object's scope (see
``linli.accounts.scopes.RoleBackend``). An object outside the scope is simply not in the
queryset, so its change page says it does not exist, as Django's admin does for a wrong id.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.core.scoping import registered_models, scoped


def _perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ScopedAdminMixin:
    """Scoped querysets, choices and object permissions for a ModelAdmin or an inline."""

    model: type[models.Model]
    #: The permission whose scope lists rows (None: the read scope). The role-assignment
    #: admin lists what its user may *manage*, not everything they may read.
    scope_permission: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scoped(queryset, request.user, self.scope_permission)

    def _write_permission(self, request: HttpRequest) -> str:
        """add_<model> on an add page, change_<model> anywhere else (the choices' scope)."""
        match = getattr(request, "resolver_match", None)
        adding = match is not None and (match.url_name or "").endswith("_add")
        return _perm(self.model, "add" if adding else "change")

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        related = db_field.remote_field.model
        if formfield is not None and related in registered_models():
            formfield.queryset = scoped(
                formfield.queryset, request.user, self._write_permission(request)
            )
        return formfield

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        user = request.user
        return user.has_perm(_perm(self.model, "view"), obj) or user.has_perm(
            _perm(self.model, "change"), obj
        )

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Inlines pass the parent object: adding a building needs add_building on its compound.
        return request.user.has_perm(_perm(self.model, "add"), obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.has_perm(_perm(self.model, "change"), obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.has_perm(_perm(self.model, "delete"), obj)
