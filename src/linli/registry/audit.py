"""The registry's part in the audit trail: which models are tracked, the compound each row
belongs to (so the trail is scoped like the registry), and the events of a workbook import.

Saves and deletes through the ORM are recorded by :func:`linli.core.audit.track`. The importer
writes with ``bulk_create``/``bulk_update``, which send no signals, so :class:`ImportTrail`
builds one event per created, updated or removed row from the import plan and records them
with one bulk insert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from functools import cache
from typing import Any

from django.db import models

from linli.core.audit import (
    AuditContext,
    PendingEvent,
    current_context,
    event_builder,
    memo,
    nested_context,
    record,
    track,
)
from linli.core.audit_values import is_secret_name, json_value, personal_mask
from linli.core.models import AuditAction, AuditSource
from linli.registry import models as m
from linli.registry.import_diff import OWNERS, Plan, Write
from linli.registry.importer import mask
from linli.registry.models_upload import RegistryUpload
from linli.registry.workbook import BUILDINGS, COMPOUNDS, DWELLINGS, OWNERSHIPS, STAIRWELLS

#: Keys per ``IN (...)`` lookup (under every backend's parameter limit).
CHUNK = 900


# --- Where a row belongs -------------------------------------------------------------------


def _compound_via(model: type[models.Model], pk: int | None, path: str) -> int | None:
    if pk is None:
        return None
    return memo(
        (model, pk),
        lambda: model._base_manager.filter(pk=pk).values_list(path, flat=True).first(),
    )


def compound_of_building(building_id: int | None) -> int | None:
    return _compound_via(m.Building, building_id, "compound_id")


def compound_of_stairwell(stairwell_id: int | None) -> int | None:
    return _compound_via(m.Stairwell, stairwell_id, "building__compound_id")


def compound_of_dwelling(dwelling_id: int | None) -> int | None:
    return _compound_via(m.Dwelling, dwelling_id, "stairwell__building__compound_id")


def compound_of_household(household_id: int | None) -> int | None:
    return _compound_via(m.Household, household_id, "dwelling__stairwell__building__compound_id")


def _owner_compound(owner: m.Owner) -> int | None:
    # An owner may hold dwellings in several compounds; the first title places them.
    return (
        m.Ownership.objects.filter(owner_id=owner.pk)
        .order_by("pk")
        .values_list("dwelling__stairwell__building__compound_id", flat=True)
        .first()
    )


LOCATORS: dict[type[models.Model], Callable[[Any], int | None] | None] = {
    m.District: None,
    m.Subdistrict: None,
    m.Community: None,
    m.Zone: None,
    m.Organisation: None,
    m.Compound: lambda o: o.pk,
    m.Building: lambda o: o.compound_id,
    m.Stairwell: lambda o: compound_of_building(o.building_id),
    m.Dwelling: lambda o: compound_of_stairwell(o.stairwell_id),
    m.Owner: _owner_compound,
    m.Ownership: lambda o: compound_of_dwelling(o.dwelling_id),
    m.Household: lambda o: compound_of_dwelling(o.dwelling_id),
    m.Resident: lambda o: compound_of_household(o.household_id),
    RegistryUpload: None,
}


def track_registry() -> None:
    """Audit every registry model (called from ``RegistryConfig.ready``)."""
    for model, locate in LOCATORS.items():
        # An upload's preview and error lists are large and repeat the workbook; its status,
        # file and counts are what the trail needs.
        exclude = ("summary", "errors") if model is RegistryUpload else ()
        track(model, locate=locate, exclude=exclude)


# --- Workbook imports ----------------------------------------------------------------------

#: (model, plan level, parent foreign key, parent level), parents first, as apply_plan writes.
LEVELS: tuple[tuple[type[models.Model], str, str | None, str | None], ...] = (
    (m.Compound, COMPOUNDS.name, None, None),
    (m.Building, BUILDINGS.name, "compound_id", COMPOUNDS.name),
    (m.Stairwell, STAIRWELLS.name, "building_id", BUILDINGS.name),
    (m.Dwelling, DWELLINGS.name, "stairwell_id", STAIRWELLS.name),
    (m.Owner, OWNERS, None, None),
)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


_PLAIN = frozenset((str, int, bool, float, type(None)))


@cache
def _recorded_names(names: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The names of a write's values worth recording, each with whether it is personal data."""
    return tuple((n, personal_mask(n) is not None) for n in names if not is_secret_name(n))


def _created_changes(values: dict[str, Any]) -> dict[str, list[Any]]:
    # A hundred thousand rows per import: plain values skip json_value's checks.
    changes = {}
    for name, personal in _recorded_names(tuple(values)):
        value = values[name]
        if personal or type(value) not in _PLAIN:
            value = json_value(name, value)
        changes[name] = [None, value]
    return changes


def _ownership_label(key: tuple[str, ...]) -> str:
    return OWNERSHIPS.key_label((*key[:-1], mask(key[-1])))


class ImportTrail:
    """The audit events of applying one import plan.

    Create it before the writes (it reads the stored values of the rows about to change, a
    few chunked queries), then call :meth:`events` after them (created rows have their
    primary keys by then).
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.before: dict[type[models.Model], dict[int, dict[str, Any]]] = {}
        for model, level, _parent, _parent_level in LEVELS:
            self._load_before(model, plan.writes.get(level, []))
        self._load_before(m.Ownership, plan.writes.get(OWNERSHIPS.name, []))
        self.removed = self._load_removed(plan.removed_ownerships)

    def _load_before(self, model: type[models.Model], writes: list[Write]) -> None:
        changed = [w for w in writes if w.pk is not None]
        fields = sorted({f for w in changed for f in w.fields})
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks([w.pk for w in changed]):
            for row in model._base_manager.filter(pk__in=chunk).values("pk", *fields):
                found[row.pop("pk")] = row
        self.before[model] = found

    def _load_removed(self, pks: list[int]) -> list[dict[str, Any]]:
        names = (
            "pk",
            "owner_id",
            "dwelling_id",
            "share",
            "owner__name",
            "dwelling__stairwell__building__compound_id",
            "dwelling__stairwell__building__compound__code",
            "dwelling__stairwell__building__number",
            "dwelling__stairwell__number",
            "dwelling__number",
        )
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(pks):
            rows.extend(m.Ownership._base_manager.filter(pk__in=chunk).values(*names))
        return rows

    def events(self, created_ownerships: Iterable[m.Ownership]) -> Iterator[PendingEvent]:
        """One event per created, updated or removed row (call after the writes).

        A generator: :func:`~linli.core.audit.record_many` builds and inserts them in step.
        """
        build = event_builder()
        ids = self.plan.ids
        compounds = ids[COMPOUNDS.name]
        owner_compound: dict[tuple[str, ...], int] = {}
        for w in self.plan.writes.get(OWNERSHIPS.name, []):
            owner_compound.setdefault(w.key[4:], compounds[w.key[:1]])
        for model, level, parent_attr, parent_level in LEVELS:
            label = model._meta.label_lower
            before = self.before[model]
            for w in self.plan.writes.get(level, []):
                if level == OWNERS:
                    compound_id = owner_compound.get(w.key)
                    shown = f"{w.values.get('name', '')} {mask(w.key[0])}"
                else:
                    compound_id = compounds[w.key[:1]]
                    shown = w.values["name"] if model is m.Compound else BUILDINGS.key_label(w.key)
                if w.pk is None:
                    values = dict(w.values)
                    if parent_attr is not None and parent_level is not None:
                        values[parent_attr] = ids[parent_level][w.key[:-1]]
                    pk, action = ids[level][w.key], AuditAction.CREATE
                    changes = _created_changes(values)
                else:
                    old = before.get(w.pk, {})
                    pk, action = w.pk, AuditAction.UPDATE
                    changes = {
                        f: [json_value(f, old.get(f)), json_value(f, w.values[f])] for f in w.fields
                    }
                yield build(
                    action=action,
                    model_label=label,
                    object_id=pk,
                    object_repr=shown,
                    changes=changes,
                    compound_id=compound_id,
                )
        yield from self._ownership_events(build, created_ownerships)

    def _ownership_events(
        self, build: Callable[..., PendingEvent], created: Iterable[m.Ownership]
    ) -> Iterator[PendingEvent]:
        label = m.Ownership._meta.label_lower
        compounds = self.plan.ids[COMPOUNDS.name]
        writes = self.plan.writes.get(OWNERSHIPS.name, [])
        new = [w for w in writes if w.pk is None]
        for w, obj in zip(new, created, strict=True):
            values = {"owner_id": obj.owner_id, "dwelling_id": obj.dwelling_id, **w.values}
            yield build(
                action=AuditAction.CREATE,
                model_label=label,
                object_id=obj.pk,
                object_repr=_ownership_label(w.key),
                changes=_created_changes(values),
                compound_id=compounds[w.key[:1]],
            )
        before = self.before[m.Ownership]
        for w in writes:
            if w.pk is None:
                continue
            old = before.get(w.pk, {})
            yield build(
                action=AuditAction.UPDATE,
                model_label=label,
                object_id=w.pk,
                object_repr=_ownership_label(w.key),
                changes={
                    f: [json_value(f, old.get(f)), json_value(f, w.values[f])] for f in w.fields
                },
                compound_id=compounds[w.key[:1]],
            )
        for row in self.removed:
            key = (
                row["dwelling__stairwell__building__compound__code"],
                row["dwelling__stairwell__building__number"],
                row["dwelling__stairwell__number"],
                row["dwelling__number"],
            )
            yield build(
                action=AuditAction.DELETE,
                model_label=label,
                object_id=row["pk"],
                object_repr=f"{DWELLINGS.key_label(key)} {row['owner__name']}",
                changes={
                    f: [json_value(f, row[f]), None] for f in ("owner_id", "dwelling_id", "share")
                },
                compound_id=row["dwelling__stairwell__building__compound_id"],
            )


def upload_import_context(upload: RegistryUpload) -> AbstractContextManager[AuditContext]:
    """The context a confirmed web upload is imported in: source ``import``, the same request
    id as the confirmation, and the uploader as actor when the task knows no one else."""
    context = current_context()
    changes: dict[str, Any] = {
        "source": AuditSource.IMPORT,
        "path": f"registry upload #{upload.pk} {upload.original_name}",
    }
    if context.actor_identity()[0] is None:
        changes.update(
            actor=None,
            request=None,
            actor_id=upload.uploaded_by_id,
            actor_username=upload.uploaded_by.get_username(),
        )
    return nested_context(**changes)


def record_export(*, compounds: models.QuerySet[m.Compound], include_personal_data: bool) -> None:
    """An ``export`` event for a registry workbook download: how many compounds, and whether
    ID and phone numbers were written in full (a bulk reveal of personal data)."""
    record(
        action=AuditAction.EXPORT,
        model_label=m.Compound._meta.label_lower,
        object_repr="登记簿导出 (registry workbook export)",
        changes={
            "compounds": compounds.count(),
            "include_personal_data": include_personal_data,
        },
    )
