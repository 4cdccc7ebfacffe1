"""Coverage figures on the hand-made city (tests/factories.py), worked out by hand."""

import math

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from gongzhi.areas.models import Area
from gongzhi.stations import selectors, services
from gongzhi.stations.models import PopulationGrid, PopulationPoint

from .factories import C1, C3, C5, CITY, T1, T2, offset

pytestmark = pytest.mark.django_db


def report(viewer, code=CITY, **kw):
    return selectors.coverage(viewer=viewer, area=Area.objects.get(code=code), **kw)


def test_city__share_within_15_minutes__counts_the_communities_near_active_stations(planner_of_city):
    r = report(planner_of_city)
    assert r.radius_m == pytest.approx(15 * 75 / 1.3)
    assert r.total == 15000
    assert r.covered == 1000 + 2000 + 4000  # C1, C2, C4; C3 only has a closed station
    assert r.share == pytest.approx(7000 / 15000)


def test_city__by_town__splits_the_population_and_the_covered_share(planner_of_city):
    towns = {t.code: t for t in report(planner_of_city).towns}
    assert set(towns) == {T1, T2}
    assert (towns[T1].population, towns[T1].covered) == (6000, 3000)
    assert (towns[T2].population, towns[T2].covered) == (9000, 4000)
    assert towns[T1].share == pytest.approx(0.5)
    assert towns[T2].function_share("职工之家") == pytest.approx(4000 / 9000)


def test_city__by_function__counts_only_stations_offering_it(planner_of_city):
    r = report(planner_of_city)
    assert r.function_covered["工会驿站"] == 3000
    assert r.function_covered["暖心驿站"] == 3000
    assert r.function_covered["职工之家"] == 4000  # not C3: its 职工之家 is closed
    assert r.function_covered["儿童之家"] == 0
    assert r.function_sites["职工之家"] == 1


def test_city__uncovered_communities__listed_most_people_first_with_the_nearest_station(planner_of_city):
    rows = report(planner_of_city).uncovered
    assert [(u.code, u.uncovered) for u in rows] == [(C5, 5000), (C3, 3000)]
    c5, c3 = rows
    assert c5.nearest_name == "二号站"
    assert c5.nearest_m == pytest.approx(math.hypot(500, 2000), abs=1.0)
    assert c3.nearest_name == "一号站"
    assert c3.nearest_m == pytest.approx(2700, abs=0.5)
    assert c3.nearest_minutes == pytest.approx(2700 * 1.3 / 75, abs=0.05)


def test_town__only_its_own_communities__but_stations_anywhere_count(planner_of_t1):
    r = report(planner_of_t1, T1)
    assert (r.total, r.covered) == (6000, 3000)


def test_shorter_walk__covers_fewer(planner_of_city):
    assert report(planner_of_city, minutes=10).covered == 7000  # 576.9 m still reaches 300 m and 500 m
    assert report(planner_of_city, minutes=5).covered == 0  # 288.5 m reaches nobody


def test_map_layer__marks_covered_and_uncovered_points(planner_of_city):
    points = {p["name"]: p["covered"] for p in report(planner_of_city).points}
    assert points == {"甲社区": True, "乙社区": True, "丙社区": False, "丁社区": True, "戊社区": False}


def test_town_staff__cannot_read_another_town(planner_of_t1):
    with pytest.raises(Http404):
        report(planner_of_t1, T2)


def test_detour_and_speed__are_settings(planner_of_city, settings):
    # Straight streets and a run: 15 min × 150 m/min ÷ 1.0 = 2250 m reaches C5 (2062 m), not C3 (2700 m).
    settings.GONGZHI_STATIONS = {"DETOUR": 1.0, "SPEED_KMH": 9.0}
    r = report(planner_of_city)
    assert r.radius_m == pytest.approx(2250)
    assert r.covered == 7000 + 5000  # C5 at 2061.6 m is now within reach


# --- population grids ---------------------------------------------------------------------


def grid_csv(rows: list[str], header: str = "id,lat,lng,weight") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "grid.csv", ("\n".join([header, *rows]) + "\n").encode(), content_type="text/csv"
    )


def test_grid__points_weighted_by_the_csv__give_the_coverage(planner_of_city):
    near_s1 = offset(100, 0)
    far = offset(2000, 10000)
    upload = grid_csv([f"a,{near_s1[0]},{near_s1[1]},30", f"b,{far[0]},{far[1]},70"])
    grid = services.population_grid_import(
        actor=planner_of_city, area=Area.objects.get(code=CITY), name="网格", upload=upload
    )
    assert grid.point_count == 2 and grid.total_weight == 100
    assert dict(PopulationPoint.objects.values_list("ext_id", "community_code")) == {"a": C1, "b": C5}
    r = report(planner_of_city, grid=grid)
    assert (r.total, r.covered) == (100, 30)
    assert [(u.code, u.uncovered) for u in r.uncovered] == [(C5, 70)]


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        (["a,30.0,104.0,5"], "id,lat,lng", "weight"),
        (["a,30.0,104.0,-5"], "id,lat,lng,weight", "row 2"),
        (["a,30.0,104.0,5", "b,48.85,2.35,5"], "id,lat,lng,weight", "row 3"),
        (["a,abc,104.0,5"], "id,lat,lng,weight", "row 2"),
    ],
)
def test_grid__bad_csv__names_the_row_or_column_and_writes_nothing(planner_of_city, rows, header, expected):
    from django.utils import translation

    # The language is fixed here: an earlier test in the same worker may leave Chinese active.
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.population_grid_import(
            actor=planner_of_city,
            area=Area.objects.get(code=CITY),
            name="网格",
            upload=grid_csv(rows, header),
        )
    with translation.override("en"):
        message = str(exc.value.message_dict["file"][0])
    assert expected in message
    assert not PopulationGrid.objects.exists()


def test_grid__a_point_far_outside_the_area__is_refused_by_id(planner_of_city):
    beijing = "39.9,116.4"
    with pytest.raises(ValidationError) as exc:
        services.population_grid_import(
            actor=planner_of_city,
            area=Area.objects.get(code=CITY),
            name="网格",
            upload=grid_csv([f"far-1,{beijing},5"]),
        )
    assert "far-1" in exc.value.message_dict["file"][0]
    assert not PopulationGrid.objects.exists()


def test_grid__town_staff_cannot_import_for_the_city(planner_of_t1):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.population_grid_import(
            actor=planner_of_t1,
            area=Area.objects.get(code=CITY),
            name="网格",
            upload=grid_csv(["a,30.0,104.0,1"]),
        )


def test_grid__excel_gb18030_csv__is_read(planner_of_city):
    text = "id,lat,lng,weight\n甲1,30.0,104.0,10\n"
    upload = SimpleUploadedFile("网格.csv", text.encode("gb18030"))
    grid = services.population_grid_import(
        actor=planner_of_city, area=Area.objects.get(code=CITY), name="网格", upload=upload
    )
    assert grid.points.get().ext_id == "甲1"
