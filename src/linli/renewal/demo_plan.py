"""The demo projects as plain plans (no ORM): which compounds each project joins, its stage,
its dates, items, funding and how its joint review goes. :mod:`linli.renewal.demo` loads the
registry's facts, calls :func:`plan_projects` and carries the plans out through the services.

Everything random comes from one ``random.Random(seed)`` drawn in a fixed order over
compounds sorted by code, so the same registry, seed and ``as_of`` day give the same plans.
The rules (docs/demo.md):

* renovated compounds (registry status *renovated*, with a year) are grouped by zone and
  renovation year into handed-over projects (some clustered, 组团连片) completed and handed
  over in that year;
* compounds under way (*in progress*) get projects in works, completed or acceptance;
* the other old compounds (*planned* or *not planned*, built up to 2000) get projects in the
  stages before works; compounds built after 2000 are not old compounds (国办发〔2020〕23号)
  and get none;
* the eight seed outputs are split over every project that completes its works, so they add
  up exactly (:data:`SEED_OUTPUTS`, scaled for a smaller demo).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from linli.renewal.demo_items import (
    CompoundFact,
    FundingPlan,
    ItemPlan,
    base_items,
    funding,
    output_items,
    plain_output_items,
    seed_targets,
)
from linli.renewal.gates import ORDER, Stage

Date = datetime.date
FIRST_YEAR = 2019
OLD_COMPOUND_BUILT_BY = 2000


#: (item code, unit cost in yuan, quantity per household or fixed range) of the other items.
@dataclass
class ProjectPlan:
    """A demo project from application to where it stands on ``as_of``."""

    code: str
    name: str
    year: int
    batch: int
    compounds: list[str]
    stage: Stage
    #: Entry date of every stage reached, in order (the first round's when returned).
    entered: dict[Stage, Date]
    planned: dict[Stage, tuple[Date, Date]]
    items: list[ItemPlan] = field(default_factory=list)
    funding: list[FundingPlan] = field(default_factory=list)
    firms: tuple[int, int, int] = (0, 0, 0)  # design, construction, supervision (indexes)
    decision_on: Date | None = None
    decision_share: Decimal = Decimal("90.00")
    decision_approved: bool = True
    #: A first round rejected: (decision entered, joint review entered, rejected on); the
    #: project went back to design and ``entered`` holds the second pass's dates.
    first_round: tuple[Date, Date, Date] | None = None
    #: How the current round stands: "approved", "pending" (not due yet) or "overdue".
    review_mode: str = "approved"
    progress: list[tuple[Date, Decimal]] = field(default_factory=list)
    acceptance: list[tuple[Date, Decimal]] = field(default_factory=list)
    late_days: int = 0  # how far the current stage is past its planned end (0: on time)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- grouping ---------------------------------------------------------------------------------


def _clusters(rng: random.Random, codes: list[str]) -> list[list[str]]:
    """Chunks of ``codes``: mostly single compounds, some clusters of 2-4 (组团连片)."""
    codes = list(codes)
    rng.shuffle(codes)
    out: list[list[str]] = []
    while codes:
        size = 1
        if len(codes) >= 2 and rng.random() < 0.22:
            size = min(len(codes), rng.choice((2, 2, 3, 4)))
        out.append(sorted(codes[:size]))
        codes = codes[size:]
    return out


@dataclass
class _Draft:
    compounds: list[str]
    pool: str
    year_hint: int
    batch: int


def _drafts(rng: random.Random, facts: Sequence[CompoundFact], as_of: Date) -> list[_Draft]:
    groups: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for fact in facts:
        if fact.status == "renovated" and fact.renovated_year:
            groups[("done", fact.renovated_year, fact.zone)].append(fact.code)
        elif fact.year_built <= OLD_COMPOUND_BUILT_BY and fact.status == "in_progress":
            groups[("works", 0, fact.zone)].append(fact.code)
        elif fact.year_built <= OLD_COMPOUND_BUILT_BY:
            groups[("early", 0, fact.zone)].append(fact.code)
    drafts = []
    for (pool, year, zone), codes in sorted(groups.items()):
        batch = rng.choice((1, 1, 2))
        # A project's compounds share one zone; compounds without a zone stay single.
        chunks = _clusters(rng, codes) if zone else [[c] for c in sorted(codes)]
        for chunk in chunks:
            drafts.append(_Draft(chunk, pool, year or as_of.year, batch))
    return drafts


# --- timelines --------------------------------------------------------------------------------


def _history(rng: random.Random, completed: Date, rejected: bool) -> dict[Stage, Date]:
    """Entry dates of every stage up to completion, backwards from ``completed``."""
    works = completed - _days(rng.randint(75, 200))
    tender = works - _days(rng.randint(18, 40))
    review = tender - _days(rng.randint(6, 16))
    decision = review - _days(rng.randint(14, 40))
    design = decision - _days(rng.randint(30, 75))
    if rejected:  # the first round, rejected, and the design done again before this one
        design = design - _days(rng.randint(30, 50))
    application = design - _days(rng.randint(10, 40))
    return {
        Stage.APPLICATION: application,
        Stage.DESIGN: design,
        Stage.DECISION: decision,
        Stage.JOINT_REVIEW: review,
        Stage.TENDER: tender,
        Stage.WORKS: works,
        Stage.COMPLETED: completed,
    }


#: Typical planned length of each stage (days), for plans of stages not reached yet.
PLANNED_LENGTH = {
    Stage.APPLICATION: 30,
    Stage.DESIGN: 60,
    Stage.DECISION: 30,
    Stage.JOINT_REVIEW: 14,
    Stage.TENDER: 30,
    Stage.WORKS: 180,
    Stage.COMPLETED: 30,
    Stage.ACCEPTANCE: 20,
    Stage.HANDED_OVER: 0,
}


def _plans(
    rng: random.Random, entered: dict[Stage, Date], current: Stage, late: int, as_of: Date
) -> dict[Stage, tuple[Date, Date]]:
    """Planned dates: close to the actual ones for stages done; for the current stage a
    planned end ``late`` days before ``as_of`` (0: still ahead), then the rest in sequence."""
    planned: dict[Stage, tuple[Date, Date]] = {}
    reached = [s for s in ORDER if s in entered]
    for i, stage in enumerate(reached):
        start = entered[stage] + _days(rng.randint(-7, 5))
        if stage == current == Stage.HANDED_OVER:
            end = start
        elif stage == current:
            if late:
                end = as_of - _days(late)
            else:
                end = max(
                    entered[stage] + _days(PLANNED_LENGTH[stage]), as_of + _days(rng.randint(5, 60))
                )
            start = min(start, end)
        elif i + 1 < len(reached):
            end = entered[reached[i + 1]] - _days(1) + _days(rng.randint(-6, 6))
        else:
            end = start
        planned[stage] = (start, max(start, end))
    cursor = planned[current][1]
    following = ORDER[ORDER.index(current) + 1 :]
    for stage in following:
        start = cursor + _days(1)
        end = start + _days(PLANNED_LENGTH[stage])
        if stage == following[0] and late:
            end = max(end, as_of + _days(rng.randint(10, 40)))  # only this stage is late
        planned[stage] = (start, end)
        cursor = end
    return planned


def _done_project(rng: random.Random, draft: _Draft) -> ProjectPlan:
    year = draft.year_hint
    start, end = ((5, 10), (8, 31)) if draft.batch == 1 else ((8, 20), (11, 10))
    first, last = Date(year, *start), Date(year, *end)
    if year == FIRST_YEAR:  # the programme's first year: works start within it, not before
        first = max(first, Date(year, 8, 20))
        last = max(last, first)
    completed = first + _days(rng.randint(0, (last - first).days))
    rejected = rng.random() < 0.06
    entered = _history(rng, completed, rejected)
    accepted = completed + _days(rng.randint(10, 28))
    entered[Stage.ACCEPTANCE] = accepted
    entered[Stage.HANDED_OVER] = min(accepted + _days(rng.randint(7, 25)), Date(year, 12, 28))
    plan = _new(rng, draft, Stage.HANDED_OVER, entered, rejected)
    plan.acceptance = [(accepted, Decimal(rng.randint(860, 990)) / 10)]
    return plan


def _new(
    rng: random.Random, draft: _Draft, stage: Stage, entered: dict[Stage, Date], rejected: bool
) -> ProjectPlan:
    application = entered[Stage.APPLICATION]
    year = application.year + (1 if application.month >= 10 else 0)
    year = max(FIRST_YEAR, min(year, draft.year_hint))
    first_round = None
    if rejected and Stage.TENDER in entered:
        design = entered[Stage.DESIGN]
        decision = design + _days(rng.randint(8, 12))
        review = decision + _days(rng.randint(3, 5))
        rejected_on = review + _days(rng.randint(2, 5))
        if entered[Stage.DECISION] - rejected_on >= _days(14):
            first_round = (decision, review, rejected_on)
    plan = ProjectPlan(
        code="",
        name="",
        year=year,
        batch=draft.batch,
        compounds=draft.compounds,
        stage=stage,
        entered=entered,
        planned={},
    )
    plan.first_round = first_round
    return plan


def _works_project(rng: random.Random, draft: _Draft, as_of: Date) -> ProjectPlan:
    stage = rng.choices([Stage.WORKS, Stage.COMPLETED, Stage.ACCEPTANCE], [0.75, 0.13, 0.12])[0]
    rejected = rng.random() < 0.06
    if stage == Stage.WORKS:
        completed = as_of + _days(rng.randint(30, 200))  # would complete then: dates before
        entered = _history(rng, completed, rejected)
        entered.pop(Stage.COMPLETED)
        entered[Stage.WORKS] = min(entered[Stage.WORKS], as_of - _days(rng.randint(20, 150)))
        _squeeze(entered, as_of)
    else:
        completed = as_of - _days(rng.randint(12, 60))
        entered = _history(rng, completed, rejected)
        if stage == Stage.ACCEPTANCE:
            entered[Stage.ACCEPTANCE] = as_of - _days(rng.randint(2, 10))
    return _new(rng, draft, stage, entered, rejected)


def _squeeze(entered: dict[Stage, Date], as_of: Date) -> None:
    """Keep the stages before works in order after moving works earlier."""
    stages = [s for s in ORDER if s in entered]
    for later, earlier in zip(reversed(stages), reversed(stages[:-1]), strict=False):
        if entered[earlier] >= entered[later] - _days(5):
            entered[earlier] = entered[later] - _days(6 + ORDER.index(later))
    assert all(d <= as_of for d in entered.values())


#: Stages of projects that have not started works, with weights.
EARLY_STAGES = (
    (Stage.APPLICATION, 0.2),
    (Stage.DESIGN, 0.28),
    (Stage.DECISION, 0.16),
    (Stage.JOINT_REVIEW, 0.16),
    (Stage.TENDER, 0.2),
)


def _early_project(rng: random.Random, draft: _Draft, as_of: Date) -> ProjectPlan:
    stage = rng.choices([s for s, _ in EARLY_STAGES], [w for _, w in EARLY_STAGES])[0]
    # The current stage began a while ago; earlier stages before it, backwards.
    entered = {stage: as_of - _days(rng.randint(2, 75 if stage != Stage.JOINT_REVIEW else 30))}
    cursor = entered[stage]
    for earlier in reversed(ORDER[: ORDER.index(stage)]):
        cursor = cursor - _days(rng.randint(12, max(13, PLANNED_LENGTH[earlier])))
        entered[earlier] = cursor
    ordered = dict(sorted(entered.items(), key=lambda kv: ORDER.index(kv[0])))
    plan = _new(rng, draft, stage, ordered, rejected=False)
    if stage == Stage.JOINT_REVIEW:
        waited = (as_of - entered[stage]).days
        plan.review_mode = "overdue" if waited > 10 else "pending"
    return plan


# --- the whole plan ---------------------------------------------------------------------------


def plan_projects(
    facts: Sequence[CompoundFact],
    *,
    seed: int,
    as_of: Date,
    firms: tuple[int, int, int] = (2, 3, 2),
) -> list[ProjectPlan]:
    """The demo projects over ``facts`` as they stand on ``as_of``."""
    rng = random.Random(seed)
    by_code = {f.code: f for f in sorted(facts, key=lambda f: f.code)}
    ordered = [by_code[c] for c in sorted(by_code)]
    plans: list[ProjectPlan] = []
    for draft in _drafts(rng, ordered, as_of):
        if draft.pool == "done":
            plan = _done_project(rng, draft)
        elif draft.pool == "works":
            plan = _works_project(rng, draft, as_of)
        else:
            plan = _early_project(rng, draft, as_of)
        plans.append(plan)
    plans.sort(key=lambda p: (p.year, p.batch, p.compounds[0]))
    per_year: dict[int, int] = defaultdict(int)
    for plan in plans:
        per_year[plan.year] += 1
        plan.code = f"XG-{plan.year}-{per_year[plan.year]:03d}"
        first = by_code[plan.compounds[0]].name
        n = len(plan.compounds)
        plan.name = f"{first}老旧小区改造" if n == 1 else f"{first}等{n}个小区组团连片改造"
        plan.firms = (rng.randrange(firms[0]), rng.randrange(firms[1]), rng.randrange(firms[2]))
        _timeline_details(rng, plan, as_of)
        base_items(rng, [by_code[c] for c in plan.compounds], plan)
    completing = [p for p in plans if Stage.COMPLETED in p.entered]
    renovated = sum(1 for f in ordered if f.status == "renovated" and f.renovated_year)
    output_items(rng, completing, by_code, seed_targets(renovated))
    for plan in plans:
        if Stage.COMPLETED not in plan.entered:
            plain_output_items(rng, plan, [by_code[c] for c in plan.compounds])
        funding(rng, plan)
    return plans


def _timeline_details(rng: random.Random, plan: ProjectPlan, as_of: Date) -> None:
    """Rejections, lateness, planned dates, the decision, progress and acceptance dates."""
    entered = plan.entered
    stage = plan.stage
    if stage != Stage.HANDED_OVER:
        roll = rng.random()
        plan.late_days = (
            rng.randint(35, 90) if roll < 0.15 else rng.randint(3, 25) if roll < 0.35 else 0
        )
        if plan.late_days and (as_of - entered[stage]).days <= plan.late_days:
            plan.late_days = 0  # a stage cannot be late for longer than it has been going
    plan.planned = _plans(rng, entered, stage, plan.late_days, as_of)
    if Stage.DECISION in entered:
        after = Stage.JOINT_REVIEW if Stage.JOINT_REVIEW in entered else None
        last = entered[after] if after else as_of
        span = (last - entered[Stage.DECISION]).days
        if stage == Stage.DECISION and rng.random() < 0.35:
            plan.decision_on = None  # the residents have not decided yet
        else:
            plan.decision_on = entered[Stage.DECISION] + _days(rng.randint(0, max(0, span - 1)))
            plan.decision_share = Decimal(rng.randint(7600, 9800)) / 100
            if stage == Stage.DECISION and rng.random() < 0.25:
                plan.decision_approved = False
                plan.decision_share = Decimal(rng.randint(5200, 7400)) / 100
    if Stage.WORKS in entered:
        works = entered[Stage.WORKS]
        end = entered.get(Stage.COMPLETED)
        if end is not None:
            middle = works + (end - works) / 2
            plan.progress = [(middle, Decimal(rng.randint(40, 70))), (end - _days(1), Decimal(100))]
            if end.year < as_of.year - 1:  # older works: only the final report (keeps it fast)
                plan.progress = plan.progress[1:]
        else:
            start, finish = plan.planned[Stage.WORKS]
            window = max((finish - start).days, 1)
            expected = min(100, max(0, (as_of - start).days * 100 // window))
            lag = rng.randint(12, 30) if plan.late_days else rng.randint(-5, 6)
            percent = max(1, min(95, expected - lag))
            plan.progress = [(as_of - _days(rng.randint(0, 6)), Decimal(percent))]
            if (plan.progress[0][0] - works).days > 30:
                plan.progress.insert(0, (works + _days(15), Decimal(max(1, percent // 3))))
    if stage in (Stage.COMPLETED, Stage.ACCEPTANCE) and not plan.acceptance:
        completed = entered[Stage.COMPLETED]
        if stage == Stage.ACCEPTANCE:
            plan.acceptance = [(entered[Stage.ACCEPTANCE], Decimal(rng.randint(840, 980)) / 10)]
        elif rng.random() < 0.4:  # a first acceptance below the threshold: works to redo
            day = completed + _days(rng.randint(1, max(1, (as_of - completed).days - 1)))
            plan.acceptance = [(min(day, as_of), Decimal(rng.randint(700, 790)) / 10)]
