"""A final owner vote becomes the residents' decision on the plan: dated the day it closed,
approved when it passed, with its approval share by area; refused before it is final, for
another compound's vote, twice, outside the decision stages or without the permission; and the
decision form offers the project's final votes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.consultation.models import Elector
from linli.consultation.services.votes import cast_ballot, close_vote, create_vote, finalise_vote
from linli.consultation.tests.factories import community_worker, stairwell_with_owners
from linli.core.errors import Invalid
from linli.registry.tests.factories import CompoundFactory
from linli.renewal.gates import Stage
from linli.renewal.models import DecisionOutcome
from linli.renewal.services.demand import record_vote_decision
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

OPENS = timezone.make_aware(datetime.datetime(2026, 9, 1, 9))
CLOSES = OPENS + datetime.timedelta(days=14)


def scan(n: int) -> ContentFile:
    return ContentFile(b"%PDF-1.4 ballot", name=f"ballot-{n}.pdf")


def vote_in(compound, worker, choices, *, final=True):
    """A compound vote with paper ballots ``choices`` (one per dwelling, in order)."""
    vote = create_vote(
        by=worker,
        title="改造方案表决",
        matter="rebuild",
        compound=compound,
        opens_at=OPENS,
        closes_at=CLOSES,
        now=OPENS,
    )
    electors = Elector.objects.filter(vote=vote).select_related("dwelling").order_by("pk")
    for n, (elector, choice) in enumerate(zip(electors, choices, strict=False)):
        cast_ballot(
            vote=vote,
            dwelling=elector.dwelling,
            choice=choice,
            channel="paper",
            by=worker,
            document=scan(n),
            now=OPENS + datetime.timedelta(days=1, minutes=n),
        )
    close_vote(vote, by=worker, now=CLOSES)
    if final:
        finalise_vote(vote, by=worker, now=CLOSES + datetime.timedelta(days=8))
    vote.refresh_from_db()
    return vote


@pytest.fixture
def compound():
    compound = CompoundFactory()
    stairwell_with_owners(compound=compound, storeys=4, per_floor=2)  # 8 dwellings of 60 m²
    return compound


@pytest.fixture
def worker(compound):
    return community_worker(compound)


@pytest.fixture
def project(compound):
    return f.project_ready_for(Stage.DESIGN, compounds=[compound])


def test_a_passed_final_vote_becomes_an_approving_decision_with_its_area_share(
    project, compound, worker
):
    vote = vote_in(compound, worker, ["yes"] * 7 + ["no"])
    assert vote.passed is True
    record = record_vote_decision(project=project, vote=vote, by=worker)
    assert record.vote == vote
    assert not record.document
    assert record.outcome == DecisionOutcome.APPROVED
    assert record.decided_on == timezone.localdate(CLOSES)
    assert record.approval_share == Decimal("87.50")  # 7 of 8 equal dwellings voting
    assert "改造方案表决" in record.summary
    assert project.decisions.get() == record


def test_a_failed_vote_is_recorded_as_a_rejection(project, compound, worker):
    vote = vote_in(compound, worker, ["yes"] * 3 + ["no"] * 5)
    assert vote.passed is False
    record = record_vote_decision(project=project, vote=vote, by=worker)
    assert record.outcome == DecisionOutcome.REJECTED
    assert record.approval_share == Decimal("37.50")


def test_a_vote_still_in_its_notice_period_is_refused(project, compound, worker):
    vote = vote_in(compound, worker, ["yes"] * 8, final=False)
    with pytest.raises(Invalid) as refused:
        record_vote_decision(project=project, vote=vote, by=worker)
    assert refused.value.code == "vote_not_final"
    assert not project.decisions.exists()


def test_another_compounds_vote_and_a_second_recording_are_refused(project, compound, worker):
    vote = vote_in(compound, worker, ["yes"] * 8)
    record_vote_decision(project=project, vote=vote, by=worker)
    with pytest.raises(Invalid) as twice:
        record_vote_decision(project=project, vote=vote, by=worker)
    assert twice.value.code == "already_recorded"
    elsewhere = CompoundFactory(community=compound.community)
    stairwell_with_owners(compound=elsewhere, storeys=2, per_floor=1)
    other = vote_in(elsewhere, worker, ["yes", "yes"])
    with pytest.raises(Invalid) as foreign:
        record_vote_decision(project=project, vote=other, by=worker)
    assert foreign.value.code == "other_compound"


def test_the_stage_rule_of_record_decision_holds(compound, worker):
    project = f.ProjectFactory(compounds=[compound])  # application stage
    vote = vote_in(compound, worker, ["yes"] * 8)
    with pytest.raises(ValidationError) as refused:
        record_vote_decision(project=project, vote=vote, by=worker)
    assert "登记居民决策" in refused.value.messages[0]


def test_recording_a_vote_needs_the_decision_permission(project, compound, worker):
    vote = vote_in(compound, worker, ["yes"] * 8)
    reader = f.user_with_role(Role.ZONE_LEAD, zone=compound.zone) if compound.zone else None
    stranger = community_worker(CompoundFactory())
    for user in filter(None, [reader, stranger]):
        with pytest.raises(PermissionDenied):
            record_vote_decision(project=project, vote=vote, by=user)
    assert not project.decisions.exists()


def test_a_decision_without_document_or_vote_is_refused(project, worker):
    from linli.renewal import services

    with pytest.raises(ValidationError) as refused:
        services.record_decision(
            project=project,
            decided_on=datetime.date(2026, 9, 1),
            approval_share=Decimal("90"),
            by=worker,
        )
    assert "关联业主表决" in " ".join(refused.value.messages)


def test_the_decision_form_offers_the_final_votes_and_records_the_chosen_one(
    client, project, compound, worker
):
    vote = vote_in(compound, worker, ["yes"] * 8)
    pending = vote_in(compound, worker, ["yes"] * 8, final=False)
    client.force_login(worker)
    url = reverse("renewal:decision_add", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{vote.pk}"' in page
    assert f'<option value="{pending.pk}"' not in page
    answer = client.post(url, {"vote": vote.pk, "summary": ""}, follow=True)
    assert answer.redirect_chain, answer.content.decode()[:2000]
    record = project.decisions.get()
    assert record.vote == vote and record.approval_share == Decimal("100.00")
    assert f'data-vote="{vote.pk}"' in answer.content.decode()


def test_the_decision_form_without_a_vote_still_needs_the_date_and_share(client, project, worker):
    client.force_login(worker)
    url = reverse("renewal:decision_add", args=[project.pk])
    answer = client.post(url, {"summary": "居民会议"})
    assert answer.status_code == 200
    assert not project.decisions.exists()
