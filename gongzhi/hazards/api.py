"""Hazards over JSON: report (multipart, with photos), my reports, the office's list, one hazard
with its timeline and re-inspections, assessment, re-inspection (multipart: a photo is required)
and figures. Engine steps (accept, mark done, notes) are the ticket API's."""

from datetime import datetime

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page
from gongzhi.tickets.schemas import TicketDetailOut, TicketListOut, detail_payload

from . import conf, selectors, services

router = Router(tags=["hazards"])


class HazardIn(Schema):
    category: str = Field(..., max_length=40)
    area_code: str = Field(..., min_length=12, max_length=15)
    text: str = Field(..., max_length=conf.TEXT_MAX)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    risk_level: str = Field("", max_length=8, description="general | larger | major (一般/较大/重大)")
    source: str = Field("", max_length=12, description="resident | grid_worker | sentinel | inspection")


class AssessIn(Schema):
    risk_level: str = Field(..., max_length=8)
    owner_id: int = Field(..., ge=1, description="the organisation that puts it right")
    note: str = Field("", max_length=2000)


class ReinspectIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000)


class InspectionOut(Schema):
    at: datetime
    inspector: str
    passed: bool
    note: str
    photos: list[int]

    @staticmethod
    def resolve_inspector(obj) -> str:
        return obj.inspector_label

    @staticmethod
    def resolve_photos(obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class HazardOut(Schema):
    ticket: TicketDetailOut
    source: str
    risk_level: str
    risk_level_label: str
    owner: str
    inspections: list[InspectionOut]


class FigureOut(Schema):
    key: str
    found: int
    rectified: int
    open: int
    overdue: int
    rectified_share: float | None


def _payload(viewer, ticket) -> dict:
    hazard = selectors.hazard_of(ticket)
    return {
        "ticket": detail_payload(viewer, ticket),
        "source": hazard.source if hazard else "",
        "risk_level": hazard.risk_level if hazard else "",
        "risk_level_label": str(hazard.get_risk_level_display()) if hazard else "",
        "owner": hazard.owner.name if hazard and hazard.owner else ticket.assignee_label,
        "inspections": list(selectors.inspections_of(ticket)),
    }


@router.post("", response={201: HazardOut}, summary="Report a hazard (multipart form; photos optional)")
def hazard_report(request, payload: Form[HazardIn], photos: File[list[UploadedFile]] = None):
    ticket = services.hazard_report(
        reporter=request.auth,
        category=payload.category,
        area=area_required(payload.area_code),
        text=payload.text,
        lat=payload.lat,
        lng=payload.lng,
        address=payload.address,
        photos=photos or [],
        source=payload.source,
        risk_level=payload.risk_level,
        ip=client_ip(request),
    )
    return Status(201, _payload(request.auth, ticket))


@router.get("/mine", response=list[TicketListOut], summary="Hazards I reported, newest first")
@paginate(Page)
def hazard_mine(request):
    return selectors.my_hazards(viewer=request.auth)


@router.get("", response=list[TicketListOut], summary="Hazards of my areas (office view)")
@paginate(Page)
def hazard_list(
    request,
    state: str = Query("open", max_length=12),
    risk_level: str = Query("", max_length=8),
    overdue: bool = False,
):
    return selectors.hazard_list(viewer=request.auth, state=state, risk_level=risk_level, overdue=overdue)


@router.get("/figures", response=list[FigureOut], summary="Found, rectified, open and overdue hazards")
def hazard_figures(request, by: str = Query("risk_level", pattern="^(risk_level|area|month|category)$")):
    return selectors.hazard_figures(viewer=request.auth, by=by)


@router.get("/{ticket_id}", response=HazardOut, summary="One hazard with its timeline and re-inspections")
def hazard_get(request, ticket_id: int):
    return _payload(request.auth, selectors.hazard_get(viewer=request.auth, pk=ticket_id))


@router.post("/{ticket_id}/assess", response=HazardOut, summary="Set the risk level and the owner (派单)")
def hazard_assess(request, ticket_id: int, payload: AssessIn):
    ticket = selectors.hazard_get(viewer=request.auth, pk=ticket_id)
    services.hazard_assess(
        ticket=ticket,
        actor=request.auth,
        risk_level=payload.risk_level,
        owner=payload.owner_id,
        note=payload.note,
        ip=client_ip(request),
    )
    return _payload(request.auth, ticket)


@router.post(
    "/{ticket_id}/reinspect",
    response=HazardOut,
    summary="Record a re-inspection (multipart; a photo is required)",
)
def hazard_reinspect(
    request, ticket_id: int, payload: Form[ReinspectIn], photos: File[list[UploadedFile]] = None
):
    ticket = selectors.hazard_get(viewer=request.auth, pk=ticket_id)
    services.hazard_reinspect(
        ticket=ticket,
        actor=request.auth,
        passed=payload.passed,
        note=payload.note,
        photos=photos or [],
        ip=client_ip(request),
    )
    return _payload(request.auth, ticket)
