"""Supervision (督办) as pure rules: the red / yellow / green light of a project's schedule and
the level of the responsibility chain an overdue milestone is assigned to. No ORM here; the
service in ``services/supervision.py`` loads the facts and stores the results.
The rules are documented in docs/renewal.md#supervision.

* A **milestone** is overdue when a stage at or after the current one has a planned end
  before today and no actual end (the handover stage is done once entered). Days late =
  today − planned end. A pending joint-review sign-off past its due date and a site problem
  open longer than :data:`PROBLEM_DAYS_TO_RESOLVE` are overdue too (kinds ``review`` and
  ``problem``), and open supervision items like stages do.
* During works the **expected progress** is the elapsed share of the works stage's planned
  window (0 before its planned start, 100 from its planned end); the **lag** is expected −
  reported progress, in percentage points.
* **Red**: a stage more than :data:`RED_DAYS_LATE` days late, or a lag of at least
  :data:`RED_LAG_POINTS`. **Yellow**: any stage late, a lag of at least
  :data:`YELLOW_LAG_POINTS`, an overdue sign-off or a stale problem. **Green** otherwise;
  handed-over projects are green.
* **Escalation**: an item starts at the community and rises with days late (1–7 community,
  8–15 sub-district, 16–30 zone lead, more than 30 district office), to the project's contact
  at that level, skipping up past levels without one; nobody named at or above: district
  office, unassigned. Overdue sign-offs are chased by the district office from the first day
  (departments answer to the district, not to a community). An open item never goes down.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: A stage more than this many days past its planned end turns the light red.
RED_DAYS_LATE = 30
#: Progress lag (percentage points) from which the light is yellow, and red.
YELLOW_LAG_POINTS = Decimal(10)
RED_LAG_POINTS = Decimal(20)
#: A site problem still open this many days after it was raised becomes overdue.
PROBLEM_DAYS_TO_RESOLVE = 14
#: Highest days late handled at each level; beyond the last: the district office.
ESCALATION_DAYS: tuple[tuple[int, str], ...] = (
    (7, "community"),
    (15, "subdistrict"),
    (30, "zone_lead"),
)

WORKS = "works"
HANDED_OVER = "handed_over"
HUNDRED = Decimal(100)


class Light(models.TextChoices):
    """The traffic light of a project's schedule."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class ChainLevel(models.TextChoices):
    """The four levels of responsibility, from the bottom up."""

    COMMUNITY = "community", _("社区")
    SUBDISTRICT = "subdistrict", _("街道办事处")
    ZONE_LEAD = "zone_lead", _("片区分包领导")
    DISTRICT = "district", _("区百城办")


#: Lights from best to worst, chain levels from the bottom up.
LIGHT_ORDER: tuple[Light, ...] = (Light.GREEN, Light.YELLOW, Light.RED)
CHAIN_ORDER: tuple[ChainLevel, ...] = tuple(ChainLevel)
#: The project field naming the responsible person at each level.
CONTACT_FIELDS: dict[str, str] = {
    ChainLevel.COMMUNITY: "community_contact",
    ChainLevel.SUBDISTRICT: "subdistrict_contact",
    ChainLevel.ZONE_LEAD: "zone_lead",
    ChainLevel.DISTRICT: "district_contact",
}

#: Chinese and English stage names for the bilingual texts (the engine needs no database).
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "application": ("申报", "application"),
    "design": ("设计", "design"),
    "decision": ("居民决策", "residents' decision"),
    "joint_review": ("联审联批", "joint review"),
    "tender": ("招标", "tender"),
    "works": ("开工建设", "works"),
    "completed": ("完工", "completion"),
    "acceptance": ("联合验收", "joint acceptance"),
    "handed_over": ("移交管护", "handover"),
}
STAGES: tuple[str, ...] = tuple(STAGE_NAMES)


# --- Facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePlan:
    """One stage record: planned dates and the actual end."""

    stage: str
    planned_start: datetime.date | None = None
    planned_end: datetime.date | None = None
    actual_end: datetime.date | None = None


@dataclass(frozen=True)
class PendingReview:
    """A pending joint-review sign-off."""

    pk: int
    department: str
    due_on: datetime.date


@dataclass(frozen=True)
class OpenProblem:
    """A site problem not resolved yet."""

    pk: int
    raised_on: datetime.date
    description: str = ""


@dataclass(frozen=True)
class ScheduleFacts:
    """What the rule looks at for one project."""

    stage: str
    progress_percent: Decimal = Decimal(0)
    stages: tuple[StagePlan, ...] = ()
    reviews: tuple[PendingReview, ...] = ()
    problems: tuple[OpenProblem, ...] = ()


# --- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a project is not green, with a stable code."""

    code: str
    light: Light
    zh: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.zh} ({self.en})"


@dataclass(frozen=True)
class Milestone:
    """An overdue milestone: what the periodic check opens a supervision item for."""

    kind: str  # SupervisionKind value: stage, review, problem
    key: str  # unique among a project's open items: "stage:works", "review:12", "problem:3"
    due_on: datetime.date
    days_late: int
    zh: str
    en: str
    stage: str = ""

    @property
    def description(self) -> str:
        return f"{self.zh} ({self.en})"


@dataclass(frozen=True)
class Assessment:
    """A project's light, its reasons (worst first) and its overdue milestones."""

    light: Light
    reasons: tuple[Reason, ...]
    milestones: tuple[Milestone, ...]
    expected_progress: Decimal | None = None
    lag: Decimal | None = None

    def summary(self, limit: int = 255) -> str:
        """The reasons in Chinese, for ``Project.light_reason`` (cut to ``limit``)."""
        text = ";".join(r.zh for r in self.reasons)
        return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Rules ---------------------------------------------------------------------------------


def worse(a: Light, b: Light) -> Light:
    return a if LIGHT_ORDER.index(a) >= LIGHT_ORDER.index(b) else b


def expected_progress(plan: StagePlan | None, today: datetime.date) -> Decimal | None:
    """The elapsed share (0–100, 2 places) of the works stage's planned window; None when the
    window is not planned."""
    if plan is None or plan.planned_start is None or plan.planned_end is None:
        return None
    window = (plan.planned_end - plan.planned_start).days
    elapsed = (today - plan.planned_start).days
    if elapsed <= 0:
        return Decimal(0).quantize(Decimal("0.01"))
    if elapsed >= window:
        return HUNDRED.quantize(Decimal("0.01"))
    return (HUNDRED * elapsed / window).quantize(Decimal("0.01"))


def light_for(*, worst_days_late: int, lag: Decimal | None, other_overdue: bool) -> Light:
    """The light from the worst stage lateness (0: none late), the progress lag (None: not in
    works) and whether a sign-off or problem is overdue."""
    if worst_days_late > RED_DAYS_LATE or (lag is not None and lag >= RED_LAG_POINTS):
        return Light.RED
    if worst_days_late > 0 or (lag is not None and lag >= YELLOW_LAG_POINTS) or other_overdue:
        return Light.YELLOW
    return Light.GREEN


def _stage_milestones(facts: ScheduleFacts, today: datetime.date) -> list[Milestone]:
    here = STAGES.index(facts.stage)
    found = []
    for plan in facts.stages:
        if plan.stage not in STAGE_NAMES or STAGES.index(plan.stage) < here:
            continue
        if plan.planned_end is None or plan.actual_end is not None or plan.planned_end >= today:
            continue
        zh, en = STAGE_NAMES[plan.stage]
        days = (today - plan.planned_end).days
        found.append(
            Milestone(
                kind="stage",
                key=f"stage:{plan.stage}",
                stage=plan.stage,
                due_on=plan.planned_end,
                days_late=days,
                zh=f"“{zh}”阶段计划 {plan.planned_end.isoformat()} 完成,已逾期",
                en=f"stage {en} was planned to end on {plan.planned_end.isoformat()}",
            )
        )
    return found


def assess(facts: ScheduleFacts, today: datetime.date) -> Assessment:
    """The light of one project on ``today``, with its reasons and overdue milestones."""
    if facts.stage == HANDED_OVER:
        return Assessment(light=Light.GREEN, reasons=(), milestones=())
    milestones = _stage_milestones(facts, today)
    reasons: list[Reason] = []
    for ms in milestones:
        red = ms.days_late > RED_DAYS_LATE
        reasons.append(
            Reason(
                code="stage_very_late" if red else "stage_late",
                light=Light.RED if red else Light.YELLOW,
                zh=f"“{STAGE_NAMES[ms.stage][0]}”阶段逾期 {ms.days_late} 天",
                en=f"stage {STAGE_NAMES[ms.stage][1]} {ms.days_late} days late",
            )
        )
    worst_days = max((ms.days_late for ms in milestones), default=0)

    expected = lag = None
    if facts.stage == WORKS:
        works = next((p for p in facts.stages if p.stage == WORKS), None)
        expected = expected_progress(works, today)
        if expected is not None:
            lag = expected - facts.progress_percent
            if lag >= YELLOW_LAG_POINTS:
                red = lag >= RED_LAG_POINTS
                reasons.append(
                    Reason(
                        code="lag_severe" if red else "lag",
                        light=Light.RED if red else Light.YELLOW,
                        zh=f"工程进度 {facts.progress_percent}%,按计划应达 {expected}%,"
                        f"滞后 {lag} 个百分点",
                        en=f"progress {facts.progress_percent}% against {expected}% planned: "
                        f"{lag} points behind",
                    )
                )

    late_reviews = sorted((r for r in facts.reviews if r.due_on < today), key=lambda r: r.pk)
    for review in late_reviews:
        days = (today - review.due_on).days
        milestones.append(
            Milestone(
                kind="review",
                key=f"review:{review.pk}",
                due_on=review.due_on,
                days_late=days,
                zh=f"{review.department}联审意见 {review.due_on.isoformat()} 到期未签",
                en=f"{review.department} sign-off due {review.due_on.isoformat()} is pending",
            )
        )
    if late_reviews:
        reasons.append(
            Reason(
                code="review_overdue",
                light=Light.YELLOW,
                zh=f"{len(late_reviews)} 个联审意见超期",
                en=f"{len(late_reviews)} joint-review sign-off(s) overdue",
            )
        )

    stale = sorted(
        (p for p in facts.problems if (today - p.raised_on).days > PROBLEM_DAYS_TO_RESOLVE),
        key=lambda p: p.pk,
    )
    for problem in stale:
        due = problem.raised_on + datetime.timedelta(days=PROBLEM_DAYS_TO_RESOLVE)
        text = problem.description.strip().splitlines()[0][:60] if problem.description else ""
        milestones.append(
            Milestone(
                kind="problem",
                key=f"problem:{problem.pk}",
                due_on=due,
                days_late=(today - due).days,
                zh=f"现场问题久拖未决:{text}",
                en=f"site problem raised {problem.raised_on.isoformat()} still open",
            )
        )
    if stale:
        reasons.append(
            Reason(
                code="problem_stale",
                light=Light.YELLOW,
                zh=f"{len(stale)} 个现场问题超过 {PROBLEM_DAYS_TO_RESOLVE} 天未解决",
                en=f"{len(stale)} site problem(s) open more than {PROBLEM_DAYS_TO_RESOLVE} days",
            )
        )

    light = light_for(
        worst_days_late=worst_days, lag=lag, other_overdue=bool(late_reviews or stale)
    )
    reasons.sort(key=lambda r: -LIGHT_ORDER.index(r.light))
    return Assessment(
        light=light,
        reasons=tuple(reasons),
        milestones=tuple(milestones),
        expected_progress=expected,
        lag=lag,
    )


# --- Escalation ----------------------------------------------------------------------------


def level_for(days_late: int, kind: str = "stage") -> ChainLevel:
    """The level that chases a milestone this many days late."""
    if kind == "review":
        return ChainLevel.DISTRICT
    for limit, level in ESCALATION_DAYS:
        if days_late <= limit:
            return ChainLevel(level)
    return ChainLevel.DISTRICT


def assign(
    *,
    days_late: int,
    contacts: Mapping[str, int | None],
    kind: str = "stage",
    floor: str | None = None,
) -> tuple[ChainLevel, int | None]:
    """The level and person an item goes to: the level for its days late (never below
    ``floor``, the level it already reached), then up to the first level with a contact
    (``contacts``: level → user id). Nobody at or above: the district office, unassigned."""
    start = CHAIN_ORDER.index(level_for(days_late, kind))
    if floor is not None:
        start = max(start, CHAIN_ORDER.index(ChainLevel(floor)))
    for level in CHAIN_ORDER[start:]:
        person = contacts.get(level)
        if person is not None:
            return level, person
    return ChainLevel.DISTRICT, None
