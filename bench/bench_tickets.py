"""Benchmark: the ticket engine at a province's scale.

    python bench/bench_tickets.py                  # both parts, 1,000,000 tickets, SQLite and PostgreSQL
    python bench/bench_tickets.py --quick          # 100,000 tickets, shorter runs
    python bench/bench_tickets.py --part reads --db sqlite
    python bench/bench_tickets.py --part submit    # PostgreSQL only (two gunicorn processes)

Part 1, reads (issue #3: "with 1,000,000 tickets stored, the dispatch queue page and the 'my
orders' API under 100 ms at the 95th percentile, on SQLite and PostgreSQL"). The tickets are
bulk-inserted (executemany on SQLite, COPY on PostgreSQL) across every community of the demo city,
weighted by population, over a year, in every state, handled by a few hundred providers. Then, in
this process through Django's test client (so middleware, authentication, templates and the
ranked suggestions all count): the community worker's dispatch queue page of 安象街社区, and a
resident's "my orders" API page. Baseline in the same run: a minimal Django JSON view
(``/healthz``, one ``SELECT 1``) through the same client; the ratio says what the pages cost on top.

Part 2, submissions (issue #3: "ticket submission with automatic dispatch through the API,
8 concurrent clients, PostgreSQL, two app processes: at least 200 per second"). Two gunicorn
processes (gthread) serve the app; 8 client threads post service orders with bearer tokens as
8 residents for a fixed time; a rule of the community dispatches every order at once to the
best-ranked provider. Baseline in the same run: the same 8 clients against ``/healthz``.

PostgreSQL: ``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/bench_tickets``; the
database is created when missing and its tables are reset).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_tickets")
ANXIANGJIE = "510185001001"
TARGET_MS = 100.0
TARGET_RATE = 200.0
# (state, share) of the last two weeks' tickets; older ones are all finished (closed or cancelled).
RECENT_STATES = [
    ("closed", 0.25),
    ("resolved", 0.20),
    ("in_progress", 0.15),
    ("accepted", 0.15),
    ("dispatched", 0.10),
    ("submitted", 0.08),
    ("cancelled", 0.05),
    ("returned", 0.01),
    ("reopened", 0.01),
]
OLD_STATES = [("closed", 0.95), ("cancelled", 0.05)]
RECENT_DAYS = 14
N_PROVIDERS = 2_000
CATEGORIES = [
    "elderly_care",
    "repair",
    "meal",
    "housework",
    "companion",
    "child_care",
    "health",
    "legal",
    "mediation",
    "rider_service",
]


def _pg_admin(dbname: str, create: bool) -> None:
    import psycopg

    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["GONGZHI_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("GONGZHI_NOTIFICATION_CHANNELS", "")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def bulk_users(count: int, name: str) -> list[int]:
    """Ids of ``count`` plain accounts for bulk rows to point at (their vault fields are placeholders)."""
    from django.contrib.auth.hashers import make_password

    from gongzhi.accounts.models import User

    hashed = make_password(None)
    User.objects.bulk_create(
        [
            User(
                mobile_index=f"bench-{i}",
                mobile_enc="-",
                mobile_masked="138****0000",
                name=f"{name}{i}",
                password=hashed,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    return list(User.objects.filter(mobile_index__startswith="bench-").values_list("id", flat=True))


def build_city(n_tickets: int, seed: int = 2026) -> dict:
    """Areas, staff, providers and n_tickets tickets; returns the logins the measurements use."""
    from django.db import connection, transaction

    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import api_token_create, membership_grant, user_create
    from gongzhi.areas.models import Area, Level
    from gongzhi.areas.services import areas_import_csv
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.services.models import Resource

    rng = random.Random(seed)
    areas_import_csv()
    communities = list(Area.objects.filter(level=Level.VILLAGE).order_by("code"))
    weights = [max(a.population, 1) for a in communities]
    jiancheng = Area.objects.get(code="510185001000")
    worker = user_create(mobile="13800100001", name="派单员")
    membership_grant(user=worker, role=Role.COMMUNITY_WORKER, area=Area.objects.get(code=ANXIANGJIE))
    residents = []
    for i in range(8):
        r = user_create(mobile=f"1380010{i + 10:04d}", name=f"居民{i}")
        membership_grant(user=r, role=Role.RESIDENT, area=Area.objects.get(code=ANXIANGJIE))
        residents.append(r)
    submitters = bulk_users(20_000, "居民")
    # Providers as a province has them: most serve one community, some a town, a few the city.
    towns = list(Area.objects.filter(level=Level.TOWN, code__startswith="510185").order_by("code"))
    city = Area.objects.get(code="510185000000")

    def provider_area(i: int):
        roll = rng.random()
        return (
            city
            if roll < 0.02
            else rng.choice(towns)
            if roll < 0.07
            else rng.choices(communities, weights)[0]
        )

    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"服务组织{i}", kind=OrgKind.SOCIAL_ORG, area=provider_area(i))
            for i in range(N_PROVIDERS)
        ],
        batch_size=2000,
    )
    _ = jiancheng
    Resource.objects.bulk_create(
        [
            Resource(
                name=o.name,
                kind="organisation",
                organisation=o,
                area=o.area,
                categories=rng.sample(CATEGORIES, 3),
                capacity=rng.choice([3, 5, 8]),
                lat=o.area.lat,
                lng=o.area.lng,
            )
            for o in orgs
        ]
    )
    org_ids = [o.pk for o in orgs]

    now = datetime.now(UTC)

    def edges(table):
        out, total = [], 0.0
        for state, share in table:
            total += share
            out.append((total, state))
        return out

    recent, old = edges(RECENT_STATES), edges(OLD_STATES)

    def rows(count: int, submitter_pool, area_pool, area_weights):
        for _ in range(count):
            created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            roll = rng.random()
            table = recent if now - created < timedelta(days=RECENT_DAYS) else old
            state = next(s for edge, s in table if roll <= edge)
            area = rng.choices(area_pool, area_weights)[0]
            handled = state in ("accepted", "in_progress", "resolved", "closed")
            org = rng.choice(org_ids) if handled else None
            rating = (
                rng.choice([5, 5, 5, 4, 4, 3, 2, 1]) if state == "closed" and rng.random() < 0.6 else None
            )
            yield (
                "service_order",
                rng.choice(CATEGORIES),
                "居民点单",
                "",
                area.code,
                area.lat,
                area.lng,
                "",
                rng.choice(submitter_pool),
                org,
                None,
                None,
                state,
                rng.choice([2, 2, 2, 3, 4]),
                created + timedelta(days=7),
                0,
                "{}",
                created,
                created,
                created + timedelta(hours=1) if handled else None,
                created + timedelta(hours=2) if handled else None,
                created + timedelta(days=1) if state in ("resolved", "closed") else None,
                created + timedelta(days=2) if state == "closed" else None,
                "",
                rating,
                "",
                0,
            )

    columns = (
        "kind, category, title, description, area_id, lat, lng, address, submitter_id, assignee_org_id, assignee_user_id, "
        "accepted_by_id, state, priority, deadline, escalation_level, extra, created_at, updated_at, dispatched_at, accepted_at, "
        "resolved_at, closed_at, resolution_note, rating, rating_comment, reopen_count"
    )
    started = time.perf_counter()
    home = [Area.objects.get(code=ANXIANGJIE)]
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA synchronous=OFF")  # a bulk load; a crash would just mean re-running the bench
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                with c.cursor.copy(f"COPY tickets_ticket ({columns}) FROM STDIN") as copy:
                    for row in rows(n_tickets, submitters, communities, weights):
                        copy.write_row(row)
                    for r in residents:  # each bench resident has a realistic history
                        for row in rows(60, [r.pk], home, [1]):
                            copy.write_row(row)
        else:
            # The raw sqlite3 connection: Django's cursor wrapper would rewrite every row's placeholders.
            sql = f"INSERT INTO tickets_ticket ({columns}) VALUES ({', '.join(['?'] * 27)})"
            connection.ensure_connection()
            raw = connection.connection
            iso = lambda v: v.isoformat(sep=" ") if isinstance(v, datetime) else v  # noqa: E731
            batch: list = []
            for row in rows(n_tickets, submitters, communities, weights):
                batch.append(tuple(map(iso, row)))
                if len(batch) == 20_000:
                    raw.executemany(sql, batch)
                    batch.clear()
            for r in residents:
                batch.extend(tuple(map(iso, row)) for row in rows(60, [r.pk], home, [1]))
            raw.executemany(sql, batch)
    from gongzhi.tickets.services import party_stats_rebuild

    party_stats_rebuild()
    inserted = time.perf_counter() - started
    with connection.cursor() as c:
        c.execute("ANALYZE")
    tokens = [api_token_create(user=r, name="bench")[1] for r in residents]
    return {"worker": worker, "residents": residents, "tokens": tokens, "insert_seconds": inserted}


# --------------------------------------------------------------------------------------------
# Part 1: reads in-process
# --------------------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure_reads(city: dict, rounds: int) -> dict[str, tuple[float, float]]:
    from django.test import Client

    worker_client = Client()
    worker_client.force_login(city["worker"], backend="gongzhi.accounts.backends.MobilePasswordBackend")
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {city['tokens'][0]}")
    checks = {
        "queue": (worker_client, "/services/queue/"),
        "mine": (api_client, "/api/v1/tickets/mine"),
        "healthz": (api_client, "/healthz"),
    }
    for name, (client, url) in checks.items():  # warm caches, check the answers
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        if name == "mine":
            assert response.json()["count"] == 60
    samples: dict[str, list[float]] = {name: [] for name in checks}
    for _ in range(rounds):  # interleaved, so a noisy neighbour hits every series alike
        for name, (client, url) in checks.items():
            t0 = time.perf_counter()
            client.get(url)
            samples[name].append((time.perf_counter() - t0) * 1000)
    return {name: _percentiles(s) for name, s in samples.items()}


def reads_child(db: str, n_tickets: int, rounds: int) -> None:
    var = tempfile.mkdtemp(prefix="gz-bench-tickets-")
    try:
        if db == "postgres":
            _pg_admin(PG_URL.rsplit("/", 1)[1], create=True)
            _setup_django(PG_URL, var)
        else:
            _setup_django(f"sqlite:///{var}/bench.sqlite3", var)
        city = build_city(n_tickets)
        result = measure_reads(city, rounds)
        print(
            json.dumps(
                {
                    "db": db,
                    "tickets": n_tickets,
                    "insert_seconds": city["insert_seconds"],
                    **{k: list(v) for k, v in result.items()},
                }
            )
        )
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if db == "postgres":  # a million rows are not left behind
            from django.db import connections

            connections.close_all()
            _pg_admin(PG_URL.rsplit("/", 1)[1], create=False)


# --------------------------------------------------------------------------------------------
# Part 2: submissions over HTTP, two gunicorn processes, PostgreSQL
# --------------------------------------------------------------------------------------------


FAILURES: list[str] = []


def _load(port: int, tokens: list[str], seconds: float, make_request) -> tuple[int, int, list[float]]:
    stop = time.perf_counter() + seconds
    done, failed, latencies = [0], [0], []
    lock = threading.Lock()

    def client(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = bad = 0
        mine = []
        while time.perf_counter() < stop:
            method, path, body = make_request()
            t0 = time.perf_counter()
            conn.request(
                method,
                path,
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            content = response.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if response.status in (200, 201):
                ok += 1
            else:
                bad += 1
                if len(FAILURES) < 3:
                    FAILURES.append(f"{response.status} {content[:300]!r}")
        conn.close()
        with lock:
            done[0] += ok
            failed[0] += bad
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], failed[0], latencies


def submit_child(seconds: float) -> None:
    dbname = f"bench_tickets_submit_{os.getpid()}"  # other sessions may run this benchmark at once
    url = PG_URL.rsplit("/", 1)[0] + "/" + dbname
    var = tempfile.mkdtemp(prefix="gz-bench-submit-")
    _pg_admin(dbname, create=True)
    _setup_django(url, var)
    from gongzhi.areas.models import Area
    from gongzhi.services.models import Resource
    from gongzhi.tickets.models import RoutingRule, Ticket
    from gongzhi.tickets.services import routing_rule_create

    city = build_city(20_000)
    # Room for every order, so each one measured is dispatched by the rule (at 100+ orders a second
    # the providers' usual capacities of 3-8 fill within seconds and later orders only queue).
    Resource.objects.update(capacity=100_000)
    routing_rule_create(
        kind="service_order",
        area=Area.objects.get(code=ANXIANGJIE),
        actor=None,
        strategy=RoutingRule.Strategy.BEST_MATCH,
    )
    before = Ticket.objects.count()
    with socket.socket() as probe:  # a free port: a fixed one may be another session's server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GONGZHI_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "DEBUG": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gongzhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        categories = ["elderly_care", "repair", "meal", "housework", "companion"]
        rng = random.Random(7)

        def order():
            body = {
                "area_code": ANXIANGJIE,
                "category": rng.choice(categories),
                "title": "帮忙",
                "preferred_time": "周末",
            }
            return "POST", "/api/v1/services/orders", json.dumps(body, ensure_ascii=False).encode()

        _load(port, city["tokens"], 2, order)  # warm both processes
        health_ok, health_bad, _ = _load(port, city["tokens"], seconds, lambda: ("GET", "/healthz", None))
        ok, bad, latencies = _load(port, city["tokens"], seconds, order)
        dispatched = (
            Ticket.objects.filter(pk__gt=0, state="dispatched", offers__isnull=False).distinct().count()
        )
        made = Ticket.objects.count() - before
        p50, p95 = _percentiles(latencies) if latencies else (0, 0)
        for failure in FAILURES:
            print("failure:", failure, file=sys.stderr)
        print(
            json.dumps(
                {
                    "orders": ok,
                    "failed": bad,
                    "seconds": seconds,
                    "rate": ok / seconds,
                    "p50": p50,
                    "p95": p95,
                    "healthz_rate": health_ok / seconds,
                    "healthz_failed": health_bad,
                    "created": made,
                    "dispatched": dispatched,
                }
            )
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
        from django.db import connections

        connections.close_all()
        _pg_admin(dbname, create=False)
        shutil.rmtree(var, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Part 3: one order in-process, profiled (where the time and the statements go)
# --------------------------------------------------------------------------------------------


def _statement_kind(sql: str) -> str:
    head = sql.lstrip(" (").split(None, 1)[0].upper() if sql.strip() else "?"  # "(SELECT …) UNION ALL …"
    return "SAVEPOINT" if head in ("SAVEPOINT", "RELEASE", "ROLLBACK") else head


def profile_child(db: str, orders: int, top: int) -> None:
    """Orders placed through the test client in this process: statements of one, ms each, hot spots."""
    import cProfile
    import io
    import pstats
    from collections import Counter

    var = tempfile.mkdtemp(prefix="gz-bench-profile-")
    dbname = f"bench_tickets_profile_{os.getpid()}"
    try:
        if db == "postgres":
            _pg_admin(dbname, create=True)
            _setup_django(PG_URL.rsplit("/", 1)[0] + "/" + dbname, var)
        else:
            _setup_django(f"sqlite:///{var}/bench.sqlite3", var)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from gongzhi.areas.models import Area
        from gongzhi.services.models import Resource
        from gongzhi.tickets.models import RoutingRule
        from gongzhi.tickets.services import routing_rule_create

        city = build_city(2_000)
        # Room for every order: each is dispatched, the path the submission benchmark measures first.
        Resource.objects.update(capacity=10_000)
        routing_rule_create(
            kind="service_order",
            area=Area.objects.get(code=ANXIANGJIE),
            actor=None,
            strategy=RoutingRule.Strategy.BEST_MATCH,
        )
        clients = [Client(HTTP_AUTHORIZATION=f"Bearer {t}") for t in city["tokens"]]
        rng = random.Random(7)
        categories = ["elderly_care", "repair", "meal", "housework", "companion"]

        def place(i: int) -> dict:
            body = {"area_code": ANXIANGJIE, "category": rng.choice(categories), "title": "帮忙"}
            response = clients[i % len(clients)].post(
                "/api/v1/services/orders",
                json.dumps(body, ensure_ascii=False),
                content_type="application/json",
            )
            assert response.status_code == 201, response.content[:300]
            return response.json()

        for i in range(20):  # warm
            place(i)
        with CaptureQueriesContext(connection) as ctx:
            out = place(0)
        captured = list(ctx.captured_queries)
        kinds = Counter(_statement_kind(q["sql"]) for q in captured)
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        for i in range(orders):
            place(i)
        wall = (time.perf_counter() - t0) * 1000 / orders
        cpu = (time.process_time() - cpu0) * 1000 / orders
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(orders):
            place(i)
        profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        report = ROOT / "var" / f"profile_order_{db}.txt"
        report.parent.mkdir(exist_ok=True)
        statements = "\n".join(f"{q['time']:>6} {q['sql'][:200]}" for q in captured)
        report.write_text(f"Statements of one order:\n{statements}\n\n{buffer.getvalue()}")
        print(
            json.dumps(
                {
                    "db": db,
                    "statements": len(captured),
                    "kinds": dict(kinds),
                    "dispatched": bool(out.get("offered_to")),
                    "ms_wall": wall,
                    "ms_cpu": cpu,
                    "report": str(report),
                }
            )
        )
    finally:
        from django.db import connections

        connections.close_all()
        if db == "postgres":
            _pg_admin(dbname, create=False)
        shutil.rmtree(var, ignore_errors=True)


# --------------------------------------------------------------------------------------------


def _run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True)
    for line in out.stderr.splitlines():
        if line.startswith("failure:"):
            print(line, file=sys.stderr)
    if out.returncode != 0:
        print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", choices=["reads", "submit", "both", "profile"], default="both")
    parser.add_argument("--orders", type=int, default=200, help="orders placed by --part profile")
    parser.add_argument("--top", type=int, default=0, help="--part profile: print the N hottest functions")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--child", choices=["reads", "submit", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--child-db", default="sqlite", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.tickets or (100_000 if args.quick else 1_000_000)
    rounds = 60 if args.quick else 200
    seconds = 5.0 if args.quick else 20.0
    if args.child == "reads":
        reads_child(args.child_db, n, rounds)
        return 0
    if args.child == "submit":
        submit_child(seconds)
        return 0
    if args.child == "profile":
        profile_child(args.child_db, args.orders, args.top)
        return 0
    if args.part == "profile":
        print(f"One service order in-process (test client, automatic dispatch), mean of {args.orders}")
        print(
            f"{'database':<11}{'statements':>11}{'of them savepoint':>19}{'ms wall':>9}{'ms CPU':>8}  by kind"
        )
        for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
            child = [
                "--child",
                "profile",
                "--child-db",
                db,
                "--orders",
                str(args.orders),
                "--top",
                str(args.top),
            ]
            r = _run_child(child)
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items()))
            print(
                f"{db:<11}{r['statements']:>11}{r['kinds'].get('SAVEPOINT', 0):>19}{r['ms_wall']:>9.1f}{r['ms_cpu']:>8.1f}  {kinds}"
                + ("" if r["dispatched"] else " (not dispatched!)")
            )
            print(f"{'':<11}statements and profile: {r['report']}")
        return 0

    failures = 0
    if args.part in ("reads", "both"):
        print(
            f"Part 1: reads with {n:,} tickets stored ({rounds} interleaved requests each; in-process test client)"
        )
        print(
            f"{'database':<11}{'insert s':>9}{'page / API':>30}{'p50 ms':>9}{'p95 ms':>9}{'p95 / healthz':>15}{'target':>14}"
        )
        for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
            r = _run_child(
                [
                    "--child",
                    "reads",
                    "--child-db",
                    db,
                    "--tickets",
                    str(n),
                    *(["--quick"] if args.quick else []),
                ]
            )
            base = r["healthz"][1]
            for key, label in (
                ("queue", "dispatch queue page (安象街社区)"),
                ("mine", "my orders API (GET /mine)"),
                ("healthz", "baseline: /healthz JSON view"),
            ):
                p50, p95 = r[key]
                met = key == "healthz" or p95 < TARGET_MS
                failures += not met
                target = "" if key == "healthz" else ("met" if met else "NOT met") + f" (<{TARGET_MS:.0f})"
                print(
                    f"{db:<11}{r['insert_seconds']:>9.1f}{label:>30}{p50:>9.1f}{p95:>9.1f}{p95 / base:>14.1f}x{target:>14}"
                )
    if args.part in ("submit", "both"):
        print(
            f"\nPart 2: service orders with automatic dispatch, POST /api/v1/services/orders, 8 clients, PostgreSQL, 2 gunicorn processes × 4 threads, {seconds:.0f} s"
        )
        r = _run_child(["--child", "submit", *(["--quick"] if args.quick else [])])
        met = r["rate"] >= TARGET_RATE and r["failed"] == 0
        failures += not met
        print(f"{'what':<44}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}")
        print(f"{'orders placed and dispatched':<44}{r['rate']:>9.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}")
        print(f"{'baseline: GET /healthz (minimal JSON view)':<44}{r['healthz_rate']:>9.0f}")
        print(
            f"ratio orders/healthz: {r['rate'] / max(r['healthz_rate'], 1e-9):.2f}; failed: {r['failed']}; "
            f"created {r['created']}, dispatched by the rule {r['dispatched']}; "
            f"target >= {TARGET_RATE:.0f}/s: {'met' if met else 'NOT met'}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
