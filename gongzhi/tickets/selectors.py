"""Reads of tickets. Every list starts from a visibility facet of ``Ticket.objects`` (see
``TicketQuerySet``); single tickets come through ``get_visible_or_404``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from gongzhi.areas.models import Area, prefix_of, subtree_q
from gongzhi.areas.scoping import get_visible_or_404

from .models import (
    OPEN_STATES,
    QUEUE_STATES,
    EscalationLevel,
    FollowUp,
    RoutingRule,
    State,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketOffer,
    Visibility,
)
from .services.core import hats

LIST_FIELDS = ("area", "assignee_org", "assignee_user")


def _narrow(qs, *, kind: str = "", state: str = "", category: str = "", area_code: str = "", q: str = ""):
    if kind:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "queue":
        qs = qs.filter(state__in=QUEUE_STATES)
    elif state in State.values:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if area_code:
        try:
            qs = qs.filter(subtree_q("area_id", prefix_of(area_code)))
        except Exception:  # noqa: BLE001 - a malformed area filter matches nothing
            return qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(pk=int(q)) if q.isdigit() else Q(title__contains=q[:50]))
    return qs


def ticket_list(
    *,
    viewer,
    kind: str = "",
    state: str = "",
    category: str = "",
    area_code: str = "",
    q: str = "",
    overdue: bool = False,
    escalated: bool = False,
) -> QuerySet[Ticket]:
    """Tickets of the viewer's areas (the office's view), newest first."""
    qs = _narrow(
        Ticket.objects.in_area_scope(viewer),
        kind=kind,
        state=state,
        category=category,
        area_code=area_code,
        q=q,
    )
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=timezone.now())
    if escalated:
        qs = qs.filter(state__in=OPEN_STATES, escalation_level__gt=EscalationLevel.NONE)
    return qs.select_related(*LIST_FIELDS).order_by("-created_at", "-id")


def ticket_queue(*, viewer, kind: str = "", category: str = "", area_code: str = "") -> QuerySet[Ticket]:
    """The dispatch queue (派单): waiting tickets of the viewer's areas, urgent and oldest first.

    Community workers dispatch from it; town and city staff read it across their scope."""
    qs = Ticket.objects.in_area_scope(viewer, "tickets.view").filter(state__in=QUEUE_STATES)
    qs = _narrow(qs, kind=kind, category=category, area_code=area_code)
    return qs.select_related("area").order_by("-priority", "created_at", "id")


def ticket_list_submitted(*, viewer, kind: str = "", state: str = "") -> QuerySet[Ticket]:
    """My requests / my orders, newest first."""
    qs = _narrow(Ticket.objects.submitted_by(viewer), kind=kind, state=state)
    return qs.select_related(*LIST_FIELDS).order_by("-created_at", "-id")


def ticket_list_offered(*, viewer) -> QuerySet[Ticket]:
    """Orders offered to me or my organisation, waiting for an answer."""
    return (
        Ticket.objects.offered_to(viewer)
        .filter(state=State.DISPATCHED)
        .select_related("area", "submitter")
        .order_by("created_at", "id")
    )


def ticket_list_assigned(*, viewer, state: str = "") -> QuerySet[Ticket]:
    """My jobs: what I or my organisation handle (open first, then the last finished ones)."""
    qs = Ticket.objects.assigned_to(viewer)
    if state == "open":
        qs = qs.filter(state__in=(State.ACCEPTED, State.IN_PROGRESS))
    elif state == "done":
        qs = qs.filter(state__in=(State.RESOLVED, State.CLOSED))
    elif state in State.values:
        qs = qs.filter(state=state)
    return qs.select_related(*LIST_FIELDS).order_by("-created_at", "-id")


def ticket_escalated(*, viewer) -> QuerySet[Ticket]:
    """Open tickets escalated to a level the viewer supervises (the supervisor's workbench)."""
    scope = viewer.access.scope("tickets.supervise")
    if scope.empty:
        return Ticket.objects.none()
    qs = Ticket.objects.in_area_scope(viewer, "tickets.supervise").filter(
        state__in=OPEN_STATES, escalation_level__gt=0
    )
    return qs.select_related(*LIST_FIELDS).order_by("-escalation_level", "deadline", "id")


def ticket_get(*, viewer, pk) -> Ticket:
    return get_visible_or_404(
        Ticket.objects.select_related(*LIST_FIELDS, "submitter", "accepted_by"), viewer, pk=pk
    )


def ticket_timeline(*, ticket: Ticket, viewer) -> QuerySet[TicketEvent]:
    """The events the viewer may read: the submitter sees the public ones only."""
    qs = ticket.events.select_related("actor").order_by("at", "id")
    worn = hats(ticket, viewer)
    if worn <= {"submitter"} and not viewer.access.can("tickets.view", ticket.area_id):
        qs = qs.filter(visibility=Visibility.PUBLIC)
    return qs


def dispatchable_organisations(*, viewer, ticket: Ticket):
    """Organisations a dispatcher may name for a ticket: those of the viewer's areas, and the
    street-, city- and province-level bodies above the ticket's community, which serve it too."""
    from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH
    from gongzhi.directory.models import Organisation

    above = {ticket.area_id[:n].ljust(CODE_LENGTH, "0") for n in PREFIX_LENGTH.values() if n < CODE_LENGTH}
    mine = Organisation.objects.visible_to(viewer).filter(is_active=True).values("pk")
    return (
        Organisation.objects.filter(is_active=True)
        .filter(Q(pk__in=mine) | Q(area_id__in=sorted(above)))
        .order_by("kind", "name")
    )


def ticket_offers(*, ticket: Ticket) -> QuerySet[TicketOffer]:
    return ticket.offers.select_related("party_org", "party_user").order_by("-offered_at", "id")


def attachment_get(*, viewer, pk) -> TicketAttachment:
    """One photo, reachable only through a ticket the viewer may see."""
    from django.http import Http404

    attachment = TicketAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    ticket_get(viewer=viewer, pk=attachment.ticket_id)
    return attachment


def follow_up_list(*, viewer, pending: bool = True) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.visible_to(viewer).select_related("ticket", "area")
    if pending:
        qs = qs.pending()
    return qs.order_by("due_at", "id")


def follow_up_get(*, viewer, pk) -> FollowUp:
    return get_visible_or_404(FollowUp.objects.select_related("ticket", "area"), viewer, pk=pk)


def routing_rule_list(*, viewer) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.visible_to(viewer).select_related("area", "party_org", "party_user")


def routing_rule_get(*, viewer, pk) -> RoutingRule:
    return get_visible_or_404(RoutingRule.objects.select_related("area"), viewer, pk=pk)


@dataclass
class Figures:
    """12345 scoring (REQUIREMENTS-CN): response, resolution and satisfaction rates of an area."""

    area: Area | None
    code: str
    name: str
    received: int = 0
    responded: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    escalated: int = 0
    open: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded, self.received)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.received)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)


def _child_prefix_length(area: Area) -> int:
    from gongzhi.areas.models import PREFIX_LENGTH, Level

    order = list(PREFIX_LENGTH)
    index = order.index(Level(area.level))
    return PREFIX_LENGTH[order[min(index + 1, len(order) - 2)]]


def ticket_figures(
    *, viewer, since: datetime | None = None, kind: str = "", area_code: str = ""
) -> tuple[Figures, list[Figures]]:
    """The totals of the viewer's scope and one row per area one level down, for tickets received
    since ``since`` (30 days by default). Cancelled tickets do not count as received.

    response = a handler accepted it; resolution = resolved or closed; satisfaction = rated 4–5
    of those rated; overdue = open past its deadline now.
    """
    since = since or timezone.now() - timedelta(days=30)
    now = timezone.now()
    qs = Ticket.objects.in_area_scope(viewer).filter(created_at__gte=since).exclude(state=State.CANCELLED)
    if kind:
        qs = qs.filter(kind=kind)
    home = Area.objects.filter(code=area_code).first() if area_code else viewer.access.home_area()
    if home is not None and area_code:
        qs = qs.filter(subtree_q("area_id", home.prefix))
    rows = (
        qs.values("area_id")
        .annotate(
            received=Count("id"),
            responded=Count("id", filter=Q(accepted_at__isnull=False)),
            resolved=Count("id", filter=Q(state__in=(State.RESOLVED, State.CLOSED))),
            rated=Count("id", filter=Q(rating__isnull=False)),
            satisfied=Count("id", filter=Q(rating__gte=4)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=now)),
            escalated=Count("id", filter=Q(state__in=OPEN_STATES, escalation_level__gt=0)),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
        )
        .order_by("area_id")
    )
    cut = _child_prefix_length(home) if home is not None else 9
    total = Figures(home, home.code if home else "", home.name if home else "")
    groups: dict[str, Figures] = {}
    fields = ("received", "responded", "resolved", "rated", "satisfied", "overdue", "escalated", "open")
    for row in rows:
        key = row["area_id"][:cut].ljust(12, "0") if cut <= 12 else row["area_id"]
        group = groups.setdefault(key, Figures(None, key, key))
        for f in fields:
            setattr(group, f, getattr(group, f) + row[f])
            setattr(total, f, getattr(total, f) + row[f])
    names = dict(Area.objects.filter(code__in=list(groups)).values_list("code", "name"))
    for key, group in groups.items():
        group.name = names.get(key, key)
    return total, sorted(groups.values(), key=lambda g: g.code)


def party_rating(*, org_id: int | None = None, user_id: int | None = None) -> dict:
    qs = Ticket.objects.filter(state=State.CLOSED, rating__isnull=False)
    qs = qs.filter(assignee_org_id=org_id) if org_id else qs.filter(assignee_user_id=user_id)
    return qs.aggregate(avg=Avg("rating"), n=Count("id"))


# --------------------------------------------------------------------------------------------
# Where a report belongs: shared by every kind that residents or riders report from a phone
# (sentinel leads, hazards): they report what they pass, anywhere in their county.
# --------------------------------------------------------------------------------------------


def reporting_areas(*, viewer) -> QuerySet[Area]:
    """Communities (villages, grids) of the reporter's county or counties."""
    from gongzhi.areas.models import Level

    prefixes = sorted({m.area_id[:6] for m in viewer.access.memberships if m.area_id})
    if not prefixes:
        return Area.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= subtree_q("code", prefix)
    return Area.objects.filter(q, level__in=(Level.VILLAGE, Level.GRID)).order_by("code")


def home_community(*, viewer) -> Area | None:
    """The community a report form starts on: the reporter's own, if they belong to one."""
    from gongzhi.areas.models import Level

    for m in viewer.access.memberships:
        if m.area is not None and m.area.level in (Level.VILLAGE, Level.GRID):
            return m.area
    return None


def community_at(lat: float, lng: float, *, within: str = "") -> Area | None:
    """The community (or village, grid) of the area ``within`` that a position lies in, or None."""
    from gongzhi.areas.models import Level
    from gongzhi.lib.geo import haversine_m, validate_lat_lng

    from . import conf
    from .geometry import within_area

    lat, lng = validate_lat_lng(lat, lng)
    span = 0.05  # ~5 km: no community is wider
    candidates = Area.objects.filter(
        level__in=(Level.VILLAGE, Level.GRID),
        lat__range=(lat - span, lat + span),
        lng__range=(lng - span, lng + span),
    )
    if within:
        candidates = candidates.filter(code__startswith=prefix_of(within))
    for area in sorted(candidates, key=lambda a: haversine_m(lat, lng, a.lat, a.lng)):
        radius = conf.area_radius_m(area.level)
        if within_area(lat, lng, boundary=area.boundary, centre=(area.lat, area.lng), radius_m=radius):
            return area
    return None


def placed_community(*, viewer, chosen: Area, lat, lng) -> Area:
    """Where a report belongs: the community the phone's position lies in, when the reporter may
    report there; otherwise the one they chose."""
    if lat is None or lng is None:
        return chosen
    try:
        found = community_at(lat, lng, within=chosen.code[:6] + "000000")
    except ValueError:
        return chosen
    if found is not None and reporting_areas(viewer=viewer).filter(pk=found.pk).exists():
        return found
    return chosen
