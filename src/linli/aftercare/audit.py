"""The after-care app's part in the audit trail: every asset row is placed in its compound."""

from __future__ import annotations

from linli.aftercare import models as m
from linli.core.audit import memo, track


def _compound_of_asset(asset_id: int | None) -> int | None:
    if asset_id is None:
        return None
    return memo(
        (m.Asset, asset_id, "compound"),
        lambda: m.Asset.objects.filter(pk=asset_id).values_list("compound_id", flat=True).first(),
    )


def _compound_of_schedule(schedule_id: int | None) -> int | None:
    if schedule_id is None:
        return None
    asset_id = memo(
        (m.Schedule, schedule_id, "asset"),
        lambda: (
            m.Schedule.objects.filter(pk=schedule_id).values_list("asset_id", flat=True).first()
        ),
    )
    return _compound_of_asset(asset_id)


def track_aftercare() -> None:
    """Audit every after-care model (called from ``AftercareConfig.ready``)."""
    track(m.Asset, locate=lambda o: o.compound_id)
    track(m.MaintenanceContract, locate=lambda o: _compound_of_asset(o.asset_id))
    track(m.Schedule, locate=lambda o: _compound_of_asset(o.asset_id))
    track(m.ScheduleRecord, locate=lambda o: _compound_of_schedule(o.schedule_id))
