"""Progress during works: dated reports with a percentage per item, site photos (with the time
and place their camera recorded) and the problems raised and resolved along the way."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.renewal.models.projects import Project, ProjectItem, percent_field


class ProgressReport(Timestamped):
    """One dated progress report of a project (进度填报)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("项目")
    )
    reported_on = models.DateField(_("填报日期"))
    summary = models.TextField(_("进展情况"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    class Meta:
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["project", "reported_on"])]
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")

    def __str__(self) -> str:
        return f"{self.project} · {self.reported_on}"


class ProgressLine(models.Model):
    """The percentage of one project item reached as of a report."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="lines", verbose_name=_("进度报告")
    )
    project_item = models.ForeignKey(
        ProjectItem,
        on_delete=models.CASCADE,
        related_name="progress_lines",
        verbose_name=_("改造内容"),
    )
    percent = percent_field(_("完成比例(%)"))
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["report", "project_item"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "project_item"], name="progress_line_unique_item"
            )
        ]
        verbose_name = _("分项进度")
        verbose_name_plural = _("分项进度")

    def __str__(self) -> str:
        return f"{self.report} · {self.project_item.item} · {self.percent}%"

    def clean(self) -> None:
        if (
            self.report_id
            and self.project_item_id
            and self.project_item.project_id != self.report.project_id
        ):
            raise ValidationError(
                {"project_item": "改造内容不属于该项目 (the item belongs to another project)"}
            )


class ProgressPhoto(Timestamped):
    """A site photo attached to a progress report; EXIF time and GPS kept when present."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("进度报告")
    )
    image = models.ImageField(_("照片"), upload_to="renewal/progress/%Y/%m/", max_length=255)
    caption = models.CharField(_("说明"), max_length=255, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    # WGS-84, as cameras record it (EXIF GPS); 7 places is about 1 cm.
    latitude = models.DecimalField(
        _("纬度"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class ProgressProblem(Timestamped):
    """A problem found on site, raised with a report and later resolved (问题清单)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="problems", verbose_name=_("项目")
    )
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("提出时的进度报告"),
    )
    description = models.TextField(_("问题描述"))
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解决登记人"),
    )

    class Meta:
        ordering = ["resolved_on", "-raised_on", "-pk"]
        verbose_name = _("工程问题")
        verbose_name_plural = _("工程问题")

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    def clean(self) -> None:
        if self.resolved_on is not None and self.raised_on and self.resolved_on < self.raised_on:
            raise ValidationError(
                {"resolved_on": "解决日期早于提出日期 (resolved before it was raised)"}
            )
