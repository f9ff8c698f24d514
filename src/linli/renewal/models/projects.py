"""Renovation projects: the compounds they cover, their items with quantities and budgets, and
their funding by source. Money is ``Decimal`` yuan with 2 places (see docs/renewal.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Compound, Organisation, OrganisationKind, Zone, code_validator
from linli.renewal.gates import Stage
from linli.renewal.models.catalogue import CatalogueItem
from linli.renewal.supervision import Light

MONEY_DIGITS = 14  # up to 999,999,999,999.99 yuan
ZERO = Decimal("0.00")
DEFAULT_SATISFACTION_THRESHOLD = Decimal("80.00")
FIRST_PROGRAMME_YEAR = 2000
LAST_PROGRAMME_YEAR = 2100


def validate_non_negative(value: Decimal) -> None:
    """Amounts and quantities are zero or more."""
    if value is not None and value < 0:
        raise ValidationError("不能为负数 (must not be negative)", code="negative")


def validate_positive(value: Decimal) -> None:
    """Quantities are strictly positive."""
    if value is not None and value <= 0:
        raise ValidationError("必须大于 0 (must be greater than 0)", code="not_positive")


def validate_percent(value: Decimal) -> None:
    """A percentage between 0 and 100."""
    if value is not None and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError("百分比须在 0–100 之间 (a percentage is 0 to 100)", code="percent")


def validate_programme_year(value: int) -> None:
    """A plausible programme year."""
    if value is not None and not FIRST_PROGRAMME_YEAR <= value <= LAST_PROGRAMME_YEAR:
        raise ValidationError(
            f"年度须在 {FIRST_PROGRAMME_YEAR}–{LAST_PROGRAMME_YEAR} 之间 "
            f"(year must be between {FIRST_PROGRAMME_YEAR} and {LAST_PROGRAMME_YEAR})",
            code="year",
        )


def money_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    """A yuan amount: Decimal with 2 places, never negative."""
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        default=ZERO,
        validators=[validate_non_negative],
        **kwargs,  # type: ignore[arg-type]
    )


def percent_field(
    verbose_name: str | object, default: Decimal | None = None
) -> models.DecimalField:
    """A percentage with 2 places, 0 to 100 (``default`` None: required, no default)."""
    extra = {} if default is None else {"default": default}
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=5,
        decimal_places=2,
        validators=[validate_percent],
        **extra,  # type: ignore[arg-type]
    )


class FundingSource(models.TextChoices):
    """Where a project's money comes from."""

    CENTRAL = "central", _("中央补助")
    PROVINCIAL = "provincial", _("省级资金")
    MUNICIPAL = "municipal", _("市级资金")
    DISTRICT = "district", _("区级资金")
    SPECIAL_BONDS = "special_bonds", _("专项债券")
    RESIDENTS = "residents", _("居民出资")
    UTILITIES = "utilities", _("管线单位出资")
    SOCIAL_CAPITAL = "social_capital", _("社会资本")


def _sum(model: type[models.Model], field: str) -> Coalesce:
    """A correlated SUM of ``field`` over ``model`` rows of the outer project (no join)."""
    total = (
        model._default_manager.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total), ZERO, output_field=models.DecimalField())


class ProjectQuerySet(models.QuerySet["Project"]):
    """Reusable filters and list annotations of projects."""

    def overdue(self, today: datetime.date | None = None) -> ProjectQuerySet:
        """Projects with a pending joint-review sign-off past its due date."""
        from linli.renewal.models.workflow import Review

        return self.filter(Exists(Review.objects.overdue(today).filter(project=OuterRef("pk"))))

    def with_overview(self, today: datetime.date | None = None) -> ProjectQuerySet:
        """Annotate budget and funding totals, compound count and an overdue flag (subqueries,
        so a list page stays a fixed number of queries)."""
        from linli.renewal.models.workflow import Review

        compounds = (
            Project.compounds.through.objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(n=Count("pk"))
            .values("n")  # type: ignore[misc]  # an annotation, unknown to the stubs
        )
        return self.annotate(
            budget_total=_sum(ProjectItem, "budget"),
            planned_total=_sum(FundingLine, "planned"),
            allocated_total=_sum(FundingLine, "allocated"),
            disbursed_total=_sum(FundingLine, "disbursed"),
            compound_count=Coalesce(Subquery(compounds), 0),
            has_overdue_review=Exists(Review.objects.overdue(today).filter(project=OuterRef("pk"))),
        )


class Project(Timestamped):
    """A renovation project of one compound, or of several compounds of one zone (组团连片)."""

    code = models.CharField(_("项目编号"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("项目名称"), max_length=128)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_programme_year])
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    compounds = models.ManyToManyField(
        Compound, related_name="renewal_projects", verbose_name=_("小区")
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_projects",
        verbose_name=_("片区"),
        help_text=_("由项目小区确定"),
    )
    stage = models.CharField(
        _("阶段"), max_length=16, choices=Stage.choices, default=Stage.APPLICATION
    )
    design_firm = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designed_projects",
        limit_choices_to={"kind": OrganisationKind.DESIGN},
        verbose_name=_("设计单位"),
    )
    construction_firm = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="constructed_projects",
        limit_choices_to={"kind": OrganisationKind.CONSTRUCTION},
        verbose_name=_("施工单位"),
    )
    supervision_firm = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_projects",
        limit_choices_to={"kind": OrganisationKind.SUPERVISION},
        verbose_name=_("监理单位"),
    )
    zone_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("片区分包领导"),
    )
    subdistrict_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("街道责任人"),
    )
    community_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区责任人"),
    )
    district_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区百城办责任人"),
    )
    aftercare_owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aftercare_projects",
        verbose_name=_("后期管护单位"),
    )
    aftercare_owner_name = models.CharField(
        _("后期管护主体(非单位)"),
        max_length=128,
        blank=True,
        help_text=_("无物业的小区可填居民自管组织等"),
    )
    satisfaction_threshold = percent_field(_("验收满意度要求(%)"), DEFAULT_SATISFACTION_THRESHOLD)
    progress_percent = percent_field(_("工程进度(%)"), ZERO)
    # Derived by the supervision check (services/supervision.py), stored so lists can filter.
    light = models.CharField(
        _("督办状态"), max_length=8, choices=Light.choices, default=Light.GREEN
    )
    light_reason = models.CharField(_("督办状态说明"), max_length=255, blank=True)
    light_checked_on = models.DateField(_("督办检查日期"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(_("联审轮次"), default=0, editable=False)
    notes = models.TextField(_("备注"), blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "batch", "code"]
        indexes = [models.Index(fields=["year", "batch"]), models.Index(fields=["stage"])]
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")

    def __str__(self) -> str:
        return self.name

    @property
    def has_aftercare_owner(self) -> bool:
        return bool(self.aftercare_owner_id or self.aftercare_owner_name.strip())

    @property
    def aftercare_label(self) -> str:
        if self.aftercare_owner_id:
            return str(self.aftercare_owner)
        return self.aftercare_owner_name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        firms = (
            ("design_firm", OrganisationKind.DESIGN, "设计单位", "a design firm"),
            ("construction_firm", OrganisationKind.CONSTRUCTION, "施工单位", "a construction firm"),
            ("supervision_firm", OrganisationKind.SUPERVISION, "监理单位", "a supervision firm"),
        )
        for name, kind, zh, en in firms:
            firm = getattr(self, name)
            if firm is not None and firm.kind != kind:
                errors[name] = f"须选择{zh} (must be {en})"
        if errors:
            raise ValidationError(errors)


class ProjectItem(Timestamped):
    """One catalogue item in a project: how much, at what budget, and the output it adds."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="items", verbose_name=_("项目")
    )
    item = models.ForeignKey(
        CatalogueItem,
        on_delete=models.PROTECT,
        related_name="project_items",
        verbose_name=_("改造内容"),
    )
    quantity = models.DecimalField(
        _("工程量"), max_digits=12, decimal_places=2, validators=[validate_positive]
    )
    budget = money_field(_("预算(元)"))
    output_quantity = models.DecimalField(
        _("产出量"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[validate_non_negative],
        help_text=_("按产出指标的单位计,如道路长度(公里)"),
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)
    # The residents' order (居民点单) the item was adopted from, if any.
    demand = models.ForeignKey(
        "consultation.DemandEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_items",
        verbose_name=_("居民点单需求"),
    )
    # The latest reported percentage (from progress reports); derives the project's progress.
    progress_percent = percent_field(_("完成比例(%)"), ZERO)

    class Meta:
        ordering = ["project", "item__category", "item__sort_order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="project_item_unique")
        ]
        verbose_name = _("项目改造内容")
        verbose_name_plural = _("项目改造内容")

    def __str__(self) -> str:
        return f"{self.project} · {self.item}"

    def clean(self) -> None:
        if self.output_quantity is not None and self.item_id and self.item.indicator_id is None:
            raise ValidationError(
                {
                    "output_quantity": "该改造内容不计入产出指标,不能填写产出量 "
                    "(this item feeds no output indicator)"
                }
            )


class FundingLine(Timestamped):
    """A project's money from one source: planned, allocated (下达) and disbursed (拨付)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("项目")
    )
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    planned = money_field(_("计划(元)"))
    allocated = money_field(_("已下达(元)"))
    disbursed = money_field(_("已拨付(元)"))
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["project", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="funding_source_unique"),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("planned")),
                name="funding_allocated_within_plan",
                violation_error_message="已下达金额不能超过计划金额 "
                "(allocated must not exceed planned)",
            ),
            models.CheckConstraint(
                condition=Q(disbursed__lte=models.F("allocated")),
                name="funding_disbursed_within_allocation",
                violation_error_message="已拨付金额不能超过已下达金额 "
                "(disbursed must not exceed allocated)",
            ),
        ]
        verbose_name = _("资金")
        verbose_name_plural = _("资金")

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if None not in (self.allocated, self.planned) and self.allocated > self.planned:
            errors["allocated"] = "已下达金额不能超过计划金额 (allocated must not exceed planned)"
        if None not in (self.disbursed, self.allocated) and self.disbursed > self.allocated:
            errors["disbursed"] = (
                "已拨付金额不能超过已下达金额 (disbursed must not exceed allocated)"
            )
        if errors:
            raise ValidationError(errors)
