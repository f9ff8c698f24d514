"""Helpers shared by the renewal services: stage checks, bilingual errors, dates, and the
registry status of a project's compounds."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from linli.registry.models import RenovationStatus
from linli.renewal.gates import Stage
from linli.renewal.models import (
    Project,
    StageRecord,
)

#: Stages in which the plan (compounds, items) may still change.
PLANNING = frozenset({Stage.APPLICATION, Stage.DESIGN})
#: Stages in which the residents' decision is recorded.
DECIDING = frozenset({Stage.DESIGN, Stage.DECISION})

APPROVE = "approve"
REJECT = "reject"


def today() -> datetime.date:
    """Today in the district's time zone."""
    return timezone.localdate()


def refuse(field: str | None, zh: str, en: str, code: str = "invalid") -> ValidationError:
    """A bilingual validation error, on ``field`` or the whole object."""
    message = f"{zh} ({en})"
    return ValidationError({field: message} if field else message, code=code)


def stage_label(stage: str) -> str:
    """The stage's Chinese name (for the Chinese half of a message)."""
    with translation.override("zh-hans"):
        return str(Stage(stage).label)


def require_stage(project: Project, allowed: Iterable[Stage], what_zh: str, what_en: str) -> None:
    """Refuse (bilingually, naming the stages) unless ``project`` is in one of ``allowed``."""
    allowed = list(allowed)
    if project.stage not in allowed:
        zh = "、".join(stage_label(s) for s in allowed)
        en = ", ".join(s.value for s in allowed)
        raise refuse(
            None,
            f"{what_zh}只能在“{zh}”阶段进行,项目当前处于“{stage_label(project.stage)}”",
            f"{what_en} only at stage {en}; the project is at {project.stage}",
            code="wrong_stage",
        )


def mark_compounds(project: Project, status: str, year: int | None = None) -> None:
    """Keep the registry's renovation status in step with the project (saved one by one so
    the audit trail sees each change)."""
    for compound in project.compounds.all():
        if status == RenovationStatus.PLANNED and compound.renovation_status != (
            RenovationStatus.NOT_PLANNED
        ):
            continue  # never downgrade a compound already under way or renovated
        if status == RenovationStatus.IN_PROGRESS and compound.renovation_status == (
            RenovationStatus.RENOVATED
        ):
            continue
        changed = ["renovation_status"]
        compound.renovation_status = status
        if year is not None:
            compound.renovated_year = year
            changed.append("renovated_year")
        compound.save(update_fields=[*changed, "updated_at"])


def enter_dates(project: Project, stage: Stage) -> None:
    """Entering ``stage``: its actual start (the first time), and no actual end yet."""
    record = StageRecord.objects.get(project=project, stage=stage)
    if record.actual_start is None:
        record.actual_start = today()
    record.actual_end = None
    record.save(update_fields=["actual_start", "actual_end"])
