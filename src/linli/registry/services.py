"""Registry writes. Every caller (CLI, web, Celery task, API) goes through these functions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from linli.core import audit
from linli.core.errors import Invalid
from linli.registry.audit import ImportTrail, upload_import_context
from linli.registry.import_diff import (
    OWNERS,
    FieldChange,
    Plan,
    SheetSummary,
    Write,
    plan_import,
)
from linli.registry.import_scope import plan_in_scope
from linli.registry.importer import (
    MAX_ERRORS,
    CellError,
    ErrorLog,
    ParsedSheet,
    Source,
    read_workbook,
)
from linli.registry.models import Building, Compound, Dwelling, Owner, Ownership, Stairwell
from linli.registry.models_upload import RegistryUpload, UploadStatus
from linli.registry.workbook import BUILDINGS, COMPOUNDS, DWELLINGS, OWNERSHIPS, STAIRWELLS

logger = logging.getLogger(__name__)

# --- Registry workbook import ------------------------------------------------------------------

#: Rows per INSERT/UPDATE statement (Django lowers it further where a backend needs it).
WRITE_BATCH = 2000


@dataclass
class ImportResult:
    """What an import found and did: errors, per-sheet counts and a sample of field changes."""

    dry_run: bool
    applied: bool
    errors: list[CellError]
    error_count: int
    summary: dict[str, SheetSummary] = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)
    change_count: int = 0

    @property
    def ok(self) -> bool:
        """No errors: the workbook can be (or was) imported."""
        return self.error_count == 0

    @property
    def hidden_error_count(self) -> int:
        """Errors counted but not listed."""
        return self.error_count - len(self.errors)

    def summary_json(self) -> dict[str, Any]:
        """Counts per sheet and the listed changes, as stored on an upload."""
        return {
            "sheets": {name: s.as_dict() for name, s in self.summary.items()},
            "changes": [c.as_dict() for c in self.changes],
            "change_count": self.change_count,
        }


def import_registry_workbook(
    *, path: Source, dry_run: bool, max_errors: int = MAX_ERRORS, user: User | None = None
) -> ImportResult:
    """Import a registry workbook (see ``docs/registry-workbook.md``): all or nothing.

    Reads and checks every cell, compares with the database by natural key and, unless
    ``dry_run`` or any error was found, writes everything in one transaction. Compounds,
    buildings, stairwells and dwellings are created or updated, never deleted; the
    ownerships of each dwelling listed on the 业主 sheet become exactly the listed ones.
    With a ``user`` (web uploads), rows outside the user's jurisdiction for what they do are
    errors (:mod:`linli.registry.import_scope`); the command line imports unchecked, as the
    system operator.
    """
    errors = ErrorLog(max_errors)
    parsed = read_workbook(path, errors)
    if parsed is None:
        return ImportResult(dry_run, False, errors.items, errors.total)
    if dry_run:
        plan = _plan(parsed, errors, user)
        return _result(plan, errors, dry_run=True, applied=False)
    with transaction.atomic():
        # Planned inside the transaction: what was compared is what gets written.
        plan = _plan(parsed, errors, user)
        if not errors:
            apply_plan(plan=plan)
    result = _result(plan, errors, dry_run=False, applied=not errors)
    if result.applied:
        logger.info(
            "registry workbook imported: %s",
            {name: s.as_dict() for name, s in result.summary.items()},
        )
    return result


def _plan(parsed: dict[str, ParsedSheet], errors: ErrorLog, user: User | None) -> Plan:
    return plan_import(parsed, errors) if user is None else plan_in_scope(parsed, errors, user=user)


def _result(plan: Plan, errors: ErrorLog, *, dry_run: bool, applied: bool) -> ImportResult:
    return ImportResult(
        dry_run=dry_run,
        applied=applied,
        errors=errors.items,
        error_count=errors.total,
        summary=plan.summary,
        changes=plan.changes,
        change_count=plan.change_count,
    )


def apply_plan(*, plan: Plan) -> None:
    """Write a :class:`~linli.registry.import_diff.Plan` with bulk inserts and updates.

    Every created, updated and removed row gets an audit event, recorded in bulk
    (:class:`~linli.registry.audit.ImportTrail`); the source (``import`` from the web, ``cli``
    from ``linli registry import``) comes from the audit context.
    """
    now = timezone.now()
    with transaction.atomic(), audit.suppressed():
        trail = ImportTrail(plan)  # reads the values about to change, before they do
        ids = plan.ids
        levels: list[tuple[type[models.Model], str, str | None, str | None]] = [
            (Compound, COMPOUNDS.name, None, None),
            (Building, BUILDINGS.name, "compound_id", COMPOUNDS.name),
            (Stairwell, STAIRWELLS.name, "building_id", BUILDINGS.name),
            (Dwelling, DWELLINGS.name, "stairwell_id", STAIRWELLS.name),
            (Owner, OWNERS, None, None),
        ]
        for model, level, parent_attr, parent_level in levels:
            parents = ids[parent_level] if parent_level else {}
            writes = plan.writes.get(level, [])
            _create(model, writes, ids[level], parent_attr, parents)
            _update(model, writes, now)
        for chunk_start in range(0, len(plan.removed_ownerships), WRITE_BATCH):
            chunk = plan.removed_ownerships[chunk_start : chunk_start + WRITE_BATCH]
            Ownership.objects.filter(pk__in=chunk).delete()
        writes = plan.writes.get(OWNERSHIPS.name, [])
        dwellings, owners = ids[DWELLINGS.name], ids[OWNERS]
        created_ownerships = Ownership.objects.bulk_create(
            [
                Ownership(dwelling_id=dwellings[w.key[:4]], owner_id=owners[w.key[4:]], **w.values)
                for w in writes
                if w.pk is None
            ],
            batch_size=WRITE_BATCH,
        )
        _update(Ownership, writes, now)
        audit.record_many(trail.events(created_ownerships))


def _create(
    model: type[models.Model],
    writes: list[Write],
    ids: dict[tuple[str, ...], int],
    parent_attr: str | None,
    parents: dict[tuple[str, ...], int],
) -> None:
    """Insert the new rows and remember their primary keys by natural key."""
    new = [w for w in writes if w.pk is None]
    objs = []
    for w in new:
        values = w.values if parent_attr is None else {**w.values, parent_attr: parents[w.key[:-1]]}
        objs.append(model(**values))
    model._default_manager.bulk_create(objs, batch_size=WRITE_BATCH)
    for w, obj in zip(new, objs, strict=True):
        ids[w.key] = obj.pk


def _update(model: type[models.Model], writes: list[Write], now: Any) -> None:
    """Update the changed fields of stored rows (``updated_at`` too: bulk_update skips auto_now)."""
    changed = [w for w in writes if w.pk is not None]
    if not changed:
        return
    fields = sorted({f for w in changed for f in w.fields})
    objs = []
    for w in changed:
        obj = model(pk=w.pk, **{f: w.values[f] for f in fields})
        obj.updated_at = now  # type: ignore[attr-defined]
        objs.append(obj)
    model._default_manager.bulk_update(objs, [*fields, "updated_at"], batch_size=WRITE_BATCH)


# --- Web uploads of registry workbooks --------------------------------------------------------


def preview_registry_upload(*, file: UploadedFile, user: User) -> RegistryUpload:
    """Store an uploaded workbook and its dry-run result (status 已预览 or 有错误)."""
    upload = RegistryUpload(original_name=file.name or "", uploaded_by=user)
    upload.file.save(file.name or "registry.xlsx", file, save=False)
    with upload.file.open("rb") as handle:
        result = import_registry_workbook(path=handle, dry_run=True, user=user)
    _record(upload, result)
    upload.status = UploadStatus.PREVIEWED if result.ok else UploadStatus.INVALID
    upload.save()
    return upload


def confirm_registry_upload(*, upload: RegistryUpload) -> RegistryUpload:
    """Queue a previewed upload for import; the task runs once the transaction commits."""
    from linli.registry.tasks import apply_registry_upload as task

    with transaction.atomic():
        locked = RegistryUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != UploadStatus.PREVIEWED:
            raise Invalid(
                "只有已预览且没有错误的上传可以确认导入",
                "only a previewed upload without errors can be imported",
                "upload_status",
            )
        locked.status = UploadStatus.QUEUED
        locked.save(update_fields=["status"])
        task.delay_on_commit(locked.pk)
    return locked


def apply_registry_upload(*, upload_id: int) -> RegistryUpload:
    """Import a queued upload for real, checking it again (the data may have changed).

    Runs at most once per confirmation: anything but 排队中 is left alone, so a redelivered
    task message does nothing.
    """
    upload = RegistryUpload.objects.get(pk=upload_id)
    if upload.status != UploadStatus.QUEUED:
        return upload
    try:
        with upload.file.open("rb") as handle, upload_import_context(upload):
            result = import_registry_workbook(path=handle, dry_run=False, user=upload.uploaded_by)
    except Exception:
        logger.exception("registry upload %s failed", upload.pk)
        upload.status = UploadStatus.FAILED
        upload.errors = [
            CellError(
                upload.original_name,
                None,
                None,
                None,
                "",
                "导入时发生系统错误,数据库未作任何修改,请联系管理员",
                "a system error stopped the import; nothing was written, contact the administrator",
            ).as_dict()
        ]
        upload.error_count = 1
        upload.save()
        return upload
    _record(upload, result)
    upload.status = UploadStatus.APPLIED if result.applied else UploadStatus.FAILED
    upload.applied_at = timezone.now() if result.applied else None
    upload.save()
    return upload


def _record(upload: RegistryUpload, result: ImportResult) -> None:
    upload.summary = result.summary_json()
    upload.errors = [e.as_dict() for e in result.errors]
    upload.error_count = result.error_count
