"""Tests for linli.core.geo: coordinate conversions, distances, plausibility checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.core.errors import Invalid
from linli.core.geo import (
    CHINA_BBOX,
    XIGONG_EXTENT,
    CoordSystem,
    bd09_to_gcj02,
    bd09_to_wgs84,
    check_wgs84_in_china,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    in_china_bbox,
    in_xigong_extent,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Published reference pairs, all (lon, lat). Tolerance: 2 m.
#
# WGS-84 -> GCJ-02
WGS84_GCJ02_VECTORS = [
    # googollee/eviltransform python/test.py (also go/transform_test.go), "shanghai"
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    # googollee/eviltransform python/test.py, "shenzhen"
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    # googollee/eviltransform python/test.py, "beijing"
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    # wandergis/coordtransform README.md: wgs84togcj02(116.404, 39.915)
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    # Glatzel/pyxis python/tests/test_crypto.py: wgs84 / gcj02 constants
    ((121.0917077, 30.6107779), (121.09626935575027, 30.608604331756705)),
    # cran/geoChina R/cst.R examples: Beijing railway station (5 decimals)
    ((116.42079, 39.90105), (116.42703, 39.90245)),
]

# BD-09 -> GCJ-02
BD09_GCJ02_VECTORS = [
    # wandergis/coordtransform README.md: bd09togcj02(116.404, 39.915)
    ((116.404, 39.915), (116.39762729119315, 39.90865673957631)),
    # wandergis/coordtransform README.md: gcj02tobd09(116.404, 39.915), stored as bd -> gcj
    ((116.41036949371029, 39.92133699351021), (116.404, 39.915)),
    # Glatzel/pyxis python/tests/test_crypto.py: bd09 / gcj02 constants
    ((121.10271732371203, 30.61484572185035), (121.09626935575027, 30.608604331756705)),
    # cran/geoChina R/cst.R examples: Beijing railway station (5 decimals)
    ((116.43351, 39.90851), (116.42703, 39.90245)),
]

REFERENCE_TOLERANCE_M = 2.0
ROUND_TRIP_TOLERANCE_M = 0.01

# Mainland China well inside CHINA_BBOX, so the round trip never crosses its edge.
china_lon = st.floats(min_value=73.6, max_value=134.7, allow_nan=False)
china_lat = st.floats(min_value=18.2, max_value=53.5, allow_nan=False)


@pytest.mark.parametrize(("wgs", "gcj"), WGS84_GCJ02_VECTORS)
def test_wgs84_to_gcj02_matches_published_vectors(wgs, gcj):
    assert haversine_m(*wgs84_to_gcj02(*wgs), *gcj) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("wgs", "gcj"), WGS84_GCJ02_VECTORS)
def test_gcj02_to_wgs84_matches_published_vectors(wgs, gcj):
    assert haversine_m(*gcj02_to_wgs84(*gcj), *wgs) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("bd", "gcj"), BD09_GCJ02_VECTORS)
def test_bd09_to_gcj02_matches_published_vectors(bd, gcj):
    assert haversine_m(*bd09_to_gcj02(*bd), *gcj) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("bd", "gcj"), BD09_GCJ02_VECTORS)
def test_gcj02_to_bd09_matches_published_vectors(bd, gcj):
    assert haversine_m(*gcj02_to_bd09(*gcj), *bd) < REFERENCE_TOLERANCE_M


def test_wgs84_to_bd09_matches_the_published_pyxis_triple():
    # Glatzel/pyxis python/tests/test_crypto.py: wgs84 -> bd09
    bd = wgs84_to_bd09(121.0917077, 30.6107779)
    assert haversine_m(*bd, 121.10271732371203, 30.61484572185035) < REFERENCE_TOLERANCE_M


def test_bd09_to_wgs84_matches_the_published_pyxis_triple():
    # Glatzel/pyxis python/tests/test_crypto.py: bd09 -> wgs84
    wgs = bd09_to_wgs84(121.10271732371203, 30.61484572185035)
    assert haversine_m(*wgs, 121.0917077, 30.6107779) < REFERENCE_TOLERANCE_M


def test_gcj02_offset_in_luoyang_is_a_few_hundred_metres():
    shift = haversine_m(112.43, 34.67, *wgs84_to_gcj02(112.43, 34.67))
    assert 100 < shift < 700


def test_gcj02_equals_wgs84_outside_china():
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)


def test_gcj02_to_wgs84_is_identity_outside_china():
    assert gcj02_to_wgs84(-74.006, 40.7128) == (-74.006, 40.7128)


@given(china_lon, china_lat)
def test_wgs84_gcj02_round_trip_is_within_a_centimetre(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert haversine_m(lon, lat, *back) < ROUND_TRIP_TOLERANCE_M


@given(china_lon, china_lat)
def test_gcj02_wgs84_round_trip_is_within_a_centimetre(lon, lat):
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert haversine_m(lon, lat, *back) < ROUND_TRIP_TOLERANCE_M


@given(china_lon, china_lat)
def test_gcj02_bd09_round_trip_is_within_a_centimetre(lon, lat):
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *back) < ROUND_TRIP_TOLERANCE_M


@given(china_lon, china_lat)
def test_wgs84_bd09_round_trip_is_within_a_centimetre(lon, lat):
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *back) < ROUND_TRIP_TOLERANCE_M


@given(china_lon, china_lat, st.sampled_from(CoordSystem))
def test_from_wgs84_and_to_wgs84_are_inverse_for_every_system(lon, lat, system):
    back = to_wgs84(*from_wgs84(lon, lat, system), system)
    assert haversine_m(lon, lat, *back) < ROUND_TRIP_TOLERANCE_M


def test_to_wgs84_accepts_the_system_as_a_plain_string():
    assert to_wgs84(116.41024449916938, 39.91640428150164, "gcj02") == pytest.approx(
        (116.404, 39.915), abs=1e-7
    )


def test_to_wgs84_rejects_an_unknown_system():
    with pytest.raises(ValueError):
        to_wgs84(112.43, 34.67, "cgcs2000")


def test_wgs84_is_left_unchanged_by_to_and_from_wgs84():
    assert to_wgs84(112.43, 34.67, CoordSystem.WGS84) == (112.43, 34.67)
    assert from_wgs84(112.43, 34.67, CoordSystem.WGS84) == (112.43, 34.67)


def test_coord_system_values_are_the_lower_case_wire_names():
    assert [s.value for s in CoordSystem] == ["wgs84", "gcj02", "bd09"]
    assert CoordSystem("bd09") is CoordSystem.BD09


def test_haversine_of_one_degree_of_latitude_is_about_111_km():
    assert haversine_m(112.0, 34.0, 112.0, 35.0) == pytest.approx(111_195, rel=1e-3)


def test_haversine_of_a_point_to_itself_is_zero():
    assert haversine_m(112.43, 34.67, 112.43, 34.67) == 0.0


def test_haversine_is_symmetric():
    assert haversine_m(112.4, 34.6, 113.6, 34.7) == haversine_m(113.6, 34.7, 112.4, 34.6)


def test_check_wgs84_in_china_returns_floats_for_a_point_in_luoyang():
    assert check_wgs84_in_china(112.43, 34.67) == (112.43, 34.67)


def test_check_wgs84_in_china_rejects_latitude_beyond_the_pole():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china(112.43, 91.0)
    assert info.value.code == "coord_lat_range"


def test_check_wgs84_in_china_rejects_longitude_beyond_180():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china(181.0, 34.67)
    assert info.value.code == "coord_lon_range"


def test_check_wgs84_in_china_rejects_nan():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china(math.nan, 34.67)
    assert info.value.code == "coord_not_finite"


def test_check_wgs84_in_china_rejects_text_that_is_not_a_number():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china("east", 34.67)  # type: ignore[arg-type]
    assert info.value.code == "coord_not_number"


def test_check_wgs84_in_china_says_when_longitude_and_latitude_look_swapped():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china(34.67, 112.43)
    assert info.value.code == "coord_swapped"
    assert "swapped" in info.value.en


def test_check_wgs84_in_china_rejects_a_point_in_europe():
    with pytest.raises(Invalid) as info:
        check_wgs84_in_china(2.3522, 48.8566)
    assert info.value.code == "coord_outside_china"


def test_xigong_extent_is_ordered_min_lon_min_lat_max_lon_max_lat():
    min_lon, min_lat, max_lon, max_lat = XIGONG_EXTENT
    assert min_lon < max_lon and min_lat < max_lat


def test_xigong_extent_contains_the_urban_core():
    # N 34°39'-34°42', E 112°24'-112°27'
    for lon in (112.40, 112.45):
        for lat in (34.65, 34.70):
            assert in_xigong_extent(lon, lat)


def test_xigong_extent_lies_inside_china():
    min_lon, min_lat, max_lon, max_lat = XIGONG_EXTENT
    assert in_china_bbox(min_lon, min_lat) and in_china_bbox(max_lon, max_lat)


def test_zhengzhou_is_outside_the_xigong_extent():
    assert not in_xigong_extent(113.62, 34.75)


def test_china_bbox_is_the_usual_gcj02_box():
    assert CHINA_BBOX == (72.004, 0.8293, 137.8347, 55.8271)
