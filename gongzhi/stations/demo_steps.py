"""Demo stations: the seed's "178 scattered stations merged into 73 multi-function ones" over the
22 towns/streets of 简阳市, with 龙颈路大群团综合服务站 (工会驿站, 暖心驿站, 暖心角) in 简城街道 near the
demo resident, a few stations in 渭滨区, opening hours with some special days, facilities,
owners among the mass organisations, the merge history of the 105 merged-away stations, and one
planner run of 简城街道.

Written in bulk (one audit entry for the batch), deterministic for a given seed, and idempotent:
a second run leaves what is there. It does not import ``gongzhi.demo`` (that layer sits above the
apps), so the demo logins are found in ``ctx.users`` by mobile number.
"""

from __future__ import annotations

import math
import random
from datetime import date, time, timedelta

from django.utils import timezone

from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import geo

from .models import (
    HoursException,
    Station,
    StationEvent,
    StationFunction,
    StationHours,
    StationStatus,
)
from .standard import ensure_standard_functions

ORDER = 60
CITY_STAFF_MOBILE = "13800000009"
TOWN_STAFF_MOBILE = "13800000008"
JIANYANG = "510185"
JIANCHENG = "510185001000"
ANXIANGJIE = "510185001001"
WEIBIN = "610302"
SURVIVORS = 73
MERGED = 178 - 73

# Which mass organisation runs which function (the names seeded by gongzhi.demo).
OWNER_BY_FUNCTION = {
    "职工之家": "简阳市总工会",
    "工会驿站": "简阳市总工会",
    "暖心驿站": "简阳市总工会",
    "新就业群体服务站": "简阳市总工会",
    "青年之家": "共青团简阳市委员会",
    "妇女之家": "简阳市妇女联合会",
    "儿童之家": "简阳市妇女联合会",
    "残疾人之家": "简阳市残疾人联合会",
    "老年活动中心": "简阳市老龄协会",
}
# Typical function sets of a merged, multi-function station.
BUNDLES = [
    ("职工之家", "工会驿站", "暖心驿站"),
    ("青年之家", "妇女之家", "儿童之家"),
    ("老年活动中心", "儿童之家", "暖心角"),
    ("工会驿站", "新就业群体服务站", "暖心角"),
    ("职工之家", "妇女之家", "老年活动中心", "残疾人之家"),
    ("暖心驿站", "青年之家", "儿童之家"),
]
# Weekly patterns: (weekday set, "HH:MM-HH:MM, ...").
OFFICE = [(range(5), "09:00-12:00, 14:00-18:00"), ((5,), "09:00-17:00")]
EXTENDED = [(range(7), "08:00-21:00")]
ALWAYS = [(range(7), "24h")]
RIDERS = [(range(7), "07:00-23:00")]
ELDERLY = [(range(6), "08:30-11:30, 14:00-17:30")]
FACILITY_SETS = [
    ["water", "charging", "toilet", "microwave", "seats", "wifi"],
    ["water", "seats", "toilet", "wifi"],
    ["water", "charging", "seats", "aed", "first_aid", "toilet"],
    ["water", "seats"],
]


def _intervals(text: str) -> list[tuple[time, time]]:
    from gongzhi.lib.opening_hours import parse_intervals

    return [(i.opens, i.closes) for i in parse_intervals(text)]


def _near(rng: random.Random, lat: float, lng: float, max_m: float) -> tuple[float, float]:
    """A point up to ``max_m`` metres from (lat, lng), uniformly on the disc."""
    r = max_m * rng.random() ** 0.5
    bearing = rng.uniform(0, 2 * math.pi)
    m_per_deg = math.pi * geo.EARTH_RADIUS_M / 180
    d_lat = r * math.cos(bearing) / m_per_deg
    d_lng = r * math.sin(bearing) / (m_per_deg * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lng + d_lng, 6)


def seed(ctx) -> None:
    if Station.objects.exists():
        return
    rng = random.Random(ctx.seed * 31 + 6)
    ensure_standard_functions(StationFunction)  # a flushed test database has lost the migration's rows
    functions = {f.name: f for f in StationFunction.objects.all()}
    owners = {o.name: o for o in Organisation.objects.filter(kind=OrgKind.MASS_ORG)}
    actor = ctx.users.get(CITY_STAFF_MOBILE)
    towns = list(Area.objects.filter(code__startswith=JIANYANG, level=Level.TOWN).order_by("code"))
    communities = {
        t.code: list(Area.objects.filter(parent=t, lat__isnull=False).order_by("code")) for t in towns
    }

    # 73 survivors: two to four per town (简城街道 the most), each by a community's centre.
    plan: list[tuple[Area, Area, str, tuple[str, ...]]] = []  # (area, near, name, functions)
    jc = communities[JIANCHENG]
    anxiang = next(c for c in jc if c.code == ANXIANGJIE)
    plan.append(
        (
            Area.objects.get(code=JIANCHENG),
            anxiang,
            "龙颈路大群团综合服务站",
            ("工会驿站", "暖心驿站", "暖心角"),
        )
    )
    for c in jc[1:5]:
        plan.append((c, c, f"{c.name}综合服务站", rng.choice(BUNDLES)))
    others = [t for t in towns if t.code != JIANCHENG]
    per_town = {t.code: 3 for t in others}
    extra = SURVIVORS - len(plan) - sum(per_town.values())
    for t in sorted(others, key=lambda t: -len(communities[t.code]))[: max(0, extra)]:
        per_town[t.code] += 1
    for t in others:
        picks = rng.sample(communities[t.code], min(per_town[t.code], len(communities[t.code])))
        for i, c in enumerate(sorted(picks, key=lambda a: a.code)):
            name = f"{t.name}大群团综合服务站" if i == 0 else f"{c.name}综合服务站"
            plan.append((c, c, name, rng.choice(BUNDLES)))
    plan = plan[:SURVIVORS]

    now = timezone.now()
    merged_at = now - timedelta(days=200)
    stations: list[Station] = []
    for area, near, name, _fns in plan:
        lat, lng = _near(rng, near.lat, near.lng, 250 if name.startswith("龙颈路") else 400)
        stations.append(
            Station(
                name=name,
                area=area,
                address=f"{area.name if area.level == Level.VILLAGE else near.name}{rng.randint(1, 200)}号",
                lat=lat,
                lng=lng,
                source_lat=lat,
                source_lng=lng,
                facilities=rng.choice(FACILITY_SETS),
                capacity=rng.choice([20, 30, 40, 60, 80]),
                phone=f"028-270{rng.randint(10000, 99999)}",
                description="整合群团阵地，“进一扇门、办多家事”。",
                created_by=actor,
                created_at=merged_at - timedelta(days=400),
                status_changed_at=merged_at,
            )
        )
    # 龙颈路: the seed's flagship station.
    stations[
        0
    ].description = "整合工会驿站、暖心驿站、暖心角等阵地，开展公益理发、爱心茶铺、网络营销师座谈等活动。"
    stations[0].facilities = ["water", "charging", "toilet", "microwave", "seats", "aed", "wifi", "first_aid"]
    stations[0].capacity = 80

    # A few stations in 渭滨区 (Baoji), the five-party-linkage community.
    weibin = list(
        Area.objects.filter(code__startswith=WEIBIN, level=Level.VILLAGE, lat__isnull=False).order_by("code")
    )
    weibin_plan = (
        [
            (
                next((a for a in weibin if a.name == "清姜路社区"), weibin[0]),
                "清姜路社区党群服务站",
                ("妇女之家", "儿童之家", "老年活动中心"),
            ),
            (weibin[1], f"{weibin[1].name}职工驿站", ("工会驿站", "暖心驿站")),
            (weibin[-1], f"{weibin[-1].name}新就业群体服务站", ("新就业群体服务站", "暖心角")),
        ]
        if len(weibin) >= 2
        else []
    )
    for area, name, _fns in weibin_plan:
        lat, lng = _near(rng, area.lat, area.lng, 300)
        stations.append(
            Station(
                name=name,
                area=area,
                address=f"{area.name}{rng.randint(1, 90)}号",
                lat=lat,
                lng=lng,
                source_lat=lat,
                source_lng=lng,
                facilities=rng.choice(FACILITY_SETS),
                capacity=30,
                created_by=actor,
                created_at=merged_at,
                status_changed_at=merged_at,
            )
        )
    fn_plan = [fns for _a, _n, _x, fns in plan] + [fns for _a, _n, fns in weibin_plan]

    # 105 merged-away stations: one function each, within 1.5 km of the station they joined.
    old: list[tuple[Station, int, str]] = []  # (station, index of the survivor, its one function)
    kinds = ["职工之家", "青年之家", "妇女之家", "工会驿站", "暖心驿站", "暖心角", "老年活动中心", "儿童之家"]
    for k in range(MERGED):
        j = k % SURVIVORS if k < SURVIVORS else rng.randrange(SURVIVORS)
        survivor = stations[j]
        kind = rng.choice(kinds)
        lat, lng = _near(rng, survivor.lat, survivor.lng, 1500)
        place = plan[j][1].name
        old.append(
            (
                Station(
                    name=f"{place}{kind}" + ("" if k < SURVIVORS else f"（{k - SURVIVORS + 2}）"),
                    area=plan[j][0],
                    address=f"{place}{rng.randint(1, 200)}号",
                    lat=lat,
                    lng=lng,
                    source_lat=lat,
                    source_lng=lng,
                    facilities=["seats"] if rng.random() < 0.5 else ["water", "seats"],
                    created_by=actor,
                    created_at=merged_at - timedelta(days=900),
                    status=StationStatus.ACTIVE,
                    status_changed_at=merged_at - timedelta(days=900),
                ),
                j,
                kind,
            )
        )

    Station.objects.bulk_create(stations)
    Station.objects.bulk_create([s for s, _j, _k in old])
    if not all(s.pk for s in stations):  # backends without RETURNING: read the ids back in order
        ids = list(Station.objects.order_by("id").values_list("id", flat=True))
        for s, pk in zip([*stations, *(s for s, _j, _k in old)], ids, strict=True):
            s.pk = s.id = pk

    # Functions and owners: the survivors end with their own and those of the stations they took in.
    through_f = Station.functions.through
    through_o = Station.organisations.through
    f_rows, o_rows, events = [], [], []
    moved: dict[int, set[str]] = {j: set() for j in range(len(stations))}
    for _s, j, kind in old:
        moved[j].add(kind)
    for j, s in enumerate(stations):
        names = list(dict.fromkeys([*fn_plan[j], *sorted(moved[j])]))
        f_rows += [
            through_f(station_id=s.pk, stationfunction_id=functions[n].pk) for n in names if n in functions
        ]
        orgs = {OWNER_BY_FUNCTION[n] for n in names if n in OWNER_BY_FUNCTION}
        o_rows += [
            through_o(station_id=s.pk, organisation_id=owners[o].pk) for o in sorted(orgs) if o in owners
        ]
        events.append(StationEvent(station=s, kind=StationEvent.Kind.CREATED, actor=actor, at=s.created_at))
    for s, j, kind in old:
        f_rows.append(through_f(station_id=s.pk, stationfunction_id=functions[kind].pk))
        if kind in OWNER_BY_FUNCTION and OWNER_BY_FUNCTION[kind] in owners:
            o_rows.append(through_o(station_id=s.pk, organisation_id=owners[OWNER_BY_FUNCTION[kind]].pk))
        target = stations[j]
        details = {
            "functions_moved": [kind] if kind not in fn_plan[j] else [],
            "organisations_moved": [],
            "distance_m": round(geo.haversine_m(s.lat, s.lng, target.lat, target.lng)),
        }
        note = "“178并73”阵地整合"
        events.append(StationEvent(station=s, kind=StationEvent.Kind.CREATED, actor=actor, at=s.created_at))
        events.append(
            StationEvent(
                station=s,
                kind=StationEvent.Kind.MERGED_INTO,
                other=target,
                actor=actor,
                at=merged_at,
                note=note,
                details=details,
            )
        )
        events.append(
            StationEvent(
                station=target,
                kind=StationEvent.Kind.ABSORBED,
                other=s,
                actor=actor,
                at=merged_at,
                note=note,
                details=details,
            )
        )
    through_f.objects.bulk_create(f_rows, ignore_conflicts=True)
    through_o.objects.bulk_create(o_rows, ignore_conflicts=True)
    StationEvent.objects.bulk_create(events)
    for j, target in enumerate(stations[:SURVIVORS]):
        Station.objects.filter(pk__in=[s.pk for s, jj, _k in old if jj == j]).update(
            status=StationStatus.MERGED, merged_into=target.pk, status_changed_at=merged_at
        )

    # Opening hours and a few special days (a closure for repairs; New Year's Day).
    hours = []
    today = timezone.localdate()
    for j, s in enumerate(stations):
        names = set(fn_plan[j])
        pattern = (
            EXTENDED
            if j == 0
            else ALWAYS
            if "暖心驿站" in names and rng.random() < 0.5
            else RIDERS
            if names & {"工会驿站", "新就业群体服务站"}
            else ELDERLY
            if "老年活动中心" in names and rng.random() < 0.5
            else OFFICE
        )
        for days, text in pattern:
            for d in days:
                hours += [StationHours(station=s, weekday=d, opens=a, closes=b) for a, b in _intervals(text)]
    StationHours.objects.bulk_create(hours)
    new_year = date(today.year + 1, 1, 1)
    exceptions = [HoursException(station=s, date=new_year, note="元旦闭站") for s in stations[1:20]]
    exceptions += [
        HoursException(station=stations[3], date=today + timedelta(days=2), note="设备检修"),
        HoursException(
            station=stations[0],
            date=today + timedelta(days=5),
            opens=time(10),
            closes=time(16),
            note="社区活动日，缩短开放",
        ),
    ]
    HoursException.objects.bulk_create(exceptions)

    audit_record(
        actor=actor,
        action="stations.demo_seed",
        object_type="stations.station",
        changes={"active": len(stations), "merged": len(old)},
    )
    ctx.counts["stations"] = len(stations)
    ctx.counts["stations_merged"] = len(old)
    _demo_plan(ctx)


def _demo_plan(ctx) -> None:
    """One proven-optimal plan of 简城街道, so the planner's history is not empty."""
    from .services import plan_run_start

    planner = ctx.users.get(TOWN_STAFF_MOBILE)
    area = Area.objects.get(code=JIANCHENG)
    plan_run_start(actor=planner, area=area, model="mclp", p=3, title="简城街道：保留3个站点的最优方案")
