"""Door-to-door visits (入户走访) and the demand ranking they feed (居民点单).

A visit belongs to a survey (the campaign it serves). Coverage (入户率) of a survey in a
compound is the share of its dwellings reached; see ``linli.consultation.coverage`` for the
exact definition (docs/consultation.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.consultation.models.surveys import Survey
from linli.core.models import Timestamped
from linli.registry.models import Compound, Dwelling


class VisitOutcome(models.TextChoices):
    VISITED = "visited", _("已入户")
    NOBODY_HOME = "nobody_home", _("无人在家")
    DECLINED = "declined", _("拒绝入户")
    MOVED_OUT = "moved_out", _("已搬离/空置")


class Visit(Timestamped):
    """One call at a dwelling during a survey: when, by whom, what happened."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="visits", verbose_name=_("问卷调查")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="visits", verbose_name=_("房屋")
    )
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=16, choices=VisitOutcome.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("走访人"),
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["survey", "dwelling"])]
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")

    def __str__(self) -> str:
        return f"{self.dwelling} · {self.get_outcome_display()}"


class DemandRanking(Timestamped):
    """A compound's ranking of renovation items from survey answers, computed at a moment and
    kept as computed (a project adopting its items links to the entries it used)."""

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="demand_rankings", verbose_name=_("小区")
    )
    surveys = models.ManyToManyField(Survey, related_name="rankings", verbose_name=_("问卷调查"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    respondents = models.PositiveIntegerField(_("答卷户数"), default=0)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算人"),
    )

    class Meta:
        ordering = ["compound", "-computed_at", "-pk"]
        verbose_name = _("居民点单排名")
        verbose_name_plural = _("居民点单排名")

    def __str__(self) -> str:
        return f"{self.compound} · {timezone.localtime(self.computed_at):%Y-%m-%d}"


class DemandEntry(models.Model):
    """One catalogue item's place in a ranking: its score and who asked for it."""

    ranking = models.ForeignKey(
        DemandRanking, on_delete=models.CASCADE, related_name="entries", verbose_name=_("排名")
    )
    rank = models.PositiveSmallIntegerField(_("名次"))
    menu_code = models.CharField(_("改造内容编号"), max_length=32)
    label = models.CharField(_("名称"), max_length=128)
    score = models.DecimalField(_("得分"), max_digits=12, decimal_places=2)
    households = models.PositiveIntegerField(_("点单户数"))
    share = models.DecimalField(
        _("点单户数占比(%)"), max_digits=5, decimal_places=2, help_text=_("占答卷户数的比例")
    )
    first_choices = models.PositiveIntegerField(_("首选户数"), default=0)

    class Meta:
        ordering = ["ranking", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "menu_code"], name="demand_entry_unique")
        ]
        verbose_name = _("点单需求")
        verbose_name_plural = _("点单需求")

    def __str__(self) -> str:
        return f"{self.rank}. {self.label}"
