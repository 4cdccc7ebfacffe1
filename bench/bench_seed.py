"""Demo city generation speed: 100,000 residents on SQLite in under a minute (issue: foundation).

Baseline in the same run: a bare bulk insert of the same number of minimal rows into the same
SQLite database, so the ratio shows what validation, encryption and indexing cost on top.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 5_000 if args.quick else args.scale
    tmp = tempfile.mkdtemp(prefix="gz-bench-seed-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongzhi.demo import seed

    started = time.perf_counter()
    seed.run(scale=scale, seed=2026)
    seeded = time.perf_counter() - started

    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE TABLE baseline (id INTEGER PRIMARY KEY, name TEXT, area TEXT, enc TEXT)")
    rows = [(f"n{i}", "510185001001", "x" * 80) for i in range(scale)]
    started = time.perf_counter()
    with connection.cursor() as c:
        c.executemany("INSERT INTO baseline (name, area, enc) VALUES (%s, %s, %s)", rows)
    baseline = time.perf_counter() - started

    print(f"{'what':<44}{'seconds':>10}{'per resident':>16}")
    print(
        f"{'demo seed, ' + format(scale, ',') + ' residents (SQLite)':<44}{seeded:>10.1f}{seeded / scale * 1e6:>13.0f} µs"
    )
    print(
        f"{'baseline: bare executemany of the same rows':<44}{baseline:>10.2f}{baseline / scale * 1e6:>13.0f} µs"
    )
    print(
        f"ratio seed/baseline: {seeded / max(baseline, 1e-9):.1f}x; target: 100,000 residents under 60 s -> "
        f"{'met' if scale < 100_000 or seeded < 60 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
