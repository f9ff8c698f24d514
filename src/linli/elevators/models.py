"""Elevator retrofit cases (既有住宅加装电梯): one elevator for one stairwell or several
adjacent ones, its costs by part, the subsidy rule, the agreed coefficients, the dwellings of
the pool, the votes per stairwell, the consent documents and the yearly running costs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.aftercare.models import Asset
from linli.consultation.models import Vote
from linli.core.errors import Invalid
from linli.core.models import Timestamped
from linli.elevators import subsidy as engine
from linli.registry.models import Compound, Dwelling, Stairwell

ZERO = Decimal("0.00")


def money(label: Any) -> Any:
    """A non-negative yuan amount with 2 decimals, zero by default."""
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )


class SubsidyKind(models.TextChoices):
    FIXED = engine.FIXED, _("每台定额补贴")
    PERCENT = engine.PERCENT, _("按总造价比例补贴(可设上限)")
    STOREYS = engine.STOREYS, _("按楼层数补贴")


class SubsidyRule(Timestamped):
    """A city's subsidy for retrofitted elevators, as data (applied once per elevator)."""

    city = models.CharField(_("城市"), max_length=32)
    name = models.CharField(_("名称"), max_length=128)
    basis = models.CharField(_("政策依据"), max_length=255, blank=True)
    kind = models.CharField(_("补贴方式"), max_length=16, choices=SubsidyKind.choices)
    amount = models.DecimalField(
        _("每台补贴(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("补贴比例(%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cap = models.DecimalField(
        _("补贴上限(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    by_storeys = models.JSONField(
        _("按楼层补贴表"),
        null=True,
        blank=True,
        help_text=_('楼层数 → 每台补贴金额,如 {"6": "200000.00", "7": "250000.00"}'),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["city", "name", "pk"]
        verbose_name = _("加装电梯补贴规则")
        verbose_name_plural = _("加装电梯补贴规则")

    def __str__(self) -> str:
        return f"{self.city} · {self.name}"

    def clean(self) -> None:
        try:
            self.as_rule()
        except (Invalid, ValueError, TypeError) as exc:
            raise ValidationError(
                exc.message if isinstance(exc, Invalid) else str(exc), code="subsidy_rule"
            ) from exc

    def as_rule(self) -> engine.SubsidyRule:
        """The pure engine's rule (raises ``Invalid`` when the stored data is inconsistent)."""
        table = None
        if self.by_storeys is not None:
            table = {int(k): Decimal(str(v)) for k, v in dict(self.by_storeys).items()}
        return engine.SubsidyRule(
            kind=self.kind,
            amount=self.amount,
            percent=self.percent,
            cap=self.cap,
            by_storeys=table,
            city=self.city,
        )


def art_283_fallback() -> str:
    """Without an agreement, costs follow exclusive area (Civil Code Art. 283)."""
    return "area"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("方案编制")
    VOTING = "voting", _("业主表决中")
    AGREED = "agreed", _("已达成协议")
    BUILDING = "building", _("施工中")
    ACCEPTED = "accepted", _("已验收移交")
    CANCELLED = "cancelled", _("已终止")


#: While a case is in one of these states its plan (costs, coefficients, dwellings) may change.
EDITABLE_STATUSES = (CaseStatus.DRAFT,)


class StopMode(models.TextChoices):
    LEVEL = "level", _("平层入户")
    HALF = "half", _("半层入户(停靠休息平台)")
    MIXED = "mixed", _("部分平层、部分半层")


class CostPart(models.TextChoices):
    EQUIPMENT = "equipment", _("设备购置及安装")
    CIVIL_WORKS = "civil_works", _("土建工程")
    PIPELINE = "pipeline", _("管线迁移")
    DESIGN = "design", _("设计")
    SUPERVISION = "supervision", _("监理")
    OTHER = "other", _("其他")


#: Each cost part and the case field holding it.
COST_FIELDS: dict[str, str] = {part: f"cost_{part}" for part in CostPart.values}


class ElevatorCase(Timestamped):
    """One retrofitted elevator, serving one stairwell or several adjacent ones (one cost pool,
    one vote per stairwell)."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="elevator_cases", verbose_name=_("小区")
    )
    title = models.CharField(_("名称"), max_length=128)
    stairwells = models.ManyToManyField(
        Stairwell, related_name="elevator_cases", verbose_name=_("服务单元")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    feasibility = models.TextField(_("可行性论证"), blank=True)
    design = models.TextField(_("设计方案"), blank=True)
    stop_mode = models.CharField(
        _("停靠方式"), max_length=8, choices=StopMode.choices, default=StopMode.LEVEL
    )
    storeys = models.PositiveSmallIntegerField(_("楼层数"), help_text=_("按楼层数补贴时使用"))
    cost_equipment = money(_("设备购置及安装(元)"))
    cost_civil_works = money(_("土建工程(元)"))
    cost_pipeline = money(_("管线迁移(元)"))
    cost_design = money(_("设计(元)"))
    cost_supervision = money(_("监理(元)"))
    cost_other = money(_("其他(元)"))
    subsidy_rule = models.ForeignKey(
        SubsidyRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("补贴规则"),
    )
    subsidy = money(_("补贴金额(元)"))
    coefficients = models.JSONField(
        _("楼层分摊系数"),
        default=art_283_fallback,
        help_text=_('预设名(equal、area、half_step)或按楼层的系数表,如 {"1": "0", "2": "0.5"}'),
    )
    area_weighted = models.BooleanField(_("按面积加权"), default=False)
    provident_fund_cap = models.DecimalField(
        _("公积金提取上限(元/户)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    asset = models.OneToOneField(
        Asset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevator_case",
        verbose_name=_("移交设备"),
    )
    accepted_on = models.DateField(_("竣工验收日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        ordering = ["compound", "title", "pk"]
        verbose_name = _("加装电梯项目")
        verbose_name_plural = _("加装电梯项目")

    def __str__(self) -> str:
        return self.title

    def costs(self) -> dict[str, Decimal]:
        return {part: getattr(self, field) for part, field in COST_FIELDS.items()}

    @property
    def total_cost(self) -> Decimal:
        return sum(self.costs().values(), ZERO)

    @property
    def residents_total(self) -> Decimal:
        return engine.residents_total(self.total_cost, self.subsidy)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class CaseDwelling(models.Model):
    """A dwelling in the case's cost pool: its floor for cost purposes, exemption and
    compensation."""

    case = models.ForeignKey(
        ElevatorCase, on_delete=models.CASCADE, related_name="pool", verbose_name=_("项目")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="elevator_shares", verbose_name=_("房屋")
    )
    cost_floor = models.PositiveSmallIntegerField(
        _("计费楼层"),
        validators=[MinValueValidator(1)],
        help_text=_("按电梯停靠位置确定,半层入户时可能与所在楼层不同"),
    )
    exempt = models.BooleanField(_("不参与分摊"), default=False)
    exempt_reason = models.CharField(_("不参与原因"), max_length=128, blank=True)
    affected = models.BooleanField(
        _("受影响"), default=False, help_text=_("井道或连廊占用其专有部分、采光通风受影响的业主")
    )
    compensation = money(_("获得补偿(元)"))

    class Meta:
        ordering = [
            "case",
            "dwelling__stairwell__building__number",
            "dwelling__stairwell__number",
            "cost_floor",
            "dwelling__number",
            "pk",
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "dwelling"], name="case_dwelling_unique")
        ]
        verbose_name = _("分摊住户")
        verbose_name_plural = _("分摊住户")

    def __str__(self) -> str:
        return f"{self.case} · {self.dwelling}"


class CaseVote(models.Model):
    """The owners' vote of one stairwell on the case (a rerun adds a new row)."""

    case = models.ForeignKey(
        ElevatorCase, on_delete=models.CASCADE, related_name="case_votes", verbose_name=_("项目")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元")
    )
    vote = models.OneToOneField(
        Vote, on_delete=models.PROTECT, related_name="elevator_case_vote", verbose_name=_("表决")
    )

    class Meta:
        ordering = ["case", "stairwell", "-pk"]
        verbose_name = _("单元表决")
        verbose_name_plural = _("单元表决")

    def __str__(self) -> str:
        return f"{self.case} · {self.stairwell}"


class DocumentKind(models.TextChoices):
    CONSENT = "consent", _("业主同意书")
    AFFECTED_CONSENT = "affected_consent", _("受影响业主同意书")
    SIGNED_AGREEMENT = "signed_agreement", _("签字的费用分摊协议")
    FEASIBILITY = "feasibility", _("可行性论证")
    DESIGN = "design", _("设计文件")
    ACCEPTANCE = "acceptance", _("竣工验收文件")
    OTHER = "other", _("其他")


class ConsentDocument(Timestamped):
    """A signed or official document of the case (consent letters, the signed agreement...)."""

    case = models.ForeignKey(
        ElevatorCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("项目")
    )
    dwelling = models.ForeignKey(
        Dwelling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("房屋"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=128)
    file = models.FileField(_("文件"), upload_to="elevators/documents/%Y/%m/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        ordering = ["case", "kind", "pk"]
        verbose_name = _("项目文件")
        verbose_name_plural = _("项目文件")

    def __str__(self) -> str:
        return self.title


class RunningCostYear(Timestamped):
    """One year's running costs of the elevator, shared among the pool."""

    case = models.ForeignKey(
        ElevatorCase, on_delete=models.CASCADE, related_name="running_years", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    maintenance = money(_("维保费(元)"))
    electricity = money(_("电费(元)"))
    inspection = money(_("检验费(元)"))
    other = money(_("其他(元)"))
    coefficients = models.JSONField(
        _("运行费分摊系数"),
        null=True,
        blank=True,
        help_text=_("留空表示沿用建设费用的分摊系数"),
    )
    area_weighted = models.BooleanField(_("按面积加权"), null=True, blank=True)

    class Meta:
        ordering = ["case", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["case", "year"], name="running_cost_year_unique")
        ]
        verbose_name = _("年度运行费用")
        verbose_name_plural = _("年度运行费用")

    def __str__(self) -> str:
        return f"{self.case} · {self.year}"

    @property
    def total(self) -> Decimal:
        return self.maintenance + self.electricity + self.inspection + self.other
