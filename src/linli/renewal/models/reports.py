"""Reports as issued (周报告, 月通报, 季观摩, 年考评): the generated file and the figures it was
made from, kept so what was sent up can be reproduced later (docs/renewal.md#reports)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报告")
    MONTHLY = "monthly", _("月通报")
    QUARTERLY = "quarterly", _("季度观摩")
    ANNUAL = "annual", _("年度考评")


class ReportFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    XLSX = "xlsx", _("Excel (.xlsx)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("失败")


class IssuedReport(Timestamped):
    """One generated report: its period, the scope of the user it was made for, the file, and
    the figures (JSON) it was built from."""

    kind = models.CharField(_("报告类型"), max_length=16, choices=ReportKind.choices)
    format = models.CharField(_("格式"), max_length=8, choices=ReportFormat.choices)
    period = models.CharField(_("期间"), max_length=16, help_text=_("如 2026-W47、2026-11"))
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    scope_label = models.CharField(_("范围"), max_length=255, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_reports",
        verbose_name=_("生成人"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    figures = models.JSONField(_("报告数据"), default=dict, blank=True)
    file = models.FileField(_("文件"), upload_to="renewal/reports/%Y/", max_length=255, blank=True)
    sha256 = models.CharField(_("文件摘要(SHA-256)"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "period"])]
        verbose_name = _("已发布报告")
        verbose_name_plural = _("已发布报告")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"
