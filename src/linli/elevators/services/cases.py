"""Opening a retrofit case and changing its plan.

A case pools the dwellings of one stairwell or several adjacent stairwells of one compound
(Xigong links neighbouring stairwells by corridors to one shared elevator). Each dwelling's
floor for cost purposes starts as its storey and can be changed where the elevator stops at
half-landings. The plan may change only while the case is a draft; every change recomputes
the subsidy and runs the cost engine, so a plan that cannot be shared is refused at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from linli.core.errors import Invalid
from linli.elevators import allocation, subsidy
from linli.elevators.models import (
    COST_FIELDS,
    CaseDwelling,
    CaseStatus,
    CostPart,
    ElevatorCase,
    StopMode,
    SubsidyRule,
)
from linli.elevators.selectors import allocation_of, pool_rows
from linli.registry.models import Compound, Dwelling, Stairwell
from linli.registry.scoping import require_in_compound

#: Sentinel for "leave as it is" in :func:`update_plan`.
KEEP: Any = object()


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _compound_of(stairwells: Sequence[Stairwell]) -> Compound:
    if not stairwells:
        raise Invalid(
            "请选择电梯服务的单元", "choose the stairwell(s) the elevator serves", "stairwells"
        )
    ids = [s.pk for s in stairwells]
    if len(set(ids)) != len(ids):
        raise Invalid("单元重复", "a stairwell is listed twice", "stairwells")
    compounds = set(
        Stairwell.objects.filter(pk__in=ids).values_list("building__compound_id", flat=True)
    )
    if len(compounds) != 1:
        raise Invalid(
            "共用电梯的单元须属于同一小区",
            "the stairwells sharing an elevator must belong to one compound",
            "stairwells",
        )
    return Compound.objects.get(pk=compounds.pop())


def _check_free(stairwells: Sequence[Stairwell], case: ElevatorCase | None = None) -> None:
    busy = (
        ElevatorCase.objects.filter(stairwells__in=stairwells)
        .exclude(status=CaseStatus.CANCELLED)
        .distinct()
    )
    if case is not None:
        busy = busy.exclude(pk=case.pk)
    other = busy.first()
    if other is not None:
        raise Invalid(
            f"所选单元已在加装电梯项目“{other}”中",
            f"a chosen stairwell already belongs to the elevator case {other.title!r}",
            "stairwells",
        )


def parse_costs(costs: Mapping[str, Any]) -> dict[str, Decimal]:
    """``{part: amount}`` checked: known parts, money with at most 2 decimals, not negative."""
    parsed: dict[str, Decimal] = {}
    for part, value in costs.items():
        if part not in CostPart.values:
            raise Invalid(
                f"费用项“{part}”无效(可用:{'、'.join(CostPart.values)})",
                f"unknown cost part {part!r} (use {', '.join(CostPart.values)})",
                "costs",
            )
        label = CostPart(part).label
        parsed[part] = allocation.to_money(
            value, field_zh=f"费用“{label}”", field_en=f"cost {part!r}"
        )
    return parsed


def _check_coefficients(value: Any) -> Any:
    """A preset name or a floor table, in the shape stored (JSON: string keys and values)."""
    preset, table = allocation.coefficient_table(value)
    if preset is not None:
        return preset
    return {str(floor): str(coefficient) for floor, coefficient in sorted(table.items())}


def _apply_subsidy(case: ElevatorCase) -> None:
    rule = case.subsidy_rule
    if rule is None:
        case.subsidy = Decimal("0.00")
        return
    case.subsidy = subsidy.subsidy_for(
        rule.as_rule(), total_cost=case.total_cost, storeys=case.storeys
    )


def _pool_dwellings(stairwells: Sequence[Stairwell]) -> list[Dwelling]:
    return list(
        Dwelling.objects.filter(stairwell__in=stairwells, floor__gte=1).order_by(
            "stairwell_id", "floor", "number", "pk"
        )
    )


def _ids_in_pool(
    ids: Iterable[int], pool: Mapping[int, CaseDwelling], *, zh: str, en: str, field: str
) -> list[int]:
    wanted = [int(i) for i in ids]
    unknown = sorted(set(wanted) - set(pool))
    if unknown:
        names = "、".join(str(d) for d in Dwelling.objects.filter(pk__in=unknown)) or ", ".join(
            map(str, unknown)
        )
        raise Invalid(
            f"{zh}不在本项目的单元内:{names}", f"{en} not in the case's stairwells: {names}", field
        )
    return wanted


def _apply_pool(
    case: ElevatorCase,
    *,
    exempt: Iterable[int] | Any,
    exempt_reasons: Mapping[int, str] | Any,
    compensation: Iterable[tuple[int, Any]] | Any,
    cost_floors: Mapping[int, int] | Any,
    affected: Iterable[int] | Any,
) -> None:
    pool = {row.dwelling_id: row for row in case.pool.all()}
    changed: set[int] = set()
    if exempt is not KEEP:
        ids = set(
            _ids_in_pool(exempt, pool, zh="不参与分摊的房屋", en="exempt dwellings", field="exempt")
        )
        for pk, row in pool.items():
            if row.exempt != (pk in ids):
                row.exempt = pk in ids
                if not row.exempt:
                    row.exempt_reason = ""
                changed.add(pk)
    if exempt_reasons is not KEEP:
        for pk in _ids_in_pool(exempt_reasons, pool, zh="房屋", en="dwellings", field="exempt"):
            pool[pk].exempt_reason = str(exempt_reasons[pk]).strip()[:128]
            changed.add(pk)
    if compensation is not KEEP:
        amounts: dict[int, Decimal] = {}
        for pk, amount in compensation:
            [pk] = _ids_in_pool(
                [pk], pool, zh="获得补偿的房屋", en="compensated dwellings", field="compensation"
            )
            if pk in amounts:
                raise Invalid(
                    f"房屋 {pool[pk].dwelling} 的补偿重复",
                    f"dwelling {pk} is compensated twice",
                    "compensation",
                )
            amounts[pk] = allocation.to_money(
                amount,
                field_zh=f"房屋 {pool[pk].dwelling} 的补偿",
                field_en=f"compensation of dwelling {pk}",
            )
        for pk, row in pool.items():
            new = amounts.get(pk, Decimal("0.00"))
            if row.compensation != new:
                row.compensation = new
                changed.add(pk)
    if cost_floors is not KEEP:
        for pk in _ids_in_pool(
            cost_floors,
            pool,
            zh="调整计费楼层的房屋",
            en="dwellings given a cost floor",
            field="cost_floors",
        ):
            floor = cost_floors[pk]
            if isinstance(floor, bool) or not isinstance(floor, int) or floor < 1:
                raise Invalid(
                    f"房屋 {pool[pk].dwelling} 的计费楼层须为正整数,收到 {floor!r}",
                    f"the cost floor of dwelling {pk} must be a positive whole number, got {floor!r}",
                    "cost_floors",
                )
            if pool[pk].cost_floor != floor:
                pool[pk].cost_floor = floor
                changed.add(pk)
    if affected is not KEEP:
        ids = set(
            _ids_in_pool(affected, pool, zh="受影响房屋", en="affected dwellings", field="affected")
        )
        for pk, row in pool.items():
            if row.affected != (pk in ids):
                row.affected = pk in ids
                changed.add(pk)
    for pk in sorted(changed):
        # Saved one by one so every changed row is audited with its before and after.
        pool[pk].save()


def _validate_plan(case: ElevatorCase) -> None:
    if case.subsidy_rule is not None and not case.subsidy_rule.active:
        raise Invalid(
            f"补贴规则“{case.subsidy_rule}”已停用",
            f"the subsidy rule {case.subsidy_rule} is inactive",
            "subsidy_rule",
        )
    _apply_subsidy(case)
    case.full_clean(exclude=["stairwells"])
    case.save()
    allocation_of(case, pool_rows(case))


def create_case(
    *,
    by: Any,
    title: str,
    stairwells: Sequence[Stairwell],
    costs: Mapping[str, Any] | None = None,
    subsidy_rule: SubsidyRule | None = None,
    coefficients: Any = allocation.AREA,
    area_weighted: bool = False,
    exempt: Iterable[int] = (),
    exempt_reasons: Mapping[int, str] | None = None,
    compensation: Iterable[tuple[int, Any]] = (),
    cost_floors: Mapping[int, int] | None = None,
    affected: Iterable[int] = (),
    stop_mode: str = StopMode.LEVEL,
    storeys: int | None = None,
    feasibility: str = "",
    design: str = "",
    provident_fund_cap: Decimal | None = None,
) -> ElevatorCase:
    """A new draft case pooling every dwelling (floor 1 and up) of ``stairwells``.

    ``coefficients`` defaults to the Art. 283 fallback (exclusive area) until the residents
    agree on another table; ``storeys`` defaults to the tallest building served.
    """
    with transaction.atomic():
        stairwells = list(stairwells)
        compound = _compound_of(stairwells)
        require_in_compound(
            by,
            "elevators.add_elevatorcase",
            compound.pk,
            f"您无权在“{compound}”登记加装电梯项目",
            f"you may not open an elevator case in {compound}",
        )
        title = (title or "").strip()
        if not title:
            raise Invalid("请填写项目名称", "the case needs a title", "title")
        if stop_mode not in StopMode.values:
            raise Invalid(
                f"停靠方式“{stop_mode}”无效", f"unknown stop mode {stop_mode!r}", "stop_mode"
            )
        _check_free(stairwells)
        dwellings = _pool_dwellings(stairwells)
        if not dwellings:
            raise Invalid(
                "所选单元没有登记房屋", "the chosen stairwells have no dwellings", "stairwells"
            )
        if storeys is None:
            storeys = max(
                Stairwell.objects.filter(pk__in=[s.pk for s in stairwells]).values_list(
                    "building__storeys", flat=True
                )
            )
        case = ElevatorCase(
            compound=compound,
            title=title,
            stop_mode=stop_mode,
            storeys=storeys,
            feasibility=feasibility.strip(),
            design=design.strip(),
            subsidy_rule=subsidy_rule,
            coefficients=_check_coefficients(coefficients),
            area_weighted=bool(area_weighted),
            provident_fund_cap=provident_fund_cap,
            created_by=_user(by),
        )
        for part, amount in parse_costs(costs or {}).items():
            setattr(case, COST_FIELDS[part], amount)
        _apply_subsidy(case)
        case.full_clean(exclude=["stairwells"])
        case.save()
        case.stairwells.set(stairwells)
        for dwelling in dwellings:
            CaseDwelling.objects.create(case=case, dwelling=dwelling, cost_floor=dwelling.floor)
        _apply_pool(
            case,
            exempt=exempt,
            exempt_reasons=exempt_reasons or {},
            compensation=compensation,
            cost_floors=cost_floors or {},
            affected=affected,
        )
        _validate_plan(case)
        return case


def lock(case: ElevatorCase) -> ElevatorCase:
    """The case row, locked until the transaction ends."""
    return (
        ElevatorCase.objects.select_for_update(of=("self",))
        .select_related("subsidy_rule")
        .get(pk=case.pk)
    )


def update_plan(
    case: ElevatorCase,
    *,
    by: Any,
    title: Any = KEEP,
    costs: Mapping[str, Any] | Any = KEEP,
    subsidy_rule: SubsidyRule | Any | None = KEEP,
    coefficients: Any = KEEP,
    area_weighted: Any = KEEP,
    exempt: Iterable[int] | Any = KEEP,
    exempt_reasons: Mapping[int, str] | Any = KEEP,
    compensation: Iterable[tuple[int, Any]] | Any = KEEP,
    cost_floors: Mapping[int, int] | Any = KEEP,
    affected: Iterable[int] | Any = KEEP,
    stop_mode: Any = KEEP,
    storeys: Any = KEEP,
    feasibility: Any = KEEP,
    design: Any = KEEP,
    provident_fund_cap: Any = KEEP,
) -> ElevatorCase:
    """Change the draft plan; arguments left out keep their value. ``costs`` may name only
    some parts (the others keep theirs)."""
    with transaction.atomic():
        locked = lock(case)
        require_in_compound(
            by,
            "elevators.change_elevatorcase",
            locked.compound_id,
            f"您无权修改加装电梯项目“{locked}”",
            f"you may not change the elevator case {locked.title!r}",
        )
        if not locked.editable:
            raise Invalid(
                f"项目“{locked}”当前为{locked.get_status_display()},方案不能再修改",
                f"the case is {locked.status}; its plan can no longer change",
                "status",
            )
        if title is not KEEP:
            title = (title or "").strip()
            if not title:
                raise Invalid("请填写项目名称", "the case needs a title", "title")
            locked.title = title
        if costs is not KEEP:
            for part, amount in parse_costs(costs).items():
                setattr(locked, COST_FIELDS[part], amount)
        if subsidy_rule is not KEEP:
            locked.subsidy_rule = subsidy_rule
        if coefficients is not KEEP:
            locked.coefficients = _check_coefficients(coefficients)
        if area_weighted is not KEEP:
            locked.area_weighted = bool(area_weighted)
        if stop_mode is not KEEP:
            if stop_mode not in StopMode.values:
                raise Invalid(
                    f"停靠方式“{stop_mode}”无效", f"unknown stop mode {stop_mode!r}", "stop_mode"
                )
            locked.stop_mode = stop_mode
        if storeys is not KEEP:
            if isinstance(storeys, bool) or not isinstance(storeys, int) or storeys < 1:
                raise Invalid(
                    "楼层数须为正整数", "storeys must be a positive whole number", "storeys"
                )
            locked.storeys = storeys
        for name, value in (("feasibility", feasibility), ("design", design)):
            if value is not KEEP:
                setattr(locked, name, (value or "").strip())
        if provident_fund_cap is not KEEP:
            locked.provident_fund_cap = (
                None
                if provident_fund_cap is None
                else allocation.to_money(
                    provident_fund_cap, field_zh="公积金提取上限", field_en="provident fund cap"
                )
            )
        _apply_pool(
            locked,
            exempt=exempt,
            exempt_reasons=exempt_reasons,
            compensation=compensation,
            cost_floors=cost_floors,
            affected=affected,
        )
        _validate_plan(locked)
        for f in ElevatorCase._meta.concrete_fields:
            setattr(case, f.attname, getattr(locked, f.attname))
        return case
