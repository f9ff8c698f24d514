"""The catalogue every install starts with, and the default joint-review rules.

The catalogue (output indicators, Xigong's local tags, the items of the three national
categories of 国办发〔2020〕23号) is seeded by a data migration; the district office edits it
afterwards. Review rules name organisations, which a fresh install does not have yet: the
migration seeds them only where the organisations already exist, and
``linli renewal seed-review-rules`` seeds them after the organisations are entered (for the
demo: after ``linli demo build``). Organisations are found by keywords in their names (see
``DEPARTMENTS``); seeding is idempotent and never changes or removes an existing rule.

The functions take an app registry (``django.apps.apps`` or a migration's historical apps)
so the migration and the command share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: (code, name, unit, sort) of the output indicators (seed figures in PRODUCT.md).
INDICATORS: tuple[tuple[str, str, str, int], ...] = (
    ("back_streets", "背街小巷", "strip", 10),
    ("city_study_rooms", "城市书房", "piece", 20),
    ("small_parks", "游园", "piece", 30),
    ("green_area", "新增绿化", "m2", 40),
    ("smart_car_parks", "智慧停车场", "piece", 50),
    ("parking_spaces", "新增停车位", "piece", 60),
    ("wet_waste_stations", "湿垃圾处理站", "piece", 70),
    ("paths_km", "改造道路", "km", 80),
    ("elevators", "加装电梯", "elevator", 90),
    ("charging_points", "充电设施", "piece", 100),
    ("pipes_m", "改造管网", "m", 110),
)

#: (code, name, group, sort) of Xigong's "two demolitions, three renovations, one preservation".
TAGS: tuple[tuple[str, str, str, int], ...] = (
    ("demolish_structures", "拆违建", "demolish", 10),
    ("demolish_walls", "拆违墙", "demolish", 20),
    ("renovate_infrastructure", "改基础设施", "renovate", 30),
    ("renovate_environment", "改居住环境", "renovate", 40),
    ("renovate_services", "改服务功能", "renovate", 50),
    ("preserve_heritage", "留历史建筑", "preserve", 60),
)

INFRA, ENV, SERVICES = "renovate_infrastructure", "renovate_environment", "renovate_services"


@dataclass(frozen=True)
class ItemSeed:
    """One catalogue item as seeded."""

    code: str
    name: str
    category: str
    unit: str
    indicator: str | None = None
    tags: tuple[str, ...] = ()


ITEMS: tuple[ItemSeed, ...] = (
    # Basic 基础类: the infrastructure every compound needs.
    ItemSeed("B01", "供水设施改造", "basic", "m", "pipes_m", (INFRA,)),
    ItemSeed("B02", "排水设施改造(雨污分流)", "basic", "m", "pipes_m", (INFRA,)),
    ItemSeed("B03", "供电设施改造", "basic", "item", None, (INFRA,)),
    ItemSeed("B04", "燃气管道改造", "basic", "m", "pipes_m", (INFRA,)),
    ItemSeed("B05", "供暖设施改造", "basic", "m", "pipes_m", (INFRA,)),
    ItemSeed("B06", "小区道路改造", "basic", "m2", "paths_km", (INFRA,)),
    ItemSeed("B07", "背街小巷整治", "basic", "strip", "back_streets", (INFRA, ENV)),
    ItemSeed("B08", "消防设施改造", "basic", "item", None, (INFRA,)),
    ItemSeed("B09", "安防监控设施", "basic", "set", None, (INFRA,)),
    ItemSeed("B10", "通信线路规整(弱电入地)", "basic", "m", None, (INFRA,)),
    ItemSeed("B11", "垃圾分类设施", "basic", "place", None, (ENV,)),
    ItemSeed("B12", "湿垃圾处理站", "basic", "piece", "wet_waste_stations", (ENV,)),
    ItemSeed("B13", "屋面防水", "basic", "m2", None, (INFRA,)),
    ItemSeed("B14", "外墙立面整治", "basic", "m2", None, (ENV,)),
    ItemSeed("B15", "楼道整治", "basic", "place", None, (ENV,)),
    # Improvement 完善类: environment and supporting facilities.
    ItemSeed("I01", "拆除违法建设", "improvement", "m2", None, ("demolish_structures",)),
    ItemSeed("I02", "拆除违规围墙", "improvement", "m", None, ("demolish_walls",)),
    ItemSeed("I03", "绿化提升", "improvement", "m2", "green_area", (ENV,)),
    ItemSeed("I04", "游园(口袋公园)建设", "improvement", "piece", "small_parks", (ENV,)),
    ItemSeed("I05", "照明设施", "improvement", "lamp", None, (ENV,)),
    ItemSeed("I06", "适老化及无障碍改造", "improvement", "place", None, (ENV,)),
    ItemSeed("I07", "停车位建设", "improvement", "piece", "parking_spaces", (ENV,)),
    ItemSeed("I08", "智慧停车场", "improvement", "piece", "smart_car_parks", (ENV,)),
    ItemSeed(
        "I09", "电动汽车及电动自行车充电设施", "improvement", "piece", "charging_points", (ENV,)
    ),
    ItemSeed("I10", "智能快递柜", "improvement", "set", None, (SERVICES,)),
    ItemSeed("I11", "健身设施", "improvement", "place", None, (ENV,)),
    ItemSeed("I12", "物业用房", "improvement", "m2", None, (SERVICES,)),
    ItemSeed("I13", "建筑节能改造", "improvement", "m2", None, (INFRA,)),
    ItemSeed("I14", "加装电梯", "improvement", "elevator", "elevators", (SERVICES,)),
    # Upgrade 提升类: public services.
    ItemSeed("U01", "社区综合服务设施", "upgrade", "m2", None, (SERVICES,)),
    ItemSeed("U02", "卫生服务站", "upgrade", "m2", None, (SERVICES,)),
    ItemSeed("U03", "幼儿园", "upgrade", "m2", None, (SERVICES,)),
    ItemSeed("U04", "养老服务设施", "upgrade", "m2", None, (SERVICES,)),
    ItemSeed("U05", "托育设施", "upgrade", "m2", None, (SERVICES,)),
    ItemSeed("U06", "助餐服务点(社区食堂)", "upgrade", "place", None, (SERVICES,)),
    ItemSeed("U07", "便民市场", "upgrade", "place", None, (SERVICES,)),
    ItemSeed("U08", "智能感知设施(智慧社区)", "upgrade", "set", None, (SERVICES,)),
    ItemSeed("U09", "城市书房", "upgrade", "piece", "city_study_rooms", (SERVICES,)),
    ItemSeed("U10", "历史建筑保护修缮", "upgrade", "m2", None, ("preserve_heritage",)),
)


@dataclass(frozen=True)
class DepartmentSeed:
    """A reviewing organisation, recognised by any of ``keywords`` in its name, and what it
    must sign off: every project, some catalogue items (by code) or a category."""

    key: str
    keywords: tuple[str, ...]
    every_project: bool = False
    items: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


DEPARTMENTS: tuple[DepartmentSeed, ...] = (
    DepartmentSeed("housing", ("住房和城乡建设", "住建"), every_project=True),
    DepartmentSeed("finance", ("财政",), every_project=True),
    DepartmentSeed("planning", ("自然资源和规划", "规划"), items=("I14",), categories=("upgrade",)),
    DepartmentSeed("fire", ("消防", "应急管理"), items=("B08",)),
    DepartmentSeed("special_equipment", ("市场监督管理", "特种设备"), items=("I14",)),
    DepartmentSeed("gas", ("燃气", "煤气"), items=("B04",)),
    DepartmentSeed("water", ("供水", "自来水", "水务"), items=("B01", "B02")),
    DepartmentSeed("power", ("供电", "电力"), items=("B03", "I09", "I14")),
    DepartmentSeed("heating", ("供暖", "热力", "供热"), items=("B05",)),
    DepartmentSeed("telecom", ("通信", "电信", "联通", "移动", "广电"), items=("B10",)),
    DepartmentSeed("urban_management", ("城市管理", "城管"), items=("I01", "I02")),
)

REVIEWING_KINDS = ("department", "utility")


def seed_catalogue(apps: Any) -> dict[str, int]:
    """Create the indicators, tags and items that do not exist yet (by code); returns counts
    of rows created. Existing rows, edited by the district office, are left as they are."""
    indicator_model = apps.get_model("renewal", "OutputIndicator")
    tag_model = apps.get_model("renewal", "LocalTag")
    item_model = apps.get_model("renewal", "CatalogueItem")
    created = {"indicators": 0, "tags": 0, "items": 0}
    indicators = {}
    for code, name, unit, sort in INDICATORS:
        row, new = indicator_model.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "sort_order": sort}
        )
        indicators[code] = row
        created["indicators"] += new
    tags = {}
    for code, name, group, sort in TAGS:
        row, new = tag_model.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "sort_order": sort}
        )
        tags[code] = row
        created["tags"] += new
    for sort, seed in enumerate(ITEMS, start=1):
        item, new = item_model.objects.get_or_create(
            code=seed.code,
            defaults={
                "name": seed.name,
                "category": seed.category,
                "unit": seed.unit,
                "indicator": indicators[seed.indicator] if seed.indicator else None,
                "sort_order": sort * 10,
            },
        )
        if new:
            item.tags.set([tags[t] for t in seed.tags])
            created["items"] += 1
    return created


@dataclass
class RuleSeedResult:
    """What seeding review rules did: rules created, and departments found or missing."""

    created: int = 0
    found: dict[str, str] | None = None
    missing: list[str] | None = None


def find_department(apps: Any, seed: DepartmentSeed) -> Any | None:
    """The first reviewing organisation (by name) whose name contains one of the keywords."""
    organisation = apps.get_model("registry", "Organisation")
    candidates = organisation.objects.filter(kind__in=REVIEWING_KINDS).order_by("kind", "name")
    for keyword in seed.keywords:
        match = candidates.filter(name__contains=keyword).first()
        if match is not None:
            return match
    return None


def seed_review_rules(apps: Any, workdays: int = 5) -> RuleSeedResult:
    """Create the default rules for every department in ``DEPARTMENTS`` that exists."""
    rule_model = apps.get_model("renewal", "ReviewRule")
    item_model = apps.get_model("renewal", "CatalogueItem")
    result = RuleSeedResult(found={}, missing=[])
    assert result.found is not None and result.missing is not None
    items = {i.code: i for i in item_model.objects.all()}
    for seed in DEPARTMENTS:
        department = find_department(apps, seed)
        if department is None:
            result.missing.append(seed.key)
            continue
        result.found[seed.key] = department.name
        wanted: list[dict[str, Any]] = []
        if seed.every_project:
            wanted.append({"applies_to": "all"})
        wanted += [
            {"applies_to": "item", "item": items[code]} for code in seed.items if code in items
        ]
        wanted += [{"applies_to": "category", "category": c} for c in seed.categories]
        for lookup in wanted:
            _, new = rule_model.objects.get_or_create(
                department=department,
                item=lookup.get("item"),
                category=lookup.get("category", ""),
                applies_to=lookup["applies_to"],
                defaults={"workdays": workdays},
            )
            result.created += new
    return result
