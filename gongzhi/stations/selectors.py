"""Reads of the stations app. Registry, planner runs and grids start from ``visible_to(viewer)``;
the finder reads the findable (active) stations, which are public places, after checking that
the viewer may use it at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH, Area, Level, prefix_of, subtree_q
from gongzhi.areas.scoping import get_visible_or_404
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import invalid
from gongzhi.directory.models import Organisation
from gongzhi.lib import geo
from gongzhi.lib import opening_hours as oh

from . import analysis
from .conf import reach_m, setting, walking_minutes
from .hours import exception_window, local_now, schedule_for
from .models import (
    Facility,
    HoursException,
    PlanRun,
    PopulationGrid,
    Station,
    StationEvent,
    StationFunction,
    StationStatus,
)

# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


def _with_hours(qs, now: datetime | None = None):
    first, last = exception_window(now)
    return qs.prefetch_related(
        "hours",
        Prefetch("hours_exceptions", queryset=HoursException.objects.filter(date__gte=first, date__lte=last)),
    )


def station_list(
    *, viewer, area_code: str = "", function: str = "", status: str = "", q: str = ""
) -> QuerySet[Station]:
    """Stations the viewer may see in the registry, optionally narrowed."""
    qs = (
        Station.objects.visible_to(viewer)
        .select_related("area")
        .prefetch_related("functions", "organisations")
    )
    if area_code:
        try:
            qs = qs.filter(subtree_q("area_id", prefix_of(area_code)))
        except ValidationError:
            return qs.none()
    if function:
        qs = qs.filter(functions__code=function)
    if status:
        qs = qs.filter(status=status) if status in StationStatus.values else qs.none()
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    return qs.order_by("area_id", "name", "id")


def station_get(*, viewer, pk) -> Station:
    qs = _with_hours(
        Station.objects.select_related("area", "merged_into", "created_by").prefetch_related(
            "functions",
            "organisations",
            "photos",
            Prefetch("events", queryset=StationEvent.objects.select_related("other", "actor")),
        )
    )
    return get_visible_or_404(qs, viewer, pk=pk)


def merge_history(station: Station) -> list[StationEvent]:
    """Both sides of every merge this station took part in, newest first."""
    return list(
        station.events.filter(
            kind__in=[StationEvent.Kind.ABSORBED, StationEvent.Kind.MERGED_INTO]
        ).select_related("other", "actor")
    )


def function_list(*, active_only: bool = True) -> QuerySet[StationFunction]:
    qs = StationFunction.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def function_get(*, pk) -> StationFunction:
    """The function table is reference data: anyone who may edit it may read every row."""
    fn = StationFunction.objects.filter(pk=pk).first()
    if fn is None:
        raise Http404
    return fn


def hours_exceptions(*, station: Station) -> list[HoursException]:
    """Every dated exception of a station, past ones too (the hours page lists them)."""
    return list(HoursException.objects.filter(station=station).order_by("date", "opens"))


def merge_candidates(*, viewer) -> QuerySet[Station]:
    """Active stations the viewer may merge or merge into."""
    return (
        Station.objects.visible_to(viewer, "stations.merge")
        .active()
        .select_related("area")
        .order_by("area_id", "name")
    )


def station_areas(*, viewer, permission: str = "stations.manage") -> QuerySet[Area]:
    """Areas where the viewer may put a station (communities, villages, towns)."""
    return areas_for_permission(viewer=viewer, permission=permission, levels=(Level.VILLAGE, Level.TOWN))


def owner_choices(*, viewer, permission: str = "stations.manage") -> QuerySet[Organisation]:
    """Organisations that may run a station of the viewer's: those of the viewer's areas and of
    the areas above them (the city's trade union runs stations in every town)."""
    scope = viewer.access.scope(permission)
    qs = Organisation.objects.filter(is_active=True)
    if scope.empty:
        return qs.none()
    if scope.everything:
        return qs.order_by("kind", "name")
    prefixes = set(scope.subtrees) | {prefix_of(c) for c in scope.exact}
    ancestors = set()
    for p in prefixes:
        for n in PREFIX_LENGTH.values():
            if n < len(p) and n <= CODE_LENGTH:
                ancestors.add(p[:n].ljust(CODE_LENGTH, "0"))
    cond = Q(area_id__in=sorted(ancestors | set(scope.exact)))
    for p in prefixes:
        cond |= subtree_q("area_id", p)
    return qs.filter(cond).order_by("kind", "name")


# --------------------------------------------------------------------------------------------
# Finder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    station: Station
    distance_m: float
    walk_minutes: float
    status: oh.OpenStatus


def _require_find(viewer) -> None:
    if viewer is None or not viewer.is_authenticated or not viewer.access.has("stations.find"):
        raise PermissionDenied


def stations_near(
    *,
    viewer,
    lat: float,
    lng: float,
    minutes: float | None = None,
    function: str = "",
    facility: str = "",
    open_now: bool = False,
    now: datetime | None = None,
    limit: int = 50,
) -> list[Nearby]:
    """Active stations within a walk of (lat, lng), nearest first, with "open now".

    An index range on (lat, lng) cuts the table to the cap's bounding box; the exact
    great-circle distance then decides, so the answer is exactly the stations within reach.
    """
    _require_find(viewer)
    try:
        lat, lng = geo.validate_lat_lng(lat, lng)
    except ValueError:
        raise invalid({"lat": [_("Enter a valid location.")]}, "stations.location") from None
    if not geo.in_china(lat, lng):
        raise invalid({"lat": [_("This point is outside China.")]}, "stations.outside_china")
    max_minutes = float(setting("FINDER_MAX_MINUTES"))
    minutes = float(setting("WALK_MINUTES")) if minutes is None else float(minutes)
    if not 1 <= minutes <= max_minutes:
        raise invalid(
            {"minutes": [_("Walking minutes must be from 1 to %(max)d.") % {"max": int(max_minutes)}]},
            "stations.minutes",
        )
    if facility and facility not in Facility.values:
        raise invalid({"facility": [_("Unknown facility.")]}, "stations.facility")
    radius = reach_m(minutes)
    lat_min, lat_max, lng_min, lng_max = analysis.bbox(lat, lng, radius)
    # No ORDER BY: the answer is sorted by distance below, so the database need not sort the box.
    qs = (
        Station.objects.findable()
        .filter(lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max)
        .order_by()
    )
    if function:
        qs = qs.filter(functions__code=function)
    qs = _with_hours(qs.select_related("area").prefetch_related("functions"), now)
    moment = local_now(now)
    found = []
    for s in qs:
        d = geo.haversine_m(lat, lng, s.lat, s.lng)
        if d > radius:
            continue
        if facility and facility not in s.facilities:
            continue
        status = oh.status_at(schedule_for(s), moment)
        if open_now and not status.is_open:
            continue
        found.append(Nearby(s, d, walking_minutes(d), status))
    found.sort(key=lambda n: (n.distance_m, n.station.pk))
    return found[:limit]


def finder_communities(*, near: Area | None = None) -> QuerySet[Area]:
    """Communities and villages with a location, to pick as "where I am" (reference data): those of
    the county (区/县级市) of ``near`` when given, so a province's thousands stay a short list."""
    qs = Area.objects.filter(level=Level.VILLAGE, lat__isnull=False, lng__isnull=False)
    if near is not None:
        # A county or anything larger: its own subtree; a town or a community: its county's.
        prefix = near.prefix if len(near.prefix) <= 6 else near.code[:6]
        qs = qs.filter(subtree_q("code", prefix))
    return qs.select_related("parent").order_by("code")


def community_get(code: str) -> Area:
    area = finder_communities().filter(code=code).first()
    if area is None:
        raise invalid({"community": [_("Choose a community from the list.")]}, "stations.community")
    return area


def station_public_get(*, viewer, pk) -> Station:
    """One findable station for the finder's detail page."""
    _require_find(viewer)
    qs = _with_hours(
        Station.objects.findable()
        .select_related("area")
        .prefetch_related("functions", "organisations", "photos")
    )
    station = qs.filter(pk=pk).first()
    if station is None:
        raise Http404
    return station


def merged_successor(*, viewer, pk) -> Station | None:
    """For a station merged away: the active station its services went to (a resident's old
    link then still leads somewhere), or None."""
    _require_find(viewer)
    station = Station.objects.filter(pk=pk, status=StationStatus.MERGED).select_related("merged_into").first()
    if station is None:
        return None
    seen = {station.pk}
    while (
        station.status == StationStatus.MERGED
        and station.merged_into_id
        and station.merged_into_id not in seen
    ):
        station = station.merged_into
        seen.add(station.pk)
    return station if station.status == StationStatus.ACTIVE else None


# --------------------------------------------------------------------------------------------
# Coverage and planning
# --------------------------------------------------------------------------------------------


def analysis_areas(*, viewer, permission: str) -> QuerySet[Area]:
    """The city, county and town areas where the viewer may read coverage or plan."""
    return areas_for_permission(
        viewer=viewer, permission=permission, levels=(Level.CITY, Level.COUNTY, Level.TOWN)
    ).order_by("code")


def area_for(*, viewer, permission: str, code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None or not viewer.access.can(permission, area.code):
        raise Http404
    return area


def grid_list(*, viewer) -> QuerySet[PopulationGrid]:
    return PopulationGrid.objects.visible_to(viewer).select_related("area", "created_by")


def grid_get(*, viewer, pk) -> PopulationGrid:
    return get_visible_or_404(PopulationGrid.objects.select_related("area"), viewer, pk=pk)


def coverage(*, viewer, area: Area, grid: PopulationGrid | None = None, minutes: float | None = None):
    """The coverage report of an area the viewer may analyse (see ``analysis.coverage_report``)."""
    if not viewer.access.can("stations.coverage", area.code):
        raise Http404
    if minutes is not None and not 1 <= minutes <= float(setting("FINDER_MAX_MINUTES")):
        raise invalid(
            {
                "minutes": [
                    _("Walking minutes must be from 1 to %(max)d.")
                    % {"max": int(setting("FINDER_MAX_MINUTES"))}
                ]
            },
            "stations.minutes",
        )
    return analysis.coverage_report(area=area, grid=grid, minutes=minutes)


def plan_run_list(*, viewer) -> QuerySet[PlanRun]:
    return PlanRun.objects.visible_to(viewer).summaries().select_related("area", "created_by")


def plan_run_get(*, viewer, pk) -> PlanRun:
    return get_visible_or_404(PlanRun.objects.select_related("area", "created_by"), viewer, pk=pk)


def plan_stations(*, viewer, area: Area) -> QuerySet[Station]:
    """Active stations of an area the viewer plans, for the keep / close choices."""
    return (
        Station.objects.visible_to(viewer, "stations.plan")
        .active()
        .filter(subtree_q("area_id", area.prefix))
        .order_by("area_id", "name")
    )
