"""Revealing one personal data value of one owner or resident, audited every time.

ID numbers and phone numbers are masked everywhere by default. A user whose role assignment
grants "view personal data" (``RoleAssignment.can_view_personal_data``) for the object's
jurisdiction may ask for one value of one record; every such reveal writes an audit event
that names the field, never the value. Objects the user cannot see answer 404, visible ones
without the grant 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.crypto import reveal
from linli.core.errors import Invalid
from linli.core.models import AuditAction
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Owner, Resident

#: The permission the scoping layer answers from the personal-data grant of role assignments
#: (``linli.accounts.roles.VIEW_PERSONAL_DATA``; the registry does not import accounts).
VIEW_PERSONAL_DATA = "registry.view_personal_data"

#: Fields that can be revealed, per model.
REVEALABLE: dict[type[models.Model], tuple[str, ...]] = {
    Owner: ("id_number", "phone"),
    Resident: ("id_number", "phone"),
}
FIELD_LABELS = {"id_number": _("身份证号"), "phone": _("手机号")}

NO_GRANT = "没有查看个人信息的授权 (you are not granted viewing personal data here)"


def can_reveal(user: Any, obj: models.Model) -> bool:
    """Whether ``user`` holds the personal data grant for the jurisdiction ``obj`` is in."""
    return scoped(type(obj), user, VIEW_PERSONAL_DATA).filter(pk=obj.pk).exists()


def revealable_fields(model: type[models.Model]) -> tuple[str, ...]:
    return REVEALABLE.get(model, ())


@transaction.atomic
def reveal_personal_value(*, user: Any, model: type[models.Model], pk: Any, field: str) -> str:
    """The plaintext of ``field`` of one ``model`` row, recorded in the audit trail.

    Raises ``Http404`` when the row is outside the user's scope (or does not exist),
    ``PermissionDenied`` without the grant, :class:`Invalid` for a field that is not personal
    data of that model.
    """
    if field not in revealable_fields(model):
        raise Invalid(
            f"只能查看以下字段:{'、'.join(str(FIELD_LABELS[f]) for f in revealable_fields(model))}",
            f"only these fields can be revealed: {', '.join(revealable_fields(model))}",
            "not_revealable",
        )
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = get_scoped_or_404(model, user, pk=pk)
    if not can_reveal(user, obj):
        raise PermissionDenied(NO_GRANT)
    # Recorded before the value leaves: no event, no value.
    audit.record(action=AuditAction.REVEAL, obj=obj, changes={"field": field})
    return reveal(getattr(obj, field))
