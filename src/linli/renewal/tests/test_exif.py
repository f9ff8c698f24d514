"""EXIF time and GPS of site photos, read from real JPEGs made by Pillow in the test."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from linli.renewal import exif
from linli.renewal.exif import dms_to_decimal, parse_datetime, parse_offset, read_photo
from linli.renewal.tests.factories import jpeg

SHANGHAI = exif.DISTRICT_TZ
# 34°40'59.88" N, 112°26'30.12" E: 34.6833 N 112.4417 E, in Xigong.
XIGONG_GPS = {1: "N", 2: (34.0, 40.0, 59.88), 3: "E", 4: (112.0, 26.0, 30.12)}


def test_a_photo_with_time_and_gps_gives_both():
    meta = read_photo(jpeg(taken="2026:05:01 10:20:30", offset="+08:00", gps=XIGONG_GPS))
    assert meta.taken_at == datetime.datetime(
        2026, 5, 1, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    assert (meta.latitude, meta.longitude) == (Decimal("34.6833000"), Decimal("112.4417000"))
    assert meta.in_xigong is True


def test_south_and_west_references_give_negative_degrees():
    gps = {1: "S", 2: (33.0, 52.0, 4.8), 3: "W", 4: (151.0, 12.0, 36.0)}
    meta = read_photo(jpeg(gps=gps))
    assert (meta.latitude, meta.longitude) == (Decimal("-33.8680000"), Decimal("-151.2100000"))
    assert meta.in_xigong is False


def test_a_photo_without_exif_has_no_time_and_no_place():
    meta = read_photo(jpeg())
    assert (meta.taken_at, meta.latitude, meta.longitude) == (None, None, None)
    assert meta.in_xigong is None


def test_garbage_gps_is_ignored_and_the_time_kept():
    gps = {1: "Q", 2: (34.0, 99.0, 0.0), 3: "E", 4: (200.0, 0.0, 0.0)}
    meta = read_photo(jpeg(taken="2026:05:01 10:20:30", gps=gps))
    assert (meta.latitude, meta.longitude) == (None, None)
    assert meta.taken_at is not None


def test_half_a_gps_point_is_no_point():
    meta = read_photo(jpeg(gps={1: "N", 2: (34.0, 41.0, 0.0)}))
    assert (meta.latitude, meta.longitude) == (None, None)


def test_a_time_without_offset_is_read_as_district_time():
    meta = read_photo(jpeg(taken="2026:05:01 10:20:30"))
    assert meta.taken_at == datetime.datetime(2026, 5, 1, 10, 20, 30, tzinfo=SHANGHAI)


def test_the_file_time_stands_in_when_the_shutter_time_is_missing():
    meta = read_photo(jpeg(modified="2026:04:30 08:00:00"))
    assert meta.taken_at == datetime.datetime(2026, 4, 30, 8, 0, 0, tzinfo=SHANGHAI)


def test_a_malformed_shutter_time_falls_back_to_the_file_time():
    meta = read_photo(jpeg(taken="yesterday", modified="2026:04:30 08:00:00"))
    assert meta.taken_at == datetime.datetime(2026, 4, 30, 8, 0, 0, tzinfo=SHANGHAI)


def test_a_blank_camera_time_means_no_time():
    assert read_photo(jpeg(taken="0000:00:00 00:00:00")).taken_at is None


def test_reading_leaves_the_file_at_its_start():
    upload = jpeg(gps=XIGONG_GPS)
    read_photo(upload)
    assert upload.tell() == 0


def test_a_text_file_is_refused_as_not_an_image():
    fake = SimpleUploadedFile("site.jpg", b"this is not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        read_photo(fake)
    assert caught.value.error_dict["image"][0].code == "not_an_image"
    assert "图片" in str(caught.value) and "not an image" in str(caught.value)


def test_a_truncated_jpeg_is_refused():
    data = jpeg().read()
    with pytest.raises(ValidationError):
        read_photo(SimpleUploadedFile("cut.jpg", data[:40], content_type="image/jpeg"))


def test_a_format_browsers_do_not_show_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "TIFF")
    with pytest.raises(ValidationError) as caught:
        read_photo(SimpleUploadedFile("scan.tif", buffer.getvalue()))
    assert caught.value.error_dict["image"][0].code == "format"


def test_a_photo_over_the_size_cap_is_refused(settings):
    settings.LINLI_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", b"\xff" * (1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        read_photo(big)
    assert caught.value.error_dict["image"][0].code == "too_large"
    assert "1 MB" in str(caught.value)


def test_the_size_cap_defaults_to_fifteen_megabytes(settings):
    assert settings.LINLI_PHOTO_MAX_MB == 15


# --- Parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hours"),
    [("+08:00", 8), ("-05:30", -5.5), ("+00:00", 0)],
)
def test_offsets_are_read(value, hours):
    zone = parse_offset(value)
    assert zone is not None
    assert zone.utcoffset(None) == datetime.timedelta(hours=hours)


@pytest.mark.parametrize("value", [None, "", "8", "+8:00", "+25:00", "UTC", 8])
def test_malformed_offsets_are_ignored(value):
    assert parse_offset(value) is None


@pytest.mark.parametrize("value", [None, 20260501, "", "2026-05-01", "2026:13:01 10:00:00"])
def test_malformed_times_are_ignored(value):
    assert parse_datetime(value) is None


def test_rationals_as_pillow_returns_them_are_read():
    dms = (IFDRational(34, 1), IFDRational(41, 1), IFDRational(0, 1))
    assert dms_to_decimal(dms, "N", limit=90) == Decimal("34.6833333")


def test_rationals_as_numerator_denominator_pairs_are_read():
    assert dms_to_decimal(((112, 1), (2653, 100), (0, 1)), "E", limit=180) == Decimal("112.4421667")


def test_degrees_beyond_the_pole_are_implausible():
    assert dms_to_decimal((91.0, 0.0, 0.0), "N", limit=90) is None
    assert dms_to_decimal((181.0, 0.0, 0.0), "E", limit=180) is None


def test_a_zero_denominator_is_ignored():
    assert dms_to_decimal(((34, 0), (0, 1), (0, 1)), "N", limit=90) is None


def test_a_longitude_reference_does_not_sign_a_latitude():
    assert dms_to_decimal((34.0, 0.0, 0.0), "E", limit=90) is None


@given(
    degrees=st.integers(0, 89),
    minutes=st.integers(0, 59),
    seconds=st.fractions(0, 59, max_denominator=100),
    south=st.booleans(),
)
def test_any_valid_latitude_lies_within_a_degree_of_its_whole_degrees(
    degrees, minutes, seconds, south
):
    value = dms_to_decimal(
        (degrees, minutes, (seconds.numerator, seconds.denominator)),
        "S" if south else "N",
        limit=90,
    )
    assert value is not None
    exact = degrees + Fraction(minutes, 60) + seconds / 3600
    assert abs(abs(Fraction(value)) - exact) <= Fraction(1, 10**7)
    assert (value < 0) == (south and exact > 0) or value == 0
