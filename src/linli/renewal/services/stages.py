"""Stage transitions through the gates, and the joint review: rounds of sign-offs, decisions,
and who may give them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from linli.core.scoping import scope_for, scoped
from linli.core.workdays import add_workdays
from linli.registry.models import RenovationStatus
from linli.renewal import gates
from linli.renewal.gates import ORDER, Stage
from linli.renewal.joint_review import ItemFact, Requirement, RuleFact, required_reviews
from linli.renewal.models import (
    DecisionOutcome,
    Project,
    Review,
    ReviewRule,
    ReviewStatus,
    StageRecord,
    Transition,
)
from linli.renewal.services.common import (
    APPROVE,
    REJECT,
    enter_dates,
    mark_compounds,
    now,
    refuse,
    today,
)

# --- Gates and transitions --------------------------------------------------------------------


def required_departments(project: Project) -> list[Requirement]:
    """The departments the review rules require for the project's current items."""
    items = [
        ItemFact(row.item_id, row.item.name, row.item.category)
        for row in project.items.select_related("item")
    ]
    if not items:
        return []
    item_ids = [i.item_id for i in items]
    categories = sorted({i.category for i in items})
    rules = ReviewRule.objects.filter(
        Q(applies_to="all")
        | Q(applies_to="item", item_id__in=item_ids)
        | Q(applies_to="category", category__in=categories)
    ).order_by("pk")
    facts = [
        RuleFact(
            department_id=r.department_id,
            workdays=r.workdays,
            applies_to=r.applies_to,
            item_id=r.item_id,
            category=r.category,
            label="所有项目",
        )
        for r in rules
    ]
    return required_reviews(items, facts)


def project_facts(project: Project) -> gates.ProjectFacts:
    """Load what the gates need to judge ``project`` (a handful of queries)."""
    decision = project.decisions.order_by("-decided_on", "-pk").first()
    acceptance = project.acceptances.order_by("-accepted_on", "-pk").first()
    round_ = None
    if project.review_round:
        by_status: dict[str, list[str]] = {s: [] for s in ReviewStatus.values}
        current = project.reviews.filter(round=project.review_round).select_related("department")
        for review in current.order_by("department__name"):
            by_status[review.status].append(review.department.name)
        round_ = gates.ReviewRound(
            approved=tuple(by_status[ReviewStatus.APPROVED]),
            pending=tuple(by_status[ReviewStatus.PENDING]),
            rejected=tuple(by_status[ReviewStatus.REJECTED]),
        )
    reviewers = len(required_departments(project)) if project.stage == Stage.DECISION else 0
    return gates.ProjectFacts(
        stage=Stage(project.stage),
        item_count=project.items.count(),
        decision=None
        if decision is None
        else gates.DecisionFacts(
            approved=decision.outcome == DecisionOutcome.APPROVED,
            has_document=bool(decision.document) or decision.vote_id is not None,
        ),
        required_reviewers=reviewers,
        review_round=round_,
        has_construction_firm=project.construction_firm_id is not None,
        progress_percent=project.progress_percent,
        acceptance_satisfaction=None if acceptance is None else acceptance.satisfaction_percent,
        satisfaction_threshold=project.satisfaction_threshold,
        has_aftercare_owner=project.has_aftercare_owner,
    )


def _leave_dates(project: Project, stage: Stage) -> None:
    record = StageRecord.objects.get(project=project, stage=stage)
    record.project = project  # no second query for the audit trail's label
    record.actual_end = today()
    record.save(update_fields=["actual_end"])


def _return_dates(project: Project) -> None:
    """Back to design: the stages after it will be done again, so their actual dates go (the
    transitions log keeps the history)."""
    after = ORDER[ORDER.index(Stage.DESIGN) + 1 :]
    for record in StageRecord.objects.filter(project=project, stage__in=after):
        if record.actual_start or record.actual_end:
            record.actual_start = record.actual_end = None
            record.save(update_fields=["actual_start", "actual_end"])


def _open_round(project: Project, by: Any) -> list[Review]:
    project.review_round += 1
    requested_at = now()
    requested = today()
    reviews = []
    for requirement in required_departments(project):
        review = Review(
            project=project,
            round=project.review_round,
            department_id=requirement.department_id,
            reasons="、".join(requirement.reasons),
            workdays=requirement.workdays,
            requested_at=requested_at,
            due_on=add_workdays(requested, requirement.workdays),
        )
        review.save()
        reviews.append(review)
    return reviews


def _close_round(project: Project) -> None:
    for review in project.reviews.filter(round=project.review_round, status=ReviewStatus.PENDING):
        review.status = ReviewStatus.CLOSED
        review.save(update_fields=["status", "updated_at"])


def _move(project: Project, to: Stage, by: Any, reason: str) -> Transition:
    """Record the move and its consequences; the caller has checked the gates."""
    here = Stage(project.stage)
    backward = ORDER.index(to) < ORDER.index(here)
    if backward:
        if here == Stage.JOINT_REVIEW:
            _close_round(project)
        _return_dates(project)
    else:
        _leave_dates(project, here)
    enter_dates(project, to)
    if to == Stage.JOINT_REVIEW:
        _open_round(project, by)
    project.stage = to
    project.save(update_fields=["stage", "review_round", "updated_at"])
    if to == Stage.WORKS:
        mark_compounds(project, RenovationStatus.IN_PROGRESS)
    elif to == Stage.HANDED_OVER:
        mark_compounds(project, RenovationStatus.RENOVATED, year=today().year)
    return Transition.objects.create(
        project=project, from_stage=here, to_stage=to, by=by, reason=reason.strip(), at=now()
    )


def _locked(project: Project) -> Project:
    # Two clerks pressing "advance" at once must not both pass the gates on stale facts.
    return Project.objects.select_for_update().get(pk=project.pk)


def advance_stage(*, project: Project, to: str, by: Any = None, reason: str = "") -> Transition:
    """Move the project to stage ``to`` if every gate allows it; otherwise raise
    ``TransitionRefused`` naming each reason. Entering the joint review opens a review round
    (one sign-off per required department, due in working days)."""
    if to not in Stage.values:
        raise refuse("to", f"未知阶段“{to}”", f"unknown stage {to!r}", "invalid_choice")
    with transaction.atomic():
        current = _locked(project)
        gates.check(project_facts(current), to, reason=reason)
        transition = _move(current, Stage(to), by, reason)
        project.refresh_from_db()
        return transition


def request_joint_review(*, project: Project, by: Any = None, reason: str = "") -> list[Review]:
    """Start the joint review (联审联批): the project moves from the residents' decision to the
    joint review and each required department gets a sign-off to give."""
    with transaction.atomic():
        advance_stage(project=project, to=Stage.JOINT_REVIEW, by=by, reason=reason)
        return list(project.reviews.filter(round=project.review_round).select_related("department"))


# --- Joint review -------------------------------------------------------------------------------


def can_decide(user: Any, review: Review) -> bool:
    """Whether ``user`` may sign ``review``: a user of the reviewing department (with the
    change-review permission), or someone allowed to record sign-offs on departments' behalf
    (the district office, from a paper decision)."""
    change = scope_for(user, "renewal.change_review")
    if change.everything:
        return True
    if not scoped(Review, user, "renewal.change_review").filter(pk=review.pk).exists():
        return False
    if review.department_id in change.organisation_ids:
        return True
    return scoped(Review, user, "renewal.decide_for_department").filter(pk=review.pk).exists()


def decide_review(*, review: Review, decision: str, comments: str = "", by: Any) -> Review:
    """Approve or reject one department's sign-off of the current round.

    A rejection (comments required) closes the round: the other pending sign-offs are closed
    and the project returns to design, recorded as a transition by the rejecting user.
    """
    if decision not in (APPROVE, REJECT):
        raise refuse("decision", "审批结论须为同意或驳回", 'decision must be "approve" or "reject"')
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("department").get(pk=review.pk)
        project = _locked(review.project)
        if not can_decide(by, review):
            raise PermissionDenied(
                "只有该审批部门或区百城办可以登记此审批意见 "
                "(only the reviewing department or the district office may sign this review)"
            )
        if review.status != ReviewStatus.PENDING:
            raise refuse(
                None, "该审批已办结", "this review has already been decided or closed", "decided"
            )
        if project.stage != Stage.JOINT_REVIEW or review.round != project.review_round:
            raise refuse(
                None,
                "该审批不属于当前联审轮次",
                "this review is not part of the project's current joint-review round",
                "stale_round",
            )
        if decision == REJECT and not comments.strip():
            raise refuse("comments", "驳回须填写审批意见", "a rejection needs comments", "required")
        review.status = ReviewStatus.APPROVED if decision == APPROVE else ReviewStatus.REJECTED
        review.comments = comments.strip()
        review.decided_at = now()
        review.decided_by = by
        review.save()
        if decision == REJECT:
            _close_round(project)
            _move(
                project,
                Stage.DESIGN,
                by,
                f"联审驳回({review.department.name}):{review.comments} "
                f"(joint review rejected by {review.department.name})",
            )
        review.project = project
        return review
