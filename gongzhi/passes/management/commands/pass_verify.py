"""`gongzhi pass verify TOKEN`: verify a pass offline, with no database, as a gate device does.

A thin wrapper of ``gongzhi.lib.passes.main``: exit 0 when valid, 1 when not (the reason code is
printed first), 2 on a usage or file error. ``--keys`` and ``--revocations`` are the documents
published at /api/v1/passes/keyset and /revocations; ``--publisher-key`` pins their signer.
"""

from __future__ import annotations

import argparse
import sys

from django.core.management.base import BaseCommand

from gongzhi.lib import passes


class Command(BaseCommand):
    help = "Verify a rider pass token or URL offline (exit 0 valid, 1 not valid, 2 usage error)."

    def run_from_argv(self, argv):
        # argv: [prog, "pass_verify", *args]; the library parses the rest itself.
        code = passes.main(["verify", *argv[2:]])
        sys.stdout.flush()
        sys.exit(code)

    def add_arguments(self, parser):
        parser.add_argument(
            "rest", nargs=argparse.REMAINDER, help="TOKEN --keys FILE [--revocations FILE] ..."
        )

    def handle(self, *args, **options):
        # Reached through call_command(); the console goes through run_from_argv above.
        code = passes.main(["verify", *options["rest"]])
        if code:
            raise SystemExit(code)
