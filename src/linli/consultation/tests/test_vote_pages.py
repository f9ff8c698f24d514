"""The vote pages: list, new vote, a vote's desk, staff ballot entry, actions, the public
notice and ballot documents, each scoped (404 outside, 403 when visible but not allowed)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.consultation import models as m
from linli.consultation.services import votes as services
from linli.consultation.tests.factories import community_worker, resident_of, stairwell_with_owners
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

SHEET = b"%PDF-1.4 signed sheet"


def sheet():
    return SimpleUploadedFile("sheet.pdf", SHEET, content_type="application/pdf")


@pytest.fixture
def stairwell():
    return stairwell_with_owners(storeys=3, per_floor=2)


@pytest.fixture
def compound(stairwell):
    return stairwell.building.compound


@pytest.fixture
def dwellings(stairwell):
    return list(stairwell.dwellings.order_by("floor", "number"))


@pytest.fixture
def worker(compound):
    return community_worker(compound)


@pytest.fixture
def desk(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture
def vote(worker, stairwell):
    return services.create_vote(
        by=worker,
        title="加装电梯",
        matter=m.Matter.REBUILD,
        stairwells=[stairwell],
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )


def cast(vote, dwelling, worker, choice="yes", **extra):
    return services.cast_ballot(
        vote=vote,
        dwelling=dwelling,
        choice=choice,
        channel=m.BallotChannel.PAPER,
        by=worker,
        document=sheet(),
        **extra,
    )


def url(name, *args):
    return reverse(f"consultation:{name}", args=args)


def closed_vote(worker, stairwell, dwellings, yes=5):
    """A vote opened two days ago that closed yesterday, with ``yes`` paper ballots."""
    past = timezone.now() - datetime.timedelta(days=2)
    vote = services.create_vote(
        by=worker,
        title="更换物业",
        matter=m.Matter.MANAGER,
        stairwells=[stairwell],
        opens_at=past,
        closes_at=past + datetime.timedelta(days=1),
        now=past,
    )
    for dwelling in dwellings[:yes]:
        services.cast_ballot(
            vote=vote,
            dwelling=dwelling,
            choice="yes",
            channel=m.BallotChannel.PAPER,
            by=worker,
            voter_name="王小明",
            document=sheet(),
            now=past + datetime.timedelta(hours=1),
        )
    return services.close_vote(vote, by=worker)


# --- List --------------------------------------------------------------------------------------


def test_the_list_shows_the_workers_votes_with_participation(
    desk, vote, worker, dwellings, django_assert_max_num_queries
):
    for dwelling in dwellings[:3]:
        cast(vote, dwelling, worker)
    elsewhere = stairwell_with_owners(storeys=1, per_floor=1)
    services.create_vote(
        by=community_worker(elsewhere.building.compound),
        title="别处的表决",
        matter=m.Matter.OTHER,
        stairwells=[elsewhere],
        closes_at=timezone.now() + datetime.timedelta(days=1),
    )
    with django_assert_max_num_queries(15):
        response = desk.get(url("vote_list"))
    assert response.status_code == 200
    assert list(response.context["votes"]) == [vote]
    row = response.content.decode()
    assert "3 / 6" in row
    assert "50%" in row
    assert "别处的表决" not in row
    assert url("vote_create") in row


def test_the_list_filters_by_status(desk, vote):
    assert list(desk.get(url("vote_list"), {"status": "open"}).context["votes"]) == [vote]
    assert list(desk.get(url("vote_list"), {"status": "final"}).context["votes"]) == []


# --- New vote ----------------------------------------------------------------------------------


def test_a_worker_puts_a_stairwell_vote_from_the_page(desk, compound, stairwell):
    closes = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = desk.post(
        url("vote_create"),
        {
            "title": "3号楼加装电梯",
            "matter": "rebuild",
            "compound": compound.pk,
            "scope_kind": "stairwells",
            "stairwells": [stairwell.pk],
            "closes_at": closes,
            "notice_days": 7,
            "affected": f"{stairwell.building.number}-{stairwell.number}-101",
        },
    )
    vote = m.Vote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("vote_detail", vote.pk)
    assert vote.status == m.VoteStatus.OPEN
    assert vote.profile.code == "civil-code-major"
    assert list(vote.stairwells.all()) == [stairwell]
    assert [d.number for d in vote.affected_dwellings.all()] == ["101"]
    assert vote.electors.count() == 6


def test_stairwells_of_another_compound_are_refused_on_the_form(desk, compound):
    neighbour = stairwell_with_owners(
        compound=rf.CompoundFactory(community=compound.community), storeys=1, per_floor=1
    )
    closes = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = desk.post(
        url("vote_create"),
        {
            "title": "t",
            "matter": "other",
            "compound": compound.pk,
            "scope_kind": "stairwells",
            "stairwells": [neighbour.pk],
            "closes_at": closes,
            "notice_days": 7,
        },
    )
    assert response.status_code == 200
    assert "不属于" in str(response.context["form"].errors["stairwells"])
    assert not m.Vote.objects.exists()


def test_the_profile_help_says_which_profile_applies_by_default(desk):
    page = desk.get(url("vote_create")).content.decode()
    assert "按事项类型默认" in page
    assert "民法典重大事项" in page


def test_a_resident_may_not_open_the_new_vote_page(client, dwellings):
    client.force_login(resident_of(dwellings[0]))
    assert client.get(url("vote_create")).status_code == 403


# --- A vote ------------------------------------------------------------------------------------


def test_the_desk_shows_the_rule_the_tally_the_stairwells_and_the_ballots(
    desk, vote, worker, dwellings
):
    first = cast(vote, dwellings[0], worker, voter_name="张三")
    cast(vote, dwellings[1], worker, choice="no")
    response = desk.get(url("vote_detail", vote.pk))
    page = response.content.decode()
    assert "参与表决:专有面积 ≥ 2/3 且 人数 ≥ 2/3" in page
    assert "同意:参与面积 ≥ 3/4 且 参与人数 ≥ 3/4" in page
    assert first.hash[:12] in page
    assert "张*" in page and "张三" not in page
    assert url("vote_ballot_document", first.pk) in page
    assert "哈希链校验通过" in page
    (row,) = response.context["stairwells"]
    assert (row.electors, row.voted, row.yes) == (6, 2, 1)
    assert [label for _, label in response.context["actions"]] == []  # open, ballots cast
    assert url("vote_ballot", vote.pk) in page


def test_a_changed_ballot_shows_on_the_desk(desk, vote, worker, dwellings):
    cast(vote, dwellings[0], worker)
    m.Ballot.objects.filter(vote=vote).update(choice="no")  # tampering behind the service
    page = desk.get(url("vote_detail", vote.pk)).content.decode()
    assert "哈希链校验发现问题" in page
    assert "content does not match its hash" in page


def test_a_vote_outside_the_workers_community_is_404(client, vote):
    client.force_login(community_worker(rf.CompoundFactory()))
    for name in ("vote_detail", "vote_ballot", "vote_notice"):
        assert client.get(url(name, vote.pk)).status_code == 404
    assert client.post(url("vote_action", vote.pk), {"action": "cancel"}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, vote):
    response = client.get(url("vote_detail", vote.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Ballot entry ------------------------------------------------------------------------------


def test_staff_enter_a_paper_ballot_with_its_sheet(desk, vote, dwellings):
    response = desk.post(
        url("vote_ballot", vote.pk),
        {
            "dwelling": dwellings[0].pk,
            "choice": "yes",
            "channel": "paper",
            "voter_name": "李四",
            "document": sheet(),
        },
    )
    assert response.status_code == 302
    ballot = m.Ballot.objects.get()
    assert (ballot.seq, ballot.channel, ballot.voter_name) == (1, "paper", "李四")
    form = desk.get(url("vote_ballot", vote.pk)).context["form"]
    offered = set(form.fields["dwelling"].queryset)
    assert dwellings[0] not in offered and len(offered) == 5


def test_a_refused_ballot_is_explained_on_the_form_in_both_languages(desk, vote, dwellings):
    response = desk.post(
        url("vote_ballot", vote.pk),
        {"dwelling": dwellings[0].pk, "choice": "yes", "channel": "paper"},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["纸质票须上传表决票扫描件 (a paper ballot needs the scanned ballot sheet)"]
    assert not m.Ballot.objects.exists()


def test_a_resident_may_not_use_the_staff_entry_page(client, vote, dwellings):
    client.force_login(resident_of(dwellings[0]))
    assert client.get(url("vote_detail", vote.pk)).status_code == 200
    assert client.get(url("vote_ballot", vote.pk)).status_code == 403


# --- Actions -----------------------------------------------------------------------------------


def test_closing_early_is_refused_and_cancelling_an_empty_vote_works(desk, vote):
    refused = desk.post(url("vote_action", vote.pk), {"action": "close"}, follow=True)
    assert "不能提前结束" in refused.content.decode()
    desk.post(url("vote_action", vote.pk), {"action": "cancel"})
    vote.refresh_from_db()
    assert vote.status == m.VoteStatus.CANCELLED


# --- Notice and documents ----------------------------------------------------------------------


def test_the_public_notice_has_the_result_and_no_personal_data(desk, worker, stairwell, dwellings):
    vote = closed_vote(worker, stairwell, dwellings)
    page = desk.get(url("vote_notice", vote.pk)).content.decode()
    assert "表决结果:通过" in page
    assert "同意 5 票,反对 0 票,弃权 0 票" in page
    assert vote.result_hash in page
    assert "王" not in page  # no voter names
    for elector in vote.electors.all():
        assert elector.owner_names not in page
    for dwelling in dwellings:
        assert f"{dwelling.number}室" not in page  # no per-dwelling choices


def test_the_notice_of_an_open_vote_waits_for_the_result(desk, vote):
    page = desk.get(url("vote_notice", vote.pk)).content.decode()
    assert "结果待截止后公示" in page


def test_a_ballot_document_is_served_by_scope_only(client, desk, vote, worker, dwellings):
    ballot = cast(vote, dwellings[0], worker)
    response = desk.get(url("vote_ballot_document", ballot.pk))
    assert b"".join(response.streaming_content) == SHEET
    client.force_login(community_worker(rf.CompoundFactory()))
    assert client.get(url("vote_ballot_document", ballot.pk)).status_code == 404


def test_an_online_ballot_has_no_document_to_show(client, vote, dwellings):
    resident = resident_of(dwellings[0])
    ballot = services.cast_ballot(
        vote=vote, dwelling=dwellings[0], choice="yes", channel="online", by=resident
    )
    client.force_login(resident)
    response = client.get(url("vote_ballot_document", ballot.pk))
    assert response.status_code == 200
    assert "没有可查看的附件" in response.content.decode()
