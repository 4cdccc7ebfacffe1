"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over sentinel leads.

Plain Django views: the formats are the specification's, in JSON and XML alike. Services are the
active sentinel categories; requests are sentinel leads; statuses are ``open``/``closed``, with
the finer statuses of the widely used ``servicerequestupdates`` extension. Reading is public
(the specification's model); posting needs an API key issued by staff. Every error is the
specification's list of ``{code, description}`` with status 400, 403 or 404, and nothing is
written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.errors import client_ip
from gongzhi.tickets import selectors as tickets_selectors
from gongzhi.tickets.models import Action, State, Ticket, TicketEvent, Visibility

from . import selectors, services
from .models import Lead, SentinelCategory
from .policy import ATTRIBUTES, KIND

MAX_SPAN = timedelta(days=90)
DEFAULT_LIMIT = 50
#: Decimal places of a lead's position for readers without an API key: 3 places is ~110 m north
#: to south (~100 m east to west here), enough to see the street, not the doorway a rider stood in.
PUBLIC_POSITION_DECIMALS = 3
MAX_LIMIT = 500
CLOSED_STATES = {State.RESOLVED, State.CLOSED, State.CANCELLED}

# The finer statuses of the servicerequestupdates extension, per engine state.
EXTENDED = {
    State.SUBMITTED: "OPEN",
    State.RETURNED: "OPEN",
    State.REOPENED: "OPEN",
    State.DISPATCHED: "ACTION_SCHEDULED",
    State.ACCEPTED: "INVESTIGATING",
    State.IN_PROGRESS: "IN_PROGRESS",
    State.RESOLVED: "FIXED",
    State.CLOSED: "CLOSED",
    State.CANCELLED: "NO_FURTHER_ACTION",
}

# XML: the element name of each list's items.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        self.status = status
        self.descriptions = descriptions or ("",)


def iso(dt: datetime | None) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else ""


def _to_xml(parent: ET.Element, name: str, value) -> None:
    if isinstance(value, (list, tuple)):
        node = ET.SubElement(parent, name)
        for item in value:
            _to_xml(node, ITEMS.get(name, "item"), item)
    elif isinstance(value, dict):
        node = ET.SubElement(parent, name)
        for key, sub in value.items():
            _to_xml(node, key, sub)
    else:
        node = ET.SubElement(parent, name)
        node.text = (
            "" if value is None else ("true" if value is True else "false" if value is False else str(value))
        )


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """JSON as the specification shows it (lists at the top); XML with ``root`` around it."""
    if fmt == "xml":
        holder = ET.Element("holder")
        _to_xml(holder, root, data)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(holder[0], encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, exc: Open311Error) -> HttpResponse:
    return render(
        fmt if fmt in ("json", "xml") else "json",
        "errors",
        [{"code": exc.status, "description": d} for d in exc.descriptions],
        status=exc.status,
    )


def endpoint(view):
    """Format checking and the errors format for every Open311 view."""

    def wrapped(request, *args, fmt: str, **kwargs):
        try:
            if fmt not in ("json", "xml"):
                raise Open311Error(404, _("Unknown format: use .json or .xml."))
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _only(request, *methods: str) -> None:
    if request.method not in methods:
        raise Open311Error(400, _("Method %(method)s is not allowed here.") % {"method": request.method})


# --- discovery and services -------------------------------------------------------------------


@endpoint
def discovery(request, fmt):
    _only(request, "GET")
    base = (
        request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    )
    latest = SentinelCategory.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return render(
        fmt,
        "discovery",
        {
            "changeset": iso(latest or timezone.now()),
            "contact": _("City sentinel desk of the city's co-governance platform"),
            "key_service": _("API keys are issued by the city's staff on the platform."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": iso(latest or timezone.now()),
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


def _service(c: SentinelCategory) -> dict:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": _("Responsible: %(unit)s; handled within %(hours)d hours.")
        % {"unit": c.unit.name if c.unit_id else "-", "hours": c.deadline_hours},
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": str(_("City sentinels")),
    }


@endpoint
def service_list(request, fmt):
    _only(request, "GET")
    return render(fmt, "services", [_service(c) for c in selectors.category_list()])


@endpoint
def service_definition(request, fmt, service_code: str):
    _only(request, "GET")
    category = SentinelCategory.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": service_code[:40]})
    attributes = [
        {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": required,
            "datatype_description": "",
            "order": i + 1,
            "description": str(description),
            "values": [{"key": k, "name": str(v)} for k, v in values],
        }
        for i, (code, datatype, required, description, values) in enumerate(ATTRIBUTES)
    ]
    return render(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


# --- requests ---------------------------------------------------------------------------------


def _rounded(lat: float | None, lng: float | None) -> tuple[float | None, float | None]:
    if lat is None or lng is None:
        return lat, lng
    return round(lat, PUBLIC_POSITION_DECIMALS), round(lng, PUBLIC_POSITION_DECIMALS)


#: What a request row reads: plain values, not model instances (a page of 500 rows would build
#: 2,000 objects). The agency is the handling organisation, never a person's name.
ROW_FIELDS = (
    "pk", "state", "category", "title", "description", "resolution_note", "created_at", "updated_at",
    "deadline", "address", "lat", "lng", "assignee_org__name", "sentinel_lead__merged_into_id",
)  # fmt: skip


def _request_row(row: dict, names: dict, units: dict, *, exact: bool) -> dict:
    state = row["state"]
    lat, lng = (row["lat"], row["lng"]) if exact else _rounded(row["lat"], row["lng"])
    duplicate = state == State.CANCELLED and row["sentinel_lead__merged_into_id"] is not None
    return {
        "service_request_id": str(row["pk"]),
        "status": "closed" if state in CLOSED_STATES else "open",
        "status_notes": row["resolution_note"] if state in (State.RESOLVED, State.CLOSED) else "",
        "extended_status": "DUPLICATE" if duplicate else EXTENDED.get(state, "OPEN"),
        "service_name": names.get(row["category"], row["category"]),
        "service_code": row["category"],
        "description": row["description"] or row["title"],
        "agency_responsible": row["assignee_org__name"] or units.get(row["category"], ""),
        "service_notice": "",
        "requested_datetime": iso(row["created_at"]),
        "updated_datetime": iso(row["updated_at"]),
        "expected_datetime": iso(row["deadline"]),
        "address": row["address"],
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": "",
    }


def _exact_positions(request) -> bool:
    """Reads are public (the specification), but the exact position only goes to a client with a
    valid ``api_key``; everyone else sees it rounded to ~100 m. A wrong key is an error, not a
    silent downgrade."""
    key = request.GET.get("api_key", "")
    if not key:
        return False
    if services.client_authenticate(key) is None:
        raise Open311Error(403, _("api_key is not valid or has been revoked."))
    return True


def _category_names() -> tuple[dict, dict]:
    rows = SentinelCategory.objects.select_related("unit")
    return {c.code: c.name for c in rows}, {c.code: c.unit.name if c.unit_id else "" for c in rows}


def _date(request, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a '+' left unencoded in a query string is a space
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s is not an ISO-8601 date and time.") % {"name": name})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _limit(request) -> int:
    raw = request.GET.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, _("limit must be a whole number from 1."))
    return min(int(raw), MAX_LIMIT)


def _window(request) -> tuple[datetime, datetime]:
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and end < start:
        raise Open311Error(400, _("end_date lies before start_date."))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, _("The span from start_date to end_date may not exceed 90 days."))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    return start, end


def _list_requests(request, fmt):
    qs = Ticket.objects.filter(kind=KIND)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if not all(i.isdigit() for i in ids):
            raise Open311Error(400, _("service_request_id takes numbers separated by commas."))
        qs = qs.filter(pk__in=[int(i) for i in ids[:MAX_LIMIT]])  # the other filters are ignored (spec)
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            known = set(SentinelCategory.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": unknown[0][:40]})
            qs = qs.filter(category__in=codes)
        start, end = _window(request)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status is open, closed or both separated by a comma."))
        if statuses == {"open"}:
            qs = qs.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            qs = qs.filter(state__in=CLOSED_STATES)
    exact = _exact_positions(request)
    names, units = _category_names()
    rows = qs.order_by("-created_at", "-id").values(*ROW_FIELDS)[: _limit(request)]
    return render(fmt, "service_requests", [_request_row(r, names, units, exact=exact) for r in rows])


def _post_request(request, fmt):
    key = request.POST.get("api_key", "")
    if not key:
        raise Open311Error(400, _("api_key is missing."))
    client = services.client_authenticate(key)
    if client is None:
        raise Open311Error(403, _("api_key is not valid or has been revoked."))
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code is missing."))
    if not SentinelCategory.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(400, _("Unknown service_code “%(code)s”.") % {"code": code[:40]})
    lat, lng = request.POST.get("lat", "").strip(), request.POST.get("long", "").strip()
    if not lat or not lng:
        if request.POST.get("address_string") or request.POST.get("address_id"):
            raise Open311Error(400, _("Give lat and long: addresses alone cannot be placed on the map here."))
        raise Open311Error(400, _("A location is required: lat and long."))
    try:
        lat_f, lng_f = float(lat), float(lng)
        area = tickets_selectors.community_at(lat_f, lng_f, within=client.area_id)
    except ValueError:
        raise Open311Error(400, _("lat and long are not a valid position.")) from None
    if area is None:
        raise Open311Error(400, _("This position lies outside the city's communities."))
    extra = {"source": "open311", "client": client.name}
    attributes = {
        k[len("attribute[") : -1]: v
        for k, v in request.POST.items()
        if k.startswith("attribute[") and k.endswith("]")
    }
    known = {a[0] for a in ATTRIBUTES}
    for name, value in attributes.items():
        if name not in known:
            raise Open311Error(400, _("Unknown attribute “%(name)s”.") % {"name": name[:40]})
        if value:
            extra[name] = value
    import secrets

    token = secrets.token_hex(8)
    try:
        ticket = services.lead_report(
            reporter=client.account,
            category=code,
            area=area,
            lat=lat_f,
            lng=lng_f,
            text=request.POST.get("description", ""),
            address=request.POST.get("address_string", ""),
            extra=extra,
            token=token,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages = []
        for field, errs in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
            messages += [f"{field}: {m}" if field and field != "__all__" else m for m in errs]
        raise Open311Error(400, *messages) from None
    return render(
        fmt,
        "service_requests",
        [{"service_request_id": str(ticket.pk), "token": token, "service_notice": "", "account_id": ""}],
        status=201,
    )


@endpoint
def request_list(request, fmt):
    _only(request, "GET", "POST")
    if request.method == "POST":
        return _post_request(request, fmt)
    return _list_requests(request, fmt)


@endpoint
def request_detail(request, fmt, request_id: str):
    _only(request, "GET")
    row = (
        Ticket.objects.filter(kind=KIND, pk=int(request_id)).values(*ROW_FIELDS).first()
        if request_id.isdigit()
        else None
    )
    if row is None:
        raise Open311Error(404, _("No service request %(id)s.") % {"id": request_id[:20]})
    exact = _exact_positions(request)
    names, units = _category_names()
    return render(fmt, "service_requests", [_request_row(row, names, units, exact=exact)])


@endpoint
def token_detail(request, fmt, token: str):
    _only(request, "GET")
    lead = Lead.objects.filter(token=token[:32]).first()
    if lead is None:
        raise Open311Error(404, _("No service request has this token."))
    return render(fmt, "service_requests", [{"service_request_id": str(lead.ticket_id), "token": token}])


@endpoint
def request_updates(request, fmt):
    """The servicerequestupdates extension: public steps of every lead in a window, oldest first."""
    _only(request, "GET")
    start, end = _window(request)
    events = (
        TicketEvent.objects.filter(
            ticket__kind=KIND, visibility=Visibility.PUBLIC, at__gte=start, at__lte=end
        )
        .exclude(action=Action.SUBMIT)
        .select_related("ticket__sentinel_lead")
        .order_by("at", "id")[: _limit(request)]
    )
    rows = []
    for e in events:
        state = e.to_state or e.ticket.state
        lead = getattr(e.ticket, "sentinel_lead", None)
        extended = (
            "DUPLICATE"
            if state == State.CANCELLED and lead and lead.merged_into_id
            else EXTENDED.get(state, "OPEN")
        )
        rows.append(
            {
                "update_id": str(e.pk),
                "service_request_id": str(e.ticket_id),
                "status": "closed" if state in CLOSED_STATES else "open",
                "extended_status": extended,
                "updated_datetime": iso(e.at),
                "description": e.note or e.action_label,
                "media_url": "",
            }
        )
    return render(fmt, "service_request_updates", rows)
