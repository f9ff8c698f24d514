"""Jurisdiction checks for web imports: every row must lie where its uploader may write.

:func:`plan_in_scope` wraps :func:`~linli.registry.import_diff.plan_import` for an import
made by a user (web upload); the command line imports as the system operator and is not
checked. Two passes:

1. Before the diff, a row touching a compound the user may neither add nor change at its
   level (a building row in another community's compound; a new compound in another
   sub-district; a compound moved to a community or zone outside the user's) is an error
   naming the row, and the row is left out of the diff, so nothing about that compound
   (stored values, floors, owners) reaches the preview.
2. After the diff, each write is checked against the permission it needs: ``add_*`` for a
   row to create, ``change_*`` for one to update, ``delete_ownership`` for titles the
   workbook removes, ``add_owner``/``change_owner`` for owner records. An owner record found
   by its ID number must also be one the user sees, or the preview would tell the name of a
   person registered elsewhere.

When either pass finds a row out of scope, the plan's list of field changes is dropped: the
upload cannot be imported anyway, and the list would show stored values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.utils import translation

from linli.core.scoping import Scope, scope_for, scoped
from linli.registry.import_diff import OWNERS, Plan, plan_import
from linli.registry.importer import ErrorLog, ParsedSheet, Row
from linli.registry.models import (
    Building,
    Community,
    Compound,
    Dwelling,
    Owner,
    Ownership,
    Stairwell,
    Zone,
)
from linli.registry.scoping import Placement, covers_placement
from linli.registry.workbook import (
    BUILDINGS,
    COMPOUNDS,
    DWELLINGS,
    OWNERSHIPS,
    STAIRWELLS,
    Sheet,
)

__all__ = ["plan_in_scope"]

#: Keys per ``IN (...)`` lookup, as in import_diff.
CHUNK = 900
#: The model each sheet's rows write.
SHEET_MODELS: tuple[tuple[Sheet, type[models.Model]], ...] = (
    (BUILDINGS, Building),
    (STAIRWELLS, Stairwell),
    (DWELLINGS, Dwelling),
    (OWNERSHIPS, Ownership),
)
_ACTIONS = {"add": ("新增", "add"), "change": ("修改", "change"), "delete": ("删除", "delete")}


def plan_in_scope(parsed: dict[str, ParsedSheet], errors: ErrorLog, *, user: Any) -> Plan:
    """``plan_import`` for ``user``: rows outside the user's write scope are errors."""
    checker = _ScopeChecker(parsed, errors, user)
    checker.check_rows()
    plan = plan_import(parsed, errors)
    checker.check_plan(plan)
    if checker.found:
        plan.changes = []
        plan.change_count = 0
    return plan


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _permission(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _noun(model: type[models.Model]) -> tuple[str, str]:
    """What rows of ``model`` are called, in Chinese and English ("楼栋", "buildings")."""
    with translation.override("zh-hans"):
        zh = str(model._meta.verbose_name)
    return zh, f"{model.__name__.lower()}s"


class _ScopeChecker:
    """One import's scope checks; caches scopes and compound placements."""

    def __init__(self, parsed: dict[str, ParsedSheet], errors: ErrorLog, user: Any) -> None:
        self.parsed = parsed
        self.errors = errors
        self.user = user
        self.scopes: dict[str, Scope] = {}
        self.found = False
        #: Placement of every compound the workbook names: stored, or as the 小区 sheet puts it.
        self.stored: dict[str, Placement] = {}
        self.proposed: dict[str, Placement] = {}

    # -- helpers ------------------------------------------------------------------------------

    def scope(self, permission: str) -> Scope:
        if permission not in self.scopes:
            self.scopes[permission] = scope_for(self.user, permission)
        return self.scopes[permission]

    def may(self, model: type[models.Model], action: str, placement: Placement) -> bool:
        return covers_placement(self.scope(_permission(model, action)), placement)

    def refuse(
        self, ps: ParsedSheet, row: Row, field: str, model: type[models.Model], action: str
    ) -> None:
        self.found = True
        code = row.values.get("compound_code") or row.values.get("code") or ""
        noun_zh, noun_en = _noun(model)
        verb_zh, verb_en = _ACTIONS[action]
        ps.error(
            self.errors,
            row,
            field,
            f"超出管辖范围:无权{verb_zh}小区 {code} 的{noun_zh}",
            f"outside your jurisdiction: you may not {verb_en} {noun_en} of compound {code}",
        )

    def placement(self, code: str) -> Placement | None:
        return self.stored.get(code) or self.proposed.get(code)

    # -- pass 1: rows, before the diff ----------------------------------------------------------

    def check_rows(self) -> None:
        if self.scope(_permission(Compound, "view")).everything:
            return  # a superuser writes everywhere; skip the lookups
        self._load_placements()
        self._check_compound_rows()
        for sheet, model in SHEET_MODELS:
            ps = self.parsed[sheet.name]
            for row in ps.rows:
                if not row.ok:
                    continue
                placement = self.placement(row.values["compound_code"])
                if placement is None:
                    continue  # an unknown compound: the diff reports it
                if not (self.may(model, "add", placement) or self.may(model, "change", placement)):
                    self.refuse(ps, row, "compound_code", model, "change")

    def _load_placements(self) -> None:
        codes: set[str] = set()
        for ps in self.parsed.values():
            name = "code" if ps.sheet is COMPOUNDS else "compound_code"
            codes.update(r.values[name] for r in ps.rows if r.values.get(name))
        for chunk in _chunks(sorted(codes)):
            found = Compound.objects.filter(code__in=chunk).values_list(
                "code",
                "pk",
                "zone_id",
                "community_id",
                "community__subdistrict_id",
                "community__subdistrict__district_id",
                "property_company_id",
            )
            for code, pk, zone, community, subdistrict, district, company in found:
                self.stored[code] = Placement(
                    district_id=district,
                    subdistrict_id=subdistrict,
                    community_id=community,
                    zone_id=zone,
                    compound_id=pk,
                    property_company_id=company,
                )
        rows = [r for r in self.parsed[COMPOUNDS.name].rows if r.ok]
        communities: dict[str, tuple[int, int, int]] = {}
        for chunk in _chunks(sorted({r.values["community_code"] for r in rows})):
            for code, pk, subdistrict, district in Community.objects.filter(
                code__in=chunk
            ).values_list("code", "pk", "subdistrict_id", "subdistrict__district_id"):
                communities[code] = (pk, subdistrict, district)
        zones: dict[tuple[int, str], int] = {}
        for chunk in _chunks(
            sorted({r.values["zone_code"] for r in rows if r.values["zone_code"]})
        ):
            for pk, district, code in Zone.objects.filter(code__in=chunk).values_list(
                "pk", "district_id", "code"
            ):
                zones[(district, code)] = pk
        for row in rows:
            place = communities.get(row.values["community_code"])
            if place is None:
                continue  # unknown community: the diff reports it
            code = row.values["code"]
            stored = self.stored.get(code)
            self.proposed[code] = Placement(
                district_id=place[2],
                subdistrict_id=place[1],
                community_id=place[0],
                zone_id=zones.get((place[2], row.values["zone_code"]))
                if row.values["zone_code"]
                else None,
                compound_id=stored.compound_id if stored else None,
                property_company_id=stored.property_company_id if stored else None,
            )

    def _check_compound_rows(self) -> None:
        ps = self.parsed[COMPOUNDS.name]
        for row in ps.rows:
            if not row.ok:
                continue
            code = row.values["code"]
            stored, proposed = self.stored.get(code), self.proposed.get(code)
            if stored is not None:
                if not self.may(Compound, "change", stored):
                    self.refuse(ps, row, "code", Compound, "change")
                elif proposed is not None and not self._may_move(stored, proposed):
                    self.refuse(ps, row, "community_code", Compound, "change")
            elif proposed is not None and not self.may(Compound, "add", proposed):
                self.refuse(ps, row, "community_code", Compound, "add")

    def _may_move(self, stored: Placement, proposed: Placement) -> bool:
        """A compound may be moved only to a community and zone the user may change too."""
        unchanged = (stored.community_id, stored.zone_id) == (
            proposed.community_id,
            proposed.zone_id,
        )
        if unchanged:
            return True
        # Judged on the new place alone: holding the compound itself (compound_id) or its
        # property company says nothing about the community it is moved to.
        moved = Placement(
            district_id=proposed.district_id,
            subdistrict_id=proposed.subdistrict_id,
            community_id=proposed.community_id,
            zone_id=proposed.zone_id,
        )
        return self.may(Compound, "change", moved)

    # -- pass 2: the writes the diff planned ----------------------------------------------------

    def check_plan(self, plan: Plan) -> None:
        if self.scope(_permission(Compound, "view")).everything:
            return
        for sheet, model in SHEET_MODELS:
            rows = self._rows_by_key(sheet)
            for write in plan.writes.get(sheet.name, []):
                action = "add" if write.pk is None else "change"
                self._check(sheet, rows.get(write.key), model, action)
        self._check_removed_ownerships(plan)
        self._check_owners(plan)

    def _rows_by_key(self, sheet: Sheet) -> dict[tuple[str, ...], Row]:
        rows: dict[tuple[str, ...], Row] = {}
        for row in self.parsed[sheet.name].rows:
            key = tuple(row.values.get(f) for f in sheet.key)
            rows.setdefault(key, row)  # type: ignore[arg-type]
        return rows

    def _check(self, sheet: Sheet, row: Row | None, model: type[models.Model], action: str) -> None:
        if row is None or not row.ok:
            return
        placement = self.placement(row.values["compound_code"])
        if placement is not None and not self.may(model, action, placement):
            self.refuse(self.parsed[sheet.name], row, "compound_code", model, action)

    def _check_removed_ownerships(self, plan: Plan) -> None:
        if not plan.removed_ownerships:
            return
        first_row: dict[tuple[str, ...], Row] = {}
        for row in self.parsed[OWNERSHIPS.name].rows:
            dwelling = tuple(row.values.get(f) for f in OWNERSHIPS.parent_key)
            first_row.setdefault(dwelling, row)  # type: ignore[arg-type]
        path = "dwelling__stairwell__building"
        dwellings: set[tuple[str, ...]] = set()
        for chunk in _chunks(plan.removed_ownerships):
            dwellings.update(
                Ownership.objects.filter(pk__in=chunk).values_list(
                    f"{path}__compound__code",
                    f"{path}__number",
                    "dwelling__stairwell__number",
                    "dwelling__number",
                )
            )
        for dwelling in sorted(dwellings):
            self._check(OWNERSHIPS, first_row.get(dwelling), Ownership, "delete")

    def _check_owners(self, plan: Plan) -> None:
        writes = plan.writes.get(OWNERS, [])
        if not writes:
            return
        first_row: dict[str, Row] = {}
        for row in self.parsed[OWNERSHIPS.name].rows:
            first_row.setdefault(row.values.get("id_code") or "", row)
        stored = [w.pk for w in writes if w.pk is not None]
        visible: set[int] = set()
        for chunk in _chunks(stored):
            visible.update(
                scoped(Owner, self.user).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        for write in writes:
            owner_row = first_row.get(write.key[0])
            stranger = write.pk is not None and write.pk not in visible
            if stranger and owner_row is not None and owner_row.ok:
                # Registered elsewhere: updating it would show (and change) a stranger's record.
                self.refuse(self.parsed[OWNERSHIPS.name], owner_row, "id_code", Owner, "change")
                continue
            self._check(OWNERSHIPS, owner_row, Owner, "add" if write.pk is None else "change")
