"""Visit coverage (入户率) of a survey: a pure engine over plain rows, no ORM.

A dwelling is

* **reached** when it has a visit with outcome ``visited``, or a survey response entered
  during a visit (``Response.channel == "visit"``);
* **vacant** (excluded from the base) when its latest visit is ``moved_out`` and it was never
  reached;
* otherwise, by its latest visit: **declined**, **nobody home**, or **not visited** yet.

coverage = reached / (dwellings − vacant), shown as a percentage with 2 places; whether the
target is met is decided on the exact fraction (reached × 100 ≥ target × eligible), so a
compound exactly at 90 % meets a 90 % target. A group without eligible dwellings has no
coverage and does not meet the target (there is nothing to measure).

Rows are given per compound, per community and per zone (compounds without a zone are grouped
as "未划片区"), plus the total over every dwelling.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

#: How the zone row of compounds outside every zone is labelled.
NO_ZONE = "未划片区"

VISITED = "visited"
NOBODY_HOME = "nobody_home"
DECLINED = "declined"
MOVED_OUT = "moved_out"


class Status(StrEnum):
    """Where a dwelling stands in a survey's visits."""

    REACHED = "reached"
    VACANT = "vacant"
    DECLINED = "declined"
    NOBODY_HOME = "nobody_home"
    NOT_VISITED = "not_visited"


@dataclass(frozen=True)
class VisitFact:
    """One visit: when and what happened (``outcome`` is a ``VisitOutcome`` value)."""

    at: datetime.datetime
    outcome: str
    pk: int = 0  # breaks ties between visits recorded for the same moment


@dataclass(frozen=True)
class Place:
    """A compound, community or zone: its key and name."""

    pk: int | None
    name: str


@dataclass(frozen=True)
class DwellingFacts:
    """A dwelling of the survey with where it lies and what the visits found."""

    dwelling_id: int
    compound: Place
    community: Place
    zone: Place | None
    visits: Sequence[VisitFact] = ()
    answered_in_visit: bool = False


def latest(visits: Iterable[VisitFact]) -> VisitFact | None:
    """The last visit (by time, then by record order), or None."""
    return max(visits, key=lambda v: (v.at, v.pk), default=None)


def status_of(visits: Sequence[VisitFact], answered_in_visit: bool = False) -> Status:
    """The dwelling's status from its visits and whether a response was entered in a visit."""
    if answered_in_visit or any(v.outcome == VISITED for v in visits):
        return Status.REACHED
    last = latest(visits)
    if last is None:
        return Status.NOT_VISITED
    return {
        MOVED_OUT: Status.VACANT,
        DECLINED: Status.DECLINED,
        NOBODY_HOME: Status.NOBODY_HOME,
    }.get(last.outcome, Status.NOT_VISITED)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a percentage with 2 places (half up); None for 0/0."""
    if denominator == 0:
        return None
    value = Decimal(numerator * 100) / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    """Counts of one group (a compound, a community, a zone or the total)."""

    key: int | None
    name: str
    target: Decimal
    dwellings: int = 0
    reached: int = 0
    vacant: int = 0
    declined: int = 0
    nobody_home: int = 0
    not_visited: int = 0

    def add(self, status: Status) -> None:
        self.dwellings += 1
        if status is Status.REACHED:
            self.reached += 1
        elif status is Status.VACANT:
            self.vacant += 1
        elif status is Status.DECLINED:
            self.declined += 1
        elif status is Status.NOBODY_HOME:
            self.nobody_home += 1
        else:
            self.not_visited += 1

    @property
    def eligible(self) -> int:
        """Dwellings counted in the base: all but the vacant ones."""
        return self.dwellings - self.vacant

    @property
    def to_visit(self) -> int:
        """Dwellings still on the worker's list (neither reached, vacant nor declined)."""
        return self.nobody_home + self.not_visited

    @property
    def rate(self) -> Decimal | None:
        return percent(self.reached, self.eligible)

    @property
    def met(self) -> bool:
        if self.eligible == 0:
            return False
        return Fraction(self.reached * 100, self.eligible) >= Fraction(self.target)

    def as_dict(self) -> dict[str, object]:
        rate = self.rate
        return {
            "id": self.key,
            "name": self.name,
            "dwellings": self.dwellings,
            "eligible": self.eligible,
            "reached": self.reached,
            "vacant": self.vacant,
            "declined": self.declined,
            "nobody_home": self.nobody_home,
            "not_visited": self.not_visited,
            "to_visit": self.to_visit,
            "rate": None if rate is None else f"{rate:.2f}",
            "met": self.met,
        }


@dataclass
class Report:
    """A survey's coverage: rows per compound, community and zone, and the total."""

    target: Decimal
    compounds: list[Row] = field(default_factory=list)
    communities: list[Row] = field(default_factory=list)
    zones: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(None, "合计", Decimal("90")))

    def as_dict(self) -> dict[str, object]:
        return {
            "target": f"{self.target:.2f}",
            "total": self.total.as_dict(),
            "compounds": [r.as_dict() for r in self.compounds],
            "communities": [r.as_dict() for r in self.communities],
            "zones": [r.as_dict() for r in self.zones],
        }


def coverage(
    dwellings: Iterable[DwellingFacts], target: Decimal, compounds: Iterable[Place] = ()
) -> Report:
    """The coverage report of ``dwellings`` against ``target`` (a percentage).

    ``compounds`` lists compounds to show even when they have no dwelling (a row of zeros).
    Rows are sorted by name (the zone row "未划片区" last).
    """
    by_compound: dict[int | None, Row] = {}
    by_community: dict[int | None, Row] = {}
    by_zone: dict[int | None, Row] = {}
    total = Row(None, "合计", target)
    for place in compounds:
        by_compound.setdefault(place.pk, Row(place.pk, place.name, target))
    for facts in dwellings:
        status = status_of(facts.visits, facts.answered_in_visit)
        zone = facts.zone or Place(None, NO_ZONE)
        for groups, place in (
            (by_compound, facts.compound),
            (by_community, facts.community),
            (by_zone, zone),
        ):
            groups.setdefault(place.pk, Row(place.pk, place.name, target)).add(status)
        total.add(status)

    def ordered(rows: dict[int | None, Row]) -> list[Row]:
        return sorted(rows.values(), key=lambda r: (r.key is None, r.name, r.key or 0))

    return Report(
        target=target,
        compounds=ordered(by_compound),
        communities=ordered(by_community),
        zones=ordered(by_zone),
        total=total,
    )
