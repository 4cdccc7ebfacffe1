"""Benchmark: city sentinel leads at a province's scale (issue #4).

    python bench/bench_sentinel.py                 # 1,000,000 leads, SQLite and PostgreSQL
    python bench/bench_sentinel.py --quick         # 100,000 leads, fewer requests
    python bench/bench_sentinel.py --db postgres

Targets, with 1,000,000 reports stored: the duplicate look-up ("is this the same?") under 20 ms;
the Open311 ``GET requests`` under 100 ms at the 95th percentile.

Data: leads bulk-inserted (``COPY`` on PostgreSQL, ``executemany`` on SQLite) as tickets of kind
``sentinel`` with their ``Lead`` rows, over every community of the demo city weighted by
population, scattered around each community's centre (σ ≈ 600 m), over a year: about 2,700 a
day, so a category's 72-hour duplicate window holds a few thousand open leads city-wide and the
town centre is dense. Older than two weeks: closed (or merged away); the last two weeks in every
state.

Measured in this process:

* duplicate look-up: ``gongzhi.sentinel.selectors.nearby_open_leads`` (geohash cells with ``IN``,
  then the exact distance) at random points of the densest communities, against the baseline a
  look-up without the cell column would be — every open lead of the category in the window,
  distance computed for each — and both answers are checked to be the same leads;
* Open311 through Django's test client (middleware and rendering count): the default
  ``requests.json`` (last 90 days, 50 newest), one service code with ``status=open``, an older
  30-day window as XML, and ``requests/{id}.json``; baseline: ``/healthz`` (a minimal JSON view).

PostgreSQL: ``BENCH_PG_URL``'s server; a scratch database ``bench_sentinel`` is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tickets import _percentiles, _pg_admin, _setup_django, bulk_users  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_sentinel"
TARGET_NEARBY_MS = 20.0
TARGET_OPEN311_MS = 100.0
PER_DAY = 2_740
RECENT_DAYS = 14
RECENT_STATES = [
    ("submitted", 0.10),
    ("dispatched", 0.15),
    ("accepted", 0.10),
    ("in_progress", 0.15),
    ("resolved", 0.10),
    ("closed", 0.40),
]
CATEGORIES = [
    ("illegal_ads", "违规小广告"),
    ("fraud", "疑似诈骗"),
    ("property", "物业问题"),
    ("community", "其他"),
]
COLUMNS = (
    "id, kind, category, title, description, area_id, lat, lng, address, submitter_id, assignee_org_id, "
    "assignee_user_id, accepted_by_id, state, priority, deadline, escalation_level, extra, created_at, "
    "updated_at, dispatched_at, accepted_at, resolved_at, closed_at, resolution_note, rating, rating_comment, "
    "reopen_count"
)
LEAD_COLUMNS = "ticket_id, category_id, geohash, lat, lng, created_at, token, merged_into_id"


def build(n: int, seed: int = 2026) -> dict:
    """Areas, categories, reporters and n leads; returns what the measurements need."""
    from django.db import connection, transaction

    from gongzhi.areas.models import Area, Level
    from gongzhi.areas.services import areas_import_csv
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.lib.geo import geohash_encode
    from gongzhi.sentinel.models import GEOHASH_PRECISION, SentinelCategory

    rng = random.Random(seed)
    areas_import_csv()
    communities = list(Area.objects.filter(level=Level.VILLAGE, code__startswith="510185").order_by("code"))
    weights = [max(a.population, 1) for a in communities]
    unit = Organisation.objects.create(name="综合行政执法局", kind=OrgKind.DEPARTMENT, area_id="510185000000")
    categories = [
        SentinelCategory.objects.create(code=code, name=name, unit=unit, order=i)
        for i, (code, name) in enumerate(CATEGORIES)
    ]
    riders = bulk_users(5_000, "骑手")
    now = datetime.now(UTC)
    span = timedelta(seconds=n * 86400 / PER_DAY)
    deg_per_m = 1 / 111_320

    def rows():
        for pk in range(1, n + 1):
            created = now - span * rng.random()
            area = rng.choices(communities, weights)[0]
            lat = area.lat + rng.gauss(0, 600) * deg_per_m
            lng = area.lng + rng.gauss(0, 600) * deg_per_m / 0.87
            category = rng.choice(categories)
            if now - created < timedelta(days=RECENT_DAYS):
                roll, state = rng.random(), "closed"
                for s, share in RECENT_STATES:
                    roll -= share
                    if roll <= 0:
                        state = s
                        break
            else:
                state = "cancelled" if rng.random() < 0.05 else "closed"
            handled = state in ("accepted", "in_progress", "resolved", "closed")
            ticket = (
                pk, "sentinel", category.code, category.name, "路口有违规张贴的小广告", area.code, lat, lng,
                "", rng.choice(riders), unit.pk if state != "submitted" else None, None, None, state, 2,
                created + timedelta(hours=category.deadline_hours), 0, '{"source": "app"}', created, created,
                created + timedelta(minutes=10) if state != "submitted" else None,
                created + timedelta(hours=1) if handled else None,
                created + timedelta(hours=20) if state in ("resolved", "closed") else None,
                created + timedelta(hours=30) if state == "closed" else None,
                "已处理" if state in ("resolved", "closed") else "", None, "", 0,
            )  # fmt: skip
            lead = (
                pk,
                category.pk,
                geohash_encode(lat, lng, GEOHASH_PRECISION),
                lat,
                lng,
                created,
                None,
                None,
            )
            yield ticket, lead

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA synchronous=OFF")  # a bulk load: a crash would mean re-running the bench
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                leads = []
                with c.cursor.copy(f"COPY tickets_ticket ({COLUMNS}) FROM STDIN") as copy:
                    for ticket, lead in rows():
                        copy.write_row(ticket)
                        leads.append(lead)
                with c.cursor.copy(f"COPY sentinel_lead ({LEAD_COLUMNS}) FROM STDIN") as copy:
                    for lead in leads:
                        copy.write_row(lead)
                c.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [n])
        else:
            connection.ensure_connection()
            raw = connection.connection
            iso = lambda v: v.isoformat(sep=" ") if isinstance(v, datetime) else v  # noqa: E731
            t_sql = f"INSERT INTO tickets_ticket ({COLUMNS}) VALUES ({', '.join(['?'] * 28)})"
            l_sql = f"INSERT INTO sentinel_lead ({LEAD_COLUMNS}) VALUES ({', '.join(['?'] * 8)})"
            tickets, leads = [], []
            for ticket, lead in rows():
                tickets.append(tuple(map(iso, ticket)))
                leads.append(tuple(map(iso, lead)))
                if len(tickets) == 20_000:
                    raw.executemany(t_sql, tickets)
                    raw.executemany(l_sql, leads)
                    tickets.clear()
                    leads.clear()
            raw.executemany(t_sql, tickets)
            raw.executemany(l_sql, leads)
    inserted = time.perf_counter() - started
    with connection.cursor() as c:
        c.execute("ANALYZE")
    dense = sorted(communities, key=lambda a: -a.population)[:20]
    return {"categories": categories, "dense": dense, "insert_seconds": inserted, "rng": rng}


def _scan(category, lat: float, lng: float) -> set[int]:
    """The baseline: every open lead of the category in its window, each distance computed."""
    from django.utils import timezone

    from gongzhi.lib.geo import haversine_m
    from gongzhi.sentinel.models import Lead
    from gongzhi.tickets.models import OPEN_STATES

    since = timezone.now() - timedelta(hours=category.duplicate_window_hours)
    rows = Lead.objects.filter(
        category=category, created_at__gte=since, merged_into__isnull=True, ticket__state__in=OPEN_STATES
    ).values_list("pk", "lat", "lng")
    return {pk for pk, a, b in rows if haversine_m(lat, lng, a, b) <= category.duplicate_radius_m}


def measure(city: dict, rounds: int) -> dict:
    from django.db import connection
    from django.test import Client

    from gongzhi.sentinel.selectors import nearby_open_leads

    rng = city["rng"]
    samples: dict[str, list[float]] = {"nearby": [], "scan": []}
    found = []
    for i in range(rounds):
        area = rng.choice(city["dense"])
        category = city["categories"][i % len(city["categories"])]
        lat = area.lat + rng.gauss(0, 300) / 111_320
        lng = area.lng + rng.gauss(0, 300) / 111_320 / 0.87
        t0 = time.perf_counter()
        near = nearby_open_leads(category=category, lat=lat, lng=lng)
        samples["nearby"].append((time.perf_counter() - t0) * 1000)
        found.append(len(near))
        if i % 5 == 0:  # the baseline is slow: every fifth point, answers compared
            t0 = time.perf_counter()
            expected = _scan(category, lat, lng)
            samples["scan"].append((time.perf_counter() - t0) * 1000)
            assert {n.lead.pk for n in near} == expected, "duplicate look-up differs from the scan"
    plan = ""
    if connection.vendor == "postgresql":
        from gongzhi.lib.geo import cells_within
        from gongzhi.sentinel.models import GEOHASH_PRECISION, Lead

        category, area = city["categories"][0], city["dense"][0]
        cells = cells_within(area.lat, area.lng, category.duplicate_radius_m, precision=GEOHASH_PRECISION)
        plan = Lead.objects.filter(
            category=category, geohash__in=cells, created_at__gte=datetime.now(UTC)
        ).explain()

    client = Client()
    old_start = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old_end = (datetime.now(UTC) - timedelta(days=170)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent_id = client.get("/open311/v2/requests.json").json()[0]["service_request_id"]
    urls = {
        "default": "/open311/v2/requests.json",
        "code_open": "/open311/v2/requests.json?service_code=illegal_ads&status=open",
        "old_xml": f"/open311/v2/requests.xml?start_date={old_start}&end_date={old_end}&limit=100",
        "one": f"/open311/v2/requests/{recent_id}.json",
        "healthz": "/healthz",
    }
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
    for name in urls:
        samples[name] = []
    for _ in range(rounds):  # interleaved, so a noisy neighbour hits every series alike
        for name, url in urls.items():
            t0 = time.perf_counter()
            client.get(url)
            samples[name].append((time.perf_counter() - t0) * 1000)
    return {
        "samples": {k: list(_percentiles(v)) for k, v in samples.items()},
        "found_median": sorted(found)[len(found) // 2],
        "found_max": max(found),
        "plan": plan,
    }


def child(db: str, n: int, rounds: int) -> None:
    var = tempfile.mkdtemp(prefix="gz-bench-sentinel-")
    pg_url = f"{_pg_server()}/{DB_NAME}"
    try:
        if db == "postgres":
            _pg_admin(DB_NAME, create=True)
            _setup_django(pg_url, var)
        else:
            _setup_django(f"sqlite:///{var}/bench.sqlite3", var)
        city = build(n)
        result = measure(city, rounds)
        print(json.dumps({"db": db, "leads": n, "insert_seconds": city["insert_seconds"], **result}))
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if db == "postgres":
            from django.db import connections

            connections.close_all()
            _pg_admin(DB_NAME, create=False)


def _pg_server() -> str:
    import bench_tickets

    return bench_tickets.PG_URL.rsplit("/", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--leads", type=int, default=None)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.leads or (100_000 if args.quick else 1_000_000)
    rounds = 60 if args.quick else 200
    if args.child:
        child(args.child, n, rounds)
        return 0
    failures = 0
    labels = {
        "nearby": ("duplicate look-up (geohash cells + distance)", TARGET_NEARBY_MS, 0),
        "scan": ("baseline: scan the window, every distance", None, 0),
        "default": ("Open311 GET requests.json (90 days, 50)", TARGET_OPEN311_MS, 1),
        "code_open": ("  … service_code + status=open", TARGET_OPEN311_MS, 1),
        "old_xml": ("  … 30 days, 6 months ago, XML, 100", TARGET_OPEN311_MS, 1),
        "one": ("Open311 GET requests/{id}.json", TARGET_OPEN311_MS, 1),
        "healthz": ("baseline: /healthz JSON view", None, 1),
    }
    print(f"city sentinel leads, {n:,} stored, {rounds} look-ups / interleaved requests each, in-process")
    print(f"{'database':<10}{'measure':<48}{'p50 ms':>9}{'p95 ms':>9}{'target':>16}")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            db,
            "--leads",
            str(n),
            *(["--quick"] if args.quick else []),
        ]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
            return 2
        r = json.loads(out.stdout.strip().splitlines()[-1])
        for key, (label, target, _) in labels.items():
            p50, p95 = r["samples"][key]
            verdict = ""
            if target is not None:
                met = p95 < target
                failures += not met
                verdict = f"{'met' if met else 'NOT met'} (<{target:.0f})"
            print(f"{db:<10}{label:<48}{p50:>9.2f}{p95:>9.2f}{verdict:>16}")
        nearby, scan = r["samples"]["nearby"][0], r["samples"]["scan"][0]
        o311, healthz = r["samples"]["default"][1], r["samples"]["healthz"][1]
        print(
            f"{db:<10}loaded in {r['insert_seconds']:.0f} s; leads found per look-up: median {r['found_median']}, "
            f"max {r['found_max']}; scan/look-up (p50) {scan / nearby:.0f}x; Open311 default p95/healthz "
            f"{o311 / healthz:.0f}x"
        )
        if r["plan"]:
            print(f"{db:<10}plan of the cell look-up: {' '.join(r['plan'].split())[:160]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
