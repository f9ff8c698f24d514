"""Progress services: reports set the items' and the project's progress, photos keep their
EXIF, problems are raised and resolved; every refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.renewal import services
from linli.renewal.gates import Stage, TransitionRefused
from linli.renewal.models import ProgressLine, ProgressPhoto, ProgressProblem
from linli.renewal.services.common import today
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

XIGONG_GPS = {1: "N", 2: (34.0, 40.0, 59.88), 3: "E", 4: (112.0, 26.0, 30.12)}


def started_days_ago(days: int, *budgets: str):
    """A project whose works started ``days`` days ago, with items of these budgets."""
    with services.as_of(today() - datetime.timedelta(days=days)):
        return f.project_in_works(*budgets)


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def item_pks(project) -> list[int]:
    return list(project.items.order_by("pk").values_list("pk", flat=True))


def report(project, on: datetime.date | None = None, notes=None, **by_pk: str):
    """Record a report with ``percent`` per item (keyword ``i<pk>``)."""
    percents = {int(k[1:]): Decimal(v) for k, v in by_pk.items()}
    return services.record_progress_report(
        project=project, reported_on=on or today(), percents=percents, notes=notes
    )


def percents_of(project) -> list[Decimal]:
    return list(project.items.order_by("pk").values_list("progress_percent", flat=True))


def refusal(caught) -> str:
    """The code of the (first) error a service raised."""
    error = caught.value
    errors = (
        next(iter(error.error_dict.values())) if hasattr(error, "error_dict") else error.error_list
    )
    return errors[0].code


# --- Reports ---------------------------------------------------------------------------------


def test_a_report_sets_each_items_percent_and_the_budget_weighted_project_percent():
    project = f.project_in_works("300000", "100000")
    a, b = item_pks(project)
    report(project, **{f"i{a}": "100", f"i{b}": "0"})
    project.refresh_from_db()
    assert percents_of(project) == [Decimal("100.00"), Decimal("0.00")]
    assert project.progress_percent == Decimal("75.00")


def test_the_callers_project_object_carries_the_new_percent():
    project = f.project_in_works()
    (a,) = item_pks(project)
    report(project, **{f"i{a}": "40"})
    assert project.progress_percent == Decimal("40.00")


def test_items_not_mentioned_keep_their_last_percent():
    project = f.project_in_works("100000", "100000")
    a, b = item_pks(project)
    report(project, **{f"i{a}": "20", f"i{b}": "60"})
    report(project, **{f"i{a}": "50"})
    project.refresh_from_db()
    assert percents_of(project) == [Decimal("50.00"), Decimal("60.00")]
    assert project.progress_percent == Decimal("55.00")


def test_a_backdated_report_does_not_override_a_later_one():
    project = started_days_ago(10)
    (a,) = item_pks(project)
    report(project, on=ago(1), **{f"i{a}": "70"})
    report(project, on=ago(5), **{f"i{a}": "30"})
    project.refresh_from_db()
    assert percents_of(project) == [Decimal("70.00")]
    assert project.progress_percent == Decimal("70.00")


def test_a_lower_percent_without_a_note_is_refused():
    project = f.project_in_works()
    (a,) = item_pks(project)
    report(project, **{f"i{a}": "60"})
    with pytest.raises(ValidationError) as caught:
        report(project, **{f"i{a}": "40"})
    assert refusal(caught) == "correction_without_note"
    assert "60" in str(caught.value) and "correction" in str(caught.value)


def test_a_correction_with_its_reason_lowers_the_item_and_keeps_the_earlier_line():
    project = f.project_in_works()
    (a,) = item_pks(project)
    report(project, **{f"i{a}": "60"})
    report(project, notes={a: "上次误报,实测 40%"}, **{f"i{a}": "40"})
    project.refresh_from_db()
    assert project.progress_percent == Decimal("40.00")
    lines = ProgressLine.objects.filter(project_item=a).order_by("report__pk")
    assert [(line.percent, line.note) for line in lines] == [
        (Decimal("60.00"), ""),
        (Decimal("40.00"), "上次误报,实测 40%"),
    ]


def test_reaching_one_hundred_lets_the_project_complete():
    project = f.project_in_works("100000", "50000")
    a, b = item_pks(project)
    report(project, **{f"i{a}": "100", f"i{b}": "100"})
    services.advance_stage(project=project, to=Stage.COMPLETED)
    assert project.stage == Stage.COMPLETED


def test_one_item_short_of_full_keeps_the_completion_gate_shut():
    project = f.project_in_works("1000000", "1")
    a, b = item_pks(project)
    report(project, **{f"i{a}": "100", f"i{b}": "99"})
    assert project.progress_percent == Decimal("99.99")
    with pytest.raises(TransitionRefused) as caught:
        services.advance_stage(project=project, to=Stage.COMPLETED)
    assert caught.value.code == "progress_incomplete"


def test_changing_a_budget_during_works_re_derives_the_project_percent():
    project = f.project_in_works("100000", "100000")
    a, b = item_pks(project)
    report(project, **{f"i{a}": "100", f"i{b}": "0"})
    services.update_item(project_item=project.items.get(pk=b), budget=Decimal("300000"))
    project.refresh_from_db()
    assert project.progress_percent == Decimal("25.00")


def test_a_report_is_refused_outside_the_works_stage():
    project = f.project_ready_for(Stage.TENDER)
    (a,) = item_pks(project)
    with pytest.raises(ValidationError) as caught:
        report(project, **{f"i{a}": "10"})
    assert refusal(caught) == "wrong_stage"


def test_a_report_dated_in_the_future_is_refused():
    project = f.project_in_works()
    (a,) = item_pks(project)
    with pytest.raises(ValidationError) as caught:
        report(project, on=today() + datetime.timedelta(days=1), **{f"i{a}": "10"})
    assert refusal(caught) == "future"


def test_a_report_dated_before_the_works_started_is_refused():
    project = started_days_ago(3)
    (a,) = item_pks(project)
    with pytest.raises(ValidationError) as caught:
        report(project, on=ago(4), **{f"i{a}": "10"})
    assert refusal(caught) == "before_works"


def test_an_item_of_another_project_is_refused_by_name():
    project, other = f.project_in_works(), f.project_in_works()
    (foreign,) = other.items.select_related("item")
    with pytest.raises(ValidationError) as caught:
        report(project, **{f"i{foreign.pk}": "10"})
    assert refusal(caught) == "foreign_item"
    assert foreign.item.name in str(caught.value)
    assert not project.progress_reports.exists()


def test_a_report_without_any_item_is_refused():
    project = f.project_in_works()
    with pytest.raises(ValidationError) as caught:
        report(project)
    assert refusal(caught) == "required"


def test_a_percent_over_one_hundred_is_refused_and_nothing_is_kept():
    project = f.project_in_works()
    (a,) = item_pks(project)
    with pytest.raises(ValidationError) as caught:
        report(project, **{f"i{a}": "101"})
    assert refusal(caught) == "invalid_percent"
    assert not project.progress_reports.exists()


# --- Photos ----------------------------------------------------------------------------------


def test_a_photo_keeps_its_exif_time_and_place():
    project = f.project_in_works()
    (a,) = item_pks(project)
    rep = report(project, **{f"i{a}": "10"})
    photo = services.add_progress_photo(
        report=rep, image=f.jpeg(taken="2026:05:01 10:20:30", gps=XIGONG_GPS), caption="管网开挖"
    )
    photo = ProgressPhoto.objects.get(pk=photo.pk)
    assert (photo.latitude, photo.longitude) == (Decimal("34.6833000"), Decimal("112.4417000"))
    assert photo.taken_at == datetime.datetime(2026, 5, 1, 2, 20, 30, tzinfo=datetime.UTC)
    assert photo.image.name.startswith("renewal/progress/")


def test_a_photo_without_exif_is_kept_without_time_and_place():
    project = f.project_in_works()
    (a,) = item_pks(project)
    photo = services.add_progress_photo(report=report(project, **{f"i{a}": "10"}), image=f.jpeg())
    assert (photo.taken_at, photo.latitude, photo.longitude) == (None, None, None)


def test_a_file_that_is_not_an_image_is_refused():
    project = f.project_in_works()
    (a,) = item_pks(project)
    rep = report(project, **{f"i{a}": "10"})
    fake = SimpleUploadedFile("site.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        services.add_progress_photo(report=rep, image=fake)
    assert refusal(caught) == "not_an_image"
    assert not ProgressPhoto.objects.exists()


def test_photos_are_added_only_during_works():
    project = f.project_in_works()
    (a,) = item_pks(project)
    rep = report(project, **{f"i{a}": "100"})
    services.advance_stage(project=project, to=Stage.COMPLETED)
    rep.project.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.add_progress_photo(report=rep, image=f.jpeg())
    assert refusal(caught) == "wrong_stage"


# --- Problems --------------------------------------------------------------------------------


def test_a_problem_is_raised_and_resolved():
    project = f.project_in_works()
    problem = services.raise_problem(project=project, description="雨水管堵塞", raised_on=today())
    assert problem.is_open
    services.resolve_problem(problem=problem, resolution="已疏通", resolved_on=today())
    problem = ProgressProblem.objects.get(pk=problem.pk)
    assert (problem.is_open, problem.resolution) == (False, "已疏通")


def test_a_problem_can_be_raised_at_acceptance():
    project = f.project_ready_for(Stage.COMPLETED)
    problem = services.raise_problem(project=project, description="扶手松动", raised_on=today())
    assert problem.pk


def test_a_problem_is_refused_before_works():
    project = f.project_ready_for(Stage.TENDER)
    with pytest.raises(ValidationError) as caught:
        services.raise_problem(project=project, description="x", raised_on=today())
    assert refusal(caught) == "wrong_stage"


def test_a_problem_raised_in_the_future_is_refused():
    project = f.project_in_works()
    with pytest.raises(ValidationError) as caught:
        services.raise_problem(
            project=project, description="x", raised_on=today() + datetime.timedelta(days=1)
        )
    assert refusal(caught) == "future"


def test_a_problem_cannot_point_to_another_projects_report():
    project, other = f.project_in_works(), f.project_in_works()
    (a,) = item_pks(other)
    foreign = report(other, **{f"i{a}": "10"})
    with pytest.raises(ValidationError) as caught:
        services.raise_problem(project=project, description="x", raised_on=today(), report=foreign)
    assert refusal(caught) == "foreign_report"


def test_a_resolved_problem_cannot_be_resolved_again():
    project = f.project_in_works()
    problem = services.raise_problem(project=project, description="x", raised_on=today())
    services.resolve_problem(problem=problem, resolution="done", resolved_on=today())
    with pytest.raises(ValidationError) as caught:
        services.resolve_problem(problem=problem, resolution="again", resolved_on=today())
    assert refusal(caught) == "already_resolved"


def test_a_resolution_is_required():
    project = f.project_in_works()
    problem = services.raise_problem(project=project, description="x", raised_on=today())
    with pytest.raises(ValidationError) as caught:
        services.resolve_problem(problem=problem, resolution="  ", resolved_on=today())
    assert refusal(caught) == "required"


def test_a_problem_cannot_be_resolved_before_it_was_raised():
    project = f.project_in_works()
    problem = services.raise_problem(project=project, description="x", raised_on=today())
    with pytest.raises(ValidationError):
        services.resolve_problem(problem=problem, resolution="done", resolved_on=ago(1))
    assert ProgressProblem.objects.get(pk=problem.pk).is_open


def test_a_problem_cannot_be_resolved_in_the_future():
    project = f.project_in_works()
    problem = services.raise_problem(project=project, description="x", raised_on=today())
    with pytest.raises(ValidationError) as caught:
        services.resolve_problem(
            problem=problem, resolution="done", resolved_on=today() + datetime.timedelta(days=1)
        )
    assert refusal(caught) == "future"
