"""Reads of the registry that are more than a one-liner: dashboard figures and browse lists.

Counts are annotated with correlated subqueries (one per count) rather than joins, so a
list page costs a fixed number of queries and counts never multiply each other through
join fan-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from linli.registry.models import (
    Building,
    Community,
    Compound,
    CompoundQuerySet,
    District,
    Dwelling,
    Household,
    Ownership,
    RenovationStatus,
    Resident,
    Stairwell,
    Subdistrict,
    Zone,
)

__all__ = [
    "DashboardFigures",
    "FloorRow",
    "SubdistrictFigures",
    "buildings_with_counts",
    "communities_with_counts",
    "compounds_for_browse",
    "dashboard_figures",
    "districts_with_counts",
    "dwelling_for_detail",
    "stairwell_floors",
    "stairwells_with_counts",
    "subdistrict_figures",
    "subdistricts_with_counts",
]

RENOVATED = RenovationStatus.RENOVATED


def _count(model: type[models.Model], link: str, **filters: Any) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``model`` rows whose ``link`` points at the outer row."""
    counted = (
        model._default_manager.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    """The programme's headline numbers, as the dashboard shows them."""

    compounds: int
    zones: int
    renovated_compounds: int
    households_benefited: int
    people_benefited: int
    buildings: int
    dwellings: int

    @property
    def renovated_percent(self) -> int:
        """Renovated compounds as a whole percentage of all compounds (0 when there are none)."""
        if not self.compounds:
            return 0
        return round(100 * self.renovated_compounds / self.compounds)


def dashboard_figures(compounds: QuerySet[Compound] | None = None) -> DashboardFigures:
    """Headline figures over ``compounds`` (default: the whole registry), six aggregate queries.

    Households and people *benefited* are the households registered in renovated compounds and
    the residents of those households. With a scoped queryset, zones are the zones holding at
    least one of those compounds; unscoped, every zone counts, including one still empty.
    """
    base = Compound.objects.all() if compounds is None else compounds
    head = base.aggregate(
        compounds=Count("pk"), renovated=Count("pk", filter=Q(renovation_status=RENOVATED))
    )
    if compounds is None:
        zones = Zone.objects.count()
    else:
        zones = Zone.objects.filter(compounds__in=base.values("pk")).distinct().count()
    renovated_pks = base.filter(renovation_status=RENOVATED).values("pk")
    households = Household.objects.filter(
        dwelling__stairwell__building__compound__in=renovated_pks
    ).count()
    people = Resident.objects.filter(
        household__dwelling__stairwell__building__compound__in=renovated_pks
    ).count()
    all_pks = base.values("pk")
    return DashboardFigures(
        compounds=head["compounds"],
        zones=zones,
        renovated_compounds=head["renovated"],
        households_benefited=households,
        people_benefited=people,
        buildings=Building.objects.filter(compound__in=all_pks).count(),
        dwellings=Dwelling.objects.filter(stairwell__building__compound__in=all_pks).count(),
    )


@dataclass(frozen=True)
class SubdistrictFigures:
    """One row of the dashboard's per-sub-district table."""

    pk: int
    code: str
    name: str
    compounds: int
    renovated_compounds: int
    households_benefited: int
    people_benefited: int


def subdistrict_figures() -> list[SubdistrictFigures]:
    """Compounds, renovated compounds and households/people benefited per sub-district (one query)."""
    compound_path = "dwelling__stairwell__building__compound"
    rows = (
        Subdistrict.objects.annotate(
            n_compounds=_count(Compound, "community__subdistrict"),
            n_renovated=_count(Compound, "community__subdistrict", renovation_status=RENOVATED),
            n_households=_count(
                Household,
                f"{compound_path}__community__subdistrict",
                **{f"{compound_path}__renovation_status": RENOVATED},
            ),
            n_people=_count(
                Resident,
                f"household__{compound_path}__community__subdistrict",
                **{f"household__{compound_path}__renovation_status": RENOVATED},
            ),
        )
        .order_by("code")
        .values("pk", "code", "name", "n_compounds", "n_renovated", "n_households", "n_people")
    )
    return [
        SubdistrictFigures(
            pk=row["pk"],
            code=row["code"],
            name=row["name"],
            compounds=row["n_compounds"],
            renovated_compounds=row["n_renovated"],
            households_benefited=row["n_households"],
            people_benefited=row["n_people"],
        )
        for row in rows
    ]


# --- browsing ------------------------------------------------------------------------------


def districts_with_counts() -> QuerySet[District]:
    """Districts annotated with ``subdistrict_count`` and ``compound_count``."""
    return District.objects.annotate(
        subdistrict_count=_count(Subdistrict, "district"),
        compound_count=_count(Compound, "community__subdistrict__district"),
    )


def subdistricts_with_counts(district: District) -> QuerySet[Subdistrict]:
    """A district's sub-districts with ``community_count``, ``compound_count``, ``renovated_count``."""
    return district.subdistricts.annotate(
        community_count=_count(Community, "subdistrict"),
        compound_count=_count(Compound, "community__subdistrict"),
        renovated_count=_count(Compound, "community__subdistrict", renovation_status=RENOVATED),
    )


def communities_with_counts(subdistrict: Subdistrict) -> QuerySet[Community]:
    """A sub-district's communities with ``compound_count`` and ``renovated_count``."""
    return subdistrict.communities.annotate(
        compound_count=_count(Compound, "community"),
        renovated_count=_count(Compound, "community", renovation_status=RENOVATED),
    )


def compounds_for_browse() -> CompoundQuerySet:
    """Compounds with their counts and the community, sub-district and zone already joined."""
    return Compound.objects.with_counts().select_related("community__subdistrict", "zone")


def buildings_with_counts(compound: Compound) -> QuerySet[Building]:
    """A compound's buildings with ``stairwell_count``, ``dwelling_count``, ``household_count``."""
    return compound.buildings.annotate(
        stairwell_count=_count(Stairwell, "building"),
        dwelling_count=_count(Dwelling, "stairwell__building"),
        household_count=_count(Household, "dwelling__stairwell__building"),
    )


def stairwells_with_counts(building: Building) -> QuerySet[Stairwell]:
    """A building's stairwells with ``dwelling_count``, ``household_count``, ``people_count``."""
    return building.stairwells.annotate(
        dwelling_count=_count(Dwelling, "stairwell"),
        household_count=_count(Household, "dwelling__stairwell"),
        people_count=_count(Resident, "household__dwelling__stairwell"),
    )


@dataclass(frozen=True)
class FloorRow:
    """The dwellings on one floor of a stairwell, in number order."""

    floor: int
    dwellings: list[Dwelling]


def stairwell_floors(stairwell: Stairwell) -> list[FloorRow]:
    """A stairwell's dwellings grouped by floor, top floor first (as the building stands).

    Each dwelling carries ``ownership_list`` (with owners) and ``household_count``; three
    queries however many dwellings there are.
    """
    dwellings = (
        stairwell.dwellings.annotate(household_count=_count(Household, "dwelling"))
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=Ownership.objects.select_related("owner").order_by("owner__name"),
                to_attr="ownership_list",
            )
        )
        .order_by("-floor", "number")
    )
    rows: list[FloorRow] = []
    for dwelling in dwellings:
        if not rows or rows[-1].floor != dwelling.floor:
            rows.append(FloorRow(floor=dwelling.floor, dwellings=[]))
        rows[-1].dwellings.append(dwelling)
    return rows


def dwelling_for_detail() -> QuerySet[Dwelling]:
    """Dwellings with the whole hierarchy joined, owners and households (with resident counts)."""
    return Dwelling.objects.select_related(
        "stairwell__building__compound__community__subdistrict__district"
    ).prefetch_related(
        Prefetch(
            "ownerships",
            queryset=Ownership.objects.select_related("owner").order_by("owner__name"),
            to_attr="ownership_list",
        ),
        Prefetch(
            "households",
            queryset=Household.objects.annotate(resident_count=_count(Resident, "household")),
            to_attr="household_list",
        ),
    )
