"""Renewal services: projects, items, funding, the residents' decision, joint review rounds,
transitions with their dates and log, acceptance and handover."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.roles import Role
from linli.core.workdays import add_workdays
from linli.registry.models import OrganisationKind, RenovationStatus
from linli.registry.tests.factories import CompoundFactory, ZoneFactory
from linli.renewal import services
from linli.renewal.gates import Stage, TransitionRefused
from linli.renewal.models import FundingSource, Review, ReviewStatus, StageRecord, Transition
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


# --- Projects --------------------------------------------------------------------------------


def test_a_new_project_starts_at_application_with_a_record_for_every_stage():
    project = f.ProjectFactory()
    assert project.stage == Stage.APPLICATION
    assert list(project.stages.order_by("pk").values_list("stage", flat=True)) == list(Stage.values)


def test_creating_a_project_logs_its_first_transition():
    user = f.UserFactory()
    project = f.ProjectFactory(by=user)
    (transition,) = project.transitions.all()
    assert (transition.from_stage, transition.to_stage, transition.by) == (
        "",
        Stage.APPLICATION,
        user,
    )


def test_a_clustered_project_takes_the_zone_of_its_compounds():
    zone = ZoneFactory()
    compounds = CompoundFactory.create_batch(3, zone=zone)
    project = f.ProjectFactory(compounds=compounds)
    assert project.zone == zone
    assert project.compounds.count() == 3


def test_a_clustered_project_refuses_compounds_of_different_zones():
    with pytest.raises(ValidationError) as caught:
        f.ProjectFactory(compounds=[CompoundFactory(), CompoundFactory()])
    assert "同一片区" in str(caught.value.message_dict["compounds"])


def test_a_clustered_project_refuses_a_compound_without_zone():
    zone = ZoneFactory()
    with pytest.raises(ValidationError):
        f.ProjectFactory(compounds=[CompoundFactory(zone=zone), CompoundFactory(zone=None)])


def test_a_single_compound_without_zone_is_fine():
    project = f.ProjectFactory(compounds=[CompoundFactory(zone=None)])
    assert project.zone is None


def test_a_project_needs_a_compound():
    with pytest.raises(ValidationError):
        services.create_project(code="P1", name="空项目", year=2026, compounds=[])


def test_a_new_project_marks_its_compounds_planned():
    compound = CompoundFactory()
    f.ProjectFactory(compounds=[compound])
    compound.refresh_from_db()
    assert compound.renovation_status == RenovationStatus.PLANNED


def test_a_firm_of_the_wrong_kind_is_refused():
    design = f.OrganisationFactory(kind=OrganisationKind.DESIGN)
    with pytest.raises(ValidationError) as caught:
        f.ProjectFactory(construction_firm=design)
    assert "construction_firm" in caught.value.message_dict


def test_compounds_cannot_change_once_residents_are_deciding():
    project = f.project_ready_for(Stage.DECISION)
    other = CompoundFactory(zone=project.compounds.get().zone)
    with pytest.raises(ValidationError) as caught:
        services.update_project(project=project, compounds=[*project.compounds.all(), other])
    assert "wrong_stage" in [e.code for e in caught.value.error_list]


# --- Items and funding ------------------------------------------------------------------------


def test_an_item_feeding_an_indicator_in_its_own_unit_defaults_its_output_to_the_quantity():
    indicator = f.OutputIndicatorFactory(unit="piece")
    item = f.CatalogueItemFactory(unit="piece", indicator=indicator)
    project = f.ProjectFactory()
    row = services.add_item(project=project, item=item, quantity=Decimal("3"))
    assert row.output_quantity == Decimal("3")


def test_an_item_in_another_unit_than_its_indicator_leaves_the_output_to_be_entered():
    indicator = f.OutputIndicatorFactory(unit="km")
    item = f.CatalogueItemFactory(unit="m2", indicator=indicator)
    row = services.add_item(project=f.ProjectFactory(), item=item, quantity=Decimal("5200"))
    assert row.output_quantity is None


def test_an_item_without_indicator_cannot_carry_an_output():
    with pytest.raises(ValidationError) as caught:
        services.add_item(
            project=f.ProjectFactory(),
            item=f.CatalogueItemFactory(),
            quantity=Decimal("1"),
            output_quantity=Decimal("1"),
        )
    assert "output_quantity" in caught.value.message_dict


def test_a_retired_catalogue_item_cannot_be_added():
    with pytest.raises(ValidationError):
        services.add_item(
            project=f.ProjectFactory(),
            item=f.CatalogueItemFactory(active=False),
            quantity=Decimal("1"),
        )


def test_the_same_catalogue_item_cannot_be_added_twice():
    project, item = f.ProjectFactory(), f.CatalogueItemFactory()
    services.add_item(project=project, item=item, quantity=Decimal("1"))
    with pytest.raises(ValidationError):
        services.add_item(project=project, item=item, quantity=Decimal("2"))


def test_a_quantity_must_be_positive():
    with pytest.raises(ValidationError) as caught:
        services.add_item(
            project=f.ProjectFactory(), item=f.CatalogueItemFactory(), quantity=Decimal("0")
        )
    assert "quantity" in caught.value.message_dict


def test_items_cannot_be_added_once_residents_are_deciding():
    project = f.project_ready_for(Stage.DECISION)
    with pytest.raises(ValidationError):
        services.add_item(project=project, item=f.CatalogueItemFactory(), quantity=Decimal("1"))


def test_budgets_can_still_be_corrected_during_works():
    project = f.project_ready_for(Stage.WORKS)
    row = project.items.get()
    services.update_item(project_item=row, budget=Decimal("120000.50"))
    row.refresh_from_db()
    assert row.budget == Decimal("120000.50")


def test_items_cannot_be_removed_once_residents_are_deciding():
    project = f.project_ready_for(Stage.DECISION)
    with pytest.raises(ValidationError):
        services.remove_item(project_item=project.items.get())


def test_funding_is_set_once_per_source_and_updated_in_place():
    project = f.ProjectFactory()
    services.set_funding(project=project, source=FundingSource.CENTRAL, planned=Decimal("500000"))
    services.set_funding(
        project=project,
        source=FundingSource.CENTRAL,
        planned=Decimal("600000"),
        allocated=Decimal("600000"),
        disbursed=Decimal("250000.25"),
    )
    (line,) = project.funding.all()
    assert (line.planned, line.allocated, line.disbursed) == (
        Decimal("600000.00"),
        Decimal("600000.00"),
        Decimal("250000.25"),
    )


def test_allocated_money_cannot_exceed_the_plan():
    with pytest.raises(ValidationError) as caught:
        services.set_funding(
            project=f.ProjectFactory(),
            source=FundingSource.DISTRICT,
            planned=Decimal("100"),
            allocated=Decimal("100.01"),
        )
    assert "allocated" in caught.value.message_dict


def test_disbursed_money_cannot_exceed_the_allocation():
    with pytest.raises(ValidationError) as caught:
        services.set_funding(
            project=f.ProjectFactory(),
            source=FundingSource.DISTRICT,
            planned=Decimal("100"),
            allocated=Decimal("50"),
            disbursed=Decimal("60"),
        )
    assert "disbursed" in caught.value.message_dict


def test_funding_amounts_cannot_be_negative():
    with pytest.raises(ValidationError) as caught:
        services.set_funding(
            project=f.ProjectFactory(), source=FundingSource.RESIDENTS, planned=Decimal("-1")
        )
    assert "planned" in caught.value.message_dict


def test_stage_plans_refuse_an_end_before_the_start():
    record = f.ProjectFactory().stages.get(stage=Stage.DESIGN)
    with pytest.raises(ValidationError) as caught:
        services.plan_stage(
            record=record,
            planned_start=datetime.date(2026, 5, 1),
            planned_end=datetime.date(2026, 4, 1),
        )
    assert "planned_end" in caught.value.message_dict


# --- Transitions -------------------------------------------------------------------------------


def test_advancing_records_who_when_and_why():
    user = f.UserFactory()
    project = f.ProjectFactory()
    transition = services.advance_stage(project=project, to=Stage.DESIGN, by=user, reason="立项")
    assert (transition.from_stage, transition.to_stage, transition.by, transition.reason) == (
        Stage.APPLICATION,
        Stage.DESIGN,
        user,
        "立项",
    )
    assert project.stage == Stage.DESIGN


def test_advancing_sets_the_actual_dates_of_the_stages_left_and_entered():
    project = f.ProjectFactory()
    services.advance_stage(project=project, to=Stage.DESIGN)
    records = {r.stage: r for r in project.stages.all()}
    today = datetime.date.today()
    assert records[Stage.APPLICATION].actual_end is not None
    assert records[Stage.DESIGN].actual_start is not None
    assert records[Stage.DESIGN].actual_end is None
    assert abs((records[Stage.DESIGN].actual_start - today).days) <= 1


def test_a_refused_transition_changes_nothing():
    project = f.ProjectFactory()
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.TENDER)
    assert caught.value.code == "skip"
    project.refresh_from_db()
    assert project.stage == Stage.APPLICATION
    assert Transition.objects.filter(project=project).count() == 1


def test_an_unknown_stage_is_a_validation_error():
    with pytest.raises(ValidationError):
        services.advance_stage(project=f.ProjectFactory(), to="demolished")


def test_no_joint_review_before_a_recorded_residents_decision():
    project = f.project_ready_for(Stage.DESIGN)
    services.advance_stage(project=project, to=Stage.DECISION)
    with pytest.raises(TransitionRefused) as caught:
        services.request_joint_review(project=project)
    assert [r.code for r in caught.value.refusals] == ["no_decision"]


def test_the_latest_decision_is_the_one_that_counts():
    project = f.project_ready_for(Stage.DECISION)
    services.record_decision(
        project=project,
        decided_on=datetime.date(2099, 1, 1),
        outcome="rejected",
        approval_share=Decimal("40"),
        document=f.document(),
    )
    with pytest.raises(TransitionRefused) as caught:
        services.request_joint_review(project=project)
    assert caught.value.code == "decision_not_approved"


def test_decisions_are_recorded_only_while_designing_or_deciding():
    project = f.ProjectFactory()
    with pytest.raises(ValidationError):
        services.record_decision(
            project=project,
            decided_on=datetime.date(2026, 3, 1),
            approval_share=Decimal("90"),
            document=f.document(),
        )


# --- Joint review -------------------------------------------------------------------------------


def test_the_joint_review_requests_one_sign_off_per_department_the_rules_name():
    project = f.project_ready_for(Stage.DECISION)
    housing = f.OrganisationFactory(name="西工区住房和城乡建设局")
    f.ReviewRuleFactory(applies_to="all", item=None, department=housing, workdays=10)
    item_rule_department = project.items.get().item.review_rules.get().department
    reviews = services.request_joint_review(project=project)
    assert project.stage == Stage.JOINT_REVIEW
    assert {r.department for r in reviews} == {housing, item_rule_department}
    assert {r.round for r in reviews} == {1}
    assert all(r.status == ReviewStatus.PENDING for r in reviews)


def test_a_sign_off_is_due_after_its_working_day_limit():
    project = f.project_ready_for(Stage.DECISION)
    (review,) = services.request_joint_review(project=project)
    assert review.workdays == 5
    assert review.due_on == add_workdays(timezone.localdate(review.requested_at), 5)


def test_the_reasons_of_a_sign_off_name_the_items_that_need_it():
    project = f.project_ready_for(Stage.DECISION)
    (review,) = services.request_joint_review(project=project)
    assert review.reasons == project.items.get().item.name


def test_no_tender_before_every_department_approved():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.TENDER)
    assert caught.value.code == "reviews_pending"


def test_approving_every_sign_off_opens_the_tender():
    superuser = f.UserFactory(is_superuser=True)
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    for review in project.reviews.all():
        services.decide_review(review=review, decision="approve", comments="同意", by=superuser)
    services.advance_stage(project=project, to=Stage.TENDER)
    assert project.stage == Stage.TENDER


def test_a_rejection_returns_the_project_to_design_and_closes_the_round():
    superuser = f.UserFactory(is_superuser=True)
    project = f.project_ready_for(Stage.DECISION)
    f.ReviewRuleFactory(applies_to="all", item=None)
    services.request_joint_review(project=project)
    rejected, other = project.reviews.order_by("pk")
    services.decide_review(
        review=rejected, decision="reject", comments="管线走向冲突", by=superuser
    )
    project.refresh_from_db()
    other.refresh_from_db()
    assert project.stage == Stage.DESIGN
    assert other.status == ReviewStatus.CLOSED
    last = project.transitions.first()
    assert (last.from_stage, last.to_stage, last.by) == (
        Stage.JOINT_REVIEW,
        Stage.DESIGN,
        superuser,
    )
    assert rejected.department.name in last.reason


def test_a_rejection_needs_comments():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    with pytest.raises(ValidationError) as caught:
        services.decide_review(
            review=project.reviews.get(), decision="reject", by=f.UserFactory(is_superuser=True)
        )
    assert "comments" in caught.value.message_dict


def test_a_decided_sign_off_cannot_be_decided_again():
    superuser = f.UserFactory(is_superuser=True)
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    review = project.reviews.get()
    services.decide_review(review=review, decision="approve", by=superuser)
    with pytest.raises(ValidationError):
        services.decide_review(review=review, decision="reject", comments="改主意", by=superuser)


def test_a_second_round_after_a_redesign_requests_new_sign_offs():
    superuser = f.UserFactory(is_superuser=True)
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    services.decide_review(
        review=project.reviews.get(), decision="reject", comments="重新设计", by=superuser
    )
    services.advance_stage(project=project, to=Stage.DECISION)
    services.request_joint_review(project=project)
    assert project.review_round == 2
    assert project.reviews.filter(round=2, status=ReviewStatus.PENDING).count() == 1
    assert project.reviews.get(round=1).status == ReviewStatus.REJECTED


def test_returning_to_design_clears_the_actual_dates_of_later_stages():
    project = f.project_ready_for(Stage.TENDER)
    services.advance_stage(project=project, to=Stage.DESIGN, reason="招标失败,方案调整")
    later = StageRecord.objects.filter(
        project=project, stage__in=[Stage.DECISION, Stage.JOINT_REVIEW, Stage.TENDER]
    )
    assert all(r.actual_start is None and r.actual_end is None for r in later)


def test_a_department_user_signs_its_own_departments_review():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    review = project.reviews.get()
    clerk = f.user_with_role(Role.DEPARTMENT, organisation=review.department)
    services.decide_review(review=review, decision="approve", by=clerk)
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (ReviewStatus.APPROVED, clerk)


def test_a_department_user_cannot_sign_another_departments_review():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    other = f.OrganisationFactory(district=project.compounds.get().community.subdistrict.district)
    clerk = f.user_with_role(Role.DEPARTMENT, organisation=other)
    with pytest.raises(PermissionDenied):
        services.decide_review(review=project.reviews.get(), decision="approve", by=clerk)


def test_the_district_office_may_record_a_sign_off_on_a_departments_behalf():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    district = project.compounds.get().community.subdistrict.district
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    review = services.decide_review(review=project.reviews.get(), decision="approve", by=office)
    assert review.status == ReviewStatus.APPROVED


def test_a_community_user_cannot_sign_reviews():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    clerk = f.user_with_role(Role.COMMUNITY, community=project.compounds.get().community)
    assert not services.can_decide(clerk, project.reviews.get())


def test_overdue_lists_pending_sign_offs_past_their_due_date():
    project = f.project_ready_for(Stage.JOINT_REVIEW)
    review = project.reviews.get()
    assert not Review.objects.overdue().exists()
    assert Review.objects.overdue(review.due_on + datetime.timedelta(days=1)).get() == review
    assert project in type(project).objects.overdue(review.due_on + datetime.timedelta(days=1))


def test_a_signed_review_is_never_overdue():
    project = f.project_ready_for(Stage.TENDER)
    review = project.reviews.get()
    assert not Review.objects.overdue(review.due_on + datetime.timedelta(days=30)).exists()


# --- Works, acceptance, handover -----------------------------------------------------------------


def test_works_need_a_construction_firm():
    project = f.project_ready_for(Stage.TENDER)
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.WORKS)
    assert caught.value.code == "no_construction_firm"


def test_starting_works_marks_the_compounds_in_progress():
    project = f.project_ready_for(Stage.WORKS)
    assert project.compounds.get().renovation_status == RenovationStatus.IN_PROGRESS


def test_no_completion_below_full_progress():
    project = f.project_ready_for(Stage.WORKS)
    services.record_progress_report(
        project=project,
        reported_on=timezone.localdate(),
        percents={item.pk: Decimal("99.5") for item in project.items.all()},
    )
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.COMPLETED)
    assert caught.value.code == "progress_incomplete"


def test_no_acceptance_below_the_satisfaction_threshold():
    project = f.project_ready_for(Stage.COMPLETED)
    services.record_acceptance(
        project=project,
        accepted_on=datetime.date(2026, 9, 1),
        satisfaction_percent=Decimal("78"),
        document=f.document(),
    )
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.ACCEPTANCE)
    assert caught.value.code == "satisfaction_below_threshold"


def test_no_handover_without_an_after_care_owner():
    project = f.project_ready_for(Stage.ACCEPTANCE)
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.HANDED_OVER)
    assert caught.value.code == "no_aftercare_owner"


def test_handover_marks_the_compounds_renovated_this_year():
    project = f.project_ready_for(Stage.HANDED_OVER)
    compound = project.compounds.get()
    assert compound.renovation_status == RenovationStatus.RENOVATED
    assert compound.renovated_year == datetime.date.today().year


def test_a_handed_over_project_logged_every_stage_once():
    project = f.project_ready_for(Stage.HANDED_OVER)
    moves = list(project.transitions.order_by("at", "pk").values_list("to_stage", flat=True))
    assert moves == list(Stage.values)
