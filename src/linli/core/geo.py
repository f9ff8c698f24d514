"""Coordinate systems used by Chinese maps, and distances.

* WGS-84: GPS receivers, OpenStreetMap, what we store.
* GCJ-02 ("Mars coordinates"): the state-mandated obfuscation used by AMap
  (Gaode), Tencent and Apple maps in China. Inside China's rough bounding
  box it shifts points by up to ~700 m; outside, GCJ-02 equals WGS-84.
* BD-09: Baidu's extra offset applied on top of GCJ-02.

All functions take and return ``(lon, lat)`` in decimal degrees, as floats.
The forward transforms are the widely published formulas (as in
eviltransform and coordtransform); the inverses are iterative, so a round
trip is exact to well under a millimetre instead of the 1-2 m of the
usual one-step approximation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum

from linli.core.errors import Invalid

__all__ = [
    "CHINA_BBOX",
    "XIGONG_EXTENT",
    "CoordSystem",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_wgs84_in_china",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "in_china_bbox",
    "in_xigong_extent",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

LonLat = tuple[float, float]


class CoordSystem(StrEnum):
    """A geographic coordinate system; the value is the lower-case wire name."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


#: The rough box (min_lon, min_lat, max_lon, max_lat) inside which GCJ-02
#: differs from WGS-84; the same constants as eviltransform/coordtransform.
CHINA_BBOX: tuple[float, float, float, float] = (72.004, 0.8293, 137.8347, 55.8271)

#: (min_lon, min_lat, max_lon, max_lat), WGS-84, of Xigong District, Luoyang
#: (县级代码 410303). The urban core lies around N 34°39'-34°42',
#: E 112°24'-112°27'; the box extends north-west to take in the rural
#: 红山 and 洛北 sub-districts, giving 112.33-112.46 E, 34.64-34.76 N. It is
#: deliberately generous (about 12 km x 13 km): it is a plausibility check for
#: demo data and data entry, not a boundary.
XIGONG_EXTENT: tuple[float, float, float, float] = (112.33, 34.64, 112.46, 34.76)

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_MEAN_EARTH_RADIUS_M = 6371008.8  # IUGG mean radius

# Iteration stops once the forward image is within this many degrees of the
# target (1e-11 degrees is about a micrometre).
_INVERSE_TOLERANCE_DEG = 1e-11
_INVERSE_MAX_STEPS = 50


def in_china_bbox(lon: float, lat: float) -> bool:
    """Whether the point lies inside :data:`CHINA_BBOX`, where GCJ-02 applies."""
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def in_xigong_extent(lon: float, lat: float) -> bool:
    """Whether the WGS-84 point lies inside :data:`XIGONG_EXTENT`."""
    min_lon, min_lat, max_lon, max_lat = XIGONG_EXTENT
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def _gcj02_offset(lon: float, lat: float) -> LonLat:
    """The GCJ-02 minus WGS-84 offset (dlon, dlat) in degrees at a WGS-84 point."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += common
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += common
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / (
        (_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi
    )
    d_lon = (d_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def _invert(
    forward: Callable[[float, float], LonLat], lon: float, lat: float, guess: LonLat
) -> LonLat:
    """Solve ``forward(p) == (lon, lat)`` by fixed-point iteration from ``guess``.

    The offsets vary slowly with position, so ``p -= forward(p) - target``
    contracts quickly (a handful of steps to micrometre precision).
    """
    p_lon, p_lat = guess
    for _ in range(_INVERSE_MAX_STEPS):
        f_lon, f_lat = forward(p_lon, p_lat)
        e_lon, e_lat = f_lon - lon, f_lat - lat
        if abs(e_lon) < _INVERSE_TOLERANCE_DEG and abs(e_lat) < _INVERSE_TOLERANCE_DEG:
            break
        p_lon -= e_lon
        p_lat -= e_lat
    return p_lon, p_lat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """WGS-84 to GCJ-02; unchanged outside :data:`CHINA_BBOX`."""
    if not in_china_bbox(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> LonLat:
    """GCJ-02 to WGS-84 by iterating the forward transform (round trip < 0.01 m)."""
    if in_china_bbox(lon, lat):
        d_lon, d_lat = _gcj02_offset(lon, lat)
        guess = (lon - d_lon, lat - d_lat)
    else:
        guess = (lon, lat)
    return _invert(wgs84_to_gcj02, lon, lat, guess)


def gcj02_to_bd09(lon: float, lat: float) -> LonLat:
    """GCJ-02 to BD-09 (Baidu); the formula is applied everywhere."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> LonLat:
    """BD-09 to GCJ-02: the usual one-step formula refined to an exact inverse."""
    x = lon - 0.0065
    y = lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, lon, lat, (z * math.cos(theta), z * math.sin(theta)))


def wgs84_to_bd09(lon: float, lat: float) -> LonLat:
    """WGS-84 to BD-09, via GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> LonLat:
    """BD-09 to WGS-84, via GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon: float, lat: float, system: CoordSystem | str) -> LonLat:
    """Convert a point given in ``system`` to WGS-84."""
    match CoordSystem(system):
        case CoordSystem.WGS84:
            return float(lon), float(lat)
        case CoordSystem.GCJ02:
            return gcj02_to_wgs84(lon, lat)
        case CoordSystem.BD09:
            return bd09_to_wgs84(lon, lat)


def from_wgs84(lon: float, lat: float, system: CoordSystem | str) -> LonLat:
    """Convert a WGS-84 point to ``system``."""
    match CoordSystem(system):
        case CoordSystem.WGS84:
            return float(lon), float(lat)
        case CoordSystem.GCJ02:
            return wgs84_to_gcj02(lon, lat)
        case CoordSystem.BD09:
            return wgs84_to_bd09(lon, lat)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a sphere of the mean Earth radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2.0) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2.0) ** 2
    return 2.0 * _MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def check_wgs84_in_china(lon: float, lat: float) -> LonLat:
    """The point as floats if it is a possible WGS-84 point in China, else :class:`Invalid`.

    Rejects non-numbers, latitudes outside -90..90, longitudes outside
    -180..180, and points outside :data:`CHINA_BBOX` (with a hint when the
    two values look swapped).
    """
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise Invalid(
            f"经纬度必须是数字:经度 {lon!r},纬度 {lat!r}",
            f"longitude and latitude must be numbers: lon {lon!r}, lat {lat!r}",
            "coord_not_number",
        ) from exc
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise Invalid(
            f"经纬度必须是有限数值:经度 {lon_f},纬度 {lat_f}",
            f"longitude and latitude must be finite: lon {lon_f}, lat {lat_f}",
            "coord_not_finite",
        )
    if not in_china_bbox(lon_f, lat_f) and in_china_bbox(lat_f, lon_f):
        raise Invalid(
            f"坐标 ({lon_f}, {lat_f}) 不在中国境内;经度和纬度是否填反了?",
            f"point ({lon_f}, {lat_f}) is outside China; are longitude and latitude swapped?",
            "coord_swapped",
        )
    if not -90.0 <= lat_f <= 90.0:
        raise Invalid(
            f"纬度 {lat_f} 超出 -90 到 90 的范围",
            f"latitude {lat_f} is outside -90..90",
            "coord_lat_range",
        )
    if not -180.0 <= lon_f <= 180.0:
        raise Invalid(
            f"经度 {lon_f} 超出 -180 到 180 的范围",
            f"longitude {lon_f} is outside -180..180",
            "coord_lon_range",
        )
    if not in_china_bbox(lon_f, lat_f):
        raise Invalid(
            f"坐标 (经度 {lon_f}, 纬度 {lat_f}) 不在中国境内",
            f"point (lon {lon_f}, lat {lat_f}) is outside China",
            "coord_outside_china",
        )
    return lon_f, lat_f
