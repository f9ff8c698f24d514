"""The renovation catalogue: content items in the three national categories, Xigong's local
tags, the output indicators items feed, and the joint-review rules that say which departments
must sign off a project containing an item. All of it is data the district office edits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Organisation, OrganisationKind, code_validator

#: Working days a department has to sign off, unless a rule says otherwise.
DEFAULT_REVIEW_WORKDAYS = 5
#: Organisation kinds that sign joint reviews.
REVIEWING_KINDS = (OrganisationKind.DEPARTMENT, OrganisationKind.UTILITY)


class ContentCategory(models.TextChoices):
    """The three national categories of renovation content (国办发〔2020〕23号)."""

    BASIC = "basic", _("基础类")
    IMPROVEMENT = "improvement", _("完善类")
    UPGRADE = "upgrade", _("提升类")


class Unit(models.TextChoices):
    """Units of measure of catalogue items and output indicators."""

    ITEM = "item", _("项")
    PIECE = "piece", _("个")
    STRIP = "strip", _("条")
    ELEVATOR = "elevator", _("部")
    SET = "set", _("套")
    PLACE = "place", _("处")
    LAMP = "lamp", _("盏")
    HOUSEHOLD = "household", _("户")
    METRE = "m", _("米")
    KILOMETRE = "km", _("公里")
    SQUARE_METRE = "m2", _("平方米")


class TagGroup(models.TextChoices):
    """Xigong's slogan: two demolitions, three renovations, one preservation."""

    DEMOLISH = "demolish", _("两拆")
    RENOVATE = "renovate", _("三改")
    PRESERVE = "preserve", _("一留")


class LocalTag(Timestamped):
    """A local tag of Xigong's programme ("拆违建", "改居住环境", ...)."""

    code = models.CharField(_("编号"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=32, unique=True)
    group = models.CharField(_("类别"), max_length=16, choices=TagGroup.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("本地标签")
        verbose_name_plural = _("本地标签")

    def __str__(self) -> str:
        return self.name


class OutputIndicator(Timestamped):
    """An output the programme reports (back streets, parks, green m², parking spaces ...)."""

    code = models.CharField(_("编号"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64, unique=True)
    unit = models.CharField(_("计量单位"), max_length=16, choices=Unit.choices)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("产出指标")
        verbose_name_plural = _("产出指标")

    def __str__(self) -> str:
        return f"{self.name}({self.get_unit_display()})"


class CatalogueItem(Timestamped):
    """One kind of renovation content (water pipes, greening, elevator retrofit ...)."""

    code = models.CharField(_("编号"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=ContentCategory.choices)
    unit = models.CharField(_("计量单位"), max_length=16, choices=Unit.choices)
    tags = models.ManyToManyField(
        LocalTag, blank=True, related_name="items", verbose_name=_("本地标签")
    )
    indicator = models.ForeignKey(
        OutputIndicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("产出指标"),
        help_text=_("该内容的产出计入的指标"),
    )
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的内容不能再加入新项目,已有项目不受影响")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["category", "sort_order", "code"]
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容")

    def __str__(self) -> str:
        return self.name


class RuleScope(models.TextChoices):
    """What a joint-review rule applies to."""

    ITEM = "item", _("指定改造内容")
    CATEGORY = "category", _("某类改造内容")
    ALL = "all", _("所有项目")


_DUPLICATE_RULE = "已有相同的联审规则 (the same review rule already exists)"


class ReviewRule(Timestamped):
    """A department that must sign off projects containing an item (or a category, or every
    project), and how many working days it has."""

    applies_to = models.CharField(
        _("适用范围"), max_length=16, choices=RuleScope.choices, default=RuleScope.ITEM
    )
    item = models.ForeignKey(
        CatalogueItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_rules",
        verbose_name=_("改造内容"),
    )
    category = models.CharField(
        _("内容类别"), max_length=16, choices=ContentCategory.choices, blank=True
    )
    department = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="review_rules",
        limit_choices_to={"kind__in": REVIEWING_KINDS},
        verbose_name=_("审批部门"),
    )
    workdays = models.PositiveSmallIntegerField(
        _("办理时限(工作日)"),
        default=DEFAULT_REVIEW_WORKDAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        ordering = ["applies_to", "category", "item", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "department"],
                condition=models.Q(applies_to="item"),
                name="review_rule_item_unique",
                violation_error_message=_DUPLICATE_RULE,
            ),
            models.UniqueConstraint(
                fields=["category", "department"],
                condition=models.Q(applies_to="category"),
                name="review_rule_category_unique",
                violation_error_message=_DUPLICATE_RULE,
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(applies_to="all"),
                name="review_rule_all_unique",
                violation_error_message=_DUPLICATE_RULE,
            ),
        ]
        verbose_name = _("联审规则")
        verbose_name_plural = _("联审规则")

    def __str__(self) -> str:
        return f"{self.target_label} → {self.department}"

    @property
    def target_label(self) -> str:
        if self.applies_to == RuleScope.ITEM and self.item_id:
            return str(self.item)
        if self.applies_to == RuleScope.CATEGORY:
            return str(self.get_category_display())
        return str(RuleScope.ALL.label)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.applies_to == RuleScope.ITEM and not self.item_id:
            errors["item"] = "请选择改造内容 (choose the catalogue item the rule applies to)"
        if self.applies_to != RuleScope.ITEM and self.item_id:
            errors["item"] = (
                "仅“指定改造内容”的规则可选改造内容 (only item rules name a catalogue item)"
            )
        if self.applies_to == RuleScope.CATEGORY and not self.category:
            errors["category"] = "请选择内容类别 (choose the category the rule applies to)"
        if self.applies_to != RuleScope.CATEGORY and self.category:
            errors["category"] = (
                "仅“某类改造内容”的规则可选类别 (only category rules name a category)"
            )
        if self.department_id and self.department.kind not in REVIEWING_KINDS:
            errors["department"] = (
                "审批部门须为职能部门或水电气暖通信单位 "
                "(the reviewer must be a department or a utility)"
            )
        if errors:
            raise ValidationError(errors)
