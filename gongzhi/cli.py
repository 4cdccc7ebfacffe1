"""The `gongzhi` console command: manage.py plus a few verbs of our own.

`gongzhi audit verify`, `gongzhi demo seed`, `gongzhi worker`, `gongzhi pass verify`,
`gongzhi stations plan` ... are Django management commands (or thin wrappers around pure
functions in ``gongzhi.lib``), so one entry point serves both operators and developers.
"""

from __future__ import annotations

import os
import sys

# Two-word verbs map onto management commands: `gongzhi audit verify` → `audit_verify`.
VERBS: dict[tuple[str, str], str] = {
    ("audit", "verify"): "audit_verify",
    ("demo", "seed"): "demo_seed",
    ("pass", "verify"): "pass_verify",
    ("stations", "plan"): "stations_plan",
    ("points", "verify"): "points_verify",
    ("areas", "load"): "areas_load",
    ("tickets", "tick"): "tickets_tick",
    ("volunteering", "remind"): "volunteering_remind",
}
ALIASES: dict[str, str] = {"worker": "db_worker"}


def translate_argv(argv: list[str]) -> list[str]:
    """Rewrite our verbs into Django's management-command names."""
    if len(argv) >= 3 and (argv[1], argv[2]) in VERBS:
        return [argv[0], VERBS[(argv[1], argv[2])], *argv[3:]]
    if len(argv) >= 2 and argv[1] in ALIASES:
        return [argv[0], ALIASES[argv[1]], *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(translate_argv(argv))
    except SystemExit as exc:  # commands signal failure through SystemExit(code)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
