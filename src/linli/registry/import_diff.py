"""Checking a read registry workbook against the database, and the diff an import would write.

:func:`plan_import` loads the rows the workbook can touch in a few queries per level (chunked
``IN`` lookups into dicts keyed by natural key; never one query per row), records the errors
only the database can reveal (unknown community, zone or parent; a floor above a stored
building's storeys; a building lowered below its stored dwellings) and returns a :class:`Plan`:
rows to create, rows to update with the fields that change, counts, and a sample of field
changes for the preview. Nothing is written here (see :func:`linli.registry.services.apply_plan`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from linli.core.crypto import keyed_hash, mask_id_number, mask_phone, reveal
from linli.registry.importer import ErrorLog, ParsedSheet, Row, is_masked, mask
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
from linli.registry.workbook import (
    BUILDINGS,
    COMPOUNDS,
    DWELLINGS,
    ORGANISATION_KINDS,
    OWNERSHIPS,
    SHEETS,
    STAIRWELLS,
    Sheet,
    choice_label,
)

__all__ = ["MAX_CHANGES", "OWNERS", "FieldChange", "Plan", "SheetSummary", "Write", "plan_import"]

#: Field changes kept for the preview (all are counted).
MAX_CHANGES = 200
#: Key of owner records in :attr:`Plan.writes` and :attr:`Plan.ids` (they have no sheet).
OWNERS = "owner"
#: Keys per ``IN (...)`` lookup: under every backend's parameter limit (old SQLite: 999).
CHUNK = 900

_COMPOUND_FIELDS = (
    "name",
    "community_id",
    "zone_id",
    "address",
    "year_built",
    "management_mode",
    "heritage",
    "floor_area",
    "renovation_status",
    "renovated_year",
    "longitude",
    "latitude",
)
_BUILDING_FIELDS = ("storeys", "has_elevator", "structure", "year_built")
_DWELLING_FIELDS = ("floor", "area", "sale_status")
_OWNER_FIELDS = ("kind", "name", "phone")


@dataclass
class Write:
    """One row to write: created when ``pk`` is None, else ``fields`` of it are updated.

    ``values`` are model attributes; the parent's foreign key is left out and found at apply
    time from ``key[:-1]`` (the parent may be created by the same import).
    """

    key: tuple[str, ...]
    values: dict[str, Any]
    pk: int | None = None
    fields: tuple[str, ...] = ()


@dataclass
class SheetSummary:
    """What an import does to one sheet's level (for 业主: ownerships, then owner records)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    owners_created: int = 0
    owners_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class FieldChange:
    """One field of one row that an import changes: ``小区 XG0001 名称: old -> new``."""

    sheet: str
    key: str
    column: str
    old: str
    new: str

    def format(self) -> str:
        """The one-line form the preview lists."""
        return f"{self.sheet} {self.key} {self.column}: {self.old} -> {self.new}"

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class Plan:
    """Everything an import would write, and what it would change."""

    writes: dict[str, list[Write]] = field(default_factory=dict)
    removed_ownerships: list[int] = field(default_factory=list)
    #: Primary keys of stored rows by level (sheet name or :data:`OWNERS`) and natural key.
    ids: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)
    summary: dict[str, SheetSummary] = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)
    change_count: int = 0


def _owner_label(name: str, code: str) -> str:
    return f"{name} {mask(code)}"


def _ownership_label(key: tuple[str, ...]) -> str:
    return OWNERSHIPS.key_label((*key[:-1], mask(key[-1])))


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def plan_import(
    parsed: dict[str, ParsedSheet], errors: ErrorLog, *, max_changes: int = MAX_CHANGES
) -> Plan:
    """Check ``parsed`` against the database and work out the writes (see module docstring)."""
    return _Planner(parsed, errors, max_changes).run()


class _Planner:
    """One planning pass; the state shared by the per-level steps."""

    def __init__(self, parsed: dict[str, ParsedSheet], errors: ErrorLog, max_changes: int):
        self.parsed = parsed
        self.errors = errors
        self.max_changes = max_changes
        self.plan = Plan()
        self.community_code: dict[int, str] = {}
        self.zone_code: dict[int, str] = {}
        self.compound_ids: list[int] = []

    def run(self) -> Plan:
        for sheet in SHEETS:
            self._summary(sheet)
        self._compounds()
        self._buildings()
        self._stairwells()
        self._dwellings()
        self._ownerships()
        return self.plan

    # -- shared helpers --------------------------------------------------------------------

    def _summary(self, sheet: Sheet) -> SheetSummary:
        return self.plan.summary.setdefault(sheet.name, SheetSummary())

    def _display(self, sheet: Sheet, attr: str, value: Any) -> str:
        if value is None:
            return ""
        if attr == "community_id":
            return self.community_code.get(value, str(value))
        if attr == "zone_id":
            return self.zone_code.get(value, str(value))
        column = sheet.column(attr)
        if isinstance(value, bool):
            return "是" if value else "否"
        if column.choices is not None:
            return choice_label(column.choices, value)
        if column.personal:
            return mask(str(value))
        return str(value)

    def _header(self, sheet: Sheet, attr: str) -> str:
        name = {"community_id": "community_code", "zone_id": "zone_code"}.get(attr, attr)
        return sheet.column(name).header

    def _note(self, sheet: Sheet, key: str, column: str, old: str, new: str) -> None:
        self.plan.change_count += 1
        if len(self.plan.changes) < self.max_changes:
            self.plan.changes.append(FieldChange(sheet.name, key, column, old, new))

    def _compare(
        self,
        sheet: Sheet,
        key: tuple[str, ...],
        old: dict[str, Any],
        new: dict[str, Any],
        attrs: tuple[str, ...],
        label: Callable[[], str] | None = None,
    ) -> tuple[str, ...]:
        """The attributes that differ, each noted as a field change (under ``label()``)."""
        changed = tuple(a for a in attrs if old[a] != new[a])
        if not changed:
            return changed
        shown = label() if label else sheet.key_label(key)
        for attr in changed:
            self._note(
                sheet,
                shown,
                self._header(sheet, attr),
                self._display(sheet, attr, old[attr]),
                self._display(sheet, attr, new[attr]),
            )
        return changed

    def _add(
        self, sheet: Sheet, key: tuple[str, ...], new: dict[str, Any], old: dict[str, Any] | None
    ) -> None:
        """Queue a create (``old`` None) or an update of the changed attributes, and count it."""
        summary = self._summary(sheet)
        writes = self.plan.writes.setdefault(sheet.name, [])
        if old is None:
            summary.created += 1
            writes.append(Write(key=key, values=new))
            return
        attrs = tuple(a for a in new if a in old)
        changed = self._compare(sheet, key, old, new, attrs)
        if changed:
            summary.updated += 1
            writes.append(Write(key=key, values=new, pk=old["id"], fields=changed))
        else:
            summary.unchanged += 1

    def _unknown_parent(self, ps: ParsedSheet, row: Row, parent: Sheet) -> None:
        field_name = ps.sheet.parent_key[-1]
        label = parent.key_label(tuple(row.values[f] for f in ps.sheet.parent_key))
        ps.error(
            self.errors,
            row,
            field_name,
            f"所属{parent.name}“{label}”在“{parent.name}”表和系统中都不存在",
            f"{label!r} is neither on the {parent.name} ({parent.title_en}) sheet nor registered",
        )

    def _known(self, sheet: Sheet) -> set[tuple[str, ...]]:
        """Natural keys on the sheet (valid rows or not) or stored."""
        return set(self.plan.ids[sheet.name]) | self.parsed[sheet.name].keys

    # -- levels ---------------------------------------------------------------------------

    def _compounds(self) -> None:
        codes: set[str] = set()
        for ps in self.parsed.values():
            name = "code" if ps.sheet is COMPOUNDS else "compound_code"
            codes.update(r.values[name] for r in ps.rows if r.values.get(name))
        stored: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(codes):
            rows = Compound.objects.filter(code__in=chunk).values(
                "id", "code", "community__code", "zone__code", *_COMPOUND_FIELDS
            )
            for r in rows:
                stored[r["code"]] = r
                self.community_code[r["community_id"]] = r["community__code"]
                if r["zone_id"] is not None:
                    self.zone_code[r["zone_id"]] = r["zone__code"]
        self.plan.ids[COMPOUNDS.name] = {(c,): r["id"] for c, r in stored.items()}
        self.compound_ids = [r["id"] for r in stored.values()]

        ps = self.parsed[COMPOUNDS.name]
        ok_rows = [r for r in ps.rows if r.ok]
        communities: dict[str, tuple[int, int]] = {}
        for chunk in _chunks({r.values["community_code"] for r in ok_rows}):
            for pk, code, district_id in Community.objects.filter(code__in=chunk).values_list(
                "id", "code", "subdistrict__district_id"
            ):
                communities[code] = (pk, district_id)
                self.community_code[pk] = code
        zones: dict[tuple[int, str], int] = {}
        zone_codes = {r.values["zone_code"] for r in ok_rows if r.values["zone_code"]}
        for chunk in _chunks(zone_codes):
            for pk, district_id, code in Zone.objects.filter(code__in=chunk).values_list(
                "id", "district_id", "code"
            ):
                zones[(district_id, code)] = pk
                self.zone_code[pk] = code

        for row in ok_rows:
            v = row.values
            community = communities.get(v["community_code"])
            if community is None:
                ps.error(
                    self.errors,
                    row,
                    "community_code",
                    f"社区代码 {v['community_code']} 未在系统中登记",
                    f"no community with code {v['community_code']} is registered",
                )
                continue
            zone_id = None
            if v["zone_code"]:
                zone_id = zones.get((community[1], v["zone_code"]))
                if zone_id is None:
                    ps.error(
                        self.errors,
                        row,
                        "zone_code",
                        f"片区编号 {v['zone_code']} 在该社区所属的区内不存在",
                        f"no zone {v['zone_code']} in the community's district",
                    )
                    continue
            new = {
                "code": v["code"],
                "community_id": community[0],
                "zone_id": zone_id,
                **{f: v[f] for f in _COMPOUND_FIELDS if f not in ("community_id", "zone_id")},
            }
            self._add(COMPOUNDS, (v["code"],), new, stored.get(v["code"]))

    def _stored(self, queryset: Any, names: tuple[str, ...], width: int) -> dict[tuple, dict]:
        """Stored rows of the workbook's compounds keyed by natural key (first ``width`` names)."""
        found: dict[tuple, dict] = {}
        for chunk in _chunks(self.compound_ids):
            for values in queryset(chunk).values_list(*names):
                found[values[1 : 1 + width]] = dict(zip(names, values, strict=True))
        return found

    def _buildings(self) -> None:
        stored = self._stored(
            lambda ids: Building.objects.filter(compound_id__in=ids),
            ("id", "compound__code", "number", *_BUILDING_FIELDS),
            2,
        )
        self.stored_buildings = stored
        self.plan.ids[BUILDINGS.name] = {k: r["id"] for k, r in stored.items()}
        ps = self.parsed[BUILDINGS.name]
        compounds = self._known(COMPOUNDS)
        self.storeys: dict[tuple[str, ...], int] = {}
        for row in ps.rows:
            if not row.ok:
                continue
            v = row.values
            if (v["compound_code"],) not in compounds:
                self._unknown_parent(ps, row, COMPOUNDS)
                continue
            key = (v["compound_code"], v["number"])
            self.storeys[key] = v["storeys"]
            new = {"number": v["number"], **{f: v[f] for f in _BUILDING_FIELDS}}
            self._add(BUILDINGS, key, new, stored.get(key))

    def _stairwells(self) -> None:
        stored = self._stored(
            lambda ids: Stairwell.objects.filter(building__compound_id__in=ids),
            ("id", "building__compound__code", "building__number", "number"),
            3,
        )
        self.plan.ids[STAIRWELLS.name] = {k: r["id"] for k, r in stored.items()}
        ps = self.parsed[STAIRWELLS.name]
        buildings = self._known(BUILDINGS)
        for row in ps.rows:
            if not row.ok:
                continue
            key = tuple(row.values[f] for f in STAIRWELLS.key)
            if key[:2] not in buildings:
                self._unknown_parent(ps, row, BUILDINGS)
                continue
            self._add(STAIRWELLS, key, {"number": key[-1]}, stored.get(key))

    def _dwellings(self) -> None:
        names = (
            "id",
            "stairwell__building__compound__code",
            "stairwell__building__number",
            "stairwell__number",
            "number",
            *_DWELLING_FIELDS,
        )
        stored = self._stored(
            lambda ids: Dwelling.objects.filter(stairwell__building__compound_id__in=ids),
            names,
            4,
        )
        self.plan.ids[DWELLINGS.name] = {k: r["id"] for k, r in stored.items()}
        ps = self.parsed[DWELLINGS.name]
        stairwells = self._known(STAIRWELLS)
        listed_buildings = self.parsed[BUILDINGS.name].keys
        for row in ps.rows:
            if not row.ok:
                continue
            v = row.values
            key = tuple(v[f] for f in DWELLINGS.key)
            if key[:3] not in stairwells:
                self._unknown_parent(ps, row, STAIRWELLS)
                continue
            building = key[:2]
            if building in listed_buildings:
                storeys = self.storeys.get(building)  # None: that row has its own error
            else:
                storeys = self.stored_buildings.get(building, {}).get("storeys")
            if storeys is not None and v["floor"] > storeys:
                ps.error(
                    self.errors,
                    row,
                    "floor",
                    f"楼层须在 1–{storeys} 之间(该楼共 {storeys} 层)",
                    f"floor must be between 1 and the building's {storeys} storeys",
                )
                continue
            new = {"number": v["number"], **{f: v[f] for f in _DWELLING_FIELDS}}
            self._add(DWELLINGS, key, new, stored.get(key))
        self._check_lowered_buildings(stored, ps.keys)

    def _check_lowered_buildings(self, stored: dict[tuple, dict], listed: set[tuple]) -> None:
        """A building's new storeys must still hold its stored dwellings the workbook keeps."""
        lowered = {
            key: storeys
            for key, storeys in self.storeys.items()
            if key in self.stored_buildings and storeys < self.stored_buildings[key]["storeys"]
        }
        if not lowered:
            return
        too_high: dict[tuple, tuple[str, ...]] = {}
        for key, r in stored.items():
            building = key[:2]
            if building in lowered and key not in listed and r["floor"] > lowered[building]:
                too_high.setdefault(building, key)
        ps = self.parsed[BUILDINGS.name]
        for row in ps.rows:
            building = tuple(row.values.get(f) for f in BUILDINGS.key)
            if building in too_high:
                dwelling = too_high[building]
                floor = stored[dwelling]["floor"]
                label = DWELLINGS.key_label(dwelling)
                ps.error(
                    self.errors,
                    row,
                    "storeys",
                    f"已登记房屋 {label} 在第 {floor} 层,高于新的地上层数 {lowered[building]}",
                    f"registered dwelling {label} is on floor {floor}, above the new "
                    f"{lowered[building]} storeys",
                )

    def _ownerships(self) -> None:
        ps = self.parsed[OWNERSHIPS.name]
        summary = self._summary(OWNERSHIPS)
        self.plan.ids[OWNERS] = {}
        if not ps.rows:
            return
        dwellings = self._known(DWELLINGS)
        wanted: dict[tuple[str, ...], list[Row]] = {}
        for row in ps.rows:
            if not row.ok:
                continue
            dwelling = tuple(row.values[f] for f in OWNERSHIPS.parent_key)
            if dwelling not in dwellings:
                self._unknown_parent(ps, row, DWELLINGS)
                continue
            wanted.setdefault(dwelling, []).append(row)

        held, owners = self._stored_ownerships(set(wanted))
        unmasked = self._unmask_codes(ps, wanted, held)
        owner_rows: dict[str, Row] = {}
        for rows in wanted.values():
            for row in rows:
                first = owner_rows.setdefault(row.values["id_code"], row)
                # importer checked rows named in full against each other; these, here.
                if first is not row and unmasked & {id(row), id(first)}:
                    self._check_same_owner(ps, first, row)
        self._stored_owners(owner_rows, owners)
        self.plan.ids[OWNERS] = {(code,): r["id"] for code, r in owners.items()}
        owner_writes = self.plan.writes.setdefault(OWNERS, [])
        for code, row in owner_rows.items():
            v = row.values
            new = {f: v[f] for f in _OWNER_FIELDS}
            old = owners.get(code)
            if is_masked(new["phone"]):
                stored = old["phone"] if old is not None else None
                if not stored or mask_phone(reveal(stored)) != new["phone"]:
                    ps.error(
                        self.errors,
                        row,
                        "phone",
                        "手机号是掩码,与系统中登记的号码不符;新填或修改手机号须填写完整号码",
                        "the phone number is masked and does not match the registered one; "
                        "a new or changed number must be given in full",
                    )
                    continue
                new["phone"] = stored  # the masked export's cell: the registered number
            if old is None:
                organisation = v["kind"] in ORGANISATION_KINDS
                new["credit_code" if organisation else "id_number"] = code
                owner_writes.append(Write(key=(code,), values=new))
                summary.owners_created += 1
                continue
            changed = self._compare(
                OWNERSHIPS,
                (code,),
                old,
                new,
                _OWNER_FIELDS,
                partial(_owner_label, v["name"], code),
            )
            if changed:
                owner_writes.append(Write(key=(code,), values=new, pk=old["id"], fields=changed))
                summary.owners_updated += 1

        dwelling_ids = self.plan.ids[DWELLINGS.name]
        writes = self.plan.writes.setdefault(OWNERSHIPS.name, [])
        for dwelling, rows in wanted.items():
            current = held.get(dwelling_ids.get(dwelling, -1), {})
            for row in rows:
                code, share = row.values["id_code"], row.values["share"]
                key = (*dwelling, code)
                old = current.pop(code, None)
                if old is None:
                    writes.append(Write(key=key, values={"share": share}))
                    summary.created += 1
                elif self._compare(
                    OWNERSHIPS,
                    key,
                    old,
                    {"share": share},
                    ("share",),
                    partial(_ownership_label, key),
                ):
                    writes.append(
                        Write(key=key, values={"share": share}, pk=old["id"], fields=("share",))
                    )
                    summary.updated += 1
                else:
                    summary.unchanged += 1
            for code, old in current.items():
                self.plan.removed_ownerships.append(old["id"])
                summary.removed += 1
                self._note(
                    OWNERSHIPS,
                    DWELLINGS.key_label(dwelling),
                    "产权",
                    f"{old['name']} {mask(code)}",
                    "(移除 removed)",
                )

    def _unmask_codes(
        self,
        ps: ParsedSheet,
        wanted: dict[tuple[str, ...], list[Row]],
        held: dict[int, dict[str, dict]],
    ) -> set[int]:
        """Replace each masked 证件号码 by the code of the dwelling's registered owner it masks.

        A masked export writes ``410303********0015``; on re-import that cell means "this
        dwelling's owner whose code looks so". A mask matching no owner of the dwelling (or
        several), or naming an owner the dwelling already lists, is an error and its row is
        dropped. Returns the ``id()`` of the rows whose code was unmasked.
        """
        dwelling_ids = self.plan.ids[DWELLINGS.name]
        unmasked: set[int] = set()
        for dwelling, rows in wanted.items():
            current = held.get(dwelling_ids.get(dwelling, -1), {})
            masks = {code: mask_id_number(code) for code in current}
            listed = {r.values["id_code"]: r for r in rows if not is_masked(r.values["id_code"])}
            kept: list[Row] = []
            for row in rows:
                code = row.values["id_code"]
                if not is_masked(code):
                    kept.append(row)
                    continue
                matches = [c for c, m in masks.items() if m == code]
                if len(matches) != 1:
                    zh, en = (
                        (
                            "证件号码是掩码,与该房屋已登记的业主都不符;新业主须填写完整证件号码",
                            "the ID is masked and matches none of the dwelling's registered "
                            "owners; a new owner needs the full ID",
                        )
                        if not matches
                        else (
                            "证件号码是掩码,与该房屋的多位已登记业主相符,请填写完整证件号码",
                            "the masked ID matches several registered owners of the dwelling; "
                            "give the full ID",
                        )
                    )
                    ps.error(self.errors, row, "id_code", zh, en)
                    continue
                first = listed.setdefault(matches[0], row)
                if first is not row:
                    ps.error(
                        self.errors,
                        row,
                        "id_code",
                        f"与第 {first.number} 行是同一业主(该房屋已登记的业主)",
                        f"names the same registered owner as row {first.number}",
                    )
                    continue
                row.values["id_code"] = matches[0]
                unmasked.add(id(row))
                kept.append(row)
            rows[:] = kept
        return unmasked

    def _check_same_owner(self, ps: ParsedSheet, first: Row, row: Row) -> None:
        """An owner found through a masked code is spelled as on its other rows."""
        for field_name in ("kind", "name", "phone"):
            if first.values[field_name] != row.values[field_name]:
                header = OWNERSHIPS.column(field_name).header
                ps.error(
                    self.errors,
                    row,
                    field_name,
                    f"同一业主在第 {first.number} 行的{header}不同,各行须一致",
                    f"the same owner has a different {header} on row {first.number}; "
                    "every row must agree",
                )
                return

    def _stored_owners(self, owner_rows: dict[str, Row], found: dict[str, dict]) -> None:
        """Add to ``found`` the stored owners of ``owner_rows`` it lacks, by 证件号码.

        People are looked up by the keyed hash of their ID number (it is stored encrypted),
        organisations by credit code.
        """
        missing = {c: r for c, r in owner_rows.items() if c not in found}
        people = {
            keyed_hash("id_number", c): c
            for c, r in missing.items()
            if r.values["kind"] not in ORGANISATION_KINDS
        }
        organisations = [c for c, r in missing.items() if r.values["kind"] in ORGANISATION_KINDS]
        for chunk in _chunks(people):
            rows = Owner.objects.filter(id_number_hash__in=chunk).values(
                "id", "id_number_hash", *_OWNER_FIELDS
            )
            for r in rows:
                found[people[r["id_number_hash"]]] = r
        for chunk in _chunks(organisations):
            for r in Owner.objects.filter(credit_code__in=chunk).values(
                "id", "credit_code", *_OWNER_FIELDS
            ):
                found[r["credit_code"].upper()] = r

    def _stored_ownerships(
        self, dwellings: set[tuple[str, ...]]
    ) -> tuple[dict[int, dict[str, dict]], dict[str, dict]]:
        """Stored ownerships of the listed dwellings (dwelling pk -> owner code -> row), and
        every owner holding a dwelling of the workbook's compounds (code -> row).

        Read per compound, like the other levels: a few queries however many dwellings. Owner
        codes are decrypted here (server side) to match the workbook's.
        """
        ids = self.plan.ids[DWELLINGS.name]
        listed = {ids[d] for d in dwellings if d in ids}
        held: dict[int, dict[str, dict]] = {}
        owners: dict[str, dict] = {}
        names = (
            "id",
            "dwelling_id",
            "share",
            "owner_id",
            "owner__id_number",
            "owner__credit_code",
            *(f"owner__{f}" for f in _OWNER_FIELDS),
        )
        codes: dict[int, str] = {}
        for chunk in _chunks(self.compound_ids):
            rows = Ownership.objects.filter(
                dwelling__stairwell__building__compound_id__in=chunk
            ).values_list(*names)
            for pk, dwelling_id, share, owner_id, id_number, credit_code, *fields in rows:
                code = codes.get(owner_id)
                if code is None:
                    code = (reveal(id_number) if id_number else credit_code or "").upper()
                    codes[owner_id] = code
                if code not in owners:
                    owners[code] = {"id": owner_id, **dict(zip(_OWNER_FIELDS, fields, strict=True))}
                if dwelling_id in listed:
                    held.setdefault(dwelling_id, {})[code] = {
                        "id": pk,
                        "share": share,
                        "name": owners[code]["name"],
                    }
        return held, owners
