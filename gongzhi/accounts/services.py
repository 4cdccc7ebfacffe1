"""Every write to accounts: users, memberships, log-in attempts, second factor, API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.core.errors import idcode_error
from gongzhi.core.vault import blind_index, protect, reveal
from gongzhi.lib import idcodes

from .access import Access, membership_joins, membership_parts, memberships_from
from .models import MOBILE_CONTEXT, TOTP_CONTEXT, ApiToken, LoginEvent, Membership, User, hash_token
from .roles import DEFAULT_SCOPE, SEPARATED_ADMIN_ROLES, DataScope, Role


def _security(key: str):
    return settings.GONGZHI_SECURITY[key]


def _normalize_mobile(mobile: str, field: str = "mobile") -> str:
    try:
        return idcodes.normalize_mobile(mobile)
    except idcodes.IdCodeError as exc:
        raise idcode_error(exc, field) from None


@transaction.atomic
def user_create(
    *,
    mobile: str,
    name: str,
    password: str | None = None,
    person=None,
    created_by: User | None = None,
    ip: str | None = None,
) -> User:
    """Create an account. The mobile number is validated, encrypted, indexed and masked."""
    number = _normalize_mobile(mobile)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [pgettext("person", "Enter a name.")]}, code="user.name_required")
    p = protect(number, context=MOBILE_CONTEXT, mask=idcodes.mask_mobile)
    if User.objects.filter(mobile_index=p.index).exists():
        raise ValidationError(
            {"mobile": [_("An account with this mobile number already exists.")]}, code="user.duplicate"
        )
    user = User(mobile_index=p.index, mobile_enc=p.enc, mobile_masked=p.masked, name=name, person=person)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.error_list}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=created_by,
        action="user.create",
        obj=user,
        ip=ip,
        changes={"name": name, "mobile_masked": p.masked},
    )
    return user


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str, ip: str | None = None) -> None:
    if not user.check_password(old_password):
        raise ValidationError(
            {"old_password": [_("The current password is wrong.")]}, code="user.wrong_password"
        )
    if old_password == new_password:
        raise ValidationError(
            {"new_password": [_("Choose a password different from the current one.")]},
            code="user.same_password",
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.error_list}) from None
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=user, action="user.password_change", obj=user, ip=ip)


def password_expired(user: User) -> bool:
    days = _security("PASSWORD_MAX_AGE_DAYS")
    return bool(days) and user.password_changed_at < timezone.now() - timedelta(days=days)


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    area: Area,
    organisation=None,
    data_scope: str | None = None,
    scope_areas: list[Area] | None = None,
    granted_by: User | None = None,
    ip: str | None = None,
) -> Membership:
    """Give a user a role in an area. Enforces 三员分立 and that the granter holds the area."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]}, code="membership.role")
    data_scope = data_scope or DEFAULT_SCOPE[role]
    if data_scope not in DataScope.values:
        raise ValidationError({"data_scope": [_("Unknown data scope.")]}, code="membership.scope")
    if data_scope == DataScope.AREAS and not scope_areas:
        raise ValidationError(
            {"scope_areas": [_("List at least one area for this data scope.")]}, code="membership.scope_areas"
        )
    if granted_by is not None and not granted_by.access.can("memberships.manage", area.code):
        raise ValidationError(
            _("You may only grant roles within your own area."), code="membership.forbidden"
        )
    held = set(user.memberships.values_list("role", flat=True))
    if role in SEPARATED_ADMIN_ROLES and (held & SEPARATED_ADMIN_ROLES) - {role}:
        raise ValidationError(
            _("System, security and audit administrators must be different people."),
            code="membership.separation",
        )
    try:
        with transaction.atomic():
            m = Membership.objects.create(
                user=user,
                role=role,
                area=area,
                organisation=organisation,
                data_scope=data_scope,
                granted_by=granted_by,
            )
    except IntegrityError:
        raise ValidationError(
            _("This user already holds that role there."), code="membership.duplicate"
        ) from None
    if scope_areas:
        m.scope_areas.set(scope_areas)
    if hasattr(user, "_access"):
        del user._access
    audit_record(
        actor=granted_by,
        action="membership.grant",
        obj=user,
        area_code=area.code,
        ip=ip,
        changes={
            "role": role,
            "area": area.code,
            "data_scope": data_scope,
            "organisation": getattr(organisation, "pk", None),
        },
    )
    return m


@transaction.atomic
def membership_revoke(*, membership: Membership, revoked_by: User | None, ip: str | None = None) -> None:
    if revoked_by is not None and not revoked_by.access.can("memberships.manage", membership.area_id):
        raise ValidationError(
            _("You may only withdraw roles within your own area."), code="membership.forbidden"
        )
    audit_record(
        actor=revoked_by,
        action="membership.revoke",
        obj=membership.user,
        area_code=membership.area_id,
        ip=ip,
        changes={"role": membership.role, "area": membership.area_id},
    )
    membership.delete()


# --- Log-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    ok: bool
    reason: str = ""  # "", "bad_credentials", "locked", "inactive"


def _area_of(user: User | None) -> str:
    if user is None:
        return ""
    area = user.access.home_area()
    return area.code if area else ""


def login_attempt(*, mobile: str, password: str, ip: str | None = None, user_agent: str = "") -> LoginResult:
    """Check a mobile/password pair, applying the lockout policy and recording the attempt.

    Wrong passwords are counted with an atomic increment; the fifth within the policy locks the
    account for ten minutes (defaults; GONGZHI_SECURITY). The result never says whether the
    number exists, so the form cannot be used to discover accounts.
    """
    now = timezone.now()
    try:
        number = idcodes.normalize_mobile(mobile)
    except idcodes.IdCodeError:
        return LoginResult(None, False, "bad_credentials")
    masked = idcodes.mask_mobile(number)
    user = User.objects.filter(mobile_index=blind_index(number, context=MOBILE_CONTEXT)).first()
    event = {"mobile_masked": masked, "ip": ip, "user_agent": user_agent[:200], "at": now}
    if user is None:
        User().set_password(password)  # same work as a real check, so timing does not reveal accounts
        LoginEvent.objects.create(success=False, reason="bad_credentials", **event)
        return LoginResult(None, False, "bad_credentials")
    event.update(user=user, area_code=_area_of(user))
    if user.is_locked(now):
        LoginEvent.objects.create(success=False, reason="locked", **event)
        return LoginResult(user, False, "locked")
    if not user.check_password(password):
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            locked = user.failed_logins >= _security("LOCKOUT_FAILURES")
            if locked:
                until = now + timedelta(minutes=_security("LOCKOUT_MINUTES"))
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
                LoginEvent.objects.create(
                    kind=LoginEvent.Kind.LOCKED, success=False, reason="too_many_failures", **event
                )
            LoginEvent.objects.create(success=False, reason="bad_credentials", **event)
        return LoginResult(user, False, "locked" if locked else "bad_credentials")
    if not user.is_active:
        LoginEvent.objects.create(success=False, reason="inactive", **event)
        return LoginResult(user, False, "inactive")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
    LoginEvent.objects.create(success=True, **event)
    return LoginResult(user, True)


def login_event_record(
    *, user: User, kind: str, success: bool = True, reason: str = "", ip: str | None = None
) -> None:
    LoginEvent.objects.create(
        user=user,
        area_code=_area_of(user),
        mobile_masked=user.mobile_masked,
        kind=kind,
        success=success,
        reason=reason,
        ip=ip,
    )


@transaction.atomic
def user_unlock(*, user: User, unlocked_by: User, ip: str | None = None) -> None:
    area = _area_of(user) or None
    if not unlocked_by.access.can("users.unlock", area):
        raise ValidationError(_("You may not unlock this account."), code="user.forbidden")
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
    audit_record(actor=unlocked_by, action="user.unlock", obj=user, area_code=area or "", ip=ip)


# --- Second factor (TOTP, RFC 6238) ------------------------------------------------------------


def totp_required(user: User) -> bool:
    return bool(_security("REQUIRE_TOTP_FOR_STAFF")) and user.access.is_staff_role


@transaction.atomic
def totp_begin(*, user: User) -> str:
    """Start (or restart) enrolment: a fresh secret, stored encrypted, not yet confirmed."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = protect(secret, context=TOTP_CONTEXT, mask=lambda s: "").enc
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret_enc", "totp_confirmed_at"])
    return secret


def totp_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.mobile_masked, issuer_name="Gongzhi")


@transaction.atomic
def totp_verify(*, user: User, code: str, ip: str | None = None) -> bool:
    """Check a 6-digit code (±1 step of clock drift); a code is accepted once only."""
    code = (code or "").strip().replace(" ", "")
    if not user.totp_secret_enc or not code.isdigit() or len(code) != 6:
        login_event_record(user=user, kind=LoginEvent.Kind.TOTP, success=False, reason="malformed", ip=ip)
        return False
    user = User.objects.select_for_update().get(pk=user.pk)
    totp = pyotp.TOTP(reveal(user.totp_secret_enc, context=TOTP_CONTEXT))
    now = timezone.now()
    step_now = int(now.timestamp()) // 30
    for step in (step_now - 1, step_now, step_now + 1):
        if step > user.totp_last_step and secrets.compare_digest(totp.at(step * 30), code):
            user.totp_last_step = step
            fields = ["totp_last_step"]
            if user.totp_confirmed_at is None:
                user.totp_confirmed_at = now
                fields.append("totp_confirmed_at")
                audit_record(actor=user, action="user.totp_enrol", obj=user, ip=ip)
            user.save(update_fields=fields)
            login_event_record(user=user, kind=LoginEvent.Kind.TOTP, ip=ip)
            return True
    login_event_record(user=user, kind=LoginEvent.Kind.TOTP, success=False, reason="wrong_code", ip=ip)
    return False


# --- API tokens --------------------------------------------------------------------------------

TOKEN_PREFIX = "gz_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int | None = 90, ip: str | None = None
) -> tuple[ApiToken, str]:
    """Issue a token; the raw value is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": [_("Name the token so you can recognise it later.")]}, code="token.name"
        )
    if days is not None and not 1 <= days <= 365:
        raise ValidationError({"days": [_("A token lives between 1 and 365 days.")]}, code="token.days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        prefix=raw[:8],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(
        actor=user,
        action="api_token.create",
        obj=user,
        ip=ip,
        changes={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User, ip: str | None = None) -> None:
    if token.user_id != revoked_by.pk:
        raise ValidationError(_("You may only revoke your own tokens."), code="token.forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=revoked_by,
            action="api_token.revoke",
            obj=revoked_by,
            ip=ip,
            changes={"prefix": token.prefix},
        )


@cache
def _token_sql() -> tuple[str, tuple[sql.Columns, sql.Columns]]:
    t, u, c = ApiToken, User, sql.column
    parts = (sql.Columns(t, ["id", "user", "last_used_at", "expires_at", "revoked_at"]), sql.Columns(u))
    statement = (
        f"SELECT {', '.join(p.sql for p in (*parts, *membership_parts()))} FROM {sql.table(t)}"  # noqa: S608 (identifiers from model metadata)
        f" JOIN {sql.table(u)} ON {c(u, 'id')} = {c(t, 'user')}{membership_joins(c(u, 'id'))}"
        f" WHERE {c(t, 'token_hash')} = %s ORDER BY {c(membership_parts()[0].model, 'id')}"
    )
    return statement, parts


def api_token_authenticate(raw: str) -> User | None:
    """The active user of a usable token, or None.

    Every API request asks, and nearly every one then asks what the user may do, so one statement
    reads the token, its user and the user's memberships in force (``Access``), written once
    (``gongzhi.core.sql``) and run afresh each time: a revoked token or an ended membership is
    refused at once.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    statement, (t, u) = _token_sql()
    rows = sql.fetch(statement, [sql.moment(timezone.now()), hash_token(raw)])
    if not rows:
        return None
    token, user = t.instance(rows[0]), u.instance(rows[0], t.width)
    if not token.is_usable() or not user.is_active:
        return None
    Access.attach(user, memberships_from(rows, t.width + u.width))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write per 5 minutes
    return user
