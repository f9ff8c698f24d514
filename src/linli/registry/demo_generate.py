"""Generation of the Xigong demo as plain rows (no ORM), from one ``random.Random(seed)``.

Draws happen in a fixed order over lists (never over sets or dict views), so the same seed
and size give the same rows. The steps: sub-districts and communities, compounds (names,
places, ages, status), zones, household targets, household sizes, then buildings, dwellings,
owners and households compound by compound. See ``docs/demo.md`` for the numbers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from linli.core.errors import Invalid
from linli.core.geo import XIGONG_EXTENT
from linli.registry.demo_data import (
    BARRACKS,
    CONTRACTORS,
    DEPARTMENTS,
    DEVELOPERS,
    KAIXUAN_COMPOUND,
    KAIXUAN_PROPERTY,
    NAMED_COMPOUNDS,
    PROPERTY_COMPANIES,
    SUBDISTRICTS,
    UTILITIES,
    WORK_UNITS,
    NamedCompound,
)
from linli.registry.demo_rows import (
    BuildingRow,
    CompoundRow,
    DemoData,
    DwellingRow,
    HouseholdRow,
    OrganisationRow,
    OwnerRow,
    People,
    fake_credit_code,
)
from linli.registry.models import (
    ManagementMode,
    OrganisationKind,
    OwnerKind,
    RenovationStatus,
    SaleStatus,
    Structure,
)

DEFAULT_SEED = 410303
FULL_COMPOUNDS = 537
FULL_ZONES = 30
FULL_RENOVATED = 259
FULL_HOUSEHOLDS = 38_000  # households in renovated compounds (the seed's 3.8 万户)
FULL_PEOPLE = 152_000  # people in renovated compounds (the seed's 15.2 万人)
FULL_HERITAGE = 5
MIN_COMPOUNDS = len(NAMED_COMPOUNDS)
MIN_HOUSEHOLDS = 12  # floor for any other renovated compound when targets are scaled down
DISTRICT = ("410303", "西工区")

_MANAGEMENT_RENOVATED = ((ManagementMode.PROFESSIONAL, 35), (ManagementMode.SELF_MANAGED, 35))
_MANAGEMENT_OTHER = ((ManagementMode.PROFESSIONAL, 15), (ManagementMode.SELF_MANAGED, 30))
_RENOVATED_YEARS = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
_RENOVATED_YEAR_WEIGHTS = (20, 35, 50, 55, 45, 35, 19)
_STOREYS = (4, 5, 6, 7)
_STOREY_WEIGHTS = (12, 28, 45, 15)
# People per household 1..6; renovated compounds average about 4 (152,000 / 38,000).
_SIZES = (1, 2, 3, 4, 5, 6)
_SIZE_WEIGHTS_RENOVATED = (5, 14, 16, 25, 20, 20)
_SIZE_WEIGHTS_ELDERLY = (22, 45, 15, 10, 5, 3)
_SIZE_WEIGHTS_OTHER = (12, 28, 22, 20, 10, 8)


@dataclass(frozen=True)
class Plan:
    """The targets a demo of ``compounds`` compounds is generated to."""

    compounds: int
    zones: int
    renovated: int
    heritage: int
    households: int  # households in renovated compounds, hit exactly
    people: int  # people in renovated compounds, hit exactly

    @classmethod
    def for_size(cls, compounds: int) -> Plan:
        """Scale the seed's figures by ``compounds / 537`` (floored so the named ones fit)."""
        if not MIN_COMPOUNDS <= compounds <= FULL_COMPOUNDS:
            raise Invalid(
                f"小区数须在 {MIN_COMPOUNDS}–{FULL_COMPOUNDS} 之间,实际为 {compounds}",
                f"compounds must be between {MIN_COMPOUNDS} and {FULL_COMPOUNDS}, got {compounds}",
                "demo_size",
            )
        ratio = compounds / FULL_COMPOUNDS
        renovated = max(MIN_COMPOUNDS, round(FULL_RENOVATED * ratio))
        named = sum(n.households for n in NAMED_COMPOUNDS)
        floor = named + MIN_HOUSEHOLDS * (renovated - MIN_COMPOUNDS)
        households = max(floor, round(FULL_HOUSEHOLDS * ratio))
        people = round(FULL_PEOPLE * ratio) if households > floor else 4 * households
        return cls(
            compounds=compounds,
            zones=max(1, round(FULL_ZONES * ratio)),
            renovated=renovated,
            heritage=max(1, round(FULL_HERITAGE * ratio)),
            households=households,
            people=people,
        )


# --- helpers -------------------------------------------------------------------------------


def apportion(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each >= its minimum."""
    scale = total / sum(weights)
    quotas = [w * scale for w in weights]
    parts = [max(m, math.floor(q)) for q, m in zip(quotas, minimum, strict=True)]
    by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - quotas[i], i))
    while sum(parts) < total:
        for i in by_remainder:
            if sum(parts) == total:
                break
            parts[i] += 1
    while sum(parts) > total:
        for i in reversed(by_remainder):
            if sum(parts) == total:
                break
            if parts[i] > minimum[i]:
                parts[i] -= 1
    return parts


def _point(rng: random.Random, centre: tuple[float, float], sigma: float) -> tuple[float, float]:
    """A normally scattered point around ``centre``, redrawn until inside Xigong's extent."""
    min_lon, min_lat, max_lon, max_lat = XIGONG_EXTENT
    for _ in range(100):
        lon, lat = rng.gauss(centre[0], sigma), rng.gauss(centre[1], sigma)
        if min_lon < lon < max_lon and min_lat < lat < max_lat:
            return lon, lat
    margin = 0.001
    return (
        min(max(centre[0], min_lon + margin), max_lon - margin),
        min(max(centre[1], min_lat + margin), max_lat - margin),
    )


def _deg6(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# --- generation ----------------------------------------------------------------------------


def generate(*, seed: int = DEFAULT_SEED, compounds: int = FULL_COMPOUNDS) -> DemoData:
    """The whole demo for ``seed`` as plain rows; the same arguments give the same rows."""
    plan = Plan.for_size(compounds)
    rng = random.Random(seed)
    data = DemoData()
    centres = _divisions(rng, data)
    _compounds(rng, data, plan, centres)
    _zones(data, plan)
    targets, elderly = _household_targets(rng, data, plan)
    sizes = _household_sizes(rng, data, plan, targets, elderly)
    people = People(rng)
    developers: dict[int, int] = {}
    for ci in range(len(data.compounds)):
        first = len(data.dwellings)
        occupied = _structure(rng, data, ci, len(sizes[ci]))
        _occupants(rng, data, people, developers, first, occupied, sizes[ci], elderly[ci])
    _organisations(data, seed)
    return data


def _divisions(rng: random.Random, data: DemoData) -> list[tuple[float, float]]:
    """Sub-districts and communities; returns each community's centre."""
    centres: list[tuple[float, float]] = []
    for si, sub in enumerate(SUBDISTRICTS):
        code = f"{DISTRICT[0]}{si + 1:03d}"
        data.subdistricts.append((code, sub.name))
        count = len(sub.communities)
        for ci, name in enumerate(sub.communities):
            data.communities.append((si, f"{code}{ci + 1:03d}", name))
            angle = 2 * math.pi * ci / count + rng.uniform(-0.3, 0.3)
            radius = sub.spread * (0.25 if ci == 0 else rng.uniform(0.7, 1.2))
            centre = (
                sub.centre[0] + radius * math.cos(angle),
                sub.centre[1] + radius * math.sin(angle),
            )
            centres.append(_point(rng, centre, 0.0))
    return centres


def _compounds(
    rng: random.Random, data: DemoData, plan: Plan, centres: list[tuple[float, float]]
) -> None:
    """Compound rows: names, places, ages, management and renovation status."""
    minimum = [sum(1 for n in NAMED_COMPOUNDS if n.subdistrict == s.name) for s in SUBDISTRICTS]
    counts = apportion(plan.compounds, [s.compounds for s in SUBDISTRICTS], minimum)
    units = list(WORK_UNITS)
    rng.shuffle(units)
    used: dict[str, set[int]] = {n.street: {n.number} for n in NAMED_COMPOUNDS}
    first_community = [0]
    for sub in SUBDISTRICTS:
        first_community.append(first_community[-1] + len(sub.communities))
    heritage_left = plan.heritage
    for si, (sub, count) in enumerate(zip(SUBDISTRICTS, counts, strict=True)):
        named = [n for n in NAMED_COMPOUNDS if n.subdistrict == sub.name]
        base = first_community[si]
        for j in range(count):
            code = f"XG{len(data.compounds) + 1:04d}"
            if j < len(named):
                data.compounds.append(_named_row(code, named[j], base, sub.communities))
                continue
            community = base + (
                j if j < len(sub.communities) else rng.randrange(len(sub.communities))
            )
            heritage = sub.barracks and heritage_left > 0
            street = "西工兵营路" if heritage else rng.choice(sub.streets)
            number = rng.randint(1, 260)
            while number in used.setdefault(street, set()):
                number = rng.randint(1, 260)
            used[street].add(number)
            if not heritage and units and rng.random() < 0.25:
                name = f"{units.pop()}家属院"
            else:
                name = f"{street}{number}号院"
            if heritage:
                heritage_left -= 1
                lon, lat = _point(rng, BARRACKS, 0.0012)
                year = rng.randint(1953, 1968)
            else:
                lon, lat = _point(rng, centres[community], sub.spread * 0.45)
                r = rng.random()
                year = rng.randint(2001, 2005) if r < 0.02 else rng.randint(1970, 1999)
            data.compounds.append(
                CompoundRow(
                    code=code,
                    name=name,
                    community=community,
                    address=f"洛阳市西工区{street}{number}号",
                    year_built=year,
                    management_mode=ManagementMode.NONE,
                    heritage=heritage,
                    renovation_status=RenovationStatus.NOT_PLANNED,
                    renovated_year=None,
                    longitude=_deg6(lon),
                    latitude=_deg6(lat),
                )
            )
    _statuses(rng, data, plan)


def _named_row(
    code: str, named: NamedCompound, base: int, communities: tuple[str, ...]
) -> CompoundRow:
    return CompoundRow(
        code=code,
        name=named.name,
        community=base + communities.index(named.community),
        address=f"洛阳市西工区{named.street}{named.number}号",
        year_built=named.year_built,
        management_mode=named.management_mode,
        heritage=False,
        renovation_status=RenovationStatus.RENOVATED,
        renovated_year=named.renovated_year,
        longitude=_deg6(named.lon),
        latitude=_deg6(named.lat),
    )


def _statuses(rng: random.Random, data: DemoData, plan: Plan) -> None:
    """Pick the renovated compounds (named and heritage first) and the others' status."""
    named = {n.name for n in NAMED_COMPOUNDS}
    forced = [i for i, c in enumerate(data.compounds) if c.name in named or c.heritage]
    pool = [
        i
        for i, c in enumerate(data.compounds)
        if i not in forced and c.year_built < 2000  # 2001-2005 compounds are outside the cut-off
    ]
    chosen = set(forced[: plan.renovated])
    chosen.update(rng.sample(pool, plan.renovated - len(chosen)))
    for i, row in enumerate(data.compounds):
        modes = _MANAGEMENT_RENOVATED if i in chosen else _MANAGEMENT_OTHER
        mode = _weighted_mode(rng, modes)
        if row.name in named:
            continue
        row.management_mode = mode
        if i in chosen:
            row.renovation_status = RenovationStatus.RENOVATED
            row.renovated_year = rng.choices(_RENOVATED_YEARS, _RENOVATED_YEAR_WEIGHTS)[0]
        elif row.year_built >= 2000:
            row.renovation_status = RenovationStatus.NOT_PLANNED
        else:
            r = rng.random()
            row.renovation_status = (
                RenovationStatus.IN_PROGRESS
                if r < 0.25
                else RenovationStatus.PLANNED
                if r < 0.9
                else RenovationStatus.NOT_PLANNED
            )


def _weighted_mode(rng: random.Random, modes: tuple[tuple[str, int], ...]) -> str:
    r = rng.randrange(100)
    for mode, share in modes:
        if r < share:
            return mode
        r -= share
    return ManagementMode.NONE


def _zones(data: DemoData, plan: Plan) -> None:
    """Zones as angular sectors of each sub-district: nearby compounds share a zone."""
    by_sub: list[list[int]] = [[] for _ in SUBDISTRICTS]
    for i, row in enumerate(data.compounds):
        by_sub[data.communities[row.community][0]].append(i)

    def angle(i: int) -> tuple[float, str]:
        row = data.compounds[i]
        centre = SUBDISTRICTS[data.communities[row.community][0]].centre
        return math.atan2(
            float(row.latitude) - centre[1], float(row.longitude) - centre[0]
        ), row.code

    nonempty = [s for s, members in enumerate(by_sub) if members]
    if plan.zones >= len(nonempty):
        weights = [float(len(m)) for m in by_sub]
        per_sub = apportion(plan.zones, weights, [1 if m else 0 for m in by_sub])
        groups = [(sorted(m, key=angle), k) for m, k in zip(by_sub, per_sub, strict=True) if m]
    else:  # too few zones for one per sub-district: cut the sub-district tour into chunks
        groups = [([i for s in nonempty for i in sorted(by_sub[s], key=angle)], plan.zones)]
    for members, k in groups:
        for part in range(k):
            zone = len(data.zones)
            data.zones.append((f"Z{zone + 1:02d}", f"第{zone + 1}片区"))
            for i in members[len(members) * part // k : len(members) * (part + 1) // k]:
                data.compounds[i].zone = zone


def _household_targets(
    rng: random.Random, data: DemoData, plan: Plan
) -> tuple[list[int], list[float]]:
    """Households per compound (renovated ones sum exactly to the plan) and elderly shares."""
    named = {n.name: n for n in NAMED_COMPOUNDS}
    targets = [0] * len(data.compounds)
    elderly = [0.62] * len(data.compounds)
    scalable: list[int] = []
    weights: list[float] = []
    for i, row in enumerate(data.compounds):
        if row.name in named:
            targets[i] = named[row.name].households
            elderly[i] = named[row.name].elderly
            continue
        weight = min(3.5, max(0.2, rng.lognormvariate(0.0, 0.55)))
        if row.heritage:
            weight, elderly[i] = 0.15, 0.7
        if row.renovation_status == RenovationStatus.RENOVATED:
            scalable.append(i)
            weights.append(weight)
        else:
            targets[i] = max(8, min(240, round(40 * weight * rng.uniform(0.8, 1.25))))
    remaining = plan.households - sum(
        targets[i] for i in range(len(targets)) if data.compounds[i].name in named
    )
    if scalable:
        minimum = [MIN_HOUSEHOLDS] * len(scalable)
        for i, n in zip(scalable, apportion(remaining, weights, minimum), strict=True):
            targets[i] = n
    return targets, elderly


def _household_sizes(
    rng: random.Random, data: DemoData, plan: Plan, targets: list[int], elderly: list[float]
) -> list[list[int]]:
    """People per household, compound by compound; renovated ones sum exactly to the plan."""
    sizes: list[list[int]] = []
    adjustable: list[tuple[int, int]] = []
    total = 0
    for i, row in enumerate(data.compounds):
        renovated = row.renovation_status == RenovationStatus.RENOVATED
        weights = (
            _SIZE_WEIGHTS_ELDERLY
            if elderly[i] >= 0.7
            else _SIZE_WEIGHTS_RENOVATED
            if renovated
            else _SIZE_WEIGHTS_OTHER
        )
        drawn = rng.choices(_SIZES, weights, k=targets[i])
        sizes.append(drawn)
        if renovated:
            total += sum(drawn)
            if elderly[i] < 0.7:
                adjustable.extend((i, k) for k in range(len(drawn)))
    diff = plan.people - total
    room_up = sum(6 - sizes[i][k] for i, k in adjustable)
    room_down = sum(sizes[i][k] - 1 for i, k in adjustable)
    if not -room_down <= diff <= room_up:
        raise ValueError(f"cannot reach {plan.people} people with {len(adjustable)} households")
    while diff:  # nudge random households by one person until the total is exact
        i, k = adjustable[rng.randrange(len(adjustable))]
        if diff > 0 and sizes[i][k] < 6:
            sizes[i][k] += 1
            diff -= 1
        elif diff < 0 and sizes[i][k] > 1:
            sizes[i][k] -= 1
            diff += 1
    return sizes


def _designs(rng: random.Random, row: CompoundRow, dwellings: int) -> list[tuple[int, int, int]]:
    """(storeys, stairwells, dwellings per floor) per building, at least ``dwellings`` in all."""
    if row.heritage:
        lo, hi, per_floor = 2, 3, 2
    else:
        lo, hi, per_floor = 3, 7, 3 if rng.random() < 0.12 else 2
    typical = rng.randint(lo, hi) if row.heritage else rng.choices(_STOREYS, _STOREY_WEIGHTS)[0]
    designs: list[tuple[int, int, int]] = []
    remaining = dwellings
    while remaining > 0:
        storeys = max(lo, min(hi, typical + rng.choice((-1, 0, 0, 0, 1))))
        stairs = rng.randint(1, 2) if row.heritage else rng.choice((2, 2, 3, 3, 4))
        if storeys * stairs * per_floor < remaining:
            designs.append((storeys, stairs, per_floor))
            remaining -= storeys * stairs * per_floor
            continue
        # the last building: the smallest design that still holds the rest
        options = [
            (s * k * p - remaining, abs(s - typical), s, k, p)
            for s in range(lo, hi + 1)
            for k in range(1, 5)
            for p in sorted({per_floor, 2, 1})
            if s * k * p >= remaining
        ]
        _, _, s, k, p = min(options)
        designs.append((s, k, p))
        remaining = 0
    return designs


def _structure(rng: random.Random, data: DemoData, ci: int, households: int) -> list[int]:
    """Buildings, stairwells and dwellings of compound ``ci``; returns the occupied dwellings."""
    row = data.compounds[ci]
    named = next((n for n in NAMED_COMPOUNDS if n.name == row.name), None)
    developer_stock = 0
    if named is not None:
        designs = list(named.designs)
    else:
        vacant = round(households * rng.uniform(0.01, 0.05))
        if row.year_built >= 1988 and not row.name.endswith("家属院") and rng.random() < 0.08:
            developer_stock = rng.randint(2, 6)
        designs = _designs(rng, row, households + vacant + developer_stock)
    tower = named is None and row.year_built >= 1995 and households > 60 and rng.random() < 0.15
    low, high = (
        (45.0, 68.0)
        if row.year_built < 1980
        else (50.0, 88.0)
        if row.year_built < 1990
        else (60.0, 110.0)
    )
    first = len(data.dwellings)
    area_sum = Decimal(0)
    for b, (storeys, stairs, per_floor) in enumerate(designs):
        floors = storeys * stairs
        elevator = tower and b == 0 and floors >= 9
        if elevator:  # a newer high-rise: the same dwellings stacked on one or two stairwells
            storeys, stairs = (floors // 2, 2) if floors > 18 and floors % 2 == 0 else (floors, 1)
            structure = Structure.SHEAR_WALL
        elif row.heritage:
            structure = Structure.BRICK_WOOD
        else:
            structure = Structure.BRICK_CONCRETE if rng.random() < 0.9 else Structure.FRAME
        year = row.year_built + rng.choice((0, 0, 0, 0, 1, 2))
        if row.year_built < 2000:
            year = min(year, 1999)
        data.buildings.append(BuildingRow(ci, str(b + 1), storeys, elevator, structure, year))
        areas = [Decimal(f"{rng.uniform(low, high):.2f}") for _ in range(per_floor)]
        for k in range(stairs):
            data.stairwells.append((len(data.buildings) - 1, str(k + 1)))
            for floor in range(1, storeys + 1):
                for pos in range(per_floor):
                    data.dwellings.append(
                        DwellingRow(
                            len(data.stairwells) - 1,
                            f"{floor}{pos + 1:02d}",
                            floor,
                            areas[pos],
                            SaleStatus.SOLD,
                        )
                    )
                    area_sum += areas[pos]
    row.floor_area = (area_sum * Decimal("1.15")).quantize(Decimal("0.01"))
    indices = list(range(first, len(data.dwellings)))
    for i in rng.sample(indices, developer_stock):
        data.dwellings[i].sale_status = (
            SaleStatus.UNDELIVERED if rng.random() < 0.25 else SaleStatus.UNSOLD
        )
    sold = [i for i in indices if data.dwellings[i].sale_status == SaleStatus.SOLD]
    return sorted(rng.sample(sold, households))


def _occupants(
    rng: random.Random,
    data: DemoData,
    people: People,
    developers: dict[int, int],
    first: int,
    occupied: list[int],
    sizes: list[int],
    elderly: float,
) -> None:
    """Owners, ownerships and households of the compound whose dwellings were just added."""
    size_of = dict(zip(occupied, sizes, strict=True))
    multi: list[int] = []  # person owners here who may still buy another dwelling
    holdings: dict[int, int] = {}
    whole, half = Decimal("100.00"), Decimal("50.00")
    developer: int | None = None
    for d in range(first, len(data.dwellings)):
        dwelling = data.dwellings[d]
        if dwelling.sale_status != SaleStatus.SOLD:  # the developer still holds it
            if developer is None:
                key = rng.randrange(len(DEVELOPERS))
                if key not in developers:
                    developers[key] = len(data.owners)
                    data.owners.append(
                        OwnerRow(
                            OwnerKind.DEVELOPER,
                            DEVELOPERS[key],
                            None,
                            fake_credit_code(rng, division=DISTRICT[0]),
                            "",
                        )
                    )
                developer = developers[key]
            data.ownerships.append((developer, d, whole))
            continue
        size = size_of.get(d)
        if multi and rng.random() < 0.022:  # an owner of another dwelling here lets this one
            owner = rng.choice(multi)
            holdings[owner] += 1
            if holdings[owner] == 3:
                multi.remove(owner)
            data.ownerships.append((owner, d, whole))
            if size:
                data.households.append(HouseholdRow(d, False, people.household(size, elderly)))
            continue
        co_owned = rng.random() < 0.08
        members = people.household(size, elderly) if size else []
        owner_occupied = bool(size) and rng.random() < 0.86
        if owner_occupied:
            titles = [members[0]]
            if co_owned:
                titles.append(members[1] if len(members) > 1 else people.adult())
        else:
            titles = [people.adult()] + ([people.adult()] if co_owned else [])
        for person in titles:
            owner = len(data.owners)
            data.owners.append(
                OwnerRow(OwnerKind.PERSON, person.name, person.id_number, None, person.phone)
            )
            data.ownerships.append((owner, d, half if co_owned else whole))
            if not co_owned:
                multi.append(owner)
                holdings[owner] = 1
        if size:
            data.households.append(HouseholdRow(d, owner_occupied, members))


def _organisations(data: DemoData, seed: int) -> None:
    """Companies and departments, and the property company of each professionally managed
    compound: 凯旋东路43号院 has its own, the others share five by sub-district.

    Drawn from a random stream of their own, so adding them changed no other row.
    """
    rng = random.Random(f"organisations-{seed}")
    used: set[str] = set()

    def add(kind: str, name: str, registration: str = "91") -> int:
        code = fake_credit_code(rng, division=DISTRICT[0], registration=registration)
        while code in used:
            code = fake_credit_code(rng, division=DISTRICT[0], registration=registration)
        used.add(code)
        data.organisations.append(OrganisationRow(kind, name, code))
        return len(data.organisations) - 1

    kaixuan = add(OrganisationKind.PROPERTY, KAIXUAN_PROPERTY)
    companies = [add(OrganisationKind.PROPERTY, name) for name in PROPERTY_COMPANIES]
    for name in DEPARTMENTS:
        add(OrganisationKind.DEPARTMENT, name, registration="11")  # 11: a government body
    for name in UTILITIES:
        add(OrganisationKind.UTILITY, name)
    for kind, name in CONTRACTORS:
        add(kind, name)
    for row in data.compounds:
        if row.management_mode != ManagementMode.PROFESSIONAL:
            continue
        if row.name == KAIXUAN_COMPOUND:
            row.property_company = kaixuan
        else:
            subdistrict = data.communities[row.community][0]
            row.property_company = companies[subdistrict % len(companies)]
