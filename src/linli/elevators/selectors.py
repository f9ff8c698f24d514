"""Reads for elevator cases: the allocation of a case (the pure engine over the stored plan),
the vote of each stairwell, running-cost statements and per-dwelling bills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from linli.consultation.models import Vote, VoteStatus
from linli.elevators.allocation import (
    Allocation,
    DwellingInput,
    Share,
    allocate,
    provident_fund_limit,
    running_costs,
)
from linli.elevators.models import CaseDwelling, CaseVote, ElevatorCase, RunningCostYear
from linli.registry.models import Stairwell


def pool_rows(case: ElevatorCase) -> list[CaseDwelling]:
    """The case's dwellings with their stairwell and building, in bill order."""
    return list(
        case.pool.select_related("dwelling__stairwell__building").order_by(
            "dwelling__stairwell__building__number",
            "dwelling__stairwell__number",
            "cost_floor",
            "dwelling__number",
            "pk",
        )
    )


def engine_inputs(rows: Sequence[CaseDwelling]) -> list[DwellingInput]:
    return [
        DwellingInput(
            id=row.dwelling_id,
            floor=row.cost_floor,
            area=row.dwelling.area,
            stairwell=row.dwelling.stairwell_id,
        )
        for row in rows
    ]


def allocation_of(case: ElevatorCase, rows: Sequence[CaseDwelling] | None = None) -> Allocation:
    """The case's cost sharing as the plan stands (raises ``Invalid`` on an unusable plan)."""
    rows = pool_rows(case) if rows is None else rows
    return allocate(
        dwellings=engine_inputs(rows),
        residents_total=case.residents_total,
        coefficients=case.coefficients,
        area_weighted=case.area_weighted,
        exempt=[row.dwelling_id for row in rows if row.exempt],
        compensation=[(row.dwelling_id, row.compensation) for row in rows if row.compensation],
    )


def running_statement(
    year: RunningCostYear, rows: Sequence[CaseDwelling] | None = None
) -> Allocation:
    """The year's running costs shared among the pool: the construction coefficients unless the
    year has its own table. Exempt dwellings stay exempt (they do not use the elevator)."""
    case = year.case
    rows = pool_rows(case) if rows is None else rows
    coefficients = case.coefficients if year.coefficients is None else year.coefficients
    area_weighted = case.area_weighted if year.area_weighted is None else year.area_weighted
    return running_costs(
        dwellings=engine_inputs(rows),
        annual_total=year.total,
        coefficients=coefficients,
        area_weighted=area_weighted,
        exempt=[row.dwelling_id for row in rows if row.exempt],
    )


@dataclass(frozen=True)
class StairwellVote:
    """The latest vote of one stairwell on the case (``vote`` None: not started)."""

    stairwell: Stairwell
    vote: Vote | None

    @property
    def passed(self) -> bool:
        return bool(
            self.vote is not None and self.vote.status == VoteStatus.FINAL and self.vote.passed
        )

    @property
    def failed(self) -> bool:
        return self.vote is not None and (
            self.vote.status == VoteStatus.CANCELLED
            or (self.vote.status == VoteStatus.FINAL and self.vote.passed is False)
        )

    @property
    def settled(self) -> bool:
        return self.vote is None or self.vote.status in (VoteStatus.FINAL, VoteStatus.CANCELLED)


def stairwell_votes(case: ElevatorCase) -> list[StairwellVote]:
    """Each stairwell of the case with its latest vote, in building and stairwell order."""
    latest: dict[int, Vote] = {}
    for link in CaseVote.objects.filter(case=case).select_related("vote__profile").order_by("pk"):
        latest[link.stairwell_id] = link.vote
    stairwells = case.stairwells.select_related("building").order_by(
        "building__number", "number", "pk"
    )
    return [StairwellVote(stairwell=s, vote=latest.get(s.pk)) for s in stairwells]


@dataclass(frozen=True)
class BillLine:
    """One dwelling's bill: its pool row, its share and what the provident fund may cover."""

    row: CaseDwelling
    share: Share
    provident_fund_limit: Decimal

    @property
    def dwelling(self) -> Any:
        return self.row.dwelling


def bill_lines(case: ElevatorCase, rows: Sequence[CaseDwelling] | None = None) -> list[BillLine]:
    """Every dwelling's bill line, in bill order."""
    rows = pool_rows(case) if rows is None else rows
    result = allocation_of(case, rows)
    return [
        BillLine(
            row=row,
            share=result.share_of(row.dwelling_id),
            provident_fund_limit=provident_fund_limit(
                result.share_of(row.dwelling_id).construction_share, case.provident_fund_cap
            ),
        )
        for row in rows
    ]
