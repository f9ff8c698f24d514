"""Assets of a compound (elevators, fire equipment, cameras, gates, chargers), who is
responsible for them, their maintenance contracts and preventive schedules."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Compound, Organisation

#: Statutory limits for elevators (TSG T5002-2017 and the Special Equipment Safety Law):
#: maintenance at least every 15 days, a periodic inspection every year.
ELEVATOR_MAINTENANCE_MAX_DAYS = 15
ELEVATOR_INSPECTION_MAX_DAYS = 365


class AssetKind(models.TextChoices):
    ELEVATOR = "elevator", _("电梯")
    FIRE = "fire", _("消防设施")
    CAMERA = "camera", _("监控摄像头")
    GATE = "gate", _("门禁道闸")
    CHARGER = "charger", _("充电桩")
    OTHER = "other", _("其他设施")


class Asset(Timestamped):
    """A piece of equipment the compound has to keep safe and working."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="assets", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=AssetKind.choices)
    name = models.CharField(_("名称"), max_length=128)
    location = models.CharField(_("位置"), max_length=128, blank=True)
    responsible_unit = models.CharField(
        _("使用单位"),
        max_length=128,
        help_text=_("对设备安全使用负责的单位(如物业服务企业、业主委员会或其委托的单位)"),
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_assets",
        verbose_name=_("使用单位(登记单位)"),
    )
    registration_code = models.CharField(_("使用登记证编号"), max_length=64, blank=True)
    manufacturer = models.CharField(_("制造单位"), max_length=128, blank=True)
    model_name = models.CharField(_("型号"), max_length=64, blank=True)
    commissioned_on = models.DateField(_("投入使用日期"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["compound", "kind", "name", "pk"]
        verbose_name = _("设施设备")
        verbose_name_plural = _("设施设备")

    def __str__(self) -> str:
        return f"{self.compound.name} · {self.name}"


class MaintenanceContract(Timestamped):
    """The contract with the firm that maintains an asset (维保合同)."""

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("设施设备")
    )
    contractor = models.CharField(_("维保单位"), max_length=128)
    contractor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintenance_contracts",
        verbose_name=_("维保单位(登记单位)"),
    )
    number = models.CharField(_("合同编号"), max_length=64, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    annual_fee = models.DecimalField(
        _("年费(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["asset", "-starts_on", "-pk"]
        verbose_name = _("维保合同")
        verbose_name_plural = _("维保合同")

    def __str__(self) -> str:
        return f"{self.contractor} {self.starts_on}–{self.ends_on}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class ScheduleKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("维护保养")
    INSPECTION = "inspection", _("定期检验")


class ScheduleQuerySet(models.QuerySet["Schedule"]):
    def overdue(self, today: datetime.date) -> ScheduleQuerySet:
        return self.filter(active=True, next_due_on__lt=today)


class Schedule(Timestamped):
    """A recurring duty on an asset: the next visit is due ``interval_days`` after the last."""

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("设施设备")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ScheduleKind.choices)
    interval_days = models.PositiveSmallIntegerField(_("周期(天)"))
    next_due_on = models.DateField(_("下次到期"))
    last_done_on = models.DateField(_("上次完成"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["next_due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "kind"], name="schedule_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1), name="schedule_interval_positive"
            ),
        ]
        verbose_name = _("维保计划")
        verbose_name_plural = _("维保计划")

    def __str__(self) -> str:
        return f"{self.asset} · {self.get_kind_display()}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.active and self.next_due_on < today

    def days_overdue(self, today: datetime.date) -> int:
        return max(0, (today - self.next_due_on).days) if self.active else 0


class RecordResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class ScheduleRecord(Timestamped):
    """One maintenance visit or inspection done under a schedule."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="records", verbose_name=_("维保计划")
    )
    done_on = models.DateField(_("完成日期"))
    performed_by = models.CharField(_("作业单位/人员"), max_length=128)
    result = models.CharField(
        _("结论"), max_length=8, choices=RecordResult.choices, default=RecordResult.PASSED
    )
    notes = models.TextField(_("记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        ordering = ["-done_on", "-pk"]
        verbose_name = _("维保记录")
        verbose_name_plural = _("维保记录")

    def __str__(self) -> str:
        return f"{self.schedule} · {self.done_on}"
