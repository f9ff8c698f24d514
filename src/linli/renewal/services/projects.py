"""Project writes: creating and editing projects, their items, funding, stage plans,
and the residents' decision and acceptance records."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import File
from django.db import transaction

from linli.registry.models import Compound, RenovationStatus, Zone
from linli.renewal.gates import ORDER, Stage
from linli.renewal.models import (
    AcceptanceRecord,
    CatalogueItem,
    DecisionOutcome,
    DecisionRecord,
    FundingLine,
    Project,
    ProjectItem,
    StageRecord,
    Transition,
)
from linli.renewal.services.common import (
    PLANNING,
    enter_dates,
    mark_compounds,
    now,
    refuse,
    require_stage,
)
from linli.renewal.services.progress import derive_project_progress

if TYPE_CHECKING:
    from linli.consultation.models import DemandEntry, Vote

# --- Projects --------------------------------------------------------------------------------


def _zone_of(compounds: Sequence[Compound]) -> Zone | None:
    if not compounds:
        raise refuse("compounds", "请至少选择一个小区", "choose at least one compound", "required")
    zones = {c.zone_id for c in compounds}
    if len(compounds) > 1 and (None in zones or len(zones) > 1):
        raise refuse(
            "compounds",
            "组团连片项目的小区须属于同一片区",
            "the compounds of a clustered project must all belong to one zone",
            "zones_differ",
        )
    return compounds[0].zone


def create_project(
    *,
    code: str,
    name: str,
    year: int,
    compounds: Sequence[Compound],
    by: Any = None,
    batch: int = 1,
    **details: Any,
) -> Project:
    """A new project at the application stage, with a stage record for every stage.

    ``details`` are other Project fields (firms, responsible people, after-care owner,
    satisfaction threshold, notes). The zone follows from the compounds, which must share one
    zone when there are several (clustered renovation, 组团连片). The compounds are marked as
    planned in the registry.
    """
    with transaction.atomic():
        compounds = list(compounds)
        project = Project(
            code=code, name=name, year=year, batch=batch, zone=_zone_of(compounds), **details
        )
        project.full_clean()
        project.save()
        project.compounds.set(compounds)
        StageRecord.objects.bulk_create(StageRecord(project=project, stage=s) for s in ORDER)
        Transition.objects.create(
            project=project,
            from_stage="",
            to_stage=Stage.APPLICATION,
            by=by,
            reason="创建项目",
            at=now(),
        )
        enter_dates(project, Stage.APPLICATION)
        mark_compounds(project, RenovationStatus.PLANNED)
        return project


def update_project(
    *, project: Project, by: Any = None, compounds: Sequence[Compound] | None = None, **fields: Any
) -> Project:
    """Change a project's facts; its compounds only while it is still being planned."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(project, name, value)
        if compounds is not None:
            compounds = list(compounds)
            current = set(project.compounds.values_list("pk", flat=True))
            if {c.pk for c in compounds} != current:
                require_stage(project, PLANNING, "调整项目小区", "compounds can change")
                project.zone = _zone_of(compounds)
        project.full_clean()
        project.save()
        if compounds is not None:
            project.compounds.set(compounds)
            mark_compounds(project, RenovationStatus.PLANNED)
        return project


def add_item(
    *,
    project: Project,
    item: CatalogueItem,
    quantity: Decimal,
    budget: Decimal = Decimal("0.00"),
    output_quantity: Decimal | None = None,
    note: str = "",
    demand: DemandEntry | None = None,
    by: Any = None,
) -> ProjectItem:
    """Add a catalogue item to a project being planned (application or design).

    When the item feeds an indicator counted in the item's own unit, the output quantity
    defaults to the quantity. ``demand`` links the residents' order (居民点单) the item was
    adopted from (see ``services.demand.adopt_demand``).
    """
    with transaction.atomic():
        require_stage(project, PLANNING, "增加改造内容", "items can be added")
        if not item.active:
            raise refuse("item", "该改造内容已停用", "this catalogue item is retired", "inactive")
        indicator = item.indicator
        if output_quantity is None and indicator is not None and indicator.unit == item.unit:
            output_quantity = quantity
        row = ProjectItem(
            project=project,
            item=item,
            quantity=quantity,
            budget=budget,
            output_quantity=output_quantity,
            note=note,
            demand=demand,
        )
        row.full_clean()
        row.save()
        return row


def update_item(*, project_item: ProjectItem, by: Any = None, **fields: Any) -> ProjectItem:
    """Change an item's quantity, budget, output or note (until handover); its catalogue
    item only while the project is being planned."""
    with transaction.atomic():
        project = project_item.project
        if project.stage == Stage.HANDED_OVER:
            raise refuse(
                None, "项目已移交,不能修改", "the project has been handed over", "wrong_stage"
            )
        if "item" in fields and fields["item"].pk != project_item.item_id:
            require_stage(project, PLANNING, "更换改造内容", "items can be replaced")
        for name, value in fields.items():
            setattr(project_item, name, value)
        project_item.full_clean()
        project_item.save()
        if "budget" in fields:
            # Budgets weigh the items' progress: the project's percentage moves with them.
            derive_project_progress(project)
        return project_item


def remove_item(*, project_item: ProjectItem, by: Any = None) -> None:
    """Remove an item from a project being planned."""
    with transaction.atomic():
        require_stage(project_item.project, PLANNING, "删除改造内容", "items can be removed")
        project_item.delete()


def set_funding(
    *,
    project: Project,
    source: str,
    planned: Decimal,
    allocated: Decimal = Decimal("0.00"),
    disbursed: Decimal = Decimal("0.00"),
    note: str = "",
    by: Any = None,
) -> FundingLine:
    """Create or update the project's funding line for ``source``.

    Allocated may not exceed planned, nor disbursed allocated: to allocate more, raise the plan
    first (the audit trail keeps both changes).
    """
    with transaction.atomic():
        line = FundingLine.objects.filter(project=project, source=source).first()
        if line is None:
            line = FundingLine(project=project, source=source)
        line.planned, line.allocated, line.disbursed, line.note = (
            planned,
            allocated,
            disbursed,
            note,
        )
        line.full_clean()
        line.save()
        return line


def plan_stage(
    *,
    record: StageRecord,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    by: Any = None,
) -> StageRecord:
    """Set a stage's planned dates (actual dates follow the transitions)."""
    with transaction.atomic():
        record.planned_start, record.planned_end = planned_start, planned_end
        record.full_clean()
        record.save(update_fields=["planned_start", "planned_end"])
        return record


# --- Residents' decision and acceptance --------------------------------------------------------


def record_decision(
    *,
    project: Project,
    decided_on: datetime.date,
    document: File | None = None,
    outcome: str = DecisionOutcome.APPROVED,
    approval_share: Decimal,
    summary: str = "",
    vote: Vote | None = None,
    by: Any = None,
) -> DecisionRecord:
    """Record the residents' decision on the plan, with its document or the owner vote it
    stands on (design or decision stage). The latest record is the one the joint-review gate
    reads."""
    with transaction.atomic():
        require_stage(
            project, [Stage.DESIGN, Stage.DECISION], "登记居民决策", "decisions are recorded"
        )
        record = DecisionRecord(
            project=project,
            decided_on=decided_on,
            outcome=outcome,
            approval_share=approval_share,
            summary=summary,
            document=document or "",
            vote=vote,
            recorded_by=by,
        )
        record.full_clean()
        record.save()
        return record


def record_acceptance(
    *,
    project: Project,
    accepted_on: datetime.date,
    satisfaction_percent: Decimal,
    document: File,
    notes: str = "",
    by: Any = None,
) -> AcceptanceRecord:
    """Record the joint acceptance of completed works (completed stage); the latest record's
    satisfaction is what the acceptance gate compares with the threshold."""
    with transaction.atomic():
        require_stage(project, [Stage.COMPLETED], "登记联合验收", "acceptance is recorded")
        record = AcceptanceRecord(
            project=project,
            accepted_on=accepted_on,
            satisfaction_percent=satisfaction_percent,
            document=document,
            notes=notes,
            recorded_by=by,
        )
        record.full_clean()
        record.save()
        return record
