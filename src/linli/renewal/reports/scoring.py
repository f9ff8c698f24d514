"""Scores of the monthly bulletin, the quarterly site-tour list and the annual evaluation.

Pure functions over plain facts (no ORM), every weight a named constant; the formulas are
documented in docs/renewal.md#reports. Scores are ``Decimal`` with 2 places (half up), 0–100.
A rate that cannot be computed (nothing planned, nothing started) scores 0 points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

__all__ = [
    "ANNUAL_WEIGHTS",
    "MONTHLY_WEIGHTS",
    "TOUR_STAGES",
    "TOUR_WEIGHTS",
    "AreaFacts",
    "ProjectFacts",
    "annual_score",
    "monthly_score",
    "rank",
    "supervision_points",
    "tour_score",
]

PLACES = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: Monthly bulletin ranking (月通报排名): points per share, 100 in all.
MONTHLY_WEIGHTS = {
    "start_rate": Decimal(40),
    "completion_rate": Decimal(30),
    "investment_completion": Decimal(20),
    "green_share": Decimal(10),
}

#: Annual evaluation (年度考评): points per share, 100 in all; supervision is a budget of
#: points from which each red project takes RED_DEDUCTION and each yellow YELLOW_DEDUCTION.
ANNUAL_WEIGHTS = {
    "start_rate": Decimal(25),
    "completion_rate": Decimal(25),
    "investment_completion": Decimal(20),
    "satisfaction": Decimal(20),
    "supervision": Decimal(10),
}
RED_DEDUCTION = Decimal(2)
YELLOW_DEDUCTION = Decimal(1)

#: Quarterly site-tour list (季度观摩): points per criterion, 100 in all.
TOUR_WEIGHTS = {
    "works": Decimal(30),
    "schedule": Decimal(30),
    "satisfaction": Decimal(25),
    "no_open_issues": Decimal(15),
}
#: Projects that can be toured: in works or further along.
TOUR_STAGES = ("works", "completed", "acceptance", "handed_over")
#: Works finished: the works criterion scores in full.
FINISHED_STAGES = ("completed", "acceptance", "handed_over")
#: Schedule points by the project's stored supervision light (share of the weight).
LIGHT_SHARE = {"green": Decimal(1), "yellow": Decimal("0.5"), "red": ZERO}
#: A project not yet accepted is presumed to meet the default bar (80%), no better.
PRESUMED_SATISFACTION = Decimal(80)


def _points(share: Decimal | None, weight: Decimal) -> Decimal:
    return (share or ZERO) * weight


def _round(value: Decimal) -> Decimal:
    return max(ZERO, min(HUNDRED, value)).quantize(PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class AreaFacts:
    """What the area scores need of a sub-district or zone (rates as 0–1 shares)."""

    start_rate: Decimal | None = None
    completion_rate: Decimal | None = None
    investment_completion: Decimal | None = None
    projects: int = 0
    green: int = 0
    yellow: int = 0
    red: int = 0
    #: Mean satisfaction (0–100) of the area's accepted projects; None when none.
    satisfaction: Decimal | None = None


def green_share(facts: AreaFacts) -> Decimal | None:
    """Share of the area's projects showing green; None without projects."""
    return Decimal(facts.green) / Decimal(facts.projects) if facts.projects else None


def monthly_score(facts: AreaFacts) -> Decimal:
    """40 × start rate + 30 × completion rate + 20 × investment completion + 10 × share of
    green projects."""
    w = MONTHLY_WEIGHTS
    return _round(
        _points(facts.start_rate, w["start_rate"])
        + _points(facts.completion_rate, w["completion_rate"])
        + _points(facts.investment_completion, w["investment_completion"])
        + _points(green_share(facts), w["green_share"])
    )


def supervision_points(facts: AreaFacts) -> Decimal:
    """10 points less 2 per red and 1 per yellow project, never below 0."""
    lost = RED_DEDUCTION * facts.red + YELLOW_DEDUCTION * facts.yellow
    return max(ZERO, ANNUAL_WEIGHTS["supervision"] - lost)


def annual_score(facts: AreaFacts) -> Decimal:
    """25 × start rate + 25 × completion rate + 20 × investment completion + 20 × mean
    satisfaction + the supervision points (10, less the deductions)."""
    w = ANNUAL_WEIGHTS
    satisfaction = None if facts.satisfaction is None else facts.satisfaction / HUNDRED
    return _round(
        _points(facts.start_rate, w["start_rate"])
        + _points(facts.completion_rate, w["completion_rate"])
        + _points(facts.investment_completion, w["investment_completion"])
        + _points(satisfaction, w["satisfaction"])
        + supervision_points(facts)
    )


@dataclass(frozen=True)
class ProjectFacts:
    """What the site-tour score needs of one project."""

    stage: str
    progress: Decimal = ZERO
    light: str = "green"
    #: The latest joint acceptance's satisfaction (0–100); None before acceptance.
    satisfaction: Decimal | None = None
    open_items: int = 0
    open_problems: int = 0


def tour_score(facts: ProjectFacts) -> Decimal | None:
    """The site-tour score of a project in works or further along (None otherwise): works
    (30: in full once finished, else × progress), schedule (30 × 1 / 0.5 / 0 for a green /
    yellow / red light), satisfaction (25 × latest acceptance's satisfaction, 80% presumed
    before acceptance) and no open supervision item or site problem (15)."""
    if facts.stage not in TOUR_STAGES:
        return None
    w = TOUR_WEIGHTS
    works = Decimal(1) if facts.stage in FINISHED_STAGES else facts.progress / HUNDRED
    satisfaction = PRESUMED_SATISFACTION if facts.satisfaction is None else facts.satisfaction
    clean = facts.open_items == 0 and facts.open_problems == 0
    return _round(
        works * w["works"]
        + LIGHT_SHARE.get(facts.light, ZERO) * w["schedule"]
        + satisfaction / HUNDRED * w["satisfaction"]
        + (w["no_open_issues"] if clean else ZERO)
    )


T = TypeVar("T")


def rank(
    entries: Iterable[T], score: Callable[[T], Decimal], name: Callable[[T], str]
) -> Sequence[tuple[int, T]]:
    """``entries`` by descending score, ties sharing a rank (1, 2, 2, 4), then by name."""
    ordered = sorted(entries, key=lambda e: (-score(e), name(e)))
    ranked: list[tuple[int, T]] = []
    for i, entry in enumerate(ordered):
        if i and score(entry) == score(ordered[i - 1]):
            ranked.append((ranked[-1][0], entry))
        else:
            ranked.append((i + 1, entry))
    return ranked
