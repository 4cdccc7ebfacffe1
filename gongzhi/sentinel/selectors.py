"""Reads of the sentinel app; every list starts from what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.lib.geo import cells_within, haversine_m, validate_lat_lng
from gongzhi.tickets.models import OPEN_STATES, State, Ticket

from .models import GEOHASH_PRECISION, Lead, SentinelCategory
from .policy import KIND


def category_list(*, active_only: bool = True) -> QuerySet[SentinelCategory]:
    qs = SentinelCategory.objects.select_related("unit")
    return qs.filter(is_active=True) if active_only else qs


@dataclass(frozen=True)
class Nearby:
    lead: Lead
    distance_m: float


def nearby_open_leads(
    *, category: SentinelCategory, lat: float, lng: float, now=None, exclude: int | None = None
) -> list[Nearby]:
    """Open leads of the same category within the category's radius and time window, nearest first.

    Indexed: the geohash cells covering the circle are read with ``IN``, then the exact distance
    decides. Shown while a lead is written ("is this the same?") and to the dispatcher.
    """
    lat, lng = validate_lat_lng(lat, lng)
    radius = category.duplicate_radius_m
    since = (now or timezone.now()) - timedelta(hours=category.duplicate_window_hours)
    cells = cells_within(lat, lng, radius, precision=GEOHASH_PRECISION)
    rows = (
        Lead.objects.filter(
            category=category,
            geohash__in=cells,
            created_at__gte=since,
            merged_into__isnull=True,
            ticket__state__in=OPEN_STATES,
        )
        .select_related("ticket")
        .order_by("-created_at")[:200]
    )
    found = []
    for lead in rows:
        if lead.pk == exclude:
            continue
        d = haversine_m(lat, lng, lead.lat, lead.lng)
        if d <= radius:
            found.append(Nearby(lead, round(d)))
    return sorted(found, key=lambda n: n.distance_m)


def my_leads(*, viewer) -> QuerySet[Ticket]:
    return Ticket.objects.submitted_by(viewer).filter(kind=KIND).select_related("area")


def lead_of(ticket: Ticket) -> Lead | None:
    return Lead.objects.select_related("category", "merged_into__ticket").filter(ticket=ticket).first()


def visible_leads(*, viewer) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(viewer).filter(kind=KIND)


@dataclass(frozen=True)
class FigureRow:
    key: str
    reported: int
    resolved: int
    in_time: int

    @property
    def in_time_share(self) -> float | None:
        return round(100 * self.in_time / self.resolved, 1) if self.resolved else None


def lead_figures(*, viewer, by: str) -> list[FigureRow]:
    """Leads reported, resolved and resolved within the deadline, by category, unit, area or month."""
    group = {
        "category": F("ticket__category"),
        "unit": F("category__unit__name"),
        "area": F("ticket__area__name"),
        "month": TruncMonth("created_at"),
    }[by]
    tickets = Ticket.objects.in_area_scope(viewer).filter(kind=KIND)
    done = Q(ticket__state__in=[State.RESOLVED, State.CLOSED])
    in_time = done & Q(ticket__resolved_at__lte=F("ticket__deadline"))
    rows = (
        Lead.objects.filter(ticket__in=tickets, merged_into__isnull=True)
        .annotate(key=group)
        .values("key")
        .annotate(
            reported=Count("pk"), resolved=Count("pk", filter=done), in_time=Count("pk", filter=in_time)
        )
        .order_by("key")
    )
    names = dict(SentinelCategory.objects.values_list("code", "name")) if by == "category" else {}
    out = []
    for r in rows:
        key = r["key"]
        if by == "month" and key is not None:
            key = f"{key:%Y-%m}"
        key = names.get(key, key) if by == "category" else key
        out.append(FigureRow(str(key or "-"), r["reported"], r["resolved"], r["in_time"]))
    return out
