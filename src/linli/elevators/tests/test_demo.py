"""The elevator demo on the smallest registry demo: four cases in 道南路70号院 in the states the
brief asks for (A handed over with maintenance overdue, B voting with demo-resident in its
pool, C a Hangzhou-style draft, D failed and back in draft), in buildings that no consultation
vote uses, and a second run with ``if_empty`` creates nothing.

The registry demo (2 compounds), its accounts and one consultation vote like the consultation
demo's failed stairwell vote are built once for the module inside a transaction rolled back
afterwards; the elevator demo is built once on top of them.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from linli.accounts.demo import ensure_demo_accounts
from linli.accounts.models import RoleAssignment
from linli.aftercare.models import Schedule, ScheduleKind
from linli.consultation import models as cm
from linli.consultation.services.votes import create_vote
from linli.core.errors import Invalid
from linli.elevators.demo import build_demo
from linli.elevators.models import CaseStatus, ElevatorCase, SubsidyRule
from linli.elevators.selectors import allocation_of, stairwell_votes
from linli.registry import demo as registry_demo
from linli.registry.models import Compound, Stairwell

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("elevators-demo")]

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12))
TODAY = timezone.localdate(NOW)
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _resident_dwellings() -> list[int]:
    return list(
        RoleAssignment.objects.filter(
            user__username="demo-resident", dwelling__isnull=False
        ).values_list("dwelling", flat=True)
    )


@pytest.fixture(scope="module")
def built(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("elevators-demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        registry_demo.build(compounds=2)
        ensure_demo_accounts(password="elevators-demo-4103")
        # Like the consultation demo: a stairwell vote outside demo-resident's building.
        daonan = Compound.objects.get(name="道南路70号院")
        home = RoleAssignment.objects.filter(user__username="demo-resident").first()
        assert home is not None and home.dwelling is not None
        taken = (
            Stairwell.objects.filter(building__compound=daonan)
            .exclude(building=home.dwelling.stairwell.building)
            .order_by("building__number", "number")
            .first()
        )
        assert taken is not None
        opens = NOW - datetime.timedelta(days=30)
        create_vote(
            by=_user("demo-community"),
            title="已有的单元表决",
            matter=cm.Matter.REBUILD,
            stairwells=[taken],
            opens_at=opens,
            closes_at=NOW + datetime.timedelta(days=3),
            now=opens,
        )
        out = io.StringIO()
        counts = build_demo(stdout=out, now=NOW)
        yield {"counts": counts, "out": out.getvalue(), "media": media, "taken": taken}
        transaction.set_rollback(True)


def cases() -> dict[str, ElevatorCase]:
    """The four cases by their role: A accepted, B voting, C the custom table, D the other."""
    found = {c.pk: c for c in ElevatorCase.objects.all()}
    a = next(c for c in found.values() if c.status == CaseStatus.ACCEPTED)
    b = next(c for c in found.values() if c.status == CaseStatus.VOTING)
    c = next(c for c in found.values() if isinstance(c.coefficients, dict))
    [d] = [x for x in found.values() if x.pk not in {a.pk, b.pk, c.pk}]
    return {"a": a, "b": b, "c": c, "d": d}


def test_the_demo_makes_four_cases_in_daonan_and_says_so(built):
    assert ElevatorCase.objects.filter(compound__name="道南路70号院").count() == 4
    assert "elevator demo" in built["out"] and built["counts"]["cases"] == 4


def test_the_subsidy_rule_is_luoyangs_and_marked_as_a_sample(built):
    rule = SubsidyRule.objects.get()
    assert rule.city == "洛阳市" and "示例" in rule.name
    assert all(case.subsidy_rule == rule for case in cases().values())


def test_a_two_stairwell_elevator_was_handed_over_after_votes_passed_months_ago(built):
    a = cases()["a"]
    votes = stairwell_votes(a)
    assert len(votes) == 2 and all(sv.passed for sv in votes)
    assert {sv.stairwell.building_id for sv in votes} == {votes[0].stairwell.building_id}
    assert all(sv.vote.closes_at < NOW - datetime.timedelta(days=90) for sv in votes)
    assert a.asset is not None and a.accepted_on is not None and a.accepted_on < TODAY
    company = a.compound.property_company
    expected = company.name if company else f"{a.compound.name}业主委员会"
    assert a.asset.responsible_unit == expected


def test_a_maintenance_is_overdue_today_and_its_inspection_not_yet_due(built):
    a = cases()["a"]
    schedules = {s.kind: s for s in Schedule.objects.filter(asset=a.asset)}
    maintenance = schedules[ScheduleKind.MAINTENANCE]
    assert maintenance.is_overdue(TODAY)
    assert 15 <= (TODAY - maintenance.last_done_on).days <= 25
    assert maintenance.records.count() >= 5
    assert not schedules[ScheduleKind.INSPECTION].is_overdue(TODAY)


def test_a_has_one_running_cost_year(built):
    assert cases()["a"].running_years.count() == 1


def test_b_holds_the_demo_residents_dwelling_with_votes_open_and_none_of_their_ballots(built):
    b = cases()["b"]
    mine = _resident_dwellings()
    assert b.pool.filter(dwelling__in=mine).exists()
    assert b.stairwells.count() == 2
    votes = [sv.vote for sv in stairwell_votes(b)]
    assert all(v.status == cm.VoteStatus.OPEN and v.closes_at > NOW for v in votes)
    assert all(v.ballots.exists() for v in votes)
    assert not cm.Ballot.objects.filter(vote__in=votes, dwelling__in=mine).exists()


def test_b_shares_by_half_steps_with_a_half_landing_and_two_compensated_ground_floors(built):
    b = cases()["b"]
    assert b.coefficients == "half_step"
    assert b.pool.filter(cost_floor__lt=F("dwelling__floor")).count() == 1
    compensated = b.pool.filter(compensation__gt=0)
    assert compensated.count() == 2 and all(r.dwelling.floor == 1 for r in compensated)
    assert sum(s.compensation_received for s in allocation_of(b).shares) > 0


def test_c_is_a_draft_with_the_hangzhou_table_area_weighted_and_one_exempt(built):
    c = cases()["c"]
    assert c.status == CaseStatus.DRAFT and c.stairwells.count() == 1
    assert c.coefficients == {"1": "0", "2": "0", "3": "1", "4": "2", "5": "3", "6": "4"}
    assert c.area_weighted and c.pool.filter(exempt=True).count() == 1
    assert not c.case_votes.exists()


def test_d_failed_because_the_affected_owner_objected_and_is_back_in_draft(built):
    d = cases()["d"]
    assert d.status == CaseStatus.DRAFT
    [sv] = stairwell_votes(d)
    assert sv.failed
    affected = d.pool.get(affected=True)
    assert sv.vote.ballots.get(dwelling=affected.dwelling).choice == cm.Choice.NO


def test_no_case_but_b_uses_a_building_of_a_consultation_vote(built):
    found = cases()
    buildings = {
        key: set(case.stairwells.values_list("building", flat=True)) for key, case in found.items()
    }
    taken = built["taken"].building_id
    assert all(taken not in ids for ids in buildings.values())
    others = set().union(*(ids for key, ids in buildings.items() if key != "b"))
    assert not others & buildings["b"]


def test_a_second_run_with_if_empty_creates_nothing(built):
    before = (ElevatorCase.objects.count(), cm.Vote.objects.count(), cm.Ballot.objects.count())
    out = io.StringIO()
    assert build_demo(stdout=out, if_empty=True, now=NOW) == {}
    assert "nothing to do" in out.getvalue()
    after = (ElevatorCase.objects.count(), cm.Vote.objects.count(), cm.Ballot.objects.count())
    assert after == before


def test_a_second_run_without_if_empty_is_refused(built):
    with pytest.raises(Invalid) as caught:
        build_demo(now=NOW)
    assert caught.value.code == "elevators_exist"
    with pytest.raises(CommandError):
        call_command("elevators", "demo")


def test_the_command_with_if_empty_does_nothing_when_the_demo_exists(built, capsys):
    count = ElevatorCase.objects.count()
    call_command("elevators", "demo", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out
    assert ElevatorCase.objects.count() == count
