"""The renewal app's part in the audit trail: every model is tracked, and each row is placed
in the compound of its project (the project's first compound) so the trail is scoped like the
projects. Transitions are additionally kept as their own log (``Transition``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from linli.core.audit import memo, track
from linli.renewal import models as m


def compound_of_project(project_id: int | None) -> int | None:
    """The first compound (by id) of a project, once per audit context."""
    if project_id is None:
        return None
    return memo(
        (m.Project, project_id, "compound"),
        lambda: (
            m.Project.compounds.through.objects.filter(project_id=project_id)
            .order_by("compound_id")
            .values_list("compound_id", flat=True)
            .first()
        ),
    )


def _locate_project(project: Any) -> int | None:
    return compound_of_project(project.pk)


def _locate_part(obj: Any) -> int | None:
    return compound_of_project(obj.project_id)


def _locate_report_part(obj: Any) -> int | None:
    project_id = memo(
        (m.ProgressReport, obj.report_id, "project"),
        lambda: (
            m.ProgressReport.objects.filter(pk=obj.report_id)
            .values_list("project_id", flat=True)
            .first()
        ),
    )
    return compound_of_project(project_id)


def track_renewal() -> None:
    """Audit every renewal model (called from ``RenewalConfig.ready``)."""
    track(m.Project, locate=_locate_project)
    parts: tuple[type[Model], ...] = (
        m.ProjectItem,
        m.FundingLine,
        m.StageRecord,
        m.Transition,
        m.DecisionRecord,
        m.Review,
        m.AcceptanceRecord,
        m.ProgressReport,
        m.ProgressProblem,
        m.SupervisionItem,
    )
    for part in parts:
        track(part, locate=_locate_part)
    for report_part in (m.ProgressLine, m.ProgressPhoto):
        track(report_part, locate=_locate_report_part)
    track(m.IssuedReport)
    reference: tuple[type[Model], ...] = (
        m.LocalTag,
        m.OutputIndicator,
        m.CatalogueItem,
        m.ReviewRule,
    )
    for model in reference:
        track(model)
