"""The station finder with 100,000 stations: "stations within a 15-minute walk of me".

The finder (gongzhi.stations.selectors.stations_near) cuts the table to the walking circle's
bounding box with a range on the indexed (lat, lng) columns, then keeps the stations whose exact
great-circle distance is within reach, and reads their hours for "open now". Baseline in the same
run: the scan a finder without the index would do, reading every active station's coordinates
and computing the distance to each (vectorised numpy haversine). Every query's answer is checked
to be the same set of stations both ways.

Stations are clustered like real ones: 2,000 towns spread over Sichuan, 50 stations each within a
few kilometres of the town centre, each with weekly hours; queries start near a random town.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="10,000 stations, 100 queries")
    parser.add_argument("--database-url", default="", help="default: a scratch SQLite file")
    args = parser.parse_args()
    n_stations = 10_000 if args.quick else args.stations
    n_queries = 100 if args.quick else args.queries

    tmp = tempfile.mkdtemp(prefix="gz-bench-stations-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("GONGZHI_VAR_DIR", tmp)
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import membership_grant, user_create
    from gongzhi.areas.models import Area
    from gongzhi.areas.services import areas_import_csv
    from gongzhi.lib import geo
    from gongzhi.stations import selectors
    from gongzhi.stations.conf import reach_m
    from gongzhi.stations.models import Station, StationHours

    if not Area.objects.exists():
        areas_import_csv()
    viewer = User.objects.first() or user_create(mobile="13800000001", name="居民")
    if not viewer.memberships.exists():
        membership_grant(user=viewer, role=Role.RESIDENT, area=Area.objects.get(code="510185001001"))

    rng = random.Random(2026)
    towns = [(rng.uniform(26.5, 33.5), rng.uniform(98.5, 108.0)) for _ in range(max(1, n_stations // 50))]
    if Station.objects.count() < n_stations:
        started = time.perf_counter()
        m_per_deg = 111_195.0
        rows = []
        for i in range(n_stations):
            lat0, lng0 = towns[i % len(towns)]
            dn, de = rng.gauss(0, 1500), rng.gauss(0, 1500)
            lat = lat0 + dn / m_per_deg
            lng = lng0 + de / (m_per_deg * np.cos(np.radians(lat0)))
            rows.append(Station(name=f"站{i}", area_id="510185001001", lat=lat, lng=lng))
        Station.objects.bulk_create(rows, batch_size=5000)
        ids = list(Station.objects.values_list("id", flat=True))
        from datetime import time as t

        hours = [
            StationHours(station_id=pk, weekday=d, opens=t(8), closes=t(20)) for pk in ids for d in range(7)
        ]
        StationHours.objects.bulk_create(hours, batch_size=10000)
        print(f"built {n_stations:,} stations with weekly hours in {time.perf_counter() - started:.1f} s")

    radius = reach_m(15)
    queries = []
    for _ in range(n_queries):
        lat0, lng0 = rng.choice(towns)
        queries.append((lat0 + rng.gauss(0, 1000) / 111_195.0, lng0 + rng.gauss(0, 1000) / 96_000.0))

    def finder(lat, lng):
        return {n.station.pk for n in selectors.stations_near(viewer=viewer, lat=lat, lng=lng, limit=10**6)}

    def scan(lat, lng):
        ids, lats, lngs = zip(
            *Station.objects.findable().values_list("id", "lat", "lng").iterator(chunk_size=20_000),
            strict=True,
        )
        d = geo.haversine_m_array(lat, lng, np.asarray(lats), np.asarray(lngs))
        return {ids[i] for i in np.flatnonzero(d <= radius)}

    def timed(fn, points):
        times, answers = [], []
        for lat, lng in points:
            t0 = time.perf_counter()
            answers.append(fn(lat, lng))
            times.append((time.perf_counter() - t0) * 1000)
        return times, answers

    finder(*queries[0])  # warm caches, compile the queries once
    f_times, f_answers = timed(finder, queries)
    baseline_points = queries[: max(10, n_queries // 10)]  # the scan is slow: a tenth of the queries
    s_times, s_answers = timed(scan, baseline_points)
    mismatches = sum(a != b for a, b in zip(f_answers, s_answers, strict=False))
    found = [len(a) for a in f_answers]

    plan = ""
    if connection.vendor == "sqlite":
        lat, lng = queries[0]
        qs = (
            Station.objects.findable()
            .filter(lat__gte=lat - 0.01, lat__lte=lat + 0.01, lng__gte=lng - 0.01, lng__lte=lng + 0.01)
            .order_by()
        )
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as c:
            c.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "; ".join(str(r[-1]) for r in c.fetchall())
    elif connection.vendor == "postgresql":
        lat, lng = queries[0]
        qs = (
            Station.objects.findable()
            .filter(lat__gte=lat - 0.01, lat__lte=lat + 0.01, lng__gte=lng - 0.01, lng__lte=lng + 0.01)
            .order_by()
        )
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as c:
            c.execute("ANALYZE stations_station")
            c.execute("EXPLAIN " + sql, params)
            plan = " / ".join(r[0].strip() for r in c.fetchall())

    def p(values, q):
        return float(np.percentile(values, q))

    print(
        f"\nstation finder, {n_stations:,} stations, 15-minute walk ({radius:.0f} m), {connection.vendor}, "
        f"stations found per query: median {statistics.median(found):.0f}, max {max(found)}"
    )
    print(f"{'method':<58}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    print(
        f"{'finder: (lat, lng) index range + exact distance + open now':<58}{len(f_times):>8}"
        f"{p(f_times, 50):>9.2f}{p(f_times, 95):>9.2f}{statistics.fmean(f_times):>9.2f}"
    )
    print(
        f"{'baseline: read every station, numpy haversine':<58}{len(s_times):>8}"
        f"{p(s_times, 50):>9.2f}{p(s_times, 95):>9.2f}{statistics.fmean(s_times):>9.2f}"
    )
    print(
        f"ratio baseline/finder (mean): {statistics.fmean(s_times) / statistics.fmean(f_times):.0f}x; "
        f"answers identical on {len(s_answers) - mismatches} of {len(s_answers)} queries"
    )
    if plan:
        print(f"{connection.vendor} plan of the box query: {plan}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
