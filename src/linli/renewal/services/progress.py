"""Progress writes: dated progress reports with a percentage per item, site photos, and the
problems raised and resolved during the works.

A project's progress is no longer entered: each item keeps the percentage of the latest report
(by date) that mentions it, and the project's is derived from its items
(:func:`linli.renewal.progress.project_percent`). The completion gate reads the result.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction

from linli.renewal.exif import read_photo
from linli.renewal.gates import Stage
from linli.renewal.models import (
    ProgressLine,
    ProgressPhoto,
    ProgressProblem,
    ProgressReport,
    Project,
    ProjectItem,
    StageRecord,
)
from linli.renewal.progress import ItemProgress, project_percent
from linli.renewal.services.common import refuse, require_stage, today

#: Stages in which site problems are raised: during the works, and until the acceptance
#: (what the acceptance finds must be fixed before the handover).
PROBLEM_STAGES = (Stage.WORKS, Stage.COMPLETED, Stage.ACCEPTANCE)


def _item_label(item: ProjectItem) -> str:
    return f"“{item.item.name}”(#{item.pk})"


def _check_date(project: Project, reported_on: datetime.date) -> None:
    if reported_on > today():
        raise refuse(
            "reported_on",
            "填报日期不能晚于今天",
            "the report cannot be dated in the future",
            "future",
        )
    started = (
        StageRecord.objects.filter(project=project, stage=Stage.WORKS)
        .values_list("actual_start", flat=True)
        .first()
    )
    if started is not None and reported_on < started:
        raise refuse(
            "reported_on",
            f"填报日期早于开工日期 {started:%Y-%m-%d}",
            f"the report is dated before the works started on {started:%Y-%m-%d}",
            "before_works",
        )


def _percent_in_force(item: ProjectItem, on: datetime.date) -> Decimal:
    """The item's percentage as reported on or before ``on`` (0 when never reported)."""
    line = (
        ProgressLine.objects.filter(project_item=item, report__reported_on__lte=on)
        .order_by("-report__reported_on", "-report__pk")
        .values_list("percent", flat=True)
        .first()
    )
    return Decimal(0) if line is None else line


def derive_project_progress(project: Project) -> Project:
    """Set ``project.progress_percent`` from its items (saved only when it changes)."""
    items = ProjectItem.objects.filter(project=project).values_list("progress_percent", "budget")
    percent = project_percent(ItemProgress(percent=p, budget=b) for p, b in items)
    if percent != project.progress_percent:
        project.progress_percent = percent
        project.save(update_fields=["progress_percent", "updated_at"])
    return project


def _apply_latest(items: list[ProjectItem]) -> None:
    """Set each item's percentage from the latest report (by date, then entry) naming it."""
    for item in items:
        latest = (
            ProgressLine.objects.filter(project_item=item)
            .order_by("-report__reported_on", "-report__pk")
            .values_list("percent", flat=True)
            .first()
        )
        percent = Decimal(0) if latest is None else latest
        if percent != item.progress_percent:
            item.progress_percent = percent
            item.save(update_fields=["progress_percent", "updated_at"])


def record_progress_report(
    *,
    project: Project,
    reported_on: datetime.date,
    percents: Mapping[int, Decimal],
    summary: str = "",
    by: Any = None,
    notes: Mapping[int, str] | None = None,
) -> ProgressReport:
    """Record a dated report of the works with a percentage per item (keyed by the
    ``ProjectItem`` pk); items not mentioned keep their last percentage.

    During works only, dated from the works' actual start to today. A percentage lower than
    the one in force on that date is a correction: allowed, with its reason in the item's note
    (``notes``, keyed like ``percents``); the earlier line stays, so the history shows both.
    """
    notes = notes or {}
    with transaction.atomic():
        caller, project = project, Project.objects.select_for_update().get(pk=project.pk)
        require_stage(project, [Stage.WORKS], "填报工程进度", "progress can be reported")
        _check_date(project, reported_on)
        if not percents:
            raise refuse(
                "lines",
                "请至少填写一项改造内容的进度",
                "report the progress of at least one item",
                "required",
            )
        own = {i.pk: i for i in ProjectItem.objects.filter(project=project).select_related("item")}
        for item in own.values():
            item.project = project  # saves a query per line (labels, audit) on this object
        for pk in percents:
            if pk not in own:
                stranger = ProjectItem.objects.filter(pk=pk).select_related("item").first()
                label = _item_label(stranger) if stranger else f"#{pk}"
                raise refuse(
                    "lines",
                    f"改造内容{label}不属于项目“{project.name}”",
                    f"item {label} is not part of project {project.code}",
                    "foreign_item",
                )
        report = ProgressReport(
            project=project, reported_on=reported_on, summary=summary, reported_by=by
        )
        report.full_clean()
        report.save()
        for pk, percent in percents.items():
            item = own[pk]
            note = (notes.get(pk) or "").strip()
            before = _percent_in_force(item, reported_on)
            if Decimal(percent) < before and not note:
                raise refuse(
                    "lines",
                    f"{_item_label(item)}进度由 {before}% 下调为 {percent}%,请在说明中写明更正原因",
                    f"item {_item_label(item)} goes down from {before}% to {percent}%: "
                    "give the reason for the correction in its note",
                    "correction_without_note",
                )
            line = ProgressLine(report=report, project_item=item, percent=percent, note=note)
            try:
                line.full_clean()
            except ValidationError as exc:
                raise refuse(
                    "lines",
                    f"{_item_label(item)}:{' '.join(exc.messages)}",
                    f"item {_item_label(item)}: invalid percentage {percent}",
                    "invalid_percent",
                ) from exc
            line.save()
        _apply_latest([own[pk] for pk in percents])
        derive_project_progress(project)
        caller.progress_percent = project.progress_percent  # the caller's object stays current
        return report


def add_progress_photo(
    *, report: ProgressReport, image: File, caption: str = "", by: Any = None
) -> ProgressPhoto:
    """Attach a site photo to a report, keeping the EXIF time and GPS point when present."""
    with transaction.atomic():
        require_stage(report.project, [Stage.WORKS], "上传现场照片", "site photos can be added")
        meta = read_photo(image)
        photo = ProgressPhoto(
            report=report,
            image=image,
            caption=caption,
            taken_at=meta.taken_at,
            latitude=meta.latitude,
            longitude=meta.longitude,
            uploaded_by=by,
        )
        photo.full_clean()
        photo.save()
        return photo


def raise_problem(
    *,
    project: Project,
    description: str,
    raised_on: datetime.date,
    report: ProgressReport | None = None,
    by: Any = None,
) -> ProgressProblem:
    """Record a problem found on site (during works, until the acceptance)."""
    with transaction.atomic():
        require_stage(project, PROBLEM_STAGES, "登记问题", "problems can be raised")
        if raised_on > today():
            raise refuse(
                "raised_on",
                "提出日期不能晚于今天",
                "a problem cannot be raised in the future",
                "future",
            )
        if report is not None and report.project_id != project.pk:
            raise refuse(
                "report",
                "进度报告不属于该项目",
                "the progress report belongs to another project",
                "foreign_report",
            )
        problem = ProgressProblem(
            project=project,
            report=report,
            description=description.strip(),
            raised_on=raised_on,
            raised_by=by,
        )
        problem.full_clean()
        problem.save()
        return problem


def resolve_problem(
    *,
    problem: ProgressProblem,
    resolution: str,
    resolved_on: datetime.date,
    by: Any = None,
) -> ProgressProblem:
    """Record how and when an open problem was resolved."""
    with transaction.atomic():
        problem = ProgressProblem.objects.select_for_update().get(pk=problem.pk)
        if not problem.is_open:
            raise refuse(
                None, "该问题已解决", "the problem is already resolved", "already_resolved"
            )
        if not resolution.strip():
            raise refuse("resolution", "请填写解决情况", "describe how it was resolved", "required")
        if resolved_on > today():
            raise refuse(
                "resolved_on",
                "解决日期不能晚于今天",
                "a problem cannot be resolved in the future",
                "future",
            )
        problem.resolution = resolution.strip()
        problem.resolved_on = resolved_on
        problem.resolved_by = by
        problem.full_clean()
        problem.save(update_fields=["resolution", "resolved_on", "resolved_by", "updated_at"])
        return problem
