"""Scope rules for registry models: which rows a Scope covers.

A scope bound to places (district, zone, sub-district, community, compound) or to a property
company covers whole compounds and everything in them. A resident's scope covers their own
dwellings, plus the building, stairwell and compound around them (for the page they browse),
but no neighbour's dwelling, owner or household. Parent places (district, sub-district,
community, zone) are visible when they contain something in scope, so breadcrumbs work.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linli.core.scoping import MATCH_NONE, Scope, any_of, register
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
    return Q(pk__in=m.Ownership.objects.filter(ownership_rule(scope)).values("owner_id"))


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
