"""Suggestions over JSON: submit (multipart, photo optional), mine, the office's list, one
suggestion with its timeline, review, answer, figures, and the public list of adopted ones."""

from datetime import datetime

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page
from gongzhi.tickets.schemas import TicketDetailOut, TicketListOut, detail_payload

from . import selectors, services
from .models import REASON_MAX, TEXT_MAX

router = Router(tags=["suggestions"])


class SuggestionIn(Schema):
    topic: str = Field(..., max_length=40)
    area_code: str = Field(..., min_length=12, max_length=15)
    text: str = Field(..., max_length=TEXT_MAX)


class DecideIn(Schema):
    adopted: bool
    reason: str = Field(
        ..., max_length=REASON_MAX, description="shown to the resident (and the public, if adopted)"
    )


class SuggestionOut(Schema):
    ticket: TicketDetailOut
    outcome: str
    outcome_label: str
    public_reason: str
    decided_at: datetime | None


class AdoptedOut(Schema):
    id: int
    topic: str
    topic_label: str
    title: str
    text: str
    area_name: str
    reason: str
    adopted_at: datetime | None

    @staticmethod
    def resolve_id(obj) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_topic(obj) -> str:
        return obj.ticket.category

    @staticmethod
    def resolve_topic_label(obj) -> str:
        return obj.ticket.category_label

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.ticket.title

    @staticmethod
    def resolve_text(obj) -> str:
        return obj.ticket.description or obj.ticket.title

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.ticket.area.name

    @staticmethod
    def resolve_reason(obj) -> str:
        return obj.public_reason

    @staticmethod
    def resolve_adopted_at(obj):
        return obj.decided_at


class FigureOut(Schema):
    key: str
    received: int
    answered: int
    adopted: int
    adopted_share: float | None


def _payload(viewer, ticket) -> dict:
    suggestion = selectors.suggestion_of(ticket)
    return {
        "ticket": detail_payload(viewer, ticket),
        "outcome": suggestion.outcome if suggestion else "",
        "outcome_label": str(suggestion.get_outcome_display()) if suggestion else "",
        "public_reason": suggestion.public_reason if suggestion else "",
        "decided_at": suggestion.decided_at if suggestion else None,
    }


@router.post(
    "", response={201: SuggestionOut}, summary="Make a suggestion (multipart form; a photo is optional)"
)
def suggestion_submit(request, payload: Form[SuggestionIn], photos: File[list[UploadedFile]] = None):
    ticket = services.suggestion_submit(
        author=request.auth,
        topic=payload.topic,
        area=area_required(payload.area_code),
        text=payload.text,
        photos=photos or [],
        ip=client_ip(request),
    )
    return Status(201, _payload(request.auth, ticket))


@router.get("/adopted", response=list[AdoptedOut], auth=None, summary="Adopted suggestions (public)")
@paginate(Page)
def suggestion_adopted(request, area_code: str = Query("", max_length=15)):
    return selectors.adopted_public(area_code=area_code)


@router.get("/mine", response=list[TicketListOut], summary="My suggestions, newest first")
@paginate(Page)
def suggestion_mine(request):
    return selectors.my_suggestions(viewer=request.auth)


@router.get("", response=list[TicketListOut], summary="Suggestions of my areas (office view)")
@paginate(Page)
def suggestion_list(request, show: str = Query("open", pattern="^(open|queue|adopted|not_adopted|all)$")):
    return selectors.suggestion_list(viewer=request.auth, show=show)


@router.get("/figures", response=list[FigureOut], summary="Received, answered and adopted suggestions")
def suggestion_figures(request, by: str = Query("topic", pattern="^(topic|area|month)$")):
    return selectors.suggestion_figures(viewer=request.auth, by=by)


@router.get("/{ticket_id}", response=SuggestionOut, summary="One suggestion with its timeline and answer")
def suggestion_get(request, ticket_id: int):
    return _payload(request.auth, selectors.suggestion_get(viewer=request.auth, pk=ticket_id))


@router.post("/{ticket_id}/review", response=SuggestionOut, summary="Take it up for review (受理)")
def suggestion_review(request, ticket_id: int):
    ticket = selectors.suggestion_get(viewer=request.auth, pk=ticket_id)
    services.suggestion_review(ticket=ticket, actor=request.auth, ip=client_ip(request))
    return _payload(request.auth, ticket)


@router.post(
    "/{ticket_id}/decide", response=SuggestionOut, summary="Answer: adopted or not, with a public reason"
)
def suggestion_decide(request, ticket_id: int, payload: DecideIn):
    ticket = selectors.suggestion_get(viewer=request.auth, pk=ticket_id)
    services.suggestion_decide(
        ticket=ticket,
        actor=request.auth,
        adopted=payload.adopted,
        reason=payload.reason,
        ip=client_ip(request),
    )
    return _payload(request.auth, ticket)
