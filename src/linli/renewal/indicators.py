"""Programme indicators (issue 4 item 7): a pure function over plain rows, one per project.

No database access here: ``linli.renewal.selectors.indicators_for`` loads the rows for a user's
scope and calls :func:`compute_indicators`. The definitions are documented in docs/renewal.md,
section "Indicators"; in short, for a period ``[period_start, period_end]`` (both inclusive):

* the **cohort** is the projects whose programme year lies in the period's years;
  *planned* counts the distinct compounds of the cohort, *started* those of cohort projects
  whose works started on or before ``period_end``, *completed* those of cohort projects
  completed on or before ``period_end`` (a completed project counts as started);
* start rate = started ÷ planned, completion rate = completed ÷ started, investment completion
  = disbursed ÷ planned investment of the cohort (Decimal, 4 places, ``None`` when the
  denominator is 0);
* *started in period* / *completed in period* count the distinct compounds of any project
  whose works started / which was completed inside the period;
* households and people benefited, and every output indicator, add up the projects completed
  inside the period (what the period delivered).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CompoundFacts", "Indicators", "ProjectRow", "compute_indicators", "ratio"]

RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CompoundFacts:
    """A compound of a project and the households and people living in it."""

    id: int
    households: int = 0
    people: int = 0


@dataclass(frozen=True)
class ProjectRow:
    """What the indicators need of one project."""

    id: int
    year: int
    stage: str
    zone_id: int | None = None
    compounds: tuple[CompoundFacts, ...] = ()
    works_started_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    planned_investment: Decimal = ZERO
    disbursed_investment: Decimal = ZERO
    #: Output quantity per output indicator code (measured at completion).
    outputs: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicators:
    """The figures for one scope and period."""

    period_start: datetime.date
    period_end: datetime.date
    projects_planned: int
    compounds_planned: int
    compounds_started: int
    compounds_completed: int
    start_rate: Decimal | None
    completion_rate: Decimal | None
    compounds_started_in_period: int
    compounds_completed_in_period: int
    households_benefited: int
    people_benefited: int
    planned_investment: Decimal
    disbursed_investment: Decimal
    investment_completion: Decimal | None
    #: Total per output indicator code, in the indicator's unit.
    outputs: dict[str, Decimal]


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator ÷ denominator`` as a Decimal with 4 places (half up); None when the
    denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def _on_or_before(day: datetime.date | None, end: datetime.date) -> bool:
    return day is not None and day <= end


def _within(day: datetime.date | None, start: datetime.date, end: datetime.date) -> bool:
    return day is not None and start <= day <= end


def _started_on(row: ProjectRow) -> datetime.date | None:
    """When works started; a completed project without a recorded start started by its
    completion at the latest."""
    if row.works_started_on is None:
        return row.completed_on
    if row.completed_on is None:
        return row.works_started_on
    return min(row.works_started_on, row.completed_on)


def _compounds(rows: Iterable[ProjectRow]) -> dict[int, CompoundFacts]:
    """Distinct compounds of ``rows`` by id (a compound in two projects counts once)."""
    return {c.id: c for row in rows for c in row.compounds}


def compute_indicators(
    rows: Iterable[ProjectRow],
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    indicator_codes: Sequence[str] = (),
) -> Indicators:
    """The indicators of ``rows`` for the period ``[period_start, period_end]``.

    ``indicator_codes`` lists the output indicators to report even when nothing adds to
    them (they then total 0); codes found only in the rows are reported too.
    """
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    rows = list(rows)
    cohort = [r for r in rows if period_start.year <= r.year <= period_end.year]
    started = [r for r in cohort if _on_or_before(_started_on(r), period_end)]
    completed = [r for r in cohort if _on_or_before(r.completed_on, period_end)]
    started_in = [r for r in rows if _within(_started_on(r), period_start, period_end)]
    completed_in = [r for r in rows if _within(r.completed_on, period_start, period_end)]

    planned_n = len(_compounds(cohort))
    started_n = len(_compounds(started))
    completed_n = len(_compounds(completed))
    benefited = _compounds(completed_in).values()

    outputs: dict[str, Decimal] = {code: ZERO for code in indicator_codes}
    for row in completed_in:
        for code, quantity in row.outputs.items():
            outputs[code] = outputs.get(code, ZERO) + quantity

    planned_money = sum((r.planned_investment for r in cohort), ZERO)
    disbursed_money = sum((r.disbursed_investment for r in cohort), ZERO)
    return Indicators(
        period_start=period_start,
        period_end=period_end,
        projects_planned=len(cohort),
        compounds_planned=planned_n,
        compounds_started=started_n,
        compounds_completed=completed_n,
        start_rate=ratio(started_n, planned_n),
        completion_rate=ratio(completed_n, started_n),
        compounds_started_in_period=len(_compounds(started_in)),
        compounds_completed_in_period=len(_compounds(completed_in)),
        households_benefited=sum(c.households for c in benefited),
        people_benefited=sum(c.people for c in benefited),
        planned_investment=planned_money,
        disbursed_investment=disbursed_money,
        investment_completion=ratio(disbursed_money, planned_money),
        outputs=outputs,
    )
