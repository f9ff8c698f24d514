"""The registry REST API: CRUD, model rules as field errors, filters, pagination, auth,
coordinates, GeoJSON, bounded queries, the OpenAPI schema and the self-hosted docs pages."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import models as dj_models
from drf_spectacular.drainage import reset_generator_stats
from drf_spectacular.validation import validate_schema
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.core.api import router
from linli.core.crypto import mask, reveal
from linli.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from linli.core.ids import fake_mobile, fake_resident_id
from linli.registry import models as m
from linli.registry.api import PERSONAL_DATA_FIELDS, BuildingSerializer
from linli.registry.tests import factories as f

pytestmark = pytest.mark.django_db

_rng = random.Random(410303)
#: Registry-app models that are records of a workflow, not registry data, and have no endpoint
#: here (workbook uploads are served by the import pages). Anything else needs an endpoint.
NOT_SERVED = {"RegistryUpload"}
REGISTRY_MODELS = sorted(
    (x for x in apps.get_app_config("registry").get_models() if x.__name__ not in NOT_SERVED),
    key=lambda x: x.__name__,
)
# The registry's endpoints (other apps' endpoints, and aggregates without a queryset, are
# tested by their apps).
PREFIX = {
    viewset.queryset.model: prefix
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "queryset", None) is not None
    and viewset.queryset.model._meta.app_label == "registry"
}
PREFIXES = sorted(PREFIX.values())


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --- CRUD for every model -----------------------------------------------------------------


def _district() -> tuple[dict, dict]:
    return {"code": "410302", "name": "老城区"}, {"name": "老城区(改)"}


def _subdistrict() -> tuple[dict, dict]:
    district = f.DistrictFactory()
    return {"district": district.pk, "code": "410303900", "name": "新街道"}, {"name": "新街道二"}


def _community() -> tuple[dict, dict]:
    sub = f.SubdistrictFactory()
    return {"subdistrict": sub.pk, "code": f"{sub.code}900", "name": "新社区"}, {"name": "新社区二"}


def _zone() -> tuple[dict, dict]:
    return {"district": f.DistrictFactory().pk, "code": "Z99", "name": "第99片区"}, {"name": "九九"}


def _organisation() -> tuple[dict, dict]:
    district = f.DistrictFactory()
    create = {"kind": "property", "name": "洛阳测试物业有限公司", "district": district.pk}
    return create, {"name": "洛阳测试物业服务有限公司"}


def _compound() -> tuple[dict, dict]:
    community = f.CommunityFactory()
    create = {"code": "C900", "name": "道南路9号院", "community": community.pk, "year_built": 1988}
    return create, {"renovation_status": "planned"}


def _building() -> tuple[dict, dict]:
    return {"compound": f.CompoundFactory().pk, "number": "9", "storeys": 6}, {"has_elevator": True}


def _stairwell() -> tuple[dict, dict]:
    return {"building": f.BuildingFactory().pk, "number": "3"}, {"number": "4"}


def _dwelling() -> tuple[dict, dict]:
    create = {"stairwell": f.StairwellFactory().pk, "number": "601", "floor": 6, "area": "88.50"}
    return create, {"sale_status": "unsold"}


def _owner() -> tuple[dict, dict]:
    create = {
        "kind": "person",
        "name": "张三",
        "id_number": fake_resident_id(_rng),
        "phone": fake_mobile(_rng),
    }
    return create, {"name": "张三丰"}


def _ownership() -> tuple[dict, dict]:
    create = {"owner": f.OwnerFactory().pk, "dwelling": f.DwellingFactory().pk, "share": "50.00"}
    return create, {"share": "100.00"}


def _household() -> tuple[dict, dict]:
    return {"dwelling": f.DwellingFactory().pk, "head_name": "李四"}, {"is_owner_occupied": False}


def _resident() -> tuple[dict, dict]:
    create = {
        "household": f.HouseholdFactory().pk,
        "name": "王五",
        "gender": "m",
        "birth_year": 1950,
    }
    return create, {"birth_year": 1951}


PAYLOADS: dict[type[dj_models.Model], Callable[[], tuple[dict, dict]]] = {
    m.District: _district,
    m.Subdistrict: _subdistrict,
    m.Community: _community,
    m.Zone: _zone,
    m.Organisation: _organisation,
    m.Compound: _compound,
    m.Building: _building,
    m.Stairwell: _stairwell,
    m.Dwelling: _dwelling,
    m.Owner: _owner,
    m.Ownership: _ownership,
    m.Household: _household,
    m.Resident: _resident,
}


def test_every_registry_model_has_an_endpoint():
    missing = [model.__name__ for model in REGISTRY_MODELS if model not in PREFIX]
    assert missing == []


def as_read(payload: dict) -> dict:
    """What a read shows of written values: personal data masked."""
    return {k: mask(k, v) if k in PERSONAL_DATA_FIELDS and v else v for k, v in payload.items()}


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda model: model.__name__)
def test_create_read_update_delete_round_trip_works_for_every_registry_model(api, model):
    create, change = PAYLOADS[model]()
    base = f"/api/v1/{PREFIX[model]}/"

    created = api.post(base, create, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in create} == as_read(create)
    url = f"{base}{body['id']}/"
    assert api.get(url).json() == body

    changed = api.patch(url, change, format="json")
    assert changed.status_code == 200, changed.content
    assert {k: changed.json()[k] for k in change} == change
    saved = model.objects.get(pk=body["id"])
    for name, value in change.items():
        assert str(getattr(saved, name)) == str(value)

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not model.objects.filter(pk=body["id"]).exists()


def test_put_replaces_a_building(api):
    building = f.BuildingFactory(storeys=6)
    payload = {"compound": building.compound_id, "number": "7A", "storeys": 7, "structure": "frame"}
    response = api.put(f"/api/v1/buildings/{building.pk}/", payload, format="json")
    assert response.status_code == 200, response.content
    building.refresh_from_db()
    assert (building.number, building.storeys, building.structure) == ("7A", 7, "frame")


def test_rows_carry_a_readable_display_name_and_their_ancestor_ids(api):
    dwelling = f.DwellingFactory()
    body = api.get(f"/api/v1/dwellings/{dwelling.pk}/").json()
    building = dwelling.stairwell.building
    assert body["display"] == str(dwelling)
    assert (body["building"], body["compound"]) == (building.pk, building.compound_id)


def test_compound_detail_shows_building_dwelling_household_and_people_counts(api):
    compound = f.CompoundFactory()
    for _ in range(2):
        household = f.HouseholdFactory(dwelling__stairwell__building__compound=compound)
        f.ResidentFactory.create_batch(3, household=household)
    body = api.get(f"/api/v1/compounds/{compound.pk}/").json()
    counts = [body[k] for k in ("building_count", "dwelling_count", "household_count")]
    assert counts == [2, 2, 2]
    assert body["people_count"] == 6


def test_compound_counts_are_read_only(api):
    compound = f.CompoundFactory()
    api.patch(f"/api/v1/compounds/{compound.pk}/", {"building_count": 99}, format="json")
    assert api.get(f"/api/v1/compounds/{compound.pk}/").json()["building_count"] == 0


# --- Model rules come back as field errors ------------------------------------------------


def test_storeys_above_forty_is_an_error_naming_storeys(api):
    compound = f.CompoundFactory()
    response = api.post(
        "/api/v1/buildings/", {"compound": compound.pk, "number": "1", "storeys": 41}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["storeys"]
    [message] = response.json()["storeys"]
    assert "不能大于 40" in message and "less than or equal to 40" in message


def test_a_bad_id_number_checksum_is_an_error_naming_id_number(api):
    good = fake_resident_id(_rng)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = api.post(
        "/api/v1/owners/", {"kind": "person", "name": "赵六", "id_number": bad}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert "校验位" in response.json()["id_number"][0]
    assert "check character" in response.json()["id_number"][0]


def test_a_dwelling_floor_above_the_building_storeys_is_an_error_naming_floor(api):
    stairwell = f.StairwellFactory(building__storeys=6)
    payload = {"stairwell": stairwell.pk, "number": "701", "floor": 7, "area": "60.00"}
    response = api.post("/api/v1/dwellings/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["floor"]
    assert "6" in response.json()["floor"][0]


def test_a_subdistrict_code_outside_its_district_is_an_error_naming_code(api):
    district = f.DistrictFactory()
    payload = {"district": district.pk, "code": "410304001", "name": "错街道"}
    response = api.post("/api/v1/subdistricts/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_a_person_owner_without_an_id_number_is_an_error_naming_id_number(api):
    response = api.post("/api/v1/owners/", {"kind": "person", "name": "孙七"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]


def test_marking_a_compound_renovated_without_a_year_is_an_error_naming_renovated_year(api):
    compound = f.CompoundFactory()
    response = api.patch(
        f"/api/v1/compounds/{compound.pk}/", {"renovation_status": "renovated"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["renovated_year"]
    compound.refresh_from_db()
    assert compound.renovation_status == m.RenovationStatus.NOT_PLANNED


def test_an_unknown_parent_id_is_an_error_naming_the_parent(api):
    response = api.post(
        "/api/v1/buildings/", {"compound": 987654, "number": "1", "storeys": 6}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["compound"]
    assert "987654" in response.json()["compound"][0]


def test_an_unknown_choice_is_an_error_naming_the_field_in_both_languages(api):
    compound = f.CompoundFactory()
    response = api.patch(
        f"/api/v1/compounds/{compound.pk}/", {"management_mode": "robots"}, format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["management_mode"]
    assert "不是有效选项" in message and "not a valid choice" in message


def test_a_missing_required_field_is_an_error_naming_it(api):
    response = api.post("/api/v1/districts/", {"code": "410302"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["此字段为必填项 (this field is required)"]}


def test_a_body_that_is_not_an_object_is_a_400_in_both_languages(api):
    response = api.post("/api/v1/districts/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert "JSON 对象" in message and "expected an object" in message


def test_a_duplicate_building_number_in_a_compound_is_a_400_naming_number(api):
    building = f.BuildingFactory(number="3")
    payload = {"compound": building.compound_id, "number": "3", "storeys": 6}
    response = api.post("/api/v1/buildings/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["number"]
    [message] = response.json()["number"]
    assert "小区和楼栋号" in message and "compound and number" in message


def test_a_duplicate_district_code_is_a_400_naming_code(api):
    f.DistrictFactory()
    response = api.post("/api/v1/districts/", {"code": "410303", "name": "又一个"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert "already exists" in response.json()["code"][0]


def test_a_duplicate_owner_id_number_is_a_400_naming_id_number(api):
    owner = f.OwnerFactory()
    payload = {"kind": "person", "name": "重名", "id_number": reveal(owner.id_number)}
    response = api.post("/api/v1/owners/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]


def test_updating_a_row_does_not_collide_with_its_own_unique_values(api):
    district = f.DistrictFactory()
    response = api.put(
        f"/api/v1/districts/{district.pk}/", {"code": "410303", "name": "西工"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_blank_optional_codes_are_stored_as_null_so_they_do_not_collide(api):
    for name in ("甲", "乙"):
        payload = {"kind": "person", "name": name, "id_number": fake_resident_id(_rng)}
        response = api.post("/api/v1/owners/", {**payload, "credit_code": ""}, format="json")
        assert response.status_code == 201, response.content
    assert m.Owner.objects.filter(credit_code__isnull=True).count() == 2


def test_a_duplicate_created_after_validation_is_a_field_error_not_a_500():
    compound = f.CompoundFactory()
    serializer = BuildingSerializer(data={"compound": compound.pk, "number": "9", "storeys": 6})
    assert serializer.is_valid(), serializer.errors
    f.BuildingFactory(compound=compound, number="9")  # a concurrent writer wins the race
    with pytest.raises(ValidationError) as caught:
        serializer.save()
    assert list(caught.value.detail) == ["number"]
    assert m.Building.objects.filter(compound=compound).count() == 1


# --- Protected parents ----------------------------------------------------------------------


def test_deleting_a_community_that_has_compounds_is_a_409_saying_why(api):
    compound = f.CompoundFactory()
    response = api.delete(f"/api/v1/communities/{compound.community_id}/")
    assert response.status_code == 409
    body = response.json()
    assert body["referenced_by"] == {"compound": 1}
    assert "小区" in body["detail"] and "compound" in body["detail"]
    assert m.Community.objects.filter(pk=compound.community_id).exists()


def test_deleting_a_zone_that_has_compounds_is_a_409(api):
    compound = f.CompoundFactory()
    response = api.delete(f"/api/v1/zones/{compound.zone_id}/")
    assert response.status_code == 409
    assert m.Zone.objects.filter(pk=compound.zone_id).exists()


def test_deleting_a_compound_removes_its_buildings_and_dwellings(api):
    dwelling = f.DwellingFactory()
    compound = dwelling.stairwell.building.compound
    assert api.delete(f"/api/v1/compounds/{compound.pk}/").status_code == 204
    assert not m.Dwelling.objects.filter(pk=dwelling.pk).exists()


# --- Filters, search, ordering --------------------------------------------------------------


@pytest.fixture
def three_compounds() -> dict[str, m.Compound]:
    old = f.CompoundFactory(code="A1", name="芳林北路1号院", year_built=1985)
    same_place = f.CompoundFactory(
        code="A2",
        name="汉屯路2号院",
        community=old.community,
        zone=old.zone,
        year_built=1995,
        renovation_status=m.RenovationStatus.RENOVATED,
        renovated_year=2022,
    )
    elsewhere = f.CompoundFactory(code="B1", name="凯旋东路3号院", year_built=2005)
    f.BuildingFactory.create_batch(2, compound=elsewhere)
    return {"old": old, "same_place": same_place, "elsewhere": elsewhere}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda c: {"community": c["old"].community_id}, ["A1", "A2"]),
        (lambda c: {"subdistrict": c["elsewhere"].community.subdistrict_id}, ["B1"]),
        (lambda c: {"zone": c["old"].zone_id}, ["A1", "A2"]),
        (lambda c: {"renovation_status": "renovated"}, ["A2"]),
        (lambda c: {"year_built_max": 1995}, ["A1", "A2"]),
        (lambda c: {"year_built_min": 1990, "year_built_max": 2000}, ["A2"]),
        (lambda c: {"search": "汉屯"}, ["A2"]),
        (lambda c: {"ordering": "-year_built"}, ["B1", "A2", "A1"]),
        (lambda c: {"ordering": "-building_count,code"}, ["B1", "A1", "A2"]),
    ],
    ids=[
        "community",
        "subdistrict",
        "zone",
        "status",
        "year-max",
        "year-range",
        "search",
        "order-year",
        "order-count",
    ],
)
def test_compounds_filter_search_and_order(api, three_compounds, params, expected):
    assert _codes(api.get("/api/v1/compounds/", params(three_compounds))) == expected


def test_dwellings_filter_by_compound_building_and_floor(api):
    building = f.BuildingFactory()
    stairwell = f.StairwellFactory(building=building)
    wanted = f.DwellingFactory(stairwell=stairwell, floor=3, number="301")
    f.DwellingFactory(stairwell=stairwell, floor=2, number="201")
    f.DwellingFactory(floor=3, number="302")  # another compound
    params = {"compound": building.compound_id, "building": building.pk, "floor": 3}
    response = api.get("/api/v1/dwellings/", params)
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_buildings_filter_by_compound(api):
    building = f.BuildingFactory()
    f.BuildingFactory()
    response = api.get("/api/v1/buildings/", {"compound": building.compound_id})
    assert [row["id"] for row in response.json()["results"]] == [building.pk]


def test_owners_of_several_dwellings_in_a_compound_are_listed_once(api):
    owner = f.OwnerFactory()
    stairwell = f.StairwellFactory()
    for number in ("101", "102"):
        f.OwnershipFactory(owner=owner, dwelling__stairwell=stairwell, dwelling__number=number)
    f.OwnershipFactory()  # someone elsewhere
    response = api.get("/api/v1/owners/", {"compound": stairwell.building.compound_id})
    assert [row["id"] for row in response.json()["results"]] == [owner.pk]


def test_a_malformed_filter_value_is_a_400_naming_the_parameter(api):
    response = api.get("/api/v1/compounds/", {"community": "abc"})
    assert response.status_code == 400
    [message] = response.json()["community"]
    assert "整数" in message and "whole number" in message


def test_an_absurdly_large_id_filter_is_a_400_not_a_database_error(api):
    response = api.get("/api/v1/compounds/", {"community": 10**30})
    assert response.status_code == 400
    assert list(response.json()) == ["community"]


# --- Pagination -----------------------------------------------------------------------------


def test_lists_are_paginated_with_count_links_and_results(api):
    f.ZoneFactory.create_batch(3)
    body = api.get("/api/v1/zones/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert "page=2" in body["next"]


def test_page_size_is_capped_at_500(api):
    district = f.DistrictFactory()
    m.Zone.objects.bulk_create(
        m.Zone(district=district, code=f"Z{i:03d}", name=f"片区{i}") for i in range(501)
    )
    body = api.get("/api/v1/zones/", {"page_size": 1000}).json()
    assert (body["count"], len(body["results"])) == (501, 500)


def test_a_page_past_the_end_is_a_404_in_both_languages(api):
    response = api.get("/api/v1/zones/", {"page": 9})
    assert response.status_code == 404
    assert response.json() == {"detail": "页码无效 (invalid page)"}


# --- Authentication and permissions ----------------------------------------------------------


def test_anonymous_requests_are_refused_with_401():
    response = APIClient().get("/api/v1/compounds/")
    assert response.status_code == 401
    assert "authentication credentials were not provided" in response.json()["detail"]


def test_a_signed_in_session_can_read(django_user_model):
    user = django_user_model.objects.create_user(username="clerk", password="x" * 12)
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/compounds/").status_code == 200


def test_a_user_without_model_permissions_can_read_but_not_write(django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="x" * 12)
    client = APIClient()
    client.force_authenticate(user)
    district = f.DistrictFactory()
    payload = {"district": district.pk, "code": "Z1", "name": "片区"}
    assert client.get("/api/v1/zones/").status_code == 200
    response = client.post("/api/v1/zones/", payload, format="json")
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]


def test_a_user_whose_role_grants_the_add_permission_can_create():
    district = f.DistrictFactory()
    client = APIClient()
    client.force_authenticate(user_with_role(Role.DISTRICT_OFFICE, district=district))
    payload = {"district": district.pk, "code": "Z1", "name": "片区"}
    assert client.post("/api/v1/zones/", payload, format="json").status_code == 201


# --- Coordinates and GeoJSON --------------------------------------------------------------


def _compound_payload(**extra: Any) -> dict[str, Any]:
    community = f.CommunityFactory()
    return {
        "code": "GEO1",
        "name": "定位院",
        "community": community.pk,
        "year_built": 1990,
        **extra,
    }


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_coordinates_given_in_a_chinese_map_system_are_stored_as_wgs84(api, system):
    convert = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}[system]
    lon, lat = convert(112.43, 34.67)
    payload = _compound_payload(
        longitude=f"{lon:.12f}", latitude=f"{lat:.12f}", coord_system=system
    )
    response = api.post("/api/v1/compounds/", payload, format="json")
    assert response.status_code == 201, response.content
    compound = m.Compound.objects.get(code="GEO1")
    assert (compound.longitude, compound.latitude) == (Decimal("112.430000"), Decimal("34.670000"))
    assert (response.json()["longitude"], response.json()["latitude"]) == (
        "112.430000",
        "34.670000",
    )
    assert "coord_system" not in response.json()


def test_wgs84_coordinates_are_stored_rounded_to_six_places(api):
    payload = _compound_payload(longitude="112.4312345678", latitude="34.6700004999")
    assert api.post("/api/v1/compounds/", payload, format="json").status_code == 201
    compound = m.Compound.objects.get(code="GEO1")
    assert (compound.longitude, compound.latitude) == (Decimal("112.431235"), Decimal("34.670000"))


def test_an_update_converts_gcj02_coordinates_too(api):
    compound = f.CompoundFactory()
    lon, lat = wgs84_to_gcj02(112.44, 34.68)
    payload = {"longitude": lon, "latitude": lat, "coord_system": "gcj02"}
    response = api.patch(f"/api/v1/compounds/{compound.pk}/", payload, format="json")
    assert response.status_code == 200, response.content
    compound.refresh_from_db()
    assert (compound.longitude, compound.latitude) == (Decimal("112.440000"), Decimal("34.680000"))


def test_a_coordinate_system_without_coordinates_is_an_error_naming_coord_system(api):
    compound = f.CompoundFactory()
    response = api.patch(
        f"/api/v1/compounds/{compound.pk}/", {"coord_system": "bd09"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["coord_system"]


def test_a_longitude_without_a_latitude_is_an_error_naming_latitude(api):
    payload = _compound_payload(longitude="112.43", latitude=None)
    response = api.post("/api/v1/compounds/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["latitude"]


def test_a_longitude_out_of_range_is_an_error_naming_longitude(api):
    response = api.post("/api/v1/compounds/", _compound_payload(longitude="181", latitude="34"))
    assert response.status_code == 400
    assert list(response.json()) == ["longitude"]


def test_geojson_lists_located_compounds_as_points_in_one_query(
    api, three_compounds, django_assert_max_num_queries
):
    f.CompoundFactory(code="NOWHERE", longitude=None, latitude=None)
    with django_assert_max_num_queries(2):
        response = api.get("/api/v1/compounds/geojson/", {"page_size": 1})
    body = response.json()
    assert body["type"] == "FeatureCollection"
    codes = sorted(feature["properties"]["code"] for feature in body["features"])
    assert codes == ["A1", "A2", "B1"]
    feature = next(x for x in body["features"] if x["properties"]["code"] == "A2")
    compound = three_compounds["same_place"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [112.43, 34.67]}
    assert feature["id"] == compound.pk
    assert feature["properties"] == {
        "id": compound.pk,
        "code": "A2",
        "name": "汉屯路2号院",
        "renovation_status": "renovated",
        "renovation_status_label": "已改造",
        "zone": compound.zone_id,
        "zone_name": compound.zone.name,
    }


def test_geojson_takes_the_list_filters(api, three_compounds):
    response = api.get("/api/v1/compounds/geojson/", {"renovation_status": "renovated"})
    assert [x["properties"]["code"] for x in response.json()["features"]] == ["A2"]


# --- Bounded queries ------------------------------------------------------------------------


@pytest.fixture
def populated_registry() -> None:
    """Two districts, each with 2 sub-districts x 2 communities, one compound per community with
    2 buildings x 1 stairwell x 2 dwellings, each dwelling owned and lived in by 2 residents."""
    for district in (f.DistrictFactory(), f.DistrictFactory(code="410302", name="老城区")):
        zone = f.ZoneFactory(district=district)
        company = f.OrganisationFactory(district=district)
        for i in range(1, 3):
            sub = f.SubdistrictFactory(district=district, code=f"{district.code}{i:03d}")
            for community in f.CommunityFactory.create_batch(2, subdistrict=sub):
                compound = f.CompoundFactory(
                    community=community,
                    zone=zone,
                    property_company=company,
                    management_mode=m.ManagementMode.PROFESSIONAL,
                )
                for stairwell in f.StairwellFactory.create_batch(2, building__compound=compound):
                    for dwelling in f.DwellingFactory.create_batch(2, stairwell=stairwell):
                        f.OwnershipFactory(dwelling=dwelling)
                        f.ResidentFactory.create_batch(2, household__dwelling=dwelling)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_list_page_costs_a_constant_number_of_queries(
    api, populated_registry, prefix, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = api.get(f"/api/v1/{prefix}/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2


# --- Schema and docs ------------------------------------------------------------------------


def test_the_schema_endpoint_serves_a_valid_openapi_document():
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    for prefix in PREFIXES:
        assert f"/api/v1/{prefix}/" in schema["paths"]
        assert f"/api/v1/{prefix}/{{id}}/" in schema["paths"]
    assert "/api/v1/compounds/geojson/" in schema["paths"]


def test_the_schema_generates_without_warnings(tmp_path):
    reset_generator_stats()
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/compounds/" in out.read_text()


def _assert_only_local_static_urls(html: str) -> None:
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), "remote URL in page"
    static = re.findall(rf'(?:src|href)="({re.escape(settings.STATIC_URL)}[^"]+)"', html)
    assert len(static) >= 1
    for url in static:
        path = url[len(settings.STATIC_URL) :].split("?")[0]
        assert finders.find(path), f"missing static file {path}"


def test_swagger_ui_uses_only_self_hosted_static_files():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    _assert_only_local_static_urls(html)
