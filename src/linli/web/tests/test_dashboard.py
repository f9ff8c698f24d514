"""The dashboard: headline figures computed from the registry, the page, login and language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.registry.models import Compound, RenovationStatus
from linli.registry.selectors import DashboardFigures, dashboard_figures, subdistrict_figures
from linli.registry.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    DwellingFactory,
    HouseholdFactory,
    ResidentFactory,
    StairwellFactory,
    SubdistrictFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

RENOVATED = RenovationStatus.RENOVATED


def renovated_compound(**kwargs: object) -> Compound:
    return CompoundFactory(renovation_status=RENOVATED, renovated_year=2022, **kwargs)


def household_with_residents(compound: Compound, residents: int) -> None:
    dwelling = DwellingFactory(
        stairwell=StairwellFactory(building=BuildingFactory(compound=compound))
    )
    household = HouseholdFactory(dwelling=dwelling)
    for _ in range(residents):
        ResidentFactory(household=household)


@pytest.fixture
def user(db):
    # District office staff: the whole (factory) district is in their jurisdiction.
    clerk = user_with_role(Role.DISTRICT_OFFICE, "clerk", district=DistrictFactory())
    clerk.set_password("a-long-password-1")
    clerk.save()
    return clerk


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def test_an_empty_registry_has_all_figures_zero():
    assert dashboard_figures() == DashboardFigures(0, 0, 0, 0, 0, 0, 0)


def test_compounds_and_renovated_compounds_are_counted_by_status():
    renovated_compound()
    renovated_compound()
    CompoundFactory(renovation_status=RenovationStatus.IN_PROGRESS)
    CompoundFactory(renovation_status=RenovationStatus.PLANNED)
    figures = dashboard_figures()
    assert (figures.compounds, figures.renovated_compounds) == (4, 2)


def test_every_zone_counts_even_one_without_compounds():
    zone = ZoneFactory()
    CompoundFactory(zone=zone)
    CompoundFactory(zone=zone)
    ZoneFactory()
    assert dashboard_figures().zones == 2


def test_only_households_and_people_of_renovated_compounds_benefit():
    done = renovated_compound()
    household_with_residents(done, residents=3)
    household_with_residents(done, residents=2)
    household_with_residents(CompoundFactory(renovation_status=RenovationStatus.IN_PROGRESS), 4)
    figures = dashboard_figures()
    assert (figures.households_benefited, figures.people_benefited) == (2, 5)


def test_buildings_and_dwellings_are_counted_across_all_compounds():
    stairwell = StairwellFactory(building=BuildingFactory(compound=CompoundFactory()))
    DwellingFactory(stairwell=stairwell)
    DwellingFactory(stairwell=stairwell)
    BuildingFactory(compound=renovated_compound())
    figures = dashboard_figures()
    assert (figures.buildings, figures.dwellings) == (2, 2)


def test_figures_are_limited_to_the_users_jurisdiction():
    mine = SubdistrictFactory()
    inside = renovated_compound(community=CommunityFactory(subdistrict=mine))
    household_with_residents(inside, residents=2)
    household_with_residents(renovated_compound(), residents=7)
    officer = user_with_role(Role.SUBDISTRICT_OFFICE, subdistrict=mine)
    figures = dashboard_figures(officer)
    assert figures == DashboardFigures(
        compounds=1,
        zones=1,
        renovated_compounds=1,
        households_benefited=1,
        people_benefited=2,
        buildings=1,
        dwellings=1,
    )


def test_dashboard_figures_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(5):
        household_with_residents(renovated_compound(), residents=3)
    with django_assert_max_num_queries(6):
        dashboard_figures()


def test_renovated_percent_is_zero_without_compounds():
    assert DashboardFigures(0, 0, 0, 0, 0, 0, 0).renovated_percent == 0


def test_renovated_percent_rounds_to_a_whole_number():
    assert DashboardFigures(3, 1, 1, 0, 0, 0, 0).renovated_percent == 33


def test_sub_district_table_counts_each_sub_district_separately():
    north, south = SubdistrictFactory(name="北"), SubdistrictFactory(name="南")
    done = renovated_compound(community=CommunityFactory(subdistrict=north))
    household_with_residents(done, residents=2)
    household_with_residents(done, residents=1)
    CompoundFactory(community=CommunityFactory(subdistrict=north))
    CompoundFactory(community=CommunityFactory(subdistrict=south))
    rows = {row.name: row for row in subdistrict_figures()}
    assert (rows["北"].compounds, rows["北"].renovated_compounds) == (2, 1)
    assert (rows["北"].households_benefited, rows["北"].people_benefited) == (2, 3)
    assert (rows["南"].compounds, rows["南"].households_benefited) == (1, 0)


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_dashboard_shows_each_figure_with_its_value(client_in):
    renovated_compound()
    household_with_residents(renovated_compound(), residents=4)
    CompoundFactory()
    html = client_in.get(reverse("web:dashboard")).content.decode()
    for name, value in [
        ("compounds", 3),
        ("renovated_compounds", 2),
        ("households_benefited", 1),
        ("people_benefited", 4),
    ]:
        assert f'data-figure="{name}" data-value="{value}"' in html


def test_dashboard_labels_the_figures_in_chinese(client_in):
    html = client_in.get(reverse("web:dashboard")).content.decode()
    for label in ["小区总数", "片区", "已改造小区", "受益户数", "受益人数"]:
        assert label in html


def test_dashboard_lists_every_sub_district(client_in):
    SubdistrictFactory(name="王城路街道")
    SubdistrictFactory(name="唐宫路街道")
    html = client_in.get(reverse("web:dashboard")).content.decode()
    assert "王城路街道" in html and "唐宫路街道" in html


def test_dashboard_page_takes_a_bounded_number_of_queries(client_in, django_assert_max_num_queries):
    for _ in range(4):
        household_with_residents(
            renovated_compound(community=CommunityFactory(subdistrict=SubdistrictFactory())), 2
        )
    # session + user + role assignments (scope) + six figures + the sub-district table (10),
    # then the programme indicators a district clerk also sees (test_dashboard_indicators.py).
    with django_assert_max_num_queries(23):
        client_in.get(reverse("web:dashboard"))


def test_page_is_chinese_by_default(client_in):
    html = client_in.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="zh-hans">' in html


def test_language_switch_turns_the_page_english(client_in):
    client_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client_in.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="en">' in html
    assert "Total compounds" in html


def test_staff_see_the_admin_link(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert 'href="/admin/"' in client.get(reverse("web:dashboard")).content.decode()


def test_non_staff_users_do_not_see_the_admin_link(client_in):
    assert 'href="/admin/"' not in client_in.get(reverse("web:dashboard")).content.decode()


def test_logging_out_is_a_post_that_ends_the_session(client_in):
    response = client_in.post(reverse("logout"))
    assert response.status_code == 302
    assert client_in.get(reverse("web:dashboard")).status_code == 302


def test_logging_in_through_the_form_lands_on_the_dashboard(client, user):
    response = client.post(
        reverse("login"), {"username": "clerk", "password": "a-long-password-1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert 'data-figure="compounds"' in response.content.decode()


def test_wrong_password_keeps_you_on_the_login_page(client, user):
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_login_page_offers_the_language_switch(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="language" value="en"' in html
    assert re.search(r'action="/i18n/setlang/"', html)
