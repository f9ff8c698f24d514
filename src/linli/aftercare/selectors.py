"""Reads of after-care assets: today's date in Shanghai, assets with their schedules, the
overdue filter, and which compounds a user may act on. Access is left to the scoping layer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from linli.aftercare.models import Asset, Schedule, ScheduleKind
from linli.core.scoping import scoped
from linli.registry.models import Compound
from linli.registry.scoping import whole_compounds_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> datetime.date:
    """Today in Asia/Shanghai: a schedule due today becomes overdue at local midnight."""
    return timezone.localdate(timezone=SHANGHAI)


def assets_queryset() -> QuerySet[Asset]:
    """Assets with their compound and schedules loaded (a bounded number of queries)."""
    return Asset.objects.select_related("compound").prefetch_related("schedules")


def with_overdue(queryset: QuerySet[Asset], today: datetime.date, overdue: bool) -> QuerySet[Asset]:
    """Assets with (``overdue=True``) or without an overdue schedule on ``today``."""
    late = Exists(Schedule.objects.overdue(today).filter(asset=OuterRef("pk")))
    return queryset.filter(late if overdue else ~late)


def schedules_overdue(queryset: QuerySet[Schedule], today: datetime.date, overdue: bool) -> Any:
    """Schedules overdue on ``today`` (or, with ``overdue=False``, the others)."""
    late = Schedule.objects.overdue(today).values("pk")
    return queryset.filter(pk__in=late) if overdue else queryset.exclude(pk__in=late)


def compounds_for(user: Any, permission: str) -> QuerySet[Compound]:
    """Compounds where ``user`` may use ``permission`` (the test the services make)."""
    return scoped(Compound, user, permission).order_by("name")


def may(user: Any, permission: str, asset: Asset) -> bool:
    return compounds_for(user, permission).filter(pk=asset.compound_id).exists()


@dataclass(frozen=True)
class AssetRow:
    """An asset as the list shows it: its two schedules and how late the latest one is."""

    asset: Asset
    maintenance: Schedule | None
    inspection: Schedule | None
    maintenance_late: bool
    inspection_late: bool
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def asset_row(asset: Asset, today: datetime.date) -> AssetRow:
    """The row of an asset whose schedules are prefetched; overdue per ``Schedule.is_overdue``."""
    by_kind = {s.kind: s for s in asset.schedules.all()}
    late = [s.days_overdue(today) for s in by_kind.values() if s.is_overdue(today)]
    maintenance = by_kind.get(ScheduleKind.MAINTENANCE)
    inspection = by_kind.get(ScheduleKind.INSPECTION)
    return AssetRow(
        asset=asset,
        maintenance=maintenance,
        inspection=inspection,
        maintenance_late=maintenance is not None and maintenance.is_overdue(today),
        inspection_late=inspection is not None and inspection.is_overdue(today),
        days_overdue=max(late, default=0),
    )


def elevator_case_pk(asset: Asset, user: Any) -> int | None:
    """The retrofit case that handed the elevator over, when ``user`` may open its (staff)
    page: the case is in their scope and they hold the whole compound (not a resident).

    After-care never imports the elevators app; the reverse accessor gives the case and its
    model, whose registered scope rule decides."""
    try:
        case = asset.elevator_case  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    if not whole_compounds_of(user).filter(pk=asset.compound_id).exists():
        return None
    visible = scoped(type(case), user).filter(pk=case.pk).exists()
    return int(case.pk) if visible else None
