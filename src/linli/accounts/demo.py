"""The demo log-ins: ``admin`` (superuser) and ``demo-district`` (district office staff).

Roles bound to jurisdictions come with a later issue; until then ``demo-district`` is an
active staff user holding every model permission of the registry app.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from linli.core.errors import Invalid

ADMIN_USERNAME = "admin"
DISTRICT_USERNAME = "demo-district"


@transaction.atomic
def ensure_demo_accounts(*, password: str) -> list[str]:
    """Create or update the demo users with ``password``; returns their usernames.

    Idempotent: running it again resets the flags, permissions and password. The password
    must pass the configured password validators (the demo may be reachable on a network).
    """
    zh, en = _password_problems(password, "zh-hans"), _password_problems(password, "en")
    if zh or en:
        raise Invalid(
            f"演示密码不符合要求:{zh}(请设置 LINLI_DEMO_PASSWORD)",
            f"the demo password is not acceptable: {en} (set LINLI_DEMO_PASSWORD)",
            "demo_password",
        )
    user_model = get_user_model()

    admin, _ = user_model.objects.get_or_create(username=ADMIN_USERNAME)
    admin.first_name = "系统管理员"
    admin.is_active = admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()

    district, _ = user_model.objects.get_or_create(username=DISTRICT_USERNAME)
    district.first_name = "西工区百城办"
    district.is_active = district.is_staff = True
    district.is_superuser = False
    district.set_password(password)
    district.save()
    district.user_permissions.add(*Permission.objects.filter(content_type__app_label="registry"))
    return [ADMIN_USERNAME, DISTRICT_USERNAME]


def _password_problems(password: str, language: str) -> str:
    """The password validators' objections in ``language``, joined; empty if none."""
    with translation.override(language):
        try:
            validate_password(password)
        except ValidationError as exc:
            return "; ".join(str(m) for m in exc.messages)
    return ""
