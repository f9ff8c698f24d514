"""The demo log-ins: the superuser ``admin`` and one account per role, bound to the demo.

Each role account holds a role assignment bound to a place or organisation of the Xigong
demo (``linli demo build``), so logging in as each shows that role's part of the registry
(``docs/access.md``). Running it again resets the users' flags, password and assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.errors import Invalid
from linli.core.scoping import clear_cached_scopes
from linli.registry.demo_data import HOUSING_DEPARTMENT, KAIXUAN_COMPOUND
from linli.registry.models import Compound, Dwelling, Organisation, OwnerKind

ADMIN_USERNAME = "admin"
DISTRICT_USERNAME = "demo-district"
ZONE_USERNAME = "demo-zone"
SUBDISTRICT_USERNAME = "demo-subdistrict"
COMMUNITY_USERNAME = "demo-community"
PROPERTY_USERNAME = "demo-property"
DEPARTMENT_USERNAME = "demo-department"
RESIDENT_USERNAME = "demo-resident"

#: The compound whose zone, sub-district, community and one owner the demo roles are.
DAONAN_COMPOUND = "道南路70号院"

USERNAMES: tuple[str, ...] = (
    ADMIN_USERNAME,
    DISTRICT_USERNAME,
    ZONE_USERNAME,
    SUBDISTRICT_USERNAME,
    COMMUNITY_USERNAME,
    PROPERTY_USERNAME,
    DEPARTMENT_USERNAME,
    RESIDENT_USERNAME,
)


@dataclass
class DemoAccount:
    """A demo user: its display name, flags and the role assignments it holds."""

    username: str
    first_name: str
    is_staff: bool = False
    is_superuser: bool = False
    #: (role, jurisdiction field, bound object, can_view_personal_data)
    roles: list[tuple[str, str, models.Model, bool]] = field(default_factory=list)


@transaction.atomic
def ensure_demo_accounts(*, password: str) -> list[str]:
    """Create or update the demo users with ``password``; returns their usernames.

    Idempotent: running it again resets the flags, direct permissions, role assignments and
    password. The password must pass the configured password validators (the demo may be
    reachable on a network), and the demo registry must be built (the accounts are bound to
    its places).
    """
    zh, en = _password_problems(password, "zh-hans"), _password_problems(password, "en")
    if zh or en:
        raise Invalid(
            f"演示密码不符合要求:{zh}(请设置 LINLI_DEMO_PASSWORD)",
            f"the demo password is not acceptable: {en} (set LINLI_DEMO_PASSWORD)",
            "demo_password",
        )
    accounts = demo_accounts()
    for account in accounts:
        _ensure(account, password)
    return [account.username for account in accounts]


def demo_accounts() -> list[DemoAccount]:
    """The demo users and what each is bound to, found in the demo registry."""
    daonan = _compound(DAONAN_COMPOUND)
    kaixuan = _compound(KAIXUAN_COMPOUND)
    district = daonan.community.subdistrict.district
    if daonan.zone is None or kaixuan.property_company is None:
        raise _missing(f"{DAONAN_COMPOUND} 的片区或 {KAIXUAN_COMPOUND} 的物业企业")
    housing = Organisation.objects.filter(name=HOUSING_DEPARTMENT).first()
    if housing is None:
        raise _missing(HOUSING_DEPARTMENT)
    owner, dwellings = resident_of(daonan)
    return [
        DemoAccount(ADMIN_USERNAME, "系统管理员", is_staff=True, is_superuser=True),
        DemoAccount(
            DISTRICT_USERNAME,
            f"{district.name}百城办",
            is_staff=True,  # the district office also works in /admin/
            roles=[(Role.DISTRICT_OFFICE, "district", district, True)],
        ),
        DemoAccount(
            ZONE_USERNAME,
            f"{daonan.zone.name}分包领导",
            roles=[(Role.ZONE_LEAD, "zone", daonan.zone, False)],
        ),
        DemoAccount(
            SUBDISTRICT_USERNAME,
            daonan.community.subdistrict.name,
            roles=[(Role.SUBDISTRICT_OFFICE, "subdistrict", daonan.community.subdistrict, False)],
        ),
        DemoAccount(
            COMMUNITY_USERNAME,
            f"{daonan.community.name}居委会",
            roles=[(Role.COMMUNITY, "community", daonan.community, True)],
        ),
        DemoAccount(
            PROPERTY_USERNAME,
            kaixuan.property_company.name,
            roles=[(Role.PROPERTY_COMPANY, "organisation", kaixuan.property_company, False)],
        ),
        DemoAccount(
            DEPARTMENT_USERNAME,
            housing.name,
            roles=[(Role.DEPARTMENT, "organisation", housing, False)],
        ),
        DemoAccount(
            RESIDENT_USERNAME,
            owner,
            roles=[(Role.RESIDENT, "dwelling", dwelling, False) for dwelling in dwellings],
        ),
    ]


def resident_of(compound: Compound) -> tuple[str, list[Dwelling]]:
    """The demo resident: the first person (in address order) who owns and lives in a
    dwelling of ``compound`` alone; returns their name and every dwelling they own there."""
    dwellings = (
        Dwelling.objects.filter(stairwell__building__compound=compound)
        .filter(ownerships__owner__kind=OwnerKind.PERSON, households__is_owner_occupied=True)
        .order_by("stairwell__building__number", "stairwell__number", "floor", "number")
        .prefetch_related("ownerships__owner")
        .distinct()
    )
    for dwelling in dwellings:
        ownerships = list(dwelling.ownerships.all())
        if len(ownerships) == 1:
            owner = ownerships[0].owner
            held = Dwelling.objects.filter(
                stairwell__building__compound=compound, ownerships__owner=owner
            ).order_by("stairwell__building__number", "stairwell__number", "floor", "number")
            return owner.name, list(held)
    raise _missing(f"{compound.name} 的自住业主")


def _ensure(account: DemoAccount, password: str) -> None:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=account.username)
    user.first_name = account.first_name
    user.is_active = True
    user.is_staff = account.is_staff
    user.is_superuser = account.is_superuser
    user.set_password(password)
    user.save()
    # Permissions come from roles now: direct ones (an earlier demo gave some) must go.
    user.user_permissions.clear()
    user.groups.clear()
    RoleAssignment.objects.filter(user=user).delete()
    for role, field_name, jurisdiction, personal in account.roles:
        assignment = RoleAssignment(
            user=user, role=role, can_view_personal_data=personal, **{field_name: jurisdiction}
        )
        assignment.full_clean()
        assignment.save()
    clear_cached_scopes(user)


def _compound(name: str) -> Compound:
    compound = (
        Compound.objects.select_related(
            "community__subdistrict__district", "zone", "property_company"
        )
        .filter(name=name)
        .first()
    )
    if compound is None:
        raise _missing(name)
    return compound


def _missing(what: Any) -> Invalid:
    return Invalid(
        f"演示数据中找不到{what},请先运行 linli demo build",
        f"{what} is not in the registry: run linli demo build first",
        "demo_missing",
    )


def _password_problems(password: str, language: str) -> str:
    """The password validators' objections in ``language``, joined; empty if none."""
    with translation.override(language):
        try:
            validate_password(password)
        except ValidationError as exc:
            return "; ".join(str(m) for m in exc.messages)
    return ""
