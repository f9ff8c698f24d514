"""Browsing the registry: district -> ... -> dwelling pages, and the compound search."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.core.crypto import reveal
from linli.registry.models import RenovationStatus, SaleStatus
from linli.registry.selectors import stairwell_floors
from linli.registry.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    DwellingFactory,
    HouseholdFactory,
    OwnerFactory,
    OwnershipFactory,
    ResidentFactory,
    StairwellFactory,
    SubdistrictFactory,
    ZoneFactory,
)
from linli.registry.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client):
    # District office staff: the whole (factory) district is in their jurisdiction.
    client.force_login(user_with_role(Role.DISTRICT_OFFICE, "clerk", district=DistrictFactory()))
    return client


@pytest.fixture
def dwelling():
    """A dwelling deep in the hierarchy, with an owner and a household of two."""
    compound = CompoundFactory(name="道南路3号院", code="XG0301")
    building = BuildingFactory(compound=compound, number="5", storeys=6)
    stairwell = StairwellFactory(building=building, number="2")
    dwelling = DwellingFactory(stairwell=stairwell, floor=3, number="301", area=Decimal("68.40"))
    OwnershipFactory(dwelling=dwelling, owner=OwnerFactory(name="张建国"))
    household = HouseholdFactory(dwelling=dwelling, head_name="张建国")
    ResidentFactory(household=household)
    ResidentFactory(household=household)
    return dwelling


def page(client, name: str, *args: object, **params: object) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def names_listed(client, **params: object) -> set[str]:
    response = client.get(reverse("registry:compound_list"), params)
    return {compound.name for compound in response.context["compounds"]}


# --- login --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, needs_pk",
    [
        ("registry:district_list", False),
        ("registry:district_detail", True),
        ("registry:subdistrict_detail", True),
        ("registry:community_detail", True),
        ("registry:compound_list", False),
        ("registry:compound_detail", True),
        ("registry:building_detail", True),
        ("registry:stairwell_detail", True),
        ("registry:dwelling_detail", True),
    ],
)
def test_anonymous_visitor_is_sent_to_login(client, name, needs_pk):
    response = client.get(reverse(name, args=[1] if needs_pk else []))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- the hierarchy ------------------------------------------------------------------------


def test_district_list_links_each_district_with_its_counts(client_in):
    district = DistrictFactory()
    CompoundFactory(community=CommunityFactory(subdistrict=SubdistrictFactory(district=district)))
    response = client_in.get(reverse("registry:district_list"))
    row = response.context["districts"][0]
    assert (row.subdistrict_count, row.compound_count) == (1, 1)
    assert reverse("registry:district_detail", args=[district.pk]) in response.content.decode()


def test_district_page_lists_its_sub_districts_with_counts(client_in):
    subdistrict = SubdistrictFactory(name="金谷园路街道")
    community = CommunityFactory(subdistrict=subdistrict)
    CompoundFactory(
        community=community, renovation_status=RenovationStatus.RENOVATED, renovated_year=2021
    )
    CompoundFactory(community=community)
    response = client_in.get(reverse("registry:district_detail", args=[subdistrict.district_id]))
    row = response.context["subdistricts"][0]
    assert (row.name, row.community_count, row.compound_count, row.renovated_count) == (
        "金谷园路街道",
        1,
        2,
        1,
    )


def test_sub_district_page_lists_its_communities(client_in):
    community = CommunityFactory(name="春都社区")
    CommunityFactory(name="别处社区")
    html = page(client_in, "registry:subdistrict_detail", community.subdistrict_id)
    assert "春都社区" in html and "别处社区" not in html


def test_community_page_lists_its_compounds(client_in):
    compound = CompoundFactory(name="芳林北路7号院")
    CompoundFactory(name="别处的院")
    html = page(client_in, "registry:community_detail", compound.community_id)
    assert "芳林北路7号院" in html and "别处的院" not in html


def test_compound_page_shows_buildings_with_storeys_stairwells_and_elevator(client_in):
    building = BuildingFactory(number="8", storeys=7, has_elevator=True)
    StairwellFactory(building=building)
    StairwellFactory(building=building)
    response = client_in.get(reverse("registry:compound_detail", args=[building.compound_id]))
    row = response.context["buildings"][0]
    assert (row.storeys, row.stairwell_count, row.has_elevator) == (7, 2, True)


def test_compound_page_shows_its_counts(client_in, dwelling):
    compound = dwelling.stairwell.building.compound
    response = client_in.get(reverse("registry:compound_detail", args=[compound.pk]))
    shown = response.context["object"]
    assert (shown.building_count, shown.dwelling_count, shown.household_count) == (1, 1, 1)
    assert shown.people_count == 2


def test_compound_page_has_a_mini_map_when_it_has_coordinates(client_in):
    compound = CompoundFactory()
    html = page(client_in, "registry:compound_detail", compound.pk)
    assert 'id="map-config"' in html and "leaflet.js" in html


def test_compound_page_has_no_map_without_coordinates(client_in):
    compound = CompoundFactory(longitude=None, latitude=None)
    html = page(client_in, "registry:compound_detail", compound.pk)
    assert "leaflet.js" not in html


def test_building_page_lists_stairwells_with_dwelling_counts(client_in):
    stairwell = StairwellFactory(number="3")
    DwellingFactory(stairwell=stairwell)
    DwellingFactory(stairwell=stairwell, floor=2)
    response = client_in.get(reverse("registry:building_detail", args=[stairwell.building_id]))
    assert [(s.number, s.dwelling_count) for s in response.context["stairwells"]] == [("3", 2)]


def test_stairwell_floors_run_from_the_top_floor_down():
    stairwell = StairwellFactory()
    for floor, number in [(1, "101"), (2, "202"), (2, "201"), (6, "601")]:
        DwellingFactory(stairwell=stairwell, floor=floor, number=number)
    floors = [(row.floor, [d.number for d in row.dwellings]) for row in stairwell_floors(stairwell)]
    assert floors == [(6, ["601"]), (2, ["201", "202"]), (1, ["101"])]


def test_stairwell_page_shows_number_area_sale_status_and_owner(client_in, dwelling):
    DwellingFactory(stairwell=dwelling.stairwell, floor=4, sale_status=SaleStatus.UNSOLD)
    html = page(client_in, "registry:stairwell_detail", dwelling.stairwell_id)
    assert "301" in html and "68.40" in html and "张建国" in html
    assert "开发商未售" in html


def test_stairwell_page_queries_do_not_grow_with_dwellings(
    client_in, django_assert_max_num_queries
):
    stairwell = StairwellFactory()
    for floor in range(1, 7):
        for unit in (1, 2):
            dwelling = DwellingFactory(stairwell=stairwell, floor=floor, number=f"{floor}0{unit}")
            OwnershipFactory(dwelling=dwelling)
            OwnershipFactory(dwelling=dwelling)
    with django_assert_max_num_queries(6):
        page(client_in, "registry:stairwell_detail", stairwell.pk)


def test_dwelling_page_shows_owners_households_and_resident_count(client_in, dwelling):
    response = client_in.get(reverse("registry:dwelling_detail", args=[dwelling.pk]))
    html = response.content.decode()
    assert response.context["resident_count"] == 2
    assert "张建国" in html and "data-resident-count>2<" in html


def test_dwelling_page_does_not_show_owner_id_numbers_or_phones(client_in, dwelling):
    owner = dwelling.owners.get()
    html = page(client_in, "registry:dwelling_detail", dwelling.pk)
    assert reveal(owner.id_number) not in html and reveal(owner.phone) not in html


def test_missing_object_is_a_404(client_in):
    assert client_in.get(reverse("registry:compound_detail", args=[999])).status_code == 404


# --- breadcrumbs --------------------------------------------------------------------------


def test_dwelling_breadcrumb_walks_the_whole_hierarchy(client_in, dwelling):
    response = client_in.get(reverse("registry:dwelling_detail", args=[dwelling.pk]))
    compound = dwelling.stairwell.building.compound
    labels = [crumb.label for crumb in response.context["breadcrumbs"]]
    assert labels == [
        "区划",
        "西工区",
        compound.community.subdistrict.name,
        compound.community.name,
        "道南路3号院",
        "5号楼",
        "2单元",
        "301室",
    ]


def test_breadcrumb_links_every_step_but_the_current_page(client_in, dwelling):
    response = client_in.get(reverse("registry:stairwell_detail", args=[dwelling.stairwell_id]))
    crumbs = response.context["breadcrumbs"]
    assert all(crumb.url for crumb in crumbs[:-1]) and crumbs[-1].url is None


@pytest.mark.parametrize(
    "name",
    ["registry:district_list", "registry:compound_list"],
)
def test_list_pages_carry_a_breadcrumb(client_in, name):
    assert 'class="breadcrumb"' in page(client_in, name)


# --- compound list: search, filters, paging, queries ------------------------------------


def test_search_finds_a_compound_by_name(client_in):
    CompoundFactory(name="凯旋东路12号院")
    CompoundFactory(name="汉屯路5号院")
    assert names_listed(client_in, q="凯旋") == {"凯旋东路12号院"}


def test_search_finds_a_compound_by_code(client_in):
    CompoundFactory(name="甲", code="XG-0042")
    CompoundFactory(name="乙", code="XG-0099")
    assert names_listed(client_in, q="0042") == {"甲"}


def test_search_finds_a_compound_by_address(client_in):
    CompoundFactory(name="甲", address="道南路18号")
    CompoundFactory(name="乙", address="芳林北路2号")
    assert names_listed(client_in, q="道南路") == {"甲"}


def test_filter_by_sub_district(client_in):
    wanted = CompoundFactory(name="甲")
    CompoundFactory(name="乙")
    assert names_listed(client_in, subdistrict=wanted.community.subdistrict_id) == {"甲"}


def test_filter_by_community(client_in):
    wanted = CompoundFactory(name="甲")
    CompoundFactory(name="乙")
    assert names_listed(client_in, community=wanted.community_id) == {"甲"}


def test_filter_by_zone(client_in):
    zone = ZoneFactory()
    CompoundFactory(name="甲", zone=zone)
    CompoundFactory(name="乙")
    assert names_listed(client_in, zone=zone.pk) == {"甲"}


def test_filter_by_renovation_status(client_in):
    CompoundFactory(name="甲", renovation_status=RenovationStatus.IN_PROGRESS)
    CompoundFactory(name="乙", renovation_status=RenovationStatus.PLANNED)
    assert names_listed(client_in, status=RenovationStatus.IN_PROGRESS) == {"甲"}


def test_filter_by_year_built_range_includes_both_ends(client_in):
    for name, year in [("早", 1979), ("始", 1980), ("终", 1989), ("晚", 1990)]:
        CompoundFactory(name=name, year_built=year)
    assert names_listed(client_in, year_built_min=1980, year_built_max=1989) == {"始", "终"}


def test_invalid_filter_lists_nothing_and_says_why(client_in):
    CompoundFactory()
    response = client_in.get(reverse("registry:compound_list"), {"status": "bogus"})
    assert list(response.context["compounds"]) == []
    assert 'class="form-errors"' in response.content.decode()


def test_compound_list_is_paginated_by_fifty(client_in):
    CompoundFactory.create_batch(PAGE_SIZE + 1)
    first = client_in.get(reverse("registry:compound_list"))
    second = client_in.get(reverse("registry:compound_list"), {"page": 2})
    assert (len(first.context["compounds"]), len(second.context["compounds"])) == (PAGE_SIZE, 1)


def test_next_page_link_keeps_the_search(client_in):
    CompoundFactory.create_batch(PAGE_SIZE + 1, address="道南路")
    html = page(client_in, "registry:compound_list", q="道南路")
    assert "?q=%E9%81%93%E5%8D%97%E8%B7%AF&amp;page=2" in html


def test_compound_list_queries_do_not_grow_with_rows(client_in, django_assert_max_num_queries):
    for _ in range(30):
        HouseholdFactory(dwelling=DwellingFactory(stairwell=StairwellFactory()))
    # session, user, role assignments (scope), count, rows, three filter drop-downs
    with django_assert_max_num_queries(8):
        page(client_in, "registry:compound_list")


def test_community_page_queries_do_not_grow_with_compounds(
    client_in, django_assert_max_num_queries
):
    community = CommunityFactory()
    for _ in range(20):
        BuildingFactory(compound=CompoundFactory(community=community))
    with django_assert_max_num_queries(6):
        page(client_in, "registry:community_detail", community.pk)


def test_compound_page_queries_do_not_grow_with_buildings(client_in, django_assert_max_num_queries):
    compound = CompoundFactory()
    for _ in range(20):
        StairwellFactory(building=BuildingFactory(compound=compound))
    with django_assert_max_num_queries(6):
        page(client_in, "registry:compound_detail", compound.pk)


def test_district_page_queries_do_not_grow_with_sub_districts(
    client_in, django_assert_max_num_queries
):
    district = DistrictFactory()
    for _ in range(10):
        CompoundFactory(
            community=CommunityFactory(subdistrict=SubdistrictFactory(district=district))
        )
    with django_assert_max_num_queries(6):
        page(client_in, "registry:district_detail", district.pk)
