"""The vote services: the electorate snapshot, who may cast which ballot, the reconciliation
of channels, closing and the stored result, the notice period, and who sees the ballots."""

from __future__ import annotations

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from linli.accounts.roles import Role
from linli.consultation import chain
from linli.consultation import models as m
from linli.consultation.services.votes import (
    BallotRefused,
    advance_votes,
    cancel_vote,
    cast_ballot,
    close_vote,
    create_vote,
    default_profile,
    finalise_vote,
    open_vote,
)
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
    user_with_role,
)
from linli.consultation.vote_selectors import (
    live_tally,
    open_votes_for_dwellings,
    result_digest,
    tally_for,
    verify_vote,
)
from linli.core.errors import Invalid
from linli.core.models import AuditEvent
from linli.core.scoping import scoped
from linli.registry import models as rm
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
HOUR = datetime.timedelta(hours=1)
WEEK = datetime.timedelta(days=7)


class Place:
    """One stairwell of four dwellings (two floors, two per floor), each with its own owner,
    the community worker of its compound and the owner-resident of each dwelling."""

    def __init__(self) -> None:
        self.stairwell = stairwell_with_owners(storeys=2, per_floor=2)
        self.compound = self.stairwell.building.compound
        self.dwellings = list(self.stairwell.dwellings.order_by("floor", "number"))
        self.worker = community_worker(self.compound)
        self.residents = [resident_of(d) for d in self.dwellings]


@pytest.fixture
def place() -> Place:
    return Place()


def make_vote(place: Place, **kwargs) -> m.Vote:
    values = {
        "by": place.worker,
        "title": "加装电梯",
        "matter": m.Matter.REBUILD,
        "stairwells": [place.stairwell],
        "closes_at": NOW + WEEK,
        "now": NOW,
    }
    values.update(kwargs)
    return create_vote(**values)


def sheet(content: bytes = b"%PDF scanned ballot sheet") -> ContentFile:
    return ContentFile(content, name="sheet.pdf")


def online(place: Place, vote: m.Vote, i: int, choice: str = m.Choice.YES, **kw) -> m.Ballot:
    return cast_ballot(
        vote=vote,
        dwelling=place.dwellings[i],
        choice=choice,
        channel=m.BallotChannel.ONLINE,
        by=place.residents[i],
        now=kw.pop("now", NOW + HOUR),
        **kw,
    )


def paper(place: Place, vote: m.Vote, i: int, choice: str = m.Choice.YES, **kw) -> m.Ballot:
    return cast_ballot(
        vote=vote,
        dwelling=place.dwellings[i],
        choice=choice,
        channel=m.BallotChannel.PAPER,
        by=kw.pop("by", place.worker),
        document=kw.pop("document", sheet()),
        now=kw.pop("now", NOW + HOUR),
        **kw,
    )


# --- Creating and opening --------------------------------------------------------------------


def test_a_vote_opening_now_snapshots_its_electorate(place):
    vote = make_vote(place)
    assert vote.status == m.VoteStatus.OPEN
    assert vote.opened_at == NOW
    assert vote.created_by == place.worker
    assert vote.profile.code == m.MAJOR_PROFILE
    electors = list(vote.electors.order_by("dwelling_id"))
    assert [e.dwelling_id for e in electors] == sorted(d.pk for d in place.dwellings)
    first = electors[0]
    owner = rm.Ownership.objects.get(dwelling_id=first.dwelling_id).owner
    assert first.owner_ids == [owner.pk]
    assert first.owner_names == owner.name
    assert first.voter_key == f"owner:{owner.pk}"
    assert first.area == first.dwelling.area
    assert not first.is_developer and not first.affected
    # Each elector row has its own audit event, placed in the compound.
    events = AuditEvent.objects.filter(model_label="consultation.elector")
    assert events.count() == 4
    assert set(events.values_list("compound_id", flat=True)) == {place.compound.pk}


def test_later_ownership_changes_do_not_touch_the_electorate(place):
    vote = make_vote(place)
    before = list(vote.electors.order_by("pk").values())
    first, second = place.dwellings[0], place.dwellings[1]
    rm.Ownership.objects.filter(dwelling=first).delete()
    rf.OwnershipFactory(dwelling=first, owner=rm.Ownership.objects.get(dwelling=second).owner)
    first.area = first.area + 10
    first.save()
    rf.DwellingFactory(stairwell=place.stairwell, floor=2, number="299")
    assert list(vote.electors.order_by("pk").values()) == before
    assert live_tally(vote).electorate_owners == 4


def test_snapshot_joins_multi_dwelling_owners_co_owners_and_the_developer(place):
    d0, d1, d2, d3 = place.dwellings
    owner0 = rm.Ownership.objects.get(dwelling=d0).owner
    rf.OwnershipFactory(dwelling=d1, owner=owner0)  # owner0 co-owns d1: d0 and d1 join
    d2.sale_status = rm.SaleStatus.UNSOLD
    d2.save()
    developer = rf.OwnerFactory(
        kind=rm.OwnerKind.DEVELOPER, id_number=None, credit_code="91410300MA44XXXX0X"
    )
    rm.Ownership.objects.filter(dwelling=d3).delete()
    rf.OwnershipFactory(dwelling=d3, owner=developer)
    vote = make_vote(place)
    keys = dict(vote.electors.values_list("dwelling_id", "voter_key"))
    assert keys[d0.pk] == keys[d1.pk] == f"owner:{owner0.pk}"
    assert keys[d2.pk] == keys[d3.pk] == "developer"
    assert set(vote.electors.filter(is_developer=True).values_list("dwelling_id", flat=True)) == {
        d2.pk,
        d3.pk,
    }
    names = vote.electors.get(dwelling=d1).owner_names
    assert owner0.name in names and "、" in names
    assert live_tally(vote).electorate_owners == 2


def test_a_future_vote_waits_and_advance_votes_opens_closes_and_finalises_it(place):
    vote = make_vote(place, opens_at=NOW + HOUR, closes_at=NOW + 2 * HOUR, notice_days=3)
    assert vote.status == m.VoteStatus.SCHEDULED
    assert not vote.electors.exists()
    assert advance_votes(now=NOW) == {"opened": 0, "closed": 0, "finalised": 0, "failed": 0}
    assert advance_votes(now=NOW + HOUR)["opened"] == 1
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.OPEN and vote.electors.count() == 4
    online(place, vote, 0, now=NOW + HOUR + datetime.timedelta(minutes=5))
    assert advance_votes(now=NOW + 2 * HOUR)["closed"] == 1
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.NOTICE
    assert vote.notice_ends_at == NOW + 2 * HOUR + datetime.timedelta(days=3)
    assert advance_votes(now=NOW + 3 * HOUR)["finalised"] == 0
    assert advance_votes(now=vote.notice_ends_at)["finalised"] == 1
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.FINAL
    assert vote.finalised_at == vote.notice_ends_at


def test_a_scheduled_vote_opens_itself_when_the_first_ballot_comes_after_its_time(place):
    vote = make_vote(place, opens_at=NOW + HOUR)
    with pytest.raises(BallotRefused) as early:
        online(place, vote, 0, now=NOW + datetime.timedelta(minutes=30))
    assert early.value.code == "not_open"
    ballot = online(place, vote, 0, now=NOW + 2 * HOUR)
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.OPEN
    assert vote.opened_at == NOW + 2 * HOUR
    assert ballot.seq == 1


def test_staff_may_open_a_scheduled_vote_early_and_the_record_says_so(place):
    vote = make_vote(place, opens_at=NOW + 5 * HOUR)
    open_vote(vote, by=place.worker, now=NOW + HOUR)
    assert vote.status == m.VoteStatus.OPEN
    assert vote.opens_at == vote.opened_at == NOW + HOUR
    with pytest.raises(Invalid) as again:
        open_vote(vote, by=place.worker, now=NOW + 2 * HOUR)
    assert again.value.code == "status"


def test_a_vote_needs_exactly_one_scope_in_one_compound(place):
    with pytest.raises(Invalid) as none:
        make_vote(place, stairwells=[])
    assert none.value.code == "scope"
    with pytest.raises(Invalid) as two:
        make_vote(place, compound=place.compound)
    assert two.value.code == "scope"
    elsewhere = stairwell_with_owners(storeys=1, per_floor=1)
    with pytest.raises(Invalid) as apart:
        make_vote(place, stairwells=[place.stairwell, elsewhere])
    assert apart.value.code == "scope"


def test_a_vote_over_a_building_or_the_compound_covers_all_its_dwellings(place):
    other = stairwell_with_owners(compound=place.compound, storeys=1, per_floor=2)
    by_building = make_vote(place, stairwells=[], buildings=[place.stairwell.building])
    assert by_building.scope_kind == m.VoteScope.BUILDINGS
    assert by_building.electors.count() == 4
    whole = make_vote(place, stairwells=[], compound=place.compound, matter=m.Matter.MANAGER)
    assert whole.electors.count() == 6
    assert whole.profile.code == m.ORDINARY_PROFILE
    assert other.dwellings.first().pk in set(whole.electors.values_list("dwelling_id", flat=True))


def test_an_empty_electorate_is_refused_and_nothing_is_created(place):
    empty = rf.StairwellFactory(building=place.stairwell.building)
    with pytest.raises(Invalid) as caught:
        make_vote(place, stairwells=[empty])
    assert caught.value.code == "empty_electorate"
    assert not m.Vote.objects.exists()


def test_closing_time_must_follow_the_opening_and_lie_ahead(place):
    with pytest.raises(Invalid) as past:
        make_vote(place, closes_at=NOW - HOUR)
    assert past.value.code == "closes_at"
    with pytest.raises(Invalid) as before:
        make_vote(place, opens_at=NOW + 2 * HOUR, closes_at=NOW + HOUR)
    assert before.value.code == "closes_at"


def test_affected_dwellings_must_lie_in_the_vote(place):
    elsewhere = stairwell_with_owners(compound=place.compound, storeys=1, per_floor=1)
    with pytest.raises(Invalid) as caught:
        make_vote(place, affected_dwellings=[elsewhere.dwellings.get()])
    assert caught.value.code == "affected_dwellings"
    vote = make_vote(place, affected_dwellings=[place.dwellings[0]])
    assert list(vote.electors.filter(affected=True).values_list("dwelling_id", flat=True)) == [
        place.dwellings[0].pk
    ]


def test_only_staff_over_the_compound_create_votes(place):
    other = community_worker(rf.CompoundFactory())
    with pytest.raises(PermissionDenied):
        make_vote(place, by=other)
    with pytest.raises(PermissionDenied):
        make_vote(place, by=place.residents[0])
    subdistrict = user_with_role(
        Role.SUBDISTRICT_OFFICE, subdistrict=place.compound.community.subdistrict
    )
    assert make_vote(place, by=subdistrict).status == m.VoteStatus.OPEN


def test_the_default_profile_follows_the_matter(db):
    assert default_profile(m.Matter.RAISE_FUND).code == m.MAJOR_PROFILE
    assert default_profile(m.Matter.CHANGE_USE).code == m.MAJOR_PROFILE
    assert default_profile(m.Matter.MANAGER).code == m.ORDINARY_PROFILE
    assert default_profile(m.Matter.USE_FUND).code == m.ORDINARY_PROFILE


# --- Ballots -----------------------------------------------------------------------------------


def test_ballots_are_numbered_and_chained_in_the_order_cast(place):
    vote = make_vote(place)
    first = online(place, vote, 0)
    content = b"%PDF the signed sheet of 201"
    second = paper(place, vote, 2, m.Choice.NO, document=sheet(content), voter_name="王某")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash
    assert second.document_sha256 == hashlib.sha256(content).hexdigest()
    with second.document.open("rb") as stored:
        assert stored.read() == content
    assert first.cast_by == place.residents[0]
    assert first.voter_name == place.residents[0].get_username()
    assert verify_vote(vote) == []


def test_a_dwelling_that_voted_on_paper_cannot_vote_again_online(place):
    vote = make_vote(place)
    paper(place, vote, 0)
    with pytest.raises(BallotRefused) as caught:
        online(place, vote, 0, m.Choice.NO, now=NOW + 2 * HOUR)
    assert caught.value.code == "already_voted"
    assert "纸质" in caught.value.zh and "paper" in caught.value.en
    assert "2026-03-02 10:00" in caught.value.message
    assert vote.ballots.count() == 1


def test_an_owner_of_two_dwellings_cannot_vote_them_differently(place):
    owner = rm.Ownership.objects.get(dwelling=place.dwellings[0]).owner
    rf.OwnershipFactory(dwelling=place.dwellings[1], owner=owner)
    vote = make_vote(place)
    online(place, vote, 0, m.Choice.YES)
    with pytest.raises(BallotRefused) as caught:
        paper(place, vote, 1, m.Choice.NO)
    assert caught.value.code == "conflicting_choice"
    assert str(place.dwellings[0]) in caught.value.zh
    # The same choice on the owner's other dwelling is accepted and counts them once.
    paper(place, vote, 1, m.Choice.YES)
    counted = live_tally(vote)
    assert counted.participation.owners == 1
    assert counted.participation.area == place.dwellings[0].area + place.dwellings[1].area


def test_staff_cannot_cast_an_online_ballot(place):
    vote = make_vote(place)
    with pytest.raises(BallotRefused) as caught:
        cast_ballot(
            vote=vote,
            dwelling=place.dwellings[0],
            choice=m.Choice.YES,
            channel=m.BallotChannel.ONLINE,
            by=place.worker,
            now=NOW + HOUR,
        )
    assert caught.value.code == "channel"


def test_a_resident_cannot_enter_a_paper_ballot(place):
    vote = make_vote(place)
    with pytest.raises(BallotRefused) as caught:
        paper(place, vote, 0, by=place.residents[0])
    assert caught.value.code == "channel"


def test_a_paper_ballot_needs_its_scanned_sheet_and_a_proxy_its_authorisation(place):
    vote = make_vote(place)
    with pytest.raises(BallotRefused) as no_sheet:
        paper(place, vote, 0, document=None)
    assert no_sheet.value.code == "document_required"
    proxy = {
        "vote": vote,
        "dwelling": place.dwellings[1],
        "choice": m.Choice.YES,
        "channel": m.BallotChannel.PROXY,
        "by": place.worker,
        "now": NOW + HOUR,
    }
    with pytest.raises(BallotRefused) as no_name:
        cast_ballot(**proxy, document=sheet(b"authorisation"))
    assert no_name.value.code == "document_required"
    with pytest.raises(BallotRefused) as no_paper:
        cast_ballot(**proxy, proxy_name="李某")
    assert no_paper.value.code == "document_required"
    ballot = cast_ballot(**proxy, proxy_name="李某", document=sheet(b"authorisation"))
    assert ballot.proxy_name == "李某"
    assert not vote.ballots.filter(dwelling=place.dwellings[0]).exists()


def test_a_resident_cannot_cast_for_a_neighbour(place):
    vote = make_vote(place)
    with pytest.raises(PermissionDenied):
        cast_ballot(
            vote=vote,
            dwelling=place.dwellings[1],
            choice=m.Choice.YES,
            channel=m.BallotChannel.ONLINE,
            by=place.residents[0],
            now=NOW + HOUR,
        )


def test_staff_of_another_community_cannot_enter_ballots(place):
    vote = make_vote(place)
    with pytest.raises(PermissionDenied):
        paper(place, vote, 0, by=community_worker(rf.CompoundFactory()))


def test_a_dwelling_outside_the_electorate_and_an_unknown_choice_are_refused(place):
    vote = make_vote(place)
    outside = stairwell_with_owners(compound=place.compound, storeys=1, per_floor=1)
    with pytest.raises(BallotRefused) as not_elector:
        cast_ballot(
            vote=vote,
            dwelling=outside.dwellings.get(),
            choice=m.Choice.YES,
            channel=m.BallotChannel.PAPER,
            by=place.worker,
            document=sheet(),
            now=NOW + HOUR,
        )
    assert not_elector.value.code == "not_elector"
    with pytest.raises(BallotRefused) as bad:
        online(place, vote, 0, "maybe")
    assert bad.value.code == "choice"


def test_a_closed_vote_refuses_ballots(place):
    vote = make_vote(place)
    with pytest.raises(BallotRefused) as late:
        online(place, vote, 0, now=NOW + WEEK)
    assert late.value.code == "closed"
    close_vote(vote, now=NOW + WEEK)
    with pytest.raises(BallotRefused) as closed:
        online(place, vote, 0, now=NOW + WEEK + HOUR)
    assert closed.value.code == "closed"


def test_the_open_votes_of_a_dwelling_are_listed(place):
    vote = make_vote(place)
    make_vote(place, opens_at=NOW + HOUR)  # scheduled: no electors yet
    assert list(open_votes_for_dwellings([place.dwellings[0].pk])) == [vote]
    assert not open_votes_for_dwellings([rf.DwellingFactory().pk]).exists()


# --- Closing, result, notice ---------------------------------------------------------------


def test_a_vote_cannot_close_before_its_time(place):
    vote = make_vote(place)
    with pytest.raises(Invalid) as caught:
        close_vote(vote, by=place.worker, now=NOW + WEEK - datetime.timedelta(seconds=1))
    assert caught.value.code == "too_early"
    assert vote.status == m.VoteStatus.OPEN


def test_the_result_is_stored_at_close_and_never_changes(place):
    vote = make_vote(place)
    for i in range(3):
        online(place, vote, i)
    paper(place, vote, 3, m.Choice.NO)
    close_vote(vote, by=place.worker, now=NOW + WEEK)
    stored = m.Vote.objects.get(pk=vote.pk)
    assert stored.status == m.VoteStatus.NOTICE
    assert stored.passed is True
    assert stored.closed_at == NOW + WEEK
    assert stored.result["ballots_total"] == 4
    assert stored.result["ballots"] == {"yes": 3, "no": 1, "abstain": 0}
    assert stored.result["approval"]["owners_ratio"] == "0.7500"
    assert stored.result["chain_head"] == vote.ballots.order_by("-seq").first().hash
    assert stored.result_hash == result_digest(stored.result)
    assert verify_vote(stored) == []
    # The registry moves on; the stored result does not.
    rf.DwellingFactory(stairwell=place.stairwell, floor=1, number="199")
    assert tally_for(stored) == stored.result
    with pytest.raises(Invalid) as again:
        close_vote(stored, now=NOW + WEEK + HOUR)
    assert again.value.code == "status"
    with pytest.raises(Invalid):
        cancel_vote(stored, by=place.worker)
    assert m.Vote.objects.get(pk=vote.pk).result == stored.result


def test_an_edited_result_or_ballot_is_found_by_verification(place):
    vote = make_vote(place)
    online(place, vote, 0)
    online(place, vote, 1, m.Choice.NO)
    close_vote(vote, now=NOW + WEEK)
    edited = dict(vote.result)
    edited["passed"] = not edited["passed"]
    m.Vote.objects.filter(pk=vote.pk).update(result=edited)
    vote.refresh_from_db()
    assert any("result does not match its hash" in p for p in verify_vote(vote))
    m.Ballot.objects.filter(vote=vote, seq=2).delete()
    problems = verify_vote(vote)
    assert any("chain head" in p for p in problems)
    assert any("counts 2 ballots, 1 are stored" in p for p in problems)


def test_a_replaced_scan_is_found_by_verification(place):
    vote = make_vote(place)
    ballot = paper(place, vote, 0)
    with open(ballot.document.path, "wb") as handle:
        handle.write(b"another sheet")
    problems = verify_vote(vote)
    assert problems and "ballot 1" in problems[0] and "does not match its hash" in problems[0]


def test_the_notice_period_follows_the_close_and_then_the_vote_is_final(place):
    vote = make_vote(place, notice_days=7)
    online(place, vote, 0)
    close_vote(vote, now=NOW + WEEK)
    assert vote.notice_ends_at == NOW + 2 * WEEK
    with pytest.raises(Invalid) as early:
        finalise_vote(vote, by=place.worker, now=NOW + 2 * WEEK - HOUR)
    assert early.value.code == "too_early"
    finalise_vote(vote, by=place.worker, now=NOW + 2 * WEEK)
    assert vote.status == m.VoteStatus.FINAL
    assert vote.finalised_at == NOW + 2 * WEEK
    assert vote.passed is False  # one ballot of four: no quorum


def test_without_a_notice_period_the_vote_is_final_at_close(place):
    vote = make_vote(place, notice_days=0)
    close_vote(vote, now=NOW + WEEK)
    assert vote.status == m.VoteStatus.FINAL
    assert vote.finalised_at == vote.closed_at == NOW + WEEK
    assert vote.result["chain_head"] == chain.GENESIS
    assert vote.result["ballots_total"] == 0


def test_only_staff_over_the_compound_close_finalise_or_cancel(place):
    vote = make_vote(place)
    other = community_worker(rf.CompoundFactory())
    with pytest.raises(PermissionDenied):
        close_vote(vote, by=other, now=NOW + WEEK)
    with pytest.raises(PermissionDenied):
        close_vote(vote, by=place.residents[0], now=NOW + WEEK)
    with pytest.raises(PermissionDenied):
        cancel_vote(vote, by=other)
    close_vote(vote, by=place.worker, now=NOW + WEEK)
    with pytest.raises(PermissionDenied):
        finalise_vote(vote, by=other, now=NOW + 3 * WEEK)


def test_a_vote_can_be_cancelled_only_before_the_first_ballot(place):
    quiet = make_vote(place)
    cancel_vote(quiet, by=place.worker)
    assert quiet.status == m.VoteStatus.CANCELLED
    with pytest.raises(BallotRefused) as refused:
        online(place, quiet, 0)
    assert refused.value.code == "closed"
    busy = make_vote(place)
    online(place, busy, 0)
    with pytest.raises(Invalid) as caught:
        cancel_vote(busy, by=place.worker)
    assert caught.value.code == "has_ballots"


# --- Who sees the ballots ------------------------------------------------------------------


def test_a_community_worker_cannot_see_another_communitys_ballots(place):
    vote = make_vote(place)
    online(place, vote, 0)
    paper(place, vote, 1)
    other = community_worker(rf.CompoundFactory())
    assert not scoped(m.Ballot, other).exists()
    assert not scoped(m.Vote, other).exists()
    assert scoped(m.Ballot, place.worker).count() == 2


def test_a_resident_sees_their_own_ballot_only(place):
    vote = make_vote(place)
    mine = online(place, vote, 0)
    online(place, vote, 1)
    assert list(scoped(m.Ballot, place.residents[0])) == [mine]
    assert list(scoped(m.Vote, place.residents[0])) == [vote]


def test_a_property_company_does_not_see_ballots(place):
    company = rf.OrganisationFactory()
    place.compound.property_company = company
    place.compound.save()
    manager = user_with_role(Role.PROPERTY_COMPANY, organisation=company)
    vote = make_vote(place)
    online(place, vote, 0)
    assert not scoped(m.Ballot, manager).exists()
