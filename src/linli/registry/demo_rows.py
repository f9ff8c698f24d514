"""Plain rows of the Xigong demo, and the fake people who fill them.

Rows are dataclasses that reference each other by list index; :mod:`linli.registry.demo`
turns them into model instances.

Names come from common surnames and generation-typical given names; ID numbers carry a
valid GB 11643 check character and Luoyang county codes; phones are in the never-allocated
:data:`~linli.core.ids.FAKE_MOBILE_PREFIX` block. Ages are reckoned from :data:`DEMO_YEAR`,
never from the clock, so the same seed gives the same people in any year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from linli.core.ids import credit_code_check_char, fake_mobile, fake_resident_id
from linli.registry.demo_data import AREA_CODES, GIVEN_NAMES, SURNAMES

DEMO_YEAR = 2025  # ages and birth years are reckoned from this year, not from the clock


@dataclass(slots=True)
class CompoundRow:
    """A compound; ``community`` and ``zone`` index :class:`DemoData` lists."""

    code: str
    name: str
    community: int
    address: str
    year_built: int
    management_mode: str
    heritage: bool
    renovation_status: str
    renovated_year: int | None
    longitude: Decimal
    latitude: Decimal
    zone: int = -1
    floor_area: Decimal | None = None
    property_company: int | None = None  # index into DemoData.organisations


@dataclass(slots=True)
class OrganisationRow:
    """A company or department (OrganisationKind value) with its credit code."""

    kind: str
    name: str
    credit_code: str


@dataclass(slots=True)
class BuildingRow:
    """A building of ``compound`` (index)."""

    compound: int
    number: str
    storeys: int
    has_elevator: bool
    structure: str
    year_built: int


@dataclass(slots=True)
class DwellingRow:
    """A dwelling in ``stairwell`` (index into ``DemoData.stairwells``)."""

    stairwell: int
    number: str
    floor: int
    area: Decimal
    sale_status: str


@dataclass(slots=True)
class OwnerRow:
    """An owner; persons carry an ID number, developers a credit code."""

    kind: str
    name: str
    id_number: str | None
    credit_code: str | None
    phone: str


@dataclass(slots=True)
class HouseholdRow:
    """A household in ``dwelling`` (index) and its members."""

    dwelling: int
    is_owner_occupied: bool
    members: list[Person]


@dataclass
class DemoData:
    """The whole demo as plain rows; lists reference each other by index."""

    subdistricts: list[tuple[str, str]] = field(default_factory=list)
    communities: list[tuple[int, str, str]] = field(default_factory=list)
    zones: list[tuple[str, str]] = field(default_factory=list)
    organisations: list[OrganisationRow] = field(default_factory=list)
    compounds: list[CompoundRow] = field(default_factory=list)
    buildings: list[BuildingRow] = field(default_factory=list)
    stairwells: list[tuple[int, str]] = field(default_factory=list)
    dwellings: list[DwellingRow] = field(default_factory=list)
    owners: list[OwnerRow] = field(default_factory=list)
    ownerships: list[tuple[int, int, Decimal]] = field(default_factory=list)
    households: list[HouseholdRow] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    """A fake person: an owner, a resident, or both."""

    name: str
    id_number: str
    phone: str
    gender: str
    birth_year: int


def fake_credit_code(rng: random.Random, *, division: str, registration: str = "91") -> str:
    """A unified social credit code: ``registration`` (91 a company, 11 a government body),
    the division, a GB 11714 organisation code and the GB 32100 check character."""
    body = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = "".join(map(str, body)) + {10: "X", 11: "0"}.get(check, str(check))
    first17 = f"{registration}{division}{org}"
    return first17 + credit_code_check_char(first17)


class People:
    """Draws fake people; keeps ID numbers unique across the whole demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_ids: set[str] = set()
        self.area_codes = [code for code, _ in AREA_CODES]
        self.area_weights = [w for _, w in AREA_CODES]

    def person(self, gender: str, birth_year: int, surname: str | None = None) -> Person:
        rng = self.rng
        surname = surname or rng.choice(SURNAMES)
        era = 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2
        name = surname + rng.choice(GIVEN_NAMES[era][gender == "f"])
        area = rng.choices(self.area_codes, self.area_weights)[0]
        birth_year = min(birth_year, DEMO_YEAR - 1)
        while True:
            id_number = fake_resident_id(
                rng,
                area=area,
                birth_from=date(birth_year, 1, 1),
                birth_to=date(birth_year, 12, 31),
                female=gender == "f",
            )
            if id_number not in self.used_ids:
                break
        self.used_ids.add(id_number)
        age = DEMO_YEAR - birth_year
        has_phone = age >= 16 and rng.random() < (0.95 if age < 70 else 0.6)
        return Person(name, id_number, fake_mobile(rng) if has_phone else "", gender, birth_year)

    def adult(self) -> Person:
        return self.person(self.rng.choice("mf"), DEMO_YEAR - self.rng.randint(28, 80))

    def household(self, size: int, elderly: float) -> list[Person]:
        """Members of a household of ``size``, head first; ``elderly`` skews to older heads."""
        rng = self.rng
        old = rng.random() < elderly
        head_gender = "f" if size == 1 and old and rng.random() < 0.6 else rng.choice("mmf")
        if size == 1:
            head_age = rng.randint(62, 92) if old else rng.randint(22, 60)
        elif size == 2:
            head_age = rng.randint(58, 90) if old else rng.randint(25, 57)
        else:
            head_age = rng.randint(58, 86) if old else rng.randint(28, 52)
        head = self.person(head_gender, DEMO_YEAR - head_age)
        members = [head]
        if size == 1:
            return members
        spouse_gender = "f" if head_gender == "m" else "m"
        spouse_age = max(20, head_age + rng.randint(-5, 3))
        members.append(self.person(spouse_gender, DEMO_YEAR - spouse_age))
        family = head.name[0] if head_gender == "m" else members[1].name[0]
        child_age = head_age - rng.randint(23, 34)
        while len(members) < size:
            if old and len(members) == 3 and child_age >= 20:
                # the adult child's spouse joins; grandchildren follow
                members.append(self.person(rng.choice("mf"), DEMO_YEAR - child_age))
                child_age -= rng.randint(24, 32)
                continue
            if not old and len(members) >= 4 and rng.random() < 0.8:
                # a grandparent lives with the young family
                age = min(95, head_age + rng.randint(24, 32))
                members.append(self.person(rng.choice("mf"), DEMO_YEAR - age))
                continue
            members.append(self.person(rng.choice("mf"), DEMO_YEAR - max(0, child_age), family))
            child_age -= rng.randint(1, 4)
        return members
