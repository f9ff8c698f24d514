"""Helpers shared by the renewal services: stage checks, bilingual errors, dates, and the
registry status of a project's compounds."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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


#: The moment the services act at, when not now (see :func:`as_of`).
_AS_OF: ContextVar[datetime.datetime | None] = ContextVar("renewal_as_of", default=None)


def now() -> datetime.datetime:
    """The current moment, or the one set by :func:`as_of`."""
    moment = _AS_OF.get()
    return timezone.now() if moment is None else moment


def today() -> datetime.date:
    """Today in the district's time zone (or the day set by :func:`as_of`)."""
    return timezone.localdate(now())


@contextmanager
def as_of(moment: datetime.datetime | datetime.date) -> Iterator[None]:
    """Run services as if it were ``moment``: actual stage dates, transitions, review requests
    and sign-offs carry it instead of the clock. For entering history (the demo's past
    batches, an import of earlier records); a date means 10:00 that day, district time.
    Record timestamps (``created_at``) and the audit trail keep the real time of writing."""
    if not isinstance(moment, datetime.datetime):
        moment = timezone.make_aware(datetime.datetime.combine(moment, datetime.time(10)))
    token = _AS_OF.set(moment)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def refuse(field: str | None, zh: str, en: str, code: str = "invalid") -> ValidationError:
    """A bilingual validation error, on ``field`` or the whole object."""
    error = ValidationError(f"{zh} ({en})", code=code)
    # Wrapped, so the code survives on the field's error too (a dict loses it otherwise).
    return ValidationError({field: error}) if field else error


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
    record.project = project  # no second query for the audit trail's label
    if record.actual_start is None:
        record.actual_start = today()
    record.actual_end = None
    record.save(update_fields=["actual_start", "actual_end"])
