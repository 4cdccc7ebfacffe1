"""Writes to the station registry: register, change, close, reopen and merge stations; the
function table. Every write checks the actor's scope, runs in a transaction and is audited."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import geo

from ..conf import setting
from ..models import (
    STATUS_TRANSITIONS,
    CoordinateSystem,
    Facility,
    Station,
    StationEvent,
    StationFunction,
    StationStatus,
)

STATION_AREA_LEVELS = (Level.VILLAGE, Level.TOWN, Level.GRID)
_PHONE = re.compile(r"^\+?[\d\- ()]{5,30}$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _require(actor, permission: str, area_code: str | None = None) -> None:
    if actor is not None and not actor.access.can(permission, area_code):
        raise PermissionDenied


def locate(lat, lng, crs: str = CoordinateSystem.WGS84) -> tuple[float, float]:
    """WGS-84 (lat, lng) from what was entered, or a ValidationError on the location fields.

    A GCJ-02 point (picked on 高德 or 腾讯) is converted with the iterative inverse; the caller
    keeps the value as entered too, since that inverse is approximate (gongzhi.lib.geo).
    """
    try:
        lat_raw, lng_raw = float(lat), float(lng)
    except (TypeError, ValueError):
        lat_raw = lng_raw = math.nan
    if (
        math.isfinite(lat_raw)
        and math.isfinite(lng_raw)
        and -90 <= lng_raw <= 90
        and -180 <= lat_raw <= 180
        and geo.in_china(lng_raw, lat_raw)
        and not (-90 <= lat_raw <= 90 and geo.in_china(lat_raw, lng_raw))
    ):
        raise invalid(
            {
                "lat": [
                    _(
                        "The latitude and longitude look swapped: in China the latitude is 18-54 and the longitude 73-135."
                    )
                ]
            },
            "station.swapped",
        )
    errors: dict[str, list[str]] = {}
    if crs not in CoordinateSystem.values:
        errors["source_crs"] = [_("Choose the coordinate system of the map the point was picked on.")]
    try:
        lat_f = float(lat)
        if not math.isfinite(lat_f) or not -90 <= lat_f <= 90:
            raise ValueError
    except (TypeError, ValueError):
        errors["lat"] = [_("Enter a latitude between -90 and 90, e.g. 30.41.")]
    try:
        lng_f = float(lng)
        if not math.isfinite(lng_f) or not -180 <= lng_f <= 180:
            raise ValueError
    except (TypeError, ValueError):
        errors["lng"] = [_("Enter a longitude between -180 and 180, e.g. 104.55.")]
    if errors:
        raise invalid(errors, "station.location")
    if not geo.in_china(lat_f, lng_f):
        swapped = geo.in_china(lng_f, lat_f) if -90 <= lng_f <= 90 else False
        message = (
            _("This point is outside China; the latitude and longitude look swapped.")
            if swapped
            else _("This point is outside China; check the latitude and longitude.")
        )
        raise invalid({"lat": [message]}, "station.outside_china")
    if crs == CoordinateSystem.GCJ02:
        return geo.gcj02_to_wgs84(lat_f, lng_f)
    return lat_f, lng_f


def _check_near_area(lat: float, lng: float, area: Area) -> None:
    """A location far from its area's centre is a typo or the wrong coordinate system."""
    centre = area
    if centre.lat is None or centre.lng is None:
        return
    limit_km = float(setting("MAX_KM_FROM_AREA"))
    distance_km = geo.haversine_m(lat, lng, centre.lat, centre.lng) / 1000
    if distance_km > limit_km:
        raise invalid(
            {
                "lat": [
                    _(
                        "This point is %(km).0f km from the centre of %(area)s (at most %(limit).0f km): "
                        "check the coordinates and the coordinate system."
                    )
                    % {"km": distance_km, "area": area.name, "limit": limit_km}
                ]
            },
            "station.far_from_area",
        )


def _clean_details(
    *,
    name: str,
    area: Area,
    facilities: Iterable[str],
    functions: Iterable[StationFunction],
    capacity: int | None,
    phone: str,
) -> tuple[str, list[str], list[StationFunction], str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the station's name.")]
    elif len(name) > 120:
        errors["name"] = [_("The name is too long: at most 120 characters.")]
    if area.level not in STATION_AREA_LEVELS:
        errors["area"] = [_("Register a station in a community, a village or a town/street.")]
    facilities = list(dict.fromkeys(facilities or []))
    if any(f not in Facility.values for f in facilities):
        errors["facilities"] = [_("Unknown facility.")]
    functions = list(dict.fromkeys(functions or []))
    if any(not f.is_active for f in functions):
        errors["functions"] = [_("A chosen function is no longer in use.")]
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0):
        errors["capacity"] = [_("Enter the capacity as a whole number of people.")]
    phone = (phone or "").strip()
    if phone and not _PHONE.match(phone):
        errors["phone"] = [_("Enter a telephone number, e.g. 028-27012345.")]
    if errors:
        raise invalid(errors, "station.invalid")
    return name, facilities, functions, phone


@transaction.atomic
def station_create(
    *,
    actor,
    name: str,
    area: Area,
    lat,
    lng,
    source_crs: str = CoordinateSystem.WGS84,
    address: str = "",
    functions: Sequence[StationFunction] = (),
    organisations: Sequence = (),
    facilities: Sequence[str] = (),
    capacity: int | None = None,
    phone: str = "",
    description: str = "",
    ip: str | None = None,
) -> Station:
    """Register a station in an area within the actor's scope (``stations.manage``)."""
    if actor is not None and not actor.access.can("stations.manage", area.code):
        raise invalid(
            {"area": [_("You may only register stations in your own area.")]}, "station.area_forbidden"
        )
    name, facilities, functions, phone = _clean_details(
        name=name, area=area, facilities=facilities, functions=functions, capacity=capacity, phone=phone
    )
    wgs_lat, wgs_lng = locate(lat, lng, source_crs)
    _check_near_area(wgs_lat, wgs_lng, area)
    station = Station.objects.create(
        name=name,
        area=area,
        address=(address or "").strip()[:200],
        lat=wgs_lat,
        lng=wgs_lng,
        source_crs=source_crs,
        source_lat=float(lat),
        source_lng=float(lng),
        facilities=facilities,
        capacity=capacity,
        phone=phone,
        description=(description or "").strip(),
        created_by=actor,
        status_changed_at=timezone.now(),
    )
    station.functions.set(functions)
    station.organisations.set(list(organisations))
    StationEvent.objects.create(station=station, kind=StationEvent.Kind.CREATED, actor=_user(actor))
    audit_record(
        actor=actor,
        action="station.create",
        obj=station,
        ip=ip,
        changes={
            "name": name,
            "functions": ",".join(f.name for f in functions),
            "lat": wgs_lat,
            "lng": wgs_lng,
        },
    )
    return station


_UNSET = object()


@transaction.atomic
def station_update(
    *,
    station: Station,
    actor,
    ip: str | None = None,
    name: str | None = None,
    area: Area | None = None,
    lat=None,
    lng=None,
    source_crs: str | None = None,
    address: str | None = None,
    functions: Sequence[StationFunction] | None = None,
    organisations: Sequence | None = None,
    facilities: Sequence[str] | None = None,
    capacity=_UNSET,
    phone: str | None = None,
    description: str | None = None,
) -> Station:
    """Change what is given; everything else stays. A merged station is history: refused."""
    _require(actor, "stations.manage", station.area_id)
    refuse_merged(station)
    if area is not None and actor is not None and not actor.access.can("stations.manage", area.code):
        raise invalid(
            {"area": [_("You may only move a station to an area of your own.")]}, "station.area_forbidden"
        )
    new_area = area or station.area
    name_v, facilities_v, functions_v, phone_v = _clean_details(
        name=station.name if name is None else name,
        area=new_area,
        facilities=station.facilities if facilities is None else facilities,
        functions=list(station.functions.all()) if functions is None else functions,
        capacity=station.capacity if capacity is _UNSET else capacity,
        phone=station.phone if phone is None else phone,
    )
    changes: dict[str, object] = {}
    if lat is not None or lng is not None:
        crs = source_crs or CoordinateSystem.WGS84
        wgs_lat, wgs_lng = locate(lat, lng, crs)
        _check_near_area(wgs_lat, wgs_lng, new_area)
        station.lat, station.lng = wgs_lat, wgs_lng
        station.source_crs, station.source_lat, station.source_lng = crs, float(lat), float(lng)
        changes.update(lat=wgs_lat, lng=wgs_lng)
    elif area is not None:
        _check_near_area(station.lat, station.lng, new_area)
    for field, value in (
        ("name", name_v),
        ("area_id", new_area.code),
        ("facilities", facilities_v),
        ("phone", phone_v),
    ):
        if getattr(station, field) != value:
            setattr(station, field, value)
            changes[field] = value if not isinstance(value, list) else ",".join(value)
    if capacity is not _UNSET and station.capacity != capacity:
        station.capacity = capacity
        changes["capacity"] = capacity
    if address is not None and station.address != address.strip()[:200]:
        station.address = address.strip()[:200]
        changes["address"] = station.address
    if description is not None and station.description != description.strip():
        station.description = description.strip()
        changes["description"] = "changed"
    station.save()
    if functions is not None:
        before = set(station.functions.values_list("name", flat=True))
        station.functions.set(functions_v)
        after = {f.name for f in functions_v}
        if before != after:
            changes["functions"] = ",".join(sorted(after))
    if organisations is not None:
        before_ids = set(station.organisations.values_list("id", flat=True))
        station.organisations.set(list(organisations))
        if before_ids != {o.pk for o in organisations}:
            changes["organisations"] = ",".join(str(o) for o in organisations)
    if changes:
        StationEvent.objects.create(
            station=station,
            kind=StationEvent.Kind.UPDATED,
            actor=_user(actor),
            details={"fields": sorted(changes)},
        )
    audit_record(actor=actor, action="station.update", obj=station, ip=ip, changes=changes)
    return station


def refuse_merged(station: Station) -> None:
    """A merged station is history; checked against the database (the caller's copy may be stale)."""
    status = (
        Station.objects.select_for_update().filter(pk=station.pk).values_list("status", flat=True).first()
    )
    if status == StationStatus.MERGED:
        raise ValidationError(
            _("This station was merged into another; change that one instead."), code="station.merged"
        )


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _transition(station: Station, to: str) -> None:
    if to not in STATUS_TRANSITIONS[station.status]:
        raise ValidationError(
            _("A station that is “%(status)s” cannot become “%(to)s”.")
            % {"status": station.get_status_display(), "to": StationStatus(to).label},
            code="station.invalid_transition",
        )
    station.status = to
    station.status_changed_at = timezone.now()


@transaction.atomic
def station_close(*, station: Station, actor, reason: str, ip: str | None = None) -> Station:
    """Close a station (it stays in the registry and its history; the finder stops showing it)."""
    _require(actor, "stations.merge", station.area_id)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise invalid({"reason": [_("Say why the station closes.")]}, "station.close_reason")
    station = Station.objects.select_for_update().get(pk=station.pk)
    _transition(station, StationStatus.CLOSED)
    station.save(update_fields=["status", "status_changed_at", "updated_at"])
    StationEvent.objects.create(
        station=station, kind=StationEvent.Kind.CLOSED, actor=_user(actor), note=reason[:200]
    )
    audit_record(actor=actor, action="station.close", obj=station, ip=ip, changes={"reason": reason[:200]})
    return station


@transaction.atomic
def station_reopen(*, station: Station, actor, ip: str | None = None) -> Station:
    _require(actor, "stations.merge", station.area_id)
    station = Station.objects.select_for_update().get(pk=station.pk)
    _transition(station, StationStatus.ACTIVE)
    station.save(update_fields=["status", "status_changed_at", "updated_at"])
    StationEvent.objects.create(station=station, kind=StationEvent.Kind.REOPENED, actor=_user(actor))
    audit_record(actor=actor, action="station.reopen", obj=station, ip=ip)
    return station


@transaction.atomic
def station_merge(
    *, sources: Sequence[Station], into: Station, actor, note: str = "", ip: str | None = None
) -> Station:
    """Merge ``sources`` into ``into`` ("one door, many services"): the target takes over their
    functions, owning organisations and facilities; each source becomes "merged", pointing at
    the target, and both sides record the merge with what moved. All or nothing.
    """
    if not sources:
        raise invalid({"sources": [_("Choose the stations to merge.")]}, "station.merge_empty")
    ids = [s.pk for s in sources]
    if len(set(ids)) != len(ids):
        raise invalid({"sources": [_("A station is listed twice.")]}, "station.merge_duplicate")
    if into.pk in ids:
        raise invalid({"sources": [_("A station cannot be merged into itself.")]}, "station.merge_self")
    # Lock target and sources in id order, so two merges touching the same stations queue.
    locked = {
        s.pk: s for s in Station.objects.select_for_update().filter(pk__in=[*ids, into.pk]).order_by("pk")
    }
    into = locked[into.pk]
    sources = [locked[i] for i in ids]
    for station in (into, *sources):
        _require(actor, "stations.merge", station.area_id)
    if into.status != StationStatus.ACTIVE:
        raise invalid({"into": [_("Merge into an active station.")]}, "station.merge_target_inactive")
    for s in sources:
        if s.status != StationStatus.ACTIVE:
            raise invalid(
                {"sources": [_("“%(name)s” is not active and cannot be merged.") % {"name": s.name}]},
                "station.merge_source_inactive",
            )
    note = (note or "").strip()[:200]
    target_functions = {f.pk: f for f in into.functions.all()}
    target_orgs = {o.pk: o for o in into.organisations.all()}
    now = timezone.now()
    summary = []
    for s in sources:
        moved_functions = [f for f in s.functions.all() if f.pk not in target_functions]
        moved_orgs = [o for o in s.organisations.all() if o.pk not in target_orgs]
        into.functions.add(*moved_functions)
        into.organisations.add(*moved_orgs)
        target_functions.update({f.pk: f for f in moved_functions})
        target_orgs.update({o.pk: o for o in moved_orgs})
        into.facilities = list(dict.fromkeys([*into.facilities, *s.facilities]))
        details = {
            "functions_moved": [f.name for f in moved_functions],
            "organisations_moved": [str(o) for o in moved_orgs],
            "distance_m": round(geo.haversine_m(s.lat, s.lng, into.lat, into.lng)),
        }
        _transition(s, StationStatus.MERGED)
        s.merged_into = into
        s.status_changed_at = now
        s.save(update_fields=["status", "merged_into", "status_changed_at", "updated_at"])
        StationEvent.objects.create(
            station=s,
            kind=StationEvent.Kind.MERGED_INTO,
            other=into,
            actor=_user(actor),
            at=now,
            note=note,
            details=details,
        )
        StationEvent.objects.create(
            station=into,
            kind=StationEvent.Kind.ABSORBED,
            other=s,
            actor=_user(actor),
            at=now,
            note=note,
            details=details,
        )
        audit_record(
            actor=actor,
            action="station.merge",
            obj=s,
            ip=ip,
            changes={"into": into.pk, "into_name": into.name, **{k: str(v) for k, v in details.items()}},
        )
        summary.append(s.name)
    into.save(update_fields=["facilities", "updated_at"])
    audit_record(
        actor=actor,
        action="station.absorb",
        obj=into,
        ip=ip,
        changes={"sources": ",".join(summary), "note": note},
    )
    return into


def successor(station: Station) -> Station:
    """The live station a merged one's services went to (following merges of merges)."""
    seen = {station.pk}
    while (
        station.status == StationStatus.MERGED
        and station.merged_into_id
        and station.merged_into_id not in seen
    ):
        station = station.merged_into
        seen.add(station.pk)
    return station


# --------------------------------------------------------------------------------------------
# The function table
# --------------------------------------------------------------------------------------------


def _clean_function(
    *, code: str, name: str, name_en: str, description: str, order: int, instance: StationFunction | None
) -> tuple[str, str, str, str, int]:
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().lower()
    name = (name or "").strip()
    if not _CODE.match(code):
        errors["code"] = [
            _("A code is 2-40 lowercase letters, digits or underscores, starting with a letter.")
        ]
    elif StationFunction.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["code"] = [_("Another function has this code.")]
    if not name:
        errors["name"] = [_("Enter the function's name.")]
    elif StationFunction.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [_("Another function has this name.")]
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 32767:
        errors["order"] = [_("Enter the position as a whole number from 0 to 32767.")]
    if errors:
        raise invalid(errors, "station_function.invalid")
    return code, name[:40], (name_en or "").strip()[:80], (description or "").strip()[:200], order


@transaction.atomic
def function_create(
    *,
    actor,
    code: str,
    name: str,
    name_en: str = "",
    description: str = "",
    order: int = 100,
    ip: str | None = None,
) -> StationFunction:
    _require(actor, "stations.functions.manage")
    code, name, name_en, description, order = _clean_function(
        code=code, name=name, name_en=name_en, description=description, order=order, instance=None
    )
    fn = StationFunction.objects.create(
        code=code, name=name, name_en=name_en, description=description, order=order
    )
    audit_record(
        actor=actor, action="station_function.create", obj=fn, ip=ip, changes={"code": code, "name": name}
    )
    return fn


@transaction.atomic
def function_update(
    *,
    function: StationFunction,
    actor,
    name: str,
    name_en: str = "",
    description: str = "",
    order: int = 100,
    is_active: bool = True,
    ip: str | None = None,
) -> StationFunction:
    """Rename, reorder or retire a function (stations keep it; new stations cannot pick it)."""
    _require(actor, "stations.functions.manage")
    _, name, name_en, description, order = _clean_function(
        code=function.code,
        name=name,
        name_en=name_en,
        description=description,
        order=order,
        instance=function,
    )
    function.name, function.name_en, function.description = name, name_en, description
    function.order, function.is_active = order, bool(is_active)
    function.save()
    audit_record(
        actor=actor,
        action="station_function.update",
        obj=function,
        ip=ip,
        changes={"name": name, "is_active": function.is_active},
    )
    return function
