"""Running the services "as of" a past moment (services.as_of): what carries the date."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import StageRecord
from linli.renewal.services.common import now, today
from linli.renewal.tests import factories as rf

pytestmark = pytest.mark.django_db

DAY = datetime.date(2021, 3, 15)


def test_as_of_a_date_means_ten_in_the_morning_district_time():
    with services.as_of(DAY):
        assert today() == DAY
        assert timezone.localtime(now()).hour == 10


def test_outside_as_of_the_services_use_the_clock():
    with services.as_of(DAY):
        pass
    assert today() == timezone.localdate()


def test_nested_as_of_restores_the_outer_moment():
    with services.as_of(DAY):
        with services.as_of(datetime.date(2022, 1, 4)):
            assert today() == datetime.date(2022, 1, 4)
        assert today() == DAY


def test_a_project_created_as_of_a_date_starts_its_application_that_day():
    with services.as_of(DAY):
        project = rf.ProjectFactory()
    record = StageRecord.objects.get(project=project, stage=Stage.APPLICATION)
    assert record.actual_start == DAY
    assert timezone.localdate(project.transitions.get().at) == DAY


def test_a_transition_as_of_a_date_carries_it_in_its_time_and_the_stage_dates():
    project = rf.ProjectFactory()
    with services.as_of(DAY):
        services.advance_stage(project=project, to=Stage.DESIGN)
    transition = project.transitions.get(to_stage=Stage.DESIGN)
    assert timezone.localdate(transition.at) == DAY
    assert StageRecord.objects.get(project=project, stage=Stage.APPLICATION).actual_end == DAY
    assert StageRecord.objects.get(project=project, stage=Stage.DESIGN).actual_start == DAY


def test_a_review_round_and_a_sign_off_as_of_dates_carry_them():
    project = rf.project_ready_for(Stage.DECISION)
    with services.as_of(DAY):
        (review,) = services.request_joint_review(project=project)
    assert timezone.localdate(review.requested_at) == DAY
    assert review.due_on == datetime.date(2021, 3, 22)  # 5 working days
    signed = datetime.date(2021, 3, 18)
    with services.as_of(signed):
        review = services.decide_review(
            review=review, decision=services.APPROVE, by=rf._superuser()
        )
    assert timezone.localdate(review.decided_at) == signed


def test_a_handover_as_of_a_year_marks_the_compounds_renovated_that_year():
    project = rf.project_ready_for(Stage.ACCEPTANCE)
    services.update_project(project=project, aftercare_owner_name="居民自管委员会")
    with services.as_of(datetime.date(2020, 12, 1)):
        services.advance_stage(project=project, to=Stage.HANDED_OVER)
    assert {c.renovated_year for c in project.compounds.all()} == {2020}
    assert project.progress_percent == Decimal(100)
