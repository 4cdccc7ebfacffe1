from __future__ import annotations

import math

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.4667 → "46.7%"."""
    if value is None:
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def metres(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    value = float(value)
    return f"{value / 1000:.1f} km" if value >= 1000 else f"{value:.0f} m"


@register.filter
def walk(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return _("%(n)d min") % {"n": max(1, round(float(value)))}


@register.filter
def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{int(digits)}f}"


@register.inclusion_tag("stations/_open_status.html")
def open_status_badge(status):
    """ "Open, until 18:00" or "Closed, opens Mon 09:00" (local times)."""
    today = timezone.localdate()
    when = status.until if status.is_open else status.next_open
    return {"status": status, "when": when, "same_day": when is not None and when.date() == today}


@register.filter
def function_share(row, name: str) -> float:
    """A coverage row's (or report's) share of people within the walk of a station offering ``name``."""
    return row.function_share(name)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
