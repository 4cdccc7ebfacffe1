"""Every write of the volunteering app: registration, activities, attendance, certificates, pairs.

Sub-topics live beside this module: ``reminders`` (before an activity starts), ``care`` (visit
photos and concerns that open a ticket), ``records`` (training, awards, evaluations).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant
from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import idcode_error
from gongzhi.core.rewards import RewardRequest, reward
from gongzhi.core.vault import protect
from gongzhi.lib import geo, idcodes
from gongzhi.people.services import has_active_consent

from .. import conf
from ..models import (
    Activity,
    Certificate,
    Pairing,
    PairType,
    SignUp,
    SignUpStatus,
    Team,
    Visit,
    VisitKind,
    Volunteer,
)

QR_SALT = "volunteering.checkin"
VOLUNTEER_CODE_SALT = "volunteering.volunteer"
VOLUNTEER_CODE_PREFIX = "GZV:"  # what a volunteer's personal QR carries, before the signed token
ID_CONTEXT = "volunteer.id_number"
MOBILE_CONTEXT = "volunteer.mobile"
ADULT_AGE = 18
CERT_KEY_CONTEXT = b"gongzhi.volunteering.certificate"
REWARD_RULE = "volunteer.hour"
REWARD_SOURCE = "volunteering.attendance"


def _require(actor, permission: str, area_code: str) -> None:
    if actor is not None and not actor.access.can(permission, area_code):
        raise ValidationError(_("You may not do this in this area."), code="volunteering.forbidden")


# ---------------------------------------------------------------- volunteers and teams


@transaction.atomic
def team_create(*, name: str, area: Area, organisation=None, actor, ip: str | None = None) -> Team:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the team's name.")]}, code="team.name")
    _require(actor, "volunteering.manage", area.code)
    if Team.objects.filter(area=area, name=name).exists():
        raise ValidationError(
            {"name": [_("This area already has a team of that name.")]}, code="team.duplicate"
        )
    team = Team.objects.create(name=name, area=area, organisation=organisation)
    audit_record(actor=actor, action="volunteering.team.create", obj=team, ip=ip)
    return team


def _next_number(year: int) -> str:
    prefix = f"JY{year}"
    last = (
        Volunteer.objects.select_for_update()
        .filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _check_identity(
    errors: dict[str, list], *, id_number: str, mobile: str, self_registered: bool
) -> tuple[object | None, object | None]:
    """Validate and protect the ID and mobile numbers; errors collect beside their fields."""
    id_p = mobile_p = None
    if id_number:
        try:
            card = idcodes.parse_id_card(id_number)
        except idcodes.IdCodeError as exc:
            errors.setdefault("id_number", []).append(idcode_error(exc))
        else:
            today = timezone.localdate()
            born = card.birth_date
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            if self_registered and age < ADULT_AGE:
                # 志愿服务条例 art. 15: minors volunteer with their guardian's consent, so the
                # community registers them in person rather than the phone form.
                errors.setdefault("id_number", []).append(
                    _("Volunteers under %(age)d are registered by their community with a guardian's consent.")
                    % {"age": ADULT_AGE}
                )
            id_p = protect(card.number, context=ID_CONTEXT, mask=idcodes.mask_id_card)
            if Volunteer.objects.filter(id_number_index=id_p.index).exists():
                errors.setdefault("id_number", []).append(
                    _("A volunteer with this ID number is already registered.")
                )
    elif self_registered:
        errors.setdefault("id_number", []).append(_("Enter your ID card number."))
    if mobile:
        try:
            number = idcodes.normalize_mobile(mobile)
        except idcodes.IdCodeError as exc:
            errors.setdefault("mobile", []).append(idcode_error(exc))
        else:
            mobile_p = protect(number, context=MOBILE_CONTEXT, mask=idcodes.mask_mobile)
    return id_p, mobile_p


@transaction.atomic
def volunteer_register(
    *,
    user,
    area: Area,
    person=None,
    team: Team | None = None,
    name: str = "",
    id_number: str = "",
    mobile: str = "",
    skills: str = "",
    availability: str = "",
    pair_capacity: int = 2,
    lat: float | None = None,
    lng: float | None = None,
    grant_role: bool = False,
    self_service: bool = False,
    actor=None,
    ip: str | None = None,
) -> Volunteer:
    """Register a user as a volunteer and give them a volunteer number (JY + year + sequence).

    Staff register anyone of their area; a resident registers themself from the phone
    (``self_service``), and then an adult's ID card number is required. The ID and mobile numbers are
    stored encrypted, blind-indexed and masked as gongzhi/people keeps them. With ``grant_role`` the
    user also receives the volunteer role in the area (own records only), so the phone pages open.
    """
    self_registered = actor is None or actor.pk == user.pk
    if not self_registered:
        _require(actor, "volunteering.manage", area.code)
    if Volunteer.objects.filter(user=user).exists():
        raise ValidationError(_("This user is already a registered volunteer."), code="volunteer.duplicate")
    errors: dict[str, list] = {}
    if area.level not in (Level.VILLAGE, Level.GRID):
        errors["area"] = [_("Choose a community or village.")]
    if team is not None and not team.area_id.startswith(area.code[:6]):
        errors["team"] = [_("Choose a team of the volunteer's county.")]
    if not 0 <= pair_capacity <= 10:
        errors["pair_capacity"] = [_("Between 0 and 10 pairs.")]
    name = (name or "").strip()[:50] or (person.name if person is not None else user.name)
    if not name:
        errors["name"] = [pgettext("person", "Enter a name.")]
    id_p, mobile_p = _check_identity(
        errors,
        id_number=(id_number or "").strip(),
        mobile=(mobile or "").strip(),
        self_registered=self_service,
    )
    if errors:
        raise ValidationError(errors, code="volunteer.invalid")
    if person is not None and (lat is None or lng is None):
        lat, lng = person.lat, person.lng
    volunteer = Volunteer(
        user=user,
        person=person,
        number=_next_number(timezone.localdate().year),
        name=name,
        area=area,
        team=team,
        skills=skills.strip()[:200],
        availability=availability.strip()[:200],
        mobile_masked=getattr(user, "mobile_masked", "") or (person.mobile_masked if person else ""),
        pair_capacity=pair_capacity,
        lat=lat,
        lng=lng,
    )
    if mobile_p is not None:
        volunteer.mobile_enc, volunteer.mobile_masked = mobile_p.enc, mobile_p.masked
    if id_p is not None:
        volunteer.id_number_enc, volunteer.id_number_index, volunteer.id_number_masked = (
            id_p.enc,
            id_p.index,
            id_p.masked,
        )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # a concurrent registration of the same ID number won the race
        raise ValidationError(
            {"id_number": [_("A volunteer with this ID number is already registered.")]},
            code="volunteer.invalid",
        ) from None
    if grant_role and not user.memberships.filter(role=Role.VOLUNTEER, area=area).exists():
        membership_grant(user=user, role=Role.VOLUNTEER, area=area, ip=ip)
    audit_record(
        actor=actor or user,
        action="volunteering.volunteer.register",
        obj=volunteer,
        ip=ip,
        changes={
            "self": self_service,
            "id_number_masked": volunteer.id_number_masked,
            "mobile_masked": volunteer.mobile_masked,
        },
    )
    return volunteer


# ---------------------------------------------------------------- activities


@dataclass(frozen=True)
class ActivityInput:
    title: str
    category: str
    starts_at: datetime
    ends_at: datetime
    volunteer_capacity: int
    participant_capacity: int = 0
    place: str = ""
    station: object | None = None
    team: Team | None = None
    lat: float | None = None
    lng: float | None = None
    check_distance_m: int | None = None
    description: str = ""
    target_groups: tuple[str, ...] = ()


@transaction.atomic
def activity_create(*, data: ActivityInput, area: Area, actor, ip: str | None = None) -> Activity:
    from ..models import Category, TargetGroup

    _require(actor, "volunteering.manage", area.code)
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Enter a title.")]
    if data.category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The activity must end after it starts.")]
    if data.volunteer_capacity < 1:
        errors["volunteer_capacity"] = [_("At least one volunteer.")]
    groups = list(dict.fromkeys(data.target_groups))
    if any(g not in TargetGroup.values for g in groups):
        errors["target_groups"] = [_("Choose the target groups from the list.")]
    lat, lng = data.lat, data.lng
    if data.station is not None and lat is None:
        lat, lng = data.station.lat, data.station.lng
    if data.check_distance_m is not None and (lat is None or lng is None):
        errors["check_distance_m"] = [_("A distance check needs the place's coordinates or a station.")]
    if lat is not None and lng is not None:
        try:
            geo.validate_lat_lng(lat, lng)
        except ValueError:
            errors["lat"] = [_("Coordinates out of range.")]
    if errors:
        raise ValidationError(errors, code="activity.invalid")
    activity = Activity.objects.create(
        title=data.title.strip(),
        category=data.category,
        area=area,
        team=data.team,
        station=data.station,
        place=data.place.strip() or (data.station.name if data.station is not None else ""),
        lat=lat,
        lng=lng,
        check_distance_m=data.check_distance_m,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        volunteer_capacity=data.volunteer_capacity,
        participant_capacity=data.participant_capacity,
        target_groups=f",{','.join(groups)}," if groups else "",
        description=data.description.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action="volunteering.activity.create", obj=activity, ip=ip)
    return activity


@transaction.atomic
def activity_record_served(*, activity: Activity, served: int, actor, ip: str | None = None) -> Activity:
    """Record the person-times served (服务人次) by an activity."""
    _require(actor, "volunteering.manage", activity.area_id)
    if served < 0 or (activity.participant_capacity and served > activity.participant_capacity * 10):
        raise ValidationError(
            {"served": [_("Enter a plausible number of person-times.")]}, code="activity.served"
        )
    before = activity.served
    activity.served = served
    activity.save(update_fields=["served"])
    audit_record(
        actor=actor,
        action="volunteering.activity.served",
        obj=activity,
        ip=ip,
        changes={"served": [before, served]},
    )
    return activity


def _volunteer_of(user) -> Volunteer:
    try:
        return user.volunteer
    except Volunteer.DoesNotExist:
        raise ValidationError(_("Register as a volunteer first."), code="volunteer.missing") from None


@transaction.atomic
def signup_create(*, activity: Activity, user, now: datetime | None = None, ip: str | None = None) -> SignUp:
    """Sign up for an activity: a place while places last, then the waiting list."""
    volunteer = _volunteer_of(user)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = now or timezone.now()
    if now >= activity.ends_at:
        raise ValidationError(_("This activity has ended."), code="signup.ended")
    live = activity.signups.exclude(status=SignUpStatus.CANCELLED)
    if live.filter(volunteer=volunteer).exists():
        raise ValidationError(_("You have already signed up for this activity."), code="signup.duplicate")
    confirmed = live.filter(status=SignUpStatus.CONFIRMED).count()
    status = SignUpStatus.CONFIRMED if confirmed < activity.volunteer_capacity else SignUpStatus.WAITING
    signup = SignUp.objects.create(activity=activity, volunteer=volunteer, status=status)
    audit_record(
        actor=user,
        action="volunteering.signup.create",
        obj=signup,
        area_code=activity.area_id,
        ip=ip,
        changes={"status": status},
    )
    return signup


@transaction.atomic
def signup_cancel(*, signup: SignUp, user, ip: str | None = None) -> SignUp | None:
    """Cancel a sign-up; a freed place goes to the first on the waiting list. Returns who moved up."""
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.volunteer.user_id != user.pk and not user.access.can("volunteering.manage", activity.area_id):
        raise ValidationError(_("You may not cancel this sign-up."), code="signup.forbidden")
    if signup.status == SignUpStatus.CANCELLED:
        raise ValidationError(_("This sign-up is already cancelled."), code="signup.cancelled")
    if signup.checked_in_at is not None:
        raise ValidationError(
            _("You have already checked in; the sign-up can no longer be cancelled."), code="signup.attended"
        )
    was_confirmed = signup.status == SignUpStatus.CONFIRMED
    signup.status = SignUpStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_record(
        actor=user, action="volunteering.signup.cancel", obj=signup, area_code=activity.area_id, ip=ip
    )
    if not was_confirmed:
        return None
    promoted = activity.signups.filter(status=SignUpStatus.WAITING).order_by("created_at", "pk").first()
    if promoted is not None:
        promoted.status = SignUpStatus.CONFIRMED
        promoted.save(update_fields=["status"])
        audit_record(
            actor=user, action="volunteering.signup.promote", obj=promoted, area_code=activity.area_id, ip=ip
        )
    return promoted


def checkin_token(activity: Activity) -> str:
    """A signed token carrying the activity id; valid for a short while (conf.qr_max_age_seconds)."""
    return signing.TimestampSigner(salt=QR_SALT).sign(str(activity.pk))


def activity_from_token(token: str) -> Activity:
    try:
        pk = signing.TimestampSigner(salt=QR_SALT).unsign(token, max_age=conf.qr_max_age_seconds())
    except signing.SignatureExpired:
        raise ValidationError(
            _("This check-in code has expired: scan the code on the organiser's screen again."),
            code="checkin.expired",
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("This is not a valid check-in code."), code="checkin.bad_token") from None
    try:
        return Activity.objects.get(pk=int(pk))
    except (Activity.DoesNotExist, ValueError):
        raise ValidationError(_("This is not a valid check-in code."), code="checkin.bad_token") from None


def _check_window(activity: Activity, now: datetime, *, until_end: bool) -> None:
    margin = timedelta(minutes=conf.check_in_margin_minutes())
    opens, closes = activity.starts_at - margin, activity.ends_at + margin
    if not opens <= now <= closes:
        raise ValidationError(
            _("Check-in and check-out are open from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
            },
            code="checkin.window",
        )


def _check_distance(activity: Activity, lat: float | None, lng: float | None) -> None:
    if activity.check_distance_m is None or activity.lat is None or activity.lng is None:
        return
    if lat is None or lng is None:
        raise ValidationError(
            _("This activity checks where you are: allow your phone to share its location."),
            code="checkin.no_location",
        )
    try:
        geo.validate_lat_lng(lat, lng)
    except ValueError:
        raise ValidationError(_("Your location could not be read."), code="checkin.no_location") from None
    distance = geo.haversine_m(lat, lng, activity.lat, activity.lng)
    if distance > activity.check_distance_m:
        raise ValidationError(
            _("You are %(distance)d m from the activity; check in within %(limit)d m.")
            % {"distance": round(distance), "limit": activity.check_distance_m},
            code="checkin.too_far",
        )


def _live_signup(activity: Activity, volunteer: Volunteer) -> SignUp:
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )
    if signup is None:
        raise ValidationError(_("You have not signed up for this activity."), code="checkin.no_signup")
    if signup.status == SignUpStatus.WAITING:
        raise ValidationError(
            _("You are still on the waiting list of this activity."), code="checkin.waiting"
        )
    return signup


def hours_between(activity: Activity, checked_in: datetime, checked_out: datetime) -> Decimal:
    """Hours served, capped at the activity's length, rounded down to a tenth."""
    served = min(checked_out - checked_in, activity.length)
    return Decimal(max(served.total_seconds(), 0) / 3600).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _attend(
    *, activity: Activity, volunteer: Volunteer, actor, now: datetime, ip: str | None, locate
) -> SignUp:
    """Check in the first time, out the second: the same rules whoever scans which code."""
    signup = _live_signup(activity, volunteer)
    if signup.checked_out_at is not None:
        raise ValidationError(_("You have already checked in and out of this activity."), code="checkin.done")
    _check_window(activity, now, until_end=signup.checked_in_at is not None)
    locate()
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
        action = "volunteering.checkin"
    else:
        if now <= signup.checked_in_at:
            raise ValidationError(_("Check out after you have checked in."), code="checkin.order")
        signup.checked_out_at = now
        signup.hours = hours_between(activity, signup.checked_in_at, now)
        signup.save(update_fields=["checked_out_at", "hours"])
        action = "volunteering.checkout"
    by_organiser = actor.pk != volunteer.user_id
    audit_record(
        actor=actor,
        action=action,
        obj=signup,
        area_code=activity.area_id,
        ip=ip,
        changes={"scanned": "volunteer_code"} if by_organiser else None,
    )
    return signup


@transaction.atomic
def check_in_or_out(
    *,
    activity: Activity,
    user,
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
    ip: str | None = None,
) -> SignUp:
    """The one action of scanning the activity's code: check in the first time, out the second."""
    volunteer = _volunteer_of(user)
    return _attend(
        activity=activity,
        volunteer=volunteer,
        actor=user,
        now=now or timezone.now(),
        ip=ip,
        locate=lambda: _check_distance(activity, lat, lng),
    )


def volunteer_code(volunteer: Volunteer) -> str:
    """The signed, short-lived personal code a volunteer's phone shows as a QR."""
    return VOLUNTEER_CODE_PREFIX + signing.TimestampSigner(salt=VOLUNTEER_CODE_SALT).sign(str(volunteer.pk))


def _code_error(message: str, code: str) -> ValidationError:
    return ValidationError({"code": [ValidationError(message, code=code)]})


def volunteer_from_code(code: str) -> Volunteer:
    token = (code or "").strip()
    if "/" in token:  # a scanner app may hand over a URL ending in the code
        token = token.rstrip("/").rsplit("/", 1)[-1]
    token = token.removeprefix(VOLUNTEER_CODE_PREFIX)
    invalid = _("This is not a valid volunteer code.")
    try:
        pk = signing.TimestampSigner(salt=VOLUNTEER_CODE_SALT).unsign(
            token, max_age=conf.volunteer_code_max_age_seconds()
        )
    except signing.SignatureExpired:
        raise _code_error(
            _("This volunteer code has expired: ask the volunteer to open their code again."),
            "checkin.expired",
        ) from None
    except signing.BadSignature:
        raise _code_error(invalid, "checkin.bad_token") from None
    volunteer = Volunteer.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if volunteer is None:
        raise _code_error(invalid, "checkin.bad_token")
    return volunteer


@transaction.atomic
def check_in_or_out_by_code(
    *, activity: Activity, code: str, actor, now: datetime | None = None, ip: str | None = None
) -> SignUp:
    """The organiser scans the volunteer's personal code at the place: the same window, the same
    one check-in and one check-out; no distance check, since the organiser stands at the place."""
    _require(actor, "volunteering.manage", activity.area_id)
    volunteer = volunteer_from_code(code)
    return _attend(
        activity=activity,
        volunteer=volunteer,
        actor=actor,
        now=now or timezone.now(),
        ip=ip,
        locate=lambda: None,
    )


def points_quantity(*, hours_before: Decimal, hours: Decimal) -> int:
    """Whole hours to pay for an approval, given the volunteer's approved hours before it.

    The points rule pays a whole number of points per hour (the ledger holds integers), so part
    hours are carried: a volunteer's approved hours accumulate, and every hour completed across
    activities is paid once. 0.5 h + 1.0 h + 0.5 h pays 0, 1 and 1 hours.
    """
    return int(hours_before + hours) - int(hours_before)


@transaction.atomic
def attendance_approve(
    *, signup: SignUp, actor, hours: Decimal | None = None, ip: str | None = None
) -> SignUp:
    """The organiser certifies the hours; they are recorded and paid as points exactly once."""
    signup = SignUp.objects.select_for_update().select_related("activity", "volunteer").get(pk=signup.pk)
    activity = signup.activity
    _require(actor, "volunteering.manage", activity.area_id)
    if signup.approved_at is not None:
        raise ValidationError(_("These hours are already approved."), code="attendance.approved")
    if signup.checked_out_at is None:
        raise ValidationError(_("The volunteer has not checked in and out yet."), code="attendance.open")
    if hours is not None:
        hours = Decimal(hours).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
        if hours <= 0:
            raise ValidationError({"hours": [_("Enter the hours served.")]}, code="attendance.hours")
        if hours > activity.length_hours:
            raise ValidationError(
                {
                    "hours": [
                        _("At most %(hours)s hours: the activity's length.")
                        % {"hours": activity.length_hours}
                    ]
                },
                code="attendance.too_long",
            )
    else:
        hours = signup.hours
    # The volunteer's row serialises their approvals, so the carried part hour is counted once.
    Volunteer.objects.select_for_update().filter(pk=signup.volunteer_id).first()
    hours_before = SignUp.objects.filter(
        volunteer_id=signup.volunteer_id, approved_at__isnull=False
    ).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    before = signup.hours
    signup.hours = hours
    signup.approved_by = actor
    signup.approved_at = timezone.now()
    whole = points_quantity(hours_before=hours_before, hours=hours)
    # Audit first, then ask for the reward: the one lock order (audit chain, then ledger rows).
    audit_record(
        actor=actor,
        action="volunteering.attendance.approve",
        obj=signup,
        area_code=activity.area_id,
        ip=ip,
        changes={"hours": [str(before), str(hours)], "paid_hours": whole},
    )
    result = None
    if whole >= 1:
        result = reward(
            RewardRequest(
                rule=REWARD_RULE,
                beneficiary_user_id=signup.volunteer.user_id,
                source_type=REWARD_SOURCE,
                source_id=str(signup.pk),
                area_code=activity.area_id,
                quantity=whole,
                actor_id=actor.pk,
                note=activity.title,
            )
        )
        signup.points = result.points
    signup.save(update_fields=["hours", "approved_by", "approved_at", "points"])
    return signup


# ---------------------------------------------------------------- certificates


def _cert_mac(body: str) -> str:
    key = hashlib.sha256(CERT_KEY_CONTEXT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:10].upper()


def certificate_number(body: str) -> str:
    return f"{body}-{_cert_mac(body)}"


def certificate_verify(number: str) -> Certificate:
    """The certificate behind a number, or a refusal when the number is forged or altered."""
    number = (number or "").strip().upper()
    body, _sep, mac = number.rpartition("-")
    if not body or not hmac.compare_digest(mac, _cert_mac(body)):
        raise ValidationError(_("This certificate number is not genuine."), code="certificate.forged")
    cert = Certificate.objects.select_related("volunteer").filter(number=number).first()
    if cert is None:
        raise ValidationError(_("No certificate was issued with this number."), code="certificate.unknown")
    return cert


@transaction.atomic
def certificate_issue(
    *,
    volunteer: Volunteer,
    organisation: str,
    responsible: str,
    handler: str,
    contact: str,
    actor,
    ip: str | None = None,
) -> Certificate:
    """Issue a certificate of the volunteer's approved hours to date."""
    _require(actor, "volunteering.manage", volunteer.area_id)
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("organisation", organisation),
        ("responsible", responsible),
        ("handler", handler),
        ("contact", contact),
    ):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    approved = SignUp.objects.filter(volunteer=volunteer, approved_at__isnull=False).select_related(
        "activity"
    )
    total = approved.aggregate(s=Sum("hours"))["s"] or Decimal("0")
    if total <= 0:
        errors.setdefault("__all__", []).append(_("The volunteer has no approved hours yet."))
    if errors:
        raise ValidationError(errors, code="certificate.invalid")
    content = "、".join(sorted({s.activity.get_category_display() for s in approved}))
    today = timezone.localdate()
    prefix = f"ZY{today.year}"
    seq = Certificate.objects.select_for_update().filter(number__startswith=prefix).count() + 1
    cert = Certificate.objects.create(
        number=certificate_number(f"{prefix}{seq:06d}"),
        volunteer=volunteer,
        hours=total,
        content=content,
        organisation=organisation.strip(),
        responsible=responsible.strip(),
        handler=handler.strip(),
        contact=contact.strip(),
        issued_on=today,
        issued_by=actor,
    )
    audit_record(
        actor=actor, action="volunteering.certificate.issue", obj=cert, area_code=volunteer.area_id, ip=ip
    )
    return cert


# ---------------------------------------------------------------- pairings


@transaction.atomic
def pairing_create(
    *, pair_type: PairType, volunteer: Volunteer, person, actor, ip: str | None = None
) -> Pairing:
    """Pair a volunteer with a person, within the volunteer's capacity and, for a child, with consent."""
    _require(actor, "volunteering.pair", person.area_id)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.area_id[:6] != person.area_id[:6]:  # the suggestions' pool: the person's county
        raise ValidationError(
            {
                "volunteer": [
                    ValidationError(
                        _("A volunteer cares only for people of their own county."), code="pairing.county"
                    )
                ]
            }
        )
    live = Pairing.objects.filter(volunteer=volunteer, ended_on__isnull=True).count()
    if live >= volunteer.pair_capacity:
        raise ValidationError(
            {
                "volunteer": [
                    _("%(name)s already cares for %(n)d people, the most they can take.")
                    % {"name": volunteer.name, "n": live}
                ]
            },
            code="pairing.capacity",
        )
    if pair_type.needs_consent and not has_active_consent(person):
        raise ValidationError(
            {"person": [_("A child is paired only with a guardian's recorded consent.")]},
            code="pairing.consent",
        )
    if Pairing.objects.filter(pair_type=pair_type, person=person, ended_on__isnull=True).exists():
        raise ValidationError({"person": [_("This person is already paired.")]}, code="pairing.duplicate")
    pairing = Pairing.objects.create(
        pair_type=pair_type,
        volunteer=volunteer,
        person=person,
        started_on=timezone.localdate(),
        created_by=actor,
    )
    audit_record(
        actor=actor, action="volunteering.pairing.create", obj=pairing, area_code=person.area_id, ip=ip
    )
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, actor, ip: str | None = None) -> Pairing:
    _require(actor, "volunteering.pair", pairing.person.area_id)
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has already ended."), code="pairing.ended")
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    audit_record(
        actor=actor, action="volunteering.pairing.end", obj=pairing, area_code=pairing.person.area_id, ip=ip
    )
    return pairing


@transaction.atomic
def visit_record(
    *,
    pairing: Pairing,
    day: date,
    kind: str,
    notes: str = "",
    concerns: str = "",
    photos=(),
    open_ticket: bool = False,
    concern_category: str = "other",
    actor,
    ip: str | None = None,
) -> Visit:
    """Log a visit: by the paired volunteer or by a worker of the person's area.

    Photos are re-encoded without metadata; with ``open_ticket`` the concern becomes a
    care-concern ticket of the person's community, linked to the visit.
    """
    from ..policy import CONCERN_CATEGORIES
    from .care import photos_clean

    errors: dict[str, list[str]] = {}
    is_own = pairing.volunteer.user_id == actor.pk
    if not is_own and not actor.access.can("volunteering.pair", pairing.person.area_id):
        raise ValidationError(_("You may not log visits of this pairing."), code="visit.forbidden")
    if pairing.ended_on is not None:
        errors["__all__"] = [_("This pairing has ended.")]
    if kind not in VisitKind.values:
        errors["kind"] = [_("Choose how the visit took place.")]
    if day > timezone.localdate():
        errors["day"] = [_("A visit cannot be in the future.")]
    elif day < pairing.started_on:
        errors["day"] = [_("The visit is before the pairing started.")]
    concerns = concerns.strip()
    if open_ticket and not concerns:
        errors["concerns"] = [_("Describe the concern the community should act on.")]
    if open_ticket and concern_category not in {c.code for c in CONCERN_CATEGORIES}:
        errors["concern_category"] = [_("Choose what the concern is about.")]
    cleaned = []
    try:
        cleaned = photos_clean(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="visit.invalid")
    visit = Visit.objects.create(
        pairing=pairing,
        date=day,
        kind=kind,
        notes=notes.strip(),
        concerns=concerns,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="volunteering.visit.record",
        obj=visit,
        area_code=pairing.person.area_id,
        ip=ip,
        changes={"photos": len(cleaned), "ticket": bool(open_ticket)},
    )
    if open_ticket:  # before the photos: a refused ticket must leave no file behind
        visit_concern_ticket(visit=visit, category=concern_category, actor=actor, ip=ip)
    if cleaned:
        visit_photo_store(visit=visit, photos=cleaned)
    return visit


# Sub-topics, imported last: they build on the helpers above.
from .care import visit_concern_ticket, visit_photo_store  # noqa: E402, F401
from .participation import participation_cancel, participation_join  # noqa: E402, F401
from .records import volunteer_record_add  # noqa: E402, F401
from .reminders import activity_reminders_send  # noqa: E402, F401
