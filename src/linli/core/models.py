"""Abstract model bases shared by business apps, and the audit trail (core's one concrete model).

The audit trail lives in ``core`` because every app writes to it and none may own it; it holds
no foreign key to any business table (see :class:`AuditEvent`).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.errors import Invalid


class Timestamped(models.Model):
    """Adds creation and last-change times."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


# --- Audit trail ---------------------------------------------------------------------------


class AuditSource(models.TextChoices):
    """Where a change came from."""

    WEB = "web", _("网页")
    API = "api", _("接口")
    ADMIN = "admin", _("管理后台")
    IMPORT = "import", _("导入")
    CLI = "cli", _("命令行")
    TASK = "task", _("后台任务")
    SYSTEM = "system", _("系统")


class AuditAction(models.TextChoices):
    """What happened to the object."""

    CREATE = "create", pgettext_lazy("audit action", "新增")
    UPDATE = "update", pgettext_lazy("audit action", "修改")
    DELETE = "delete", pgettext_lazy("audit action", "删除")
    REVEAL = "reveal", _("查看个人信息")
    EXPORT = "export", pgettext_lazy("audit action", "导出")
    BULK = "bulk", _("批量")


class AppendOnlyError(Invalid):
    """An attempt to change or remove an audit event."""

    def __init__(self) -> None:
        super().__init__(
            "审计记录只能追加,不能修改或删除",
            "audit events are append-only: they cannot be changed or deleted",
            "audit_append_only",
        )


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError()


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads and inserts only: every bulk way to change or remove rows refuses."""

    update = _refuse  # type: ignore[assignment]
    delete = _refuse  # type: ignore[assignment]
    bulk_update = _refuse  # type: ignore[assignment]
    update_or_create = _refuse  # type: ignore[assignment]


class AuditEvent(models.Model):
    """One recorded change (or reveal, export, bulk load) of one object; never edited.

    ``actor_id`` is a plain integer, not a foreign key: the trail must outlive deleted users
    and a cascade must never UPDATE or DELETE it. ``compound_id`` (also plain) places the
    object in a compound so the trail can be scoped like the registry. ``changes`` maps a field
    to ``[before, after]``: ``before`` is null for a create, ``after`` null for a delete;
    personal data in it is masked.
    """

    occurred_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人 ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=AuditSource.choices)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    path = models.CharField(_("路径/命令"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    request_id = models.CharField(_("请求 ID"), max_length=36, db_index=True)
    model_label = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    compound_id = models.BigIntegerField(_("所属小区 ID"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # An object's history; the few events of one object are sorted without an index.
            models.Index(fields=["model_label", "object_id"], name="audit_object_idx")
        ]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: saving a stored event again refuses."""
        if not self._state.adding:
            raise AppendOnlyError()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError()
