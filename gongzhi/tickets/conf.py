"""The engine's tunable numbers, each overridable from Django settings (defaults from
REQUIREMENTS-CN "Ticket handling": emergency 2 h, utilities 24 h, general 7 days, complex 15 days).

Settings (all optional): ``GONGZHI_TICKET_LIMITS`` {limit class: hours},
``GONGZHI_TICKET_REMIND_FRACTION``, ``GONGZHI_TICKET_AREA_RADIUS_M`` {area level: metres},
``GONGZHI_TICKET_ATTACHMENT_MAX_MB``, ``GONGZHI_TICKET_REOPEN_DAYS``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULT_LIMIT_HOURS = {"emergency": 2, "utilities": 24, "general": 7 * 24, "complex": 15 * 24}
# A location must lie this close to its area's centre when the area has no boundary polygon.
# Generous on purpose: community centroids are approximate and villages are large.
DEFAULT_AREA_RADIUS_M = {"village": 6_000, "grid": 3_000, "town": 25_000}


def limit(name: str) -> timedelta:
    hours = {**DEFAULT_LIMIT_HOURS, **getattr(settings, "GONGZHI_TICKET_LIMITS", {})}
    return timedelta(hours=float(hours.get(name, hours["general"])))


def limit_names() -> list[str]:
    return list({**DEFAULT_LIMIT_HOURS, **getattr(settings, "GONGZHI_TICKET_LIMITS", {})})


def remind_fraction() -> float:
    """Remind when this share of the allowed time is left (at least an hour before the deadline)."""
    return float(getattr(settings, "GONGZHI_TICKET_REMIND_FRACTION", 0.2))


def area_radius_m(level: str) -> float:
    radii = {**DEFAULT_AREA_RADIUS_M, **getattr(settings, "GONGZHI_TICKET_AREA_RADIUS_M", {})}
    return float(radii.get(level, radii["village"]))


def attachment_max_bytes() -> int:
    return int(float(getattr(settings, "GONGZHI_TICKET_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024)


ATTACHMENT_MAX_EDGE = 2560  # pixels; larger photos are scaled down on re-encoding
ATTACHMENT_MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
ATTACHMENTS_PER_STAGE = 9  # what WeChat lets a phone pick at once


def reopen_days() -> int:
    """How long after closing a resident may still reopen."""
    return int(getattr(settings, "GONGZHI_TICKET_REOPEN_DAYS", 30))
