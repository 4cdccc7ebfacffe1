"""Stations for tests, and a hand-made city whose coverage can be worked out on paper.

The hand-made city (county 519901, fictional) lies around 30°N 104°E. Distances are set in metres
north and east of its origin; at 15 minutes, 1.3 detour and 4.5 km/h the walking reach is
15 × 75 ÷ 1.3 = 865.4 m.
"""

from __future__ import annotations

import math

from gongzhi.areas.models import Area, Level
from gongzhi.lib import geo, opening_hours
from gongzhi.stations import services
from gongzhi.stations.models import StationFunction
from gongzhi.stations.standard import ensure_standard_functions

ORIGIN = (30.0, 104.0)
M_PER_DEG_LAT = math.pi * geo.EARTH_RADIUS_M / 180


def offset(north_m: float = 0.0, east_m: float = 0.0, origin=ORIGIN) -> tuple[float, float]:
    """The point ``north_m`` metres north and ``east_m`` east of ``origin`` (exact along a
    meridian; east along the parallel of the origin)."""
    lat0, lng0 = origin
    lat = lat0 + north_m / M_PER_DEG_LAT
    lng = lng0 + east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat, lng


def functions(*names: str) -> list[StationFunction]:
    ensure_standard_functions(StationFunction)  # transactional tests flush the migration's rows
    return [StationFunction.objects.get(name=n) for n in names]


def make_station(
    area_code: str,
    name: str,
    at: tuple[float, float],
    *,
    fns=(),
    hours: str | None = "24h",
    actor=None,
    **extra,
):
    station = services.station_create(
        actor=actor,
        name=name,
        area=Area.objects.get(code=area_code),
        lat=at[0],
        lng=at[1],
        functions=functions(*fns),
        **extra,
    )
    if hours is not None:
        services.station_set_hours(
            station=station, actor=actor, weekly={d: opening_hours.parse_intervals(hours) for d in range(7)}
        )
    return station


CITY = "519900000000"
COUNTY = "519901000000"
T1 = "519901001000"
T2 = "519901002000"
C1, C2, C3 = "519901001001", "519901001002", "519901001003"
C4, C5 = "519901002001", "519901002002"


def hand_made_city() -> dict:
    """Five communities in two towns, two active stations and a closed one.

    ======  ======  ===========================  ==========  =================================
    code    people  where (m north, m east)      town        nearest active station
    ======  ======  ===========================  ==========  =================================
    C1      1000    (0, 0)                       T1          S1, 300 m: covered
    C2      2000    (600, 0)                     T1          S1, 300 m: covered
    C3      3000    (3000, 0)                    T1          S1, 2700 m (the closed S3 is here)
    C4      4000    (0, 10000)                   T2          S2, 500 m: covered
    C5      5000    (2000, 10000)                T2          S2, √(500² + 2000²) = 2061.6 m
    ======  ======  ===========================  ==========  =================================

    S1 at (300, 0) offers 工会驿站 and 暖心驿站; S2 at (0, 10500) offers 职工之家.
    """
    Area.objects.get_or_create(
        code=CITY, defaults={"name": "手工市", "level": Level.CITY, "parent_id": "510000000000"}
    )
    Area.objects.get_or_create(
        code=COUNTY,
        defaults={
            "name": "手工县",
            "level": Level.COUNTY,
            "parent_id": CITY,
            "lat": ORIGIN[0],
            "lng": ORIGIN[1],
        },
    )
    towns = {T1: ("一镇", offset()), T2: ("二镇", offset(0, 10000))}
    for code, (name, (lat, lng)) in towns.items():
        Area.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": Level.TOWN, "parent_id": COUNTY, "lat": lat, "lng": lng},
        )
    places = {
        C1: ("甲社区", 1000, offset(0, 0)),
        C2: ("乙社区", 2000, offset(600, 0)),
        C3: ("丙社区", 3000, offset(3000, 0)),
        C4: ("丁社区", 4000, offset(0, 10000)),
        C5: ("戊社区", 5000, offset(2000, 10000)),
    }
    for code, (name, pop, (lat, lng)) in places.items():
        Area.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": Level.VILLAGE,
                "parent_id": code[:9] + "000",
                "lat": lat,
                "lng": lng,
                "population": pop,
            },
        )
    s1 = make_station(C1, "一号站", offset(300, 0), fns=("工会驿站", "暖心驿站"))
    s2 = make_station(C4, "二号站", offset(0, 10500), fns=("职工之家",))
    s3 = make_station(C3, "旧三号站", offset(3000, 0), fns=("职工之家",))
    services.station_close(station=s3, actor=None, reason="撤并")
    return {"s1": s1, "s2": s2, "s3": s3}
