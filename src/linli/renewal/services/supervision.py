"""Supervision (督办) writes: the periodic check that stores each project's light and keeps
the supervision items in step with the overdue milestones, and the manual close of an item.

The rules are the pure engine :mod:`linli.renewal.supervision`; this module loads the facts
(a fixed number of queries, however many projects), calls it and stores the results. Only
projects whose light or reason changed are saved, so the audit trail records real changes;
the check date of every checked project is set in one ``UPDATE``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet

from linli.core import audit
from linli.core.scoping import scoped
from linli.renewal import supervision as rules
from linli.renewal.gates import Stage
from linli.renewal.models import (
    ProgressProblem,
    Project,
    Review,
    StageRecord,
    SupervisionItem,
    SupervisionStatus,
)
from linli.renewal.services.common import refuse
from linli.renewal.services.common import today as service_today

AUTO_DONE = "节点已完成,自动办结 (milestone done; closed automatically)"
AUTO_REPLANNED = (
    "计划已调整,不再逾期,自动办结 (re-planned, no longer overdue; closed automatically)"
)
#: Permission to close any item in scope (the district office); assignees close their own.
RESOLVE_PERMISSION = "renewal.change_supervisionitem"

_PROJECT_FIELDS = (
    "pk",
    "name",
    "stage",
    "progress_percent",
    "light",
    "light_reason",
    "light_checked_on",
    "updated_at",
    *(f"{name}_id" for name in rules.CONTACT_FIELDS.values()),
)


@dataclass
class CheckSummary:
    """What one run of the check did."""

    day: datetime.date
    projects: int = 0
    lights: Counter[str] = field(default_factory=Counter)
    lights_changed: int = 0
    opened: int = 0
    escalated: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return (
            f"{self.day.isoformat()}: 项目 projects {self.projects} "
            f"(红 red {self.lights[rules.Light.RED]}, 黄 yellow {self.lights[rules.Light.YELLOW]}, "
            f"绿 green {self.lights[rules.Light.GREEN]}); 状态变化 changed {self.lights_changed}; "
            f"新督办 opened {self.opened}; 升级 escalated {self.escalated}; "
            f"办结 resolved {self.resolved}"
        )


# --- Loading the facts ------------------------------------------------------------------------


def projects_to_check() -> QuerySet[Project]:
    """Every project not handed over, and handed-over ones that still show a light or have
    open items (the handover clears them)."""
    with_open_items = SupervisionItem.objects.filter(status=SupervisionStatus.OPEN).values(
        "project_id"
    )
    return Project.objects.filter(
        ~Q(stage=Stage.HANDED_OVER) | ~Q(light=rules.Light.GREEN) | Q(pk__in=with_open_items)
    )


def load_facts(
    projects: QuerySet[Project], today: datetime.date, *, lock: bool = False
) -> tuple[list[Project], dict[int, rules.ScheduleFacts]]:
    """The projects of ``projects`` and each one's facts, in four queries. ``lock`` (inside a
    transaction) holds the project rows until it ends, so a transition waits for the check
    and the check never opens an item twice alongside a concurrent one."""
    rows_query = projects.only(*_PROJECT_FIELDS).order_by("pk")
    rows = list(rows_query.select_for_update(of=("self",)) if lock else rows_query)
    ids = projects.values("pk")
    stages: dict[int, list[rules.StagePlan]] = defaultdict(list)
    for record in StageRecord.objects.filter(project__in=ids).order_by("pk"):
        stages[record.project_id].append(
            rules.StagePlan(
                stage=record.stage,
                planned_start=record.planned_start,
                planned_end=record.planned_end,
                actual_end=record.actual_end,
            )
        )
    reviews: dict[int, list[rules.PendingReview]] = defaultdict(list)
    overdue = Review.objects.overdue(today).filter(project__in=ids).select_related("department")
    for review in overdue.order_by("pk"):
        reviews[review.project_id].append(
            rules.PendingReview(
                pk=review.pk, department=review.department.name, due_on=review.due_on
            )
        )
    problems: dict[int, list[rules.OpenProblem]] = defaultdict(list)
    cutoff = today - datetime.timedelta(days=rules.PROBLEM_DAYS_TO_RESOLVE)
    stale = ProgressProblem.objects.filter(
        project__in=ids, resolved_on__isnull=True, raised_on__lt=cutoff
    )
    for problem in stale.only("pk", "project_id", "raised_on", "description").order_by("pk"):
        problems[problem.project_id].append(
            rules.OpenProblem(
                pk=problem.pk, raised_on=problem.raised_on, description=problem.description
            )
        )
    facts = {
        p.pk: rules.ScheduleFacts(
            stage=p.stage,
            progress_percent=p.progress_percent,
            stages=tuple(stages[p.pk]),
            reviews=tuple(reviews[p.pk]),
            problems=tuple(problems[p.pk]),
        )
        for p in rows
    }
    return rows, facts


def assess_project(project: Project, today: datetime.date | None = None) -> rules.Assessment:
    """The live assessment of one project (read-only: nothing is stored)."""
    day = today or service_today()
    _, facts = load_facts(Project.objects.filter(pk=project.pk), day)
    return rules.assess(facts[project.pk], day)


def _contacts(project: Project) -> dict[str, int | None]:
    return {level: getattr(project, f"{name}_id") for level, name in rules.CONTACT_FIELDS.items()}


# --- Storing the results ------------------------------------------------------------------------


def _store_light(project: Project, assessment: rules.Assessment, summary: CheckSummary) -> None:
    reason = assessment.summary()
    if project.light != assessment.light or project.light_reason != reason:
        project.light, project.light_reason = assessment.light, reason
        project.save(update_fields=["light", "light_reason", "updated_at"])
        summary.lights_changed += 1


def _auto_resolution(item: SupervisionItem, facts: rules.ScheduleFacts) -> str:
    """Done, or re-planned so that it is no longer overdue (stage items only can be)."""
    if item.kind != "stage" or facts.stage == Stage.HANDED_OVER:
        return AUTO_DONE
    plan = next((p for p in facts.stages if p.stage == item.stage), None)
    unfinished = (
        plan is not None
        and plan.actual_end is None
        and rules.STAGES.index(item.stage) >= rules.STAGES.index(facts.stage)
    )
    return AUTO_REPLANNED if unfinished else AUTO_DONE


def _sync_items(
    project: Project,
    facts: rules.ScheduleFacts,
    assessment: rules.Assessment,
    items: list[SupervisionItem],
    day: datetime.date,
    summary: CheckSummary,
) -> None:
    contacts = _contacts(project)
    open_by_key = {item.key: item for item in items}
    for ms in assessment.milestones:
        item = open_by_key.pop(ms.key, None)
        if item is None:
            level, assignee = rules.assign(days_late=ms.days_late, contacts=contacts, kind=ms.kind)
            item = SupervisionItem(
                project=project,
                kind=ms.kind,
                key=ms.key,
                stage=ms.stage,
                description=ms.description[:255],
                due_on=ms.due_on,
                opened_on=day,
                level=level,
                assignee_id=assignee,
            )
            item.full_clean()
            item.save()
            summary.opened += 1
            continue
        level, assignee = rules.assign(
            days_late=ms.days_late, contacts=contacts, kind=ms.kind, floor=item.level
        )
        changed = {
            "level": level,
            "assignee_id": assignee,
            "due_on": ms.due_on,
            "description": ms.description[:255],
        }
        if any(getattr(item, name) != value for name, value in changed.items()):
            if level != item.level:
                summary.escalated += 1
            for name, value in changed.items():
                setattr(item, name, value)
            item.save(update_fields=[*changed, "updated_at"])
    for item in open_by_key.values():
        item.status = SupervisionStatus.RESOLVED
        item.resolved_on = day
        item.resolution = _auto_resolution(item, facts)
        item.resolved_by = None
        item.save(
            update_fields=["status", "resolved_on", "resolution", "resolved_by", "updated_at"]
        )
        summary.resolved += 1


def _check(projects: QuerySet[Project], day: datetime.date) -> tuple[CheckSummary, dict[int, Any]]:
    # A context of its own, so the audit trail places each project's rows once (memo).
    with audit.nested_context():
        return _check_in_context(projects, day)


def _check_in_context(
    projects: QuerySet[Project], day: datetime.date
) -> tuple[CheckSummary, dict[int, Any]]:
    summary = CheckSummary(day=day)
    rows, facts = load_facts(projects, day, lock=True)
    open_items: dict[int, list[SupervisionItem]] = defaultdict(list)
    for item in SupervisionItem.objects.filter(
        project__in=projects.values("pk"), status=SupervisionStatus.OPEN
    ).order_by("pk"):
        open_items[item.project_id].append(item)
    assessments = {}
    for project in rows:
        assessment = rules.assess(facts[project.pk], day)
        assessments[project.pk] = assessment
        _store_light(project, assessment, summary)
        _sync_items(project, facts[project.pk], assessment, open_items[project.pk], day, summary)
        summary.lights[assessment.light] += 1
    summary.projects = len(rows)
    # The check date is bookkeeping, not a change of the project: one UPDATE, no audit event.
    Project.objects.filter(pk__in=projects.values("pk")).exclude(light_checked_on=day).update(
        light_checked_on=day
    )
    return summary, assessments


def run_supervision_check(*, today: datetime.date | None = None) -> CheckSummary:
    """Check every project not handed over (and clear handed-over ones): store its light,
    open one item per overdue milestone, escalate items as days pass, close items whose
    milestone is done. Safe to run more than once a day: nothing is duplicated."""
    day = today or service_today()
    with transaction.atomic():
        summary, _ = _check(projects_to_check(), day)
        return summary


def refresh_light(*, project: Project, today: datetime.date | None = None) -> rules.Assessment:
    """Run the check for one project now (after a transition or a plan change), so its light
    and items do not wait for the next morning's run."""
    day = today or service_today()
    with transaction.atomic():
        _, assessments = _check(Project.objects.filter(pk=project.pk), day)
    fresh = Project.objects.only("light", "light_reason", "light_checked_on").get(pk=project.pk)
    project.light, project.light_reason = fresh.light, fresh.light_reason
    project.light_checked_on = fresh.light_checked_on
    return assessments[project.pk]


# --- Manual close ----------------------------------------------------------------------------


def can_resolve(user: Any, item: SupervisionItem) -> bool:
    """The item's assignee, or a user allowed to change supervision items in the project's
    scope (the district office)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if item.assignee_id is not None and item.assignee_id == user.pk:
        return True
    return scoped(SupervisionItem, user, RESOLVE_PERMISSION).filter(pk=item.pk).exists()


def resolve_item(
    *,
    item: SupervisionItem,
    resolution: str,
    by: Any,
    today: datetime.date | None = None,
) -> SupervisionItem:
    """Close an item by hand with how it was handled (办结情况).

    Only once the milestone is no longer overdue (the stage finished or re-planned, the
    sign-off given, the problem resolved): an item cannot be closed by declaration while the
    facts still say overdue, or the next check would open it again at the bottom of the chain
    and the escalation would start over."""
    day = today or service_today()
    with transaction.atomic():
        item = SupervisionItem.objects.select_for_update().get(pk=item.pk)
        if not can_resolve(by, item):
            raise PermissionDenied
        if item.status != SupervisionStatus.OPEN:
            raise refuse(None, "该督办事项已办结", "the item is already closed", code="closed")
        if not resolution.strip():
            raise refuse(
                "resolution", "请填写办结情况", "say how the item was handled", code="required"
            )
        assessment = assess_project(item.project, day)
        if any(ms.key == item.key for ms in assessment.milestones):
            raise refuse(
                None,
                "该节点仍然逾期,不能办结:请先完成该节点,或由区百城办调整计划日期",
                "the milestone is still overdue: finish it, or have the district office "
                "re-plan it first",
                code="still_overdue",
            )
        item.status = SupervisionStatus.RESOLVED
        item.resolved_on = day
        item.resolution = resolution.strip()
        item.resolved_by = by
        item.full_clean()
        item.save()
        return item
