"""Builders for after-care tests: a compound with a dwelling, its property company, and assets
registered through the services (their rules are the point), never by model factories."""

from __future__ import annotations

import datetime
from typing import Any

from linli.accounts.roles import Role
from linli.aftercare import services
from linli.aftercare.models import Asset, AssetKind, ScheduleKind
from linli.aftercare.selectors import local_today
from linli.consultation.tests.factories import community_worker, resident_of, user_with_role
from linli.registry import models as rm
from linli.registry.tests import factories as rf

__all__ = [
    "community_worker",
    "compound_of",
    "days",
    "elevator_of",
    "fire_equipment_of",
    "place",
    "property_company_of",
    "resident_of",
    "user_with_role",
]


def days(n: int) -> datetime.date:
    """Today in Asia/Shanghai plus ``n`` days (negative: in the past)."""
    return local_today() + datetime.timedelta(days=n)


def place() -> rm.Dwelling:
    """A dwelling in a fresh compound (``dwelling.stairwell.building.compound``)."""
    return rf.DwellingFactory()


def compound_of(dwelling: rm.Dwelling) -> rm.Compound:
    return dwelling.stairwell.building.compound


def property_company_of(compound: rm.Compound) -> Any:
    """A user of the property company that manages ``compound``."""
    company = rf.OrganisationFactory()
    compound.property_company = company
    compound.management_mode = rm.ManagementMode.PROFESSIONAL
    compound.save()
    return user_with_role(Role.PROPERTY_COMPANY, organisation=company)


def elevator_of(
    compound: rm.Compound,
    *,
    maintenance_due: datetime.date | None = None,
    inspection_due: datetime.date | None = None,
    name: str = "1号楼1单元电梯",
) -> Asset:
    """An elevator with the statutory schedules (15 days, 365 days), due as given."""
    asset = services.register_asset(
        by=None,
        compound=compound,
        kind=AssetKind.ELEVATOR,
        name=name,
        location="1号楼1单元",
        responsible_unit="洛阳某物业服务有限公司",
    )
    services.set_schedule(
        by=None,
        asset=asset,
        kind=ScheduleKind.MAINTENANCE,
        interval_days=15,
        first_due_on=maintenance_due or days(10),
    )
    services.set_schedule(
        by=None,
        asset=asset,
        kind=ScheduleKind.INSPECTION,
        interval_days=365,
        first_due_on=inspection_due or days(200),
    )
    return asset


def fire_equipment_of(compound: rm.Compound, *, due: datetime.date | None = None) -> Asset:
    """Fire equipment with a monthly maintenance schedule."""
    asset = services.register_asset(
        by=None,
        compound=compound,
        kind=AssetKind.FIRE,
        name="消防栓",
        location="2号楼东侧",
        responsible_unit="业主委员会",
    )
    services.set_schedule(
        by=None,
        asset=asset,
        kind=ScheduleKind.MAINTENANCE,
        interval_days=30,
        first_due_on=due or days(20),
    )
    return asset
