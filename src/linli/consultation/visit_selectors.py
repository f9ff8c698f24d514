"""Reads of visits, coverage (入户率), demand rankings and meetings.

Coverage and the to-visit list load plain rows with a fixed number of queries, however many
dwellings, and hand them to the pure engine :mod:`linli.consultation.coverage`. Only compounds
the user holds as staff count (the property company and residents do not see visits:
``linli.consultation.scoping``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from linli.consultation import coverage as engine
from linli.consultation import models as m
from linli.consultation.scoping import staff_compounds
from linli.core.scoping import scope_for, scoped
from linli.registry.models import Compound, Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING


def staff_compounds_of(user: Any, permission: str | None = None) -> QuerySet[Compound]:
    """Compounds whose consultation ``user`` holds as staff (for ``permission``, or seeing)."""
    scope = scope_for(user, permission)
    compounds = Compound.objects.all()
    if scope.everything:
        return compounds
    return compounds.filter(staff_compounds(scope))


def may(user: Any, permission: str, compound: Compound | int) -> bool:
    """Whether ``user`` may use ``permission`` in ``compound`` (role and scope)."""
    pk = compound if isinstance(compound, int) else compound.pk
    return staff_compounds_of(user, permission).filter(pk=pk).exists()


def own_compound_ids(user: Any) -> list[int]:
    """The compounds of a resident's own dwellings."""
    scope = scope_for(user)
    if not scope.dwelling_ids:
        return []
    return list(
        Dwelling.objects.filter(pk__in=sorted(scope.dwelling_ids))
        .values_list(f"{COMPOUND_OF_DWELLING}_id", flat=True)
        .distinct()
    )


def consultation_compounds(user: Any) -> QuerySet[Compound]:
    """Compounds whose meetings and demand rankings ``user`` sees: staff compounds, and a
    resident's own compound."""
    scope = scope_for(user)
    compounds = Compound.objects.all()
    if scope.everything:
        return compounds
    return compounds.filter(staff_compounds(scope) | Q(pk__in=own_compound_ids(user)))


def survey_compounds(survey: m.Survey, user: Any) -> QuerySet[Compound]:
    """The survey's compounds that ``user`` holds as staff, with community and zone."""
    return (
        staff_compounds_of(user)
        .filter(pk__in=survey.compounds.values("pk"))
        .select_related("community", "zone")
        .order_by("name", "pk")
    )


# --- Coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DwellingState:
    """A dwelling of a survey with its visits and status (the to-visit list's row)."""

    dwelling: Dwelling
    visits: tuple[engine.VisitFact, ...]
    answered_in_visit: bool

    @property
    def status(self) -> engine.Status:
        return engine.status_of(self.visits, self.answered_in_visit)

    @property
    def attempts(self) -> int:
        return len(self.visits)

    @property
    def last(self) -> engine.VisitFact | None:
        return engine.latest(self.visits)

    @property
    def last_outcome_label(self) -> str:
        last = self.last
        return "" if last is None else str(m.VisitOutcome(last.outcome).label)

    @property
    def label(self) -> str:
        return dwelling_label(self.dwelling)


def dwelling_label(dwelling: Dwelling) -> str:
    """ "3-2-401": building, stairwell, number (the label meeting attendees are entered by)."""
    stairwell = dwelling.stairwell
    return f"{stairwell.building.number}-{stairwell.number}-{dwelling.number}"


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key that puts "2" before "10" (building and dwelling numbers are text)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _states(survey: m.Survey, compounds: QuerySet[Compound], user: Any) -> list[DwellingState]:
    """Every dwelling of ``compounds`` with its visits for ``survey``: three queries."""
    dwellings = list(
        Dwelling.objects.filter(stairwell__building__compound__in=compounds).select_related(
            "stairwell__building__compound"
        )
    )
    visits: dict[int, list[engine.VisitFact]] = defaultdict(list)
    rows = scoped(m.Visit.objects.filter(survey=survey), user).filter(
        dwelling__stairwell__building__compound__in=compounds
    )
    for pk, dwelling_id, at, outcome in rows.values_list(
        "pk", "dwelling_id", "visited_at", "outcome"
    ):
        visits[dwelling_id].append(engine.VisitFact(at=at, outcome=outcome, pk=pk))
    answered = set(
        m.Response.objects.filter(
            survey=survey,
            channel=m.ResponseChannel.VISIT,
            dwelling__stairwell__building__compound__in=compounds,
        ).values_list("dwelling_id", flat=True)
    )
    return [
        DwellingState(
            dwelling=d,
            visits=tuple(sorted(visits.get(d.pk, ()), key=lambda v: (v.at, v.pk))),
            answered_in_visit=d.pk in answered,
        )
        for d in dwellings
    ]


def coverage(survey: m.Survey, user: Any) -> engine.Report:
    """The survey's coverage in the compounds ``user`` holds: four queries."""
    compounds = list(survey_compounds(survey, user))
    by_pk = {c.pk: c for c in compounds}
    states = _states(survey, survey_compounds(survey, user), user)

    def place(obj: Any) -> engine.Place:
        return engine.Place(obj.pk, obj.name)

    facts = []
    for state in states:
        compound = by_pk[state.dwelling.stairwell.building.compound_id]
        facts.append(
            engine.DwellingFacts(
                dwelling_id=state.dwelling.pk,
                compound=place(compound),
                community=place(compound.community),
                zone=None if compound.zone is None else place(compound.zone),
                visits=state.visits,
                answered_in_visit=state.answered_in_visit,
            )
        )
    return engine.coverage(facts, survey.coverage_target, compounds=[place(c) for c in compounds])


#: Statuses that keep a dwelling on the worker's list.
TO_VISIT = frozenset({engine.Status.NOT_VISITED, engine.Status.NOBODY_HOME})


def dwellings_to_visit(
    survey: m.Survey, user: Any, compound: Compound | int | None = None
) -> list[DwellingState]:
    """Dwellings of the survey's compounds (those ``user`` holds; one when ``compound`` is
    given) neither reached, vacant nor declined, ordered by building, stairwell, floor and
    number, each with its attempts and last visit: three queries."""
    compounds = survey_compounds(survey, user)
    if compound is not None:
        compounds = compounds.filter(pk=compound if isinstance(compound, int) else compound.pk)
    states = [s for s in _states(survey, compounds, user) if s.status in TO_VISIT]

    def key(state: DwellingState) -> tuple[Any, ...]:
        d = state.dwelling
        return (
            d.stairwell.building.compound.name,
            _natural(d.stairwell.building.number),
            _natural(d.stairwell.number),
            d.floor,
            _natural(d.number),
            d.pk,
        )

    return sorted(states, key=key)


# --- Meetings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    """Dwellings represented at a meeting and their share of the compound's dwellings."""

    dwellings: int
    compound_dwellings: int

    @property
    def share(self) -> Any:
        return engine.percent(self.dwellings, self.compound_dwellings)


def attendance_summary(meeting: m.Meeting, represented: int | None = None) -> AttendanceSummary:
    """How many dwellings were represented (``represented``, else counted) out of the
    compound's dwellings."""
    if represented is None:
        represented = meeting.attendances.count()
    total = Dwelling.objects.filter(stairwell__building__compound=meeting.compound_id).count()
    return AttendanceSummary(dwellings=represented, compound_dwellings=total)


def sees_attendance(user: Any, meeting: m.Meeting) -> bool:
    """Whether ``user`` sees who came (staff of the compound; not residents)."""
    return staff_compounds_of(user).filter(pk=meeting.compound_id).exists()
