"""``gongzhi stations plan --model {mclp,lscp,pmedian} --demand demand.csv --candidates
candidates.csv --radius-m R [--p N] [--json]``: the planner on CSV files, without the database.

A thin wrapper around ``gongzhi.lib.planning.main``, which owns the arguments, the checks (a
message naming the row or the parameter, exit code 2) and the output (the chosen candidate ids,
the objective, the bound and the solve time; ``--json`` for machines).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from gongzhi.lib import planning


class Command(BaseCommand):
    help = (
        "Choose service-station sites from CSV files: maximal covering (mclp), set covering (lscp) or "
        "p-median (pmedian), solved to proven optimum with HiGHS. Run with --help for the arguments."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # The library parses its own arguments (Django's parser would refuse them); argv is
        # [program, "stations_plan", ...arguments].
        code = planning.main(argv[2:])
        sys.stdout.flush()
        if code:
            sys.exit(code)

    def handle(self, *args, **options):  # call_command("stations_plan") without arguments
        return planning.main(["--help"]) and None
