"""What a site photo's camera recorded: when it was taken and where (EXIF).

:func:`read_photo` checks that an upload is an image we keep (Pillow can open and verify it, a
format browsers show, under ``LINLI_PHOTO_MAX_MB``) and returns its EXIF time and GPS point.
Phones and cameras write EXIF carelessly, so every field is read on its own: a malformed date
or a broken GPS block leaves that field empty, never fails the upload.

* Time: ``DateTimeOriginal`` (when the shutter fired), else ``DateTime`` (when the file was
  last written); with ``OffsetTimeOriginal`` (or ``OffsetTime``) when present, else read as
  Asia/Shanghai — a site photo of a Luoyang compound was taken in China.
* Place: the GPS IFD's degrees/minutes/seconds with their N/S/E/W references, as signed
  decimal degrees rounded to 7 places (about 1 cm). Cameras record WGS-84: stored as is.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image

from linli.core.geo import in_xigong_extent

#: Formats we keep: what browsers show. Phones save HEIC only when set to; they share JPEG.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
DISTRICT_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SEVEN_PLACES = Decimal("0.0000001")

# EXIF tags (CIPA DC-008): IFD0, Exif IFD and GPS IFD.
DATETIME = 0x0132
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME = 0x9010
OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF, GPS_LATITUDE = 1, 2
GPS_LONGITUDE_REF, GPS_LONGITUDE = 3, 4

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class PhotoMeta:
    """When and where a photo was taken, as far as its EXIF tells."""

    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def in_xigong(self) -> bool | None:
        """Whether the point lies in Xigong (None when the photo has no point)."""
        return in_xigong(self.latitude, self.longitude)


def in_xigong(latitude: Decimal | None, longitude: Decimal | None) -> bool | None:
    """Whether a WGS-84 point lies in Xigong's extent; None without a point."""
    if latitude is None or longitude is None:
        return None
    return in_xigong_extent(float(longitude), float(latitude))


def refuse(zh: str, en: str, code: str) -> ValidationError:
    """A bilingual error on the ``image`` field (like ``services.common.refuse``; this module
    sits below the services, which import it)."""
    return ValidationError({"image": ValidationError(f"{zh} ({en})", code=code)})


# --- Parsing (pure) ------------------------------------------------------------------------


def parse_offset(value: Any) -> datetime.tzinfo | None:
    """An EXIF offset such as ``+08:00`` as a time zone; None when absent or malformed."""
    if not isinstance(value, str):
        return None
    match = _OFFSET.match(value.strip().rstrip("\x00"))
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = datetime.timedelta(hours=int(hours), minutes=int(minutes))
    if delta > datetime.timedelta(hours=14):
        return None
    return datetime.timezone(-delta if sign == "-" else delta)


def parse_datetime(value: Any, offset: Any = None) -> datetime.datetime | None:
    """An EXIF ``YYYY:MM:DD HH:MM:SS`` as an aware datetime (the offset, else district time);
    None when absent, blank (``0000:00:00 00:00:00``) or malformed."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=parse_offset(offset) or DISTRICT_TZ)


def _number(value: Any) -> Decimal:
    """A rational (Pillow's IFDRational, a (num, den) pair or a number) as a Decimal."""
    if isinstance(value, tuple) and len(value) == 2:
        numerator, denominator = value
        return Decimal(str(numerator)) / Decimal(str(denominator))
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if numerator is not None and denominator is not None:
        return Decimal(str(numerator)) / Decimal(str(denominator))
    return Decimal(str(value))


def dms_to_decimal(dms: Any, ref: Any, *, limit: int) -> Decimal | None:
    """Degrees, minutes, seconds and a hemisphere (N/S or E/W) as signed decimal degrees, 7
    places; None when anything is missing, malformed or implausible (beyond ``limit``)."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if not isinstance(ref, str) or not isinstance(dms, tuple | list) or not 1 <= len(dms) <= 3:
        return None
    ref = ref.strip().rstrip("\x00").upper()
    negative = {"N": False, "S": True} if limit == 90 else {"E": False, "W": True}
    if ref not in negative:
        return None
    try:
        parts = [_number(part) for part in dms]
        if any(not part.is_finite() or part < 0 for part in parts):
            return None
        if any(part >= 60 for part in parts[1:]):
            return None
        degrees = sum((part / Decimal(60) ** i for i, part in enumerate(parts)), start=Decimal(0))
    except (ArithmeticError, InvalidOperation, TypeError, ValueError):
        return None
    if degrees > limit:
        return None
    value = degrees.quantize(SEVEN_PLACES, rounding=ROUND_HALF_UP)
    return -value if negative[ref] else value


def meta_from_exif(exif: Image.Exif) -> PhotoMeta:
    """The time and place in an EXIF block, each field on its own."""
    taken_at = None
    latitude = longitude = None
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # a broken Exif IFD leaves the time to IFD0
        details = {}
    taken_at = parse_datetime(
        details.get(DATETIME_ORIGINAL), details.get(OFFSET_TIME_ORIGINAL)
    ) or parse_datetime(exif.get(DATETIME), details.get(OFFSET_TIME))
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a broken GPS IFD means no place, not a failed upload
        gps = {}
    latitude = dms_to_decimal(gps.get(GPS_LATITUDE), gps.get(GPS_LATITUDE_REF), limit=90)
    longitude = dms_to_decimal(gps.get(GPS_LONGITUDE), gps.get(GPS_LONGITUDE_REF), limit=180)
    if latitude is None or longitude is None:
        latitude = longitude = None  # half a point is no point
    return PhotoMeta(taken_at=taken_at, latitude=latitude, longitude=longitude)


# --- Reading an upload ---------------------------------------------------------------------


def max_bytes() -> int:
    return int(settings.LINLI_PHOTO_MAX_MB) * 1024 * 1024


def read_photo(file: IO[bytes] | Any) -> PhotoMeta:
    """Check an uploaded photo and read its EXIF time and place.

    Refuses (bilingual ``ValidationError`` on ``image``) a file over the size cap, one Pillow
    cannot open or verify, and formats browsers do not show. Leaves the file at its start.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    limit = int(settings.LINLI_PHOTO_MAX_MB)
    if size > max_bytes():
        raise refuse(
            f"照片超过 {limit} MB",
            f"the photo is larger than {limit} MB",
            "too_large",
        )
    not_an_image = refuse(
        "文件不是可识别的图片",
        "the file is not an image we can read",
        "not_an_image",
    )
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind = image.format
            image.verify()
        file.seek(0)
        with Image.open(file) as image:  # verify() leaves the image unusable: reopen
            exif = image.getexif()
    except Exception as exc:  # Pillow's decoders raise many kinds of error on junk
        raise not_an_image from exc
    finally:
        file.seek(0)
    if kind not in ACCEPTED_FORMATS:
        raise refuse(
            "照片格式须为 JPEG、PNG 或 WebP",
            "the photo must be a JPEG, PNG or WebP",
            "format",
        )
    return meta_from_exif(exif)
