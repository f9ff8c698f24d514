"""Items, outputs and funding of the demo projects (no ORM): quantities and budgets sized by
the compounds' households and floor area, the seed's eight outputs split exactly over the
projects that complete their works, and funding lines by source that add up to the budget.
Used by :mod:`linli.renewal.demo_plan`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from linli.renewal.gates import ORDER, Stage

if TYPE_CHECKING:
    from linli.renewal.demo_plan import ProjectPlan

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

#: The seed's outputs of the 259 renovated compounds: indicator code -> (total, catalogue item).
SEED_OUTPUTS: dict[str, tuple[Decimal, str]] = {
    "back_streets": (Decimal(87), "B07"),
    "city_study_rooms": (Decimal(17), "U09"),
    "small_parks": (Decimal(36), "I04"),
    "green_area": (Decimal(190_000), "I03"),
    "smart_car_parks": (Decimal(51), "I08"),
    "parking_spaces": (Decimal(6_635), "I07"),
    "wet_waste_stations": (Decimal(5), "B12"),
    "paths_km": (Decimal("52.2"), "B06"),
}
SEED_RENOVATED = 259
UNIT_COST: dict[str, Decimal] = {
    "B01": Decimal(180),
    "B02": Decimal(350),
    "B03": Decimal(600_000),
    "B04": Decimal(220),
    "B05": Decimal(260),
    "B06": Decimal(260),
    "B07": Decimal(350_000),
    "B08": Decimal(220_000),
    "B09": Decimal(120_000),
    "B10": Decimal(90),
    "B11": Decimal(30_000),
    "B12": Decimal(900_000),
    "B13": Decimal(120),
    "B14": Decimal(150),
    "B15": Decimal(25_000),
    "I01": Decimal(200),
    "I03": Decimal(180),
    "I04": Decimal(600_000),
    "I05": Decimal(3_000),
    "I06": Decimal(15_000),
    "I07": Decimal(8_000),
    "I08": Decimal(450_000),
    "I09": Decimal(6_000),
    "I14": Decimal(600_000),
    "U04": Decimal(3_000),
    "U09": Decimal(800_000),
}


@dataclass(frozen=True)
class CompoundFact:
    """What the plan needs of a registry compound."""

    code: str
    name: str
    zone: str  # zone code ("" when none)
    status: str  # "renovated", "in_progress" or "other"
    renovated_year: int | None
    year_built: int
    households: int
    floor_area: Decimal
    stairwells: int


@dataclass
class ItemPlan:
    """One catalogue item of a project: quantity, budget and (when it differs from the
    quantity, or must be set) the output."""

    code: str
    quantity: Decimal
    budget: Decimal
    output: Decimal | None = None


@dataclass(frozen=True)
class FundingPlan:
    """One funding line."""

    source: str
    planned: Decimal
    allocated: Decimal
    disbursed: Decimal


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split(
    total: Decimal, weights: Sequence[float], unit: Decimal, minimum: Decimal
) -> list[Decimal]:
    """``total`` split in proportion to ``weights`` in steps of ``unit``, each share at least
    ``minimum``, by largest remainder: the shares add up to ``total`` exactly. Weights that
    are all zero split evenly."""
    count = len(weights)
    steps, floor = int(total / unit), int(minimum / unit)
    if steps * unit != total or steps < floor * count:
        raise ValueError(f"cannot split {total} in steps of {unit}, {minimum} each x {count}")
    spare = steps - floor * count
    positive = [max(w, 0.0) for w in weights]
    whole = sum(positive)
    if whole <= 0:
        positive, whole = [1.0] * count, float(count)
    raw = [spare * w / whole for w in positive]
    shares = [min(int(r), spare) for r in raw]
    order = sorted(range(count), key=lambda i: (shares[i] - raw[i], i))
    left, turn = spare - sum(shares), 0
    while left > 0:  # the largest remainders first (and round again after float error)
        shares[order[turn % count]] += 1
        left, turn = left - 1, turn + 1
    while left < 0:  # float error the other way: take back from the largest shares
        biggest = max(range(count), key=lambda i: (shares[i], -i))
        shares[biggest] -= 1
        left += 1
    return [(s + floor) * unit for s in shares]


def seed_targets(renovated: int) -> dict[str, Decimal]:
    """The seed outputs scaled to a demo with ``renovated`` renovated compounds (exact for
    the full demo's 259)."""
    targets = {}
    for code, (total, _item) in SEED_OUTPUTS.items():
        unit = CENT if code == "paths_km" else Decimal(1)
        scaled = total * renovated / SEED_RENOVATED
        targets[code] = (scaled / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    return targets


# --- items and money --------------------------------------------------------------------------


def base_items(rng: random.Random, facts: list[CompoundFact], plan: ProjectPlan) -> None:
    households = sum(f.households for f in facts)
    area = sum(f.floor_area for f in facts)
    stairwells = sum(f.stairwells for f in facts)

    def add(code: str, quantity: Decimal) -> None:
        quantity = max(quantity.quantize(Decimal(1)), Decimal(1))
        plan.items.append(ItemPlan(code, quantity, _money(quantity * UNIT_COST[code])))

    add("B01", Decimal(households * rng.randint(6, 10)))
    if rng.random() < 0.8:
        add("B02", Decimal(households * rng.randint(4, 8)))
    if rng.random() < 0.45:
        add("B04", Decimal(households * rng.randint(3, 6)))
    if rng.random() < 0.25:
        add("B05", Decimal(households * rng.randint(3, 6)))
    if rng.random() < 0.5:
        add("B03", Decimal(1))
    if rng.random() < 0.35:
        add("B08", Decimal(1))
    if rng.random() < 0.3:
        add("B10", Decimal(households * rng.randint(2, 4)))
    add("B13", area * Decimal("0.18"))
    if rng.random() < 0.7:
        add("B14", area * Decimal("0.45"))
    add("B15", Decimal(max(stairwells, 1)))
    add("I05", Decimal(rng.randint(8, 40) * len(facts)))
    if rng.random() < 0.5:
        add("I06", Decimal(rng.randint(4, 16)))
    if rng.random() < 0.3:
        add("I09", Decimal(rng.randint(10, 40)))
    if rng.random() < 0.2:
        add("I01", Decimal(rng.randint(80, 600)))
    if rng.random() < 0.05:
        add("I14", Decimal(rng.randint(1, 4)))
    if rng.random() < 0.08:
        add("U04", Decimal(rng.randint(150, 400)))


def output_items(
    rng: random.Random,
    done: list[ProjectPlan],
    facts: dict[str, CompoundFact],
    targets: dict[str, Decimal],
) -> None:
    """Split each seed output over completing projects so the totals are exact."""
    households = [sum(facts[c].households for c in p.compounds) for p in done]
    area = [float(sum(facts[c].floor_area for c in p.compounds)) for p in done]
    # (indicator, share of projects carrying it, weight, unit, minimum)
    spec = (
        ("paths_km", 0.85, area, CENT, Decimal("0.05")),
        ("green_area", 0.8, area, Decimal(1), Decimal(50)),
        ("parking_spaces", 0.75, [float(h) for h in households], Decimal(1), Decimal(4)),
        ("back_streets", 0.35, None, Decimal(1), Decimal(1)),
        ("small_parks", None, None, Decimal(1), Decimal(1)),
        ("smart_car_parks", None, None, Decimal(1), Decimal(1)),
        ("city_study_rooms", None, None, Decimal(1), Decimal(1)),
        ("wet_waste_stations", None, None, Decimal(1), Decimal(1)),
    )
    for code, share, weights, unit, minimum in spec:
        total = targets[code]
        if total <= 0 or not done:
            continue
        if share is None:  # one each, for as many projects as the total (the big ones first)
            count = min(len(done), int(total))
        else:
            count = max(1, min(len(done), round(len(done) * share), int(total / minimum)))
        chosen = sorted(rng.sample(range(len(done)), count))
        w = [weights[i] if weights else 1.0 + rng.random() for i in chosen]
        for i, amount in zip(chosen, split(total, w, unit, minimum), strict=True):
            item_code = SEED_OUTPUTS[code][1]
            if code == "paths_km":  # roads are built in m² and reported in km
                width = Decimal(rng.randint(45, 65)) / 10
                quantity = (amount * 1000 * width).quantize(Decimal(1))
                done[i].items.append(
                    ItemPlan(item_code, quantity, _money(quantity * UNIT_COST["B06"]), amount)
                )
            else:
                done[i].items.append(
                    ItemPlan(item_code, amount, _money(amount * UNIT_COST[item_code]))
                )


def plain_output_items(rng: random.Random, plan: ProjectPlan, facts: list[CompoundFact]) -> None:
    """Projects that have not completed carry planned outputs of their own (not counted)."""
    households = sum(f.households for f in facts)
    if rng.random() < 0.7:
        km = Decimal(rng.randint(10, 40)) / 100
        quantity = (km * 5000).quantize(Decimal(1))
        plan.items.append(ItemPlan("B06", quantity, _money(quantity * UNIT_COST["B06"]), km))
    if rng.random() < 0.6:
        quantity = Decimal(rng.randint(200, 1200))
        plan.items.append(ItemPlan("I03", quantity, _money(quantity * UNIT_COST["I03"])))
    if rng.random() < 0.5:
        quantity = Decimal(max(4, households // 8))
        plan.items.append(ItemPlan("I07", quantity, _money(quantity * UNIT_COST["I07"])))


FUNDING_SHARES = (
    ("central", 0.45),
    ("provincial", 0.1),
    ("municipal", 0.15),
    ("district", 0.2),
    ("residents", 0.04),
    ("utilities", 0.06),
)


def funding(rng: random.Random, plan: ProjectPlan) -> None:
    total = sum((i.budget for i in plan.items), ZERO)
    sources = list(FUNDING_SHARES)
    if any(i.code in ("I08", "I09") for i in plan.items) and rng.random() < 0.6:
        sources.append(("social_capital", 0.05))
    if rng.random() < 0.15:
        sources.append(("special_bonds", 0.1))
    weights = [w * rng.uniform(0.85, 1.15) for _, w in sources]
    planned = split(total, weights, CENT, ZERO)
    stage_index = ORDER.index(plan.stage)
    for (source, _), amount in zip(sources, planned, strict=True):
        if plan.stage == Stage.HANDED_OVER:
            allocated = amount
            disbursed = amount if plan.year < 2025 else _money(amount * Decimal("0.97"))
        elif stage_index >= ORDER.index(Stage.WORKS):
            allocated = _money(amount * Decimal(rng.uniform(0.7, 1.0)))
            disbursed = _money(allocated * Decimal(rng.uniform(0.4, 0.9)))
        elif stage_index >= ORDER.index(Stage.JOINT_REVIEW):
            allocated = _money(amount * Decimal(rng.uniform(0.0, 0.5)))
            disbursed = _money(allocated * Decimal(rng.uniform(0.0, 0.2)))
        else:
            allocated = disbursed = ZERO
        plan.funding.append(FundingPlan(source, amount, allocated, disbursed))
