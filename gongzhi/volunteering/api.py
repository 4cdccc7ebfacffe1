"""Volunteering over JSON: activities, sign-up, check-in, approval, certificates, pairings."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page

from . import selectors, services

router = Router(tags=["volunteering"])


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
    target_groups: list[str]

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return obj.target_group_codes


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


class RegisterIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=30, description="kept encrypted; shown masked")
    mobile: str = Field("", max_length=20, description="contact; empty: the sign-in mobile")
    area_code: str = Field(..., max_length=12, description="the community or village")
    skills: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)


class VolunteerOut(Schema):
    id: int
    number: str
    name: str
    area_code: str
    id_number_masked: str
    mobile_masked: str
    skills: str
    availability: str

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class CodeOut(Schema):
    code: str
    valid_seconds: int


class ScanCodeIn(Schema):
    code: str = Field(..., max_length=300, description="what the volunteer's personal QR carries")


class RecordIn(Schema):
    kind: str = Field(..., max_length=12, description="training | award | evaluation")
    title: str = Field(..., max_length=100)
    date: date
    issuer: str = Field(..., max_length=100)
    hours: Decimal | None = None
    rating: str = Field("", max_length=10, description="evaluations: excellent | good | pass | fail")
    notes: str = Field("", max_length=300)


class RecordOut(Schema):
    id: int
    kind: str
    title: str
    date: date
    issuer: str
    hours: Decimal | None
    rating: str
    notes: str


class VisitIn(Schema):
    day: date
    kind: str = Field(..., max_length=10, description="home | call | activity")
    notes: str = Field("", max_length=2000)
    concerns: str = Field("", max_length=2000)
    open_ticket: bool = Field(False, description="turn the concern into a case of the community")
    concern_category: str = Field("other", max_length=20)


class VisitOut(Schema):
    id: int
    date: date
    kind: str
    notes: str
    concerns: str
    photos: int
    ticket_number: str | None

    @staticmethod
    def resolve_photos(obj) -> int:
        return obj.photos.count()

    @staticmethod
    def resolve_ticket_number(obj) -> str | None:
        return obj.ticket.number if obj.ticket_id else None


class FigureOut(Schema):
    area_code: str
    area_name: str
    category: str
    month: str
    activities: int
    served: int
    volunteer_times: int
    hours: Decimal


@router.post("/volunteers", response={201: VolunteerOut}, summary="Register myself as a volunteer")
def volunteer_self_register(request, payload: RegisterIn):
    area = selectors.registration_areas(request.auth).filter(code=payload.area_code).first()
    if area is None:
        raise ValidationError(
            {"area_code": [_("Choose a community or village of your county.")]}, code="volunteer.area"
        )
    volunteer = services.volunteer_register(
        user=request.auth,
        area=area,
        name=payload.name,
        id_number=payload.id_number,
        mobile=payload.mobile,
        skills=payload.skills,
        availability=payload.availability,
        grant_role=True,
        self_service=True,
        ip=client_ip(request),
    )
    return Status(201, volunteer)


@router.get("/me/code", response=CodeOut, summary="My personal volunteer code (short-lived)")
def my_code(request):
    from . import conf

    request.auth.access.require("volunteering.join")
    volunteer = selectors.volunteer_of(request.auth)
    if volunteer is None:
        raise Http404
    return {
        "code": services.volunteer_code(volunteer),
        "valid_seconds": conf.volunteer_code_max_age_seconds(),
    }


@router.get("/me/records", response=list[RecordOut], summary="My training, awards and evaluations")
def my_records(request):
    request.auth.access.require("volunteering.join")
    return list(selectors.my_records(user=request.auth))


@router.get("/activities", response=list[ActivityOut], summary="Activities open for sign-up")
@paginate(Page)
def activity_open_list(request, scope: str = "city", category: str = "", target: str = ""):
    """``scope``: community, town or city, counted from my own area; ``target``: a target group."""
    request.auth.access.require("volunteering.join", "volunteering.attend")
    if scope not in selectors.BOARD_SCOPES:
        raise ValidationError({"scope": [_("Choose community, town or city.")]}, code="board.scope")
    return selectors.open_activities(
        area_code=selectors.viewer_area_code(request.auth),
        scope=scope,
        category=category[:20],
        target=target[:20],
    )


@router.post(
    "/activities/{activity_id}/signups",
    response={201: SignUpOut},
    summary="Sign up (or join the waiting list)",
)
def signup_create(request, activity_id: int):
    request.auth.access.require("volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    signup = services.signup_create(activity=activity, user=request.auth, ip=client_ip(request))
    return Status(201, signup)


class ParticipationOut(Schema):
    id: int
    activity_id: int
    created_at: datetime
    cancelled_at: datetime | None


@router.post(
    "/activities/{activity_id}/participations",
    response={201: ParticipationOut},
    summary="Register to take part (a participant's place)",
)
def participation_join(request, activity_id: int):
    request.auth.access.require("volunteering.attend")
    activity = selectors.activity_public_get(activity_id)
    return Status(
        201, services.participation_join(activity=activity, user=request.auth, ip=client_ip(request))
    )


@router.post(
    "/activities/{activity_id}/participations/cancel",
    response=ParticipationOut,
    summary="Withdraw my registration to take part",
)
def participation_cancel(request, activity_id: int):
    request.auth.access.require("volunteering.attend")
    activity = selectors.activity_public_get(activity_id)
    return services.participation_cancel(activity=activity, user=request.auth, ip=client_ip(request))


@router.post("/activities/{activity_id}/cancel", response=SignUpOut, summary="Cancel my sign-up")
def signup_cancel(request, activity_id: int):
    request.auth.access.require("volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    signup = selectors.my_signup_for(user=request.auth, activity=activity)
    if signup is None:
        raise Http404
    services.signup_cancel(signup=signup, user=request.auth, ip=client_ip(request))
    signup.refresh_from_db()
    return signup


@router.post("/checkin", response=SignUpOut, summary="Check in, or out, with the token of the activity's QR")
def check_in(request, payload: CheckInIn):
    request.auth.access.require("volunteering.join")
    activity = services.activity_from_token(payload.token)
    return services.check_in_or_out(
        activity=activity, user=request.auth, lat=payload.lat, lng=payload.lng, ip=client_ip(request)
    )


@router.get("/me/hours", response=HoursOut, summary="My approved hours and points")
def my_hours(request):
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
    request.auth.access.require("volunteering.manage")
    return selectors.activity_list(viewer=request.auth)


@router.get(
    "/manage/activities/{activity_id}/signups", response=list[SignUpOut], summary="Sign-ups of an activity"
)
def activity_signups(request, activity_id: int):
    request.auth.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    return list(selectors.activity_signups(activity))


@router.post(
    "/manage/signups/{signup_id}/approve", response=SignUpOut, summary="Approve hours (pays points once)"
)
def approve(request, signup_id: int, payload: ApproveIn):
    request.auth.access.require("volunteering.manage")
    signup = selectors.signup_get(viewer=request.auth, pk=signup_id)
    return services.attendance_approve(
        signup=signup, actor=request.auth, hours=payload.hours, ip=client_ip(request)
    )


@router.post(
    "/manage/activities/{activity_id}/scan",
    response=SignUpOut,
    summary="Check a volunteer in, or out, by scanning their personal code",
)
def scan_volunteer_code(request, activity_id: int, payload: ScanCodeIn):
    request.auth.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    return services.check_in_or_out_by_code(
        activity=activity, code=payload.code, actor=request.auth, ip=client_ip(request)
    )


@router.get("/volunteers/{volunteer_id}/records", response=list[RecordOut], summary="A volunteer's records")
def volunteer_records(request, volunteer_id: int):
    request.auth.access.require("volunteering.manage")
    volunteer = selectors.volunteer_get(viewer=request.auth, pk=volunteer_id)
    return list(selectors.volunteer_records(viewer=request.auth, volunteer=volunteer))


@router.post(
    "/volunteers/{volunteer_id}/records",
    response={201: RecordOut},
    summary="Add training, an award or an evaluation",
)
def volunteer_record_add(request, volunteer_id: int, payload: RecordIn):
    request.auth.access.require("volunteering.manage")
    volunteer = selectors.volunteer_get(viewer=request.auth, pk=volunteer_id)
    record = services.volunteer_record_add(
        volunteer=volunteer,
        kind=payload.kind,
        title=payload.title,
        day=payload.date,
        issuer=payload.issuer,
        hours=payload.hours,
        rating=payload.rating,
        notes=payload.notes,
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, record)


@router.post(
    "/pairings/{pairing_id}/visits",
    response={201: VisitOut},
    summary="Log a visit (multipart: photos; open_ticket turns the concern into a case)",
)
def visit_record(request, pairing_id: int, payload: Form[VisitIn], photos: File[list[UploadedFile]] = None):
    pairing = selectors.pairing_get(viewer=request.auth, pk=pairing_id)
    visit = services.visit_record(
        pairing=pairing,
        day=payload.day,
        kind=payload.kind,
        notes=payload.notes,
        concerns=payload.concerns,
        photos=photos or [],
        open_ticket=payload.open_ticket,
        concern_category=payload.concern_category,
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, visit)


@router.get(
    "/figures", response=list[FigureOut], summary="Hours and person-times by area, category and month"
)
def figures(request, year: int, level: str = "town"):
    request.auth.access.require("volunteering.figures")
    if level not in ("town", "village") or not 2000 <= year <= 2100:
        raise ValidationError(
            {"level": [_("Group by town or village, for a year from 2000 to 2100.")]}, code="figures.invalid"
        )
    return [
        {
            "area_code": r.area.code,
            "area_name": r.area.name,
            "category": r.category,
            "month": r.month,
            "activities": r.activities,
            "served": r.served,
            "volunteer_times": r.volunteer_times,
            "hours": r.hours,
        }
        for r in selectors.figures(viewer=request.auth, level=level, year=year)
    ]


@router.get("/certificates/verify", response=CertificateOut, auth=None, summary="Verify a certificate number")
def certificate_verify(request, number: str):
    return services.certificate_verify(number[:60])


@router.get("/pairings", response=list[PairingOut], summary="Active pairings in my scope")
@paginate(Page)
def pairing_list(request, overdue: bool = False):
    request.auth.access.require("volunteering.pair")
    if overdue:
        return [_pairing_out(p) for p in selectors.overdue_pairings(viewer=request.auth)]
    return [_pairing_out(p) for p in selectors.pairing_list(viewer=request.auth)]
