"""Reads of the hazards app; every list starts from what the viewer may see of tickets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from gongzhi.tickets.models import OPEN_STATES, QUEUE_STATES, State, Ticket
from gongzhi.tickets.selectors import ticket_get

from .models import Hazard, Reinspection, RiskLevel
from .policy import KIND

LIST_RELATED = ("area", "hazard", "hazard__owner", "assignee_org", "assignee_user")


def my_hazards(*, viewer) -> QuerySet[Ticket]:
    return (
        Ticket.objects.submitted_by(viewer)
        .filter(kind=KIND)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def hazard_list(*, viewer, state: str = "", risk_level: str = "", overdue: bool = False) -> QuerySet[Ticket]:
    """The office's hazards of its areas: waiting ones first when asked for the queue."""
    qs = Ticket.objects.in_area_scope(viewer).filter(kind=KIND)
    if state == "queue":
        qs = qs.filter(state__in=QUEUE_STATES)
    elif state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "reinspect":
        qs = qs.filter(state=State.RESOLVED)
    elif state == "waiting":  # the office's part: to assess and dispatch, or to re-inspect
        qs = qs.filter(state__in=[*QUEUE_STATES, State.RESOLVED])
    elif state in State.values:
        qs = qs.filter(state=state)
    if risk_level in RiskLevel.values:
        qs = qs.filter(hazard__risk_level=risk_level)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=timezone.now())
    return qs.select_related(*LIST_RELATED).order_by("-priority", "deadline", "-id")


def hazard_get(*, viewer, pk) -> Ticket:
    """One hazard the viewer may see (404 for other kinds, missing ones and others' ones alike)."""
    ticket = ticket_get(viewer=viewer, pk=pk)
    if ticket.kind != KIND:
        raise Http404
    return ticket


def hazard_of(ticket: Ticket) -> Hazard | None:
    return Hazard.objects.select_related("owner").filter(ticket=ticket).first()


def inspections_of(ticket: Ticket) -> QuerySet[Reinspection]:
    return Reinspection.objects.filter(hazard_id=ticket.pk).prefetch_related("photos").order_by("at", "id")


@dataclass(frozen=True)
class FigureRow:
    key: str
    found: int
    rectified: int
    open: int
    overdue: int

    @property
    def rectified_share(self) -> float | None:
        return round(100 * self.rectified / self.found, 1) if self.found else None


FIGURE_GROUPS = ("risk_level", "area", "month", "category")


def hazard_figures(*, viewer, by: str) -> list[FigureRow]:
    """Hazards found, rectified (closed after a passed re-inspection), open and overdue now, by
    risk level, community, month found or category; cancelled reports do not count."""
    group = {
        "risk_level": F("risk_level"),
        "area": F("ticket__area__name"),
        "month": TruncMonth("created_at"),
        "category": F("ticket__category"),
    }[by]
    now = timezone.now()
    tickets = Ticket.objects.in_area_scope(viewer).filter(kind=KIND).exclude(state=State.CANCELLED)
    open_q = Q(ticket__state__in=OPEN_STATES) | Q(ticket__state=State.RESOLVED)
    rows = (
        Hazard.objects.filter(ticket__in=tickets)
        .annotate(key=group)
        .values("key")
        .annotate(
            found=Count("pk"),
            rectified=Count("pk", filter=Q(ticket__state=State.CLOSED)),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=Q(ticket__state__in=OPEN_STATES, ticket__deadline__lt=now)),
        )
        .order_by("key")
    )
    labels: dict = {}
    if by == "risk_level":
        labels = {k: str(v) for k, v in RiskLevel.choices}
    elif by == "category":
        from gongzhi.tickets.policies import get_policy

        labels = {c.code: str(c.label) for c in get_policy(KIND).categories}
    out = []
    for r in rows:
        key = r["key"]
        if by == "month" and key is not None:
            key = f"{key:%Y-%m}"
        out.append(
            FigureRow(str(labels.get(key, key) or "-"), r["found"], r["rectified"], r["open"], r["overdue"])
        )
    return out
