"""The finder returns exactly the stations within the walk, nearest first, with "open now"."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.stations import selectors, services
from gongzhi.stations.models import Station

from .factories import C1, C2, make_station, offset

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ring(city):
    """Stations around 甲社区 (C1, at the origin) just inside and just outside the walk."""
    return {
        "north_in": make_station(C1, "北860", offset(860, 0)),
        "north_out": make_station(C2, "北870", offset(870, 0)),
        "east_in": make_station(C1, "东600", offset(0, 600), fns=("儿童之家",), facilities=["aed"]),
        "corner_in": make_station(C1, "东北600", offset(600, 600)),  # 848.5 m
        "corner_out": make_station(
            C1, "东北620", offset(620, 620)
        ),  # 876.8 m: inside the box, outside the walk
        "merged": make_station(C1, "并入的站", offset(100, 0)),
    }


ORIGIN = offset(0, 0)


def near(viewer, lat_lng=ORIGIN, **kw):
    return selectors.stations_near(viewer=viewer, lat=lat_lng[0], lng=lat_lng[1], **kw)


def test_exactly_the_stations_within_the_walk__nearest_first(ring, resident_a, planner_of_city):
    services.station_merge(sources=[ring["merged"]], into=ring["east_in"], actor=planner_of_city)
    found = near(resident_a)
    names = [n.station.name for n in found]
    # 一号站 (the hand-made city's own, 300 m north) is within reach too.
    assert names == ["一号站", "东600", "东北600", "北860"]
    assert [round(n.distance_m) for n in found] == [300, 600, 849, 860]
    assert found[-1].walk_minutes == pytest.approx(860 * 1.3 / 75)


def test_closed_stations__are_not_found(ring, resident_a, planner_of_city):
    services.station_close(station=ring["east_in"], actor=planner_of_city, reason="装修")
    assert "东600" not in [n.station.name for n in near(resident_a)]


def test_a_shorter_walk__finds_fewer(ring, resident_a):
    # 576.9 m: the station 100 m north and 一号站 at 300 m; not 东600 at 600 m.
    assert [n.station.name for n in near(resident_a, minutes=10)] == ["并入的站", "一号站"]


def test_function_and_facility_filters(ring, resident_a):
    assert [n.station.name for n in near(resident_a, function="children_home")] == ["东600"]
    assert [n.station.name for n in near(resident_a, facility="aed")] == ["东600"]


def test_open_now__reads_the_hours_in_china_time(ring, resident_a, town_staff_a):
    day_only = make_station(C1, "白天站", offset(0, -200), hours="09:00-18:00")
    evening = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 in Shanghai, a Monday
    found = {n.station.name: n for n in near(resident_a, now=evening)}
    assert not found["白天站"].status.is_open
    assert found["白天站"].status.next_open == datetime(2026, 3, 3, 9, 0)
    assert found["一号站"].status.is_open  # open around the clock
    assert "白天站" not in [n.station.name for n in near(resident_a, now=evening, open_now=True)]
    morning = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    assert "白天站" in [n.station.name for n in near(resident_a, now=morning, open_now=True)]
    assert day_only.pk


def test_open_now__a_closed_day_exception_counts(ring, resident_a):
    from datetime import date

    from gongzhi.lib.opening_hours import parse_intervals

    s = make_station(C1, "节日闭站", offset(0, -100), hours="08:00-20:00")
    services.hours_exception_set(station=s, actor=None, day=date(2026, 3, 2), intervals=())
    services.hours_exception_set(
        station=s, actor=None, day=date(2026, 3, 3), intervals=parse_intervals("22:00-02:00")
    )
    monday_noon = datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
    wednesday_1am = datetime(2026, 3, 4, 1, 0, tzinfo=SHANGHAI)
    assert not {n.station.name: n for n in near(resident_a, now=monday_noon)}["节日闭站"].status.is_open
    # Tuesday's exception opens 22:00 and runs into Wednesday 02:00.
    status = {n.station.name: n for n in near(resident_a, now=wednesday_1am)}["节日闭站"].status
    assert status.is_open and status.until == datetime(2026, 3, 4, 2, 0)


def test_lookup__uses_a_bounding_box_on_the_indexed_columns(ring, resident_a):
    with CaptureQueriesContext(connection) as ctx:
        near(resident_a)
    station_query = next(q["sql"] for q in ctx.captured_queries if 'FROM "stations_station"' in q["sql"])
    assert '"lat" >=' in station_query and '"lng" <=' in station_query
    if connection.vendor == "sqlite":
        sql, params = (
            Station.objects.findable()
            .filter(lat__gte=29.9, lat__lte=30.1, lng__gte=103.9, lng__lte=104.1)
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "station_lat_lng" in plan


def test_anyone_signed_in_may_search_but_not_anonymous(ring, make_user):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        near(AnonymousUser())
    roleless = make_user(None)
    with pytest.raises(PermissionDenied):
        near(roleless)


def test_a_point_outside_china__is_refused(resident_a):
    with pytest.raises(ValidationError):
        near(resident_a, (48.85, 2.35))
