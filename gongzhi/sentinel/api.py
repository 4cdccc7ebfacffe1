"""City sentinels over JSON, for the riders' and dispatchers' apps: categories, "is this the
same?", reporting with photos, my leads, the duplicates of a lead and merging, figures.

Outside applications use Open311 (``/open311/v2/``, gongzhi.sentinel.open311) instead; this API
is for our own signed-in users, with their roles and data scopes. Errors are problem+json.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core.errors import client_ip, field_error
from gongzhi.core.schemas import Page
from gongzhi.tickets import selectors as tickets_selectors
from gongzhi.tickets.schemas import TicketListOut, TicketOut
from gongzhi.tickets.selectors import ticket_get

from . import selectors, services
from .models import SentinelCategory

router = Router(tags=["sentinel"])


def _category(code: str) -> SentinelCategory:
    category = SentinelCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise field_error("category", _("Choose one of the listed categories."), "sentinel.unknown_category")
    return category


class CategoryOut(Schema):
    code: str
    name: str
    unit: str = Field(..., description="the responsible unit, or '' for the community's own queue")
    deadline_hours: int
    reward_units: int
    duplicate_radius_m: int
    duplicate_window_hours: int

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name if obj.unit_id else ""


@router.get("/categories", response=list[CategoryOut], summary="What a sentinel can report, and who answers")
def category_list(request):
    request.auth.access.require("sentinel.report")
    return list(selectors.category_list())


class NearbyOut(Schema):
    id: int = Field(..., description="the lead's ticket id")
    number: str
    title: str
    state: str
    state_label: str
    distance_m: int
    created_at: datetime


def _nearby_rows(found) -> list[dict]:
    return [
        {
            "id": n.lead.ticket_id,
            "number": n.lead.ticket.number,
            "title": n.lead.ticket.title,
            "state": n.lead.ticket.state,
            "state_label": str(n.lead.ticket.get_state_display()),
            "distance_m": int(n.distance_m),
            "created_at": n.lead.created_at,
        }
        for n in found
    ]


class NearbyQuery(Schema):
    category: str = Field(..., max_length=40)
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


@router.get(
    "/nearby",
    response=list[NearbyOut],
    summary="Is this the same? Open leads of the category within its radius and time window, nearest first",
)
def nearby(request, q: Query[NearbyQuery]):
    request.auth.access.require("sentinel.report")
    category = _category(q.category)
    try:
        found = selectors.nearby_open_leads(category=category, lat=q.lat, lng=q.lng)
    except ValueError:
        raise field_error("lat", _("This is not a valid position."), "sentinel.position") from None
    return _nearby_rows(found[:10])


class ReportIn(Schema):
    category: str = Field(..., max_length=40)
    area_code: str = Field("", max_length=15, description="your community; the phone's position may place it")
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    text: str = Field(..., max_length=500)
    address: str = Field("", max_length=200)


@router.post(
    "/reports",
    response={201: TicketOut},
    summary="Report a lead (multipart: the fields and one or more `photos`); EXIF is removed from photos",
)
def report(request, payload: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    user = request.auth
    user.access.require("sentinel.report")
    areas = tickets_selectors.reporting_areas(viewer=user)
    if payload.area_code:
        chosen = areas.filter(code=payload.area_code).first()
    else:
        home = tickets_selectors.home_community(viewer=user)
        chosen = areas.filter(pk=home.pk).first() if home is not None else None
    if chosen is None:
        raise field_error("area_code", _("Choose a community of your county."), "sentinel.area")
    area = tickets_selectors.placed_community(viewer=user, chosen=chosen, lat=payload.lat, lng=payload.lng)
    ticket = services.lead_report(
        reporter=user,
        category=payload.category,
        area=area,
        lat=payload.lat,
        lng=payload.lng,
        text=payload.text,
        photos=photos or [],
        address=payload.address,
        ip=client_ip(request),
    )
    return Status(201, ticket_get(viewer=user, pk=ticket.pk))


@router.get("/mine", response=list[TicketListOut], summary="My leads, newest first")
@paginate(Page)
def mine(request):
    request.auth.access.require("sentinel.report")
    return selectors.my_leads(viewer=request.auth).order_by("-created_at", "-id")


def _lead_for_dispatcher(user, ticket_id: int):
    ticket = ticket_get(viewer=user, pk=ticket_id)
    lead = selectors.lead_of(ticket)
    if lead is None:
        raise field_error("id", _("This ticket is not a sentinel lead."), "sentinel.not_a_lead")
    if not user.access.can("tickets.dispatch", ticket.area_id):
        raise PermissionDenied
    return ticket, lead


@router.get(
    "/leads/{ticket_id}/duplicates",
    response=list[NearbyOut],
    summary="Earlier open leads this one may repeat (the dispatcher's merge candidates)",
)
def duplicates(request, ticket_id: int):
    _ticket, lead = _lead_for_dispatcher(request.auth, ticket_id)
    found = [
        n
        for n in selectors.nearby_open_leads(
            category=lead.category, lat=lead.lat, lng=lead.lng, exclude=lead.pk
        )
        if n.lead.created_at <= lead.created_at
    ]
    return _nearby_rows(found)


class MergeIn(Schema):
    into_id: int = Field(..., ge=1, description="the lead that carries on")


@router.post(
    "/leads/{ticket_id}/merge",
    response=TicketOut,
    summary="Merge this lead into another: it is closed as a duplicate and shares the other's outcome",
)
def merge(request, ticket_id: int, payload: MergeIn):
    user = request.auth
    ticket, _lead = _lead_for_dispatcher(user, ticket_id)
    into = ticket_get(viewer=user, pk=payload.into_id)
    services.lead_merge(duplicate=ticket, into=into, actor=user, ip=client_ip(request))
    return ticket_get(viewer=user, pk=into.pk)


class FigureOut(Schema):
    key: str
    reported: int
    resolved: int
    in_time: int
    in_time_share: float | None = Field(
        ..., description="percent of resolved leads resolved within the deadline"
    )


@router.get(
    "/figures",
    response=list[FigureOut],
    summary="Leads reported, resolved and resolved in time, by category, unit, area or month (my scope)",
)
def figures(request, by: Literal["category", "unit", "area", "month"] = "category"):
    request.auth.access.require("tickets.view")
    return selectors.lead_figures(viewer=request.auth, by=by)
