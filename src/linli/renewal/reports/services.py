"""Issuing reports: ``request_report`` records a queued :class:`IssuedReport` and queues the
Celery task; ``generate`` builds the figures, renders the file and stores both (with the
file's SHA-256), saving its progress as it goes so another process can poll it.

An issued report is never regenerated in place: what was sent up stays as it was. Its stored
figures can be rendered again (``render_from_figures``) to reproduce the file's tables.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linli.accounts.roles import Role
from linli.core.scoping import scope_for
from linli.renewal.models import IssuedReport, ReportFormat, ReportKind, ReportStatus
from linli.renewal.reports.figures import build_figures
from linli.renewal.reports.periods import Period, parse_period
from linli.renewal.reports.render import render
from linli.renewal.services.common import refuse

__all__ = [
    "OPERATOR_SCOPE",
    "can_request",
    "generate",
    "issue_now",
    "render_from_figures",
    "request_report",
    "scope_label",
]

log = logging.getLogger(__name__)

OPERATOR_SCOPE = "全区(系统操作员)"


def can_request(user: Any) -> bool:
    """Staff with a scope may issue reports (for their own scope); residents may not."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    roles = set(user.role_assignments.values_list("role", flat=True))
    return bool(roles - {Role.RESIDENT}) and not scope_for(user).is_empty


def scope_label(user: Any) -> str:
    """Whose figures the report holds: the operator's (district-wide), or the user's
    role assignments."""
    if user is None:
        return OPERATOR_SCOPE
    if user.is_superuser:
        return f"全区({user.get_username()})"
    assignments = user.role_assignments.all()
    places = "、".join(
        f"{a.get_role_display()}·{a.jurisdiction}" for a in assignments if a.jurisdiction
    )
    return f"{user.get_username()}:{places}"[:255]


def _validate(kind: str, fmt: str, period: str) -> Period:
    if kind not in ReportKind.values:
        raise refuse("kind", f"未知的报告类型 {kind}", f"unknown report kind {kind}", "kind")
    if fmt not in ReportFormat.values:
        raise refuse("format", f"未知的格式 {fmt}", f"unknown format {fmt}", "format")
    try:
        return parse_period(kind, period)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}, code="period") from error


def _create(*, kind: str, period: str, fmt: str, by: Any) -> IssuedReport:
    parsed = _validate(kind, fmt, period)
    if by is not None and not can_request(by):
        raise refuse(
            None,
            "只有管理人员可以生成报告",
            "only staff with a jurisdiction may issue reports",
            "forbidden",
        )
    report = IssuedReport(
        kind=kind,
        format=fmt,
        period=parsed.label,
        period_start=parsed.start,
        period_end=parsed.end,
        scope_label=scope_label(by),
        generated_by=by,
    )
    report.full_clean()
    report.save()
    return report


def request_report(*, kind: str, period: str, format: str, by: Any) -> IssuedReport:
    """Record a queued report for ``by``'s scope; the Celery task generates it once the
    transaction commits."""
    from linli.renewal.tasks import generate_report

    with transaction.atomic():
        report = _create(kind=kind, period=period, fmt=format, by=by)
        generate_report.delay_on_commit(report.pk)
    return report


def issue_now(*, kind: str, period: str, format: str, by: Any) -> IssuedReport:
    """Record and generate a report at once (the CLI); ``by=None`` is the district-wide
    operator."""
    with transaction.atomic():
        report = _create(kind=kind, period=period, fmt=format, by=by)
    return generate(report)


def _progress(report: IssuedReport, percent: int, status: str = ReportStatus.RUNNING) -> None:
    # Bookkeeping, committed at once (no surrounding transaction) so pollers see it.
    IssuedReport.objects.filter(pk=report.pk).update(progress=percent, status=status)
    report.progress, report.status = percent, status


def generate(report: IssuedReport) -> IssuedReport:
    """Build, render and store a queued report; a failure is recorded on the report (status
    failed, the error) rather than raised. Anything but a queued report is left alone."""
    claimed = IssuedReport.objects.filter(pk=report.pk, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=5
    )
    if not claimed:  # done, failed, or another worker has it: never regenerate in place
        report.refresh_from_db()
        return report
    try:
        period = Period(report.period_start, report.period_end, report.period)
        figures = build_figures(
            kind=report.kind,
            period=period,
            user=report.generated_by,
            scope_label=report.scope_label,
        )
        _progress(report, 60)
        data = render(figures, report.format)
        _progress(report, 90)
        with transaction.atomic():
            report.figures = figures
            report.sha256 = hashlib.sha256(data).hexdigest()
            report.file.save(
                f"{report.kind}-{report.period}-{report.pk}.{report.format}",
                ContentFile(data),
                save=False,
            )
            report.status = ReportStatus.DONE
            report.progress = 100
            report.issued_at = timezone.now()
            report.error = ""
            report.save()
    except Exception as error:  # recorded for the user; the task itself succeeds
        log.exception("report %s failed", report.pk)
        report.status = ReportStatus.FAILED
        report.error = f"{type(error).__name__}: {error}"[:2000]
        IssuedReport.objects.filter(pk=report.pk).update(status=report.status, error=report.error)
    return report


def render_from_figures(report: IssuedReport, format: str | None = None) -> bytes:
    """The file of an issued report rendered again from its stored figures (``format``
    defaults to the report's own)."""
    if report.status != ReportStatus.DONE:
        raise refuse(None, "报告尚未生成", "the report has not been generated", "not_done")
    return render(report.figures, format or report.format)
