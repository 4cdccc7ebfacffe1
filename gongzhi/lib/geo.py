"""Geography helpers: distance, WGS-84/GCJ-02, walking reach, local projection and geohash cells.

Contracts shared by every function here:

* Coordinates are decimal degrees, latitude first (``lat, lng``), WGS-84 unless a name says
  otherwise (architecture decision 6: we store WGS-84 and convert GCJ-02 only at the edges).
* Bad coordinates (not finite, latitude outside [-90, 90], longitude outside [-180, 180]) raise
  ``ValueError`` with a message that names the offending value.
* Distances are metres on a sphere of the IUGG mean Earth radius. The sphere is off the WGS-84
  ellipsoid by at most ~0.5 %, far below what a walking-distance estimate can resolve.

Pure Python + numpy; no Django import (see ``gongzhi/lib/__init__.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_DETOUR",
    "DEFAULT_SPEED_KMH",
    "EARTH_RADIUS_M",
    "GEOHASH_PRECISION_BY_RADIUS",
    "cells_within",
    "chord_m",
    "gcj02_to_wgs84",
    "geohash_bbox",
    "geohash_cell_size_m",
    "geohash_decode",
    "geohash_encode",
    "geohash_neighbors",
    "geohash_precision_for_radius",
    "haversine_m",
    "haversine_m_array",
    "in_china",
    "project_local",
    "reach_m",
    "sphere_xyz",
    "validate_lat_lng",
    "validate_lat_lng_arrays",
    "walking_minutes",
    "wgs84_to_gcj02",
]

FloatArray = npt.NDArray[np.float64]

#: IUGG mean Earth radius R1 = (2a + b) / 3, in metres.
EARTH_RADIUS_M: Final = 6_371_008.8

# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def validate_lat_lng(lat: float, lng: float) -> tuple[float, float]:
    """Return ``(lat, lng)`` as floats, or raise ``ValueError`` naming the bad value.

    Accepts anything ``float()`` accepts (so numeric strings from forms work too).
    """
    try:
        lat_f = float(lat)
    except (TypeError, ValueError):
        raise ValueError(f"latitude {lat!r} is not a number") from None
    try:
        lng_f = float(lng)
    except (TypeError, ValueError):
        raise ValueError(f"longitude {lng!r} is not a number") from None
    if not math.isfinite(lat_f) or not -90.0 <= lat_f <= 90.0:
        raise ValueError(f"latitude {lat_f!r} is out of range: it must be between -90 and 90")
    if not math.isfinite(lng_f) or not -180.0 <= lng_f <= 180.0:
        raise ValueError(f"longitude {lng_f!r} is out of range: it must be between -180 and 180")
    return lat_f, lng_f


def validate_lat_lng_arrays(lats: npt.ArrayLike, lngs: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`validate_lat_lng`: float arrays of equal shape, or ``ValueError``.

    The message names the first offending position and value, so a caller can point at a row.
    """
    lat = np.asarray(lats, dtype=np.float64)
    lng = np.asarray(lngs, dtype=np.float64)
    if lat.shape != lng.shape:
        raise ValueError(f"latitudes and longitudes differ in shape: {lat.shape} vs {lng.shape}")
    bad_lat = ~(np.isfinite(lat) & (np.abs(lat) <= 90.0))
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat.ravel())[0])
        raise ValueError(
            f"latitude {float(lat.ravel()[i])!r} at position {i} is out of range: it must be between -90 and 90"
        )
    bad_lng = ~(np.isfinite(lng) & (np.abs(lng) <= 180.0))
    if bad_lng.any():
        i = int(np.flatnonzero(bad_lng.ravel())[0])
        raise ValueError(
            f"longitude {float(lng.ravel()[i])!r} at position {i} is out of range: it must be between -180 and 180"
        )
    return lat, lng


# --------------------------------------------------------------------------------------------
# Distance
# --------------------------------------------------------------------------------------------


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine formula).

    d = 2R·asin(√(sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2))); well conditioned for short distances,
    which is what a city needs.
    """
    lat1, lng1 = validate_lat_lng(lat1, lng1)
    lat2, lng2 = validate_lat_lng(lat2, lng2)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # min() guards asin against h creeping past 1 by rounding for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def haversine_m_array(
    lat1: npt.ArrayLike, lng1: npt.ArrayLike, lat2: npt.ArrayLike, lng2: npt.ArrayLike
) -> FloatArray:
    """Vectorised :func:`haversine_m`; arguments broadcast with numpy rules.

    ``haversine_m_array(lat[:, None], lng[:, None], lat2[None, :], lng2[None, :])`` gives a
    full distance matrix. Inputs are not range-checked (this is the hot path); validate once
    with :func:`validate_lat_lng_arrays` where the data enters.
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dl = np.radians(np.asarray(lng2, dtype=np.float64) - np.asarray(lng1, dtype=np.float64))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# --------------------------------------------------------------------------------------------
# WGS-84 <-> GCJ-02
# --------------------------------------------------------------------------------------------

# Krasovsky 1940 ellipsoid parameters used by the published GCJ-02 transform
# (REQUIREMENTS-CN.md, Maps).
_GCJ_A: Final = 6378245.0
_GCJ_EE: Final = 0.00669342162296594323

# The conventional "is it in China" box of the reference implementations (eviltransform,
# coordtransform). It is a rectangle, so it also includes parts of neighbouring countries;
# keeping it identical to the references keeps our output identical to the maps' own.
_CHINA_LAT_MIN: Final = 0.8293
_CHINA_LAT_MAX: Final = 55.8271
_CHINA_LNG_MIN: Final = 72.004
_CHINA_LNG_MAX: Final = 137.8347


def in_china(lat: float, lng: float) -> bool:
    """True if the point lies in the bounding box where GCJ-02 applies an offset."""
    lat, lng = validate_lat_lng(lat, lng)
    return _CHINA_LAT_MIN <= lat <= _CHINA_LAT_MAX and _CHINA_LNG_MIN <= lng <= _CHINA_LNG_MAX


def _gcj_offset_deg(lat: float, lng: float) -> tuple[float, float]:
    """The GCJ-02 (Δlat, Δlng) in degrees at a WGS-84 point (the published algorithm)."""
    x = lng - 105.0
    y = lat - 35.0
    pi = math.pi
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lng += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lng += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lng += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    # Scale the metre-like offsets to degrees on the Krasovsky ellipsoid: meridian radius of
    # curvature M = a(1-e²)/W³ and parallel radius N·cos φ = a·cos φ/W, W = √(1 - e² sin² φ).
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """Convert a WGS-84 point to GCJ-02 (高德/腾讯 tiles); unchanged outside China's box.

    Exact: this is the published forward transform, matching the map providers' own output.
    """
    lat, lng = validate_lat_lng(lat, lng)
    if not in_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _gcj_offset_deg(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float, *, tolerance_deg: float = 1e-10) -> tuple[float, float]:
    """Approximate inverse of :func:`wgs84_to_gcj02`, FOR DISPLAY ONLY.

    GCJ-02 has no closed-form inverse, so we iterate w ← w − (gcj(w) − g), a fixed point
    that converges in a handful of steps to well under a centimetre inside China. It is still
    an approximation (and is discontinuous at the edge of the China box), so never feed the
    result back into stored data as if it were surveyed WGS-84: keep the original GCJ-02 value
    too, or ask the user to pick the point on a WGS-84/CGCS2000 basemap (天地图).
    """
    lat, lng = validate_lat_lng(lat, lng)
    if not in_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _ in range(30):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng) if in_china(w_lat, w_lng) else (w_lat, w_lng)
        e_lat, e_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - e_lat, w_lng - e_lng
        if abs(e_lat) < tolerance_deg and abs(e_lng) < tolerance_deg:
            break
    return w_lat, w_lng


# --------------------------------------------------------------------------------------------
# Walking reach (architecture decision 6)
# --------------------------------------------------------------------------------------------

DEFAULT_DETOUR: Final = 1.3
DEFAULT_SPEED_KMH: Final = 4.5


def _check_walk_params(detour: float, speed_kmh: float) -> None:
    if not isinstance(detour, int | float) or not isinstance(speed_kmh, int | float):
        raise ValueError(f"detour={detour!r} and speed_kmh={speed_kmh!r} must be numbers")
    if not math.isfinite(detour) or detour < 1.0:
        raise ValueError(
            f"detour={detour!r} must be at least 1 (a street is never shorter than a straight line)"
        )
    if not math.isfinite(speed_kmh) or speed_kmh <= 0:
        raise ValueError(f"speed_kmh={speed_kmh!r} must be a positive number")


def walking_minutes(
    distance_m: float | npt.ArrayLike, detour: float = DEFAULT_DETOUR, speed_kmh: float = DEFAULT_SPEED_KMH
) -> float | FloatArray:
    """Minutes to walk a straight-line distance: t = d · detour / v.

    ``detour`` is the street-network factor (street length ÷ straight line; ~1.2-1.4 in
    Chinese towns). ``distance_m`` may be a numpy array; the result then is one too.
    """
    _check_walk_params(detour, speed_kmh)
    d = np.asarray(distance_m, dtype=np.float64)
    if (~np.isfinite(d) | (d < 0)).any():
        raise ValueError(f"distance_m={distance_m!r} must be finite and not negative")
    minutes = d * detour / (speed_kmh * 1000.0 / 60.0)
    return float(minutes) if minutes.ndim == 0 else minutes


def reach_m(minutes: float, detour: float = DEFAULT_DETOUR, speed_kmh: float = DEFAULT_SPEED_KMH) -> float:
    """Straight-line metres reachable on foot in ``minutes``: the inverse of :func:`walking_minutes`.

    r = t · v / detour; e.g. 15 min at 4.5 km/h with detour 1.3 → 865 m. Use it to turn the
    "15-minute walk" rule into the radius the planning models take.
    """
    _check_walk_params(detour, speed_kmh)
    if not isinstance(minutes, int | float) or not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes={minutes!r} must be finite and not negative")
    return minutes * (speed_kmh * 1000.0 / 60.0) / detour


# --------------------------------------------------------------------------------------------
# Local projection for KD-trees
# --------------------------------------------------------------------------------------------


def project_local(
    lats: npt.ArrayLike,
    lngs: npt.ArrayLike,
    ref_lat: float | None = None,
    ref_lng: float | None = None,
) -> FloatArray:
    """Project points to planar metres, shape ``(n, 2)`` with columns x (east), y (north).

    Equirectangular about ``ref_lat``: x = R·Δλ·cos φ0, y = R·Δφ. North-south distances are
    exact; east-west ones are off by the factor cos φ0 / cos φ, i.e. about tan φ0 · Δφ, which is
    0.2 % twenty kilometres from φ0 at 30°N: good for a city or a county, not for a province.
    The references default to the centre of the data's bounding box; pass them explicitly when
    two point sets must share one projection (demand and candidate sites, say).
    """
    lat, lng = validate_lat_lng_arrays(lats, lngs)
    lat = np.atleast_1d(lat)
    lng = np.atleast_1d(lng)
    if ref_lat is None:
        ref_lat = float((lat.min() + lat.max()) / 2) if lat.size else 0.0
    if ref_lng is None:
        ref_lng = float((lng.min() + lng.max()) / 2) if lng.size else 0.0
    ref_lat, ref_lng = validate_lat_lng(ref_lat, ref_lng)
    # Wrap Δλ into [-180, 180) so a city straddling the antimeridian stays contiguous.
    d_lng = (lng - ref_lng + 180.0) % 360.0 - 180.0
    x = EARTH_RADIUS_M * np.radians(d_lng) * math.cos(math.radians(ref_lat))
    y = EARTH_RADIUS_M * np.radians(lat - ref_lat)
    return np.column_stack([x, y])


def sphere_xyz(lats: npt.ArrayLike, lngs: npt.ArrayLike) -> FloatArray:
    """Points on the Earth sphere as 3-D Cartesian metres, shape ``(n, 3)``.

    The straight (chord) distance between two such points is c = 2R·sin(d / 2R) for
    great-circle distance d, a strictly increasing function. So a KD-tree on these
    coordinates returns neighbours in exact great-circle order and "within d" is "chord ≤
    :func:`chord_m` (d)" at any scale, with none of :func:`project_local`'s distortion; the
    planning models rely on that for their optimality proofs.
    """
    lat, lng = validate_lat_lng_arrays(lats, lngs)
    phi = np.radians(np.atleast_1d(lat))
    lam = np.radians(np.atleast_1d(lng))
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_M * np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def chord_m(arc_m: float) -> float:
    """Chord length for a great-circle distance: c = 2R·sin(d / 2R), for 0 ≤ d ≤ πR."""
    if not math.isfinite(arc_m) or arc_m < 0:
        raise ValueError(f"arc_m={arc_m!r} must be finite and not negative")
    return 2 * EARTH_RADIUS_M * math.sin(min(arc_m, math.pi * EARTH_RADIUS_M) / (2 * EARTH_RADIUS_M))


# --------------------------------------------------------------------------------------------
# Geohash
# --------------------------------------------------------------------------------------------

_BASE32: Final = "0123456789bcdefghjkmnpqrstuvwxyz"
_BASE32_INDEX: Final = {c: i for i, c in enumerate(_BASE32)}
_MAX_PRECISION: Final = 12

#: Suggested precision for a "within R metres" query (cells_within with it yields roughly
#: 4-30 cells at Chinese latitudes). Cell size at precision p, at 30°N:
#: 5 → 4.9 km × 4.2 km, 6 → 610 m × 1.06 km, 7 → 153 m × 132 m, 8 → 19 m × 33 m.
#: Store the finest precision you will query (8 covers every row here); a coarser cell is
#: a prefix of the finer one, so query with ``LIKE 'wm3yx%'`` or a stored column per
#: precision. Use (max radius in metres, precision) pairs, smallest radius first.
GEOHASH_PRECISION_BY_RADIUS: Final = ((40.0, 8), (300.0, 7), (1_500.0, 6), (10_000.0, 5), (50_000.0, 4))


def geohash_encode(lat: float, lng: float, precision: int = 8) -> str:
    """Standard base-32 geohash of a point (Niemeyer 2008), ``precision`` characters, 1-12.

    Bits alternate longitude, latitude, starting with longitude; a point exactly on a cell
    edge belongs to the cell on its north/east side, as in the reference implementations.
    """
    lat, lng = validate_lat_lng(lat, lng)
    _check_precision(precision)
    lat_lo, lat_hi = -90.0, 90.0
    lng_lo, lng_hi = -180.0, 180.0
    chars: list[str] = []
    bits = 0
    value = 0
    even = True
    while len(chars) < precision:
        if even:
            mid = (lng_lo + lng_hi) / 2
            if lng >= mid:
                value = (value << 1) | 1
                lng_lo = mid
            else:
                value <<= 1
                lng_hi = mid
        else:
            mid = (lat_lo + lat_hi) / 2
            if lat >= mid:
                value = (value << 1) | 1
                lat_lo = mid
            else:
                value <<= 1
                lat_hi = mid
        even = not even
        bits += 1
        if bits == 5:
            chars.append(_BASE32[value])
            bits = 0
            value = 0
    return "".join(chars)


def _check_precision(precision: int) -> None:
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= _MAX_PRECISION:
        raise ValueError(f"precision={precision!r} must be an integer from 1 to {_MAX_PRECISION}")


def geohash_bbox(geohash: str) -> tuple[float, float, float, float]:
    """The cell of a geohash as ``(lat_min, lat_max, lng_min, lng_max)`` in degrees."""
    if not isinstance(geohash, str) or not 1 <= len(geohash) <= _MAX_PRECISION:
        raise ValueError(f"geohash {geohash!r} must be a string of 1 to {_MAX_PRECISION} characters")
    lat_lo, lat_hi = -90.0, 90.0
    lng_lo, lng_hi = -180.0, 180.0
    even = True
    for ch in geohash.lower():
        idx = _BASE32_INDEX.get(ch)
        if idx is None:
            raise ValueError(f"geohash {geohash!r} contains {ch!r}, which is not a geohash character")
        for shift in range(4, -1, -1):
            bit = (idx >> shift) & 1
            if even:
                mid = (lng_lo + lng_hi) / 2
                if bit:
                    lng_lo = mid
                else:
                    lng_hi = mid
            else:
                mid = (lat_lo + lat_hi) / 2
                if bit:
                    lat_lo = mid
                else:
                    lat_hi = mid
            even = not even
    return lat_lo, lat_hi, lng_lo, lng_hi


def geohash_decode(geohash: str) -> tuple[float, float]:
    """The centre ``(lat, lng)`` of a geohash cell."""
    lat_lo, lat_hi, lng_lo, lng_hi = geohash_bbox(geohash)
    return (lat_lo + lat_hi) / 2, (lng_lo + lng_hi) / 2


def _cell_deg(precision: int) -> tuple[float, float]:
    """(height, width) of a geohash cell in degrees: 5p bits, ⌈5p/2⌉ of them longitude."""
    lng_bits = (5 * precision + 1) // 2
    lat_bits = 5 * precision // 2
    return 180.0 / 2**lat_bits, 360.0 / 2**lng_bits


def geohash_cell_size_m(precision: int, lat: float = 30.0) -> tuple[float, float]:
    """(height, width) of a geohash cell in metres at latitude ``lat``."""
    _check_precision(precision)
    lat, _ = validate_lat_lng(lat, 0.0)
    h_deg, w_deg = _cell_deg(precision)
    m_per_deg = math.pi * EARTH_RADIUS_M / 180.0
    return h_deg * m_per_deg, w_deg * m_per_deg * math.cos(math.radians(lat))


def geohash_neighbors(geohash: str) -> dict[str, str]:
    """The eight cells around ``geohash``, keyed ``n ne e se s sw w nw``.

    Longitude wraps at the antimeridian; there is nothing north of the top row or south of the
    bottom row, so those keys are left out there.
    """
    lat_lo, lat_hi, lng_lo, lng_hi = geohash_bbox(geohash)
    precision = len(geohash)
    h = lat_hi - lat_lo
    w = lng_hi - lng_lo
    c_lat = (lat_lo + lat_hi) / 2
    c_lng = (lng_lo + lng_hi) / 2
    out: dict[str, str] = {}
    # Step from the centre by one cell: the centre of the neighbour is far from any edge,
    # so no rounding can land it in the wrong cell.
    for key, d_lat, d_lng in (
        ("n", 1, 0),
        ("ne", 1, 1),
        ("e", 0, 1),
        ("se", -1, 1),
        ("s", -1, 0),
        ("sw", -1, -1),
        ("w", 0, -1),
        ("nw", 1, -1),
    ):
        lat = c_lat + d_lat * h
        if not -90.0 < lat < 90.0:
            continue
        lng = (c_lng + d_lng * w + 180.0) % 360.0 - 180.0
        out[key] = geohash_encode(lat, lng, precision)
    return out


def geohash_precision_for_radius(radius_m: float) -> int:
    """The suggested geohash precision for a radius query (see ``GEOHASH_PRECISION_BY_RADIUS``).

    Radii above the table's last row get precision 3 (cells of ~156 km × 135 km).
    """
    if not math.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"radius_m={radius_m!r} must be finite and not negative")
    for max_radius, precision in GEOHASH_PRECISION_BY_RADIUS:
        if radius_m <= max_radius:
            return precision
    return 3


_MAX_CELLS: Final = 10_000


def cells_within(lat: float, lng: float, radius_m: float, precision: int | None = None) -> list[str]:
    """Geohash cells that together contain every point within ``radius_m`` of ``(lat, lng)``.

    Store a geohash column (indexed) on the rows; then
    ``WHERE geohash_p IN (cells_within(...)) AND <exact distance ≤ R>`` finds "reports within R
    metres" with an index lookup per cell instead of a table scan. The returned set is a
    superset: the exact distance check stays, the cells only prune. Precision ``None`` picks
    :func:`geohash_precision_for_radius`. Raises ``ValueError`` if the precision is so fine
    for the radius that more than 10 000 cells would be needed.
    """
    lat, lng = validate_lat_lng(lat, lng)
    if not math.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"radius_m={radius_m!r} must be finite and not negative")
    if precision is None:
        precision = geohash_precision_for_radius(radius_m)
    _check_precision(precision)
    h_deg, w_deg = _cell_deg(precision)

    # Bounding box of the spherical cap, padded by 0.1 % + 1 cm against rounding. Latitude
    # extent is exact (Δφ = r / R); for longitude, the widest point of a cap of angular radius
    # δ is at Δλ = asin(sin δ / cos φ) (Veness, "Finding points within a distance").
    delta = (radius_m * 1.001 + 0.01) / EARTH_RADIUS_M
    d_lat = math.degrees(delta)
    lat_min = max(-90.0, lat - d_lat)
    lat_max = min(90.0, lat + d_lat)
    cos_lat = math.cos(math.radians(lat))
    if lat_min <= -90.0 or lat_max >= 90.0 or math.sin(delta) >= cos_lat:
        lng_min, lng_max = -180.0, 180.0  # the cap contains a pole: every longitude
    else:
        d_lng = math.degrees(math.asin(math.sin(delta) / cos_lat))
        lng_min, lng_max = lng - d_lng, lng + d_lng

    # Cell grid indices; longitude may run past ±180 and is wrapped when encoding.
    i0 = math.floor((lat_min + 90.0) / h_deg)
    i1 = min(math.floor((lat_max + 90.0) / h_deg), round(180.0 / h_deg) - 1)
    j0 = math.floor((lng_min + 180.0) / w_deg)
    j1 = math.floor((lng_max + 180.0) / w_deg)
    n_lng_cells = round(360.0 / w_deg)
    if j1 - j0 + 1 > n_lng_cells:
        j0, j1 = 0, n_lng_cells - 1
    count = (i1 - i0 + 1) * (j1 - j0 + 1)
    if count > _MAX_CELLS:
        raise ValueError(
            f"precision={precision} is too fine for radius_m={radius_m}: it would need {count} cells; "
            f"use precision={geohash_precision_for_radius(radius_m)}"
        )

    cells: list[str] = []
    # Exact distances, so the slack only absorbs floating-point rounding.
    limit = radius_m * (1 + 1e-9) + 1e-3
    for i in range(i0, i1 + 1):
        c_lat_lo = -90.0 + i * h_deg
        for j in range(j0, j1 + 1):
            c_lng_lo = -180.0 + j * w_deg
            if _gap_to_cell_m(lat, lng, c_lat_lo, c_lat_lo + h_deg, c_lng_lo, w_deg) <= limit:
                cells.append(geohash_encode(c_lat_lo + h_deg / 2, _wrap_lng(c_lng_lo + w_deg / 2), precision))
    return _unique(cells)


def _gap_to_cell_m(
    lat: float, lng: float, lat_lo: float, lat_hi: float, lng_lo: float, width: float
) -> float:
    """Great-circle distance from a point to the nearest point of a lat/lng cell (0 inside).

    East-west, points of a cell get nearer as |Δλ| shrinks (cos d = sin φ sin φq +
    cos φ cos φq cos Δλ), so the nearest point is on the nearer meridian edge unless the point's
    own meridian crosses the cell; then it is straight north or south. On a meridian edge the
    foot of the perpendicular is at tan φ* = tan φ / cos Δλ, clamped to the edge.
    """
    lo_rel = _wrap_lng(lng_lo - lng)  # west edge, relative to the point's meridian
    hi_rel = lo_rel + width
    if lo_rel <= 0.0 <= hi_rel:
        near_lat = min(max(lat, lat_lo), lat_hi)
        return abs(near_lat - lat) * math.pi * EARTH_RADIUS_M / 180.0
    d_lng = lo_rel if lo_rel > 0 else hi_rel
    cos_dl = math.cos(math.radians(d_lng))
    if cos_dl <= 0.0:
        return 0.0  # a quarter of the globe away: only reachable by huge radii; keep the cell
    foot = math.degrees(math.atan(math.tan(math.radians(lat)) / cos_dl)) if abs(lat) < 90.0 else lat
    near_lat = min(max(foot, lat_lo), lat_hi)
    return haversine_m(lat, lng, near_lat, _wrap_lng(lng + d_lng))


def _wrap_lng(lng: float) -> float:
    return (lng + 180.0) % 360.0 - 180.0


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
