"""Accounts: per-user API tokens and role assignments (users themselves are Django's auth users)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import ROLE_JURISDICTIONS, ROLE_ORGANISATION_KINDS, Jurisdiction, Role

TOKEN_BYTES = 30
PREFIX_LENGTH = 8


def hash_token_key(key: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak working credentials."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A revocable API credential of one user; clients send ``Authorization: Token <key>``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_token_key() -> str:
    return secrets.token_hex(TOKEN_BYTES)


#: RoleAssignment field holding each jurisdiction kind.
JURISDICTION_FIELDS: dict[str, str] = {
    Jurisdiction.DISTRICT: "district",
    Jurisdiction.ZONE: "zone",
    Jurisdiction.SUBDISTRICT: "subdistrict",
    Jurisdiction.COMMUNITY: "community",
    Jurisdiction.COMPOUND: "compound",
    Jurisdiction.ORGANISATION: "organisation",
    Jurisdiction.DWELLING: "dwelling",
}


ONE_JURISDICTION_MESSAGE = (
    "每个角色授权须绑定且只绑定一个管辖范围 "
    "(a role assignment is bound to exactly one jurisdiction)"
)


def _exactly_one_jurisdiction() -> models.Q:
    """One jurisdiction field set and every other one empty (an OR over the seven kinds)."""
    names = list(JURISDICTION_FIELDS.values())
    condition = models.Q()
    for name in names:
        condition |= models.Q(
            **{f"{other}__isnull": other != name for other in names},
        )
    return condition


class RoleAssignment(models.Model):
    """One role a user holds, bound to one jurisdiction (a place, an organisation or a dwelling)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    district = models.ForeignKey(
        "registry.District", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("区")
    )
    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("片区")
    )
    subdistrict = models.ForeignKey(
        "registry.Subdistrict",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("街道办事处"),
    )
    community = models.ForeignKey(
        "registry.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("社区"),
    )
    compound = models.ForeignKey(
        "registry.Compound", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("小区")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("单位"),
    )
    dwelling = models.ForeignKey(
        "registry.Dwelling", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("房屋")
    )
    can_view_personal_data = models.BooleanField(
        _("可查看个人信息"),
        default=False,
        help_text=_("可在本管辖范围内逐条查看完整的身份证号和手机号,每次查看均记入审计日志"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["user", "role", "pk"]
        constraints = [
            # Exactly one jurisdiction: the database refuses what clean() explains.
            models.CheckConstraint(
                condition=_exactly_one_jurisdiction(),
                violation_error_message=ONE_JURISDICTION_MESSAGE,
                violation_error_code="one_jurisdiction",
                name="roleassignment_one_jurisdiction",
            )
        ]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.jurisdiction}"

    @property
    def jurisdiction(self) -> models.Model | None:
        for field_name in JURISDICTION_FIELDS.values():
            value = getattr(self, field_name)
            if value is not None:
                return value
        return None

    def bound_kinds(self) -> list[str]:
        return [
            kind
            for kind, field_name in JURISDICTION_FIELDS.items()
            if getattr(self, f"{field_name}_id") is not None
        ]

    def clean(self) -> None:
        kinds = self.bound_kinds()
        allowed = ROLE_JURISDICTIONS.get(self.role, frozenset())
        if len(kinds) != 1:
            return  # the check constraint reports it (full_clean runs it), once
        if kinds[0] not in allowed:
            names = "、".join(str(Jurisdiction(k).label) for k in sorted(allowed))
            raise ValidationError(
                {
                    JURISDICTION_FIELDS[kinds[0]]: f"该角色只能绑定到:{names} "
                    f"(this role binds to: {', '.join(sorted(allowed))})"
                }
            )
        fitting = ROLE_ORGANISATION_KINDS.get(self.role)
        if fitting and self.organisation is not None and self.organisation.kind not in fitting:
            raise ValidationError(
                {
                    "organisation": f"“{self.organisation}”的单位类型与该角色不符 "
                    f"(the organisation's kind {self.organisation.kind!r} does not fit this "
                    f"role; expected {', '.join(sorted(fitting))})"
                }
            )
