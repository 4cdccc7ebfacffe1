"""The rider pass's settings: defaults here, overridden by ``settings.GONGZHI_PASSES`` or the
environment (``GONGZHI_PASS_<NAME>``), read at call time so tests can override them."""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, int | str] = {
    # A pass lives a day: a screenshot is worthless by tomorrow, and the phone renews it long
    # before, whenever it is online (ARCHITECTURE decision 4; issue #8 "replayed after expiry").
    "PASS_VALIDITY_HOURS": 24,
    # The phone page asks for a fresh pass once less than this is left.
    "PASS_RENEW_HOURS": 12,
    # How long one signing key signs new passes before the next one takes over.
    "KEY_ISSUING_DAYS": 90,
    # Tolerance for a gate device's clock at both ends of a pass's window.
    "CLOCK_SKEW_SECONDS": 300,
    # The seed: "平均每单至少能节约5分钟" (at least 5 minutes saved per order).
    "MINUTES_SAVED_PER_SCAN": 5,
    # Gate scans are location data (PIPL: sensitive). Kept this long, then rolled up into
    # anonymous daily counts per gate and deleted. 180 days covers the 6 months of logs the
    # Cybersecurity Law (art. 21) asks for.
    "ACCESS_EVENT_RETENTION_DAYS": 180,
    # Remind riders and their community this many days before an insurance policy ends.
    "INSURANCE_REMINDER_DAYS": 14,
    # The public address the QR code points at; empty means the address of the request.
    "BASE_URL": "",
    # Rider photos are shrunk to this many pixels on the long side, and re-encoded without EXIF.
    "PHOTO_MAX_PIXELS": 800,
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
}


def setting(name: str):
    default = DEFAULTS[name]
    overrides = getattr(settings, "GONGZHI_PASSES", {}) or {}
    if name in overrides:
        return overrides[name]
    env = os.environ.get(f"GONGZHI_PASS_{name}")
    if env is not None:
        return type(default)(env)
    return default
