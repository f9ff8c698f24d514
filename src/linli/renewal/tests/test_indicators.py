"""Indicators: the pure computation over project rows (definitions in docs/renewal.md), and
``GET /api/v1/indicators/`` scoped to the caller with a bounded number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.registry.tests.factories import (
    CompoundFactory,
    DistrictFactory,
    HouseholdFactory,
    ResidentFactory,
)
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.indicators import CompoundFacts, ProjectRow, compute_indicators, ratio
from linli.renewal.models import FundingSource, StageRecord
from linli.renewal.tests import factories as f

D = datetime.date
YEAR_START, YEAR_END = D(2025, 1, 1), D(2025, 12, 31)


def row(pk: int = 1, *, year: int = 2025, compounds: tuple[int, ...] | None = None, **kw):
    ids = compounds if compounds is not None else (pk,)
    facts = tuple(CompoundFacts(c, households=10, people=25) for c in ids)
    return ProjectRow(id=pk, year=year, stage=Stage.APPLICATION, compounds=facts, **kw)


def compute(rows, start=YEAR_START, end=YEAR_END, **kw):
    return compute_indicators(rows, period_start=start, period_end=end, **kw)


# --- ratio ---------------------------------------------------------------------------------


def test_a_ratio_has_four_decimal_places_rounded_half_up():
    assert ratio(2, 3) == Decimal("0.6667")


def test_a_ratio_over_zero_is_none():
    assert ratio(0, 0) is None


# --- the pure function ---------------------------------------------------------------------


def test_no_projects_give_zero_counts_and_no_rates():
    result = compute([])
    assert (result.compounds_planned, result.start_rate, result.completion_rate) == (0, None, None)


def test_no_planned_investment_gives_no_investment_completion():
    assert compute([row()]).investment_completion is None


def test_planned_compounds_are_those_of_projects_of_the_periods_years():
    rows = [row(1, year=2024), row(2, year=2025), row(3, year=2026)]
    assert compute(rows).compounds_planned == 1


def test_a_compound_in_two_planned_projects_counts_once():
    rows = [row(1, compounds=(7,)), row(2, compounds=(7, 8))]
    assert compute(rows).compounds_planned == 2


def test_a_period_spanning_two_years_plans_both_years_projects():
    rows = [row(1, year=2024), row(2, year=2025)]
    assert compute(rows, D(2024, 7, 1), D(2025, 6, 30)).compounds_planned == 2


def test_works_started_on_the_last_day_of_the_period_count_as_started():
    result = compute([row(works_started_on=YEAR_END)])
    assert result.compounds_started == 1


def test_works_started_after_the_period_do_not_count_as_started():
    result = compute([row(works_started_on=D(2026, 1, 1))])
    assert result.compounds_started == 0


def test_start_rate_is_started_over_planned():
    rows = [row(1, works_started_on=D(2025, 3, 1)), row(2), row(3), row(4)]
    assert compute(rows).start_rate == Decimal("0.2500")


def test_no_started_compounds_give_no_completion_rate():
    assert compute([row()]).completion_rate is None


def test_completion_rate_is_completed_over_started():
    rows = [
        row(1, works_started_on=D(2025, 3, 1), completed_on=D(2025, 9, 1)),
        row(2, works_started_on=D(2025, 3, 1)),
        row(3, works_started_on=D(2025, 4, 1)),
    ]
    assert compute(rows).completion_rate == Decimal("0.3333")


def test_a_completed_project_without_a_recorded_start_counts_as_started():
    result = compute([row(completed_on=D(2025, 9, 1))])
    assert (result.compounds_started, result.completion_rate) == (1, Decimal("1.0000"))


def test_completion_after_the_period_is_not_counted():
    result = compute([row(works_started_on=D(2025, 3, 1), completed_on=D(2026, 1, 1))])
    assert result.compounds_completed == 0


def test_started_in_period_counts_earlier_years_projects_started_inside_it():
    result = compute([row(year=2024, works_started_on=D(2025, 1, 1))])
    assert result.compounds_started_in_period == 1


def test_started_in_period_excludes_starts_before_the_first_day():
    result = compute([row(works_started_on=D(2024, 12, 31))])
    assert result.compounds_started_in_period == 0


def test_completed_in_period_counts_a_completion_on_the_first_day():
    result = compute([row(year=2024, completed_on=YEAR_START)])
    assert result.compounds_completed_in_period == 1


def test_households_and_people_benefited_add_up_the_compounds_completed_in_the_period():
    rows = [
        row(1, completed_on=D(2025, 5, 1)),
        row(2, completed_on=D(2024, 5, 1)),
        row(3, works_started_on=D(2025, 5, 1)),
    ]
    result = compute(rows)
    assert (result.households_benefited, result.people_benefited) == (10, 25)


def test_a_compound_completed_twice_in_the_period_benefits_its_households_once():
    rows = [row(1, compounds=(5,), completed_on=D(2025, 5, 1))]
    rows.append(row(2, compounds=(5,), completed_on=D(2025, 8, 1)))
    assert compute(rows).households_benefited == 10


def test_investment_completion_is_disbursed_over_planned_of_the_planned_projects():
    rows = [
        row(1, planned_investment=Decimal("300.00"), disbursed_investment=Decimal("100.00")),
        row(2, year=2024, planned_investment=Decimal("999.00")),
    ]
    result = compute(rows)
    assert (result.planned_investment, result.investment_completion) == (
        Decimal("300.00"),
        Decimal("0.3333"),
    )


def test_outputs_add_up_projects_completed_in_the_period():
    rows = [
        row(1, completed_on=D(2025, 5, 1), outputs={"green": Decimal("1.5")}),
        row(2, completed_on=D(2025, 6, 1), outputs={"green": Decimal("2.25")}),
        row(3, works_started_on=D(2025, 6, 1), outputs={"green": Decimal("100")}),
    ]
    assert compute(rows).outputs == {"green": Decimal("3.75")}


def test_every_listed_output_indicator_is_reported_even_when_zero():
    result = compute([], indicator_codes=["roads", "parks"])
    assert result.outputs == {"roads": Decimal("0.00"), "parks": Decimal("0.00")}


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before"):
        compute([], D(2025, 2, 1), D(2025, 1, 1))


_dates = st.one_of(st.none(), st.dates(D(2023, 1, 1), D(2027, 12, 31)))
_money = st.decimals(0, 10**6, places=2)


@st.composite
def _rows(draw):
    rows = []
    for pk in range(draw(st.integers(0, 12))):
        compounds = draw(st.lists(st.integers(1, 15), min_size=1, max_size=3, unique=True))
        planned = draw(_money)
        disbursed = draw(st.decimals(0, planned, places=2))
        rows.append(
            row(
                pk,
                year=draw(st.integers(2023, 2027)),
                compounds=tuple(compounds),
                works_started_on=draw(_dates),
                completed_on=draw(_dates),
                planned_investment=planned,
                disbursed_investment=disbursed,
            )
        )
    return rows


@given(rows=_rows(), start=st.dates(D(2023, 1, 1), D(2027, 12, 31)), days=st.integers(0, 800))
def test_rates_lie_between_zero_and_one(rows, start, days):
    result = compute(rows, start, start + datetime.timedelta(days=days))
    for rate in (result.start_rate, result.completion_rate, result.investment_completion):
        assert rate is None or Decimal(0) <= rate <= Decimal(1)


@given(rows=_rows(), start=st.dates(D(2023, 1, 1), D(2027, 12, 31)), days=st.integers(0, 800))
def test_completed_never_exceeds_started_nor_started_planned(rows, start, days):
    result = compute(rows, start, start + datetime.timedelta(days=days))
    assert result.compounds_completed <= result.compounds_started <= result.compounds_planned


# --- the API -------------------------------------------------------------------------------


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _complete_with_output(compound, indicator, quantity: Decimal):
    """A project of this year completed, its item feeding ``indicator`` with ``quantity``."""
    project = f.project_ready_for(
        Stage.COMPLETED, compounds=[compound], year=timezone.localdate().year
    )
    project_item = project.items.get()
    project_item.item.indicator = indicator
    project_item.item.save()
    services.update_item(project_item=project_item, output_quantity=quantity)
    return project


@pytest.fixture
def two_communities(db):
    district = DistrictFactory()
    indicator = f.OutputIndicatorFactory(code="TPARKS", name="测试游园")
    mine, theirs = CompoundFactory(), CompoundFactory()
    for compound in (mine, theirs):
        ResidentFactory(
            household=HouseholdFactory(dwelling__stairwell__building__compound=compound)
        )
    _complete_with_output(mine, indicator, Decimal("2"))
    _complete_with_output(theirs, indicator, Decimal("5"))
    f.ProjectFactory(compounds=[CompoundFactory()], year=timezone.localdate().year)
    return district, mine, theirs


def _outputs(body) -> dict[str, str]:
    return {o["code"]: o["total"] for o in body["outputs"]}


def test_the_district_office_sees_every_projects_figures(two_communities):
    district, *_ = two_communities
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/").json()
    assert (body["compounds_planned"], body["compounds_completed"], _outputs(body)["TPARKS"]) == (
        3,
        2,
        "7.00",
    )


def test_a_community_users_figures_count_only_its_projects(two_communities):
    _, mine, _ = two_communities
    user = f.user_with_role(Role.COMMUNITY, community=mine.community)
    body = client_for(user).get("/api/v1/indicators/").json()
    assert (
        body["compounds_planned"],
        body["households_benefited"],
        body["people_benefited"],
        _outputs(body)["TPARKS"],
    ) == (1, 1, 1, "2.00")


def test_rates_are_strings_with_four_places(two_communities):
    district, *_ = two_communities
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/").json()
    assert (body["start_rate"], body["completion_rate"]) == ("0.6667", "1.0000")


def test_narrowing_to_a_community_counts_only_its_compounds(two_communities):
    district, _, theirs = two_communities
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/", {"community": theirs.community_id}).json()
    assert (body["compounds_planned"], _outputs(body)["TPARKS"]) == (1, "5.00")


def test_narrowing_to_a_zone_counts_only_its_projects(two_communities):
    district, mine, _ = two_communities
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/", {"zone": mine.zone_id}).json()
    assert body["compounds_planned"] == 1


def test_a_year_without_projects_has_no_rates(two_communities):
    district, *_ = two_communities
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/", {"year": 2001}).json()
    assert (body["compounds_planned"], body["start_rate"]) == (0, None)


def test_stage_record_dates_decide_whether_a_completion_falls_in_the_period(two_communities):
    district, mine, _ = two_communities
    StageRecord.objects.filter(project__compounds=mine, stage=Stage.COMPLETED).update(
        actual_start=D(2020, 6, 1)
    )
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get(
        "/api/v1/indicators/", {"period_start": "2020-06-01", "period_end": "2020-06-30"}
    )
    assert body.json()["compounds_completed_in_period"] == 1


def test_investment_completion_uses_the_funding_lines(db):
    district = DistrictFactory()
    project = f.ProjectFactory(year=timezone.localdate().year)
    services.set_funding(
        project=project,
        source=FundingSource.DISTRICT,
        planned=Decimal("400.00"),
        allocated=Decimal("200.00"),
        disbursed=Decimal("100.00"),
    )
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    body = client_for(office).get("/api/v1/indicators/").json()
    assert (body["disbursed_investment"], body["investment_completion"]) == ("100.00", "0.2500")


def test_a_half_given_period_is_refused_in_both_languages(db):
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=DistrictFactory())
    response = client_for(office).get("/api/v1/indicators/", {"period_start": "2025-01-01"})
    assert response.status_code == 400
    assert "give both period_start and period_end" in str(response.json())


def test_a_period_ending_before_it_starts_is_a_bad_request(db):
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=DistrictFactory())
    response = client_for(office).get(
        "/api/v1/indicators/", {"period_start": "2025-02-01", "period_end": "2025-01-01"}
    )
    assert response.status_code == 400


def test_anonymous_callers_are_refused(db):
    assert APIClient().get("/api/v1/indicators/").status_code in (401, 403)


def test_indicators_cost_a_bounded_number_of_queries(
    two_communities, django_assert_max_num_queries
):
    district, *_ = two_communities
    for _ in range(5):
        _complete_with_output(CompoundFactory(), f.OutputIndicatorFactory(), Decimal("1"))
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    client = client_for(office)
    # Role assignments (scope), projects, compound links, compound counts, stage records,
    # transitions, outputs, indicator codes, indicator names.
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/indicators/")
    assert response.json()["compounds_completed"] == 7
