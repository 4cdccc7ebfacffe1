"""Volunteering over JSON: activities, sign-up, check-in, approval, certificates, pairings."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page

from . import selectors, services

router = Router(tags=["volunteering"])


def _require(request, permission: str) -> None:
    if not request.auth.access.has(permission):
        raise PermissionDenied


class ActivityOut(Schema):
    id: int
    title: str
    category: str
    area_code: str
    place: str
    starts_at: datetime
    ends_at: datetime
    volunteer_capacity: int
    served: int

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class SignUpOut(Schema):
    id: int
    activity_id: int
    volunteer_number: str
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal | None
    approved_at: datetime | None
    points: int

    @staticmethod
    def resolve_volunteer_number(obj) -> str:
        return obj.volunteer.number


class CheckInIn(Schema):
    token: str = Field(..., max_length=200, description="the token of the activity's QR")
    lat: float | None = None
    lng: float | None = None


class ApproveIn(Schema):
    hours: Decimal | None = Field(None, description="empty: the hours computed from check-in and out")


class HoursOut(Schema):
    volunteer_number: str
    approved_hours: Decimal
    pending: int
    activities: int
    points: int


class CertificateOut(Schema):
    number: str
    name: str
    volunteer_number: str
    hours: Decimal
    content: str
    organisation: str
    issued_on: date

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.volunteer.name

    @staticmethod
    def resolve_volunteer_number(obj) -> str:
        return obj.volunteer.number


class PairingOut(Schema):
    id: int
    pair_type: str
    volunteer_number: str
    person_name: str
    area_code: str
    last_visit: date | None
    overdue: bool


def _pairing_out(p) -> dict:
    from django.utils import timezone

    return {
        "id": p.pk,
        "pair_type": p.pair_type.code,
        "volunteer_number": p.volunteer.number,
        "person_name": p.person.name,
        "area_code": p.person.area_id,
        "last_visit": p.last_visit,
        "overdue": selectors.is_overdue(p, timezone.localdate()),
    }


@router.get("/activities", response=list[ActivityOut], summary="Activities open for sign-up")
@paginate(Page)
def activity_open_list(request):
    _require(request, "volunteering.join")
    return selectors.open_activities()


@router.post(
    "/activities/{activity_id}/signups",
    response={201: SignUpOut},
    summary="Sign up (or join the waiting list)",
)
def signup_create(request, activity_id: int):
    _require(request, "volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    signup = services.signup_create(activity=activity, user=request.auth, ip=client_ip(request))
    return Status(201, signup)


@router.post("/activities/{activity_id}/cancel", response=SignUpOut, summary="Cancel my sign-up")
def signup_cancel(request, activity_id: int):
    from django.http import Http404

    _require(request, "volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    signup = selectors.my_signup_for(user=request.auth, activity=activity)
    if signup is None:
        raise Http404
    services.signup_cancel(signup=signup, user=request.auth, ip=client_ip(request))
    signup.refresh_from_db()
    return signup


@router.post("/checkin", response=SignUpOut, summary="Check in, or out, with the token of the activity's QR")
def check_in(request, payload: CheckInIn):
    _require(request, "volunteering.join")
    activity = services.activity_from_token(payload.token)
    return services.check_in_or_out(
        activity=activity, user=request.auth, lat=payload.lat, lng=payload.lng, ip=client_ip(request)
    )


@router.get("/me/hours", response=HoursOut, summary="My approved hours and points")
def my_hours(request):
    from django.http import Http404

    volunteer = selectors.volunteer_of(request.auth)
    if volunteer is None:
        raise Http404
    s = selectors.hours_summary(volunteer)
    return {
        "volunteer_number": volunteer.number,
        "approved_hours": s.approved_hours,
        "pending": s.pending,
        "activities": s.activities,
        "points": s.points,
    }


@router.get("/manage/activities", response=list[ActivityOut], summary="Activities in my scope")
@paginate(Page)
def activity_list(request):
    _require(request, "volunteering.manage")
    return selectors.activity_list(viewer=request.auth)


@router.get(
    "/manage/activities/{activity_id}/signups", response=list[SignUpOut], summary="Sign-ups of an activity"
)
def activity_signups(request, activity_id: int):
    _require(request, "volunteering.manage")
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    return list(selectors.activity_signups(activity))


@router.post(
    "/manage/signups/{signup_id}/approve", response=SignUpOut, summary="Approve hours (pays points once)"
)
def approve(request, signup_id: int, payload: ApproveIn):
    _require(request, "volunteering.manage")
    signup = selectors.signup_get(viewer=request.auth, pk=signup_id)
    return services.attendance_approve(
        signup=signup, actor=request.auth, hours=payload.hours, ip=client_ip(request)
    )


@router.get("/certificates/verify", response=CertificateOut, auth=None, summary="Verify a certificate number")
def certificate_verify(request, number: str):
    return services.certificate_verify(number[:60])


@router.get("/pairings", response=list[PairingOut], summary="Active pairings in my scope")
@paginate(Page)
def pairing_list(request, overdue: bool = False):
    _require(request, "volunteering.pair")
    if overdue:
        return [_pairing_out(p) for p in selectors.overdue_pairings(viewer=request.auth)]
    return [_pairing_out(p) for p in selectors.pairing_list(viewer=request.auth)]
