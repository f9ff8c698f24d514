"""The demo projects on the full Xigong demo (537 compounds): consistent with the registry
and the seed's figures, and every project's stage backed by its records.

The registry demo, its accounts and the projects are built once for the module (about a
minute and a half) inside a transaction rolled back afterwards.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from linli.accounts.demo import ensure_demo_accounts
from linli.registry import demo as registry_demo
from linli.registry.models import Compound, Household, RenovationStatus, Resident
from linli.renewal import demo
from linli.renewal.gates import ORDER, Stage
from linli.renewal.models import DecisionOutcome, Project, Review, ReviewStatus, StageRecord
from linli.renewal.selectors import indicators_for
from linli.renewal.services.supervision import run_supervision_check

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("renewal-demo")]

AS_OF = datetime.date(2026, 11, 20)
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
#: The seed article's outputs of the programme (PRODUCT.md, "Xigong facts for the demo").
SEED_FIGURES = {
    "back_streets": Decimal(87),
    "city_study_rooms": Decimal(17),
    "small_parks": Decimal(36),
    "green_area": Decimal(190_000),
    "smart_car_parks": Decimal(51),
    "parking_spaces": Decimal(6_635),
    "wet_waste_stations": Decimal(5),
    "paths_km": Decimal("52.2"),
}


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        registry_demo.build()
        ensure_demo_accounts(password="renewal-demo-pass-4103")
        summary = demo.build(as_of=AS_OF)
        yield summary
        transaction.set_rollback(True)


def superuser() -> Any:
    return get_user_model().objects.get(username="admin")


def handed_over_compounds() -> set[int]:
    through = Project.compounds.through.objects.filter(project__stage=Stage.HANDED_OVER)
    return set(through.values_list("compound_id", flat=True))


def test_the_handed_over_projects_cover_exactly_the_registrys_259_renovated_compounds(built):
    renovated = set(Compound.objects.renovated().values_list("pk", flat=True))
    assert len(renovated) == 259
    assert handed_over_compounds() == renovated
    assert built.handed_over_compounds == 259


def test_each_renovated_compound_was_completed_and_handed_over_in_its_renovation_year(built):
    projects = Project.objects.filter(stage=Stage.HANDED_OVER).prefetch_related("compounds")
    for project in projects:
        completed = project.stages.get(stage=Stage.COMPLETED).actual_start
        handed = project.stages.get(stage=Stage.HANDED_OVER).actual_start
        for compound in project.compounds.all():
            assert completed.year == handed.year == compound.renovated_year, project.code


def test_the_eight_outputs_add_up_exactly_to_the_seed_figures(built):
    figures = indicators_for(
        superuser(),
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    assert {code: figures.outputs[code] for code in SEED_FIGURES} == SEED_FIGURES


def test_the_households_and_people_benefited_up_to_2025_are_the_registrys(built):
    figures = indicators_for(
        superuser(),
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    renovated = {"dwelling__stairwell__building__compound__renovation_status": "renovated"}
    assert figures.compounds_completed_in_period == 259
    assert figures.households_benefited == Household.objects.filter(**renovated).count()
    people = Resident.objects.filter(**{f"household__{k}": v for k, v in renovated.items()})
    assert figures.people_benefited == people.count()


def test_every_old_compound_is_in_exactly_one_project_and_newer_ones_in_none(built):
    counts = dict(Compound.objects.annotate(n=Count("renewal_projects")).values_list("code", "n"))
    years = dict(Compound.objects.values_list("code", "year_built"))
    for code, n in counts.items():
        assert n == (1 if years[code] <= 2000 else 0), code


def test_compounds_under_way_in_the_registry_have_started_works_and_the_others_not(built):
    started = {Stage.WORKS, Stage.COMPLETED, Stage.ACCEPTANCE}
    through = Project.compounds.through.objects.select_related("project", "compound")
    for link in through.exclude(project__stage=Stage.HANDED_OVER):
        under_way = link.compound.renovation_status == RenovationStatus.IN_PROGRESS
        assert (link.project.stage in started) == under_way, link.project.code


def test_every_stage_holds_projects(built):
    assert set(built.by_stage) == {s.value for s in ORDER}
    assert all(n > 0 for n in built.by_stage.values())


def test_programme_years_run_from_2019_to_2026_in_batches(built):
    years = set(Project.objects.values_list("year", flat=True))
    assert years == set(range(2019, 2027))
    assert set(Project.objects.values_list("batch", flat=True)) == {1, 2}


def test_clustered_projects_join_compounds_of_one_zone(built):
    clustered = Project.objects.annotate(n=Count("compounds")).filter(n__gt=1)
    assert clustered.count() == built.clustered > 10
    for project in clustered.prefetch_related("compounds"):
        assert {c.zone_id for c in project.compounds.all()} == {project.zone_id}


def _latest(rows: Any, field: str) -> Any:
    return rows.order_by(f"-{field}", "-pk").first()


def test_every_project_past_the_joint_review_had_an_approved_decision_and_all_sign_offs(built):
    past = ORDER[ORDER.index(Stage.JOINT_REVIEW) + 1 :]
    for project in Project.objects.filter(stage__in=past):
        decision = _latest(project.decisions, "decided_on")
        assert decision.outcome == DecisionOutcome.APPROVED and decision.document
        current = project.reviews.filter(round=project.review_round)
        assert current.exists()
        assert set(current.values_list("status", flat=True)) == {ReviewStatus.APPROVED}


def test_every_project_past_works_start_has_a_construction_firm_and_reached_full_progress(built):
    done = ORDER[ORDER.index(Stage.COMPLETED) :]
    for project in Project.objects.filter(stage__in=[Stage.WORKS, *done]):
        assert project.construction_firm_id and project.supervision_firm_id
        if project.stage in done:
            assert project.progress_percent == 100
        else:
            assert project.progress_percent < 100


def test_every_accepted_project_had_a_satisfaction_at_or_above_its_threshold(built):
    accepted = Project.objects.filter(stage__in=[Stage.ACCEPTANCE, Stage.HANDED_OVER])
    assert accepted.exists()
    for project in accepted:
        latest = _latest(project.acceptances, "accepted_on")
        assert latest.satisfaction_percent >= project.satisfaction_threshold
    for project in Project.objects.filter(stage=Stage.HANDED_OVER):
        assert project.has_aftercare_owner


def test_the_actual_dates_follow_the_stage_each_project_is_in(built):
    for project in Project.objects.prefetch_related("stages"):
        here = ORDER.index(Stage(project.stage))
        for record in project.stages.all():
            position = ORDER.index(Stage(record.stage))
            assert (record.actual_start is not None) == (position <= here), project.code
            assert (record.actual_end is not None) == (position < here), project.code
            assert record.planned_start is not None and record.planned_end is not None


def test_transitions_carry_the_demo_dates_and_end_at_the_current_stage(built):
    for project in Project.objects.prefetch_related("transitions"):
        moves = sorted(project.transitions.all(), key=lambda t: (t.at, t.pk))
        assert moves[-1].to_stage == project.stage
        assert moves[0].at.date() < AS_OF and moves[-1].at.date() <= AS_OF
        assert all(m.from_stage == n.to_stage for n, m in itertools.pairwise(moves))


def test_some_joint_reviews_are_rejected_then_pass_a_second_round(built):
    rejected = Review.objects.filter(status=ReviewStatus.REJECTED).values("project")
    again = Project.objects.filter(pk__in=rejected, review_round=2)
    assert again.exists()


def test_some_joint_reviews_are_pending_and_some_overdue(built):
    pending = Review.objects.pending().filter(project__stage=Stage.JOINT_REVIEW)
    overdue = Review.objects.overdue(AS_OF)
    assert overdue.exists()
    assert pending.exclude(pk__in=overdue.values("pk")).exists()


def test_some_projects_are_late_against_their_plans_by_more_and_less_than_30_days(built):
    late = []
    for project in Project.objects.exclude(stage=Stage.HANDED_OVER):
        record = StageRecord.objects.get(project=project, stage=project.stage)
        if record.is_late(AS_OF):
            late.append((AS_OF - record.planned_end).days)
    assert any(days > 30 for days in late)
    assert any(days <= 30 for days in late)


def test_the_demo_accounts_are_the_contacts_of_the_projects_in_their_patch(built):
    zone_lead = get_user_model().objects.get(username="demo-zone")
    zone = zone_lead.role_assignments.get().zone
    in_zone = Project.objects.filter(zone=zone)
    assert in_zone.exists()
    assert set(in_zone.values_list("zone_lead", flat=True)) == {zone_lead.pk}
    district = get_user_model().objects.get(username="demo-district")
    assert set(Project.objects.values_list("district_contact", flat=True)) == {district.pk}


def test_each_projects_funding_plan_covers_its_items_budget(built):
    for project in Project.objects.with_overview():
        assert project.planned_total == project.budget_total > 0


def test_a_second_run_with_if_empty_does_nothing(built, capsys):
    before = demo.content_hash()
    call_command("renewal", "demo", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out
    assert demo.content_hash() == before


def test_a_second_run_without_reset_is_refused(built):
    with pytest.raises(CommandError, match="--reset"):
        call_command("renewal", "demo")


def test_the_supervision_check_shows_red_and_yellow_projects(built):
    run_supervision_check(today=AS_OF)
    lights = set(Project.objects.exclude(stage=Stage.HANDED_OVER).values_list("light", flat=True))
    assert {"red", "yellow", "green"} <= lights
