"""`make bench`: run every bench/bench_*.py in turn and print their tables.

Each benchmark measures its own baseline in the same run and reports ratios, because the machines
are shared and noisy. Pass names to run some: `python bench/run.py seed passes`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(
        p for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted
    )
    failed = 0
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"--- {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
