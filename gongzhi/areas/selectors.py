"""Reads of the area tree."""

from __future__ import annotations

from .models import Area, Level


def areas_for_permission(*, viewer, permission: str, levels=(Level.VILLAGE,)):
    """Areas of the given levels where the viewer holds ``permission`` (for form choices)."""
    scope = viewer.access.scope(permission)
    qs = Area.objects.filter(level__in=levels)
    if scope.empty:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(scope.q("code", None, None)).order_by("code")
