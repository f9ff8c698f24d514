"""The Xigong demo: a deterministic, plausible registry of 西工区's old compounds.

:func:`generate` turns a seed into plain rows (no ORM); :func:`build` writes them in one
transaction with ``bulk_create``; :func:`content_hash` hashes every registry row's business
fields so two builds can be proven identical. The work is split over sibling modules:
``demo_data`` (reference tables: sub-districts, streets, names), ``demo_rows`` (the plain
rows and the fake people), ``demo_generate`` (the seeded generation). Everything random is
drawn from one ``random.Random(seed)`` in a fixed order, and ages are reckoned from a fixed
demo year, never from the clock. Names, IDs and phone numbers are fake; sub-district and
community codes are demo codes in the NBS format. ``docs/demo.md`` explains the numbers.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from linli.core import audit
from linli.core.crypto import SensitiveValue
from linli.core.errors import Invalid
from linli.core.models import AuditAction
from linli.registry.demo_generate import (
    DEFAULT_SEED,
    DISTRICT,
    FULL_COMPOUNDS,
    DemoData,
    Plan,
    generate,
)
from linli.registry.models import (
    Building,
    Community,
    Compound,
    District,
    Dwelling,
    Household,
    Organisation,
    Owner,
    Ownership,
    RenovationStatus,
    Resident,
    Stairwell,
    Subdistrict,
    Zone,
)

__all__ = [
    "DEFAULT_SEED",
    "FULL_COMPOUNDS",
    "REGISTRY_MODELS",
    "BuildSummary",
    "DemoData",
    "Plan",
    "build",
    "clear_registry",
    "content_hash",
    "generate",
    "registry_is_empty",
    "summarize",
    "write",
]

BATCH_SIZE = 5000  # Django caps it further at SQLite's 999 parameters per statement

#: Every registry model, parents first; deletion runs in reverse.
REGISTRY_MODELS: tuple[type[models.Model], ...] = (
    District,
    Subdistrict,
    Community,
    Zone,
    Organisation,
    Compound,
    Building,
    Stairwell,
    Dwelling,
    Owner,
    Ownership,
    Household,
    Resident,
)

# --- writing and hashing -------------------------------------------------------------------


@dataclass(frozen=True)
class BuildSummary:
    """What a build wrote, counted back from the database."""

    compounds: int
    zones: int
    renovated: int
    households_renovated: int
    people_renovated: int
    dwellings: int
    owners: int
    residents: int
    seconds: float


def registry_is_empty() -> bool:
    """Whether no registry table holds a row."""
    return not any(model._default_manager.exists() for model in REGISTRY_MODELS)


def clear_registry() -> None:
    """Delete every registry row, children first (other apps' PROTECT links still apply)."""
    for model in reversed(REGISTRY_MODELS):
        model._default_manager.all().delete()


def build(
    *, seed: int = DEFAULT_SEED, compounds: int = FULL_COMPOUNDS, reset: bool = False
) -> BuildSummary:
    """Generate the demo and write it in one transaction.

    Refuses (:class:`Invalid`) to write into a non-empty registry unless ``reset``, which
    first deletes every registry row.
    """
    started = time.perf_counter()
    data = generate(seed=seed, compounds=compounds)
    # Seeding half a million rows gets one summarising audit event, not one per row: the
    # rows are generated, not anyone's change, and per-row events would double the build.
    with transaction.atomic(), audit.suppressed():
        deleted: dict[str, int] = {}
        if not registry_is_empty():
            if not reset:
                raise Invalid(
                    "登记库中已有数据,未生成演示数据;如需清空后重建,请加 --reset",
                    "the registry already holds data, so the demo was not built; "
                    "use --reset to delete it and rebuild",
                    "registry_not_empty",
                )
            deleted = registry_counts()
            try:
                clear_registry()
            except ProtectedError as exc:
                raise Invalid(
                    "登记库数据仍被其他业务数据引用,无法清空",
                    "registry rows are still referenced by other records and cannot be deleted",
                    "registry_protected",
                ) from exc
        write(data)
        audit.record(
            action=AuditAction.BULK,
            model_label="registry",
            object_repr="演示数据 (demo registry)",
            changes={
                "seed": seed,
                "compounds": compounds,
                "deleted": deleted,
                "created": registry_counts(),
            },
        )
    return summarize(seconds=time.perf_counter() - started)


def registry_counts() -> dict[str, int]:
    """Rows per registry model (by model label), for the demo's audit event."""
    return {model._meta.label_lower: model._default_manager.count() for model in REGISTRY_MODELS}


def _created(model: type[models.Model], objs: list[models.Model]) -> list[int]:
    """bulk_create ``objs`` and return their primary keys, in order."""
    created = model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    pks = [obj.pk for obj in created]
    if pks and pks[-1] is None:  # a backend that cannot return ids from bulk inserts
        raise RuntimeError(f"{model.__name__}: bulk_create returned no primary keys")
    return pks


def write(data: DemoData) -> None:
    """Insert the rows of ``data`` (call inside a transaction)."""
    district = District.objects.create(code=DISTRICT[0], name=DISTRICT[1])
    subs = _created(
        Subdistrict, [Subdistrict(district=district, code=c, name=n) for c, n in data.subdistricts]
    )
    communities = _created(
        Community,
        [Community(subdistrict_id=subs[s], code=c, name=n) for s, c, n in data.communities],
    )
    zones = _created(Zone, [Zone(district=district, code=c, name=n) for c, n in data.zones])
    organisations = _created(
        Organisation,
        [
            Organisation(kind=o.kind, name=o.name, credit_code=o.credit_code, district=district)
            for o in data.organisations
        ],
    )
    compounds = _created(
        Compound,
        [
            Compound(
                code=r.code,
                name=r.name,
                community_id=communities[r.community],
                zone_id=zones[r.zone],
                property_company_id=None
                if r.property_company is None
                else organisations[r.property_company],
                address=r.address,
                year_built=r.year_built,
                management_mode=r.management_mode,
                heritage=r.heritage,
                floor_area=r.floor_area,
                renovation_status=r.renovation_status,
                renovated_year=r.renovated_year,
                longitude=r.longitude,
                latitude=r.latitude,
            )
            for r in data.compounds
        ],
    )
    buildings = _created(
        Building,
        [
            Building(
                compound_id=compounds[r.compound],
                number=r.number,
                storeys=r.storeys,
                has_elevator=r.has_elevator,
                structure=r.structure,
                year_built=r.year_built,
            )
            for r in data.buildings
        ],
    )
    stairwells = _created(
        Stairwell, [Stairwell(building_id=buildings[b], number=n) for b, n in data.stairwells]
    )
    dwellings = _created(
        Dwelling,
        [
            Dwelling(
                stairwell_id=stairwells[r.stairwell],
                number=r.number,
                floor=r.floor,
                area=r.area,
                sale_status=r.sale_status,
            )
            for r in data.dwellings
        ],
    )
    owners = _created(
        Owner,
        [
            Owner(
                kind=r.kind,
                name=r.name,
                id_number=r.id_number,
                credit_code=r.credit_code,
                phone=r.phone,
            )
            for r in data.owners
        ],
    )
    Ownership.objects.bulk_create(
        [
            Ownership(owner_id=owners[o], dwelling_id=dwellings[d], share=s)
            for o, d, s in data.ownerships
        ],
        batch_size=BATCH_SIZE,
    )
    households = _created(
        Household,
        [
            Household(
                dwelling_id=dwellings[h.dwelling],
                head_name=h.members[0].name,
                is_owner_occupied=h.is_owner_occupied,
            )
            for h in data.households
        ],
    )
    Resident.objects.bulk_create(
        [
            Resident(
                household_id=households[i],
                name=p.name,
                id_number=p.id_number,
                phone=p.phone,
                gender=p.gender,
                birth_year=p.birth_year,
            )
            for i, h in enumerate(data.households)
            for p in h.members
        ],
        batch_size=BATCH_SIZE,
    )


def summarize(*, seconds: float = 0.0) -> BuildSummary:
    """Count the registry as the demo summary reports it."""
    renovated = {
        "dwelling__stairwell__building__compound__renovation_status": RenovationStatus.RENOVATED
    }
    return BuildSummary(
        compounds=Compound.objects.count(),
        zones=Zone.objects.count(),
        renovated=Compound.objects.renovated().count(),
        households_renovated=Household.objects.filter(**renovated).count(),
        people_renovated=Resident.objects.filter(
            **{f"household__{k}": v for k, v in renovated.items()}
        ).count(),
        dwellings=Dwelling.objects.count(),
        owners=Owner.objects.count(),
        residents=Resident.objects.count(),
        seconds=seconds,
    )


_DWELLING = (
    "stairwell__building__compound__code",
    "stairwell__building__number",
    "stairwell__number",
    "number",
)
_OWNER = ("kind", "name", "id_number", "credit_code", "phone")
_HOUSEHOLD = (*(f"dwelling__{f}" for f in _DWELLING), "head_name", "is_owner_occupied")

#: Business fields hashed per model; foreign keys appear as their natural keys.
HASHED_FIELDS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (District, ("code", "name")),
    (Subdistrict, ("district__code", "code", "name")),
    (Community, ("subdistrict__code", "code", "name")),
    (Zone, ("district__code", "code", "name")),
    (Organisation, ("kind", "name", "credit_code", "district__code")),
    (
        Compound,
        (
            "code",
            "name",
            "community__code",
            "zone__code",
            "property_company__name",
            "address",
            "year_built",
            "management_mode",
            "heritage",
            "floor_area",
            "renovation_status",
            "renovated_year",
            "longitude",
            "latitude",
        ),
    ),
    (Building, ("compound__code", "number", "storeys", "has_elevator", "structure", "year_built")),
    (Stairwell, ("building__compound__code", "building__number", "number")),
    (Dwelling, (*_DWELLING, "floor", "area", "sale_status")),
    (Owner, _OWNER),
    (
        Ownership,
        (*(f"owner__{f}" for f in _OWNER), *(f"dwelling__{f}" for f in _DWELLING), "share"),
    ),
    (Household, _HOUSEHOLD),
    (
        Resident,
        (
            *(f"household__{f}" for f in _HOUSEHOLD),
            "name",
            "id_number",
            "phone",
            "gender",
            "birth_year",
        ),
    ),
)


def _text(value: object) -> str:
    # Personal data is hashed as plaintext: ciphertexts differ on every build (random nonces)
    # and keyed hashes on every key, but the demo's content does not.
    if value is None:
        return "\x00"
    if isinstance(value, SensitiveValue):
        return value.reveal()
    return str(value)


def _lines(model: type[models.Model], fields: tuple[str, ...]) -> Iterator[str]:
    rows = model._default_manager.order_by().values_list(*fields).iterator(chunk_size=10_000)
    return iter(sorted("\x1f".join(_text(v) for v in row) for row in rows))


def content_hash() -> str:
    """SHA-256 over every registry row's business fields (no pks, no timestamps), sorted."""
    digest = hashlib.sha256()
    for model, fields in HASHED_FIELDS:
        digest.update(f"#{model._meta.label}\n".encode())
        for line in _lines(model, fields):
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()
