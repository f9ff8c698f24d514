"""A registry workbook uploaded through the web: previewed first, imported once confirmed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    PREVIEWED = "previewed", _("已预览")
    INVALID = "invalid", _("有错误")
    QUEUED = "queued", _("排队中")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("失败")


class RegistryUpload(models.Model):
    """An uploaded registry workbook with its preview (or errors) and the import outcome."""

    file = models.FileField(_("文件"), upload_to="uploads/registry/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registry_uploads",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.PREVIEWED
    )
    #: ``{"sheets": {sheet: counts}, "changes": [...], "change_count": n}`` of the last run.
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    #: The first errors of the last run (sheet, row, column, letter, value, zh, en).
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误总数"), default=0)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("登记簿上传")
        verbose_name_plural = _("登记簿上传")

    def __str__(self) -> str:
        return self.original_name

    @property
    def hidden_error_count(self) -> int:
        """Errors counted but not listed."""
        return max(0, self.error_count - len(self.errors))

    @property
    def sheet_counts(self) -> list[tuple[str, dict[str, Any]]]:
        """(sheet, counts) pairs in workbook order, for templates."""
        return list(self.summary.get("sheets", {}).items())

    @property
    def hidden_change_count(self) -> int:
        """Field changes counted but not listed."""
        return max(0, self.summary.get("change_count", 0) - len(self.summary.get("changes", [])))
