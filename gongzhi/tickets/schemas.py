"""JSON shapes of tickets, shared by the ticket API and other apps' APIs that return tickets."""

from datetime import datetime

from ninja import Field, Schema

from . import selectors, services


class TicketListOut(Schema):
    """A ticket as a row of a list: what a list shows, cheap to serialise a page of."""

    id: int
    number: str
    kind: str
    category: str
    category_label: str
    title: str
    state: str
    state_label: str
    priority: int
    area_code: str
    area_name: str
    assignee: str = Field(..., description="the organisation or person handling it, if any")
    deadline: datetime | None
    overdue: bool
    escalation_level: int
    created_at: datetime
    rating: int | None

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_assignee(obj) -> str:
        return obj.assignee_label

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class TicketOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    category: str
    category_label: str
    title: str
    description: str
    state: str
    state_label: str
    priority: int
    area_code: str
    area_name: str
    lat: float | None
    lng: float | None
    address: str
    assignee: str = Field(..., description="the organisation or person handling it, if any")
    deadline: datetime | None
    overdue: bool
    escalation_level: int
    created_at: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_note: str
    rating: int | None
    rating_comment: str
    extra: dict

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_assignee(obj) -> str:
        return obj.assignee_label

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    actor: str
    from_state: str
    to_state: str
    note: str
    visibility: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label


class AttachmentOut(Schema):
    id: int
    stage: str
    content_type: str
    width: int
    height: int
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("tickets:attachment", args=[obj.pk])


class TicketDetailOut(TicketOut):
    timeline: list[EventOut] = Field(..., description="events the caller may read (submitters: public ones)")
    photos: list[AttachmentOut]
    allowed_actions: list[str] = Field(..., description="transitions the caller may take now")


def detail_payload(viewer, ticket):
    """A ticket with the timeline, photos and actions the viewer may see and take."""
    # The caller held the ticket a moment ago (visibility checked); after declining or handing it
    # back they may no longer see it, but the answer to their own action is still theirs.
    ticket.refresh_from_db()
    ticket.timeline = list(selectors.ticket_timeline(ticket=ticket, viewer=viewer))
    ticket.photos = list(ticket.attachments.all())
    ticket.allowed_actions = sorted(services.allowed_actions(ticket, viewer))
    return ticket
