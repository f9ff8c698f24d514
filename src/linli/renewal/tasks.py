"""Celery tasks of the renewal app: thin wrappers that take primary keys (or nothing) and call
the services. With no broker configured they run eagerly."""

from __future__ import annotations

import datetime

from celery import shared_task

from linli.renewal.services.supervision import run_supervision_check


@shared_task(name="linli.renewal.tasks.supervision_check")
def supervision_check(today: str | None = None) -> str:
    """The daily supervision check (督办; Celery beat, 07:00 district time). ``today`` as
    YYYY-MM-DD re-runs a missed day. Returns the summary line."""
    day = datetime.date.fromisoformat(today) if today else None
    return str(run_supervision_check(today=day))


@shared_task(name="linli.renewal.tasks.generate_report")
def generate_report(report_id: int) -> str:
    """Generate a queued issued report (周报告, 月通报, 季度观摩, 年度考评); returns its status."""
    from linli.renewal.models import IssuedReport
    from linli.renewal.reports.services import generate

    return generate(IssuedReport.objects.get(pk=report_id)).status
