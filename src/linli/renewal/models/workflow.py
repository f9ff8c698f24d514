"""A project's way through the stages: planned and actual dates per stage, the log of
transitions, the residents' decision, the joint-review sign-offs and the acceptance record."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Organisation
from linli.renewal.gates import Stage
from linli.renewal.models.catalogue import REVIEWING_KINDS
from linli.renewal.models.projects import Project, percent_field


def _dates_in_order(obj: models.Model, start: str, end: str, zh: str, en: str) -> dict[str, str]:
    first, last = getattr(obj, start), getattr(obj, end)
    if first is not None and last is not None and last < first:
        return {end: f"{zh}结束日期早于开始日期 ({en} end is before its start)"}
    return {}


class StageRecord(models.Model):
    """Planned and actual start and end dates of one stage of a project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stages", verbose_name=_("项目")
    )
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_end = models.DateField(_("计划完成"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="stage_record_unique")
        ]
        verbose_name = _("阶段计划")
        verbose_name_plural = _("阶段计划")

    def __str__(self) -> str:
        return f"{self.project} · {self.get_stage_display()}"

    def clean(self) -> None:
        errors = {
            **_dates_in_order(self, "planned_start", "planned_end", "计划", "planned"),
            **_dates_in_order(self, "actual_start", "actual_end", "实际", "actual"),
        }
        if errors:
            raise ValidationError(errors)

    def is_late(self, today: datetime.date) -> bool:
        """Planned to end before ``today`` but not finished."""
        return self.planned_end is not None and self.actual_end is None and self.planned_end < today


class Transition(models.Model):
    """One change of a project's stage: from where, to where, who, when and why."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("项目")
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage or '—'} → {self.to_stage}"


class DecisionOutcome(models.TextChoices):
    """Whether the residents approved the renovation plan."""

    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("未通过")


class DecisionRecord(Timestamped):
    """The residents' decision on the plan: an owner vote of the consultation app (its result
    is the record's figures), or a scanned document for decisions taken outside Linli."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("项目")
    )
    decided_on = models.DateField(_("决策日期"))
    outcome = models.CharField(
        _("结果"), max_length=16, choices=DecisionOutcome.choices, default=DecisionOutcome.APPROVED
    )
    approval_share = percent_field(_("同意比例(%)"))
    summary = models.TextField(_("决策摘要"), blank=True)
    document = models.FileField(
        _("决策材料"), upload_to="renewal/decisions/%Y/%m/", max_length=255, blank=True
    )
    vote = models.ForeignKey(
        "consultation.Vote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("业主表决"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("居民决策")
        verbose_name_plural = _("居民决策")

    def __str__(self) -> str:
        return f"{self.project} · {self.decided_on} · {self.get_outcome_display()}"

    def clean(self) -> None:
        if not self.document and self.vote_id is None:
            raise ValidationError(
                {
                    "document": "请上传决策材料或关联业主表决 "
                    "(attach the decision document or link the owner vote)"
                }
            )


class ReviewStatus(models.TextChoices):
    """Where one department's sign-off stands."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    CLOSED = "closed", _("本轮已关闭")


class ReviewQuerySet(models.QuerySet["Review"]):
    """Filters of joint-review sign-offs."""

    def pending(self) -> ReviewQuerySet:
        return self.filter(status=ReviewStatus.PENDING)

    def overdue(self, today: datetime.date | None = None) -> ReviewQuerySet:
        """Pending sign-offs whose due date has passed."""
        return self.pending().filter(due_on__lt=today or timezone.localdate())

    def current(self) -> ReviewQuerySet:
        """Sign-offs of each project's current round."""
        return self.filter(round=models.F("project__review_round"))


class Review(Timestamped):
    """One department's sign-off of a project in one joint-review round (联审联批)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("项目")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    department = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reviews",
        limit_choices_to={"kind__in": REVIEWING_KINDS},
        verbose_name=_("审批部门"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reasons = models.TextField(_("审批事由"), blank=True, help_text=_("触发该部门审批的改造内容"))
    workdays = models.PositiveSmallIntegerField(_("办理时限(工作日)"))
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    due_on = models.DateField(_("截止日期"), db_index=True)
    comments = models.TextField(_("审批意见"), blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-round", "due_on", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "round", "department"], name="review_unique_in_round"
            )
        ]
        permissions = [("decide_for_department", _("可代部门登记联审意见"))]
        verbose_name = _("联审意见")
        verbose_name_plural = _("联审意见")

    def __str__(self) -> str:
        return f"{self.project} · {self.department} · {self.get_status_display()}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == ReviewStatus.PENDING and self.due_on < (today or timezone.localdate())


class AcceptanceRecord(Timestamped):
    """The joint acceptance of finished works, with the residents' satisfaction."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="acceptances", verbose_name=_("项目")
    )
    accepted_on = models.DateField(_("验收日期"))
    satisfaction_percent = percent_field(_("居民满意度(%)"))
    document = models.FileField(
        _("验收材料"), upload_to="renewal/acceptance/%Y/%m/", max_length=255
    )
    notes = models.TextField(_("验收意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        ordering = ["-accepted_on", "-pk"]
        verbose_name = _("联合验收")
        verbose_name_plural = _("联合验收")

    def __str__(self) -> str:
        return f"{self.project} · {self.accepted_on} · {self.satisfaction_percent}%"
