"""The consultation demo on a small registry demo: visits reach 90 % in 道南路70号院, the
demand ranking names catalogue items, the meetings and votes are there (the final compound
vote's stored tally verifies, an open vote includes demo-resident's dwelling), and a second
run with ``if_empty`` creates nothing.

The registry demo (40 compounds) and its accounts are built once for the module inside a
transaction rolled back afterwards; the consultation demo is built once on top of it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from linli.accounts.demo import ensure_demo_accounts
from linli.accounts.models import RoleAssignment
from linli.consultation import models as m
from linli.consultation.demo import build_demo
from linli.consultation.menu import menu_items
from linli.consultation.visit_selectors import coverage
from linli.consultation.vote_selectors import open_votes_for_dwellings, verify_vote
from linli.registry import demo as registry_demo

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("consultation-demo")]

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12))
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def built(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("consultation-demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        registry_demo.build(compounds=40)
        ensure_demo_accounts(password="consultation-demo-4103")
        out = io.StringIO()
        counts = build_demo(stdout=out, now=NOW)
        yield {"counts": counts, "out": out.getvalue(), "media": media}
        transaction.set_rollback(True)


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def daonan() -> Any:
    from linli.registry.models import Compound

    return Compound.objects.get(name="道南路70号院")


def test_visits_reach_ninety_percent_of_daonan_with_a_few_misses(built):
    survey = m.Survey.objects.get()
    report = coverage(survey, user("demo-community"))
    row = next(r for r in report.compounds if r.name == "道南路70号院")
    assert row.rate is not None and row.rate >= 90 and row.met
    outcomes = set(
        m.Visit.objects.filter(dwelling__stairwell__building__compound=daonan()).values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == set(m.VisitOutcome.values)
    assert "consultation demo" in built["out"]


def test_the_ranking_question_carries_catalogue_codes_and_the_ranking_names_them(built):
    menu = dict(menu_items())
    codes = set(
        m.Option.objects.filter(question__kind=m.QuestionKind.RANKING).values_list(
            "menu_code", flat=True
        )
    )
    assert codes and codes <= set(menu)
    ranking = m.DemandRanking.objects.filter(compound=daonan()).get()
    top = ranking.entries.order_by("rank").first()
    assert top is not None and top.menu_code in menu
    assert ranking.respondents > 200


def test_there_are_bench_neighbour_and_assembly_meetings_with_attendees(built):
    meetings = m.Meeting.objects.filter(compound=daonan())
    assert set(meetings.values_list("kind", flat=True)) >= {"bench", "neighbour", "assembly"}
    assert all(meeting.attendances.exists() and meeting.minutes for meeting in meetings)


def test_the_final_compound_vote_passed_and_its_stored_tally_verifies(built):
    plan = m.Vote.objects.get(scope_kind=m.VoteScope.COMPOUND)
    assert plan.status == m.VoteStatus.FINAL and plan.passed is True
    assert plan.closed_at is not None and plan.closed_at < NOW
    failed = m.Vote.objects.get(scope_kind=m.VoteScope.STAIRWELLS, status=m.VoteStatus.FINAL)
    assert failed.passed is False
    with override_settings(MEDIA_ROOT=built["media"]):  # the scanned sheets are checked too
        assert verify_vote(plan) == []
        assert verify_vote(failed) == []


def test_an_open_vote_includes_the_demo_residents_dwelling_and_has_ballots_in(built):
    resident = user("demo-resident")
    dwellings = list(
        RoleAssignment.objects.filter(user=resident, dwelling__isnull=False).values_list(
            "dwelling", flat=True
        )
    )
    votes = list(open_votes_for_dwellings(dwellings).filter(status=m.VoteStatus.OPEN))
    assert len(votes) == 1
    vote = votes[0]
    assert vote.closes_at == NOW + datetime.timedelta(days=7)
    assert vote.ballots.exists()
    assert not vote.ballots.filter(dwelling__in=dwellings).exists()


def test_a_second_run_with_if_empty_creates_nothing(built):
    before = (m.Survey.objects.count(), m.Vote.objects.count(), m.Ballot.objects.count())
    out = io.StringIO()
    assert build_demo(stdout=out, if_empty=True, now=NOW) == {}
    assert "nothing to do" in out.getvalue()
    after = (m.Survey.objects.count(), m.Vote.objects.count(), m.Ballot.objects.count())
    assert after == before


def test_the_command_with_if_empty_does_nothing_when_the_demo_exists(built, capsys):
    from django.core.management import call_command

    votes = m.Vote.objects.count()
    call_command("consultation", "demo", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out
    assert m.Vote.objects.count() == votes
