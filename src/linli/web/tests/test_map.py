"""The compound map page and its GeoJSON feed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.core.geo import XIGONG_EXTENT
from linli.registry.models import RenovationStatus
from linli.registry.tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

FEED = "web:map_geojson"


@pytest.fixture
def client_in(client):
    # District office staff: the whole (factory) district is in their jurisdiction.
    client.force_login(user_with_role(Role.DISTRICT_OFFICE, "clerk", district=DistrictFactory()))
    return client


def feed(client, **params: object) -> dict:
    response = client.get(reverse(FEED), params)
    assert response.status_code == 200
    return json.loads(response.content)


def names_in(collection: dict) -> set[str]:
    return {feature["properties"]["name"] for feature in collection["features"]}


def map_config(client, **params: object) -> dict:
    response = client.get(reverse("web:map"), params)
    return response.context["map_config"]


# --- the page -----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_map(client):
    response = client.get(reverse("web:map"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_map_page_loads_the_vendored_leaflet(client_in):
    html = client_in.get(reverse("web:map")).content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet/leaflet.css" in html
    assert "/static/web/map.js" in html


def test_map_draws_the_district_extent(client_in):
    assert map_config(client_in)["extent"] == list(XIGONG_EXTENT)


def test_map_has_no_tile_layer_by_default(client_in, settings):
    settings.LINLI_MAP_TILE_URL = ""
    assert map_config(client_in)["tileUrl"] == ""


def test_map_uses_the_configured_tile_server(client_in, settings):
    settings.LINLI_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    settings.LINLI_MAP_TILE_ATTRIBUTION = "西工区测绘"
    config = map_config(client_in)
    assert (config["tileUrl"], config["tileAttribution"]) == (
        "/tiles/{z}/{x}/{y}.png",
        "西工区测绘",
    )


def test_map_passes_its_filters_on_to_the_feed(client_in):
    config = map_config(client_in, status="renovated", zone="3")
    assert config["dataUrl"] == reverse(FEED) + "?status=renovated&zone=3"


def test_map_legend_lists_every_renovation_status(client_in):
    values = [status["value"] for status in map_config(client_in)["statuses"]]
    assert values == list(RenovationStatus.values)


def test_every_status_has_a_colour_in_the_stylesheet():
    found = finders.find("web/linli.css")
    assert isinstance(found, str)
    css = Path(found).read_text(encoding="utf-8")
    for status in RenovationStatus.values:
        assert f"--status-{status}:" in css


# --- the feed -----------------------------------------------------------------------------


def test_feed_needs_a_login_and_answers_json(client):
    response = client.get(reverse(FEED))
    assert response.status_code == 403
    assert "detail" in json.loads(response.content)


def test_feed_is_geojson(client_in):
    response = client_in.get(reverse(FEED))
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content)["type"] == "FeatureCollection"


def test_feature_is_a_wgs84_point_in_lon_lat_order(client_in):
    CompoundFactory(longitude=Decimal("112.433100"), latitude=Decimal("34.672200"))
    geometry = feed(client_in)["features"][0]["geometry"]
    assert geometry == {"type": "Point", "coordinates": [112.4331, 34.6722]}


def test_feature_links_to_the_compound_page(client_in):
    compound = CompoundFactory()
    properties = feed(client_in)["features"][0]["properties"]
    assert properties["url"] == reverse("registry:compound_detail", args=[compound.pk])


def test_feature_carries_status_and_its_chinese_label(client_in):
    CompoundFactory(renovation_status=RenovationStatus.IN_PROGRESS)
    properties = feed(client_in)["features"][0]["properties"]
    assert (properties["status"], properties["status_label"]) == ("in_progress", "改造中")


def test_compounds_without_coordinates_are_left_out_and_counted(client_in):
    CompoundFactory(name="有坐标")
    CompoundFactory(name="无坐标", longitude=None, latitude=None)
    collection = feed(client_in)
    assert names_in(collection) == {"有坐标"}
    assert collection["without_coordinates"] == 1


def test_feed_filters_by_sub_district(client_in):
    wanted = CompoundFactory(name="甲")
    CompoundFactory(name="乙", community=CommunityFactory())
    assert names_in(feed(client_in, subdistrict=wanted.community.subdistrict_id)) == {"甲"}


def test_feed_filters_by_zone(client_in):
    zone = ZoneFactory()
    CompoundFactory(name="甲", zone=zone)
    CompoundFactory(name="乙")
    assert names_in(feed(client_in, zone=zone.pk)) == {"甲"}


def test_feed_filters_by_status(client_in):
    CompoundFactory(name="甲", renovation_status=RenovationStatus.RENOVATED, renovated_year=2020)
    CompoundFactory(name="乙")
    assert names_in(feed(client_in, status="renovated")) == {"甲"}


def test_unknown_status_is_a_400_that_names_the_filter(client_in):
    response = client_in.get(reverse(FEED), {"status": "demolished"})
    assert response.status_code == 400
    assert "status" in json.loads(response.content)["errors"]


def test_feed_reads_compounds_in_one_query(client_in, django_assert_max_num_queries):
    for _ in range(25):
        CompoundFactory()
    # session, user, the user's role assignments (scope), compounds
    with django_assert_max_num_queries(4):
        client_in.get(reverse(FEED))
