"""Scope rules for registry models: which rows a Scope covers.

A scope bound to places (district, zone, sub-district, community, compound) or to a property
company covers whole compounds and everything in them. A resident's scope covers their own
dwellings, plus the building, stairwell and compound around them (for the page they browse),
but no neighbour's dwelling, owner or household. Parent places (district, sub-district,
community, zone) are visible when they contain something in scope, so breadcrumbs work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from linli.core.models import AuditEvent
from linli.core.scoping import MATCH_NONE, Scope, any_of, register, scope_for, scoped
from linli.registry import models as m

COMPOUND_OF_DWELLING = "stairwell__building__compound"


def whole_compounds(scope: Scope, prefix: str = "") -> Q:
    """Compounds covered entirely (every dwelling, owner and household in them)."""
    p = prefix
    return any_of(
        (f"{p}pk", scope.compound_ids),
        (f"{p}zone_id", scope.zone_ids),
        (f"{p}community_id", scope.community_ids),
        (f"{p}community__subdistrict_id", scope.subdistrict_ids),
        (f"{p}community__subdistrict__district_id", scope.district_ids),
        (f"{p}property_company_id", scope.organisation_ids),
    )


@dataclass(frozen=True)
class Placement:
    """Where a compound sits (or would sit): what :func:`whole_compounds` matches on."""

    district_id: int | None
    subdistrict_id: int | None
    community_id: int | None
    zone_id: int | None = None
    compound_id: int | None = None
    property_company_id: int | None = None


def covers_placement(scope: Scope, placement: Placement) -> bool:
    """Whether ``scope`` covers a whole compound placed so, in Python (for unsaved rows).

    The same test as :func:`whole_compounds`, for a compound an import would create or move;
    ``tests/access`` checks the two agree on every stored compound.
    """
    if scope.everything:
        return True
    pairs = (
        (placement.compound_id, scope.compound_ids),
        (placement.zone_id, scope.zone_ids),
        (placement.community_id, scope.community_ids),
        (placement.subdistrict_id, scope.subdistrict_ids),
        (placement.district_id, scope.district_ids),
        (placement.property_company_id, scope.organisation_ids),
    )
    return any(value is not None and value in ids for value, ids in pairs)


def whole_compounds_of(user: Any, permission: str | None = None) -> QuerySet[m.Compound]:
    """Compounds ``user`` holds entirely (for ``permission``): what an export may contain.

    Unlike the compound rule it leaves out the compound around a resident's own dwelling,
    whose other dwellings and people the resident does not see.
    """
    scope = scope_for(user, permission)
    compounds = m.Compound.objects.all()
    if scope.everything:
        return compounds
    return compounds.filter(whole_compounds(scope))


def require_in_compound(by: Any, permission: str, compound_id: int, zh: str, en: str) -> None:
    """PermissionDenied (in Chinese and English) unless ``by`` holds ``permission`` over the
    compound; ``by=None`` is the system itself (demo builders, scheduled jobs)."""
    if by is None:
        return
    if not scoped(m.Compound, by, permission).filter(pk=compound_id).exists():
        raise PermissionDenied(f"{zh} ({en})")


def _around_own_dwellings(scope: Scope, lookup: str, path: str) -> Q:
    """Rows (matched by ``lookup``) that contain one of the user's own dwellings."""
    if not scope.dwelling_ids:
        return MATCH_NONE
    containing = m.Dwelling.objects.filter(pk__in=sorted(scope.dwelling_ids)).values(path)
    return Q(**{f"{lookup}__in": containing})


def compound_rule(scope: Scope) -> Q:
    return whole_compounds(scope) | _around_own_dwellings(scope, "pk", COMPOUND_OF_DWELLING)


def visible_compounds(scope: Scope) -> QuerySet[m.Compound]:
    return m.Compound.objects.filter(compound_rule(scope))


def building_rule(scope: Scope) -> Q:
    return whole_compounds(scope, "compound__") | _around_own_dwellings(
        scope, "pk", "stairwell__building"
    )


def stairwell_rule(scope: Scope) -> Q:
    return whole_compounds(scope, "building__compound__") | _around_own_dwellings(
        scope, "pk", "stairwell"
    )


def dwelling_rule(scope: Scope) -> Q:
    return whole_compounds(scope, f"{COMPOUND_OF_DWELLING}__") | any_of(("pk", scope.dwelling_ids))


def ownership_rule(scope: Scope) -> Q:
    return whole_compounds(scope, f"dwelling__{COMPOUND_OF_DWELLING}__") | any_of(
        ("dwelling_id", scope.dwelling_ids)
    )


def owner_rule(scope: Scope) -> Q:
    # An owner belongs wherever they hold a dwelling. One holding none (just registered, or
    # after a sale) belongs to no place yet: only district-wide scopes see it, so that the
    # district office can still link it to a dwelling.
    held = Q(pk__in=m.Ownership.objects.filter(ownership_rule(scope)).values("owner_id"))
    if scope.district_ids:
        return held | Q(~Exists(m.Ownership.objects.filter(owner_id=OuterRef("pk"))))
    return held


def household_rule(scope: Scope) -> Q:
    return whole_compounds(scope, f"dwelling__{COMPOUND_OF_DWELLING}__") | any_of(
        ("dwelling_id", scope.dwelling_ids)
    )


def resident_rule(scope: Scope) -> Q:
    return whole_compounds(scope, f"household__dwelling__{COMPOUND_OF_DWELLING}__") | any_of(
        ("household__dwelling_id", scope.dwelling_ids)
    )


def district_rule(scope: Scope) -> Q:
    return (
        any_of(("pk", scope.district_ids))
        | Q(pk__in=visible_compounds(scope).values("community__subdistrict__district_id"))
        | Q(pk__in=m.Zone.objects.filter(pk__in=sorted(scope.zone_ids)).values("district_id"))
        | Q(
            pk__in=m.Subdistrict.objects.filter(pk__in=sorted(scope.subdistrict_ids)).values(
                "district_id"
            )
        )
        | Q(
            pk__in=m.Community.objects.filter(pk__in=sorted(scope.community_ids)).values(
                "subdistrict__district_id"
            )
        )
    )


def subdistrict_rule(scope: Scope) -> Q:
    return (
        any_of(("pk", scope.subdistrict_ids), ("district_id", scope.district_ids))
        | Q(pk__in=visible_compounds(scope).values("community__subdistrict_id"))
        | Q(
            pk__in=m.Community.objects.filter(pk__in=sorted(scope.community_ids)).values(
                "subdistrict_id"
            )
        )
    )


def community_rule(scope: Scope) -> Q:
    return any_of(
        ("pk", scope.community_ids),
        ("subdistrict_id", scope.subdistrict_ids),
        ("subdistrict__district_id", scope.district_ids),
    ) | Q(pk__in=visible_compounds(scope).values("community_id"))


def zone_rule(scope: Scope) -> Q:
    return any_of(("pk", scope.zone_ids), ("district_id", scope.district_ids)) | Q(
        pk__in=visible_compounds(scope).values("zone_id")
    )


def organisation_rule(scope: Scope) -> Q:
    return any_of(("pk", scope.organisation_ids), ("district_id", scope.district_ids)) | Q(
        pk__in=visible_compounds(scope).values("property_company_id")
    )


def upload_rule(scope: Scope) -> Q:
    # An uploaded workbook holds personal data: only its uploader (and superusers) see it.
    return Q(uploaded_by_id=scope.user_id) if scope.user_id else MATCH_NONE


def audit_rule(scope: Scope) -> Q:
    """Audit events of compounds the scope covers entirely (a resident does not read the
    history of neighbours' dwellings), of the district's places and owners for district-wide
    scopes, and the caller's own events."""
    rule = Q(compound_id__in=m.Compound.objects.filter(whole_compounds(scope)).values("pk"))
    if scope.district_ids:
        rule |= Q(compound_id__isnull=True, model_label__startswith="registry.") & ~Q(
            model_label=m.RegistryUpload._meta.label_lower
        )
    if scope.user_id:
        rule |= Q(actor_id=scope.user_id)
    return rule


def register_rules() -> None:
    register(m.District, district_rule)
    register(m.Subdistrict, subdistrict_rule)
    register(m.Community, community_rule)
    register(m.Zone, zone_rule)
    register(m.Organisation, organisation_rule)
    register(m.Compound, compound_rule)
    register(m.Building, building_rule)
    register(m.Stairwell, stairwell_rule)
    register(m.Dwelling, dwelling_rule)
    register(m.Ownership, ownership_rule)
    register(m.Owner, owner_rule)
    register(m.Household, household_rule)
    register(m.Resident, resident_rule)
    register(m.RegistryUpload, upload_rule)
    register(AuditEvent, audit_rule)
