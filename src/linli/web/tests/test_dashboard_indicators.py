"""The dashboard's programme indicators: the figures equal the API's selector for the user's
scope and period, the scope picker offers only places the user holds, the breakdowns per
year, sub-district and zone, the charts' data, and a bounded number of queries."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.registry.models import Dwelling
from linli.registry.tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    HouseholdFactory,
    ResidentFactory,
    SubdistrictFactory,
    ZoneFactory,
)
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import FundingSource, OutputIndicator, Project
from linli.renewal.selectors import indicators_for
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
FIGURES = [
    "compounds_planned",
    "compounds_started",
    "compounds_completed",
    "start_rate",
    "completion_rate",
    "households_benefited",
    "people_benefited",
    "planned_investment",
    "disbursed_investment",
    "investment_completion",
]


def completed_project(compound, *, year: int = THIS_YEAR, output: Decimal | None = None):
    """A project of ``compound`` taken to completion, its item feeding the parks indicator."""
    project = f.project_ready_for(Stage.COMPLETED, compounds=[compound], year=year)
    if output is not None:
        project_item = project.items.get()
        project_item.item.indicator = OutputIndicator.objects.get(code="TPARKS")
        project_item.item.save()
        services.update_item(project_item=project_item, output_quantity=output)
    return project


@pytest.fixture
def programme(db):
    """Two sub-districts of one district: a completed project with an output and people in
    each of two communities, a project just applied for, and one funded project."""
    district = DistrictFactory()
    f.OutputIndicatorFactory(code="TPARKS", name="测试游园")
    north = CommunityFactory(subdistrict=SubdistrictFactory(district=district, name="北街道"))
    south = CommunityFactory(subdistrict=SubdistrictFactory(district=district, name="南街道"))
    mine = CompoundFactory(community=north)
    theirs = CompoundFactory(community=south)
    for compound in (mine, theirs):
        ResidentFactory(
            household=HouseholdFactory(dwelling__stairwell__building__compound=compound)
        )
    completed_project(mine, output=Decimal("2"))
    completed_project(theirs, output=Decimal("5"))
    funded = f.ProjectFactory(compounds=[CompoundFactory(community=north)], year=THIS_YEAR)
    services.set_funding(
        project=funded,
        source=FundingSource.DISTRICT,
        planned=Decimal("400.00"),
        allocated=Decimal("200.00"),
        disbursed=Decimal("100.00"),
    )
    return {"district": district, "north": north, "south": south, "mine": mine}


def office_of(district):
    return f.user_with_role(Role.DISTRICT_OFFICE, district=district)


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("web:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def shown(html: str) -> dict[str, str]:
    """Each indicator card's ``data-value``."""
    return dict(re.findall(r'data-indicator="(\w+)" data-value="([^"]*)"', html))


def expected(figures) -> dict[str, str]:
    return {
        name: "" if getattr(figures, name) is None else str(getattr(figures, name))
        for name in FIGURES
    }


def this_year() -> dict[str, datetime.date]:
    return {
        "period_start": datetime.date(THIS_YEAR, 1, 1),
        "period_end": datetime.date(THIS_YEAR, 12, 31),
    }


def scope_options(html: str) -> list[str]:
    select = re.search(r'<select name="scope".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def table_rows(html: str, table_id: str) -> dict[str, tuple[int, int, int]]:
    table = re.search(rf'<table class="data" id="{table_id}">.*?</table>', html, re.S)
    assert table is not None
    return {
        label: (int(planned), int(started), int(completed))
        for label, planned, started, completed in re.findall(
            r'data-group="([^"]*)" data-planned="(\d+)" data-started="(\d+)" '
            r'data-completed="(\d+)"',
            table.group(0),
        )
    }


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))


# --- figures ---------------------------------------------------------------------------------


def test_a_district_user_sees_this_years_figures_of_the_whole_district(client, programme):
    office = office_of(programme["district"])
    html = page(client, office)
    assert shown(html) == expected(indicators_for(office, **this_year()))
    assert shown(html)["compounds_planned"] == "3"


def test_a_community_user_sees_the_figures_of_its_community_only(client, programme):
    user = f.user_with_role(Role.COMMUNITY, community=programme["south"])
    html = page(client, user)
    assert shown(html) == expected(indicators_for(user, **this_year()))
    assert shown(html)["compounds_planned"] == "1"


def test_picking_a_community_shows_that_communitys_figures(client, programme):
    office = office_of(programme["district"])
    north = programme["north"]
    html = page(client, office, scope=f"community:{north.pk}")
    assert shown(html) == expected(indicators_for(office, community=north.pk, **this_year()))
    assert shown(html)["compounds_planned"] == "2"


def test_picking_a_zone_shows_that_zones_figures(client, programme):
    office = office_of(programme["district"])
    zone = programme["mine"].zone
    html = page(client, office, scope=f"zone:{zone.pk}")
    assert shown(html) == expected(indicators_for(office, zone=zone.pk, **this_year()))


def test_a_start_and_end_date_choose_the_period(client, programme):
    office = office_of(programme["district"])
    start, end = datetime.date(THIS_YEAR - 1, 7, 1), datetime.date(THIS_YEAR, 6, 30)
    html = page(client, office, period_start=start.isoformat(), period_end=end.isoformat())
    assert shown(html) == expected(indicators_for(office, period_start=start, period_end=end))
    assert f'data-period="{start.isoformat()}/{end.isoformat()}"' in html


def test_dates_sent_with_the_year_select_win_over_the_year(client, programme):
    office = office_of(programme["district"])
    start, end = datetime.date(THIS_YEAR, 3, 1), datetime.date(THIS_YEAR, 3, 31)
    html = page(
        client, office, year=THIS_YEAR, period_start=start.isoformat(), period_end=end.isoformat()
    )
    assert shown(html) == expected(indicators_for(office, period_start=start, period_end=end))
    assert '<option value="" selected>按起止日期</option>' in html


def test_a_past_year_without_projects_shows_zeros_and_no_rates(client, programme):
    html = page(client, office_of(programme["district"]), year=2019)
    assert (shown(html)["compounds_planned"], shown(html)["start_rate"]) == ("0", "")
    assert "统计期:2019 年度" in html


def test_every_output_indicator_is_listed_with_its_total(client, programme):
    html = page(client, office_of(programme["district"]))
    assert 'data-output="TPARKS" data-value="7.00"' in html
    for code in OutputIndicator.objects.values_list("code", flat=True):
        assert f'data-output="{code}"' in html


# --- the scope picker ------------------------------------------------------------------------


def test_a_community_users_picker_offers_only_its_community(client, programme):
    community = programme["south"]
    user = f.user_with_role(Role.COMMUNITY, community=community)
    assert scope_options(page(client, user)) == ["", f"community:{community.pk}"]


def test_a_district_users_picker_offers_every_place_of_the_district(client, programme):
    html = page(client, office_of(programme["district"]))
    district = programme["district"]
    offered = set(scope_options(html)) - {""}
    assert offered == (
        {f"zone:{pk}" for pk in district.zones.values_list("pk", flat=True)}
        | {f"subdistrict:{pk}" for pk in district.subdistricts.values_list("pk", flat=True)}
        | {f"community:{c.pk}" for c in (programme["north"], programme["south"])}
    )


def test_a_sub_district_offices_picker_offers_it_and_its_communities_only(client, programme):
    north = programme["north"]
    user = f.user_with_role(Role.SUBDISTRICT_OFFICE, subdistrict=north.subdistrict)
    assert scope_options(page(client, user)) == [
        "",
        f"subdistrict:{north.subdistrict_id}",
        f"community:{north.pk}",
    ]


def test_a_zone_leads_picker_offers_only_its_zone(client, programme):
    zone = programme["mine"].zone
    user = f.user_with_role(Role.ZONE_LEAD, zone=zone)
    assert scope_options(page(client, user)) == ["", f"zone:{zone.pk}"]


def test_a_place_outside_the_users_jurisdiction_is_not_found(client, programme):
    user = f.user_with_role(Role.COMMUNITY, community=programme["south"])
    client.force_login(user)
    other = programme["north"]
    response = client.get(reverse("web:dashboard"), {"scope": f"community:{other.pk}"})
    assert response.status_code == 404


def test_the_sub_district_around_a_community_users_community_is_not_offered_nor_accepted(
    client, programme
):
    # Visible for breadcrumbs, but the community user does not hold all of it.
    user = f.user_with_role(Role.COMMUNITY, community=programme["south"])
    client.force_login(user)
    parent = programme["south"].subdistrict_id
    response = client.get(reverse("web:dashboard"), {"scope": f"subdistrict:{parent}"})
    assert response.status_code == 404


def test_a_malformed_scope_is_explained_and_the_default_figures_shown(client, programme):
    office = office_of(programme["district"])
    html = page(client, office, scope="everywhere")
    assert "范围无效" in html
    assert shown(html) == expected(indicators_for(office, **this_year()))


def test_half_a_period_is_explained(client, programme):
    html = page(client, office_of(programme["district"]), period_start=f"{THIS_YEAR}-01-01")
    assert "请同时填写开始日期和结束日期" in html


def test_a_period_ending_before_it_starts_is_explained(client, programme):
    html = page(
        client,
        office_of(programme["district"]),
        period_start=f"{THIS_YEAR}-03-01",
        period_end=f"{THIS_YEAR}-02-01",
    )
    assert "结束日期早于开始日期" in html


# --- breakdowns ------------------------------------------------------------------------------


def test_each_programme_year_from_2019_has_a_row_with_its_cohort(client, programme):
    completed_project(CompoundFactory(community=programme["north"]), year=2021)
    html = page(client, office_of(programme["district"]))
    rows = table_rows(html, "table-years")
    assert list(rows) == [str(y) for y in range(2019, THIS_YEAR + 1)]
    assert rows["2021"] == (1, 1, 1)
    assert rows["2020"] == (0, 0, 0)
    assert rows[str(THIS_YEAR)] == (3, 2, 2)


def test_each_sub_district_row_equals_the_figures_narrowed_to_it(client, programme):
    office = office_of(programme["district"])
    rows = table_rows(page(client, office), "table-subdistricts")
    for community in (programme["north"], programme["south"]):
        figures = indicators_for(office, subdistrict=community.subdistrict_id, **this_year())
        name = community.subdistrict.name
        assert rows[name] == (
            figures.compounds_planned,
            figures.compounds_started,
            figures.compounds_completed,
        )


def test_each_zone_row_equals_the_figures_narrowed_to_it(client, programme):
    office = office_of(programme["district"])
    rows = table_rows(page(client, office), "table-zones")
    zones = {p.zone for p in Project.objects.select_related("zone")}
    assert len(rows) == len(zones)
    for zone in zones:
        figures = indicators_for(office, zone=zone.pk, **this_year())
        assert rows[zone.name] == (
            figures.compounds_planned,
            figures.compounds_started,
            figures.compounds_completed,
        )


def test_breakdowns_stay_within_the_chosen_place(client, programme):
    office = office_of(programme["district"])
    html = page(client, office, scope=f"subdistrict:{programme['south'].subdistrict_id}")
    assert list(table_rows(html, "table-subdistricts")) == ["南街道"]


# --- the charts' data ------------------------------------------------------------------------


def test_the_chart_data_holds_the_tables_figures_with_decimals_as_strings(client, programme):
    html = page(client, office_of(programme["district"]))
    data = chart_data(html)
    years = data["years"]
    here = years["categories"].index(str(THIS_YEAR))
    assert (years["planned"][here], years["completed"][here]) == (3, 2)
    assert years["completionRate"][here] == "100.0"
    assert data["outputs"]["values"][data["outputs"]["categories"].index("测试游园(个)")] == "7.00"
    assert data["investment"] == {"planned": "0.04", "disbursed": "0.01"}


def test_the_page_loads_echarts_and_its_script_from_our_own_static_files(client, programme):
    html = page(client, office_of(programme["district"]))
    assert '<script src="/static/vendor/echarts/echarts.min.js">' in html
    assert '<script src="/static/web/dashboard.js">' in html
    for chart in ["years", "subdistricts", "zones", "outputs", "investment"]:
        assert f'id="chart-{chart}"' in html


# --- who sees it -----------------------------------------------------------------------------


def test_a_user_without_a_role_sees_the_registry_figures_only(client, programme):
    html = page(client, f.UserFactory())
    assert 'data-figure="compounds"' in html
    assert "dashboard-data" not in html and "echarts" not in html


def test_a_resident_does_not_see_the_ledgers_figures(client, programme):
    dwelling = Dwelling.objects.filter(stairwell__building__compound=programme["mine"]).first()
    resident = f.user_with_role(Role.RESIDENT, dwelling=dwelling)
    html = page(client, resident)
    assert "data-indicator" not in html


# --- cost ------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_many_projects_as_for_few(
    client, programme, django_assert_num_queries, django_assert_max_num_queries
):
    office = office_of(programme["district"])
    client.force_login(office)
    url = reverse("web:dashboard")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    zones = [ZoneFactory(district=programme["district"]) for _ in range(3)]
    for i in range(12):
        community = CommunityFactory(subdistrict=SubdistrictFactory(district=programme["district"]))
        compound = CompoundFactory(community=community, zone=zones[i % 3])
        completed_project(compound, year=2019 + i % 5, output=Decimal("1"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
    # Session, user, scope (3); registry figures and table (7); picker zones, sub-districts,
    # communities (3); indicator rows (6); output catalogue; compounds' sub-districts;
    # sub-district and zone names (4).
    with django_assert_max_num_queries(23):
        client.get(url)
