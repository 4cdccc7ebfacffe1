"""The ticket engine over JSON: submit, list by role, read the timeline, and every transition."""

from datetime import datetime

from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page

from . import selectors, services
from .policies import PartyRef, registry
from .schemas import AttachmentOut, TicketDetailOut, TicketListOut, detail_payload

router = Router(tags=["tickets"])


class LocationIn(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


class TicketIn(Schema):
    kind: str = Field(..., max_length=30)
    category: str = Field(..., max_length=40)
    area_code: str = Field(..., min_length=12, max_length=15)
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    location: LocationIn | None = None
    address: str = Field("", max_length=200)
    priority: int = Field(2, ge=1, le=4)
    extra: dict = {}


class TicketFilter(Schema):
    kind: str = ""
    state: str = ""
    category: str = ""
    area_code: str = ""
    q: str = Field("", max_length=50)
    overdue: bool = False
    escalated: bool = False


class MineFilter(Schema):
    kind: str = ""
    state: str = ""


class PartyIn(Schema):
    type: str = Field(
        ..., pattern="^(org|user)$", description="org (organisation or team) or user (a person)"
    )
    id: int = Field(..., ge=1)


class DispatchIn(Schema):
    parties: list[PartyIn] = Field(..., min_length=1, max_length=5)
    note: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class CommentIn(Schema):
    note: str = Field(..., min_length=1, max_length=2000)
    internal: bool = False


class RateIn(Schema):
    rating: int = Field(..., description="1 to 5 stars")
    comment: str = Field("", max_length=500)


class ExtensionIn(Schema):
    until: datetime
    note: str = Field(..., min_length=1, max_length=2000)


class ExtensionAnswerIn(Schema):
    grant: bool
    until: datetime | None = None
    note: str = Field("", max_length=2000)


class SuggestionOut(Schema):
    party: dict
    cost: float
    cost_km: float
    components: dict[str, float]
    facts: dict
    reasons: list[str]
    eligible: bool


class CategoryOut(Schema):
    code: str
    label: str
    limit: str
    limit_label: str
    group: str


class KindOut(Schema):
    code: str
    label: str
    categories: list[CategoryOut]
    resolution_note: bool
    resolution_photos: int
    offer_hours: float
    auto_close_days: int | None


class FiguresOut(Schema):
    code: str
    name: str
    received: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    overdue: int
    escalated: int
    open: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class FiguresReport(Schema):
    total: FiguresOut
    areas: list[FiguresOut]


@router.get("/kinds", response=list[KindOut], summary="Kinds of ticket, their categories and deadlines")
def kind_list(request):
    return [
        {
            "code": code,
            "label": str(p.label),
            "categories": [
                {
                    "code": c.code,
                    "label": str(c.label),
                    "limit": c.limit,
                    "limit_label": c.limit_label,
                    "group": c.group,
                }
                for c in p.categories
            ],
            "resolution_note": p.resolution.note,
            "resolution_photos": p.resolution.photos,
            "offer_hours": p.offer_hours,
            "auto_close_days": p.auto_close_days,
        }
        for code, p in sorted(registry.items())
    ]


@router.get("", response=list[TicketListOut], summary="Tickets of my areas (office view)")
@paginate(Page)
def ticket_list(request, filters: Query[TicketFilter]):
    return selectors.ticket_list(viewer=request.auth, **filters.dict())


@router.get("/mine", response=list[TicketListOut], summary="What I submitted (my orders), newest first")
@paginate(Page)
def ticket_mine(request, filters: Query[MineFilter]):
    return selectors.ticket_list_submitted(viewer=request.auth, kind=filters.kind, state=filters.state)


@router.get("/queue", response=list[TicketListOut], summary="The dispatch queue of my areas, oldest first")
@paginate(Page)
def ticket_queue(request, kind: str = "", category: str = ""):
    return selectors.ticket_queue(viewer=request.auth, kind=kind, category=category)


@router.get("/offers", response=list[TicketListOut], summary="Orders offered to me or my organisation")
@paginate(Page)
def ticket_offers(request):
    return selectors.ticket_list_offered(viewer=request.auth)


@router.get("/jobs", response=list[TicketListOut], summary="Orders I or my organisation handle")
@paginate(Page)
def ticket_jobs(request, state: str = ""):
    return selectors.ticket_list_assigned(viewer=request.auth, state=state)


@router.get(
    "/escalated", response=list[TicketListOut], summary="Open tickets escalated to a level I supervise (督办)"
)
@paginate(Page)
def ticket_escalated(request):
    return selectors.ticket_escalated(viewer=request.auth)


@router.get(
    "/figures", response=FiguresReport, summary="Response, resolution and satisfaction rates of my areas"
)
def ticket_figures(request, kind: str = "", days: int = Query(30, ge=1, le=366)):
    from datetime import timedelta

    from django.utils import timezone

    total, areas = selectors.ticket_figures(
        viewer=request.auth, kind=kind, since=timezone.now() - timedelta(days=days)
    )

    def out(f):
        return {k: getattr(f, k) for k in FiguresOut.model_fields}

    return {"total": out(total), "areas": [out(a) for a in areas]}


@router.post("", response={201: TicketDetailOut}, summary="Submit a ticket of any kind")
def ticket_submit(request, payload: TicketIn):
    ticket = services.ticket_submit(
        kind=payload.kind,
        category=payload.category,
        area=area_required(payload.area_code),
        title=payload.title,
        description=payload.description,
        lat=payload.location.lat if payload.location else None,
        lng=payload.location.lng if payload.location else None,
        address=payload.address,
        priority=payload.priority,
        extra=payload.extra,
        submitter=request.auth,
        ip=client_ip(request),
    )
    return Status(201, detail_payload(request.auth, ticket))


@router.get("/{ticket_id}", response=TicketDetailOut, summary="One ticket with its timeline")
def ticket_get(request, ticket_id: int):
    return detail_payload(request.auth, selectors.ticket_get(viewer=request.auth, pk=ticket_id))


@router.get(
    "/{ticket_id}/suggestions", response=list[SuggestionOut], summary="Ranked parties to dispatch to, and why"
)
def ticket_suggestions(request, ticket_id: int, limit: int = Query(5, ge=1, le=20)):
    ticket = selectors.ticket_get(viewer=request.auth, pk=ticket_id)
    if not request.auth.access.can("tickets.dispatch", ticket.area_id) and "supervisor" not in services.hats(
        ticket, request.auth
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return [
        {
            "party": {"type": s.party.type, "id": s.party.id, "label": s.party.label},
            "cost": s.cost,
            "cost_km": s.cost_km,
            "components": s.components,
            "facts": s.facts,
            "reasons": list(s.reasons),
            "eligible": s.eligible,
        }
        for s in ticket.policy.suggest(ticket, limit=limit)
    ]


@router.post(
    "/{ticket_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach photos (JPEG, PNG, WebP; ≤ 10 MB each)",
)
def ticket_attach(request, ticket_id: int, photos: File[list[UploadedFile]]):
    ticket = selectors.ticket_get(viewer=request.auth, pk=ticket_id)
    return Status(
        201, services.ticket_attach(ticket=ticket, actor=request.auth, photos=photos, ip=client_ip(request))
    )


def _act(request, ticket_id: int, fn, **kwargs):
    ticket = selectors.ticket_get(viewer=request.auth, pk=ticket_id)
    fn(ticket=ticket, actor=request.auth, ip=client_ip(request), **kwargs)
    return detail_payload(request.auth, ticket)


@router.post(
    "/{ticket_id}/dispatch",
    response=TicketDetailOut,
    summary="Offer a queued ticket to one or more parties (派单)",
)
def ticket_dispatch(request, ticket_id: int, payload: DispatchIn):
    parties = [PartyRef(p.type, p.id) for p in payload.parties]
    return _act(request, ticket_id, services.ticket_dispatch, parties=parties, note=payload.note)


@router.post("/{ticket_id}/reassign", response=TicketDetailOut, summary="Offer it to other parties instead")
def ticket_reassign(request, ticket_id: int, payload: DispatchIn):
    parties = [PartyRef(p.type, p.id) for p in payload.parties]
    return _act(request, ticket_id, services.ticket_reassign, parties=parties, note=payload.note)


@router.post("/{ticket_id}/accept", response=TicketDetailOut, summary="Accept an order offered to me (接单)")
def ticket_accept(request, ticket_id: int):
    return _act(request, ticket_id, services.ticket_accept)


@router.post("/{ticket_id}/decline", response=TicketDetailOut, summary="Decline an order offered to me")
def ticket_decline(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_decline, note=payload.note)


@router.post("/{ticket_id}/return", response=TicketDetailOut, summary="Hand it back to the queue (退单)")
def ticket_return(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_return, note=payload.note)


@router.post("/{ticket_id}/start", response=TicketDetailOut, summary="Start the work")
def ticket_start(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_start, note=payload.note)


@router.post(
    "/{ticket_id}/resolve", response=TicketDetailOut, summary="Mark the work done (photos: upload them first)"
)
def ticket_resolve(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_resolve, note=payload.note)


@router.post("/{ticket_id}/rate", response=TicketDetailOut, summary="Confirm and rate 1–5 (评单)")
def ticket_rate(request, ticket_id: int, payload: RateIn):
    return _act(request, ticket_id, services.ticket_rate, rating=payload.rating, comment=payload.comment)


@router.post(
    "/{ticket_id}/close", response=TicketDetailOut, summary="Close a resolved ticket without a rating"
)
def ticket_close(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_close, note=payload.note)


@router.post("/{ticket_id}/reopen", response=TicketDetailOut, summary="Reopen: still not right")
def ticket_reopen(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_reopen, note=payload.note)


@router.post("/{ticket_id}/cancel", response=TicketDetailOut, summary="Cancel before anyone has taken it")
def ticket_cancel(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_cancel, note=payload.note)


@router.post("/{ticket_id}/escalate", response=TicketDetailOut, summary="Raise supervision one level (督办)")
def ticket_escalate(request, ticket_id: int, payload: NoteIn):
    return _act(request, ticket_id, services.ticket_escalate, note=payload.note)


@router.post(
    "/{ticket_id}/extension", response=TicketDetailOut, summary="Ask for more time, before the deadline"
)
def ticket_request_extension(request, ticket_id: int, payload: ExtensionIn):
    return _act(request, ticket_id, services.ticket_request_extension, until=payload.until, note=payload.note)


@router.post(
    "/{ticket_id}/extension/answer", response=TicketDetailOut, summary="Grant or refuse the time asked"
)
def ticket_answer_extension(request, ticket_id: int, payload: ExtensionAnswerIn):
    return _act(
        request,
        ticket_id,
        services.ticket_answer_extension,
        grant=payload.grant,
        until=payload.until,
        note=payload.note,
    )


@router.post("/{ticket_id}/comments", response=TicketDetailOut, summary="Add a note to the timeline")
def ticket_comment(request, ticket_id: int, payload: CommentIn):
    return _act(request, ticket_id, services.ticket_comment, note=payload.note, internal=payload.internal)


class FollowUpOut(Schema):
    id: int
    ticket_id: int
    ticket_title: str
    area_code: str
    reason: str
    due_at: datetime
    done_at: datetime | None
    outcome: str
    note: str

    @staticmethod
    def resolve_ticket_title(obj) -> str:
        return obj.ticket.title

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class FollowUpIn(Schema):
    outcome: str = Field(..., pattern="^(satisfied|unsatisfied|unreachable)$")
    note: str = Field("", max_length=2000)
    reopen: bool = False


@router.get(
    "/follow-ups/pending", response=list[FollowUpOut], summary="Follow-up calls (回访) due in my areas"
)
@paginate(Page)
def follow_up_list(request):
    return selectors.follow_up_list(viewer=request.auth)


@router.post("/follow-ups/{follow_up_id}", response=FollowUpOut, summary="Record a follow-up call")
def follow_up_record(request, follow_up_id: int, payload: FollowUpIn):
    follow_up = selectors.follow_up_get(viewer=request.auth, pk=follow_up_id)
    return services.follow_up_record(
        follow_up=follow_up,
        actor=request.auth,
        outcome=payload.outcome,
        note=payload.note,
        reopen=payload.reopen,
        ip=client_ip(request),
    )
