"""Meetings where residents talk things over: bench meetings (板凳会), neighbour meetings
(邻里会), owner assemblies (业主大会) and consultations, with who came, minutes and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Compound, Dwelling


class MeetingKind(models.TextChoices):
    BENCH = "bench", _("板凳会")
    NEIGHBOUR = "neighbour", _("邻里会")
    ASSEMBLY = "assembly", _("业主大会")
    CONSULTATION = "consultation", _("议事协商会")
    HEARING = "hearing", _("听证会")


class Meeting(Timestamped):
    """A meeting in a compound: when, where, what was discussed and decided."""

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=128)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=128)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)
    other_attendees = models.CharField(
        _("其他参会人员"),
        max_length=255,
        blank=True,
        help_text=_("社区、街道、设计施工单位等非业主参会人员"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


class Attendance(models.Model):
    """A dwelling represented at a meeting (and by whom)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="+", verbose_name=_("房屋")
    )
    attendee_name = models.CharField(_("参会人"), max_length=64, blank=True)

    class Meta:
        ordering = ["meeting", "dwelling"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "dwelling"], name="attendance_unique")
        ]
        verbose_name = _("参会住户")
        verbose_name_plural = _("参会住户")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.dwelling}"


class MeetingAttachment(Timestamped):
    """A file of a meeting: sign-in sheet, photos, the minutes as signed."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("会议")
    )
    title = models.CharField(_("名称"), max_length=128)
    file = models.FileField(_("文件"), upload_to="consultation/meetings/%Y/%m/", max_length=255)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.title
