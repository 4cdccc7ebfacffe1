"""Pass-signing keys, the publishing key, and the signed documents gate devices sync.

Private seeds are stored encrypted through the vault (``gongzhi.core.vault``) and decrypted
once per process. Rotation adds a new key and retires the old one *for issuing*: the old public
key stays in the published key set until the last pass it signed has expired, so rotation never
invalidates a live pass. Revoking a key puts its kid on the revocation list: its passes fail at
once online and at the next sync offline.

Every change to the keys or to the revoked serials publishes a new document version with a
higher sequence number (``gongzhi.lib.passes`` refuses an older one at the gate: anti-rollback).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error
from gongzhi.core.vault import protect, reveal
from gongzhi.lib import passes as lib

from .conf import setting
from .models import (
    PUBLISHER_SEED_CONTEXT,
    SEED_CONTEXT,
    KeyStatus,
    PassRecord,
    PublishedDocument,
    PublisherKey,
    Revocation,
    RevokeReason,
    SigningKey,
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _no_mask(_value: str) -> str:
    return ""


def _seal(seed: bytes, context: str) -> str:
    return protect(b64url(seed), context=context, mask=_no_mask).enc


# Seeds are decrypted once per process and kept by kid; public keys are immutable per kid, so the
# parsed verification keys are cached the same way (the online check builds a KeySet per scan).
_signers: dict[str, lib.PassSigner] = {}
_publishers: dict[str, lib.Publisher] = {}
_pass_keys: dict[tuple[str, int, int], lib.PassKey] = {}


def signer_for(key: SigningKey) -> lib.PassSigner:
    signer = _signers.get(key.kid)
    if signer is None:
        signer = lib.PassSigner(unb64url(reveal(key.seed_enc, context=SEED_CONTEXT)))
        if signer.kid != key.kid:  # a swapped or corrupted row must never sign
            raise RuntimeError(f"signing key {key.kid} does not match its stored seed")
        _signers[key.kid] = signer
    return signer


def pass_key_for(key: SigningKey) -> lib.PassKey:
    cache_key = (key.kid, epoch(key.not_before), epoch(key.not_after))
    entry = _pass_keys.get(cache_key)
    if entry is None:
        entry = lib.PassKey(
            public_key=unb64url(key.public_key), not_before=cache_key[1], not_after=cache_key[2]
        )
        _pass_keys[cache_key] = entry
    return entry


def _locked_document(kind: str) -> PublishedDocument:
    try:
        with transaction.atomic():
            PublishedDocument.objects.get_or_create(kind=kind)
    except IntegrityError:  # created by a concurrent request: fine, lock it below
        pass
    return PublishedDocument.objects.select_for_update().get(kind=kind)


def _new_signing_key(now: datetime) -> SigningKey:
    signer = lib.PassSigner.generate()
    key = SigningKey.objects.create(
        kid=signer.kid,
        public_key=b64url(signer.public_key),
        seed_enc=_seal(signer.seed, SEED_CONTEXT),
        not_before=now.replace(microsecond=0),
        not_after=now.replace(microsecond=0) + timedelta(days=int(setting("KEY_ISSUING_DAYS"))),
        status=KeyStatus.ACTIVE,
    )
    _signers[key.kid] = signer
    return key


def _issuing_key_q(now: datetime) -> Q:
    return Q(status=KeyStatus.ACTIVE, not_before__lte=now, not_after__gt=now)


def signing_key_for_issuing(*, now: datetime | None = None) -> SigningKey:
    """The key that signs new passes now; when none may (first use, or its window ended), a new
    one is made, the old retired, and the key set republished."""
    now = now or timezone.now()
    key = SigningKey.objects.filter(_issuing_key_q(now)).order_by("-not_before", "-id").first()
    if key is not None:
        return key
    with transaction.atomic():
        _locked_document(PublishedDocument.Kind.KEYSET)  # one process makes the key; others wait
        key = SigningKey.objects.filter(_issuing_key_q(now)).order_by("-not_before", "-id").first()
        if key is not None:
            return key
        SigningKey.objects.filter(status=KeyStatus.ACTIVE, not_after__lte=now).update(
            status=KeyStatus.RETIRED, retired_at=now
        )
        key = _new_signing_key(now)
        audit_record(action="passes.key_create", obj=key, changes={"kid": key.kid})
        publish_keyset(now=now)
    return key


@transaction.atomic
def signing_key_rotate(*, actor, ip: str | None = None, now: datetime | None = None) -> SigningKey:
    """Start signing with a new key; the old ones stop issuing but keep verifying their passes."""
    now = now or timezone.now()
    _locked_document(PublishedDocument.Kind.KEYSET)
    old = list(SigningKey.objects.select_for_update().filter(status=KeyStatus.ACTIVE))
    for key in old:
        key.status = KeyStatus.RETIRED
        key.retired_at = now
        key.not_after = max(
            key.not_before + timedelta(seconds=1), min(key.not_after, now.replace(microsecond=0))
        )
        key.save(update_fields=["status", "retired_at", "not_after"])
    key = _new_signing_key(now)
    audit_record(
        actor=actor,
        action="passes.key_rotate",
        obj=key,
        ip=ip,
        changes={"kid": key.kid, "retired": ",".join(k.kid for k in old)},
    )
    publish_keyset(now=now)
    return key


@transaction.atomic
def signing_key_revoke(
    *, key: SigningKey, reason: str, actor, ip: str | None = None, now: datetime | None = None
) -> SigningKey:
    """Revoke a (leaked) key: every pass it signed fails, online at once, offline at the next sync.

    Riders get passes from a fresh key the next time their phone renews the pass.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise field_error("reason", _("Say why the key is revoked."), "passes.reason_required")
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.status == KeyStatus.REVOKED:
        raise ValidationError(_("This key is already revoked."), code="passes.key_already_revoked")
    key.status = KeyStatus.REVOKED
    key.revoked_at = now
    key.revoke_reason = reason[:200]
    key.save(update_fields=["status", "revoked_at", "revoke_reason"])
    Revocation.objects.create(
        signing_key=key,
        reason=RevokeReason.KEY_COMPROMISED,
        note=reason[:200],
        revoked_by=actor,
        revoked_at=now,
    )
    audit_record(actor=actor, action="passes.key_revoke", obj=key, ip=ip, changes={"reason": reason[:200]})
    publish_keyset(now=now)
    publish_revocations(now=now)
    return key


def publisher_current() -> lib.Publisher:
    """The publishing key (made on first use). Gates pin its public key."""
    row = PublisherKey.objects.filter(active=True).order_by("created_at", "id").first()
    if row is None:
        publisher = lib.Publisher.generate()
        row = PublisherKey.objects.create(
            kid=publisher.kid,
            public_key=b64url(publisher.public_key),
            seed_enc=_seal(publisher.seed, PUBLISHER_SEED_CONTEXT),
        )
        _publishers[row.kid] = publisher
        audit_record(action="passes.publisher_create", obj=row, changes={"kid": row.kid})
    publisher = _publishers.get(row.kid)
    if publisher is None:
        publisher = lib.Publisher(unb64url(reveal(row.seed_enc, context=PUBLISHER_SEED_CONTEXT)))
        _publishers[row.kid] = publisher
    return publisher


def _skew() -> timedelta:
    return timedelta(seconds=int(setting("CLOCK_SKEW_SECONDS")))


def live_signing_keys(*, now: datetime | None = None):
    """Keys a gate must know: those that may sign, and those whose passes have not all expired."""
    now = now or timezone.now()
    alive = Q(status=KeyStatus.ACTIVE, not_after__gt=now) | Q(passes__valid_until__gt=now - _skew())
    return SigningKey.objects.filter(alive).distinct().order_by("not_before", "id")


def keyset_current(*, now: datetime | None = None, sequence: int = 0, issued_at: int = 0) -> lib.KeySet:
    return lib.KeySet(
        [pass_key_for(k) for k in live_signing_keys(now=now)], sequence=sequence, issued_at=issued_at
    )


def revocations_current(
    *, now: datetime | None = None, sequence: int = 0, issued_at: int = 0
) -> lib.RevocationList:
    """Revoked serials of passes not yet expired, and revoked kids of keys still in the set."""
    now = now or timezone.now()
    serials = PassRecord.objects.filter(revoked_at__isnull=False, valid_until__gt=now - _skew()).values_list(
        "serial", flat=True
    )
    kids = live_signing_keys(now=now).filter(status=KeyStatus.REVOKED).values_list("kid", flat=True)
    return lib.RevocationList(sequence=sequence, issued_at=issued_at, serials=set(serials), kids=set(kids))


@transaction.atomic
def publish_keyset(*, now: datetime | None = None) -> PublishedDocument:
    now = now or timezone.now()
    publisher = publisher_current()
    doc = _locked_document(PublishedDocument.Kind.KEYSET)
    doc.sequence += 1
    doc.issued_at = now
    doc.document = publisher.publish_keyset(
        keyset_current(now=now, sequence=doc.sequence, issued_at=epoch(now))
    )
    doc.save(update_fields=["sequence", "issued_at", "document"])
    return doc


@transaction.atomic
def publish_revocations(*, now: datetime | None = None) -> PublishedDocument:
    now = now or timezone.now()
    publisher = publisher_current()
    doc = _locked_document(PublishedDocument.Kind.REVOCATIONS)
    doc.sequence += 1
    doc.issued_at = now
    doc.document = publisher.publish_revocations(
        revocations_current(now=now, sequence=doc.sequence, issued_at=epoch(now))
    )
    doc.save(update_fields=["sequence", "issued_at", "document"])
    return doc


def published_document(kind: str) -> PublishedDocument:
    """The latest signed document of ``kind``, publishing a first version when there is none."""
    doc = PublishedDocument.objects.filter(kind=kind).exclude(document="").first()
    if doc is not None:
        return doc
    return publish_keyset() if kind == PublishedDocument.Kind.KEYSET else publish_revocations()


def all_signing_keys():
    return SigningKey.objects.order_by("-not_before", "-id")


def signing_key_get(kid: str) -> SigningKey:
    from django.http import Http404

    key = SigningKey.objects.filter(kid=kid[:8]).first()
    if key is None:
        raise Http404
    return key


def publisher_public_keys() -> list[PublisherKey]:
    publisher_current()
    return list(PublisherKey.objects.filter(active=True).order_by("created_at", "id"))
