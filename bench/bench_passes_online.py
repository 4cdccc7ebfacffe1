"""Benchmark: the online rider-pass check API on PostgreSQL, two gunicorn workers, 300 req/s.

    python bench/bench_passes_online.py            # 20 s per phase
    python bench/bench_passes_online.py --quick    # 5 s per phase

Needs a local PostgreSQL (``--db`` names the server; a scratch database ``gongzhi_bench_passes``
is made and dropped). It migrates, registers ``--riders`` verified riders with live passes and
a gate with its guard, then starts ``gunicorn -w 2`` on 127.0.0.1 and drives it open-loop: each
request is sent at its scheduled time (i / rate) by a bounded pool of threads over loopback, and
its latency counts from that scheduled time, so a slow server is not hidden by a slowed client.

Phases, each at the same rate and length, in one run:

* baseline: ``GET /bench/minimal``, the smallest Django JSON view (in bench/passes_online_urls.py);
* check:    ``GET /api/v1/passes/check?token=<distinct valid passes>`` (public, read only);
* scan:     ``POST /api/v1/passes/scans`` by the guard's bearer token (writes an access event).

Target: p99 of the check under 20 ms at 300 req/s; the ratio is check / baseline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "gongzhi_bench_passes"
TARGET_P99_MS = 20.0


def _env(db_server: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{db_server.rstrip('/')}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "passes_online_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "GONGZHI_VAR_DIR": var_dir,
        "DB_CONN_MAX_AGE": "600",
    }


def _psql(db_server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{db_server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql)


SETUP = r"""
import json, sys
import django
django.setup()
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import api_token_create, membership_grant, user_create
from gongzhi.areas.models import Area
from gongzhi.areas.services import areas_import_csv
from gongzhi.passes import services
from gongzhi.passes.models import Platform, RiderFriendlyCommunity, RiderStatus, Rider
from gongzhi.passes.photos import clean_photo

n = int(sys.argv[1])
areas_import_csv()
community = Area.objects.get(code="510185001001")
RiderFriendlyCommunity.objects.create(area=community, honours_pass=True)
worker = user_create(mobile="13700000001", name="工作者")
membership_grant(user=worker, role=Role.COMMUNITY_WORKER, area=community)
guard = user_create(mobile="13700000002", name="门岗")
membership_grant(user=guard, role=Role.GATE_GUARD, area=community)
gate = services.gate_create(area=community, name="北门", actor=worker)
services.gate_guard_add(gate=gate, guard_mobile="13700000002", actor=worker)
platform = Platform.objects.get(code="meituan")
tokens = []
for i in range(n):
    user = user_create(mobile=f"1360000{i:04d}", name=f"骑手{i}")
    rider = Rider.objects.create(user=user, platform=platform, station="站", area=community,
                                 status=RiderStatus.VERIFIED)
    tokens.append(services.pass_current(rider=rider).token)
_, bearer = api_token_create(user=guard, name="bench")
print(json.dumps({"tokens": tokens, "gate_id": gate.pk, "bearer": bearer}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/bench/minimal")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def _drive(port: int, make_request, rate: float, seconds: float, threads: int) -> tuple[list[float], int]:
    """Open-loop load: request i is due at start + i / rate. Returns latencies (ms) and errors."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.2

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= total:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            method, url, body, headers = make_request(i)
            ok = False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request(method, url, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 201)
                conn.close()
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                errors += not ok

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 30)
    return latencies, errors


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5 s per phase instead of 20 s")
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second (default 300)")
    parser.add_argument("--seconds", type=float, help="length of each phase")
    parser.add_argument("--riders", type=int, default=300, help="distinct riders and passes (default 300)")
    parser.add_argument("--threads", type=int, default=48, help="client threads (bounded)")
    parser.add_argument(
        "--sequential", type=int, default=500, help="one-at-a-time requests for the service time"
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    args = parser.parse_args(argv)
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    if not shutil.which("gunicorn") and not (Path(sys.executable).parent / "gunicorn").exists():
        print("gunicorn is required: pip install gunicorn (it is in the dev extras)")
        return 2
    var_dir = tempfile.mkdtemp(prefix="gz-bench-passes-")
    env = _env(args.db, var_dir)
    _psql(args.db, f"DROP DATABASE IF EXISTS {DB_NAME}")
    _psql(args.db, f"CREATE DATABASE {DB_NAME}")
    server = None
    try:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        out = subprocess.run(
            [sys.executable, "-c", SETUP, str(args.riders)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        print(f"set-up: migrated and issued {args.riders} passes in {time.perf_counter() - t0:.0f} s")
        port = _free_port()
        gunicorn = (
            str(Path(sys.executable).parent / "gunicorn")
            if not shutil.which("gunicorn")
            else shutil.which("gunicorn")
        )
        server = subprocess.Popen(
            [
                gunicorn,
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "gongzhi.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        _wait_up(port, time.monotonic() + 60)
        tokens, gate_id, bearer = data["tokens"], data["gate_id"], data["bearer"]

        def minimal(i):
            return "GET", "/bench/minimal", None, {}

        def check(i):
            return "GET", f"/api/v1/passes/check?token={tokens[i % len(tokens)]}", None, {}

        def scan(i):
            body = json.dumps({"token": tokens[i % len(tokens)], "gate_id": gate_id})
            return (
                "POST",
                "/api/v1/passes/scans",
                body,
                {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
            )

        # Warm both workers (imports, connections, caches) before measuring anything.
        _drive(port, minimal, args.rate, 2, args.threads)
        _drive(port, check, args.rate, 2, args.threads)
        # Service time: one request at a time, so no queue — what each request costs the server.
        service = {}
        for name, maker in (("minimal", minimal), ("check", check)):
            times = []
            for i in range(args.sequential):
                method, url, body, headers = maker(i)
                t1 = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request(method, url, body=body, headers=headers)
                conn.getresponse().read()
                conn.close()
                times.append((time.perf_counter() - t1) * 1000)
            service[name] = (_pct(times, 50), sum(times) / len(times))
        rows = []
        for name, maker in (
            ("minimal Django JSON view (baseline)", minimal),
            ("pass check API (GET)", check),
            ("guard scan API (POST, writes)", scan),
        ):
            lat, errors = _drive(port, maker, args.rate, seconds, args.threads)
            rows.append(
                (name, len(lat), errors, _pct(lat, 50), _pct(lat, 95), _pct(lat, 99), sum(lat) / len(lat))
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        _psql(args.db, f"DROP DATABASE IF EXISTS {DB_NAME}")
        shutil.rmtree(var_dir, ignore_errors=True)

    print(
        f"online rider-pass check, PostgreSQL, gunicorn -w 2 on 127.0.0.1, {args.rate:.0f} req/s open loop, "
        f"{seconds:.0f} s per phase, {args.riders} distinct passes"
    )
    print(
        f"{'endpoint':38} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'mean ms':>8}"
    )
    for name, n, errors, p50, p95, p99, mean in rows:
        print(f"{name:38} {n:8d} {errors:6d} {p50:7.2f} {p95:7.2f} {p99:7.2f} {mean:8.2f}")
    base, chk, scn = rows
    print(
        f"service time, one request at a time ({args.sequential} each): minimal p50 {service['minimal'][0]:.2f} ms "
        f"mean {service['minimal'][1]:.2f} ms; check p50 {service['check'][0]:.2f} ms mean {service['check'][1]:.2f} ms "
        f"({service['check'][1] / service['minimal'][1]:.2f}x)"
    )
    print(
        f"ratio check/baseline: p50 {chk[3] / base[3]:.2f}x, p99 {chk[5] / base[5]:.2f}x, mean {chk[6] / base[6]:.2f}x"
    )
    print(
        f"ratio scan/baseline:  p50 {scn[3] / base[3]:.2f}x, p99 {scn[5] / base[5]:.2f}x, mean {scn[6] / base[6]:.2f}x"
    )
    verdict = "meets" if chk[5] < TARGET_P99_MS and chk[2] == 0 else "MISSES"
    print(
        f"check p99 = {chk[5]:.2f} ms: {verdict} the target of {TARGET_P99_MS:.0f} ms at {args.rate:.0f} req/s"
    )
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
