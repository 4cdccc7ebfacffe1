"""Reads of the three lists, the resident's catalogue and the dispatch queue of service orders."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.areas.models import Area, Level, prefix_of, subtree_q
from gongzhi.areas.scoping import ScopedQuerySet, get_visible_or_404
from gongzhi.tickets.selectors import ticket_queue

from .dispatch import providers_for, rank
from .models import Need, Resource, ServiceOffering
from .policy import KIND


def _in_area(qs, area_code: str):
    if not area_code:
        return qs
    try:
        return qs.filter(subtree_q("area_id", prefix_of(area_code)))
    except Exception:  # noqa: BLE001 - a malformed area filter matches nothing
        return qs.none()


def need_list(
    *, viewer, area_code: str = "", category: str = "", status: str = "", q: str = ""
) -> QuerySet[Need]:
    qs = _in_area(Need.objects.visible_to(viewer), area_code)
    if category:
        qs = qs.filter(category=category)
    if status == "active":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(person__name__startswith=q))
    return qs.select_related("area", "person").order_by("-urgency", "-created_at", "-id")


def need_get(*, viewer, pk) -> Need:
    return get_visible_or_404(Need.objects.select_related("area", "person"), viewer, pk=pk)


def resource_list(
    *, viewer, area_code: str = "", kind: str = "", category: str = "", q: str = ""
) -> QuerySet[Resource]:
    qs = _in_area(Resource.objects.visible_to(viewer), area_code)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = (
            qs.filter(categories__contains=[category])
            if _json_contains_supported()
            else qs.filter(categories__icontains=f'"{category}"')
        )
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(name__contains=q)
    return qs.select_related("area", "organisation", "user").order_by("kind", "name", "id")


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def resource_get(*, viewer, pk) -> Resource:
    return get_visible_or_404(Resource.objects.select_related("area", "organisation", "user"), viewer, pk=pk)


def offering_list(
    *, viewer, area_code: str = "", category: str = "", q: str = "", active: bool | None = None
) -> QuerySet[ServiceOffering]:
    """The service list of the viewer's areas (the office's view)."""
    qs = ScopedQuerySet.visible_to(ServiceOffering.objects.all(), viewer)
    qs = _in_area(qs, area_code)
    if category:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(title__contains=q)
    return qs.select_related("area", "provider").order_by("category", "title", "id")


def offering_get(*, viewer, pk) -> ServiceOffering:
    return get_visible_or_404(ServiceOffering.objects.select_related("area", "provider"), viewer, pk=pk)


def home_communities(*, viewer) -> list[Area]:
    """The communities (or villages, grids) the viewer belongs to: where they may order."""
    codes = {m.area_id for m in viewer.access.memberships if m.area.level in (Level.VILLAGE, Level.GRID)}
    return list(Area.objects.filter(code__in=codes).order_by("code"))


def catalogue(*, viewer, area: Area, category: str = "") -> QuerySet[ServiceOffering]:
    """What a resident can order in their community: listed offerings serving it."""
    qs = ServiceOffering.objects.catalogue_for(viewer, area.code)
    if category:
        qs = qs.filter(category=category)
    return qs.select_related("provider", "area").order_by("category", "title", "id")


def order_queue(*, viewer, category: str = "", area_code: str = ""):
    """Service orders waiting for dispatch in the viewer's areas, urgent and oldest first."""
    return ticket_queue(viewer=viewer, kind=KIND, category=category, area_code=area_code)


def with_suggestions(tickets, *, per_ticket: int = 3) -> list[tuple]:
    """(ticket, ranked suggestions) for a page of the queue, loading the providers once."""
    tickets = list(tickets)
    if not tickets:
        return []
    providers = providers_for({t.area_id for t in tickets})
    return list(zip(tickets, rank(tickets, providers, limit=per_ticket), strict=True))
