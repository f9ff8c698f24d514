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
from linli.renewal.models import (
    FundingLine,
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
