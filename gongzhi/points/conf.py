"""The points app's settings, with defaults: ``settings.GONGZHI_POINTS`` overrides any of them.

Read through ``points_setting(name)`` at call time, so tests can change them with the
``settings`` fixture.
"""

from __future__ import annotations

import os

from django.conf import settings


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEFAULTS: dict[str, object] = {
    # Expiry is off unless a programme decides otherwise (points are a promise to residents).
    "EXPIRY_ENABLED": _env_bool("GONGZHI_POINTS_EXPIRY", False),
    # Points older than this many months at the end of a year expire on 31 December.
    "EXPIRY_AGE_MONTHS": int(os.environ.get("GONGZHI_POINTS_EXPIRY_MONTHS", "24")),
    # Residents are told this many days before year end how many points will expire.
    "EXPIRY_NOTICE_DAYS": int(os.environ.get("GONGZHI_POINTS_EXPIRY_NOTICE_DAYS", "30")),
    "PAY_CODE_SECONDS": 60,
    # Issuance shards per new budget; redemption and expiry accounts per scheme.
    "SHARDS": int(os.environ.get("GONGZHI_POINTS_SHARDS", "8")),
    "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "PHOTO_MAX_SIDE": 1600,
    # On PostgreSQL, pay the common award in two statements (services/fast_award.py); off, every
    # award goes through the ORM as on SQLite (the tests compare the two).
    "FAST_AWARDS": _env_bool("GONGZHI_POINTS_FAST_AWARDS", True),
    # A merchant may refund a payment for this many hours after it was made.
    "REFUND_HOURS": 24,
}


def points_setting(name: str):
    return {**DEFAULTS, **getattr(settings, "GONGZHI_POINTS", {})}[name]
