"""What the reports read, for the projects a user may see, in a fixed number of queries
(whatever the number of projects): one :class:`Snapshot` per report.

The project rows are the same as ``selectors.indicators_for`` builds (same scope, same stage
dates, same registry counts), so the report's district figures equal the indicators API's and
a sub-district's or zone's figures equal ``indicators_for(..., subdistrict=/zone=)``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from linli.core.scoping import scoped
from linli.registry.models import Compound
from linli.renewal.indicators import CompoundFacts, Indicators, ProjectRow, compute_indicators
from linli.renewal.models import (
    AcceptanceRecord,
    OutputIndicator,
    ProgressProblem,
    Project,
    SupervisionItem,
    SupervisionStatus,
)
from linli.renewal.selectors import _stage_dates, measured_outputs

__all__ = ["OpenItem", "ProjectInfo", "Snapshot", "load", "visible_projects"]


def visible_projects(user: Any) -> QuerySet[Project]:
    """The projects a report for ``user`` covers; ``None`` is the district-wide operator."""
    return Project.objects.all() if user is None else scoped(Project, user)


@dataclass(frozen=True)
class OpenItem:
    """An open supervision item as the bulletin names it."""

    project_id: int
    description: str
    level: str
    level_label: str
    assignee: str
    due_on: datetime.date


@dataclass
class ProjectInfo:
    """One visible project: its indicator row and what the reports print of it."""

    row: ProjectRow
    code: str
    name: str
    zone_name: str
    light: str
    light_reason: str
    progress: Decimal
    #: (sub-district id, name) of each of its compounds.
    subdistricts: dict[int, str] = field(default_factory=dict)
    #: The compounds of each sub-district (ids).
    compounds_by_subdistrict: dict[int, set[int]] = field(default_factory=dict)
    open_items: list[OpenItem] = field(default_factory=list)
    open_problems: int = 0
    satisfaction: Decimal | None = None


@dataclass
class Snapshot:
    """The visible projects with everything the reports need, and the output indicators."""

    period_start: datetime.date
    period_end: datetime.date
    projects: list[ProjectInfo]
    indicator_codes: list[str]
    indicator_names: dict[str, tuple[str, str]]

    def indicators(self, infos: Iterable[ProjectInfo] | None = None) -> Indicators:
        rows = [i.row for i in (self.projects if infos is None else infos)]
        return compute_indicators(
            rows,
            period_start=self.period_start,
            period_end=self.period_end,
            indicator_codes=self.indicator_codes,
        )

    def subdistricts(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for info in self.projects:
            names.update(info.subdistricts)
        return names

    def zones(self) -> dict[int, str]:
        return {i.row.zone_id: i.zone_name for i in self.projects if i.row.zone_id is not None}

    def in_subdistrict(self, subdistrict: int) -> list[ProjectInfo]:
        """Projects with a compound in ``subdistrict``, their rows narrowed to those compounds
        (as ``indicators_for(subdistrict=...)`` narrows them)."""
        narrowed = []
        for info in self.projects:
            ids = info.compounds_by_subdistrict.get(subdistrict)
            if ids:
                row = replace(
                    info.row, compounds=tuple(c for c in info.row.compounds if c.id in ids)
                )
                narrowed.append(replace(info, row=row))
        return narrowed

    def in_zone(self, zone: int) -> list[ProjectInfo]:
        return [i for i in self.projects if i.row.zone_id == zone]


def load(user: Any, *, period_start: datetime.date, period_end: datetime.date) -> Snapshot:
    """Everything the reports need of ``user``'s projects (ten queries)."""
    ids = visible_projects(user).values("pk")
    rows = list(
        Project.objects.filter(pk__in=ids)
        .with_overview()
        .order_by("code")
        .values(  # type: ignore[misc]  # with_overview() annotations
            "pk",
            "code",
            "name",
            "year",
            "stage",
            "zone_id",
            "zone__name",
            "light",
            "light_reason",
            "progress_percent",
            "planned_total",
            "disbursed_total",
        )
    )
    links = list(
        Project.compounds.through.objects.filter(project__in=ids).values_list(
            "project_id",
            "compound_id",
            "compound__community__subdistrict_id",
            "compound__community__subdistrict__name",
        )
    )
    counts = {
        c["pk"]: CompoundFacts(c["pk"], c["household_count"], c["people_count"])
        for c in Compound.objects.filter(renewal_projects__in=ids)
        .distinct()
        .with_counts()
        .values("pk", "household_count", "people_count")  # type: ignore[misc]
    }
    started, completed = _stage_dates(ids)
    outputs = measured_outputs(ids)
    indicators = list(OutputIndicator.objects.values_list("code", "name", "unit"))

    infos: dict[int, ProjectInfo] = {}
    members: dict[int, list[tuple[int, int, str]]] = {}
    for project_id, compound_id, subdistrict_id, subdistrict_name in links:
        members.setdefault(project_id, []).append((compound_id, subdistrict_id, subdistrict_name))
    for r in rows:
        mine = members.get(r["pk"], [])
        info = ProjectInfo(
            row=ProjectRow(
                id=r["pk"],
                year=r["year"],
                stage=r["stage"],
                zone_id=r["zone_id"],
                compounds=tuple(counts[c] for c, _, _ in mine),
                works_started_on=started.get(r["pk"]),
                completed_on=completed.get(r["pk"]),
                planned_investment=r["planned_total"],
                disbursed_investment=r["disbursed_total"],
                outputs=outputs.get(r["pk"], {}),
            ),
            code=r["code"],
            name=r["name"],
            zone_name=r["zone__name"] or "",
            light=r["light"],
            light_reason=r["light_reason"],
            progress=r["progress_percent"],
        )
        for compound_id, subdistrict_id, subdistrict_name in mine:
            info.subdistricts[subdistrict_id] = subdistrict_name
            info.compounds_by_subdistrict.setdefault(subdistrict_id, set()).add(compound_id)
        infos[r["pk"]] = info

    items = (
        SupervisionItem.objects.filter(project__in=ids, status=SupervisionStatus.OPEN)
        .select_related("assignee")
        .order_by("due_on", "pk")
    )
    for item in items:
        user_obj = item.assignee
        who = "" if user_obj is None else (user_obj.get_full_name() or user_obj.get_username())
        infos[item.project_id].open_items.append(
            OpenItem(
                project_id=item.project_id,
                description=item.description,
                level=item.level,
                level_label=str(item.get_level_display()),
                assignee=who,
                due_on=item.due_on,
            )
        )
    problems = (
        ProgressProblem.objects.filter(project__in=ids, resolved_on__isnull=True)
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    for project_id, n in problems:
        infos[project_id].open_problems = n
    acceptances = (
        AcceptanceRecord.objects.filter(project__in=ids, accepted_on__lte=period_end)
        .order_by("accepted_on", "pk")
        .values_list("project_id", "satisfaction_percent")
    )
    for project_id, satisfaction in acceptances:  # the latest counts
        infos[project_id].satisfaction = satisfaction
    return Snapshot(
        period_start=period_start,
        period_end=period_end,
        projects=list(infos.values()),
        indicator_codes=[code for code, _, _ in indicators],
        indicator_names={code: (name, unit) for code, name, unit in indicators},
    )
