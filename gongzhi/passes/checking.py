"""The online check: what the check page, the guard's scan and the check API all call.

One indexed query per scan: the pass row by its serial, joined to its rider, the rider's account
and platform, and its signing key, read as plain values (``CheckedPass``), not model instances:
this is the hottest route of the system (every gate, every rider, every order), and building
the ORM query cost more than running it. Revocation therefore takes effect at once in every app
process, with no cache to invalidate. The cryptography is ``gongzhi.lib.passes.verify``, the same function a gate
device runs offline; here it is given the one key and the revocation state read from the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core import sql
from gongzhi.lib import passes as lib
from gongzhi.lib.idcodes import mask_name

from . import keyring
from .conf import setting
from .models import (
    AccessEvent,
    Gate,
    KeyStatus,
    PassRecord,
    Platform,
    Rider,
    RiderFriendlyCommunity,
    RiderStatus,
    SigningKey,
)

logger = logging.getLogger("gongzhi.passes.check")

Reason = lib.Reason

#: What the check page and the API say for each reason (Chinese first, through gettext).
REASON_MESSAGES = {
    Reason.OK: _("Valid rider pass: let the rider through."),
    Reason.MALFORMED: _("This is not a rider pass, or it is damaged or incomplete."),
    Reason.UNSUPPORTED_VERSION: _("This pass comes from a newer or unknown version of the system."),
    Reason.UNKNOWN_KEY: _("Forged pass: it was not signed by a key of this system."),
    Reason.BAD_SIGNATURE: _("Forged pass: its contents were altered or its signature is fake."),
    Reason.NOT_YET_VALID: _("This pass is not valid yet: check the phone's clock."),
    Reason.EXPIRED: _("This pass has expired: the rider must open the pass page again to renew it."),
    Reason.REVOKED: _("This pass has been revoked."),
    Reason.KEY_REVOKED: _(
        "This pass was signed with a key that has been withdrawn; the rider gets a new one."
    ),
    Reason.NOT_HONOURED_HERE: _("This pass is not honoured in this community."),
}
#: Short titles for the coloured banner.
REASON_TITLES = {
    Reason.OK: _("Valid"),
    Reason.MALFORMED: _("Not a pass"),
    Reason.UNSUPPORTED_VERSION: _("Unknown pass"),
    Reason.UNKNOWN_KEY: _("Forged"),
    Reason.BAD_SIGNATURE: _("Forged"),
    Reason.NOT_YET_VALID: _("Not yet valid"),
    Reason.EXPIRED: pgettext_lazy("pass check", "Expired"),
    Reason.REVOKED: _("Revoked"),
    Reason.KEY_REVOKED: _("Revoked"),
    Reason.NOT_HONOURED_HERE: _("Not honoured here"),
}

_NO_KEYS = lib.KeySet()


@dataclass(frozen=True)
class CheckedRider:
    """What a check shows of a rider: read with the pass, never more (no ID, no phone)."""

    pk: int
    masked_name: str
    platform_name: str
    plate: str
    photo: str  # the stored file's name, "" when none
    status: str


@dataclass(frozen=True)
class CheckedKey:
    """The signing key's public half and state (the attributes ``keyring.pass_key_for`` reads)."""

    kid: str
    public_key: str
    not_before: datetime
    not_after: datetime
    status: str


@dataclass(frozen=True)
class CheckedPass:
    serial: int
    valid_from: datetime
    valid_until: datetime
    areas: list
    revoked_at: datetime | None
    rider: CheckedRider
    signing_key: CheckedKey


@dataclass(frozen=True)
class CheckOutcome:
    reason: lib.Reason
    record: CheckedPass | None = None  # set only when the pass is authentic
    gate: Gate | None = None
    event: AccessEvent | None = None
    checked_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.reason == Reason.OK

    @property
    def rider(self) -> CheckedRider | None:
        return self.record.rider if self.record is not None else None

    @property
    def message(self) -> str:
        return str(REASON_MESSAGES[self.reason])

    @property
    def title(self) -> str:
        return str(REASON_TITLES[self.reason])


def _columns(model, *names: str) -> list[str]:
    return [sql.column(model, n) for n in names]


@cache
def _record_sql(vendor: str) -> str:
    """The one statement of a check, written from the models' metadata (so a renamed column
    cannot silently drift), once per database vendor."""
    q = connection.ops.quote_name
    p, r, u, f, k = (q(m._meta.db_table) for m in (PassRecord, Rider, User, Platform, SigningKey))
    select = [
        *_columns(PassRecord, "serial", "valid_from", "valid_until", "areas", "revoked_at"),
        *_columns(Rider, "id", "plate", "photo", "status"),
        *_columns(User, "name"),
        *_columns(Platform, "name"),
        *_columns(SigningKey, "kid", "public_key", "not_before", "not_after", "status"),
    ]
    fk = PassRecord._meta.get_field
    return (
        f"SELECT {', '.join(select)} FROM {p}"  # noqa: S608 (identifiers from model metadata; the serial is a parameter)
        f" JOIN {r} ON {r}.{q('id')} = {p}.{q(fk('rider').column)}"
        f" JOIN {u} ON {u}.{q('id')} = {r}.{q(Rider._meta.get_field('user').column)}"
        f" JOIN {f} ON {f}.{q('id')} = {r}.{q(Rider._meta.get_field('platform').column)}"
        f" JOIN {k} ON {k}.{q('id')} = {p}.{q(fk('signing_key').column)}"
        f" WHERE {p}.{q(fk('serial').column)} = %s"
    )


def _aware(value):
    """A timestamp as the ORM would give it: aware, UTC (SQLite hands back text or naive values)."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


_AREAS = PassRecord._meta.get_field("areas")


def _find_record(serial: int) -> CheckedPass | None:
    with connection.cursor() as cursor:
        cursor.execute(_record_sql(connection.vendor), [serial])
        row = cursor.fetchone()
    if row is None:
        return None
    (serial, valid_from, valid_until, areas, revoked_at, rider_id, plate, photo, rider_status, user_name,
     platform_name, kid, public_key, not_before, not_after, key_status) = row  # fmt: skip
    return CheckedPass(
        serial=int(serial),
        valid_from=_aware(valid_from),
        valid_until=_aware(valid_until),
        areas=_AREAS.from_db_value(areas, None, connection) or [],
        revoked_at=_aware(revoked_at),
        rider=CheckedRider(
            rider_id, mask_name(user_name), platform_name, plate or "", photo or "", rider_status
        ),
        signing_key=CheckedKey(kid, public_key, _aware(not_before), _aware(not_after), key_status),
    )


def _verify(
    text: object, now: datetime, gate_area: str | None
) -> tuple[lib.VerifyResult, CheckedPass | None]:
    # First only parse (no key can match an empty key set): garbage costs no query.
    claimed = lib.verify(text, _NO_KEYS, now=now)
    if claimed.reason != Reason.UNKNOWN_KEY:
        return claimed, None
    record = _find_record(claimed.payload.serial)
    skew = int(setting("CLOCK_SKEW_SECONDS"))
    if record is None:
        # No pass of ours has this serial: check it against every live key, to tell a forgery
        # (unknown key, bad signature) from a pass whose record is gone, which we refuse.
        result = lib.verify(text, keyring.keyset_current(now=now), now=now, gate_area=gate_area, skew_s=skew)
        if result.authentic:
            logger.error("authentic pass with no record: serial %s", claimed.payload.serial)
            return lib.VerifyResult(False, Reason.REVOKED, result.payload), None
        return result, None
    key = record.signing_key
    revocations = lib.RevocationList(
        serials={record.serial} if record.revoked_at is not None else frozenset(),
        kids={key.kid} if key.status == KeyStatus.REVOKED else frozenset(),
    )
    result = lib.verify(
        text, lib.KeySet([keyring.pass_key_for(key)]), revocations, now, gate_area=gate_area, skew_s=skew
    )
    return result, (record if result.authentic else None)


def pass_check(
    *, text: object, gate: Gate | None = None, guard=None, ip: str | None = None, now: datetime | None = None
) -> CheckOutcome:
    """Check a scanned pass (its URL or token). With a gate, the scan is recorded for that gate.

    Never raises because of ``text``; every refusal is logged (without the token itself).
    """
    now = now or timezone.now()
    result, record = _verify(text, now, gate.area_id if gate is not None else None)
    reason = result.reason
    if reason == Reason.OK and record is not None:
        if record.rider.status != RiderStatus.VERIFIED:
            reason = Reason.REVOKED
        elif (
            gate is not None
            and not RiderFriendlyCommunity.objects.filter(area_id=gate.area_id, honours_pass=True).exists()
        ):
            reason = Reason.NOT_HONOURED_HERE
    event = None
    if gate is not None:
        event = AccessEvent.objects.create(
            gate=gate,
            area_id=gate.area_id,
            serial=result.payload.serial if result.authentic else None,
            rider_id=record.rider.pk if record is not None else None,
            guard=guard if guard is not None and guard.is_authenticated else None,
            at=now,
            ok=reason == Reason.OK,
            reason=reason.value,
        )
    if reason != Reason.OK:
        logger.warning(
            "rider pass refused: reason=%s serial=%s authentic=%s gate=%s ip=%s",
            reason.value,
            result.payload.serial if result.payload is not None else "-",
            result.authentic,
            gate.pk if gate is not None else "-",
            ip or "-",
        )
    return CheckOutcome(reason=reason, record=record, gate=gate, event=event, checked_at=now)
