"""Reads of the renewal app that are more than a one-liner: project lists and details, the
sign-offs a user may give, the stage timeline. Every one is scoped to the user."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from linli.core.scoping import scope_for, scoped
from linli.registry.models import Compound
from linli.renewal.gates import ORDER, Stage
from linli.renewal.indicators import CompoundFacts, Indicators, ProjectRow, compute_indicators
from linli.renewal.models import (
    FundingLine,
    OutputIndicator,
    Project,
    ProjectItem,
    Review,
    StageRecord,
    Transition,
)

__all__ = [
    "StageRow",
    "Totals",
    "funding_totals",
    "indicator_rows",
    "indicators_for",
    "project_for_detail",
    "projects_for_list",
    "reviews_to_sign",
    "staff_users",
    "stage_timeline",
]


def projects_for_list(user: Any, today: datetime.date | None = None) -> QuerySet[Project]:
    """The user's projects with totals, compound count and overdue flag (fixed query count)."""
    queryset = (
        Project.objects.with_overview(today)
        .select_related("zone")
        .prefetch_related(Prefetch("compounds", queryset=Compound.objects.only("pk", "name")))
    )
    return scoped(queryset, user)


def project_for_detail(user: Any) -> QuerySet[Project]:
    """The queryset a project page reads its project from (404 outside the user's scope)."""
    queryset = (
        Project.objects.with_overview()
        .select_related(
            "zone",
            "design_firm",
            "construction_firm",
            "supervision_firm",
            "aftercare_owner",
            "zone_lead",
            "subdistrict_contact",
            "community_contact",
            "district_contact",
        )
        .prefetch_related(
            Prefetch(
                "compounds",
                queryset=Compound.objects.select_related("community__subdistrict"),
            ),
            Prefetch("items", queryset=ProjectItem.objects.select_related("item__indicator")),
            "funding",
            Prefetch("reviews", queryset=Review.objects.select_related("department", "decided_by")),
            Prefetch("transitions", queryset=Transition.objects.select_related("by")),
            "decisions",
            "acceptances",
        )
    )
    return scoped(queryset, user)


def staff_users() -> QuerySet[Any]:
    """Users who can be named as responsible people: active, holding a role, not residents
    (residents' accounts are personal data and are never offered in a staff list)."""
    from django.contrib.auth import get_user_model

    from linli.accounts.roles import Role

    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__isnull=False)
        .exclude(role_assignments__role=Role.RESIDENT)
        .distinct()
        .order_by("username")
    )


def reviews_to_sign(user: Any) -> QuerySet[Review]:
    """Pending sign-offs of current rounds that ``user`` may give: their own department's,
    or any in their scope when they may record sign-offs on a department's behalf."""
    pending = Review.objects.pending().current().select_related("project", "department")
    mine = scoped(pending, user, "renewal.change_review")
    scope = scope_for(user, "renewal.change_review")
    if scope.everything:
        return mine
    on_behalf = scoped(Review, user, "renewal.decide_for_department").values("pk")
    return mine.filter(Q(department_id__in=sorted(scope.organisation_ids)) | Q(pk__in=on_behalf))


@dataclass(frozen=True)
class StageRow:
    """One line of a project's stage timeline."""

    stage: Stage
    record: StageRecord | None
    current: bool
    done: bool
    late: bool


def stage_timeline(project: Project, today: datetime.date | None = None) -> list[StageRow]:
    """The nine stages in order with their dates, the current one marked, late ones flagged."""
    today = today or timezone.localdate()
    records = {r.stage: r for r in project.stages.all()}
    here = ORDER.index(Stage(project.stage))
    rows = []
    for i, stage in enumerate(ORDER):
        record = records.get(stage)
        rows.append(
            StageRow(
                stage=stage,
                record=record,
                current=i == here,
                done=i < here or (stage == Stage.HANDED_OVER and i == here),
                late=record is not None and i >= here and record.is_late(today),
            )
        )
    return rows


@dataclass(frozen=True)
class Totals:
    """Sums of a project's funding lines (yuan)."""

    planned: Decimal
    allocated: Decimal
    disbursed: Decimal


def funding_totals(lines: list[FundingLine]) -> Totals:
    """The totals of ``lines`` (already loaded)."""
    zero = Decimal("0.00")
    return Totals(
        planned=sum((x.planned for x in lines), zero),
        allocated=sum((x.allocated for x in lines), zero),
        disbursed=sum((x.disbursed for x in lines), zero),
    )


def indicators_for(
    user: Any,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    zone: int | None = None,
    subdistrict: int | None = None,
    community: int | None = None,
) -> Indicators:
    """The indicators of the projects ``user`` may see, optionally narrowed to a zone,
    sub-district or community (ids), for ``[period_start, period_end]``.

    Narrowed to a sub-district or community, a project counts when one of its compounds lies
    there, and compound figures (counts, households, people) count only those compounds;
    money and outputs are the whole project's. Seven queries whatever the number of projects.
    """
    return compute_indicators(
        indicator_rows(user, zone=zone, subdistrict=subdistrict, community=community),
        period_start=period_start,
        period_end=period_end,
        indicator_codes=list(OutputIndicator.objects.values_list("code", flat=True)),
    )


def indicator_rows(
    user: Any,
    *,
    zone: int | None = None,
    subdistrict: int | None = None,
    community: int | None = None,
) -> list[ProjectRow]:
    """The rows :func:`compute_indicators` reads, one per project ``user`` may see, narrowed
    as :func:`indicators_for` describes (six queries whatever the number of projects); the
    dashboard computes several periods and groupings from one load."""
    projects = scoped(Project, user)
    if zone is not None:
        projects = projects.filter(zone_id=zone)
    compounds = Compound.objects.all()
    if subdistrict is not None:
        compounds = compounds.filter(community__subdistrict_id=subdistrict)
    if community is not None:
        compounds = compounds.filter(community_id=community)
    narrowed = subdistrict is not None or community is not None
    if narrowed:
        projects = projects.filter(
            pk__in=Project.compounds.through.objects.filter(
                compound__in=compounds.values("pk")
            ).values("project_id")
        )
    ids = projects.values("pk")

    rows = list(
        Project.objects.filter(pk__in=ids)
        .with_overview()
        .order_by()
        # Annotated by with_overview(); the mypy plugin cannot see queryset-method annotations.
        .values("pk", "year", "stage", "zone_id", "planned_total", "disbursed_total")  # type: ignore[misc]
    )
    links = Project.compounds.through.objects.filter(project__in=ids)
    if narrowed:
        links = links.filter(compound__in=compounds.values("pk"))
    members = list(links.values_list("project_id", "compound_id"))
    counts = {
        c["pk"]: CompoundFacts(c["pk"], c["household_count"], c["people_count"])
        for c in Compound.objects.filter(pk__in=links.values("compound_id"))
        .with_counts()
        .values("pk", "household_count", "people_count")  # type: ignore[misc]
    }
    started, completed = _stage_dates(ids)
    outputs = measured_outputs(ids)
    by_project: dict[int, list[CompoundFacts]] = {}
    for project_id, compound_id in members:
        by_project.setdefault(project_id, []).append(counts[compound_id])
    return [
        ProjectRow(
            id=row["pk"],
            year=row["year"],
            stage=row["stage"],
            zone_id=row["zone_id"],
            compounds=tuple(by_project.get(row["pk"], ())),
            works_started_on=started.get(row["pk"]),
            completed_on=completed.get(row["pk"]),
            planned_investment=row["planned_total"],
            disbursed_investment=row["disbursed_total"],
            outputs=outputs.get(row["pk"], {}),
        )
        for row in rows
    ]


def measured_outputs(ids: Any) -> dict[int, dict[str, Decimal]]:
    """Per project (of ``ids``, a list or a subquery), the measured output quantity by output
    indicator code, in one query."""
    outputs: dict[int, dict[str, Decimal]] = {}
    measured = (
        ProjectItem.objects.filter(
            project__in=ids, output_quantity__isnull=False, item__indicator__isnull=False
        )
        .order_by()
        .values_list("project_id", "item__indicator__code", "output_quantity")
    )
    for project_id, code, quantity in measured:
        per_project = outputs.setdefault(project_id, {})
        if quantity is not None:  # excluded by the filter; narrows the type
            per_project[code] = per_project.get(code, Decimal(0)) + quantity
    return outputs


def _stage_dates(
    ids: QuerySet[Any],
) -> tuple[dict[int, datetime.date], dict[int, datetime.date]]:
    """When works started and when each project was completed: the stage records' actual
    start, else the first transition into the stage (two queries)."""
    wanted = (Stage.WORKS, Stage.COMPLETED)
    dates: dict[str, dict[int, datetime.date]] = {s: {} for s in wanted}
    transitions = (
        Transition.objects.filter(project__in=ids, to_stage__in=wanted)
        .order_by("at")
        .values_list("project_id", "to_stage", "at")
    )
    for project_id, stage, at in transitions:
        dates[stage].setdefault(project_id, timezone.localdate(at))
    records = StageRecord.objects.filter(
        project__in=ids, stage__in=wanted, actual_start__isnull=False
    ).values_list("project_id", "stage", "actual_start")
    for project_id, stage, actual_start in records:
        if actual_start is not None:  # excluded by the filter; narrows the type
            dates[stage][project_id] = actual_start
    return dates[Stage.WORKS], dates[Stage.COMPLETED]
