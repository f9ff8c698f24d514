"""A case's path: draft → votes (one per stairwell) → agreement → works → acceptance and
handover to after-care, or cancellation.

Each stairwell votes on its own (PRODUCT.md: elevator retrofits are voted within the
stairwells served) under the ``elevator-affected-consent`` profile by default: the Civil Code's
major-matter thresholds (Art. 278 (8), 改建) and the consent of every owner whose exclusive part
the shaft or corridor occupies. The agreement is confirmed only when every stairwell's latest
vote is final and passed; a failed or cancelled vote sends the case back to the draft plan.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from linli.aftercare import services as aftercare
from linli.aftercare.models import (
    ELEVATOR_INSPECTION_MAX_DAYS,
    ELEVATOR_MAINTENANCE_MAX_DAYS,
    AssetKind,
    ScheduleKind,
)
from linli.consultation.models import Matter, RuleProfile
from linli.consultation.services.votes import create_vote
from linli.core.errors import Invalid
from linli.elevators.models import CaseStatus, CaseVote, ElevatorCase
from linli.elevators.selectors import allocation_of, stairwell_votes
from linli.elevators.services.cases import lock
from linli.registry.models import Building, Dwelling, Organisation
from linli.registry.scoping import require_in_compound

#: The rule profile elevator votes use unless another is chosen.
ELEVATOR_PROFILE = "elevator-affected-consent"


def _locked_for_change(
    case: ElevatorCase, by: Any, statuses: Sequence[str], doing_zh: str, doing_en: str
) -> ElevatorCase:
    locked = lock(case)
    require_in_compound(
        by,
        "elevators.change_elevatorcase",
        locked.compound_id,
        f"您无权修改加装电梯项目“{locked}”",
        f"you may not change the elevator case {locked.title!r}",
    )
    if locked.status not in statuses:
        raise Invalid(
            f"项目“{locked}”当前为{locked.get_status_display()},不能{doing_zh}",
            f"the case is {locked.status}; it cannot {doing_en}",
            "status",
        )
    return locked


def _copy(target: ElevatorCase, source: ElevatorCase) -> ElevatorCase:
    for f in ElevatorCase._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _set_status(case: ElevatorCase, locked: ElevatorCase, status: str, *extra: str) -> ElevatorCase:
    locked.status = status
    locked.save(update_fields=["status", "updated_at", *extra])
    return _copy(case, locked)


def _plan_summary(case: ElevatorCase) -> str:
    return (
        f"总造价 {case.total_cost:.2f} 元,补贴 {case.subsidy:.2f} 元,"
        f"居民分摊 {case.residents_total:.2f} 元。分摊方案见项目公示。"
    )


def start_votes(
    case: ElevatorCase,
    *,
    by: Any,
    closes_at: datetime.datetime,
    opens_at: datetime.datetime | None = None,
    notice_days: int = 7,
    profile: RuleProfile | None = None,
    now: datetime.datetime | None = None,
) -> list[CaseVote]:
    """One owners' vote per stairwell on the plan as it stands; the plan freezes."""
    with transaction.atomic():
        locked = _locked_for_change(case, by, (CaseStatus.DRAFT,), "发起表决", "start votes")
        allocation_of(locked)  # refuse a plan that cannot be shared before anyone votes on it
        if profile is None:
            profile = RuleProfile.objects.filter(code=ELEVATOR_PROFILE).first()
            if profile is None:
                raise Invalid(
                    f"缺少表决规则“{ELEVATOR_PROFILE}”(请运行数据库迁移)",
                    f"the rule profile {ELEVATOR_PROFILE!r} is missing (run the migrations)",
                    "profile",
                )
        affected = {
            row.dwelling_id: row
            for row in locked.pool.filter(affected=True).select_related("dwelling")
        }
        links = []
        for sv in stairwell_votes(locked):
            stairwell = sv.stairwell
            vote = create_vote(
                by=by,
                title=f"{locked.title}:{stairwell.building.number}栋{stairwell.number}单元加装电梯",
                matter=Matter.REBUILD,
                stairwells=[stairwell],
                profile=profile,
                opens_at=opens_at,
                closes_at=closes_at,
                notice_days=notice_days,
                description=_plan_summary(locked),
                affected_dwellings=[
                    row.dwelling
                    for row in affected.values()
                    if row.dwelling.stairwell_id == stairwell.pk
                ],
                now=now,
            )
            links.append(CaseVote.objects.create(case=locked, stairwell=stairwell, vote=vote))
        _set_status(case, locked, CaseStatus.VOTING)
        return links


def confirm_agreement(case: ElevatorCase, *, by: Any) -> ElevatorCase:
    """The owners agreed: every stairwell's latest vote is final and passed."""
    with transaction.atomic():
        locked = _locked_for_change(
            case, by, (CaseStatus.VOTING,), "确认协议", "confirm the agreement"
        )
        missing = [sv for sv in stairwell_votes(locked) if not sv.passed]
        if missing:
            names = "、".join(
                f"{sv.stairwell.building.number}栋{sv.stairwell.number}单元" for sv in missing
            )
            raise Invalid(
                f"以下单元的表决尚未通过并生效:{names}",
                f"the votes of these stairwells have not passed and become final: {names}",
                "votes",
            )
        return _set_status(case, locked, CaseStatus.AGREED)


def return_to_draft(case: ElevatorCase, *, by: Any) -> ElevatorCase:
    """Back to the plan after a vote failed or was cancelled (others must be settled)."""
    with transaction.atomic():
        locked = _locked_for_change(
            case, by, (CaseStatus.VOTING,), "退回修改方案", "return to the draft plan"
        )
        votes = stairwell_votes(locked)
        if not any(sv.failed for sv in votes) or not all(sv.settled for sv in votes):
            raise Invalid(
                "仅当有单元表决未通过(或已撤销)且其余表决均已结束时,才能退回修改方案",
                "the plan reopens only once a stairwell's vote failed or was cancelled and the "
                "other votes are over",
                "votes",
            )
        return _set_status(case, locked, CaseStatus.DRAFT)


def start_works(case: ElevatorCase, *, by: Any) -> ElevatorCase:
    """Construction begins (after the agreement)."""
    with transaction.atomic():
        locked = _locked_for_change(case, by, (CaseStatus.AGREED,), "开工", "start the works")
        return _set_status(case, locked, CaseStatus.BUILDING)


def cancel_case(case: ElevatorCase, *, by: Any) -> ElevatorCase:
    """Give the case up before construction; its stairwells become free for a new case."""
    with transaction.atomic():
        locked = _locked_for_change(
            case,
            by,
            (CaseStatus.DRAFT, CaseStatus.VOTING, CaseStatus.AGREED),
            "终止",
            "be cancelled",
        )
        return _set_status(case, locked, CaseStatus.CANCELLED)


def hand_over(
    case: ElevatorCase,
    *,
    by: Any,
    accepted_on: datetime.date,
    responsible_unit: str,
    contractor: str,
    contract_starts_on: datetime.date,
    contract_ends_on: datetime.date,
    responsible_organisation: Organisation | None = None,
    contractor_organisation: Organisation | None = None,
    contract_number: str = "",
    annual_fee: Decimal | None = None,
    registration_code: str = "",
    manufacturer: str = "",
    model_name: str = "",
    maintenance_interval_days: int = ELEVATOR_MAINTENANCE_MAX_DAYS,
    inspection_interval_days: int = ELEVATOR_INSPECTION_MAX_DAYS,
    today: datetime.date | None = None,
) -> ElevatorCase:
    """Acceptance: the elevator becomes an asset of the compound with its responsible unit
    (使用单位), maintenance contract and statutory schedules (maintenance at least every 15
    days, the periodic inspection a year after acceptance); the buildings now have an elevator.
    """
    with transaction.atomic():
        locked = _locked_for_change(case, by, (CaseStatus.BUILDING,), "验收移交", "be handed over")
        today = today or datetime.date.today()
        if accepted_on > today:
            raise Invalid(
                "验收日期不能晚于今天", "the acceptance date cannot be in the future", "accepted_on"
            )
        stairwells = [sv.stairwell for sv in stairwell_votes(locked)]
        location = "、".join(f"{s.building.number}栋{s.number}单元" for s in stairwells)
        asset = aftercare.register_asset(
            by=by,
            compound=locked.compound,
            kind=AssetKind.ELEVATOR,
            name=f"加装电梯({location})",
            location=location,
            responsible_unit=responsible_unit,
            responsible_organisation=responsible_organisation,
            registration_code=registration_code,
            manufacturer=manufacturer,
            model_name=model_name,
            commissioned_on=accepted_on,
        )
        aftercare.add_contract(
            by=by,
            asset=asset,
            contractor=contractor,
            contractor_organisation=contractor_organisation,
            number=contract_number,
            starts_on=contract_starts_on,
            ends_on=contract_ends_on,
            annual_fee=annual_fee,
        )
        aftercare.set_schedule(
            by=by,
            asset=asset,
            kind=ScheduleKind.MAINTENANCE,
            interval_days=maintenance_interval_days,
            first_due_on=accepted_on + datetime.timedelta(days=maintenance_interval_days),
        )
        aftercare.set_schedule(
            by=by,
            asset=asset,
            kind=ScheduleKind.INSPECTION,
            interval_days=inspection_interval_days,
            first_due_on=accepted_on + datetime.timedelta(days=inspection_interval_days),
        )
        for building in Building.objects.filter(
            pk__in={s.building_id for s in stairwells}, has_elevator=False
        ):
            building.has_elevator = True
            building.save(update_fields=["has_elevator", "updated_at"])
        locked.asset = asset
        locked.accepted_on = accepted_on
        return _set_status(case, locked, CaseStatus.ACCEPTED, "asset", "accepted_on")


def dwellings_of(case: ElevatorCase) -> list[Dwelling]:
    return [row.dwelling for row in case.pool.select_related("dwelling")]
