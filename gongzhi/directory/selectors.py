"""Reads of organisations, scoped to the viewer."""

from __future__ import annotations

from gongzhi.areas.scoping import get_visible_or_404

from .models import Organisation


def organisation_list(*, viewer, kind: str = "", q: str = ""):
    qs = Organisation.objects.visible_to(viewer).select_related("area")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q.strip()[:50])
    return qs.order_by("kind", "name", "id")


def organisation_get(*, viewer, pk):
    return get_visible_or_404(Organisation.objects.select_related("area", "parent"), viewer, pk=pk)
