"""The rider pass over JSON: the check (public), a guard's scan, the signed documents gate devices
sync (public), the rider's own pass, the rider registry, scans and figures (scoped)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.errors import client_ip, field_error
from gongzhi.core.schemas import Page
from gongzhi.lib import passes as lib

from . import checking, keyring, selectors, services
from .conf import setting
from .models import PublishedDocument, RevokeReason, RiderStatus

router = Router(tags=["passes"])


def _optional_user(request):
    """The caller on a public route: a bearer token if sent, else the session, else nobody."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        from gongzhi.accounts.services import api_token_authenticate

        return api_token_authenticate(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# ---------------------------------------------------------------------------------------------
# Checking passes


class RiderCard(Schema):
    name: str = Field(..., description="masked: 王*")
    platform: str
    plate: str
    photo_url: str | None


class CheckOut(Schema):
    ok: bool
    reason: str = Field(
        ..., description="stable code: ok, malformed, unknown_key, bad_signature, expired, revoked, ..."
    )
    title: str
    message: str
    serial: str | None = None
    valid_until: datetime | None = None
    rider: RiderCard | None = None
    gate_id: int | None = None
    event_id: int | None = None


def _check_out(request, outcome: checking.CheckOutcome, token: str) -> dict:
    record = outcome.record
    rider = None
    if record is not None:
        photo = None
        if outcome.ok and record.rider.photo:
            photo = request.build_absolute_uri(f"/p/{lib.token_from_text(token)}/photo.jpg")
        rider = {
            "name": record.rider.masked_name,
            "platform": record.rider.platform_name,
            "plate": record.rider.plate,
            "photo_url": photo,
        }
    return {
        "ok": outcome.ok,
        "reason": outcome.reason.value,
        "title": outcome.title,
        "message": outcome.message,
        "serial": str(record.serial) if record is not None else None,
        "valid_until": record.valid_until if record is not None else None,
        "rider": rider,
        "gate_id": outcome.gate.pk if outcome.gate is not None else None,
        "event_id": outcome.event.pk if outcome.event is not None else None,
    }


@router.get(
    "/check",
    auth=None,
    response=CheckOut,
    url_name="passes_check",
    summary="Check a pass (public): its token or scanned URL; a refusal is an answer, not an error",
)
def pass_check(request, token: str = Query(..., max_length=lib.MAX_TEXT_LEN)):
    outcome = checking.pass_check(text=token, ip=client_ip(request))
    return _check_out(request, outcome, token)


class ScanIn(Schema):
    token: str = Field(..., max_length=lib.MAX_TEXT_LEN, description="the token or the scanned URL")
    gate_id: int


@router.post(
    "/scans", response={201: CheckOut}, url_name="passes_scan", summary="Scan a pass at my gate (recorded)"
)
def pass_scan(request, payload: ScanIn):
    user = request.auth
    user.access.require("passes.scan")
    gate = selectors.gates_of_guard(user).filter(pk=payload.gate_id).first()
    if gate is None:
        raise field_error("gate_id", _("You are not posted at this gate."), "passes.not_your_gate")
    outcome = checking.pass_check(text=payload.token, gate=gate, guard=user, ip=client_ip(request))
    return Status(201, _check_out(request, outcome, payload.token))


# ---------------------------------------------------------------------------------------------
# Published documents for gate devices (public: they are signed, and hold no personal data)


def _document(request, kind: str) -> HttpResponse:
    doc = keyring.published_document(kind)
    etag = f'"{kind}-{doc.sequence}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(doc.document, content_type="application/json")
    response["ETag"] = etag
    response["X-Gz-Sequence"] = str(doc.sequence)
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/keyset", auth=None, url_name="passes_keyset", summary="The signed key set (gate devices verify with it)"
)
def keyset_document(request):
    return _document(request, PublishedDocument.Kind.KEYSET)


@router.get(
    "/revocations",
    auth=None,
    url_name="passes_revocations",
    summary="The signed revocation list (sequence only grows)",
)
def revocations_document(request):
    return _document(request, PublishedDocument.Kind.REVOCATIONS)


class PublisherKeyOut(Schema):
    kid: str
    public_key: str = Field(..., description="Ed25519, base64url: gate devices pin it")


@router.get(
    "/publisher-keys",
    auth=None,
    response=list[PublisherKeyOut],
    url_name="passes_publisher_keys",
    summary="Publisher keys, for provisioning a gate device",
)
def publisher_keys(request):
    return [{"kid": p.kid, "public_key": p.public_key} for p in keyring.publisher_public_keys()]


# ---------------------------------------------------------------------------------------------
# The rider's own pass


class MyPassOut(Schema):
    serial: str
    token: str
    url: str
    valid_from: datetime
    valid_until: datetime
    renew_after: datetime
    areas: list[str]


@router.get(
    "/me/pass", response=MyPassOut, url_name="passes_me", summary="My current pass (renewed when due)"
)
def my_pass(request):
    user = request.auth
    user.access.require("passes.own")
    rider = selectors.rider_of(user)
    if rider is None:
        raise ValidationError(_("Register as a rider first."), code="passes.not_a_rider")
    record = services.pass_current(rider=rider)
    base = str(setting("BASE_URL")) or request.build_absolute_uri("/")
    return {
        "serial": str(record.serial),
        "token": record.token,
        "url": lib.pass_url(base, record.token),
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "renew_after": record.valid_until - timezone.timedelta(hours=int(setting("PASS_RENEW_HOURS"))),
        "areas": record.areas,
    }


# ---------------------------------------------------------------------------------------------
# The rider registry


class RiderOut(Schema):
    id: int
    name: str = Field(..., description="masked")
    mobile: str = Field(..., description="masked")
    area_code: str
    area_name: str
    platform: str
    station: str
    plate: str
    status: str
    insured: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.masked_name

    @staticmethod
    def resolve_mobile(obj) -> str:
        return obj.user.mobile_masked

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_platform(obj) -> str:
        return obj.platform.code

    @staticmethod
    def resolve_insured(obj) -> bool:
        insured = getattr(obj, "insured", None)
        return bool(insured) if insured is not None else selectors.insurance_status(obj)["insured"]


class RiderFilter(Schema):
    status: str = ""
    platform: str = Field("", max_length=30)
    q: str = Field("", max_length=50)
    area_code: str = Field("", max_length=15)


@router.get(
    "/riders", response=list[RiderOut], url_name="passes_riders", summary="Riders in my scope (masked)"
)
@paginate(Page)
def rider_list(request, filters: Query[RiderFilter]):
    request.auth.access.require("passes.riders.view")
    return selectors.rider_list(
        viewer=request.auth,
        status=filters.status,
        platform=filters.platform,
        q=filters.q,
        area_code=filters.area_code,
    )


@router.get("/riders/{rider_id}", response=RiderOut, url_name="passes_rider", summary="One rider (masked)")
def rider_get(request, rider_id: int):
    return selectors.rider_get(viewer=request.auth, pk=rider_id)


class StatusIn(Schema):
    to: RiderStatus
    note: str = Field("", max_length=200)


@router.post(
    "/riders/{rider_id}/status",
    response=RiderOut,
    url_name="passes_rider_status",
    summary="Verify, reject, suspend or reinstate",
)
def rider_status(request, rider_id: int, payload: StatusIn):
    rider = selectors.rider_get(viewer=request.auth, pk=rider_id)
    services.rider_transition(
        rider=rider, to=payload.to, note=payload.note, actor=request.auth, ip=client_ip(request)
    )
    return selectors.rider_get(viewer=request.auth, pk=rider_id)


class RevokeIn(Schema):
    reason: RevokeReason
    note: str = Field("", max_length=200)


class RevokeOut(Schema):
    serials: list[str]
    reason: str
    revocation_sequence: int


@router.post(
    "/riders/{rider_id}/revoke",
    response=RevokeOut,
    url_name="passes_rider_revoke",
    summary="Revoke a rider's passes",
)
def rider_revoke(request, rider_id: int, payload: RevokeIn):
    rider = selectors.rider_get(viewer=request.auth, pk=rider_id)
    revocation = services.pass_revoke(
        rider=rider, reason=payload.reason, note=payload.note, actor=request.auth, ip=client_ip(request)
    )
    return {
        "serials": revocation.serials,
        "reason": revocation.reason,
        "revocation_sequence": keyring.published_document(PublishedDocument.Kind.REVOCATIONS).sequence,
    }


# ---------------------------------------------------------------------------------------------
# Scans and figures


class EventOut(Schema):
    id: int
    at: datetime
    gate_id: int
    gate: str
    area_code: str
    ok: bool
    reason: str
    rider: str | None = Field(None, description="masked")

    @staticmethod
    def resolve_gate(obj) -> str:
        return obj.gate.name

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_rider(obj) -> str | None:
        return obj.rider.masked_name if obj.rider_id else None


class EventFilter(Schema):
    gate_id: int | None = None
    ok: bool | None = None
    area_code: str = Field("", max_length=15)


@router.get(
    "/scans",
    response=list[EventOut],
    url_name="passes_scans",
    summary="Gate scans in my scope (location data)",
)
@paginate(Page)
def event_list(request, filters: Query[EventFilter]):
    request.auth.access.require("passes.events.view")
    return selectors.event_list(
        viewer=request.auth, gate_id=filters.gate_id, ok=filters.ok, area_code=filters.area_code
    )


class GateDayOut(Schema):
    day: date
    gate_id: int
    gate: str
    community: str
    scans: int
    admitted: int
    riders: int


class FiguresOut(Schema):
    start: date
    end: date
    scans: int
    admitted: int
    refused: int
    riders_served: int
    minutes_per_scan: int
    minutes_saved: int
    riders_registered: int
    riders_verified: int
    riders_insured: int
    communities_honouring: int
    gates: int
    refusals: dict[str, int]
    per_gate_day: list[GateDayOut]


class FiguresFilter(Schema):
    start: date | None = None
    end: date | None = None
    area_code: str = Field("", max_length=15)


@router.get(
    "/figures",
    response=FiguresOut,
    url_name="passes_figures",
    summary="Scans per gate and day, riders served, time saved, riders insured",
)
def figures(request, filters: Query[FiguresFilter]):
    request.auth.access.require("passes.figures.view")
    end = filters.end or timezone.localdate()
    start = filters.start or end - timezone.timedelta(days=29)
    if end < start:
        raise field_error("end", _("The end comes before the start."), "passes.period")
    if (end - start).days > 366:
        raise field_error("start", _("Choose at most a year."), "passes.period")
    data = selectors.figures(viewer=request.auth, start=start, end=end, area_code=filters.area_code)
    return data.__dict__
