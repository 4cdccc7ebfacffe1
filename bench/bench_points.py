"""Benchmark: points transfers per second on PostgreSQL, 16 concurrent clients, against pgbench.

    python bench/bench_points.py            # 3 rounds of 6 s per workload (~12 min)
    python bench/bench_points.py --quick    # 1 round of 4 s per workload (~4 min)
    BENCH_PG_URL=postgres://user@host:5432/postgres python bench/bench_points.py

Everything runs on the same PostgreSQL server, one workload after the other, each with the
same number of concurrent clients, each with its own connection. pgbench drives its 16 clients
from two worker threads (``-j 2``); ours are driven the same way, two processes of eight threads
each (``--shape 2x8``, the default). ``--shape 16x1`` gives every client a process of its own,
which on two cores costs our Python clients about twice the CPU per call (16 interpreters
competing for two cores' caches and the scheduler); both shapes are reported in bench/README.md.

* baseline: pgbench's built-in TPC-B-like script (3 UPDATEs, 1 SELECT, 1 INSERT per
  transaction) at scale 16 in a scratch database this script creates and drops; run before the
  first round and after every round, each round's ratios against the mean of the two runs
  around it, the median over the rounds reported;
* ours: ``points_award`` — the whole service the reward hook calls: rule look-up, idempotency
  row, daily/monthly cap counters, the sharded issuance debit, the credit, the transfer row and
  the audit entry — each call one transfer, in a scratch database migrated from scratch;
* the ledger's own SQL alone, via psycopg: exactly the ledger statements the service sends for
  an award, in its order (transfer row, credit, then the conditional debit of the key's
  issuance shard as the last statement), with the shards and against a single issuance
  account (the hot row); and the same statements with the debit first, which holds the
  issuance row locked through the whole transaction;
* for the record: the service against a budget with a single issuance account; the service in
  client processes started inside the clock ("fresh processes": each client's connection and
  its first award — which reads the rule, and so costs a statement more — are timed); the
  service with a process per client; and a resident paying a merchant (``merchant_pay``).

Like pgbench, which reports its rate "without initial connection time", every client of a
service workload connects and makes one call before the clock starts (untimed, its CPU not
counted); the SQL workloads connect before it. The first award of a rule in a process reads
the rule, the ones after it do not, whoever they pay (``fast_award.py``): nothing that depends
on the people awarded is carried over from that first call.

Target: transfers/s ÷ pgbench TPC-B tps >= 0.30, checked against the ``points_award`` service
(the whole award, as the reward hook calls it); the ledger's SQL alone is reported beside it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zlib
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 0.30
CLIENTS = 16
PEOPLE = 2000
SHARDS = 32  # issuance shards of the benchmark's city-wide budget
AREA = "510185001001"  # 安象街社区
CITY = "510185000000"


def admin_url() -> str:
    return os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def db_url(name: str) -> str:
    u = urlparse(admin_url())
    return u._replace(path=f"/{name}").geturl()


def psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def pg_env() -> dict:
    u = urlparse(admin_url())
    env = dict(os.environ)
    env.update(PGHOST=u.hostname or "127.0.0.1", PGPORT=str(u.port or 5432), PGUSER=u.username or "postgres")
    if u.password:
        env["PGPASSWORD"] = u.password
    return env


def run_pgbench(db: str, seconds: int) -> float:
    out = subprocess.run(
        ["pgbench", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds), db],  # vacuums its tables first
        env=pg_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(
        r"tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)", out
    )
    if not match:
        raise SystemExit(f"cannot read pgbench output:\n{out}")
    return float(match.group(1))


# --- the Django side -----------------------------------------------------------------------------


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = db_url(db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()


def prepare(db: str) -> dict:
    """Migrate the scratch database and create people, budgets, rules and a merchant."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth.hashers import make_password  # noqa: F401 - settings sanity

    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import membership_grant, user_create
    from gongzhi.areas.models import Area
    from gongzhi.areas.services import areas_import_csv
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.points.models import Account
    from gongzhi.points.services import earning, redemption

    areas_import_csv()
    city, home = Area.objects.get(code=CITY), Area.objects.get(code=AREA)
    staff = user_create(mobile="13900000001", name="市级干部")
    membership_grant(user=staff, role=Role.CITY_STAFF, area=city)
    worker = user_create(mobile="13900000002", name="社区干部")
    membership_grant(user=worker, role=Role.COMMUNITY_WORKER, area=home)
    users = User.objects.bulk_create(
        User(mobile_index=f"bench-{i}", mobile_enc="-", mobile_masked=f"139****{i:04d}", name=f"居民{i}")
        for i in range(PEOPLE)
    )
    Account.objects.bulk_create(Account(kind="person", user=u, name=u.name, area=home) for u in users)
    # A city-wide budget that 16 clients award from at once, sized for it: two issuance shards
    # per concurrent awarder (with 8, a quarter of the clients stood waiting on a shard's row
    # lock at any moment; bench/README.md). Staff choose the count per budget (1-64).
    sharded = earning.budget_create(
        name="分片预算", area=city, ceiling=10**12, actor=staff, shard_count=SHARDS
    )
    hot = earning.budget_create(name="单账户预算", area=city, ceiling=10**12, actor=staff, shard_count=1)
    for code, budget in (("bench.sharded", sharded), ("bench.hot", hot)):
        earning.rule_create(
            data=earning.RuleInput(
                code=code, name=code, points=1, budget=budget, daily_cap=10**5, monthly_cap=10**5
            ),
            area=city,
            actor=staff,
        )
    earning.rule_create(
        data=earning.RuleInput(code="bench.seed", name="seed", points=10**5, budget=sharded),
        area=city,
        actor=staff,
    )
    org = Organisation.objects.create(name="爱心超市", kind=OrgKind.MERCHANT, area=home)
    merchant = redemption.merchant_enrol(organisation=org, actor=worker)
    # Everyone gets points to spend at the merchant.
    for u in users[:200]:
        earning.points_award(
            rule_code="bench.seed",
            beneficiary=u,
            source_type="bench.seed",
            source_id=str(u.pk),
            area_code=AREA,
            quantity=10,
        )
    sql_accounts = {
        "sharded": list(Account.objects.filter(budget=sharded).values_list("id", flat=True)),
        "hot": list(Account.objects.filter(budget=hot).values_list("id", flat=True)),
        "people": [a for a in Account.objects.filter(kind="person").values_list("id", flat=True)],
    }
    return {
        "user_ids": [u.pk for u in users],
        "spender_ids": [u.pk for u in users[:200]],
        "merchant_id": merchant.pk,
        "sql": sql_accounts,
    }


def _process(kind: str, db: str, ctx: dict, seconds: float, barrier, counts, cpu, index: int, threads: int):
    """One client process: ``threads`` clients, each a thread with its own connection."""
    setup_django(db)
    from django.db import connections

    inputs = _inputs(kind, ctx)  # once per process, shared by its threads
    connections.close_all()
    done = [0] * threads
    failed: list[BaseException] = []

    def client(t: int) -> None:
        try:
            done[t] = _client(
                kind,
                db,
                ctx,
                inputs,
                seconds,
                barrier,
                random.Random(index * 1000 + t),
                share=(t, threads),
                started=started,
            )
        except BaseException as exc:  # reported by the parent as a failed client
            failed.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    started = [time.process_time()]  # moved to the start line by a client that warms up first
    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    cpu[index] = time.process_time() - started[-1]
    counts[index] = sum(done)
    if failed:
        raise failed[0]


def _inputs(kind: str, ctx: dict) -> tuple:
    """The people and the merchant a client process's calls name (None for the SQL workloads)."""
    if kind.startswith("sql"):
        return None, None
    from gongzhi.accounts.models import User
    from gongzhi.points.models import Merchant

    users = list(User.objects.filter(pk__in=ctx["spender_ids" if kind == "pay" else "user_ids"]))
    return users, Merchant.objects.select_related("organisation").get(pk=ctx["merchant_id"])


def _client(
    kind: str,
    db: str,
    ctx: dict,
    inputs: tuple,
    seconds: float,
    barrier,
    rng: random.Random,
    share: tuple[int, int] = (0, 1),
    started: list | None = None,
) -> int:
    if kind.startswith("sql"):
        return _sql_client(db, ctx, kind, seconds, barrier, rng)
    from gongzhi.points.services import earning, redemption

    users, merchant = inputs
    rule = {"award": "bench.sharded", "award_processes": "bench.sharded", "award_fresh": "bench.sharded",
            "award_hot": "bench.hot"}.get(kind)  # fmt: skip
    tag = uuid.uuid4().hex[:8]

    def call(user, n: int) -> None:
        if kind == "pay":
            redemption.merchant_pay(payer=user, merchant=merchant, amount=1, key=f"{tag}-{n:08d}")
        else:
            earning.points_award(
                rule_code=rule,
                beneficiary=user,
                source_type="bench.deed",
                source_id=f"{tag}-{n}",
                area_code=AREA,
            )

    if kind != "award_fresh":  # untimed, as pgbench's rate is "without initial connection time"
        call(rng.choice(users), 0)
    barrier.wait()  # every client set up: start together
    if started is not None and share[0] == 0 and kind != "award_fresh":
        started.append(time.process_time())  # the first calls are not the workload's CPU
    done, deadline = 0, time.time() + seconds
    while time.time() < deadline:
        call(rng.choice(users), done + 1)
        done += 1
    return done


SQL_TRANSFER = """
INSERT INTO points_transfer (kind, debit_id, credit_id, amount, idempotency_key, body_hash, source_type,
    source_id, rule_code, area_id, counter_area_id, memo, created_at)
VALUES ('award', %s, %s, 1, %s, '', 'bench.sql', %s, 'bench', %s, %s, '', now())
"""


def _sql_client(db: str, ctx: dict, kind: str, seconds: float, barrier, rng) -> int:
    """The ledger statements of an award, and nothing else. In the service's order ("sql",
    "sql_hot"): the transfer row, the credit, then the conditional debit of the key's issuance
    shard last. For comparison ("sql_first", "sql_first_hot"): the debit first, so the issuance
    row stays locked through the rest of the transaction."""
    import psycopg

    shards = ctx["sql"]["hot" if kind.endswith("_hot") else "sharded"]
    debit_first = kind.startswith("sql_first")
    people = ctx["sql"]["people"]
    done = 0
    tag = uuid.uuid4().hex[:8]
    debit_sql = "UPDATE points_account SET balance = balance - 1 WHERE id = %s AND balance - 1 >= floor"
    with psycopg.connect(db_url(db)) as conn:
        barrier.wait()
        deadline = time.time() + seconds
        while time.time() < deadline:
            key = f"sql-{tag}-{done}"
            debit = shards[zlib.crc32(key.encode()) % len(shards)]
            credit = rng.choice(people)
            with conn.transaction():
                if debit_first:
                    assert conn.execute(debit_sql, (debit,)).rowcount == 1
                conn.execute(SQL_TRANSFER, (debit, credit, key, key, AREA, CITY))
                conn.execute("UPDATE points_account SET balance = balance + 1 WHERE id = %s", (credit,))
                if not debit_first:
                    assert conn.execute(debit_sql, (debit,)).rowcount == 1
            done += 1
    return done


class Shape(NamedTuple):
    """How the 16 clients are driven: ``processes`` × ``threads``."""

    processes: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Shape:
        processes, _, threads = text.partition("x")
        shape = cls(int(processes), int(threads or 1))
        if shape.processes * shape.threads != CLIENTS:
            raise argparse.ArgumentTypeError(f"{text}: processes x threads must make {CLIENTS} clients")
        return shape

    def __str__(self) -> str:
        return f"{self.processes} processes x {self.threads} threads"


class Measured(NamedTuple):
    rate: float  # calls per second
    client_ms: float  # CPU of the client processes per call
    machine_ms: float  # CPU of the whole machine per call (both cores: clients, server, kernel)


def _machine_cpu() -> float:
    """Seconds of CPU the whole machine spent so far (all cores, user and system)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def vacuum(db: str) -> None:
    """VACUUM ANALYZE our scratch database, as pgbench vacuums its tables before each run: every
    workload starts from tables without the previous one's dead row versions (the ledger SQL
    workloads alone leave some 100,000 updates of the same 2,000 accounts behind)."""
    import psycopg

    with psycopg.connect(db_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def run_ours(kind: str, db: str, ctx: dict, seconds: float, shape: Shape) -> Measured:
    vacuum(db)
    mpctx = mp.get_context("spawn")
    counts, cpu = mpctx.Array("l", shape.processes), mpctx.Array("d", shape.processes)
    barrier = mpctx.Barrier(CLIENTS + 1)
    procs = [
        mpctx.Process(target=_process, args=(kind, db, ctx, seconds, barrier, counts, cpu, i, shape.threads))
        for i in range(shape.processes)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    machine = _machine_cpu()
    for p in procs:
        p.join()
    machine = _machine_cpu() - machine
    if any(p.exitcode for p in procs):
        raise SystemExit(f"a {kind} client failed")
    calls = max(sum(counts), 1)
    return Measured(calls / seconds, sum(cpu) * 1000 / calls, machine * 1000 / calls)


def verify(db: str) -> str:
    """The ledger balances and every audit chain holds (the award's statement hashes its own
    entries: ``fast_award.py``), after all the runs."""
    from gongzhi.audit.services import audit_verify
    from gongzhi.points.services.ledger import ledger_verify

    report = ledger_verify()
    if not report.ok:
        return f"BROKEN: {report.problems[0]}"
    breaks = list(audit_verify())
    return f"audit chain BROKEN: {breaks[0]}" if breaks else "balanced, audit chains intact"


WORKLOADS = [  # (kind, label, shape: None for --shape)
    ("sql", "ledger SQL alone, 32 issuance shards", None),
    ("sql_hot", "ledger SQL alone, 1 issuance account (hot row)", None),
    ("sql_first", "  same, debit first: 32 issuance shards", None),
    ("sql_first_hot", "  same, debit first: 1 issuance account (hot row)", None),
    ("award", "points_award service, 32 issuance shards", None),
    ("award_hot", "points_award service, 1 issuance account (hot row)", None),
    ("award_fresh", "points_award service, 32 shards, fresh processes", None),
    ("award_processes", "points_award service, 32 shards, 16 processes x 1", Shape(16, 1)),
    ("pay", "merchant_pay service (person -> merchant)", None),
]


def profile(db: str, ctx: dict, calls: int) -> dict:
    """One process: statements of one award and one payment, mean ms each, where the time goes."""
    import cProfile
    import io
    import pstats
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User
    from gongzhi.points.models import Merchant
    from gongzhi.points.services import earning, redemption

    users = list(User.objects.filter(pk__in=ctx["spender_ids"]))
    merchant = Merchant.objects.select_related("organisation").get(pk=ctx["merchant_id"])
    rng = random.Random(1)
    tag = uuid.uuid4().hex[:8]
    seq = iter(range(10**9))
    calls_of = {
        "award": lambda: earning.points_award(
            rule_code="bench.sharded",
            beneficiary=rng.choice(users),
            source_type="bench.deed",
            source_id=f"{tag}-{next(seq)}",
            area_code=AREA,
        ),
        "pay": lambda: redemption.merchant_pay(
            payer=rng.choice(users), merchant=merchant, amount=1, key=f"{tag}-{next(seq):08d}"
        ),
    }
    out: dict = {}
    report = ROOT / "var" / "profile_points.txt"
    report.parent.mkdir(exist_ok=True)
    text = []
    for name, call in calls_of.items():
        for _ in range(20):
            call()
        with CaptureQueriesContext(connection) as ctx_q:
            call()
        captured = list(ctx_q.captured_queries)
        kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in captured)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(calls):
            call()
        wall, cpu = (time.perf_counter() - t0) * 1000 / calls, (time.process_time() - c0) * 1000 / calls
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            call()
        profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
        statements = "\n".join(q["sql"][:180] for q in captured)
        text.append(f"== {name}: {len(captured)} statements\n{statements}\n{buffer.getvalue()}")
        out[name] = {"statements": len(captured), "kinds": dict(kinds), "ms_wall": wall, "ms_cpu": cpu}
    report.write_text("\n".join(text))
    out["report"] = str(report)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one round of 4 s per workload")
    parser.add_argument(
        "--seconds", type=int, default=None, help="seconds per workload and round (default 6)"
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 3); the median ratio is kept"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: N awards and N payments in this process; statements, ms each, profile",
    )
    parser.add_argument(
        "--shape",
        type=Shape.parse,
        default=Shape(2, 8),
        help="how our 16 clients run: PROCESSESxTHREADS (default 2x8, as pgbench -j 2)",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (4 if args.quick else 6)
    rounds = args.rounds or (1 if args.quick else 3)
    suffix = f"{os.getpid()}"
    ours_db, tpcb_db = f"gz_bench_points_{suffix}", f"gz_bench_tpcb_{suffix}"
    psql_admin(f'CREATE DATABASE "{ours_db}"')
    psql_admin(f'CREATE DATABASE "{tpcb_db}"')
    rates: dict[str, list[Measured]] = {kind: [] for kind, _, _ in WORKLOADS}
    ratios: dict[str, list[float]] = {kind: [] for kind, _, _ in WORKLOADS}
    baselines: list[float] = []
    try:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", str(CLIENTS), tpcb_db],
            env=pg_env(),
            check=True,
            capture_output=True,
        )
        setup_django(ours_db)
        ctx = prepare(ours_db)
        from django.db import connections

        if args.profile:
            found = profile(ours_db, ctx, args.profile)
            for name in ("award", "pay"):
                r = found[name]
                kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items()))
                print(
                    f"{name}: {r['statements']} statements ({kinds}); "
                    f"{r['ms_wall']:.1f} ms wall, {r['ms_cpu']:.1f} ms CPU each"
                )
            print(f"statements and profile: {found['report']}")
            connections.close_all()
            return 0
        connections.close_all()
        # A shared machine's load drifts: every workload runs in every round, each round
        # between two pgbench runs, each ratio against the mean of the pgbench runs around it,
        # and the median over the rounds is reported.
        pgbench_ms: list[float] = []

        def baseline() -> None:
            machine = _machine_cpu()
            baselines.append(run_pgbench(tpcb_db, seconds))
            pgbench_ms.append((_machine_cpu() - machine) * 1000 / (baselines[-1] * seconds))

        baseline()
        for _ in range(rounds):
            measured = {
                kind: run_ours(kind, ours_db, ctx, seconds, shape or args.shape)
                for kind, _, shape in WORKLOADS
            }
            baseline()
            base = (baselines[-2] + baselines[-1]) / 2
            for kind, found in measured.items():
                rates[kind].append(found)
                ratios[kind].append(found.rate / base)
        state = verify(ours_db)
        connections.close_all()
    finally:
        psql_admin(f'DROP DATABASE IF EXISTS "{ours_db}" WITH (FORCE)')
        psql_admin(f'DROP DATABASE IF EXISTS "{tpcb_db}" WITH (FORCE)')
    print(
        f"points transfers on PostgreSQL, {CLIENTS} concurrent clients ({args.shape} unless said), "
        f"{rounds} round(s) of {seconds} s per workload"
    )
    print(f"{'workload':52} {'per second':>11} {'÷ pgbench':>10} {'client ms':>10} {'machine ms':>11}")
    runs = " / ".join(f"{b:,.0f}" for b in baselines)
    print(f"{'pgbench TPC-B-like, scale 16 (runs)':52} {runs}")
    print(
        f"{'  machine CPU per pgbench transaction (median)':52} {'':>33} {statistics.median(pgbench_ms):11.2f}"
    )
    for kind, label, _ in WORKLOADS:
        found = rates[kind]
        print(
            f"{label:52} {statistics.median(m.rate for m in found):11,.0f} "
            f"{statistics.median(ratios[kind]):10.2f} {statistics.median(m.client_ms for m in found):10.2f} "
            f"{statistics.median(m.machine_ms for m in found):11.2f}"
        )
    print(
        "(medians over the rounds; each ratio against the pgbench runs just before and after it; "
        "client ms: CPU of our client processes per call; machine ms: CPU of both cores per call)"
    )
    hot = statistics.median(r.rate / h.rate for r, h in zip(rates["sql"], rates["sql_hot"], strict=True))
    hot_first = statistics.median(
        r.rate / h.rate for r, h in zip(rates["sql_first"], rates["sql_first_hot"], strict=True)
    )
    print(f"ledger after the run: {state}")
    print(f"shards vs one hot issuance account (SQL): debit last {hot:.2f}x, debit first {hot_first:.2f}x")
    print(f"ratio ledger SQL alone/pgbench = {statistics.median(ratios['sql']):.2f}")
    ratio = statistics.median(ratios["award"])
    print(
        f"ratio points_award service/pgbench = {ratio:.2f} "
        f"({'meets' if ratio >= TARGET else 'BELOW'} target {TARGET:.2f})"
    )
    return 0 if state.startswith("balanced") else 1


if __name__ == "__main__":
    sys.exit(main())
