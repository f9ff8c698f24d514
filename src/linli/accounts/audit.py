"""Which account models the audit trail tracks (users, role assignments, API tokens)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from linli.accounts.models import ApiToken, RoleAssignment
from linli.core.audit import track
from linli.registry.audit import compound_of_dwelling


def _assignment_compound(assignment: RoleAssignment) -> int | None:
    if assignment.compound_id is not None:
        return assignment.compound_id
    if assignment.dwelling_id is not None:
        return compound_of_dwelling(assignment.dwelling_id)
    return None


def track_accounts() -> None:
    """Audit users, role assignments and tokens.

    A password change is recorded as changed (``***``), never its hash; sign-in times are not
    changes worth a row; a token's key hash is never recorded.
    """
    track(get_user_model(), exclude=("last_login",), redact=("password",))
    track(RoleAssignment, locate=_assignment_compound)
    track(ApiToken, exclude=("key_hash", "last_used_at"))
