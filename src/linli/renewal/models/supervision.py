"""Supervision (督办): a project's red / yellow / green status and the supervision items that
overdue milestones open, assigned down the four-level chain (docs/renewal.md#supervision)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.renewal.gates import Stage
from linli.renewal.models.projects import Project
from linli.renewal.supervision import ChainLevel


class SupervisionKind(models.TextChoices):
    """What is overdue."""

    STAGE = "stage", _("阶段节点逾期")
    REVIEW = "review", _("联审联批超期")
    PROBLEM = "problem", _("问题久拖未决")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    RESOLVED = "resolved", _("已办结")


class SupervisionItem(Timestamped):
    """One overdue milestone being chased (督办事项), assigned to a level of the chain."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="supervision_items", verbose_name=_("项目")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=SupervisionKind.choices)
    # Identifies the milestone, so the periodic check never opens a second item for it:
    # "stage:works", "review:<pk>", "problem:<pk>".
    key = models.CharField(_("节点"), max_length=64)
    stage = models.CharField(
        _("阶段"), max_length=16, choices=Stage.choices, blank=True, default=""
    )
    description = models.CharField(_("督办内容"), max_length=255)
    due_on = models.DateField(_("应完成日期"))
    opened_on = models.DateField(_("督办日期"))
    level = models.CharField(_("责任层级"), max_length=16, choices=ChainLevel.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision_items",
        verbose_name=_("责任人"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
    )
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)
    resolution = models.TextField(_("办结情况"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结登记人"),
    )

    class Meta:
        ordering = ["status", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"],
                condition=Q(status="open"),
                name="supervision_one_open_item_per_milestone",
            )
        ]
        indexes = [models.Index(fields=["status", "level"])]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")

    def __str__(self) -> str:
        return f"{self.project} · {self.description}"
