"""The elevator retrofit demo: four cases in 道南路70号院 (``linli elevators demo``).

Built over the registry demo and its accounts (``linli demo build``, ``linli demo accounts``;
the consultation demo may or may not be there), through the services only, as
``demo-community``, with a sample subsidy rule for 洛阳市 (marked 示例: not the city's real
figures). Stairwells are real ones of the compound's buildings:

* **A** two adjacent stairwells of the first building no consultation vote touches, sharing
  one elevator: votes passed months ago, agreed, built, accepted and handed over to the
  compound's property company (or, self-managed, its 业委会); maintenance visits about every
  15 days up to 20 days ago, so the maintenance schedule is overdue today while the annual
  inspection is not yet due; one running-cost year recorded;
* **B** demo-resident's stairwell and the next one of its building, sharing one elevator, by
  1 + 0.5 × (floor − 1), one dwelling stopping at a half-landing, compensation to the two
  ground-floor dwellings beside the shaft (affected: their consent is required); the votes
  are open with some paper ballots in, none for demo-resident's dwelling. (The consultation
  demo's open vote on that stairwell is a separate vote; the case holds its own.)
* **C** one stairwell of the next free building, a draft with the Hangzhou-style table
  {1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4}, area-weighted, one dwelling exempt;
* **D** one stairwell of the next free building whose vote failed (the affected ground-floor
  owner objected) and which is back in draft.

Dates are relative to ``now`` (default: the clock), timezone-aware. ``if_empty`` does nothing
when any case exists; otherwise existing cases are refused.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from linli.aftercare.models import Schedule, ScheduleKind
from linli.aftercare.services import record_visit
from linli.consultation.demo import (
    COMMUNITY_USERNAME,
    RESIDENT_USERNAME,
    _at,
    _daonan,
    _resident_dwellings,
    _scan,
    _user,
)
from linli.consultation.models import Choice, Elector, Vote, VoteScope, VoteStatus
from linli.consultation.services.votes import cast_ballot, close_vote, finalise_vote
from linli.core.errors import Invalid
from linli.elevators import demo_data as data
from linli.elevators.models import ElevatorCase, StopMode, SubsidyKind, SubsidyRule
from linli.elevators.services.cases import create_case
from linli.elevators.services.records import set_running_costs
from linli.elevators.services.workflow import (
    confirm_agreement,
    hand_over,
    return_to_draft,
    start_votes,
    start_works,
)
from linli.registry.models import Building, Compound, Dwelling, Stairwell

DEFAULT_SEED = 410303


def data_exists() -> bool:
    """Whether any elevator case exists (``if_empty`` then does nothing)."""
    return ElevatorCase.objects.exists()


def sample_subsidy_rule() -> SubsidyRule:
    """The demo's subsidy rule for 洛阳市 (reference data; reused when it exists)."""
    rule = SubsidyRule.objects.filter(city=data.SUBSIDY_CITY, name=data.SUBSIDY_NAME).first()
    if rule is None:
        rule = SubsidyRule(
            city=data.SUBSIDY_CITY,
            name=data.SUBSIDY_NAME,
            basis=data.SUBSIDY_BASIS,
            kind=SubsidyKind.FIXED,
            amount=data.SUBSIDY_AMOUNT,
        )
        rule.full_clean()
        rule.save()
    return rule


@dataclass(frozen=True)
class Places:
    """The stairwells of the four cases."""

    a: list[Stairwell]
    b: list[Stairwell]
    c: Stairwell
    d: Stairwell


def _number(building: Building) -> tuple[int, str]:
    return (int(building.number) if building.number.isdigit() else 10**6, building.number)


def _stairwells(building: Building) -> list[Stairwell]:
    return sorted(
        building.stairwells.all(),
        key=lambda s: (int(s.number) if s.number.isdigit() else 10**6, s.number),
    )


def find_places(compound: Compound, home: Stairwell | None) -> Places:
    """B around ``home`` (demo-resident's stairwell); A, C and D in buildings that no
    consultation vote of the compound touches, in building order."""
    buildings = sorted(
        compound.buildings.prefetch_related("stairwells")
        .filter(stairwells__dwellings__isnull=False)
        .distinct(),
        key=_number,
    )
    voted = set(
        Vote.objects.filter(compound=compound, scope_kind=VoteScope.STAIRWELLS).values_list(
            "stairwells__building", flat=True
        )
    ) | set(
        Vote.objects.filter(compound=compound, scope_kind=VoteScope.BUILDINGS).values_list(
            "buildings", flat=True
        )
    )
    if home is None:  # no demo resident's dwelling: B takes the first free building too
        home_building = next(b for b in buildings if len(_stairwells(b)) > 1 and b.pk not in voted)
        home = _stairwells(home_building)[0]
    wells = _stairwells(home.building)
    if len(wells) < 2:
        raise _missing(f"{home.building} 的相邻单元")
    i = [s.pk for s in wells].index(home.pk)
    b = [home, wells[i + 1]] if i + 1 < len(wells) else [wells[i - 1], home]
    free = [
        building
        for building in buildings
        if building.pk not in voted and building.pk != home.building_id
    ]
    if len(free) < 3 or len(_stairwells(free[0])) < 2:
        raise _missing(f"{compound.name} 中未被表决占用的三栋楼")
    return Places(
        a=_stairwells(free[0])[:2], b=b, c=_stairwells(free[1])[0], d=_stairwells(free[2])[0]
    )


def _missing(what: str) -> Invalid:
    return Invalid(
        f"演示数据中找不到{what},请先运行 linli demo build",
        f"the registry demo lacks {what}: run linli demo build first",
        "demo_missing",
    )


def build_demo(
    *, stdout: IO[str] | None = None, if_empty: bool = False, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Build the elevator demo (see the module docstring); returns what was created."""
    started = time.monotonic()
    if data_exists():
        if if_empty:
            if stdout is not None:
                stdout.write("已有加装电梯项目,跳过 (elevator cases exist; nothing to do)\n")
            return {}
        raise Invalid(
            "已有加装电梯项目,演示数据只能在没有项目时生成",
            "elevator cases exist: the demo builds only when there are none",
            "elevators_exist",
        )
    now = now or timezone.now()
    with transaction.atomic():
        worker = _user(COMMUNITY_USERNAME)
        resident = _user(RESIDENT_USERNAME)
        daonan = _daonan()
        own = _resident_dwellings(resident)
        places = find_places(daonan, own[0].stairwell if own else None)
        builder = _Builder(
            rng=random.Random(DEFAULT_SEED),
            now=now,
            worker=worker,
            compound=daonan,
            rule=sample_subsidy_rule(),
            own={d.pk for d in own},
        )
        builder.handed_over(places.a)
        builder.voting(places.b)
        builder.draft(places.c)
        builder.failed(places.d)
    counts = dict(builder.counts)
    if stdout is not None:
        stdout.write(
            "演示加装电梯 (elevator demo): "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f"; {time.monotonic() - started:.1f} s\n"
        )
    return counts


def _where(stairwells: Sequence[Stairwell]) -> str:
    building = stairwells[0].building
    return f"{building.number}号楼{'、'.join(s.number for s in stairwells)}单元"


class _Builder:
    """The demo's cases, sharing the generator, the moment and the actors."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime.datetime,
        worker: Any,
        compound: Compound,
        rule: SubsidyRule,
        own: set[int],
    ) -> None:
        self.rng, self.now, self.worker = rng, now, worker
        self.compound, self.rule, self.own = compound, rule, own
        self.today = timezone.localdate(now)
        self.counts: dict[str, int] = defaultdict(int)

    def _case(self, stairwells: Sequence[Stairwell], title: str, **kw: Any) -> ElevatorCase:
        case = create_case(
            by=self.worker,
            title=f"{_where(stairwells)}{title}",
            stairwells=stairwells,
            subsidy_rule=self.rule,
            **kw,
        )
        self.counts["cases"] += 1
        return case

    def _votes(self, case: ElevatorCase, opened: float, closes: datetime.datetime) -> list[Vote]:
        opens = _at(self.now, opened, hour=9)
        links = start_votes(case, by=self.worker, opens_at=opens, closes_at=closes, now=opens)
        self.counts["votes"] += len(links)
        return [link.vote for link in links]

    def _ballots(
        self,
        vote: Vote,
        choose: Any,
        when: datetime.datetime,
    ) -> None:
        """Paper ballots entered by the worker: ``choose(elector)`` gives a choice or "" (not
        voted); every dwelling of one owner (voter key) votes as its first one."""
        by_key: dict[str, str] = {}
        electors = Elector.objects.filter(vote=vote).select_related("dwelling").order_by("pk")
        for elector in electors:
            if elector.dwelling_id in self.own:
                continue  # demo-resident votes on the phone
            choice = by_key.setdefault(elector.voter_key, choose(elector))
            if not choice:
                continue
            cast_ballot(
                vote=vote,
                dwelling=elector.dwelling,
                choice=choice,
                channel="paper",
                by=self.worker,
                voter_name=(elector.owner_names or "").split("、")[0][:64],
                document=_scan(f"elevator-ballot-{vote.pk}-{elector.dwelling_id}.pdf"),
                now=when + datetime.timedelta(minutes=elector.pk % 600),
            )
            self.counts["ballots"] += 1

    def _settle(self, vote: Vote, closed: float) -> Vote:
        close_vote(vote, by=self.worker, now=_at(self.now, closed, hour=18))
        vote.refresh_from_db()
        if vote.status != VoteStatus.FINAL:
            assert vote.notice_ends_at is not None
            finalise_vote(vote, by=self.worker, now=vote.notice_ends_at)
            vote.refresh_from_db()
        return vote

    # --- A ---------------------------------------------------------------------------------

    def handed_over(self, stairwells: Sequence[Stairwell]) -> ElevatorCase:
        case = self._case(
            stairwells,
            "共用电梯",
            costs=data.A_COSTS,
            coefficients="half_step",
            feasibility=data.A_FEASIBILITY,
            design=data.A_DESIGN,
        )
        closes = _at(self.now, data.A_CLOSED, hour=18)
        for vote in self._votes(case, data.A_OPENED, closes):
            # Everyone agrees except one household per stairwell that did not vote.
            skip = (
                Elector.objects.filter(vote=vote)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            self._ballots(
                vote,
                lambda e, skip=skip: "" if e.pk == skip else Choice.YES,
                when=_at(self.now, data.A_OPENED - 2),
            )
            self._settle(vote, data.A_CLOSED)
        confirm_agreement(case, by=self.worker)
        start_works(case, by=self.worker)
        accepted = self.today - datetime.timedelta(days=data.A_ACCEPTED)
        company = self.compound.property_company
        hand_over(
            case,
            by=self.worker,
            accepted_on=accepted,
            responsible_unit=company.name if company else f"{self.compound.name}业主委员会",
            responsible_organisation=company,
            contractor=data.CONTRACTOR,
            contract_number=f"WB-{accepted:%Y%m%d}-01",
            contract_starts_on=accepted,
            contract_ends_on=accepted + datetime.timedelta(days=364),
            annual_fee=data.ANNUAL_FEE,
            registration_code=f"示例-{accepted:%Y}-0001",
            manufacturer=data.MANUFACTURER,
            model_name=data.MODEL_NAME,
            today=self.today,
        )
        assert case.asset is not None
        schedule = Schedule.objects.get(asset=case.asset, kind=ScheduleKind.MAINTENANCE)
        done = self.today - datetime.timedelta(days=data.A_LAST_VISIT)
        visits = []
        while done > accepted:
            visits.append(done)
            done -= datetime.timedelta(days=schedule.interval_days)
        for day in reversed(visits):
            record_visit(
                by=self.worker,
                schedule=schedule,
                done_on=day,
                performed_by=data.CONTRACTOR,
                notes=data.VISIT_NOTES,
                today=self.today,
            )
            self.counts["maintenance_visits"] += 1
        set_running_costs(case, by=self.worker, year=accepted.year, costs=data.A_RUNNING)
        self.counts["running_years"] += 1
        return case

    # --- B ---------------------------------------------------------------------------------

    def voting(self, stairwells: Sequence[Stairwell]) -> ElevatorCase:
        ground = list(
            Dwelling.objects.filter(stairwell=stairwells[0], floor=1).order_by("number", "pk")[:2]
        )
        top = (
            Dwelling.objects.filter(stairwell=stairwells[-1], floor__gt=1)
            .order_by("-floor", "-number", "-pk")
            .first()
        )
        case = self._case(
            stairwells,
            "共用电梯",
            costs=data.B_COSTS,
            coefficients="half_step",
            stop_mode=StopMode.MIXED,
            feasibility=data.B_FEASIBILITY,
            design=data.B_DESIGN,
            compensation=[(d.pk, data.B_COMPENSATION) for d in ground],
            affected=[d.pk for d in ground],
            cost_floors={top.pk: top.floor - 1} if top is not None else None,
        )
        closes = self.now + datetime.timedelta(days=data.B_CLOSES_IN)
        affected = {d.pk for d in ground}
        choices = [Choice.YES, Choice.NO, Choice.ABSTAIN, ""]

        def choose(elector: Elector) -> str:
            if elector.dwelling_id in affected:
                return Choice.YES  # the other ground-floor owner has agreed to the shaft
            return self.rng.choices(choices, weights=data.B_WEIGHTS)[0]

        for vote in self._votes(case, data.B_OPENED, closes):
            self._ballots(vote, choose, when=_at(self.now, data.B_OPENED - 1))
        self.counts["open_cases"] += 1
        return case

    # --- C ---------------------------------------------------------------------------------

    def draft(self, stairwell: Stairwell) -> ElevatorCase:
        exempt = (
            Dwelling.objects.filter(stairwell=stairwell, floor=3).order_by("number", "pk").first()
        )
        return self._case(
            [stairwell],
            "加装电梯",
            costs=data.C_COSTS,
            coefficients=data.C_TABLE,
            area_weighted=True,
            exempt=[exempt.pk] if exempt else [],
            exempt_reasons={exempt.pk: data.C_EXEMPT_REASON} if exempt else None,
            feasibility=data.C_FEASIBILITY,
        )

    # --- D ---------------------------------------------------------------------------------

    def failed(self, stairwell: Stairwell) -> ElevatorCase:
        ground = (
            Dwelling.objects.filter(stairwell=stairwell, floor=1).order_by("number", "pk").first()
        )
        case = self._case(
            [stairwell],
            "加装电梯",
            costs=data.D_COSTS,
            coefficients="half_step",
            feasibility=data.D_FEASIBILITY,
            affected=[ground.pk] if ground else [],
        )
        closes = _at(self.now, data.D_CLOSED, hour=18)
        objector = ground.pk if ground else None

        def choose(elector: Elector) -> str:
            return Choice.NO if elector.dwelling_id == objector else Choice.YES

        for vote in self._votes(case, data.D_OPENED, closes):
            self._ballots(vote, choose, when=_at(self.now, data.D_OPENED - 2))
            self._settle(vote, data.D_CLOSED)
        return_to_draft(case, by=self.worker)
        self.counts["returned_to_draft"] += 1
        return case
