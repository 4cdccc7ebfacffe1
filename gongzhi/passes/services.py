"""Every write of the rider registry and the rider pass: registration, verification, insurance,
rider-friendly communities, gates, issuing and revoking passes, retention.

Keys and published documents live in ``keyring.py``; the online check in ``checking.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import MOBILE_CONTEXT, User
from gongzhi.areas.models import Area, Level, subtree_q
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error
from gongzhi.core.vault import blind_index
from gongzhi.lib import idcodes
from gongzhi.lib import passes as lib

from . import keyring
from .conf import setting
from .models import (
    RIDER_TRANSITIONS,
    SUSPENDING_REASONS,
    AccessEvent,
    DocumentKind,
    Gate,
    GateDay,
    InsuranceKind,
    InsurancePolicy,
    KeyStatus,
    PassRecord,
    Platform,
    Revocation,
    RevokeReason,
    Rider,
    RiderDocument,
    RiderFriendlyCommunity,
    RiderStatus,
)
from .photos import clean_photo

# ---------------------------------------------------------------------------------------------
# Rider registry


def _check_community(area: Area, field: str = "area") -> None:
    if area.level != Level.VILLAGE:
        raise ValidationError({field: [_("Choose a village or community.")]}, code="passes.area_level")


def _clean_rider_fields(*, platform: Platform | None, station: str, plate: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if platform is None or not platform.active:
        errors["platform"] = [_("Choose the platform you work for.")]
    station = (station or "").strip()
    if not station:
        errors["station"] = [_("Enter your station or team.")]
    plate = "".join((plate or "").split()).upper()
    if plate and not 2 <= len(plate) <= 20:
        errors["plate"] = [_("An e-bike plate has 2 to 20 characters.")]
    if errors:
        raise ValidationError(errors, code="passes.rider_invalid")
    return station[:100], plate


def _may_manage_rider(actor, area_code: str) -> bool:
    return actor is not None and actor.access.can("passes.riders.verify", area_code)


@transaction.atomic
def rider_register(
    *,
    user: User,
    platform: Platform | None,
    station: str,
    area: Area,
    plate: str = "",
    photo=None,
    actor: User,
    ip: str | None = None,
) -> Rider:
    """Register a rider for the pass; verification by the community comes next.

    A rider registers themself, or a community worker registers them in their own community.
    """
    if actor.pk != user.pk and not _may_manage_rider(actor, area.code):
        raise PermissionDenied
    if actor.pk == user.pk and not user.access.has("passes.own"):
        raise PermissionDenied
    _check_community(area)
    station, plate = _clean_rider_fields(platform=platform, station=station, plate=plate)
    if Rider.objects.filter(user=user).exists():
        raise ValidationError(_("This account is already registered as a rider."), code="passes.rider_exists")
    rider = Rider(user=user, person=user.person, platform=platform, station=station, plate=plate, area=area)
    if photo:
        rider.photo.save("photo.jpg", clean_photo(photo), save=False)
    rider.save()
    audit_record(
        actor=actor,
        action="passes.rider_register",
        obj=rider,
        ip=ip,
        changes={"platform": platform.code, "station": station, "plate": plate, "photo": bool(photo)},
    )
    return rider


@transaction.atomic
def rider_update(
    *,
    rider: Rider,
    actor: User,
    platform: Platform | None,
    station: str,
    plate: str = "",
    photo=None,
    ip: str | None = None,
) -> Rider:
    """Change a rider's details. A rider may change their own only before verification (or after a
    rejection, which resubmits); staff may change them at any time."""
    own = actor.pk == rider.user_id
    if not own and not _may_manage_rider(actor, rider.area_id):
        raise PermissionDenied
    if own and rider.status not in (RiderStatus.PENDING, RiderStatus.REJECTED):
        raise ValidationError(
            _("Your registration is verified; ask your community to change it."), code="passes.rider_locked"
        )
    station, plate = _clean_rider_fields(platform=platform, station=station, plate=plate)
    rider.platform, rider.station, rider.plate = platform, station, plate
    fields = ["platform", "station", "plate"]
    if photo:
        rider.photo.save("photo.jpg", clean_photo(photo), save=False)
        fields.append("photo")
    if own and rider.status == RiderStatus.REJECTED:
        rider.status, rider.status_note = RiderStatus.PENDING, ""
        fields += ["status", "status_note"]
    rider.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="passes.rider_update",
        obj=rider,
        ip=ip,
        changes={"platform": platform.code, "station": station, "plate": plate, "photo": bool(photo)},
    )
    return rider


@transaction.atomic
def rider_transition(*, rider: Rider, to: str, actor: User, note: str = "", ip: str | None = None) -> Rider:
    """Move a rider through verification (the table ``RIDER_TRANSITIONS``); staff only.

    Suspending revokes the rider's live passes; verifying needs a photo, for the guard to compare.
    """
    rider = Rider.objects.select_for_update().select_related("user").get(pk=rider.pk)
    if not _may_manage_rider(actor, rider.area_id):
        raise PermissionDenied
    action = RIDER_TRANSITIONS.get((rider.status, to))
    if action is None or action == "resubmit":
        raise ValidationError(
            _("A rider who is %(status)s cannot be moved to %(to)s.")
            % {
                "status": rider.get_status_display(),
                "to": RiderStatus(to).label if to in RiderStatus.values else to,
            },
            code="passes.invalid_transition",
        )
    note = (note or "").strip()[:200]
    if action in ("reject", "suspend") and len(note) < 2:
        raise field_error("note", _("Say why, so the rider knows what to do."), "passes.note_required")
    if action == "verify" and not rider.photo:
        raise ValidationError(
            _("A rider needs a photo before verification: the guard compares it at the gate."),
            code="passes.photo_required",
        )
    now = timezone.now()
    rider.status, rider.status_note = to, note
    fields = ["status", "status_note"]
    if action in ("verify", "reinstate"):
        rider.verified_by, rider.verified_at = actor, now
        fields += ["verified_by", "verified_at"]
    rider.save(update_fields=fields)
    audit_record(actor=actor, action=f"passes.rider_{action}", obj=rider, ip=ip, changes={"note": note})
    if action == "suspend":
        _revoke_live_passes(rider=rider, reason=RevokeReason.OTHER, note=note, actor=actor, ip=ip, now=now)
    return rider


@transaction.atomic
def rider_document_add(*, rider: Rider, kind: str, file, actor: User, ip: str | None = None) -> RiderDocument:
    if actor.pk != rider.user_id and not _may_manage_rider(actor, rider.area_id):
        raise PermissionDenied
    if kind not in DocumentKind.values:
        raise field_error("kind", _("Choose what the document is."), "passes.document_kind")
    if not file or getattr(file, "size", 0) > int(setting("PHOTO_MAX_BYTES")):
        raise field_error(
            "file",
            _("Attach a file of at most %(mb)d MB.") % {"mb": int(setting("PHOTO_MAX_BYTES")) // 2**20},
            "passes.document_file",
        )
    document = RiderDocument(rider=rider, kind=kind, uploaded_by=actor)
    if kind in (DocumentKind.ID_CARD, DocumentKind.EBIKE_REGISTRATION) or (file.name or "").lower().endswith(
        (".jpg", ".jpeg", ".png", ".webp")
    ):
        # Pictures of documents lose their EXIF too (the GPS of where the picture was taken).
        cleaned = clean_photo(file)
        document.file.save(cleaned.name, cleaned, save=False)
    else:
        document.file.save(file.name, file, save=False)
    document.save()
    audit_record(actor=actor, action="passes.document_add", obj=rider, ip=ip, changes={"kind": kind})
    return document


@transaction.atomic
def insurance_add(
    *,
    rider: Rider,
    insurer: str,
    number: str,
    starts_on: date,
    ends_on: date,
    kind: str = InsuranceKind.ACCIDENT,
    actor: User,
    ip: str | None = None,
) -> InsurancePolicy:
    """Record an insurance policy of a rider (the rider's own, or by their community)."""
    if actor.pk != rider.user_id and not _may_manage_rider(actor, rider.area_id):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    insurer, number = (insurer or "").strip(), "".join((number or "").split())
    if not insurer:
        errors["insurer"] = [_("Enter the insurer.")]
    if not number:
        errors["number"] = [_("Enter the policy number.")]
    if kind not in InsuranceKind.values:
        errors["kind"] = [_("Choose the kind of insurance.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The policy cannot end before it starts.")]
    if insurer and number and InsurancePolicy.objects.filter(insurer=insurer, number=number).exists():
        errors["number"] = [_("This policy is already recorded.")]
    if errors:
        raise ValidationError(errors, code="passes.policy_invalid")
    policy = InsurancePolicy.objects.create(
        rider=rider,
        kind=kind,
        insurer=insurer[:100],
        number=number[:60],
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="passes.insurance_add",
        obj=rider,
        ip=ip,
        changes={"insurer": policy.insurer, "ends_on": ends_on.isoformat()},
    )
    return policy


def insurance_reminders_due(*, today: date | None = None):
    today = today or timezone.localdate()
    horizon = today + timedelta(days=int(setting("INSURANCE_REMINDER_DAYS")))
    return InsurancePolicy.objects.filter(ends_on__gte=today, ends_on__lte=horizon, reminded_at__isnull=True)


@transaction.atomic
def insurance_remind(*, today: date | None = None) -> int:
    """Mark the policies ending within the reminder window; the rider's pass page and the
    community's rider list then show the reminder. Returns how many were marked."""
    now = timezone.now()
    due = list(insurance_reminders_due(today=today).select_related("rider"))
    for policy in due:
        # A rider who already holds a later policy need not be reminded.
        if InsurancePolicy.objects.filter(rider=policy.rider, ends_on__gt=policy.ends_on).exists():
            continue
        audit_record(
            action="passes.insurance_reminder",
            obj=policy.rider,
            changes={"insurer": policy.insurer, "ends_on": policy.ends_on.isoformat()},
        )
    InsurancePolicy.objects.filter(pk__in=[p.pk for p in due]).update(reminded_at=now)
    return len(due)


# ---------------------------------------------------------------------------------------------
# Rider-friendly communities and gates


@transaction.atomic
def community_save(
    *,
    area: Area,
    actor: User,
    honours_pass: bool,
    rest_stop: bool = False,
    charging: bool = False,
    water: bool = False,
    toilet: bool = False,
    notes: str = "",
    ip: str | None = None,
) -> RiderFriendlyCommunity:
    """Set whether a community honours the pass and which rider services it offers."""
    _check_community(area)
    if not actor.access.can("passes.communities.manage", area.code):
        raise PermissionDenied
    community, _created = RiderFriendlyCommunity.objects.select_for_update().get_or_create(area=area)
    community.honours_pass = honours_pass
    community.rest_stop, community.charging, community.water, community.toilet = (
        rest_stop,
        charging,
        water,
        toilet,
    )
    community.notes = (notes or "").strip()[:200]
    community.updated_at, community.updated_by = timezone.now(), actor
    community.save()
    audit_record(
        actor=actor,
        action="passes.community_save",
        obj=community,
        ip=ip,
        changes={
            "honours_pass": honours_pass,
            "services": ",".join(f for f in RiderFriendlyCommunity.SERVICES if getattr(community, f)),
        },
    )
    # Passes name where they are honoured, so passes issued from now on follow this setting; live
    # passes keep their list until renewed, but online a community that stops honouring the pass
    # refuses it at once (checking.py).
    return community


def _guard_of(mobile: str, area: Area) -> User:
    try:
        number = idcodes.normalize_mobile(mobile)
    except idcodes.IdCodeError:
        raise field_error(
            "guard_mobile",
            _("Enter a mainland China mobile number: 11 digits starting with 13 to 19."),
            "passes.guard_mobile",
        ) from None
    user = User.objects.filter(
        mobile_index=blind_index(number, context=MOBILE_CONTEXT), is_active=True
    ).first()
    if user is None or not user.access.scope("passes.scan").covers_area(area.code):
        raise field_error(
            "guard_mobile",
            _(
                "No gate guard of this community has this number. The security administrator "
                "grants the gate guard role first."
            ),
            "passes.not_a_guard",
        )
    return user


@transaction.atomic
def gate_create(*, area: Area, name: str, actor: User, ip: str | None = None) -> Gate:
    _check_community(area)
    if not actor.access.can("passes.communities.manage", area.code):
        raise PermissionDenied
    name = (name or "").strip()[:60]
    if not name:
        raise field_error("name", _("Name the gate (e.g. north gate)."), "passes.gate_name")
    if Gate.objects.filter(area=area, name=name).exists():
        raise field_error("name", _("This community already has a gate of that name."), "passes.gate_dup")
    gate = Gate.objects.create(area=area, name=name)
    audit_record(actor=actor, action="passes.gate_create", obj=gate, ip=ip, changes={"name": name})
    return gate


@transaction.atomic
def gate_update(*, gate: Gate, actor: User, active: bool, ip: str | None = None) -> Gate:
    if not actor.access.can("passes.communities.manage", gate.area_id):
        raise PermissionDenied
    gate.active = active
    gate.save(update_fields=["active"])
    audit_record(actor=actor, action="passes.gate_update", obj=gate, ip=ip, changes={"active": active})
    return gate


@transaction.atomic
def gate_guard_add(*, gate: Gate, guard_mobile: str, actor: User, ip: str | None = None) -> User:
    if not actor.access.can("passes.communities.manage", gate.area_id):
        raise PermissionDenied
    guard = _guard_of(guard_mobile, gate.area)
    gate.guards.add(guard)
    audit_record(actor=actor, action="passes.gate_guard_add", obj=gate, ip=ip, changes={"guard": guard.pk})
    return guard


@transaction.atomic
def gate_guard_remove(*, gate: Gate, guard_id: int, actor: User, ip: str | None = None) -> None:
    if not actor.access.can("passes.communities.manage", gate.area_id):
        raise PermissionDenied
    if gate.guards.filter(pk=guard_id).exists():
        gate.guards.remove(guard_id)
        audit_record(
            actor=actor, action="passes.gate_guard_remove", obj=gate, ip=ip, changes={"guard": guard_id}
        )


# ---------------------------------------------------------------------------------------------
# Issuing and revoking passes


def honoured_areas(rider: Rider) -> list[str]:
    """Where a new pass of ``rider`` is honoured: the communities of the rider's county that
    honour the pass, named one by one when they fit in a pass, else by town, else the county."""
    county = rider.area_id[:6]
    codes = sorted(
        RiderFriendlyCommunity.objects.filter(subtree_q("area_id", county), honours_pass=True).values_list(
            "area_id", flat=True
        )
    )
    if not codes:
        return [county]
    if len(codes) <= lib.MAX_AREAS:
        return codes
    towns = sorted({c[:9] for c in codes})
    return towns if len(towns) <= lib.MAX_AREAS else [county]


def _live_pass(rider: Rider, now: datetime, margin: timedelta) -> PassRecord | None:
    return (
        PassRecord.objects.select_related("signing_key")
        .filter(rider=rider, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now + margin)
        .exclude(signing_key__status=KeyStatus.REVOKED)
        .order_by("-valid_until")
        .first()
    )


def pass_current(*, rider: Rider, now: datetime | None = None) -> PassRecord:
    """The rider's pass to show now: the live one while it has long enough to run, else a new one.

    Refused (``passes.not_verified``) unless the rider is verified.
    """
    now = now or timezone.now()
    if rider.status != RiderStatus.VERIFIED:
        raise ValidationError(_("Your rider registration is not verified."), code="passes.not_verified")
    margin = timedelta(hours=int(setting("PASS_RENEW_HOURS")))
    return _live_pass(rider, now, margin) or pass_issue(rider=rider, now=now)


@transaction.atomic
def pass_issue(*, rider: Rider, now: datetime | None = None) -> PassRecord:
    """Sign a new pass for a verified rider."""
    now = (now or timezone.now()).replace(microsecond=0)
    rider = Rider.objects.select_for_update().get(pk=rider.pk)
    if rider.status != RiderStatus.VERIFIED:
        raise ValidationError(_("Your rider registration is not verified."), code="passes.not_verified")
    margin = timedelta(hours=int(setting("PASS_RENEW_HOURS")))
    existing = _live_pass(rider, now, margin)
    if existing is not None:  # a concurrent request (a second tab) issued it while we waited
        return existing
    key = keyring.signing_key_for_issuing(now=now)
    areas = honoured_areas(rider)
    serial = lib.new_serial()
    while PassRecord.objects.filter(serial=serial).exists():
        serial = lib.new_serial()
    valid_until = now + timedelta(hours=int(setting("PASS_VALIDITY_HOURS")))
    token = keyring.signer_for(key).issue(
        serial=serial,
        rider_id=rider.pk,
        valid_from=keyring.epoch(now),
        valid_until=keyring.epoch(valid_until),
        areas=areas,
    )
    record = PassRecord.objects.create(
        serial=serial,
        rider=rider,
        signing_key=key,
        valid_from=now,
        valid_until=valid_until,
        areas=[lib.area_prefix(a) for a in areas],
        token=token,
        issued_at=now,
    )
    audit_record(
        action="passes.issue",
        obj=rider,
        changes={"serial": str(serial), "kid": key.kid, "valid_until": valid_until.isoformat()},
    )
    return record


def _revoke_live_passes(
    *, rider: Rider, reason: str, note: str, actor: User | None, ip: str | None, now: datetime
) -> Revocation:
    records = list(
        PassRecord.objects.select_for_update().filter(
            rider=rider,
            revoked_at__isnull=True,
            valid_until__gt=now - timedelta(seconds=int(setting("CLOCK_SKEW_SECONDS"))),
        )
    )
    PassRecord.objects.filter(pk__in=[r.pk for r in records]).update(revoked_at=now, revoke_reason=reason)
    revocation = Revocation.objects.create(
        rider=rider,
        area_id=rider.area_id,
        serials=[str(r.serial) for r in records],
        reason=reason,
        note=note,
        revoked_by=actor,
        revoked_at=now,
    )
    audit_record(
        actor=actor,
        action="passes.revoke",
        obj=rider,
        ip=ip,
        changes={"reason": reason, "serials": ",".join(str(r.serial) for r in records), "note": note},
    )
    keyring.publish_revocations(now=now)
    return revocation


@transaction.atomic
def pass_revoke(
    *,
    rider: Rider,
    reason: str,
    actor: User,
    note: str = "",
    ip: str | None = None,
    now: datetime | None = None,
) -> Revocation:
    """Revoke a rider's live passes: refused online at once, offline at the gate's next sync.

    Lost phone: the rider signs in again on the new phone for a fresh pass (the old phone's
    session cannot get one). Left the job or misconduct: the rider is suspended as well, and gets
    no new pass until the community reinstates them.
    """
    now = now or timezone.now()
    rider = Rider.objects.select_for_update().get(pk=rider.pk)
    if not actor.access.can("passes.revoke", rider.area_id):
        raise PermissionDenied
    if reason not in RevokeReason.values or reason == RevokeReason.KEY_COMPROMISED:
        raise field_error("reason", _("Choose why the pass is revoked."), "passes.revoke_reason")
    note = (note or "").strip()[:200]
    if reason == RevokeReason.OTHER and len(note) < 2:
        raise field_error("note", _("Say why, so the rider knows what to do."), "passes.note_required")
    fields: list[str] = []
    if reason == RevokeReason.LOST_PHONE:
        rider.passes_reset_at = now
        fields.append("passes_reset_at")
    if reason in SUSPENDING_REASONS and rider.status == RiderStatus.VERIFIED:
        rider.status, rider.status_note = RiderStatus.SUSPENDED, RevokeReason(reason).label
        fields += ["status", "status_note"]
    if fields:
        rider.save(update_fields=fields)
    return _revoke_live_passes(rider=rider, reason=reason, note=note, actor=actor, ip=ip, now=now)


# ---------------------------------------------------------------------------------------------
# Retention of gate scans (PIPL: location data is sensitive; keep it no longer than needed)


@transaction.atomic
def access_events_purge(*, now: datetime | None = None) -> tuple[int, int]:
    """Roll scans older than the retention period up into anonymous daily counts, then delete
    them. Returns (days rolled up, scans deleted)."""
    now = now or timezone.now()
    cutoff = timezone.localtime(now - timedelta(days=int(setting("ACCESS_EVENT_RETENTION_DAYS"))))
    # Whole local days only, so a day is rolled up once, complete.
    cutoff = cutoff.replace(hour=0, minute=0, second=0, microsecond=0)
    old = AccessEvent.objects.filter(at__lt=cutoff)
    rows = (
        old.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("gate_id", "area_id", "day")
        .annotate(
            scans=Count("id"),
            admitted=Count("id", filter=Q(ok=True)),
            riders=Count("rider", filter=Q(ok=True), distinct=True),
        )
    )
    rolled = 0
    for row in rows:
        day_row, _created = GateDay.objects.select_for_update().get_or_create(
            gate_id=row["gate_id"], day=row["day"], defaults={"area_id": row["area_id"]}
        )
        day_row.scans += row["scans"]
        day_row.admitted += row["admitted"]
        day_row.riders += row["riders"]
        day_row.save(update_fields=["scans", "admitted", "riders"])
        rolled += 1
    deleted, _by_model = old.delete()
    if deleted:
        audit_record(action="passes.events_purge", changes={"deleted": deleted, "before": cutoff.isoformat()})
    return rolled, deleted
