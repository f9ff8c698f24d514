"""What the demo projects are built from: the registry's compounds as plain facts, the
catalogue, the firms, and the demo users who sign reviews and are the projects' contacts
(:mod:`linli.renewal.demo`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count

from linli.accounts.demo import (
    COMMUNITY_USERNAME,
    DEPARTMENT_USERNAME,
    DISTRICT_USERNAME,
    SUBDISTRICT_USERNAME,
    ZONE_USERNAME,
)
from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.errors import Invalid
from linli.registry.models import (
    Compound,
    Household,
    Organisation,
    OrganisationKind,
    RenovationStatus,
    Stairwell,
)
from linli.renewal.demo_items import CompoundFact
from linli.renewal.models import CatalogueItem

#: Firms created when the registry has none of a kind (the registry demo has them).
FALLBACK_FIRMS = {
    OrganisationKind.DESIGN: ("洛阳演示设计院有限公司",),
    OrganisationKind.CONSTRUCTION: ("洛阳演示建设工程有限公司",),
    OrganisationKind.SUPERVISION: ("洛阳演示工程监理有限公司",),
}


def _status(compound: Compound) -> str:
    if compound.renovation_status == RenovationStatus.RENOVATED:
        return "renovated"
    if compound.renovation_status == RenovationStatus.IN_PROGRESS:
        return "in_progress"
    return "other"  # planned or not planned: a project marks it planned either way


@dataclass
class World:
    facts: list[CompoundFact]
    compounds: dict[str, Compound]
    items: dict[str, CatalogueItem]
    design: list[Organisation]
    construction: list[Organisation]
    supervision: list[Organisation]
    district_user: Any
    department_user: Any
    department_org: int | None
    contacts: dict[tuple[str, int], Any]

    @classmethod
    def load(cls) -> World:
        compounds = {
            c.code: c
            for c in Compound.objects.select_related(
                "zone", "community__subdistrict", "property_company"
            ).order_by("code")
        }
        if not compounds:
            raise Invalid(
                "登记库中没有小区,请先运行 linli demo build",
                "the registry holds no compound: run linli demo build first",
                "demo_missing",
            )
        users = {
            u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")
        }
        if DISTRICT_USERNAME not in users:
            raise Invalid(
                "没有演示账号,请先运行 linli demo accounts",
                "the demo accounts are missing: run linli demo accounts first",
                "demo_accounts_missing",
            )
        households = dict(
            Household.objects.values_list("dwelling__stairwell__building__compound__code")
            .annotate(n=Count("pk"))
            .order_by()
        )
        stairwells = dict(
            Stairwell.objects.values_list("building__compound__code")
            .annotate(n=Count("pk"))
            .order_by()
        )
        facts = [
            CompoundFact(
                code=c.code,
                name=c.name,
                zone=c.zone.code if c.zone else "",
                status=_status(c),
                renovated_year=c.renovated_year,
                year_built=c.year_built or 1990,
                households=households.get(c.code, 0),
                floor_area=c.floor_area or Decimal(0),
                stairwells=stairwells.get(c.code, 0),
            )
            for c in compounds.values()
        ]
        return cls(
            facts=facts,
            compounds=compounds,
            items={i.code: i for i in CatalogueItem.objects.select_related("indicator")},
            design=_firms(OrganisationKind.DESIGN),
            construction=_firms(OrganisationKind.CONSTRUCTION),
            supervision=_firms(OrganisationKind.SUPERVISION),
            district_user=users[DISTRICT_USERNAME],
            department_user=users.get(DEPARTMENT_USERNAME),
            department_org=RoleAssignment.objects.filter(
                user__username=DEPARTMENT_USERNAME, role=Role.DEPARTMENT
            )
            .values_list("organisation_id", flat=True)
            .first(),
            contacts=_contacts(users),
        )

    def contact(self, level: str, pk: int | None) -> Any:
        return None if pk is None else self.contacts.get((level, pk))


def _firms(kind: str) -> list[Organisation]:
    firms = list(Organisation.objects.filter(kind=kind).order_by("name"))
    if not firms:
        for name in FALLBACK_FIRMS[kind]:  # type: ignore[index]
            firm = Organisation(kind=kind, name=name)
            firm.full_clean()
            firm.save()
            firms.append(firm)
    return firms


def _contacts(users: dict[str, Any]) -> dict[tuple[str, int], Any]:
    """The demo accounts bound to a zone, sub-district or community, by (level, id)."""
    wanted = {
        ZONE_USERNAME: ("zone", "zone_id"),
        SUBDISTRICT_USERNAME: ("subdistrict", "subdistrict_id"),
        COMMUNITY_USERNAME: ("community", "community_id"),
    }
    contacts: dict[tuple[str, int], Any] = {}
    assignments = RoleAssignment.objects.filter(
        user__username__in=list(wanted),
        role__in=[Role.ZONE_LEAD, Role.SUBDISTRICT_OFFICE, Role.COMMUNITY],
    ).select_related("user")
    for assignment in assignments.order_by("pk"):
        level, attribute = wanted[assignment.user.username]
        pk = getattr(assignment, attribute)
        if pk is not None:
            contacts.setdefault((level, pk), assignment.user)
    return contacts
