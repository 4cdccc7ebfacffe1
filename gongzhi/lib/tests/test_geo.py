"""Tests for gongzhi.lib.geo: distances, GCJ-02, walking reach, projection, geohash cells."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.lib import geo

# --------------------------------------------------------------------------------------------
# Distance
# --------------------------------------------------------------------------------------------


def test_haversine__one_degree_of_latitude_is_111_195_m():
    assert geo.haversine_m(30.0, 104.0, 31.0, 104.0) == pytest.approx(
        math.pi * geo.EARTH_RADIUS_M / 180, abs=1e-6
    )
    assert geo.haversine_m(30.0, 104.0, 31.0, 104.0) == pytest.approx(111_195.08, abs=0.01)


def test_haversine__lands_end_to_john_o_groats_is_968_9_km():
    # Veness, "Calculate distance between two latitude/longitude points" worked example.
    assert geo.haversine_m(50.06639, -5.71472, 58.64389, -3.07) / 1000 == pytest.approx(968.9, abs=0.1)


def test_haversine__same_point_is_zero_and_order_does_not_matter():
    assert geo.haversine_m(30.39, 104.55, 30.39, 104.55) == 0.0
    a = geo.haversine_m(30.39, 104.55, 30.12, 104.66)
    assert a == geo.haversine_m(30.12, 104.66, 30.39, 104.55)


def test_haversine__across_the_antimeridian_is_short():
    assert geo.haversine_m(0.0, 179.999, 0.0, -179.999) == pytest.approx(222.39, abs=0.01)


def test_haversine_array__broadcasts_to_a_matrix_matching_the_scalar():
    lat = np.array([30.39, 30.40, 30.10])
    lng = np.array([104.55, 104.56, 104.70])
    lat2 = np.array([30.0, 31.0])
    lng2 = np.array([104.0, 105.0])
    mat = geo.haversine_m_array(lat[:, None], lng[:, None], lat2[None, :], lng2[None, :])
    assert mat.shape == (3, 2)
    for i in range(3):
        for j in range(2):
            assert mat[i, j] == pytest.approx(geo.haversine_m(lat[i], lng[i], lat2[j], lng2[j]), rel=1e-12)


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        (91.0, 104.0, "latitude 91.0 is out of range"),
        (-90.5, 104.0, "latitude -90.5 is out of range"),
        (30.0, 180.5, "longitude 180.5 is out of range"),
        (float("nan"), 104.0, "latitude nan is out of range"),
        ("north", 104.0, "latitude 'north' is not a number"),
        (30.0, None, "longitude None is not a number"),
    ],
)
def test_validate_lat_lng__refuses_bad_values_naming_them(lat, lng, message):
    with pytest.raises(ValueError, match=message):
        geo.validate_lat_lng(lat, lng)
    with pytest.raises(ValueError, match=message):
        geo.haversine_m(lat, lng, 30.0, 104.0)


def test_validate_lat_lng__accepts_numeric_strings_and_returns_floats():
    assert geo.validate_lat_lng("30.39", "104.55") == (30.39, 104.55)


def test_validate_lat_lng_arrays__names_the_position_of_the_first_bad_value():
    with pytest.raises(ValueError, match="latitude 95.0 at position 2"):
        geo.validate_lat_lng_arrays([30.0, 31.0, 95.0], [104.0, 104.0, 104.0])
    with pytest.raises(ValueError, match="differ in shape"):
        geo.validate_lat_lng_arrays([30.0], [104.0, 105.0])


# --------------------------------------------------------------------------------------------
# GCJ-02
# --------------------------------------------------------------------------------------------

# (wgs lat, wgs lng, gcj lat, gcj lng): the widely used reference vectors of coordtransform
# (Beijing) and eviltransform (Shanghai, Shenzhen, Beijing).
REFERENCE_VECTORS = [
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("lat", "lng", "g_lat", "g_lng"), REFERENCE_VECTORS)
def test_wgs84_to_gcj02__matches_the_published_reference_values(lat, lng, g_lat, g_lng):
    out = geo.wgs84_to_gcj02(lat, lng)
    assert out[0] == pytest.approx(g_lat, abs=1e-12)
    assert out[1] == pytest.approx(g_lng, abs=1e-12)


@pytest.mark.parametrize(("lat", "lng", "g_lat", "g_lng"), REFERENCE_VECTORS)
def test_gcj02_to_wgs84__recovers_the_reference_point_within_a_centimetre(lat, lng, g_lat, g_lng):
    back = geo.gcj02_to_wgs84(g_lat, g_lng)
    assert geo.haversine_m(lat, lng, *back) < 0.01


def test_gcj02_offset_in_chengdu_is_a_few_hundred_metres():
    # 简阳市 / Chengdu area: the offset is real (hundreds of metres), so forgetting it shows.
    lat, lng = 30.39, 104.55
    g = geo.wgs84_to_gcj02(lat, lng)
    assert 100 < geo.haversine_m(lat, lng, *g) < 700


@settings(max_examples=200, deadline=None)
@given(st.floats(18.2, 53.5), st.floats(73.6, 134.7))
def test_gcj02_roundtrip__is_within_a_metre_everywhere_in_china(lat, lng):
    g = geo.wgs84_to_gcj02(lat, lng)
    back = geo.gcj02_to_wgs84(*g)
    assert geo.haversine_m(lat, lng, *back) < 1.0


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(51.5074, -0.1278), (35.6762, 139.6503), (-33.87, 151.21), (40.71, -74.0), (60.0, 100.0)],
)
def test_gcj02__is_a_no_op_outside_china(lat, lng):
    assert not geo.in_china(lat, lng)
    assert geo.wgs84_to_gcj02(lat, lng) == (lat, lng)
    assert geo.gcj02_to_wgs84(lat, lng) == (lat, lng)


def test_in_china__uses_the_reference_bounding_box():
    assert geo.in_china(30.39, 104.55)
    assert geo.in_china(39.9, 116.4)
    # The box is a rectangle, as in the reference implementations, so it includes Singapore.
    assert geo.in_china(1.35, 103.82)
    assert not geo.in_china(0.5, 103.82)


# --------------------------------------------------------------------------------------------
# Walking reach
# --------------------------------------------------------------------------------------------


def test_reach_m__fifteen_minutes_is_about_865_m_with_the_defaults():
    assert geo.reach_m(15) == pytest.approx(15 * 75 / 1.3)
    assert geo.reach_m(15) == pytest.approx(865.38, abs=0.01)


def test_walking_minutes__is_the_inverse_of_reach_m():
    for minutes in (0.0, 5.0, 15.0, 42.5):
        assert geo.walking_minutes(geo.reach_m(minutes, 1.2, 4.0), 1.2, 4.0) == pytest.approx(minutes)


def test_walking_minutes__accepts_arrays():
    out = geo.walking_minutes(np.array([0.0, 750.0 / 1.3]))
    assert isinstance(out, np.ndarray)
    assert out == pytest.approx([0.0, 10.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: geo.walking_minutes(-1.0), "distance_m=-1.0 must be finite and not negative"),
        (lambda: geo.walking_minutes(100.0, detour=0.9), "detour=0.9 must be at least 1"),
        (lambda: geo.reach_m(15, speed_kmh=0), "speed_kmh=0 must be a positive number"),
        (lambda: geo.reach_m(-5), "minutes=-5 must be finite and not negative"),
    ],
)
def test_walking__refuses_impossible_parameters(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------


def test_project_local__keeps_city_distances_within_a_quarter_percent():
    rng = np.random.default_rng(7)
    lat = 30.39 + rng.uniform(-0.18, 0.18, 300)  # ±20 km
    lng = 104.55 + rng.uniform(-0.21, 0.21, 300)
    xy = geo.project_local(lat, lng)
    i, j = rng.integers(0, 300, (2, 500))
    planar = np.hypot(*(xy[i] - xy[j]).T)
    true = geo.haversine_m_array(lat[i], lng[i], lat[j], lng[j])
    ok = true > 100
    assert np.all(np.abs(planar[ok] / true[ok] - 1) < 0.0025)


def test_project_local__puts_the_reference_point_at_the_origin():
    xy = geo.project_local([30.39, 30.40], [104.55, 104.55], ref_lat=30.39, ref_lng=104.55)
    assert xy.shape == (2, 2)
    assert xy[0] == pytest.approx([0.0, 0.0])
    assert xy[1] == pytest.approx([0.0, geo.haversine_m(30.39, 104.55, 30.40, 104.55)])


def test_sphere_xyz__chord_is_the_great_circle_distance_mapped_by_chord_m():
    rng = np.random.default_rng(3)
    lat = rng.uniform(18, 53, 50)
    lng = rng.uniform(74, 134, 50)
    xyz = geo.sphere_xyz(lat, lng)
    chords = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=2)
    arcs = geo.haversine_m_array(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
    expected = np.vectorize(geo.chord_m)(arcs)
    assert np.allclose(chords, expected, atol=1e-4)


# --------------------------------------------------------------------------------------------
# Geohash
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lng", "precision", "expected"),
    [
        (57.64911, 10.40744, 11, "u4pruydqqvj"),  # Wikipedia's example
        (57.648, 10.410, 6, "u4pruy"),  # Veness's test suite
        (-25.38262, -49.26561, 8, "6gkzwgjz"),  # Veness's test suite
        (42.6, -5.6, 5, "ezs42"),  # Wikipedia's decoding example
        (0.0, 0.0, 5, "s0000"),
    ],
)
def test_geohash_encode__matches_published_values(lat, lng, precision, expected):
    assert geo.geohash_encode(lat, lng, precision) == expected


def test_geohash_decode__returns_the_cell_centre_containing_the_point():
    lat_lo, lat_hi, lng_lo, lng_hi = geo.geohash_bbox("ezs42")
    assert lat_lo <= 42.6 <= lat_hi and lng_lo <= -5.6 <= lng_hi
    assert geo.geohash_decode("ezs42") == pytest.approx(((lat_lo + lat_hi) / 2, (lng_lo + lng_hi) / 2))
    assert geo.geohash_decode("u4pruydqqvj") == pytest.approx((57.64911, 10.40744), abs=1e-5)


def test_geohash_neighbors__match_published_values():
    # Veness's test suite and R geohashTools' tests.
    assert geo.geohash_neighbors("ezzz") == {
        "n": "gbpb", "ne": "u000", "e": "spbp", "se": "spbn",
        "s": "ezzy", "sw": "ezzw", "w": "ezzx", "nw": "gbp8",
    }  # fmt: skip
    assert geo.geohash_neighbors("w0zpp8") == {
        "n": "w0zpp9", "ne": "w0zppc", "e": "w0zppb", "se": "w0znzz",
        "s": "w0znzx", "sw": "w0znzr", "w": "w0zpp2", "nw": "w0zpp3",
    }  # fmt: skip


def test_geohash_neighbors__wrap_at_the_antimeridian_and_stop_at_the_poles():
    east_edge = geo.geohash_encode(0.0, 179.99, 5)
    assert geo.geohash_neighbors(east_edge)["e"] == geo.geohash_encode(0.0, -179.99, 5)
    top = geo.geohash_encode(89.99, 10.0, 4)
    assert set(geo.geohash_neighbors(top)) == {"e", "se", "s", "sw", "w"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: geo.geohash_encode(30.0, 104.0, 0), "precision=0 must be an integer from 1 to 12"),
        (lambda: geo.geohash_encode(30.0, 104.0, 13), "precision=13 must be an integer from 1 to 12"),
        (lambda: geo.geohash_decode("wm6a"), "contains 'a'"),
        (lambda: geo.geohash_bbox(""), "must be a string of 1 to 12 characters"),
        (lambda: geo.cells_within(30.0, 104.0, -1.0), "radius_m=-1.0 must be finite and not negative"),
        (lambda: geo.cells_within(30.0, 104.0, 5_000.0, 9), "precision=9 is too fine for radius_m=5000.0"),
    ],
)
def test_geohash__refuses_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _destination(lat: float, lng: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """Spherical destination point (Veness), written independently of the code under test."""
    d = distance_m / geo.EARTH_RADIUS_M
    p1, l1, b = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lng=st.floats(-180.0, 180.0),
    radius=st.floats(1.0, 5_000.0),
    precision=st.sampled_from([None, 5, 6, 7]),
    bearing=st.floats(0.0, 360.0),
    fraction=st.floats(0.0, 1.0),
)
def test_cells_within__contain_every_point_within_the_radius(lat, lng, radius, precision, bearing, fraction):
    if precision == 7 and radius > 1_500:
        precision = 6  # keep the cell count sane; the contract is the same
    cells = set(geo.cells_within(lat, lng, radius, precision))
    p = precision or geo.geohash_precision_for_radius(radius)
    t_lat, t_lng = _destination(lat, lng, bearing, radius * fraction)
    assert geo.haversine_m(lat, lng, t_lat, t_lng) <= radius + 1e-6
    assert geo.geohash_encode(t_lat, t_lng, p) in cells


@pytest.mark.parametrize(("lat", "lng"), [(30.39, 104.55), (0.0, 179.9995), (85.0, 0.0), (-45.0, -0.0001)])
def test_cells_within__covers_the_boundary_circle_densely_sampled(lat, lng):
    for radius, precision in ((800.0, 6), (250.0, 7), (3_000.0, 5)):
        cells = set(geo.cells_within(lat, lng, radius, precision))
        for bearing in np.linspace(0, 360, 721):
            assert geo.geohash_encode(*_destination(lat, lng, float(bearing), radius), precision) in cells


def test_cells_within__reaching_a_pole_takes_every_longitude():
    cells = geo.cells_within(89.995, 0.0, 800.0, 4)
    assert {geo.geohash_encode(89.999, lng, 4) for lng in range(-180, 180, 5)} <= set(cells)


def test_cells_within__with_the_suggested_precision_needs_few_cells():
    # The point of the helper: an IN (...) of a few dozen cells, not a scan.
    for radius in (20.0, 40.0, 100.0, 300.0, 865.0, 1_500.0, 5_000.0, 10_000.0):
        n = len(geo.cells_within(30.39, 104.55, radius))
        assert 1 <= n <= 40, (radius, n)
    assert geo.geohash_precision_for_radius(865.0) == 6
    assert geo.cells_within(30.39, 104.55, 0.0) == [geo.geohash_encode(30.39, 104.55, 8)]


def test_cells_within__leaves_out_cells_the_circle_does_not_reach():
    lat, lng, radius, precision = 30.39, 104.55, 1_000.0, 7
    cells = geo.cells_within(lat, lng, radius, precision)
    h, w = geo.geohash_cell_size_m(precision, lat)
    # Cells of the bounding square whose corners are all far away are pruned.
    bbox_cells = (2 * radius / h + 2) * (2 * radius / w + 2)
    assert len(cells) < 0.9 * bbox_cells
    for cell in cells:
        c_lat, c_lng = geo.geohash_decode(cell)
        assert geo.haversine_m(lat, lng, c_lat, c_lng) <= radius + math.hypot(h, w)
