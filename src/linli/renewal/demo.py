"""The demo renovation projects over the Xigong registry demo (``linli renewal demo``).

:mod:`linli.renewal.demo_plan` decides the projects (compounds, stage, dates, items, funding)
from the registry's facts without the ORM; :func:`build` carries each plan out through the
renewal services, each step "as of" its date (:func:`linli.renewal.services.as_of`), so every
gate is checked and the audit trail, transitions and stage dates are the ones a clerk would
have left. ``docs/demo.md`` describes the result and how the seed's figures add up.

Run it after ``linli demo build`` and ``linli demo accounts`` (the demo users sign joint
reviews and are the contacts of the projects in their patch); the review rules are seeded
here when missing (``seed_review_rules`` is idempotent).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from linli.core import audit
from linli.core.errors import Invalid
from linli.registry.demo_generate import DEFAULT_SEED
from linli.registry.models import (
    Compound,
    ManagementMode,
)
from linli.renewal import services
from linli.renewal.demo_plan import ProjectPlan, plan_projects
from linli.renewal.demo_world import World
from linli.renewal.gates import Stage
from linli.renewal.models import (
    AcceptanceRecord,
    DecisionOutcome,
    DecisionRecord,
    FundingLine,
    ProgressLine,
    Project,
    ProjectItem,
    Review,
    StageRecord,
    Transition,
)
from linli.renewal.seed import seed_review_rules

__all__ = [
    "DEFAULT_SEED",
    "DemoSummary",
    "build",
    "clear_projects",
    "content_hash",
    "projects_exist",
]

REJECTION = "管线迁改方案未附产权单位意见,请补充后重新报审"
PLACEHOLDER = (
    "演示数据占位文件:此处应为{what}的扫描件。\n"
    "Demo placeholder: the scanned {what_en} would be here.\n项目 (project): {code} {name}\n"
)


@dataclass(frozen=True)
class DemoSummary:
    """What the build left, counted back from the database."""

    projects: int
    by_stage: dict[str, int]
    clustered: int
    handed_over_compounds: int
    seconds: float


def projects_exist() -> bool:
    return Project.objects.exists()


def clear_projects() -> None:
    """Delete every renovation project (with its items, funding, stages and records)."""
    Project.objects.all().delete()


def build(
    *, seed: int = DEFAULT_SEED, as_of: datetime.date | None = None, reset: bool = False
) -> DemoSummary:
    """Plan the demo projects over the registry and carry them out, in one transaction.

    ``as_of`` (default today) is the day the demo stands on: projects under way are dated
    back from it. Refuses (:class:`Invalid`) when projects exist, unless ``reset``.
    """
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        if projects_exist():
            if not reset:
                raise Invalid(
                    "已有改造项目,未生成演示项目;如需清空后重建,请加 --reset",
                    "renovation projects exist, so the demo projects were not built; "
                    "use --reset to delete them and rebuild",
                    "projects_exist",
                )
            clear_projects()
        seed_review_rules(apps)
        world = World.load()
        plans = plan_projects(
            world.facts,
            seed=seed,
            as_of=as_of,
            firms=(len(world.design), len(world.construction), len(world.supervision)),
        )
        for plan in plans:
            _carry_out(world, plan, seed)
    return summarize(seconds=time.perf_counter() - started)


def summarize(*, seconds: float = 0.0) -> DemoSummary:
    through = Project.compounds.through.objects
    handed_over = through.filter(project__stage=Stage.HANDED_OVER)
    clustered = (
        Project.objects.annotate(n=Count("compounds")).filter(n__gt=1).count()  # type: ignore[misc]
    )
    return DemoSummary(
        projects=Project.objects.count(),
        by_stage=dict(Counter(Project.objects.values_list("stage", flat=True))),
        clustered=clustered,
        handed_over_compounds=handed_over.values("compound").distinct().count(),
        seconds=seconds,
    )


# --- carrying a plan out ----------------------------------------------------------------------


def _document(what: str, what_en: str, plan: ProjectPlan, kind: str) -> ContentFile:
    text = PLACEHOLDER.format(what=what, what_en=what_en, code=plan.code, name=plan.name)
    return ContentFile(text.encode(), name=f"demo-placeholder-{kind}-{plan.code}.txt")


def _aftercare(compound: Compound) -> dict[str, Any]:
    if compound.property_company_id and compound.management_mode == ManagementMode.PROFESSIONAL:
        return {"aftercare_owner": compound.property_company}
    community = compound.community.name
    if compound.management_mode == ManagementMode.SELF_MANAGED:
        return {"aftercare_owner_name": f"{compound.name}居民自治管理委员会"}
    return {"aftercare_owner_name": f"{community}居委会(托管)"}


def _carry_out(world: World, plan: ProjectPlan, seed: int) -> None:
    rng = random.Random(f"{seed}:{plan.code}")
    compounds = [world.compounds[c] for c in plan.compounds]
    first = compounds[0]
    entered = plan.entered
    by = world.district_user
    # A fresh audit memo per project: the trail's location (the project's first compound) is
    # unknown while the project is being created, and known from then on.
    with audit.nested_context(), services.as_of(entered[Stage.APPLICATION]):
        project = services.create_project(
            code=plan.code,
            name=plan.name,
            year=plan.year,
            batch=plan.batch,
            compounds=compounds,
            by=by,
            design_firm=world.design[plan.firms[0]],
            zone_lead=world.contact("zone", first.zone_id),
            subdistrict_contact=world.contact("subdistrict", first.community.subdistrict_id),
            community_contact=world.contact("community", first.community_id),
            district_contact=by,
            notes="演示数据 (demo data)",
        )
    with audit.nested_context():
        _carry_on(world, plan, project, rng)


def _carry_on(world: World, plan: ProjectPlan, project: Project, rng: random.Random) -> None:
    entered = plan.entered
    by = world.district_user
    first = world.compounds[plan.compounds[0]]
    with services.as_of(entered[Stage.APPLICATION]):
        for record in StageRecord.objects.filter(project=project).order_by("pk"):
            record.project = project
            start, end = plan.planned[Stage(record.stage)]
            services.plan_stage(record=record, planned_start=start, planned_end=end, by=by)
        rows = {}
        for item in plan.items:
            rows[item.code] = services.add_item(
                project=project,
                item=world.items[item.code],
                quantity=item.quantity,
                budget=item.budget,
                output_quantity=item.output,
                by=by,
            )
        # One write per line, with its amounts as they stand (funding lines carry no dates).
        for line in plan.funding:
            services.set_funding(
                project=project,
                source=line.source,
                planned=line.planned,
                allocated=line.allocated,
                disbursed=line.disbursed,
                by=by,
            )

    def move(stage: Stage, day: datetime.date, reason: str = "") -> None:
        with services.as_of(day):
            services.advance_stage(project=project, to=stage, by=by, reason=reason)

    if Stage.DESIGN in entered:
        move(Stage.DESIGN, entered[Stage.DESIGN])
    if plan.first_round:
        decision_on, review_on, rejected_on = plan.first_round
        move(Stage.DECISION, decision_on)
        _decide(world, plan, project, decision_on, plan.decision_share, approved=True)
        with services.as_of(review_on):
            services.request_joint_review(project=project, by=by)
        _sign(world, project, review_on, rejected_on, rng, reject_last=True)
    if Stage.DECISION in entered:
        move(Stage.DECISION, entered[Stage.DECISION])
    if plan.decision_on is not None:
        _decide(world, plan, project, plan.decision_on, plan.decision_share, plan.decision_approved)
    if Stage.JOINT_REVIEW in entered:
        requested = entered[Stage.JOINT_REVIEW]
        with services.as_of(requested):
            services.request_joint_review(project=project, by=by)
        if Stage.TENDER in entered:
            _sign(world, project, requested, entered[Stage.TENDER], rng)
        else:
            _sign_some(world, project, requested, plan, rng)
    if Stage.TENDER in entered:
        move(Stage.TENDER, entered[Stage.TENDER])
    if Stage.WORKS in entered:
        with services.as_of(entered[Stage.WORKS]):
            services.update_project(
                project=project,
                construction_firm=world.construction[plan.firms[1]],
                supervision_firm=world.supervision[plan.firms[2]],
                by=by,
            )
        move(Stage.WORKS, entered[Stage.WORKS])
        _progress(world, plan, project, rows, rng)
    if Stage.COMPLETED in entered:
        move(Stage.COMPLETED, entered[Stage.COMPLETED])
    for day, satisfaction in plan.acceptance:
        with services.as_of(day):
            services.record_acceptance(
                project=project,
                accepted_on=day,
                satisfaction_percent=satisfaction,
                document=_document("联合验收记录", "joint acceptance record", plan, "acceptance"),
                notes="住建、街道、社区、居民代表联合验收",
                by=by,
            )
    if Stage.ACCEPTANCE in entered:
        move(Stage.ACCEPTANCE, entered[Stage.ACCEPTANCE])
    if Stage.HANDED_OVER in entered:
        with services.as_of(entered[Stage.HANDED_OVER]):
            services.update_project(project=project, by=by, **_aftercare(first))
        move(Stage.HANDED_OVER, entered[Stage.HANDED_OVER])


def _decide(
    world: World,
    plan: ProjectPlan,
    project: Project,
    day: datetime.date,
    share: Decimal,
    approved: bool,
) -> None:
    with services.as_of(day):
        services.record_decision(
            project=project,
            decided_on=day,
            document=_document("业主表决结果", "owners' vote", plan, "decision"),
            outcome=DecisionOutcome.APPROVED if approved else DecisionOutcome.REJECTED,
            approval_share=share,
            summary="业主大会表决改造方案" if approved else "改造方案未获通过,修改后重新表决",
            by=world.district_user,
        )


def _signer(world: World, review: Review) -> Any:
    """The department's own demo user when it has one, else the district office (which
    records paper sign-offs on departments' behalf)."""
    own = world.department_user
    if own is not None and review.department_id == world.department_org:
        return own
    return world.district_user


def _current_reviews(project: Project) -> list[Review]:
    return list(
        project.reviews.filter(round=project.review_round)
        .select_related("department")
        .order_by("department__name")
    )


def _sign(
    world: World,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    rng: random.Random,
    reject_last: bool = False,
) -> None:
    """Every department signs between ``start`` and ``end`` (the last rejects, if asked)."""
    reviews = _current_reviews(project)
    span = max((end - start).days - 1, 0)
    days = sorted(start + datetime.timedelta(days=rng.randint(0, span)) for _ in reviews)
    for i, (review, day) in enumerate(zip(reviews, days, strict=True)):
        reject = reject_last and i == len(reviews) - 1
        with services.as_of(end if reject else day):
            services.decide_review(
                review=review,
                decision=services.REJECT if reject else services.APPROVE,
                comments=REJECTION if reject else "同意",
                by=_signer(world, review),
            )


def _sign_some(
    world: World, project: Project, start: datetime.date, plan: ProjectPlan, rng: random.Random
) -> None:
    """A round still open: some departments have signed, at least one has not."""
    reviews = _current_reviews(project)
    waiting = max(1, len(reviews) // 2 if plan.review_mode == "overdue" else len(reviews) - 1)
    today = max(plan.entered.values())
    for review in reviews[: len(reviews) - waiting]:
        span = max((today - start).days, 0)
        day = start + datetime.timedelta(days=rng.randint(0, min(span, 5)))
        with services.as_of(day):
            services.decide_review(
                review=review, decision=services.APPROVE, comments="同意", by=_signer(world, review)
            )


def _progress(
    world: World,
    plan: ProjectPlan,
    project: Project,
    rows: dict[str, ProjectItem],
    rng: random.Random,
) -> None:
    """The works' progress reports: each item near the plan's percentage (never lower than
    it was: no corrections in the demo), all at 100% in the last report before completion;
    a project behind its plan has an open problem raised with its last report."""
    reached = {pk: Decimal(0) for pk in (row.pk for row in rows.values())}
    report = None
    for number, (day, percent) in enumerate(plan.progress, start=1):
        for pk in reached:
            if percent >= 100:
                reached[pk] = Decimal(100)
            else:
                near = min(Decimal(99), max(Decimal(0), percent + rng.randint(-8, 8)))
                reached[pk] = max(reached[pk], near)
        with services.as_of(day):
            report = services.record_progress_report(
                project=project,
                reported_on=day,
                percents=dict(reached),
                summary=f"第{number}次进度填报(演示数据)",
                by=world.district_user,
            )
    if report is not None and plan.late_days and plan.stage == Stage.WORKS:
        with services.as_of(plan.progress[-1][0]):
            services.raise_problem(
                project=project,
                description="管线迁改滞后,影响道路和绿化施工",
                raised_on=plan.progress[-1][0],
                report=report,
                by=world.district_user,
            )


# --- proving two builds equal -----------------------------------------------------------------

HASHED: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (
        Project,
        (
            "code",
            "name",
            "year",
            "batch",
            "zone__code",
            "stage",
            "design_firm__name",
            "construction_firm__name",
            "supervision_firm__name",
            "zone_lead__username",
            "subdistrict_contact__username",
            "community_contact__username",
            "district_contact__username",
            "aftercare_owner__name",
            "aftercare_owner_name",
            "progress_percent",
            "review_round",
        ),
    ),
    (Project.compounds.through, ("project__code", "compound__code")),
    (ProjectItem, ("project__code", "item__code", "quantity", "budget", "output_quantity")),
    (FundingLine, ("project__code", "source", "planned", "allocated", "disbursed")),
    (
        StageRecord,
        ("project__code", "stage", "planned_start", "planned_end", "actual_start", "actual_end"),
    ),
    (Transition, ("project__code", "from_stage", "to_stage", "by__username", "at", "reason")),
    (DecisionRecord, ("project__code", "decided_on", "outcome", "approval_share")),
    (
        Review,
        (
            "project__code",
            "round",
            "department__name",
            "status",
            "requested_at",
            "due_on",
            "decided_at",
            "decided_by__username",
        ),
    ),
    (AcceptanceRecord, ("project__code", "accepted_on", "satisfaction_percent")),
    (ProgressLine, ("report__project__code", "report__reported_on", "project_item__item__code")),
)


def content_hash() -> str:
    """SHA-256 over the business fields of every project row (no ids, no timestamps of
    writing, no file names), sorted: equal for two builds of the same seed and day."""
    digest = hashlib.sha256()
    for model, fields in HASHED:
        digest.update(f"#{model._meta.label}\n".encode())
        rows = model._default_manager.order_by().values_list(*fields)
        for line in sorted("\x1f".join("\x00" if v is None else str(v) for v in r) for r in rows):
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()
