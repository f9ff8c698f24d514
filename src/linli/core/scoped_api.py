"""The REST API side of jurisdiction scoping: viewsets whose rows, writes and choices are scoped.

* Reads: ``get_queryset()`` goes through :func:`linli.core.scoping.scoped`, so lists hold only
  the caller's rows and a detail outside the scope answers 404, never 403.
* Writes on an object: the object must lie in the scope of the write permission
  (``change_*`` for PUT/PATCH, ``delete_*`` for DELETE). A row the caller sees but may not
  change answers 403; one it cannot see has already answered 404.
* Choices: every writable foreign key of the serializer only accepts rows inside the scope of
  the permission being used (``add_<model>`` on create, ``change_<model>`` on update), so
  creating a building in someone else's compound is a 400 "no object with id N", which says
  nothing about whether that compound exists.
* What is written must land inside that scope too (a new district outside the caller's
  district, say): checked after saving, inside the transaction, and rolled back with a 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import QuerySet
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from linli.core.scoping import scoped

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

OUTSIDE_JURISDICTION = "超出管辖范围 (outside your jurisdiction)"


def permission_name(model: type[models.Model], action: str) -> str:
    """``app_label.<action>_<model>``, e.g. ``registry.change_building``."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class OutsideJurisdiction(exceptions.PermissionDenied):
    """403: the row is visible but the caller's role may not make this change to it."""

    default_detail = OUTSIDE_JURISDICTION
    default_code = "outside_jurisdiction"


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, plus: a write must be allowed on *this* object (its scope)."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        perms = self.get_required_permissions(request.method or "", type(obj))
        if all(request.user.has_perm(perm, obj) for perm in perms):
            return True
        raise OutsideJurisdiction()


def limit_related_fields(
    serializer: serializers.BaseSerializer, user: Any, permission: str
) -> None:
    """Narrow every writable related field of ``serializer`` to rows in ``permission``'s scope."""
    fields = getattr(serializer, "fields", {})
    for field in fields.values():
        if field.read_only:
            continue
        relation: Any = (
            field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
        )
        choices = getattr(relation, "queryset", None)
        if isinstance(relation, serializers.RelatedField) and choices is not None:
            # (setattr: the stubs type RelatedField.queryset as a manager descriptor)
            setattr(relation, "queryset", scoped(choices, user, permission))  # noqa: B010


class ScopedViewSetMixin:
    """Put before ``AtomicWritesMixin`` and the DRF viewset: scoped rows, writes and choices.

    (Its writes are atomic and re-read the row like ``AtomicWritesMixin``'s, with the scope
    check in between; it relies on that mixin's ``_reload``.)
    """

    permission_classes: Sequence[_PermissionClass] = (ScopedModelPermissions,)

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(super().get_queryset(), self._user())  # type: ignore[misc]

    def _user(self) -> Any:
        return self.request.user  # type: ignore[attr-defined]

    def write_permission(self) -> str | None:
        """The permission this request writes with, or None for reads."""
        model = self.get_queryset().model
        action = getattr(self, "action", None)
        if action == "create":
            return permission_name(model, "add")
        if action in ("update", "partial_update"):
            return permission_name(model, "change")
        return None

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer = super().get_serializer(*args, **kwargs)  # type: ignore[misc]
        permission = self.write_permission()
        if permission is not None:
            limit_related_fields(serializer, self._user(), permission)
        return serializer

    def _check_written(self, instance: models.Model | None) -> None:
        permission = self.write_permission()
        if permission is None or instance is None:
            return
        if not scoped(type(instance), self._user(), permission).filter(pk=instance.pk).exists():
            raise OutsideJurisdiction()

    # Checked before AtomicWritesMixin re-reads the row through the (scoped) queryset.
    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            self._check_written(serializer.instance)
            self._reload(serializer)  # type: ignore[attr-defined]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            self._check_written(serializer.instance)
            self._reload(serializer)  # type: ignore[attr-defined]
