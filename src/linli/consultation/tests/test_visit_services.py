"""Visits: who may record them, the survey's compounds, no future times; coverage and the
to-visit list read from the database with a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from linli.accounts.roles import Role
from linli.consultation import models as m
from linli.consultation import visit_selectors as sel
from linli.consultation.services.visits import record_visit
from linli.consultation.tests.factories import (
    SurveyFactory,
    SurveyVersionFactory,
    community_worker,
    resident_of,
    stairwell_with_owners,
    user_with_role,
)
from linli.core.errors import Invalid
from linli.registry import models as rm
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db


@dataclass
class World:
    compound: rm.Compound
    other: rm.Compound  # same community, not in the survey
    dwellings: list[rm.Dwelling]
    worker: Any
    survey: m.Survey


def make_world(storeys: int = 2, per_floor: int = 2) -> World:
    compound = rf.CompoundFactory()
    stairwell = stairwell_with_owners(compound=compound, storeys=storeys, per_floor=per_floor)
    other = rf.CompoundFactory(community=compound.community, zone=None)
    stairwell_with_owners(compound=other, storeys=1, per_floor=1)
    survey = SurveyFactory(compounds=[compound], status=m.SurveyStatus.OPEN)
    return World(
        compound=compound,
        other=other,
        dwellings=list(stairwell.dwellings.order_by("floor", "number")),
        worker=community_worker(compound),
        survey=survey,
    )


def answered_in_visit(world: World, dwelling: rm.Dwelling) -> m.Response:
    version = world.survey.versions.first() or SurveyVersionFactory(
        survey=world.survey, published_at=timezone.now()
    )
    return m.Response.objects.create(
        survey=world.survey,
        version=version,
        dwelling=dwelling,
        channel=m.ResponseChannel.VISIT,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_community_worker_records_a_visit_in_the_survey(world):
    visit = record_visit(
        survey=world.survey,
        dwelling=world.dwellings[0],
        outcome=m.VisitOutcome.NOBODY_HOME,
        by=world.worker,
        notes=" 下午再来 ",
    )
    assert visit.visitor == world.worker
    assert visit.notes == "下午再来"
    assert visit.visited_at <= timezone.now()


def test_a_colleague_of_another_community_and_a_resident_may_not_record_visits(world):
    outsider = community_worker(rf.CompoundFactory())
    resident = resident_of(world.dwellings[0])
    department = user_with_role(
        Role.DEPARTMENT, district=world.compound.community.subdistrict.district
    )
    for user in (outsider, resident, department):
        with pytest.raises(PermissionDenied):
            record_visit(
                survey=world.survey, dwelling=world.dwellings[0], outcome="visited", by=user
            )
    assert not m.Visit.objects.exists()


def test_the_dwelling_must_lie_in_one_of_the_surveys_compounds(world):
    elsewhere = rm.Dwelling.objects.get(stairwell__building__compound=world.other)
    with pytest.raises(Invalid) as info:
        record_visit(survey=world.survey, dwelling=elsewhere, outcome="visited", by=world.worker)
    assert info.value.code == "dwelling_outside_survey"
    assert "不在问卷" in info.value.zh


def test_a_visit_cannot_lie_in_the_future_or_have_an_unknown_outcome(world):
    later = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(Invalid) as info:
        record_visit(
            survey=world.survey,
            dwelling=world.dwellings[0],
            outcome="visited",
            visited_at=later,
            by=world.worker,
        )
    assert info.value.code == "future"
    with pytest.raises(Invalid) as info:
        record_visit(survey=world.survey, dwelling=world.dwellings[0], outcome="x", by=world.worker)
    assert info.value.code == "outcome"


def test_coverage_counts_reached_vacant_and_answers_entered_in_a_visit(
    world, django_assert_max_num_queries
):
    d = world.dwellings
    earlier = timezone.now() - datetime.timedelta(days=1)
    record_visit(survey=world.survey, dwelling=d[0], outcome="visited", by=world.worker)
    record_visit(
        survey=world.survey,
        dwelling=d[1],
        outcome="nobody_home",
        visited_at=earlier,
        by=world.worker,
    )
    record_visit(survey=world.survey, dwelling=d[1], outcome="moved_out", by=world.worker)
    answered_in_visit(world, d[2])
    with django_assert_max_num_queries(6):
        report = sel.coverage(world.survey, world.worker)
    total = report.total
    assert (total.dwellings, total.vacant, total.reached) == (4, 1, 2)
    assert str(total.rate) == "66.67"
    assert [r.name for r in report.compounds] == [world.compound.name]
    assert report.zones[0].name == world.compound.zone.name
    assert report.communities[0].key == world.compound.community_id


def test_coverage_costs_the_same_queries_for_more_dwellings(django_assert_max_num_queries):
    big = make_world(storeys=6, per_floor=4)
    for dwelling in big.dwellings[:10]:
        record_visit(survey=big.survey, dwelling=dwelling, outcome="visited", by=big.worker)
    with django_assert_max_num_queries(6):
        report = sel.coverage(big.survey, big.worker)
    assert report.total.reached == 10
    with django_assert_max_num_queries(6):
        assert len(sel.dwellings_to_visit(big.survey, big.worker)) == 14


def test_coverage_shows_only_compounds_the_user_holds_as_staff(world):
    world.survey.compounds.add(world.other)
    other_worker = user_with_role(Role.COMMUNITY, community=rf.CommunityFactory())
    assert sel.coverage(world.survey, other_worker).total.dwellings == 0
    resident = resident_of(world.dwellings[0])
    assert sel.coverage(world.survey, resident).compounds == []
    assert sel.coverage(world.survey, world.worker).total.dwellings == 5


def test_the_to_visit_list_skips_reached_vacant_and_declined_in_building_order(world):
    d = world.dwellings
    world.survey.compounds.add(world.other)
    record_visit(survey=world.survey, dwelling=d[0], outcome="visited", by=world.worker)
    record_visit(survey=world.survey, dwelling=d[1], outcome="declined", by=world.worker)
    record_visit(survey=world.survey, dwelling=d[2], outcome="nobody_home", by=world.worker)
    record_visit(survey=world.survey, dwelling=d[2], outcome="nobody_home", by=world.worker)
    rows = sel.dwellings_to_visit(world.survey, world.worker, compound=world.compound)
    assert [r.dwelling for r in rows] == [d[2], d[3]]
    assert (rows[0].attempts, rows[0].last.outcome) == (2, "nobody_home")
    assert (rows[1].attempts, rows[1].last) == (0, None)
    assert (
        rows[0].label == f"{d[2].stairwell.building.number}-{d[2].stairwell.number}-{d[2].number}"
    )
    everywhere = sel.dwellings_to_visit(world.survey, world.worker)
    assert len(everywhere) == 3


def test_dwellings_sort_naturally_by_building_number():
    compound = rf.CompoundFactory()
    ten = stairwell_with_owners(compound=compound, storeys=1, per_floor=1)
    ten.building.number = "10"
    ten.building.save()
    two = stairwell_with_owners(compound=compound, storeys=1, per_floor=1)
    two.building.number = "2"
    two.building.save()
    survey = SurveyFactory(compounds=[compound])
    rows = sel.dwellings_to_visit(survey, community_worker(compound))
    assert [r.dwelling.stairwell.building.number for r in rows] == ["2", "10"]
