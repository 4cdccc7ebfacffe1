import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.demo import seed as demo


class Command(BaseCommand):
    help = "Build the demo city on the real area tree (deterministic for a given --seed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=2000, help="number of synthetic residents (default 2000)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, scale: int, seed: int, quiet: bool, **options):
        if not 0 <= scale <= 5_000_000:
            raise CommandError("--scale must be between 0 and 5,000,000")
        started = time.perf_counter()
        bar = tqdm(
            total=scale, desc="residents", unit="人", file=sys.stderr, disable=quiet or None, mininterval=0.5
        )
        try:
            ctx = demo.run(scale=scale, seed=seed, progress=bar.update)
        finally:
            bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city ready in {elapsed:.1f} s: " + ", ".join(f"{k} {v}" for k, v in ctx.counts.items())
            )
        )
        self.stdout.write(f"\nDemo logins (password {demo.DEMO_PASSWORD} for every one):")
        for role, mobile, name, area in ctx.logins:
            self.stdout.write(f"  {role:<24} {mobile}  {name}  ({area})")
