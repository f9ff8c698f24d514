"""The registry: district -> sub-district -> community -> compound -> building -> stairwell ->
dwelling, the zones that batch compounds, owners of dwellings and the households living there."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import (
    EncryptedCharField,
    EncryptedQuerySet,
    PersonalDataModelMixin,
    hash_lookup,
)
from linli.core.ids import (
    validate_credit_code,
    validate_division_code,
    validate_mobile,
    validate_resident_id,
)
from linli.core.models import Timestamped

EARLIEST_YEAR_BUILT = 1900
MAX_STOREYS = 40
PROGRAMME_CUTOFF_YEAR = 2000  # the national programme covers compounds finished before 2000

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    "编号只能包含字母、数字、- 和 _,最长 32 位 (code may hold letters, digits, - and _, 32 max)",
)
number_validator = RegexValidator(
    r"^[0-9A-Za-z\u4e00-\u9fff-]{1,16}$",
    "编号只能包含字母、数字、汉字和 -,最长 16 位 (number may hold letters, digits, "
    "Chinese characters and -, 16 max)",
)


def validate_year_built(value: int) -> None:
    """A year between 1900 and this year."""
    this_year = datetime.date.today().year
    if not EARLIEST_YEAR_BUILT <= value <= this_year:
        raise ValidationError(
            f"建成年份须在 {EARLIEST_YEAR_BUILT}–{this_year} 之间 "
            f"(year built must be between {EARLIEST_YEAR_BUILT} and {this_year})",
            code="year_built",
        )


def validate_positive_area(value: Decimal) -> None:
    """An area in m², strictly positive."""
    if value is not None and value <= 0:
        raise ValidationError("面积必须大于 0 (area must be greater than 0)", code="area")


def check_code_prefix(code: str, parent_code: str, parent_zh: str, parent_en: str) -> None:
    """A division code extends its parent's code (GB/T 2260 and the statistical codes)."""
    if code and not code.startswith(parent_code):
        raise ValidationError(
            {
                "code": f"代码须以所属{parent_zh}代码 {parent_code} 开头 "
                f"(code must start with the {parent_en} code {parent_code})"
            }
        )


class ManagementMode(models.TextChoices):
    PROFESSIONAL = "professional", _("专业物业")
    SELF_MANAGED = "self", _("居民自管")
    NONE = "none", _("无物业(无主楼院)")


class RenovationStatus(models.TextChoices):
    NOT_PLANNED = "not_planned", _("未纳入计划")
    PLANNED = "planned", _("已纳入计划")
    IN_PROGRESS = "in_progress", _("改造中")
    RENOVATED = "renovated", _("已改造")


class Structure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    FRAME = "frame", _("框架")
    SHEAR_WALL = "shear_wall", _("剪力墙")
    BRICK_WOOD = "brick_wood", _("砖木")
    OTHER = "other", _("其他")


class SaleStatus(models.TextChoices):
    SOLD = "sold", _("已售")
    UNSOLD = "unsold", _("开发商未售")
    UNDELIVERED = "undelivered", _("已售未交付")


class OwnerKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("单位")
    DEVELOPER = "developer", _("开发建设单位")


class Gender(models.TextChoices):
    MALE = "m", _("男")
    FEMALE = "f", _("女")


class District(Timestamped):
    """A county-level district (区), identified by its GB/T 2260 code."""

    code = models.CharField(
        _("区划代码"), max_length=6, unique=True, validators=[validate_division_code]
    )
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self) -> str:
        return self.name


class Subdistrict(Timestamped):
    """A sub-district office (街道办事处), 9-digit statistical division code."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("区")
    )
    code = models.CharField(
        _("区划代码"), max_length=9, unique=True, validators=[validate_division_code]
    )
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道办事处")
        verbose_name_plural = _("街道办事处")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.district_id:
            check_code_prefix(self.code, self.district.code, "区", "district")


class Community(Timestamped):
    """A residents' community (社区), 12-digit statistical division code."""

    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("街道办事处"),
    )
    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, validators=[validate_division_code]
    )
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.subdistrict_id:
            check_code_prefix(self.code, self.subdistrict.code, "街道", "sub-district")


class Zone(Timestamped):
    """A renovation zone (片区) grouping compounds for batched work."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="zones", verbose_name=_("区")
    )
    code = models.CharField(_("片区编号"), max_length=16, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], name="zone_code_unique_in_district"
            )
        ]
        verbose_name = _("片区")
        verbose_name_plural = _("片区")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    PROPERTY = "property", _("物业企业")
    DESIGN = "design", _("设计单位")
    CONSTRUCTION = "construction", _("施工单位")
    SUPERVISION = "supervision", _("监理单位")
    DEPARTMENT = "department", _("职能部门")
    UTILITY = "utility", _("水电气暖通信单位")
    OTHER = "other", _("其他")


class Organisation(Timestamped):
    """A company or government department working in the district (property firm, contractor,
    functional department); users of such roles are bound to one."""

    kind = models.CharField(_("类型"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=128, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_credit_code],
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("所在区"),
        help_text=_("职能部门服务的区"),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name


class CompoundQuerySet(models.QuerySet["Compound"]):
    def renovated(self) -> CompoundQuerySet:
        return self.filter(renovation_status=RenovationStatus.RENOVATED)

    def in_programme_age(self) -> CompoundQuerySet:
        """Compounds finished before 2000, the national programme's cut-off."""
        return self.filter(year_built__lt=PROGRAMME_CUTOFF_YEAR)

    def with_counts(self) -> CompoundQuerySet:
        """Annotate building, dwelling, household and people counts (subqueries, no row blow-up)."""
        buildings = (
            Building.objects.filter(compound=OuterRef("pk"))
            .order_by()
            .values("compound")
            .annotate(n=Count("pk"))
            .values("n")
        )
        dwellings = (
            Dwelling.objects.filter(stairwell__building__compound=OuterRef("pk"))
            .order_by()
            .values("stairwell__building__compound")
            .annotate(n=Count("pk"))
            .values("n")
        )
        households = (
            Household.objects.filter(dwelling__stairwell__building__compound=OuterRef("pk"))
            .order_by()
            .values("dwelling__stairwell__building__compound")
            .annotate(n=Count("pk"))
            .values("n")
        )
        people = (
            Resident.objects.filter(
                household__dwelling__stairwell__building__compound=OuterRef("pk")
            )
            .order_by()
            .values("household__dwelling__stairwell__building__compound")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            building_count=Coalesce(Subquery(buildings), 0),
            dwelling_count=Coalesce(Subquery(dwellings), 0),
            household_count=Coalesce(Subquery(households), 0),
            people_count=Coalesce(Subquery(people), 0),
        )


class Compound(Timestamped):
    """An old residential compound (小区/院), the unit of renovation."""

    code = models.CharField(_("小区编码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=128)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区")
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        related_name="compounds",
        null=True,
        blank=True,
        verbose_name=_("片区"),
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), validators=[validate_year_built])
    management_mode = models.CharField(
        _("管理模式"), max_length=16, choices=ManagementMode.choices, default=ManagementMode.NONE
    )
    property_company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="managed_compounds",
        null=True,
        blank=True,
        limit_choices_to={"kind": OrganisationKind.PROPERTY},
        verbose_name=_("物业企业"),
    )
    heritage = models.BooleanField(_("历史建筑/风貌保护"), default=False)
    floor_area = models.DecimalField(
        _("建筑面积(m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[validate_positive_area],
    )
    renovation_status = models.CharField(
        _("改造状态"),
        max_length=16,
        choices=RenovationStatus.choices,
        default=RenovationStatus.NOT_PLANNED,
    )
    renovated_year = models.PositiveSmallIntegerField(_("改造完成年份"), null=True, blank=True)
    longitude = models.DecimalField(
        _("经度(WGS-84)"), max_digits=10, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("纬度(WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = CompoundQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        indexes = [models.Index(fields=["renovation_status"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude"] = "经纬度须同时填写 (longitude and latitude go together)"
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "经度须在 -180 到 180 之间 (longitude must be within -180..180)"
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "纬度须在 -90 到 90 之间 (latitude must be within -90..90)"
        if self.renovation_status == RenovationStatus.RENOVATED and self.renovated_year is None:
            errors["renovated_year"] = (
                "已改造小区须填写改造完成年份 (a renovated compound needs its year)"
            )
        if (
            self.renovated_year is not None
            and self.year_built
            and self.renovated_year < self.year_built
        ):
            errors["renovated_year"] = "改造年份早于建成年份 (renovated before it was built)"
        if self.property_company_id and self.management_mode != ManagementMode.PROFESSIONAL:
            errors["property_company"] = (
                "有物业企业的小区管理模式应为专业物业 "
                "(a compound with a property company is professionally managed)"
            )
        if errors:
            raise ValidationError(errors)


class Building(Timestamped):
    """A residential building (楼栋) of a compound, numbered within it."""

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("小区")
    )
    number = models.CharField(_("楼栋号"), max_length=16, validators=[number_validator])
    storeys = models.PositiveSmallIntegerField(
        _("地上层数"), validators=[MinValueValidator(1), MaxValueValidator(MAX_STOREYS)]
    )
    has_elevator = models.BooleanField(_("有电梯"), default=False)
    structure = models.CharField(
        _("结构"), max_length=16, choices=Structure.choices, default=Structure.BRICK_CONCRETE
    )
    year_built = models.PositiveSmallIntegerField(
        _("建成年份"), null=True, blank=True, validators=[validate_year_built]
    )

    class Meta:
        ordering = ["compound", "number"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="building_number_unique")
        ]
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")

    def __str__(self) -> str:
        return f"{self.compound} {self.number}号楼"


class Stairwell(Timestamped):
    """A stairwell/entrance (单元) of a building; elevator retrofits are per stairwell."""

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="stairwells", verbose_name=_("楼栋")
    )
    number = models.CharField(_("单元号"), max_length=16, validators=[number_validator])

    class Meta:
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="stairwell_number_unique")
        ]
        verbose_name = _("单元")
        verbose_name_plural = _("单元")

    def __str__(self) -> str:
        return f"{self.building} {self.number}单元"


class Dwelling(Timestamped):
    """A dwelling (户), an exclusive part (专有部分) with a registered area."""

    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.CASCADE, related_name="dwellings", verbose_name=_("单元")
    )
    number = models.CharField(_("房号"), max_length=16, validators=[number_validator])
    floor = models.SmallIntegerField(
        _("所在楼层"), validators=[MinValueValidator(1), MaxValueValidator(MAX_STOREYS)]
    )
    area = models.DecimalField(
        _("登记面积(m²)"), max_digits=8, decimal_places=2, validators=[validate_positive_area]
    )
    sale_status = models.CharField(
        _("销售状态"), max_length=16, choices=SaleStatus.choices, default=SaleStatus.SOLD
    )

    class Meta:
        ordering = ["stairwell", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stairwell", "number"], name="dwelling_number_unique")
        ]
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")

    def __str__(self) -> str:
        return f"{self.stairwell} {self.number}室"

    def clean(self) -> None:
        if self.stairwell_id and self.floor is not None:
            storeys = self.stairwell.building.storeys
            if not 1 <= self.floor <= storeys:
                raise ValidationError(
                    {
                        "floor": f"楼层须在 1–{storeys} 之间(该楼共 {storeys} 层) "
                        f"(floor must be between 1 and the building's {storeys} storeys)"
                    }
                )


class PersonalDataQuerySet(EncryptedQuerySet):
    """Owners or residents looked up by ID or phone number, exactly, through the keyed hash."""

    def with_id_number(self, value: str) -> PersonalDataQuerySet:
        return self.filter(hash_lookup(self.model, "id_number", value))

    def with_phone(self, value: str) -> PersonalDataQuerySet:
        return self.filter(hash_lookup(self.model, "phone", value))


def _hash_field(verbose_name: Any, *, unique: bool = False) -> models.CharField:
    """The keyed hash (HMAC-SHA256, hex) beside an encrypted field, for exact lookups."""
    return models.CharField(
        verbose_name,
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        unique=unique,
        db_index=not unique,
    )


class Owner(PersonalDataModelMixin, Timestamped):
    """A person or organisation owning dwellings; a developer owns its unsold parts."""

    kind = models.CharField(
        _("业主类型"), max_length=16, choices=OwnerKind.choices, default=OwnerKind.PERSON
    )
    name = models.CharField(_("姓名/名称"), max_length=128)
    # Encrypted at rest; one person owns at most one Owner row, enforced on the hash.
    id_number = EncryptedCharField(
        _("身份证号"),
        kind="id_number",
        hash_field="id_number_hash",
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_resident_id],
    )
    id_number_hash = _hash_field(_("身份证号哈希"), unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_credit_code],
    )
    phone = EncryptedCharField(
        _("手机号"),
        kind="phone",
        hash_field="phone_hash",
        max_length=11,
        blank=True,
        validators=[validate_mobile],
    )
    phone_hash = _hash_field(_("手机号哈希"))
    dwellings = models.ManyToManyField(Dwelling, through="Ownership", related_name="owners")

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("业主")
        verbose_name_plural = _("业主")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OwnerKind.PERSON:
            if not self.id_number:
                raise ValidationError(
                    {"id_number": "自然人业主须填写身份证号 (a person owner needs an ID number)"}
                )
            if self.credit_code:
                raise ValidationError(
                    {"credit_code": "自然人业主不填统一社会信用代码 (a person has no credit code)"}
                )
        else:
            if not self.credit_code:
                raise ValidationError(
                    {
                        "credit_code": "单位业主须填写统一社会信用代码 (an organisation needs a credit code)"
                    }
                )
            if self.id_number:
                raise ValidationError(
                    {"id_number": "单位业主不填身份证号 (an organisation has no ID number)"}
                )


class Ownership(Timestamped):
    """An owner's title to a dwelling; several co-owners may hold one dwelling."""

    owner = models.ForeignKey(
        Owner, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("业主")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("房屋")
    )
    share = models.DecimalField(
        _("产权份额(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["dwelling", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "dwelling"], name="ownership_unique")
        ]
        verbose_name = _("产权")
        verbose_name_plural = _("产权")

    def __str__(self) -> str:
        return f"{self.owner} – {self.dwelling}"


class Household(Timestamped):
    """A household (户) living in a dwelling, whether owners or tenants."""

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="households", verbose_name=_("房屋")
    )
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    is_owner_occupied = models.BooleanField(_("业主自住"), default=True)

    class Meta:
        ordering = ["dwelling", "pk"]
        verbose_name = _("住户")
        verbose_name_plural = _("住户")

    def __str__(self) -> str:
        return f"{self.dwelling} {self.head_name}".strip()


class Resident(PersonalDataModelMixin, Timestamped):
    """A person living in a household; residents are what people counts add up."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("住户")
    )
    name = models.CharField(_("姓名"), max_length=64)
    id_number = EncryptedCharField(
        _("身份证号"),
        kind="id_number",
        hash_field="id_number_hash",
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_resident_id],
    )
    id_number_hash = _hash_field(_("身份证号哈希"))
    phone = EncryptedCharField(
        _("手机号"),
        kind="phone",
        hash_field="phone_hash",
        max_length=11,
        blank=True,
        validators=[validate_mobile],
    )
    phone_hash = _hash_field(_("手机号哈希"))
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["household", "pk"]
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self) -> str:
        return self.name


from linli.registry.models_upload import RegistryUpload  # noqa: E402,F401
