"""The resident's elevator retrofit page (/me/elevators/<pk>/) and the home page's elevator
cards: for the resident's own dwellings in a case only, the plan, their bill line, the vote of
their stairwell and their running-cost statements.

The cost engine needs the whole pool to work out one household's share, so the pool is read
whole (``bill_lines``), but only the lines of the user's own dwellings (their resident
assignments, whatever other role they hold) leave this module; everyone's amounts are in the
public notice, without names. A case whose pool holds none of the user's dwellings is a 404,
for staff too: this is the owner's page, the organisers have the case page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.views.generic import DetailView

from linli.consultation.models import Ballot, Elector, Vote
from linli.core.errors import Invalid
from linli.core.scoping import scope_for, scoped
from linli.elevators.allocation import DwellingInput, Share, allocate
from linli.elevators.allocation import coefficient_table as parse_coefficients
from linli.elevators.case_views import coefficient_words
from linli.elevators.document_parts import number
from linli.elevators.models import CaseDwelling, CaseStatus, ElevatorCase, RunningCostYear
from linli.elevators.selectors import BillLine, bill_lines, pool_rows, running_statement
from linli.registry.models import Dwelling
from linli.web.resident_cards import Result, result_of

# --- Reads -------------------------------------------------------------------------------------


def my_dwelling_ids(user: Any) -> list[int]:
    """The dwellings the user holds a resident assignment for."""
    return sorted(scope_for(user).dwelling_ids)


def my_cases(user: Any, dwelling_ids: Sequence[int] | None = None) -> QuerySet[ElevatorCase]:
    """The cases (visible to the user) whose pool holds one of the user's own dwellings."""
    ids = my_dwelling_ids(user) if dwelling_ids is None else list(dwelling_ids)
    return (
        scoped(ElevatorCase, user)
        .filter(pool__dwelling_id__in=ids)
        .select_related("compound", "subsidy_rule")
        .distinct()
    )


@dataclass(frozen=True)
class FloorCoefficient:
    """One row of the plan's coefficient table."""

    floor: int
    coefficient: Decimal

    @property
    def text(self) -> str:
        return number(self.coefficient)


def floor_coefficients(case: ElevatorCase) -> list[FloorCoefficient]:
    """The coefficient of each floor under the case's table (empty when the table is unusable).

    Computed by the cost engine itself over one dwelling per floor, so the page cannot
    disagree with the bills."""
    try:
        preset, table = parse_coefficients(case.coefficients)
        floors = sorted(table) if preset is None else list(range(1, case.storeys + 1))
        result = allocate(
            dwellings=[DwellingInput(id=f, floor=f, area=Decimal(1)) for f in floors],
            residents_total=Decimal("0.00"),
            coefficients=case.coefficients,
        )
    except Invalid:
        return []
    return [FloorCoefficient(s.floor, s.coefficient) for s in result.shares]


@dataclass(frozen=True)
class StairwellVoteRow:
    """The latest vote of the case that includes the dwelling, with its ballot and result."""

    vote: Vote
    ballot: Ballot | None
    result: Result | None


@dataclass(frozen=True)
class RunningLine:
    """One year's running costs of the elevator and the dwelling's share of them."""

    year: RunningCostYear
    share: Share


@dataclass
class MyLine:
    """One of the user's dwellings in the case: its bill line (None while the plan cannot be
    shared), its stairwell's vote and its running-cost statements."""

    row: CaseDwelling
    bill: BillLine | None
    vote: StairwellVoteRow | None = None
    running: list[RunningLine] = field(default_factory=list)
    bill_url: str | None = None

    @property
    def dwelling(self) -> Dwelling:
        return self.row.dwelling

    @property
    def coefficient_text(self) -> str:
        return number(self.bill.share.coefficient) if self.bill is not None else ""

    @property
    def half_landing(self) -> bool:
        return self.row.cost_floor != self.row.dwelling.floor

    @property
    def owes(self) -> bool:
        return self.bill is not None and self.bill.share.net >= 0

    @property
    def refund(self) -> Decimal:
        """What the household receives on balance (when compensation exceeds its share)."""
        return -self.bill.share.net if self.bill is not None else Decimal("0.00")


def my_lines(case: ElevatorCase, user: Any, *, with_details: bool = True) -> list[MyLine]:
    """The user's own dwellings in ``case`` with their bill lines and, ``with_details``, the
    votes and running-cost statements."""
    ids = set(my_dwelling_ids(user))
    mine = {row.pk for row in scoped(CaseDwelling, user).filter(case=case, dwelling_id__in=ids)}
    rows = pool_rows(case)
    try:
        lines: dict[int, BillLine | None] = {
            line.row.pk: line for line in bill_lines(case, rows) if line.row.pk in mine
        }
    except Invalid:
        lines = {row.pk: None for row in rows if row.pk in mine}
    result = [MyLine(row=row, bill=lines[row.pk]) for row in rows if row.pk in mine]
    if not with_details or not result:
        return result
    votes = _votes(case, user, [line.row.dwelling_id for line in result])
    years = list(case.running_years.order_by("-year"))
    statements = {}
    for year in years:
        try:
            statements[year.pk] = running_statement(year, rows)
        except Invalid:
            continue
    for line in result:
        line.vote = votes.get(line.row.dwelling_id)
        line.running = [
            RunningLine(year, statements[year.pk].share_of(line.row.dwelling_id))
            for year in years
            if year.pk in statements
        ]
    return result


def _votes(case: ElevatorCase, user: Any, dwelling_ids: list[int]) -> dict[int, StairwellVoteRow]:
    """Per dwelling, the latest of the case's votes that includes it (a rerun supersedes)."""
    electors = (
        scoped(Elector, user)
        .filter(dwelling_id__in=dwelling_ids, vote__elevator_case_vote__case=case)
        .select_related("vote__profile", "ballot")
        .order_by("vote_id")
    )
    latest: dict[int, Elector] = {}
    for elector in electors:
        latest[elector.dwelling_id] = elector
    return {
        pk: StairwellVoteRow(e.vote, getattr(e, "ballot", None), result_of(e.vote))
        for pk, e in latest.items()
    }


def _url(name: str, *args: int) -> str | None:
    """The URL of a document download, or None while that page is not wired in."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The home page's cards ---------------------------------------------------------------------


@dataclass(frozen=True)
class ElevatorCard:
    """An elevator case holding some of the resident's dwellings, with what each owes."""

    case: ElevatorCase
    lines: list[MyLine]


def elevator_cards(user: Any, dwellings: Sequence[Dwelling]) -> list[ElevatorCard]:
    """One card per case (not cancelled) whose pool holds one of ``dwellings``."""
    cases = (
        my_cases(user, [d.pk for d in dwellings])
        .exclude(status=CaseStatus.CANCELLED)
        .order_by("title", "pk")
    )
    return [ElevatorCard(case, my_lines(case, user, with_details=False)) for case in cases]


# --- The page ----------------------------------------------------------------------------------


class ResidentElevatorView(LoginRequiredMixin, DetailView):
    """One elevator case as its owner sees it: the plan, their own bill line(s), their
    stairwell's vote, their running-cost statements and the documents they may download."""

    model = ElevatorCase
    template_name = "web/resident/elevator.html"
    context_object_name = "case"

    def get_queryset(self) -> QuerySet[ElevatorCase]:
        # Like the vote page: whoever sees the case sees the plan; the bill lines are the
        # user's own dwellings only (none for staff, who get the case page for the pool).
        return scoped(ElevatorCase, self.request.user).select_related("compound", "subsidy_rule")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        case: ElevatorCase = self.object
        lines = my_lines(case, self.request.user)
        for line in lines:
            line.bill_url = _url("elevators:case_bill", case.pk, line.row.dwelling_id)
        return {
            **super().get_context_data(**kwargs),
            "lines": lines,
            "stairwells": list(
                case.stairwells.select_related("building").order_by("building__number", "number")
            ),
            "coefficients": floor_coefficients(case),
            "coefficient_words": coefficient_words(case.coefficients, case.area_weighted),
            "plan_settled": any(line.bill is not None for line in lines),
            "is_draft": case.status == CaseStatus.DRAFT,
            "notice_url": _url("elevators:case_notice", case.pk),
        }
