"""Writes for after-care assets: registering an asset, its maintenance contract, its
preventive schedules and the visits done under them.

Elevators get the statutory schedules (maintenance at least every 15 days, an inspection every
year); a schedule longer than the law allows is refused. Recording a visit moves the next due
date to the visit's date plus the interval, so an overdue schedule stays overdue until someone
actually comes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from linli.aftercare.models import (
    ELEVATOR_INSPECTION_MAX_DAYS,
    ELEVATOR_MAINTENANCE_MAX_DAYS,
    Asset,
    AssetKind,
    MaintenanceContract,
    RecordResult,
    Schedule,
    ScheduleKind,
    ScheduleRecord,
)
from linli.core.errors import Invalid
from linli.registry.models import Compound, Organisation
from linli.registry.scoping import require_in_compound as require

#: The longest interval the law allows, per asset kind and schedule kind.
STATUTORY_MAX_DAYS: dict[tuple[str, str], int] = {
    (AssetKind.ELEVATOR, ScheduleKind.MAINTENANCE): ELEVATOR_MAINTENANCE_MAX_DAYS,
    (AssetKind.ELEVATOR, ScheduleKind.INSPECTION): ELEVATOR_INSPECTION_MAX_DAYS,
}


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def register_asset(
    *,
    by: Any,
    compound: Compound,
    kind: str,
    name: str,
    responsible_unit: str,
    responsible_organisation: Organisation | None = None,
    location: str = "",
    registration_code: str = "",
    manufacturer: str = "",
    model_name: str = "",
    commissioned_on: datetime.date | None = None,
) -> Asset:
    """A new asset of ``compound``; ``responsible_unit`` (使用单位) is required."""
    require(
        by,
        "aftercare.add_asset",
        compound.pk,
        f"您无权登记“{compound}”的设施设备",
        f"you may not register assets of {compound}",
    )
    if kind not in AssetKind.values:
        raise Invalid(f"设施类型“{kind}”无效", f"unknown asset kind {kind!r}", "kind")
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写设施名称", "the asset's name is required", "name")
    unit = (responsible_unit or "").strip()
    if not unit and responsible_organisation is not None:
        unit = responsible_organisation.name
    if not unit:
        raise Invalid(
            "请填写使用单位", "the responsible unit (使用单位) is required", "responsible_unit"
        )
    with transaction.atomic():
        asset = Asset(
            compound=compound,
            kind=kind,
            name=name,
            location=location.strip(),
            responsible_unit=unit,
            responsible_organisation=responsible_organisation,
            registration_code=registration_code.strip(),
            manufacturer=manufacturer.strip(),
            model_name=model_name.strip(),
            commissioned_on=commissioned_on,
        )
        asset.full_clean()
        asset.save()
        return asset


def add_contract(
    *,
    by: Any,
    asset: Asset,
    contractor: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    contractor_organisation: Organisation | None = None,
    number: str = "",
    annual_fee: Decimal | None = None,
) -> MaintenanceContract:
    """The asset's maintenance contract (维保合同) for a period."""
    require(
        by,
        "aftercare.add_maintenancecontract",
        asset.compound_id,
        f"您无权登记“{asset}”的维保合同",
        f"you may not add a maintenance contract to {asset}",
    )
    name = (contractor or "").strip()
    if not name and contractor_organisation is not None:
        name = contractor_organisation.name
    if not name:
        raise Invalid("请填写维保单位", "the maintenance contractor is required", "contractor")
    if ends_on < starts_on:
        raise Invalid(
            "合同结束日期不能早于开始日期", "the contract cannot end before it starts", "ends_on"
        )
    if annual_fee is not None and annual_fee < 0:
        raise Invalid("年费不能为负数", "the annual fee cannot be negative", "annual_fee")
    with transaction.atomic():
        contract = MaintenanceContract(
            asset=asset,
            contractor=name,
            contractor_organisation=contractor_organisation,
            number=number.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            annual_fee=annual_fee,
        )
        contract.full_clean()
        contract.save()
        return contract


def set_schedule(
    *,
    by: Any,
    asset: Asset,
    kind: str,
    interval_days: int,
    first_due_on: datetime.date,
) -> Schedule:
    """Create or change the asset's schedule of ``kind``; refuses intervals the law forbids."""
    require(
        by,
        "aftercare.add_schedule",
        asset.compound_id,
        f"您无权设置“{asset}”的维保计划",
        f"you may not set the schedules of {asset}",
    )
    if kind not in ScheduleKind.values:
        raise Invalid(f"计划类型“{kind}”无效", f"unknown schedule kind {kind!r}", "kind")
    if interval_days < 1:
        raise Invalid("周期至少为1天", "the interval must be at least one day", "interval_days")
    limit = STATUTORY_MAX_DAYS.get((asset.kind, kind))
    if limit is not None and interval_days > limit:
        label = ScheduleKind(kind).label
        raise Invalid(
            f"{AssetKind(asset.kind).label}的{label}周期不得超过{limit}天(现为{interval_days}天)",
            f"the {kind} interval of an {asset.kind} may be at most {limit} days "
            f"(given {interval_days})",
            "interval_days",
        )
    with transaction.atomic():
        schedule = Schedule.objects.filter(asset=asset, kind=kind).first() or Schedule(
            asset=asset, kind=kind
        )
        schedule.interval_days = interval_days
        if schedule.last_done_on is None:
            schedule.next_due_on = first_due_on
        else:
            schedule.next_due_on = schedule.last_done_on + datetime.timedelta(days=interval_days)
        schedule.active = True
        schedule.full_clean()
        schedule.save()
        return schedule


def record_visit(
    *,
    by: Any,
    schedule: Schedule,
    done_on: datetime.date,
    performed_by: str,
    result: str = RecordResult.PASSED,
    notes: str = "",
    today: datetime.date | None = None,
) -> ScheduleRecord:
    """A maintenance visit or inspection done; the schedule's next due date moves on."""
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().select_related("asset").get(pk=schedule.pk)
        require(
            by,
            "aftercare.add_schedulerecord",
            schedule.asset.compound_id,
            f"您无权登记“{schedule}”的维保记录",
            f"you may not record visits of {schedule}",
        )
        today = today or datetime.date.today()
        if done_on > today:
            raise Invalid("完成日期不能晚于今天", "the visit cannot be in the future", "done_on")
        if result not in RecordResult.values:
            raise Invalid(f"结论“{result}”无效", f"unknown result {result!r}", "result")
        who = (performed_by or "").strip()
        if not who:
            raise Invalid("请填写作业单位或人员", "say who did the work", "performed_by")
        record = ScheduleRecord(
            schedule=schedule,
            done_on=done_on,
            performed_by=who,
            result=result,
            notes=notes.strip(),
            recorded_by=_user(by),
        )
        record.full_clean()
        record.save()
        if schedule.last_done_on is None or done_on >= schedule.last_done_on:
            schedule.last_done_on = done_on
            schedule.next_due_on = done_on + datetime.timedelta(days=schedule.interval_days)
            schedule.save(update_fields=["last_done_on", "next_due_on", "updated_at"])
        return record
