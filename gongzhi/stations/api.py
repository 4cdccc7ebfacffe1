"""Service stations over JSON: the registry (scoped), the finder, coverage, population grids and
planner runs. Errors are problem+json (see gongzhi.api)."""

import csv
import io
import math
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip, invalid
from gongzhi.core.schemas import Page
from gongzhi.lib import opening_hours as oh

from . import selectors, services
from .conf import reach_m, setting
from .hours import open_status, weekly_text
from .models import PlanModel

router = Router(tags=["stations"])


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class FunctionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    order: int
    is_active: bool


class FunctionIn(Schema):
    code: str = Field(..., min_length=2, max_length=40)
    name: str = Field(..., min_length=1, max_length=40)
    name_en: str = Field("", max_length=80)
    description: str = Field("", max_length=200)
    order: int = Field(100, ge=0, le=32767)


class FunctionPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    name_en: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=200)
    order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = None


class OrganisationRef(Schema):
    id: int
    name: str


class DayHours(Schema):
    weekday: int = Field(..., description="0 = Monday")
    hours: str = Field(..., description='"09:00-12:00, 14:00-18:00", "24h", or "" for closed')


class ExceptionOut(Schema):
    date: date
    hours: str
    note: str


class OpenNow(Schema):
    open: bool
    until: datetime | None = Field(None, description="local time (Asia/Shanghai) the current opening ends")
    next_open: datetime | None = Field(None, description="local time it next opens, when closed")


def _open(status: oh.OpenStatus) -> dict:
    return {"open": status.is_open, "until": status.until, "next_open": status.next_open}


class StationBrief(Schema):
    id: int
    name: str
    area_code: str
    area_name: str
    address: str
    lat: float
    lng: float
    functions: list[str]
    facilities: list[str]
    status: str

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_functions(obj) -> list[str]:
        return [f.name for f in obj.functions.all()]


class StationOut(StationBrief):
    organisations: list[OrganisationRef]
    capacity: int | None
    phone: str
    description: str
    merged_into: int | None
    source_crs: str

    @staticmethod
    def resolve_organisations(obj) -> list[dict]:
        return [{"id": o.pk, "name": o.name} for o in obj.organisations.all()]

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return obj.merged_into_id


class StationDetail(StationOut):
    hours: list[DayHours]
    exceptions: list[ExceptionOut]
    open_now: OpenNow
    photos: list[str]

    @staticmethod
    def resolve_hours(obj) -> list[dict]:
        schedule = weekly_text(obj)
        closed = pgettext("opening hours", "closed")
        return [
            {"weekday": d, "hours": "" if text == closed else text} for d, (_n, text) in enumerate(schedule)
        ]

    @staticmethod
    def resolve_exceptions(obj) -> list[dict]:
        by_day: dict[date, list] = {}
        notes: dict[date, str] = {}
        for e in obj.hours_exceptions.all():
            by_day.setdefault(e.date, [])
            notes[e.date] = e.note
            if e.opens is not None:
                by_day[e.date].append(oh.Interval(e.opens, e.closes))
        return [
            {"date": d, "hours": oh.format_intervals(sorted(v)), "note": notes[d]}
            for d, v in sorted(by_day.items())
        ]

    @staticmethod
    def resolve_open_now(obj) -> dict:
        return _open(open_status(obj))

    @staticmethod
    def resolve_photos(obj) -> list[str]:
        return [p.image.url for p in obj.photos.all()]


class StationIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    area_code: str = Field(..., min_length=12, max_length=15)
    lat: float
    lng: float
    crs: str = Field("wgs84", description="wgs84, or gcj02 for a point picked on 高德/腾讯 maps")
    address: str = Field("", max_length=200)
    functions: list[str] = Field([], description="function codes, e.g. union_station")
    organisation_ids: list[int] = []
    facilities: list[str] = []
    capacity: int | None = Field(None, ge=0, le=100000)
    phone: str = Field("", max_length=30)
    description: str = Field("", max_length=2000)


class StationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    area_code: str | None = Field(None, min_length=12, max_length=15)
    lat: float | None = None
    lng: float | None = None
    crs: str = "wgs84"
    address: str | None = Field(None, max_length=200)
    functions: list[str] | None = None
    organisation_ids: list[int] | None = None
    facilities: list[str] | None = None
    capacity: int | None = Field(None, ge=0, le=100000)
    phone: str | None = Field(None, max_length=30)
    description: str | None = Field(None, max_length=2000)


class HoursIn(Schema):
    days: list[str] = Field(..., min_length=7, max_length=7, description="Monday first; '' for closed")


class ExceptionIn(Schema):
    date: date
    hours: str = Field("", max_length=100, description="'' for closed all day")
    note: str = Field("", max_length=100)


class CloseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class MergeIn(Schema):
    into: int
    sources: list[int] = Field(..., min_length=1)
    note: str = Field("", max_length=200)


class EventOut(Schema):
    kind: str
    at: datetime
    other_id: int | None
    other_name: str
    note: str
    details: dict

    @staticmethod
    def resolve_other_name(obj) -> str:
        return obj.other.name if obj.other_id else ""


class StationFilter(Schema):
    area_code: str = Field("", max_length=15)
    function: str = Field("", max_length=40)
    status: str = Field("", max_length=10)
    q: str = Field("", max_length=50)


class NearbyQuery(Schema):
    lat: float | None = None
    lng: float | None = None
    community: str = Field("", max_length=15, description="a community code, instead of lat/lng")
    minutes: float | None = Field(None, ge=1, le=60)
    function: str = Field("", max_length=40)
    facility: str = Field("", max_length=20)
    open_now: bool = False


class NearbyOut(Schema):
    station: StationBrief
    distance_m: float
    walk_minutes: float
    open_now: OpenNow


class NearbyPage(Schema):
    origin: list[float]
    minutes: float
    radius_m: float
    count: int
    items: list[NearbyOut]


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


@router.get("/functions", response=list[FunctionOut], summary="Station functions")
def function_list(request, include_retired: bool = False):
    return selectors.function_list(active_only=not include_retired)


@router.post("/functions", response={201: FunctionOut}, summary="Add a station function")
def function_create(request, payload: FunctionIn):
    fn = services.function_create(actor=request.auth, ip=client_ip(request), **payload.dict())
    return Status(201, fn)


@router.patch(
    "/functions/{function_id}", response=FunctionOut, summary="Rename, reorder or retire a function"
)
def function_update(request, function_id: int, payload: FunctionPatch):
    if not request.auth.access.has("stations.functions.manage"):
        raise PermissionDenied
    fn = selectors.function_get(pk=function_id)
    data = {k: getattr(fn, k) for k in ("name", "name_en", "description", "order", "is_active")}
    data.update({k: v for k, v in payload.dict().items() if v is not None})
    return services.function_update(function=fn, actor=request.auth, ip=client_ip(request), **data)


# --------------------------------------------------------------------------------------------
# Finder
# --------------------------------------------------------------------------------------------


@router.get("/nearby", response=NearbyPage, summary="Stations within a walk of a point or a community")
def stations_nearby(request, query: Query[NearbyQuery]):
    if query.lat is not None and query.lng is not None:
        origin = (query.lat, query.lng)
    elif query.community:
        area = selectors.community_get(query.community)
        origin = (area.lat, area.lng)
    else:
        raise invalid({"lat": [_("Give lat and lng, or a community code.")]}, "stations.origin")
    minutes = query.minutes if query.minutes is not None else float(setting("WALK_MINUTES"))
    found = selectors.stations_near(
        viewer=request.auth,
        lat=origin[0],
        lng=origin[1],
        minutes=minutes,
        function=query.function,
        facility=query.facility,
        open_now=query.open_now,
    )
    return {
        "origin": list(origin),
        "minutes": minutes,
        "radius_m": reach_m(minutes),
        "count": len(found),
        "items": [
            {
                "station": n.station,
                "distance_m": round(n.distance_m, 1),
                "walk_minutes": round(n.walk_minutes, 1),
                "open_now": _open(n.status),
            }
            for n in found
        ],
    }


# --------------------------------------------------------------------------------------------
# Coverage and population grids
# --------------------------------------------------------------------------------------------


class CoverageQuery(Schema):
    area_code: str = Field(..., min_length=12, max_length=15)
    grid_id: int | None = None
    minutes: float | None = Field(None, ge=1, le=60)


class GroupOut(Schema):
    code: str
    name: str
    population: float
    covered: float
    share: float
    by_function: dict[str, float]


class FunctionCoverage(Schema):
    function: str
    stations: int
    covered: float
    share: float


class UncoveredOut(Schema):
    code: str
    name: str
    town: str
    population: float
    uncovered: float
    nearest_station: str
    nearest_m: float | None
    nearest_minutes: float | None


class CoverageOut(Schema):
    area_code: str
    area_name: str
    population_source: str
    minutes: float
    radius_m: float
    detour: float
    speed_kmh: float
    population: float
    covered: float
    share: float
    towns: list[GroupOut]
    communities: list[GroupOut]
    functions: list[FunctionCoverage]
    uncovered: list[UncoveredOut]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _group(row, functions: list[str]) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "population": row.population,
        "covered": row.covered,
        "share": row.share,
        "by_function": {f: row.function_share(f) for f in functions},
    }


@router.get(
    "/coverage",
    response=CoverageOut,
    summary="Share of people within a walk of a station, by town and function",
)
def coverage(request, query: Query[CoverageQuery]):
    area = selectors.area_for(viewer=request.auth, permission="stations.coverage", code=query.area_code)
    grid = selectors.grid_get(viewer=request.auth, pk=query.grid_id) if query.grid_id else None
    r = selectors.coverage(viewer=request.auth, area=area, grid=grid, minutes=query.minutes)
    return {
        "area_code": area.code,
        "area_name": area.name,
        "population_source": r.source,
        "minutes": r.minutes,
        "radius_m": r.radius_m,
        "detour": r.detour,
        "speed_kmh": r.speed_kmh,
        "population": r.total,
        "covered": r.covered,
        "share": r.share,
        "towns": [_group(t, r.functions) for t in r.towns],
        "communities": [_group(c, r.functions) for c in r.communities],
        "functions": [
            {
                "function": f,
                "stations": r.function_sites[f],
                "covered": r.function_covered[f],
                "share": r.function_share(f),
            }
            for f in r.functions
        ],
        "uncovered": [
            {
                "code": u.code,
                "name": u.name,
                "town": u.town,
                "population": u.population,
                "uncovered": u.uncovered,
                "nearest_station": u.nearest_name,
                "nearest_m": _finite(u.nearest_m),
                "nearest_minutes": _finite(u.nearest_minutes),
            }
            for u in r.uncovered
        ],
    }


class GridOut(Schema):
    id: int
    name: str
    area_code: str = Field(..., alias="area_id")
    source_name: str
    point_count: int
    total_weight: float
    created_at: datetime


@router.get("/grids", response=list[GridOut], summary="Population grids in my scope")
@paginate(Page)
def grid_list(request):
    return selectors.grid_list(viewer=request.auth)


@router.post("/grids", response={201: GridOut}, summary="Import a population grid (CSV id,lat,lng,weight)")
def grid_import(request, file: File[UploadedFile], name: Form[str], area_code: Form[str]):
    area = area_required(area_code)
    grid = services.population_grid_import(
        actor=request.auth, area=area, name=name, upload=file, ip=client_ip(request)
    )
    return Status(201, grid)


@router.delete("/grids/{grid_id}", response={204: None}, summary="Delete a population grid")
def grid_delete(request, grid_id: int):
    grid = selectors.grid_get(viewer=request.auth, pk=grid_id)
    services.population_grid_delete(grid=grid, actor=request.auth, ip=client_ip(request))
    return Status(204, None)


# --------------------------------------------------------------------------------------------
# Planner runs
# --------------------------------------------------------------------------------------------


class RequirementIn(Schema):
    function: str = Field(..., description="a function name or code")
    min_sites: int = Field(0, ge=0)
    cover_all: bool = False


class CandidateIn(Schema):
    id: str = Field(..., min_length=1, max_length=64)
    lat: float
    lng: float
    functions: list[str] = []
    status: str = Field("", description="'', keep or close")


class PlanIn(Schema):
    area_code: str = Field(..., min_length=12, max_length=15)
    model: str = Field(..., description="mclp, lscp or pmedian")
    p: int | None = Field(None, ge=1)
    minutes: float | None = Field(None, ge=1, le=120)
    grid_id: int | None = None
    include_existing: bool = True
    candidates: list[CandidateIn] = Field([], description="new candidate sites (WGS-84)")
    must_keep: list[int] = Field([], description="station ids")
    must_close: list[int] = Field([], description="station ids")
    requirements: list[RequirementIn] = []
    time_limit: float | None = Field(None, description="seconds; none proves the optimum")
    mip_gap: float = Field(0.0, description="relative gap to stop at; 0 proves the optimum")
    title: str = Field("", max_length=100)
    background: bool | None = Field(None, description="force a background run (default: by size)")


class PlanSite(Schema):
    id: str
    name: str
    kind: str
    station_id: int | None
    lat: float
    lng: float
    functions: list[str]
    chosen: bool
    fixed: str
    served: float
    merge_into: str | None = None
    merge_into_name: str | None = None
    merge_distance_m: float | None = None


class PlanOut(Schema):
    id: int
    title: str
    area_code: str = Field(..., alias="area_id")
    model: str
    status: str
    stage: str
    progress: int
    params: dict
    solve_status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_seconds: float | None
    covered_share: float | None
    chosen_count: int | None
    error: str
    created_at: datetime
    created_by: str

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.name if obj.created_by_id else ""

    @staticmethod
    def resolve_params(obj) -> dict:
        return {k: v for k, v in obj.params.items() if k != "language"}


class PlanDetail(PlanOut):
    chosen: list[str]
    sites: list[PlanSite]
    uncoverable: list[str]

    @staticmethod
    def resolve_chosen(obj) -> list[str]:
        return (obj.result or {}).get("chosen", [])

    @staticmethod
    def resolve_sites(obj) -> list[dict]:
        return (obj.result or {}).get("sites", [])

    @staticmethod
    def resolve_uncoverable(obj) -> list[str]:
        return (obj.result or {}).get("uncoverable", [])


@router.get("/plans", response=list[PlanOut], summary="Planner runs in my scope, newest first")
@paginate(Page)
def plan_list(request):
    return selectors.plan_run_list(viewer=request.auth)


def _candidates_csv(items: list[CandidateIn]) -> io.BytesIO:
    """Uploaded-file form of JSON candidate sites, so both go through one checked reader."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "lat", "lng", "functions", "status"])
    for c in items:
        writer.writerow([c.id, repr(c.lat), repr(c.lng), "|".join(c.functions), c.status])
    buffer = io.BytesIO(text.getvalue().encode())
    buffer.name = "candidates"
    return buffer


@router.post(
    "/plans", response={201: PlanDetail, 202: PlanOut}, summary="Run the planner (201 solved; 202 queued)"
)
def plan_create(request, payload: PlanIn):
    area = area_required(payload.area_code)
    if payload.model not in PlanModel.values:
        raise invalid({"model": [_("Choose mclp, lscp or pmedian.")]}, "stations.plan_model")
    grid = selectors.grid_get(viewer=request.auth, pk=payload.grid_id) if payload.grid_id else None
    run = services.plan_run_start(
        actor=request.auth,
        area=area,
        model=payload.model,
        p=payload.p,
        minutes=payload.minutes,
        grid=grid,
        candidate_file=_candidates_csv(payload.candidates) if payload.candidates else None,
        include_existing=payload.include_existing,
        must_keep=payload.must_keep,
        must_close=payload.must_close,
        requirements=[
            services.Requirement(r.function, r.min_sites, r.cover_all) for r in payload.requirements
        ],
        time_limit=payload.time_limit,
        mip_gap=payload.mip_gap,
        title=payload.title,
        background=payload.background,
        ip=client_ip(request),
    )
    run = selectors.plan_run_get(viewer=request.auth, pk=run.pk)
    return Status(201 if run.finished else 202, run)


@router.get(
    "/plans/{run_id}", response=PlanDetail, summary="One planner run: progress, or the chosen stations"
)
def plan_get(request, run_id: int):
    return selectors.plan_run_get(viewer=request.auth, pk=run_id)


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


@router.get("", response=list[StationOut], summary="Stations in my scope")
@paginate(Page)
def station_list(request, filters: Query[StationFilter]):
    return selectors.station_list(
        viewer=request.auth,
        area_code=filters.area_code,
        function=filters.function,
        status=filters.status,
        q=filters.q,
    ).select_related("merged_into")


def _functions(codes: list[str] | None):
    if codes is None:
        return None
    known = {f.code: f for f in selectors.function_list(active_only=False)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise invalid(
            {"functions": [_("Unknown function: %(code)s.") % {"code": unknown[0]}]}, "stations.function"
        )
    return [known[c] for c in codes]


def _organisations(request, ids: list[int] | None):
    if ids is None:
        return None
    allowed = {o.pk: o for o in selectors.owner_choices(viewer=request.auth).filter(pk__in=ids)}
    missing = [i for i in ids if i not in allowed]
    if missing:
        raise invalid(
            {
                "organisation_ids": [
                    _("Organisation %(id)s cannot run a station of yours.") % {"id": missing[0]}
                ]
            },
            "stations.organisation",
        )
    return [allowed[i] for i in ids]


# Fixed paths come before "/{station_id}": ninja matches a path parameter as text first.
@router.post("/merge", response=StationDetail, summary="Merge stations into one (functions and owners move)")
def station_merge(request, payload: MergeIn):
    into = selectors.station_get(viewer=request.auth, pk=payload.into)
    sources = [selectors.station_get(viewer=request.auth, pk=pk) for pk in payload.sources]
    services.station_merge(
        sources=sources, into=into, actor=request.auth, note=payload.note, ip=client_ip(request)
    )
    return selectors.station_get(viewer=request.auth, pk=into.pk)


@router.post("", response={201: StationDetail}, summary="Register a station")
def station_create(request, payload: StationIn):
    station = services.station_create(
        actor=request.auth,
        name=payload.name,
        area=area_required(payload.area_code),
        lat=payload.lat,
        lng=payload.lng,
        source_crs=payload.crs,
        address=payload.address,
        functions=_functions(payload.functions),
        organisations=_organisations(request, payload.organisation_ids),
        facilities=payload.facilities,
        capacity=payload.capacity,
        phone=payload.phone,
        description=payload.description,
        ip=client_ip(request),
    )
    return Status(201, selectors.station_get(viewer=request.auth, pk=station.pk))


@router.get("/{station_id}", response=StationDetail, summary="One station, with hours and open now")
def station_get(request, station_id: int):
    return selectors.station_get(viewer=request.auth, pk=station_id)


@router.patch("/{station_id}", response=StationDetail, summary="Change a station")
def station_update(request, station_id: int, payload: StationPatch):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    fields = payload.dict(exclude_unset=True)
    kwargs = {k: fields[k] for k in ("name", "address", "facilities", "phone", "description") if k in fields}
    if "capacity" in fields:
        kwargs["capacity"] = fields["capacity"]
    if "lat" in fields or "lng" in fields:
        kwargs.update(lat=payload.lat, lng=payload.lng, source_crs=payload.crs)
    services.station_update(
        station=station,
        actor=request.auth,
        ip=client_ip(request),
        area=None if fields.get("area_code") is None else area_required(fields["area_code"]),
        functions=_functions(fields.get("functions")),
        organisations=_organisations(request, fields.get("organisation_ids")),
        **kwargs,
    )
    return selectors.station_get(viewer=request.auth, pk=station.pk)


@router.put("/{station_id}/hours", response=StationDetail, summary="Set the weekly opening hours")
def station_hours(request, station_id: int, payload: HoursIn):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    weekly = services.parse_weekly(dict(enumerate(payload.days)))
    services.station_set_hours(station=station, actor=request.auth, weekly=weekly, ip=client_ip(request))
    return selectors.station_get(viewer=request.auth, pk=station.pk)


@router.put(
    "/{station_id}/exceptions", response=StationDetail, summary="Set one date's hours (a holiday, a closure)"
)
def station_exception(request, station_id: int, payload: ExceptionIn):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    services.hours_exception_set(
        station=station,
        actor=request.auth,
        day=payload.date,
        intervals=services.parse_day(payload.hours),
        note=payload.note,
        ip=client_ip(request),
    )
    return selectors.station_get(viewer=request.auth, pk=station.pk)


@router.delete(
    "/{station_id}/exceptions/{day}", response={204: None}, summary="Remove one date's special hours"
)
def station_exception_remove(request, station_id: int, day: date):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    services.hours_exception_remove(station=station, actor=request.auth, day=day, ip=client_ip(request))
    return Status(204, None)


@router.post("/{station_id}/close", response=StationDetail, summary="Close a station")
def station_close(request, station_id: int, payload: CloseIn):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    services.station_close(station=station, actor=request.auth, reason=payload.reason, ip=client_ip(request))
    return selectors.station_get(viewer=request.auth, pk=station.pk)


@router.post("/{station_id}/reopen", response=StationDetail, summary="Reopen a closed station")
def station_reopen(request, station_id: int):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    services.station_reopen(station=station, actor=request.auth, ip=client_ip(request))
    return selectors.station_get(viewer=request.auth, pk=station.pk)


@router.get("/{station_id}/history", response=list[EventOut], summary="A station's history, merges included")
def station_history(request, station_id: int):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    return list(station.events.all())


@router.post("/{station_id}/photos", response={201: StationDetail}, summary="Add a photo (EXIF removed)")
def station_photo_add(request, station_id: int, image: File[UploadedFile], caption: Form[str] = ""):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    services.photo_add(
        station=station, actor=request.auth, upload=image, caption=caption, ip=client_ip(request)
    )
    return Status(201, selectors.station_get(viewer=request.auth, pk=station.pk))


@router.delete("/{station_id}/photos/{photo_id}", response={204: None}, summary="Remove a photo")
def station_photo_remove(request, station_id: int, photo_id: int):
    station = selectors.station_get(viewer=request.auth, pk=station_id)
    photo = get_object_or_404(station.photos.all(), pk=photo_id)
    services.photo_remove(photo=photo, actor=request.auth, ip=client_ip(request))
    return Status(204, None)
