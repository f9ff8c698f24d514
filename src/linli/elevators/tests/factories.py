"""Builders for elevator tests.

``shared_stairwells`` builds the usual place: adjacent stairwells of one 6-storey building,
two dwellings per floor of equal area, one owner each (``stairwell_with_owners``). Cases are
made through the services (their rules are the point), never by factories.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.core.files.base import ContentFile

from linli.consultation import models as cm
from linli.consultation.services.votes import cast_ballot, close_vote, finalise_vote
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
    user_with_role,
)
from linli.elevators import models as m
from linli.registry import models as rm
from linli.registry.tests import factories as rf

__all__ = [
    "NOW",
    "SubsidyRuleFactory",
    "community_worker",
    "pass_votes",
    "resident_of",
    "shared_stairwells",
    "user_with_role",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


class SubsidyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SubsidyRule

    city = "洛阳市"
    name = factory.Sequence(lambda n: f"加装电梯补贴{n + 1}")
    kind = m.SubsidyKind.FIXED
    amount = Decimal("100000.00")


def shared_stairwells(
    count: int = 2, *, storeys: int = 6, per_floor: int = 2, area: str = "60.00"
) -> list[rm.Stairwell]:
    """``count`` adjacent stairwells of one building, every dwelling with its own owner."""
    first = stairwell_with_owners(storeys=storeys, per_floor=per_floor, area=area)
    stairwells = [first]
    for _ in range(count - 1):
        other = rf.StairwellFactory(building=first.building)
        for floor in range(1, storeys + 1):
            for n in range(1, per_floor + 1):
                dwelling = rf.DwellingFactory(
                    stairwell=other, floor=floor, number=f"{floor}0{n}", area=Decimal(area)
                )
                rf.OwnershipFactory(dwelling=dwelling)
        stairwells.append(other)
    return stairwells


def pass_votes(case: m.ElevatorCase, *, by: Any, choice: str = cm.Choice.YES) -> None:
    """Every dwelling of every stairwell vote casts ``choice`` on paper; the votes then close
    and, after the notice period, become final."""
    for link in case.case_votes.select_related("vote"):
        vote = link.vote
        for elector in vote.electors.select_related("dwelling"):
            cast_ballot(
                vote=vote,
                dwelling=elector.dwelling,
                choice=choice,
                channel=cm.BallotChannel.PAPER,
                by=by,
                document=ContentFile(b"%PDF-1.4 sheet", name="sheet.pdf"),
                now=vote.opens_at + datetime.timedelta(hours=1),
            )
        close_vote(vote, now=vote.closes_at)
        vote.refresh_from_db()
        if vote.status != cm.VoteStatus.FINAL:
            finalise_vote(vote, now=vote.notice_ends_at)
