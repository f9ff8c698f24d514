"""``linli consultation``: verify-ballots finds an edited ballot row; advance-votes moves
the due votes on."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from linli.consultation import models as m
from linli.consultation.services.votes import cast_ballot, close_vote, create_vote
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def vote():
    stairwell = stairwell_with_owners(storeys=2, per_floor=2)
    worker = community_worker(stairwell.building.compound)
    vote = create_vote(
        by=worker,
        title="更换物业",
        matter=m.Matter.MANAGER,
        stairwells=[stairwell],
        closes_at=NOW + datetime.timedelta(days=2),
        now=NOW,
    )
    for i, dwelling in enumerate(stairwell.dwellings.order_by("pk")[:3]):
        if i == 1:
            cast_ballot(
                vote=vote,
                dwelling=dwelling,
                choice=m.Choice.NO,
                channel=m.BallotChannel.PAPER,
                by=worker,
                document=ContentFile(b"scan", name="scan.jpg"),
                now=NOW + datetime.timedelta(hours=i + 1),
            )
        else:
            cast_ballot(
                vote=vote,
                dwelling=dwelling,
                choice=m.Choice.YES,
                channel=m.BallotChannel.ONLINE,
                by=resident_of(dwelling),
                now=NOW + datetime.timedelta(hours=i + 1),
            )
    return vote


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("consultation", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_ballots_passes_on_intact_data(vote):
    out, err = run("verify-ballots")
    assert f"OK 表决 {vote.pk}" in out
    assert "3 ballots, chain intact" in out
    assert err == ""


def test_verify_ballots_passes_on_a_closed_vote(vote):
    close_vote(vote, now=NOW + datetime.timedelta(days=2))
    out, _ = run("verify-ballots", "--vote", str(vote.pk))
    assert "chain intact" in out


def test_verify_ballots_fails_after_a_ballot_row_is_edited(vote):
    m.Ballot.objects.filter(vote=vote, seq=2).update(choice=m.Choice.YES)
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("consultation", "verify-ballots", stdout=StringIO(), stderr=err)
    assert "1 votes failed verification" in str(caught.value)
    assert f"表决 {vote.pk} 第 2 张票" in err.getvalue()
    assert f"vote {vote.pk}, ballot 2: content does not match its hash" in err.getvalue()


def test_verify_ballots_exits_with_status_one_from_the_command_line(vote):
    m.Ballot.objects.filter(vote=vote, seq=3).update(seq=4)
    with pytest.raises(SystemExit) as caught:
        from django.core.management import ManagementUtility

        ManagementUtility(["linli", "consultation", "verify-ballots"]).execute()
    assert caught.value.code == 1


def test_verify_ballots_names_an_unknown_vote(db):
    with pytest.raises(CommandError, match="no vote with id 999"):
        run("verify-ballots", "--vote", "999")


def test_advance_votes_closes_what_is_due(vote):
    out, _ = run("advance-votes", "--now", "2026-03-04T09:00:00+08:00")
    assert "closed 1" in out
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.NOTICE
    assert vote.result["ballots_total"] == 3
    # A naive time is read in the district's time zone: one second early closes nothing more.
    out, _ = run("advance-votes", "--now", "2026-03-11T08:59:59")
    assert "finalised 0" in out


def test_advance_votes_refuses_an_unreadable_time(db):
    with pytest.raises(CommandError):
        run("advance-votes", "--now", "next tuesday")


def test_the_beat_task_advances_votes_as_of_the_given_time(vote):
    from linli.consultation.tasks import advance_votes

    counts = advance_votes.delay(now="2026-03-04T09:00:00+08:00").get()
    assert counts["closed"] == 1
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.NOTICE
