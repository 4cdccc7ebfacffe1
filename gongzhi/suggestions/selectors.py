"""Reads of the suggestions app. Lists of the office start from what the viewer may see; the list
of adopted suggestions is public by design (the answer is published, the author's name is not)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from gongzhi.areas.models import Area, Level
from gongzhi.tickets.models import OPEN_STATES, QUEUE_STATES, State, Ticket
from gongzhi.tickets.policies import get_policy
from gongzhi.tickets.selectors import ticket_get

from .models import Outcome, Suggestion
from .policy import KIND

LIST_RELATED = ("area", "suggestion", "assignee_user", "assignee_org")


def home_areas(*, viewer) -> list[Area]:
    """The communities (or villages, grids) the viewer belongs to: where their suggestions go."""
    areas = {m.area_id: m.area for m in viewer.access.memberships if m.area_id}
    return [a for _code, a in sorted(areas.items()) if a.level in (Level.VILLAGE, Level.GRID)]


def my_suggestions(*, viewer) -> QuerySet[Ticket]:
    return (
        Ticket.objects.submitted_by(viewer)
        .filter(kind=KIND)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def suggestion_list(*, viewer, show: str = "open", topic: str = "") -> QuerySet[Ticket]:
    """Suggestions of the viewer's areas: waiting ones oldest first, answered ones newest first."""
    qs = Ticket.objects.in_area_scope(viewer).filter(kind=KIND)
    if topic:
        qs = qs.filter(category=topic)
    if show == "open":
        return qs.filter(state__in=OPEN_STATES).select_related(*LIST_RELATED).order_by("created_at", "id")
    if show == "queue":
        return qs.filter(state__in=QUEUE_STATES).select_related(*LIST_RELATED).order_by("created_at", "id")
    if show in (Outcome.ADOPTED, Outcome.NOT_ADOPTED):
        qs = qs.filter(state=State.CLOSED, suggestion__outcome=show)
    return qs.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def suggestion_get(*, viewer, pk) -> Ticket:
    ticket = ticket_get(viewer=viewer, pk=pk)
    if ticket.kind != KIND:
        raise Http404
    return ticket


def suggestion_of(ticket: Ticket) -> Suggestion | None:
    return Suggestion.objects.filter(ticket=ticket).first()


def adopted_public(*, area_code: str = "") -> QuerySet[Suggestion]:
    """Adopted suggestions, newest answer first: topic, text, community and the public reason."""
    qs = Suggestion.objects.filter(outcome=Outcome.ADOPTED, ticket__state=State.CLOSED, ticket__kind=KIND)
    if area_code.isdigit():
        from gongzhi.areas.models import prefix_of, subtree_q

        try:
            qs = qs.filter(subtree_q("ticket__area_id", prefix_of(area_code)))
        except (KeyError, ValueError):
            return qs.none()
    return qs.select_related("ticket", "ticket__area").order_by("-decided_at", "-pk")


def topic_label(code: str) -> str:
    category = get_policy(KIND).by_code.get(code)
    return str(category.label) if category else code


@dataclass(frozen=True)
class FigureRow:
    key: str
    received: int
    answered: int
    adopted: int

    @property
    def adopted_share(self) -> float | None:
        return round(100 * self.adopted / self.answered, 1) if self.answered else None


def suggestion_figures(*, viewer, by: str) -> list[FigureRow]:
    """Suggestions received, answered and adopted, by topic, community or month received."""
    group = {
        "topic": F("ticket__category"),
        "area": F("ticket__area__name"),
        "month": TruncMonth("created_at"),
    }[by]
    tickets = Ticket.objects.in_area_scope(viewer).filter(kind=KIND).exclude(state=State.CANCELLED)
    answered = Q(ticket__state=State.CLOSED) & ~Q(outcome=Outcome.PENDING)
    rows = (
        Suggestion.objects.filter(ticket__in=tickets)
        .annotate(key=group)
        .values("key")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered),
            adopted=Count("pk", filter=answered & Q(outcome=Outcome.ADOPTED)),
        )
        .order_by("key")
    )
    out = []
    for r in rows:
        key = r["key"]
        if by == "month" and key is not None:
            key = f"{key:%Y-%m}"
        elif by == "topic":
            key = topic_label(key)
        out.append(FigureRow(str(key or "-"), r["received"], r["answered"], r["adopted"]))
    return out
