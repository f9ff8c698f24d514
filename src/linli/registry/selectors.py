"""Reads of the registry that are more than a one-liner: dashboard figures and browse lists.

Counts are annotated with correlated subqueries (one per count) rather than joins, so a
list page costs a fixed number of queries and counts never multiply each other through
join fan-out. Given a ``user``, every row listed and every row counted goes through the
jurisdiction scope (:func:`linli.core.scoping.scoped`): a community worker's district page
counts that community's compounds, not the district's. ``user=None`` means the whole
registry (commands and internal callers, never a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from linli.core.scoping import scoped
from linli.registry.models import (
    Building,
    Community,
    Compound,
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
    "compounds_with_counts",
    "dashboard_figures",
    "districts_with_counts",
    "dwelling_for_detail",
    "stairwell_floors",
    "stairwells_with_counts",
    "subdistrict_figures",
    "subdistricts_with_counts",
]

RENOVATED = RenovationStatus.RENOVATED
M = TypeVar("M", bound=models.Model)


def _rows(model: type[M], user: Any) -> QuerySet[M]:
    """Every row of ``model`` (``user`` None) or the rows ``user`` may see."""
    rows = model._default_manager.all()
    return rows if user is None else scoped(rows, user)


def _count(model: type[models.Model], link: str, user: Any = None, **filters: Any) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``model`` rows (those ``user`` sees) whose ``link`` points
    at the outer row."""
    counted = (
        _rows(model, user)
        .filter(**{link: OuterRef("pk")}, **filters)
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


def dashboard_figures(user: Any = None) -> DashboardFigures:
    """Headline figures over what ``user`` may see (None: the whole registry), six queries.

    Households and people *benefited* are the households registered in renovated compounds and
    the residents of those households. Zones are the zones the user sees: a whole district's
    zones, including one still empty, or the zones holding the user's compounds.
    """
    compounds = _rows(Compound, user)
    head = compounds.aggregate(
        compounds=Count("pk"), renovated=Count("pk", filter=Q(renovation_status=RENOVATED))
    )
    renovated_pks = compounds.filter(renovation_status=RENOVATED).values("pk")
    households = (
        _rows(Household, user)
        .filter(dwelling__stairwell__building__compound__in=renovated_pks)
        .count()
    )
    people = (
        _rows(Resident, user)
        .filter(household__dwelling__stairwell__building__compound__in=renovated_pks)
        .count()
    )
    return DashboardFigures(
        compounds=head["compounds"],
        zones=_rows(Zone, user).count(),
        renovated_compounds=head["renovated"],
        households_benefited=households,
        people_benefited=people,
        buildings=_rows(Building, user).count(),
        dwellings=_rows(Dwelling, user).count(),
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


def subdistrict_figures(user: Any = None) -> list[SubdistrictFigures]:
    """Compounds, renovated compounds and households/people benefited per sub-district, over
    what ``user`` may see (None: everything); one query. Only sub-districts the user sees are
    listed."""
    compound_path = "dwelling__stairwell__building__compound"
    rows = (
        _rows(Subdistrict, user)
        .annotate(
            n_compounds=_count(Compound, "community__subdistrict", user),
            n_renovated=_count(
                Compound, "community__subdistrict", user, renovation_status=RENOVATED
            ),
            n_households=_count(
                Household,
                f"{compound_path}__community__subdistrict",
                user,
                **{f"{compound_path}__renovation_status": RENOVATED},
            ),
            n_people=_count(
                Resident,
                f"household__{compound_path}__community__subdistrict",
                user,
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


def districts_with_counts(user: Any = None) -> QuerySet[District]:
    """Districts annotated with ``subdistrict_count`` and ``compound_count``."""
    return _rows(District, user).annotate(
        subdistrict_count=_count(Subdistrict, "district", user),
        compound_count=_count(Compound, "community__subdistrict__district", user),
    )


def subdistricts_with_counts(district: District, user: Any = None) -> QuerySet[Subdistrict]:
    """A district's sub-districts with ``community_count``, ``compound_count``, ``renovated_count``."""
    return (
        _rows(Subdistrict, user)
        .filter(district=district)
        .annotate(
            community_count=_count(Community, "subdistrict", user),
            compound_count=_count(Compound, "community__subdistrict", user),
            renovated_count=_count(
                Compound, "community__subdistrict", user, renovation_status=RENOVATED
            ),
        )
    )


def communities_with_counts(subdistrict: Subdistrict, user: Any = None) -> QuerySet[Community]:
    """A sub-district's communities with ``compound_count`` and ``renovated_count``."""
    return (
        _rows(Community, user)
        .filter(subdistrict=subdistrict)
        .annotate(
            compound_count=_count(Compound, "community", user),
            renovated_count=_count(Compound, "community", user, renovation_status=RENOVATED),
        )
    )


def compounds_with_counts(user: Any = None) -> QuerySet[Compound]:
    """Compounds annotated with ``building_count``, ``dwelling_count``, ``household_count`` and
    ``people_count`` (what :meth:`CompoundQuerySet.with_counts` gives, counted in scope: a
    resident's compound counts the resident's own dwelling, not the neighbours')."""
    return _rows(Compound, user).annotate(
        building_count=_count(Building, "compound", user),
        dwelling_count=_count(Dwelling, "stairwell__building__compound", user),
        household_count=_count(Household, "dwelling__stairwell__building__compound", user),
        people_count=_count(Resident, "household__dwelling__stairwell__building__compound", user),
    )


def compounds_for_browse(user: Any = None) -> QuerySet[Compound]:
    """Compounds with their counts and the community, sub-district and zone already joined."""
    return compounds_with_counts(user).select_related("community__subdistrict", "zone")


def buildings_with_counts(compound: Compound, user: Any = None) -> QuerySet[Building]:
    """A compound's buildings with ``stairwell_count``, ``dwelling_count``, ``household_count``."""
    return (
        _rows(Building, user)
        .filter(compound=compound)
        .annotate(
            stairwell_count=_count(Stairwell, "building", user),
            dwelling_count=_count(Dwelling, "stairwell__building", user),
            household_count=_count(Household, "dwelling__stairwell__building", user),
        )
    )


def stairwells_with_counts(building: Building, user: Any = None) -> QuerySet[Stairwell]:
    """A building's stairwells with ``dwelling_count``, ``household_count``, ``people_count``."""
    return (
        _rows(Stairwell, user)
        .filter(building=building)
        .annotate(
            dwelling_count=_count(Dwelling, "stairwell", user),
            household_count=_count(Household, "dwelling__stairwell", user),
            people_count=_count(Resident, "household__dwelling__stairwell", user),
        )
    )


@dataclass(frozen=True)
class FloorRow:
    """The dwellings on one floor of a stairwell, in number order."""

    floor: int
    dwellings: list[Dwelling]


def stairwell_floors(stairwell: Stairwell, user: Any = None) -> list[FloorRow]:
    """A stairwell's dwellings (those ``user`` sees) grouped by floor, top floor first (as the
    building stands).

    Each dwelling carries ``ownership_list`` (with owners) and ``household_count``; three
    queries however many dwellings there are.
    """
    dwellings = (
        _rows(Dwelling, user)
        .filter(stairwell=stairwell)
        .annotate(household_count=_count(Household, "dwelling", user))
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=_rows(Ownership, user).select_related("owner").order_by("owner__name"),
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


def dwelling_for_detail(user: Any = None) -> QuerySet[Dwelling]:
    """Dwellings (those ``user`` sees) with the whole hierarchy joined, owners and households
    (with resident counts)."""
    return (
        _rows(Dwelling, user)
        .select_related("stairwell__building__compound__community__subdistrict__district")
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=_rows(Ownership, user).select_related("owner").order_by("owner__name"),
                to_attr="ownership_list",
            ),
            Prefetch(
                "households",
                queryset=_rows(Household, user).annotate(
                    resident_count=_count(Resident, "household", user)
                ),
                to_attr="household_list",
            ),
        )
    )
