"""The residents decide the plan: a project adopts items from its compounds' demand rankings
(居民点单), and an owner vote of the consultation app becomes the residents' decision record.

Both go through the project services (``add_item``, ``record_decision``) so the stage rules
hold; what is added here is the link to the consultation records and the reasons an adoption
or a vote is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from linli.consultation.models import DemandEntry, Vote, VoteStatus
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.renewal.gates import Refusal
from linli.renewal.models import (
    CatalogueItem,
    DecisionOutcome,
    DecisionRecord,
    Project,
    ProjectItem,
)
from linli.renewal.services.common import PLANNING, require_stage
from linli.renewal.services.projects import add_item, record_decision

#: Where an adopted item starts: one unit, no budget yet (the design fills them in).
START_QUANTITY = Decimal("1")
START_BUDGET = Decimal("0.00")


class AdoptionRefused(Invalid):
    """Adopting demand entries breaks one or more rules; ``refusals`` names each entry."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        refusals = tuple(refusals)
        super().__init__(
            ";".join(r.zh for r in refusals),
            "; ".join(r.en for r in refusals),
            code=refusals[0].code,
        )
        self.refusals = refusals


def demand_note(entry: DemandEntry) -> str:
    """The note an adopted item carries: the entry's rank and how many households asked."""
    return f"居民点单第{entry.rank}名({entry.households}户点单)"


def _require(user: Any, permission: str, project: Project) -> None:
    if user is None or not scoped(Project, user, permission).filter(pk=project.pk).exists():
        raise PermissionDenied("您没有修改该项目的权限 (you may not change this project)")


def _stage_refusal(project: Project, what_zh: str, what_en: str, allowed: Any) -> Refusal | None:
    try:
        require_stage(project, allowed, what_zh, what_en)
    except ValidationError as exc:
        message = exc.messages[0]
        zh, _, en = message.partition(" (")
        return Refusal("wrong_stage", zh, en.removesuffix(")"))
    return None


def adopt_demand(*, project: Project, entries: Sequence[DemandEntry], by: Any) -> list[ProjectItem]:
    """Add a project item for each chosen demand entry, linked to it (``demand``).

    Each entry must name an active catalogue item, belong to a ranking of one of the project's
    compounds, and its item must not be on the project yet (nor chosen twice). An item starts
    at quantity 1 and budget 0 with the note "居民点单第N名(M户点单)". Only while the project
    is being planned (application, design), and only with ``renewal.add_projectitem`` over the
    project. All or nothing: any refusal raises :class:`AdoptionRefused` listing every reason.
    """
    with transaction.atomic():
        _require(by, "renewal.add_projectitem", project)
        entries = list(entries)
        refusals: list[Refusal] = []
        if not entries:
            refusals.append(
                Refusal(
                    "no_entries", "请选择要采纳的点单需求", "choose the demand entries to adopt"
                )
            )
        stage = _stage_refusal(project, "采纳居民点单", "demand can be adopted", PLANNING)
        if stage is not None:
            refusals.append(stage)
        compounds = set(project.compounds.values_list("pk", flat=True))
        codes = {e.menu_code for e in entries}
        catalogue = {i.code: i for i in CatalogueItem.objects.filter(code__in=codes)}
        on_project = set(project.items.values_list("item__code", flat=True))
        chosen: set[str] = set()
        plan: list[tuple[DemandEntry, CatalogueItem]] = []
        for entry in entries:
            name = f"{entry.rank}. {entry.label}({entry.menu_code})"
            item = catalogue.get(entry.menu_code)
            if entry.ranking.compound_id not in compounds:
                refusals.append(
                    Refusal(
                        "other_compound",
                        f"点单需求“{name}”不属于本项目的小区",
                        f"demand entry {name} belongs to a compound outside the project",
                    )
                )
            elif item is None:
                refusals.append(
                    Refusal(
                        "unknown_item",
                        f"点单需求“{name}”对应的改造内容不在改造内容库中",
                        f"demand entry {name} names no catalogue item",
                    )
                )
            elif not item.active:
                refusals.append(
                    Refusal(
                        "inactive",
                        f"点单需求“{name}”对应的改造内容已停用",
                        f"demand entry {name} names a retired catalogue item",
                    )
                )
            elif item.code in on_project:
                refusals.append(
                    Refusal(
                        "already_on_project",
                        f"点单需求“{name}”对应的改造内容已在项目中",
                        f"demand entry {name}: the item is already on the project",
                    )
                )
            elif item.code in chosen:
                refusals.append(
                    Refusal(
                        "chosen_twice",
                        f"点单需求“{name}”对应的改造内容已选择了一次",
                        f"demand entry {name}: the same item is chosen twice",
                    )
                )
            else:
                chosen.add(item.code)
                plan.append((entry, item))
        if refusals:
            raise AdoptionRefused(refusals)
        rows = []
        for entry, item in plan:
            rows.append(
                add_item(
                    project=project,
                    item=item,
                    quantity=START_QUANTITY,
                    budget=START_BUDGET,
                    note=demand_note(entry),
                    demand=entry,
                    by=by,
                )
            )
        return rows


def _approval_share(vote: Vote) -> Decimal:
    """The approval area ratio of the stored result, as a percentage with 2 places."""
    ratio = ((vote.result or {}).get("approval") or {}).get("area_ratio")
    try:
        value = Decimal(str(ratio)) if ratio is not None else Decimal(0)
    except InvalidOperation:
        value = Decimal(0)
    return (value * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def record_vote_decision(*, project: Project, vote: Vote, by: Any) -> DecisionRecord:
    """Record a final owner vote of one of the project's compounds as the residents' decision.

    The record links the vote (no document needed), is dated the day the vote closed, approves
    the plan when the vote passed, and carries the approval share by area (× 100, 2 places).
    The stage rule of :func:`record_decision` holds (design or decision stage); the permission
    is ``renewal.add_decisionrecord`` over the project. A vote is recorded once per project.
    """
    with transaction.atomic():
        _require(by, "renewal.add_decisionrecord", project)
        label = f"“{vote.title}”"
        if vote.status != VoteStatus.FINAL or vote.closed_at is None:
            raise Invalid(
                f"业主表决{label}尚未生效(公示期结束后才能作为居民决策)",
                f"the owner vote {vote.title!r} is not final yet (after its public notice)",
                "vote_not_final",
            )
        if not project.compounds.filter(pk=vote.compound_id).exists():
            raise Invalid(
                f"业主表决{label}不属于本项目的小区",
                f"the owner vote {vote.title!r} is of a compound outside the project",
                "other_compound",
            )
        if project.decisions.filter(vote=vote).exists():
            raise Invalid(
                f"业主表决{label}已登记为本项目的居民决策",
                f"the owner vote {vote.title!r} is already recorded for this project",
                "already_recorded",
            )
        summary = f"业主表决:{vote.title}({vote.get_matter_display()})"
        return record_decision(
            project=project,
            decided_on=timezone.localdate(vote.closed_at),
            outcome=DecisionOutcome.APPROVED if vote.passed else DecisionOutcome.REJECTED,
            approval_share=_approval_share(vote),
            summary=summary,
            vote=vote,
            by=by,
        )
