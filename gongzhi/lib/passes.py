"""Rider pass (暖新码): Ed25519-signed compact tokens that gate devices verify offline.

Pure Python (no Django). ARCHITECTURE decision 4: a rider shows a QR code carrying
``{base_url}/p/{token}``; any phone camera opens the check page, and a gate device verifies the
same token without a network, using a published key set and revocation list.

Flow
----
Issuing side (the Django app)::

    signer = PassSigner.generate()                    # store signer.seed encrypted
    key = signer.public_entry(not_before=t0, not_after=t0 + 180 * 86400)
    keyset = KeySet([key], sequence=1, issued_at=t0)
    token = signer.issue(serial=new_serial(), rider_id=42, valid_from=t0,
                         valid_until=t0 + 30 * 86400, areas=["510185"])
    url = pass_url("https://gz.example.cn", token)
    png = qr_png(url)

Publishing for gates (a separate publishing key, never a pass-signing key)::

    publisher = Publisher.generate()                  # gates trust publisher.public_key
    keyset_doc = publisher.publish_keyset(keyset)
    revocations_doc = publisher.publish_revocations(RevocationList(sequence=7, issued_at=t,
                                                                   serials={...}, kids=set()))

Gate side::

    keyset = load_keyset(keyset_doc, publisher_keys=[trusted_pk])
    revocations = load_revocations(revocations_doc, publisher_keys=[trusted_pk], held=previous)
    result = verify(scanned_text, keyset, revocations, now=time.time(), gate_area="510185001001")
    result.ok, result.reason, result.payload

Token format (version 1)
------------------------
``token = base64url_nopad(payload || signature)``, all integers big-endian:

======  =====  ==========================================================================
offset  bytes  field
======  =====  ==========================================================================
0       1      version, = 1
1       4      kid: first 4 bytes of SHA-256(public key) (see :func:`kid_for`)
5       8      serial, uint64: the pass's unique id, what a revocation names
13      8      rider_id, uint64
21      4      valid_from, uint32 UTC epoch seconds (inclusive)
25      4      valid_until, uint32 UTC epoch seconds (exclusive)
29      1      n: number of honoured areas, 0..MAX_AREAS; 0 means everywhere
30      6*n    per area: 1 byte digit count d (1..12), 5 bytes the prefix's value (< 10**d)
30+6n   64     Ed25519 signature over ``PASS_SIGNING_CONTEXT || payload``
======  =====  ==========================================================================

A pass honoured in one area is 100 bytes, 134 characters of base64url (126 with no area, +8 per
extra area). Behind ``https://gz.example.cn`` its URL is 158 characters: a version 9 QR code at
error level M (53x53 modules); a base URL of up to 15 characters keeps it at version 8 (49x49).

The signature covers a context prefix as well as the payload so that a pass-signing key's
signature can never be replayed as anything else (domain separation), and the base64url text must
be canonical (no padding, zero trailing bits, URL alphabet only): otherwise two different strings
would carry the same signed bytes and "every changed character is refused" would not hold.

Reasons and order
-----------------
:func:`verify` answers one :class:`Reason`. Before the signature: ``malformed``,
``unsupported_version``, ``unknown_key`` (the kid is read only to find the key),
``bad_signature``. After it, when the payload is believed: ``key_revoked``, ``revoked``,
``not_yet_valid``, ``expired``, ``not_honoured_here``, else ``ok``.

Published documents
-------------------
A key set or revocation list travels as JSON::

    {"format": 1, "kind": "gongzhi.pass.keyset" | "gongzhi.pass.revocations",
     "publisher": "<kid of the publishing key>", "body": "<the JSON text of the list>",
     "signature": "<base64url Ed25519 over DOCUMENT_SIGNING_CONTEXT || kind || 0x00 || body>"}

The body is carried as a string so the signature covers its exact bytes (no JSON
canonicalisation to get wrong in another language). Its ``sequence`` only grows: a gate refuses
a list older than the one it holds (anti-rollback).

Library choice: PyNaCl (libsodium). Measured on the project machine, one Ed25519 check costs
~55-60 µs through PyNaCl and ~110-180 µs through ``cryptography``; libsodium also refuses
non-canonical signatures and small-order keys, so signatures are not malleable.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import functools
import hashlib
import io
import json
import logging
import secrets
import struct
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

__all__ = [
    "DEFAULT_SKEW_S",
    "DOCUMENT_ERRORS",
    "DOCUMENT_SIGNING_CONTEXT",
    "MAX_AREAS",
    "MAX_TEXT_LEN",
    "PASS_SIGNING_CONTEXT",
    "TOKEN_VERSION",
    "DocumentError",
    "KeySet",
    "PassKey",
    "PassPayload",
    "PassSigner",
    "Publisher",
    "Reason",
    "RevocationList",
    "VerifyResult",
    "area_prefix",
    "kid_for",
    "load_keyset",
    "load_revocations",
    "main",
    "new_serial",
    "pass_url",
    "qr_png",
    "qr_svg",
    "token_from_text",
    "verify",
]

logger = logging.getLogger(__name__)

TOKEN_VERSION = 1
#: Prepended to the payload before signing: domain separation for pass-signing keys.
PASS_SIGNING_CONTEXT = b"gongzhi/pass\x00"
#: Prepended (with the document kind) to a published document's body before signing.
DOCUMENT_SIGNING_CONTEXT = b"gongzhi/document\x00"
DOCUMENT_FORMAT = 1
KEYSET_KIND = "gongzhi.pass.keyset"
REVOCATIONS_KIND = "gongzhi.pass.revocations"

#: Default tolerance for a gate device's clock, applied at both ends of the validity window.
DEFAULT_SKEW_S = 300
#: Each area adds 8 characters to the QR text; a pass honoured in more places should use a
#: broader prefix (a county's 6 digits) instead.
MAX_AREAS = 16
#: Scanned text longer than this is refused before any work: a real pass URL is ~160 characters.
MAX_TEXT_LEN = 2048

KID_LEN = 4
SIGNATURE_LEN = 64
PUBLIC_KEY_LEN = 32
SEED_LEN = 32
_UINT64_MAX = 2**64 - 1
_UINT32_MAX = 2**32 - 1

# version, kid, serial, rider_id, valid_from, valid_until, area count
_HEADER = struct.Struct(">B4sQQIIB")
_AREA_LEN = 6
_AREA_COUNT_AT = _HEADER.size - 1
_MIN_RAW_LEN = _HEADER.size + SIGNATURE_LEN
# Significant prefix lengths of a 12-digit statistical division code (ARCHITECTURE decision 1):
# province, city, county, town/street, village/community.
_LEVEL_LENGTHS = (2, 4, 6, 9, 12)

# base64url -> standard alphabet for binascii; '+', '/' and '=' are not base64url and must not
# be accepted as aliases of '-', '_' or as padding, so they map to a byte strict mode refuses.
_URLSAFE_TO_STD = bytes.maketrans(b"-_+/=", b"+/***")
_PADDING = (b"", b"", b"==", b"=")


class Reason(StrEnum):
    """Why a pass was accepted or refused. Stable codes: add, never rename."""

    OK = "ok"
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    KEY_REVOKED = "key_revoked"
    NOT_HONOURED_HERE = "not_honoured_here"


# Reasons given before (or because) the signature did not check out: the payload, if any, is
# only what the token claims.
_UNAUTHENTICATED = frozenset(
    {Reason.MALFORMED, Reason.UNSUPPORTED_VERSION, Reason.UNKNOWN_KEY, Reason.BAD_SIGNATURE}
)


# ---------------------------------------------------------------------------------------------
# Small helpers: encodings, kids, areas, serials


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes | None:
    """Strict, canonical base64url without padding; ``None`` when ``text`` is not exactly that."""
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    rem = len(data) % 4
    if rem == 1:
        return None
    std = data.translate(_URLSAFE_TO_STD) + _PADDING[rem]
    try:
        raw = binascii.a2b_base64(std, strict_mode=True)
    except binascii.Error:
        return None
    # Strict mode still ignores non-zero trailing bits in the last character; re-encoding is the
    # cheapest complete test that this is the one canonical spelling of ``raw``.
    if binascii.b2a_base64(raw, newline=False) != std:
        return None
    return raw


def kid_for(public_key: bytes) -> str:
    """Key id of an Ed25519 public key: the first 4 bytes of its SHA-256, as 8 hex characters.

    Derived rather than assigned so a key set cannot pair a kid with the wrong key. 32 bits are
    plenty for the handful of keys alive at once; :class:`KeySet` refuses a collision.
    """
    return hashlib.sha256(bytes(public_key)).digest()[:KID_LEN].hex()


def area_prefix(code: int | str) -> str:
    """The digit prefix a pass is honoured under, from an area code or prefix.

    A full 12-digit code is cut to its significant prefix by level (510185000000 -> "510185",
    510185001000 -> "510185001", 510185001002 stays whole). Anything shorter (``"510185"`` or
    ``510185``) is taken as the prefix itself. Raises ``ValueError`` for anything but 1-12 ASCII
    digits.
    """
    if isinstance(code, bool) or not isinstance(code, int | str):
        raise ValueError("an area code is an int or a string of digits")
    digits = str(code)
    if not (digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 12):
        raise ValueError("an area code is 1 to 12 ASCII digits")
    if len(digits) < 12:
        return digits
    significant = len(digits.rstrip("0"))
    for level in _LEVEL_LENGTHS:
        if significant <= level:
            return digits[:level]
    return digits  # unreachable: the last level is 12


def _gate_digits(gate_area: int | str) -> str:
    if type(gate_area) is str and gate_area.isdigit() and gate_area.isascii():
        return gate_area  # the common case, first: verify() calls this on every scan
    if isinstance(gate_area, bool) or not isinstance(gate_area, int | str):
        raise ValueError("gate_area is an area code: an int or a string of digits")
    digits = str(gate_area)
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("gate_area is an area code: ASCII digits only")
    return digits


def new_serial() -> int:
    """A fresh random pass serial, below 2**63.

    Random rather than sequential so that several issuing processes need no coordination; the
    app should still keep serials unique (a unique index) and draw again on the rare clash.
    63 bits, though the token holds 64: it must fit a signed bigint column (PostgreSQL's
    ``bigint``, Django's ``PositiveBigIntegerField``).
    """
    return secrets.randbits(63)


def _check_uint(name: str, value: Any, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValueError(f"{name} must be an integer in 0..{maximum}")
    return value


def _epoch(now: float | datetime | None) -> float:
    if type(now) is int or type(now) is float:
        return now  # the common case, first: verify() calls this on every scan
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (or epoch seconds)")
        return now.timestamp()
    if isinstance(now, bool) or not isinstance(now, int | float):
        raise TypeError("now is epoch seconds or an aware datetime")
    return now


# ---------------------------------------------------------------------------------------------
# Payload and result


# PassPayload and VerifyResult are NamedTuples, not frozen dataclasses: a frozen dataclass costs
# ~1 µs to build (one object.__setattr__ per field), a NamedTuple ~0.2 µs, and verify() builds
# both on every scan (see bench/bench_passes.py). Both are immutable either way.


class PassPayload(NamedTuple):
    """The signed content of a pass. Times are UTC epoch seconds, valid_until exclusive."""

    version: int
    kid: str
    serial: int
    rider_id: int
    valid_from: int
    valid_until: int
    #: digit prefixes the pass is honoured under; empty means everywhere
    areas: tuple[str, ...]

    def honoured_at(self, gate_area: int | str) -> bool:
        """True when a gate in ``gate_area`` (its full code) lies under one of the pass's areas."""
        gate = _gate_digits(gate_area)
        return not self.areas or any(gate.startswith(prefix) for prefix in self.areas)


class VerifyResult(NamedTuple):
    """Outcome of :func:`verify`; ``bool(result)`` is ``result.ok``.

    ``payload`` is set whenever the token parsed, even when refused, so a check page can say
    which pass it was; trust its fields only when :attr:`authentic` is true.
    """

    ok: bool
    reason: Reason
    payload: PassPayload | None = None

    @property
    def authentic(self) -> bool:
        """True when the payload was signed by a key in the key set (whatever else failed)."""
        return self.payload is not None and self.reason not in _UNAUTHENTICATED

    def __bool__(self) -> bool:
        # A non-empty tuple is always truthy; make ``if verify(...):`` mean what it reads as.
        return self.ok


_MALFORMED = VerifyResult(False, Reason.MALFORMED)
_UNSUPPORTED = VerifyResult(False, Reason.UNSUPPORTED_VERSION)


def _encode_payload(
    kid: bytes, serial: int, rider_id: int, valid_from: int, valid_until: int, areas: Sequence[str]
) -> bytes:
    parts = [_HEADER.pack(TOKEN_VERSION, kid, serial, rider_id, valid_from, valid_until, len(areas))]
    for prefix in areas:
        parts.append(bytes([len(prefix)]) + int(prefix).to_bytes(_AREA_LEN - 1, "big"))
    return b"".join(parts)


# Passes of one city share a handful of area lists, so decoding them once per distinct list
# takes ~0.5 µs off a scan. Bounded, so a flood of forged area bytes only costs recomputation.
@functools.lru_cache(maxsize=1024)
def _decode_areas(blob: bytes) -> tuple[str, ...] | None:
    """The area prefixes in ``blob`` (6 bytes each), or ``None`` if one is not canonical."""
    areas = []
    for offset in range(0, len(blob), _AREA_LEN):
        digits = blob[offset]
        value = int.from_bytes(blob[offset + 1 : offset + _AREA_LEN], "big")
        if not 1 <= digits <= 12 or value >= 10**digits:
            return None
        areas.append(str(value).zfill(digits))
    return tuple(areas)


# ---------------------------------------------------------------------------------------------
# Keys


@dataclass(frozen=True, slots=True)
class PassKey:
    """A public pass-verification key with its issuing window.

    ``not_before``/``not_after`` (epoch seconds, half-open) say when the key may *sign* new
    passes; they do not limit verification. Rotation: add a new key whose window starts as the
    old one's ends; the old public key stays in the set and keeps verifying the passes it signed
    until they expire. To stop a key's passes at once (a leaked key), revoke its kid in the
    :class:`RevocationList`.
    """

    public_key: bytes
    not_before: int
    not_after: int
    kid: str = field(init=False)
    _verify_key: VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, bytes) or len(self.public_key) != PUBLIC_KEY_LEN:
            raise ValueError("an Ed25519 public key is 32 bytes")
        _check_uint("not_before", self.not_before, _UINT32_MAX)
        _check_uint("not_after", self.not_after, _UINT32_MAX)
        if self.not_after <= self.not_before:
            raise ValueError("not_after must be later than not_before")
        object.__setattr__(self, "kid", kid_for(self.public_key))
        object.__setattr__(self, "_verify_key", VerifyKey(self.public_key))

    def may_sign_at(self, now: float | datetime) -> bool:
        """True when ``now`` lies in the key's issuing window."""
        return self.not_before <= _epoch(now) < self.not_after

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "public_key": _b64url(self.public_key),
            "not_before": self.not_before,
            "not_after": self.not_after,
        }

    @classmethod
    def from_json_dict(cls, data: Any) -> PassKey:
        """Parse one key entry; raises :class:`DocumentError` ("malformed") on anything off."""
        if not isinstance(data, dict) or set(data) != {"kid", "public_key", "not_before", "not_after"}:
            raise DocumentError("malformed")
        raw = _b64url_decode(data["public_key"]) if isinstance(data["public_key"], str) else None
        if raw is None:
            raise DocumentError("malformed")
        try:
            key = cls(public_key=raw, not_before=data["not_before"], not_after=data["not_after"])
        except ValueError as exc:
            raise DocumentError("malformed") from exc
        if key.kid != data["kid"]:
            raise DocumentError("malformed")
        return key


class KeySet:
    """Public pass keys by kid, plus the sequence/issued_at under which they were published.

    Immutable once built. Raises ``ValueError`` on two keys with the same kid.
    """

    __slots__ = ("_by_kid", "issued_at", "sequence")

    def __init__(self, keys: Iterable[PassKey] = (), *, sequence: int = 0, issued_at: int = 0) -> None:
        by_kid: dict[str, PassKey] = {}
        for key in keys:
            if not isinstance(key, PassKey):
                raise TypeError("a KeySet holds PassKey objects")
            if key.kid in by_kid:
                raise ValueError(f"duplicate kid {key.kid}")
            by_kid[key.kid] = key
        self._by_kid = by_kid
        self.sequence = _check_uint("sequence", sequence, _UINT64_MAX)
        self.issued_at = _check_uint("issued_at", issued_at, _UINT64_MAX)

    def get(self, kid: str) -> PassKey | None:
        return self._by_kid.get(kid)

    def __contains__(self, kid: object) -> bool:
        return kid in self._by_kid

    def __iter__(self) -> Iterator[PassKey]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeySet):
            return NotImplemented
        return (self.sequence, self.issued_at, self._by_kid) == (
            other.sequence,
            other.issued_at,
            other._by_kid,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KeySet(kids={sorted(self._by_kid)}, sequence={self.sequence})"

    def with_key(self, key: PassKey, *, sequence: int, issued_at: int) -> KeySet:
        """A new key set with ``key`` added (rotation), published under a new sequence."""
        return KeySet([*self, key], sequence=sequence, issued_at=issued_at)

    def signing_key_at(
        self, now: float | datetime, revocations: RevocationList | None = None
    ) -> PassKey | None:
        """The key that should sign passes at ``now``: among keys whose issuing window holds
        ``now`` and whose kid is not revoked, the one with the latest ``not_before``."""
        t = _epoch(now)
        revoked = revocations.kids if revocations is not None else frozenset()
        candidates = [
            k for k in self._by_kid.values() if k.not_before <= t < k.not_after and k.kid not in revoked
        ]
        return max(candidates, key=lambda k: (k.not_before, k.kid), default=None)

    def to_json(self) -> str:
        """The unsigned JSON form (also the body of a published key set document)."""
        return _canonical_json(
            {
                "kind": KEYSET_KIND,
                "sequence": self.sequence,
                "issued_at": self.issued_at,
                "keys": [k.to_json_dict() for k in sorted(self, key=lambda k: k.kid)],
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> KeySet:
        """Parse the unsigned JSON form; raises :class:`DocumentError` on anything off."""
        data = _load_json_object(text)
        if data.get("kind") != KEYSET_KIND:
            raise DocumentError("wrong_kind")
        if set(data) != {"kind", "sequence", "issued_at", "keys"} or not isinstance(data["keys"], list):
            raise DocumentError("malformed")
        keys = [PassKey.from_json_dict(entry) for entry in data["keys"]]
        try:
            return cls(keys, sequence=data["sequence"], issued_at=data["issued_at"])
        except (TypeError, ValueError) as exc:
            raise DocumentError("malformed") from exc


class _Ed25519Holder:
    """Shared private-key plumbing of :class:`PassSigner` and :class:`Publisher`."""

    __slots__ = ("_signing_key", "kid", "public_key")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or len(seed) != SEED_LEN:
            raise ValueError("an Ed25519 private key seed is 32 bytes")
        self._signing_key = SigningKey(seed)
        self.public_key: bytes = bytes(self._signing_key.verify_key)
        self.kid: str = kid_for(self.public_key)

    @property
    def seed(self) -> bytes:
        """The 32-byte private seed: the secret to store (encrypted) and to load back with."""
        return bytes(self._signing_key)

    def __repr__(self) -> str:  # never print the seed
        return f"{type(self).__name__}(kid={self.kid})"


class PassSigner(_Ed25519Holder):
    """A private pass-signing key. Build from a stored seed, or :meth:`generate` a new one."""

    __slots__ = ()

    @classmethod
    def generate(cls) -> PassSigner:
        return cls(bytes(SigningKey.generate()))

    def public_entry(self, *, not_before: int, not_after: int) -> PassKey:
        """The public half with its issuing window, for the :class:`KeySet`."""
        return PassKey(public_key=self.public_key, not_before=not_before, not_after=not_after)

    def issue(
        self,
        *,
        serial: int,
        rider_id: int,
        valid_from: int,
        valid_until: int,
        areas: Iterable[int | str] = (),
    ) -> str:
        """Sign a pass and return its token (base64url, no padding).

        ``areas`` are codes or prefixes normalised by :func:`area_prefix`, duplicates dropped;
        empty means honoured everywhere. Raises ``ValueError`` on out-of-range fields, on
        ``valid_until <= valid_from`` and on more than :data:`MAX_AREAS` areas. Choosing a key
        whose issuing window holds the issue time is the caller's job
        (:meth:`KeySet.signing_key_at`).
        """
        _check_uint("serial", serial, _UINT64_MAX)
        _check_uint("rider_id", rider_id, _UINT64_MAX)
        _check_uint("valid_from", valid_from, _UINT32_MAX)
        _check_uint("valid_until", valid_until, _UINT32_MAX)
        if valid_until <= valid_from:
            raise ValueError("valid_until must be later than valid_from")
        prefixes = tuple(dict.fromkeys(area_prefix(a) for a in areas))
        if len(prefixes) > MAX_AREAS:
            raise ValueError(f"a pass names at most {MAX_AREAS} areas")
        payload = _encode_payload(
            bytes.fromhex(self.kid), serial, rider_id, valid_from, valid_until, prefixes
        )
        signature = self._signing_key.sign(PASS_SIGNING_CONTEXT + payload).signature
        return _b64url(payload + signature)


# ---------------------------------------------------------------------------------------------
# Revocations


@dataclass(frozen=True, slots=True)
class RevocationList:
    """Revoked pass serials and revoked kids, published under an increasing ``sequence``.

    A serial need only stay listed until its pass expires; the publisher may prune it then.
    """

    sequence: int = 0
    issued_at: int = 0
    #: any set on input (``{1, 2}``), stored as a frozenset
    serials: AbstractSet[int] = frozenset()
    kids: AbstractSet[str] = frozenset()

    def __post_init__(self) -> None:
        _check_uint("sequence", self.sequence, _UINT64_MAX)
        _check_uint("issued_at", self.issued_at, _UINT64_MAX)
        serials = frozenset(self.serials)
        kids = frozenset(self.kids)
        for serial in serials:
            _check_uint("serial", serial, _UINT64_MAX)
        for kid in kids:
            if not (isinstance(kid, str) and len(kid) == 2 * KID_LEN and _is_lower_hex(kid)):
                raise ValueError("a kid is 8 lowercase hex characters")
        object.__setattr__(self, "serials", serials)
        object.__setattr__(self, "kids", kids)

    def to_json(self) -> str:
        """The unsigned JSON form (also the body of a published revocation document).

        Serials are decimal strings: a uint64 does not survive a JavaScript number.
        """
        return _canonical_json(
            {
                "kind": REVOCATIONS_KIND,
                "sequence": self.sequence,
                "issued_at": self.issued_at,
                "serials": [str(s) for s in sorted(self.serials)],
                "kids": sorted(self.kids),
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RevocationList:
        """Parse the unsigned JSON form; raises :class:`DocumentError` on anything off."""
        data = _load_json_object(text)
        if data.get("kind") != REVOCATIONS_KIND:
            raise DocumentError("wrong_kind")
        if set(data) != {"kind", "sequence", "issued_at", "serials", "kids"}:
            raise DocumentError("malformed")
        serials, kids = data["serials"], data["kids"]
        if not isinstance(serials, list) or not isinstance(kids, list):
            raise DocumentError("malformed")
        if not all(isinstance(s, str) and s.isascii() and s.isdigit() and len(s) <= 20 for s in serials):
            raise DocumentError("malformed")
        try:
            return cls(
                sequence=data["sequence"],
                issued_at=data["issued_at"],
                serials=frozenset(int(s) for s in serials),
                kids=frozenset(kids),
            )
        except (TypeError, ValueError) as exc:
            raise DocumentError("malformed") from exc


def _is_lower_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


# ---------------------------------------------------------------------------------------------
# Token text and URLs


def pass_url(base_url: str, token: str) -> str:
    """The URL a pass's QR code carries: ``{base_url}/p/{token}``."""
    return f"{base_url.rstrip('/')}/p/{token}"


def token_from_text(text: object) -> str | None:
    """The token in a scanned URL or raw token text, or ``None`` if there cannot be one.

    Whitespace around is stripped; a URL's token is what follows its last ``/p/``, without query,
    fragment or trailing slash (WeChat and some scanners append those). The host is not checked:
    the signature, not the URL, makes a pass genuine. Never raises.
    """
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_TEXT_LEN:
            return None
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if not isinstance(text, str) or len(text) > MAX_TEXT_LEN:
        return None
    text = text.strip()
    cut = text.rfind("/p/")
    if cut >= 0:
        text = text[cut + 3 :]
        for sep in "?#":
            end = text.find(sep)
            if end >= 0:
                text = text[:end]
        text = text.rstrip("/")
    return text or None


# ---------------------------------------------------------------------------------------------
# Verification


def verify(
    token_or_url: object,
    keyset: KeySet,
    revocations: RevocationList | None = None,
    now: float | datetime | None = None,
    *,
    gate_area: int | str | None = None,
    skew_s: float = DEFAULT_SKEW_S,
) -> VerifyResult:
    """Check a scanned pass offline; never raises because of ``token_or_url``, whatever it is.

    ``now`` is epoch seconds or an aware datetime (default: the clock). The pass is valid from
    ``valid_from - skew_s`` until before ``valid_until + skew_s``. ``gate_area`` is the full code
    of the gate's area; ``None`` skips the place check (a phone's check page has no gate).

    Order: the cheap structural checks, the kid (only to find the key), the signature; only then
    is any payload field believed: key revoked, serial revoked, not yet valid, expired, place.
    Raises only for programming errors in the other (trusted) arguments.
    """
    if not isinstance(keyset, KeySet):
        raise TypeError("keyset must be a KeySet")
    if revocations is not None and not isinstance(revocations, RevocationList):
        raise TypeError("revocations must be a RevocationList or None")
    t = _epoch(now)
    gate = None if gate_area is None else _gate_digits(gate_area)
    try:
        return _verify(token_or_url, keyset, revocations, t, gate, skew_s)
    except Exception:
        # Defence in depth for a gate device: a parser bug must refuse the pass, not crash the
        # scanner. Logged, because it is a bug; the property-based tests watch this logger.
        logger.exception("unexpected error while verifying a pass")
        return _MALFORMED


def _verify(
    token_or_url: object,
    keyset: KeySet,
    revocations: RevocationList | None,
    t: float,
    gate: str | None,
    skew_s: float,
) -> VerifyResult:
    text = token_from_text(token_or_url)
    if text is None:
        return _MALFORMED
    raw = _b64url_decode(text)
    if raw is None or len(raw) < _MIN_RAW_LEN:
        return _MALFORMED
    if raw[0] != TOKEN_VERSION:
        return _UNSUPPORTED
    count = raw[_AREA_COUNT_AT]
    body_len = _HEADER.size + _AREA_LEN * count
    if count > MAX_AREAS or len(raw) != body_len + SIGNATURE_LEN:
        return _MALFORMED
    _, kid_bytes, serial, rider_id, valid_from, valid_until, _ = _HEADER.unpack_from(raw)
    areas = _decode_areas(raw[_HEADER.size : body_len]) if count else ()
    if areas is None:
        return _MALFORMED
    kid = kid_bytes.hex()
    payload = PassPayload(TOKEN_VERSION, kid, serial, rider_id, valid_from, valid_until, areas)

    key = keyset._by_kid.get(kid)
    if key is None:
        return VerifyResult(False, Reason.UNKNOWN_KEY, payload)
    try:
        key._verify_key.verify(PASS_SIGNING_CONTEXT + raw[:body_len], raw[body_len:])
    except BadSignatureError:
        return VerifyResult(False, Reason.BAD_SIGNATURE, payload)

    # The payload is authentic from here on.
    if revocations is not None:
        if kid in revocations.kids:
            return VerifyResult(False, Reason.KEY_REVOKED, payload)
        if serial in revocations.serials:
            return VerifyResult(False, Reason.REVOKED, payload)
    if t + skew_s < valid_from:
        return VerifyResult(False, Reason.NOT_YET_VALID, payload)
    if t - skew_s >= valid_until:
        return VerifyResult(False, Reason.EXPIRED, payload)
    if gate is not None and areas:
        for prefix in areas:
            if gate.startswith(prefix):
                break
        else:
            return VerifyResult(False, Reason.NOT_HONOURED_HERE, payload)
    return VerifyResult(True, Reason.OK, payload)


# ---------------------------------------------------------------------------------------------
# Published documents (key set, revocation list) for gate devices

#: Stable error codes of :class:`DocumentError` and their English messages.
DOCUMENT_ERRORS: dict[str, str] = {
    "malformed": "The document is not a well-formed Gongzhi pass document.",
    "wrong_kind": "The document is of another kind than expected.",
    "unsupported_version": "The document format version is not supported.",
    "unknown_publisher": "The document is signed by a publisher key that is not trusted.",
    "bad_signature": "The document's signature does not match: it was altered or forged.",
    "rollback": "The document is older than the one already held.",
    "conflict": "The document has the same sequence as the one held but different content.",
}


class DocumentError(ValueError):
    """A published document was refused. ``code`` is a key of :data:`DOCUMENT_ERRORS`."""

    def __init__(self, code: str) -> None:
        if code not in DOCUMENT_ERRORS:  # a programming error, not bad input
            raise KeyError(f"unknown document error code: {code!r}")
        self.code = code
        super().__init__(DOCUMENT_ERRORS[code])


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _load_json_object(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DocumentError("malformed") from exc
    if not isinstance(data, dict):
        raise DocumentError("malformed")
    return data


def _document_message(kind: str, body: str) -> bytes:
    # The kind is signed too, so a revocation list can never pass for a key set or vice versa.
    return DOCUMENT_SIGNING_CONTEXT + kind.encode("ascii") + b"\x00" + body.encode("utf-8")


class Publisher(_Ed25519Holder):
    """The publishing key: signs the key set and revocation list that gate devices sync.

    Deliberately separate from pass-signing keys: it lives where the lists are built, and gates
    pin its public key (``publisher_keys``), so a leaked pass key cannot publish a key set.
    """

    __slots__ = ()

    @classmethod
    def generate(cls) -> Publisher:
        return cls(bytes(SigningKey.generate()))

    def _publish(self, kind: str, body: str) -> str:
        signature = self._signing_key.sign(_document_message(kind, body)).signature
        envelope = {
            "format": DOCUMENT_FORMAT,
            "kind": kind,
            "publisher": self.kid,
            "body": body,
            "signature": _b64url(signature),
        }
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=True, indent=None)

    def publish_keyset(self, keyset: KeySet) -> str:
        """A signed JSON document carrying ``keyset`` (its sequence and issued_at included)."""
        return self._publish(KEYSET_KIND, keyset.to_json())

    def publish_revocations(self, revocations: RevocationList) -> str:
        """A signed JSON document carrying ``revocations``."""
        return self._publish(REVOCATIONS_KIND, revocations.to_json())


def _open_document(document: str | bytes, kind: str, publisher_keys: Iterable[bytes]) -> str:
    """Check an envelope's signature against the trusted publisher keys; return its body."""
    envelope = _load_json_object(document)
    if set(envelope) != {"format", "kind", "publisher", "body", "signature"}:
        raise DocumentError("malformed")
    if envelope["format"] != DOCUMENT_FORMAT or isinstance(envelope["format"], bool):
        raise DocumentError("unsupported_version")
    if envelope["kind"] != kind:
        raise DocumentError("wrong_kind")
    body, signature_text = envelope["body"], envelope["signature"]
    if not isinstance(body, str) or not isinstance(signature_text, str):
        raise DocumentError("malformed")
    signature = _b64url_decode(signature_text)
    if signature is None or len(signature) != SIGNATURE_LEN:
        raise DocumentError("malformed")
    trusted = {kid_for(pk): pk for pk in publisher_keys}
    public_key = trusted.get(envelope["publisher"]) if isinstance(envelope["publisher"], str) else None
    if public_key is None:
        raise DocumentError("unknown_publisher")
    try:
        message = _document_message(kind, body)
    except UnicodeEncodeError as exc:  # a lone surrogate from a "\ud800" escape
        raise DocumentError("malformed") from exc
    try:
        VerifyKey(public_key).verify(message, signature)
    except BadSignatureError as exc:
        raise DocumentError("bad_signature") from exc
    return body


def load_keyset(
    document: str | bytes, *, publisher_keys: Iterable[bytes], held: KeySet | None = None
) -> KeySet:
    """Verify a published key set document and return its :class:`KeySet`.

    Raises :class:`DocumentError`: ``unknown_publisher`` unless signed by one of
    ``publisher_keys``; ``bad_signature`` if altered; ``rollback`` if its sequence is lower than
    ``held``'s; ``conflict`` if equal to ``held``'s with different content; ``malformed`` /
    ``wrong_kind`` / ``unsupported_version`` otherwise.
    """
    keyset = KeySet.from_json(_open_document(document, KEYSET_KIND, publisher_keys))
    if held is not None:
        _check_sequence(keyset.sequence, held.sequence, keyset == held)
    return keyset


def load_revocations(
    document: str | bytes, *, publisher_keys: Iterable[bytes], held: RevocationList | None = None
) -> RevocationList:
    """Verify a published revocation document and return its :class:`RevocationList`.

    Anti-rollback: refused (``rollback``) when its sequence is lower than ``held``'s, so a
    replayed old list cannot un-revoke a pass. Other errors as :func:`load_keyset`.
    """
    revocations = RevocationList.from_json(_open_document(document, REVOCATIONS_KIND, publisher_keys))
    if held is not None:
        _check_sequence(revocations.sequence, held.sequence, revocations == held)
    return revocations


def _check_sequence(new: int, held: int, same_content: bool) -> None:
    if new < held:
        raise DocumentError("rollback")
    if new == held and not same_content:
        raise DocumentError("conflict")


# ---------------------------------------------------------------------------------------------
# QR codes


def _qr(url: str) -> Any:
    import segno  # imported here: a verify-only gate build need not ship segno

    # Level M survives a scuffed or partly glared phone screen and keeps a ~160-character URL
    # at version 8; segno raises the level further when that costs no extra size.
    return segno.make(url, error="m", micro=False)


def qr_png(url: str, *, scale: int = 8, border: int = 4) -> bytes:
    """The QR code for ``url`` as PNG bytes (``scale`` pixels per module, quiet zone ``border``)."""
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 4, border: int = 4) -> str:
    """The QR code for ``url`` as an inline SVG element (no XML declaration), for templates."""
    return str(_qr(url).svg_inline(scale=scale, border=border))


# ---------------------------------------------------------------------------------------------
# Command line: ``gongzhi pass verify TOKEN --keys keys.json ...``


def _parse_now(text: str) -> float:
    if text.isascii() and text.isdigit():
        return float(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # a bare ISO time on the command line is read as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _publisher_key(text: str) -> bytes:
    raw = _b64url_decode(text.rstrip("="))
    if raw is None or len(raw) != PUBLIC_KEY_LEN:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None or len(raw) != PUBLIC_KEY_LEN:
        raise argparse.ArgumentTypeError("a publisher key is 32 bytes, base64url or hex")
    return raw


def _read_keyset(path: str, publisher_keys: list[bytes]) -> KeySet:
    with open(path, "rb") as fh:
        text = fh.read()
    if isinstance(_load_json_object(text).get("signature"), str):
        if not publisher_keys:
            raise DocumentError("unknown_publisher")
        return load_keyset(text, publisher_keys=publisher_keys)
    return KeySet.from_json(text)


def _read_revocations(path: str, publisher_keys: list[bytes]) -> RevocationList:
    with open(path, "rb") as fh:
        text = fh.read()
    if isinstance(_load_json_object(text).get("signature"), str):
        if not publisher_keys:
            raise DocumentError("unknown_publisher")
        return load_revocations(text, publisher_keys=publisher_keys)
    return RevocationList.from_json(text)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongzhi pass", description="Rider pass (暖新码) tools.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser(
        "verify",
        help="verify a pass token or URL offline",
        description="Verify a pass offline. Exit status 0 when valid, 1 when not, 2 on a usage "
        "or file error. Prints the reason code first, then the pass's fields.",
    )
    check.add_argument("token", help="the token, or the scanned URL containing it")
    check.add_argument("--keys", required=True, help="key set JSON (published signed, or plain)")
    check.add_argument("--revocations", help="revocation list JSON (published signed, or plain)")
    check.add_argument("--gate-area", help="full area code of the gate (checks where it is honoured)")
    check.add_argument("--now", help="check time: ISO 8601 (UTC if no offset) or epoch seconds")
    check.add_argument("--skew", type=float, default=DEFAULT_SKEW_S, help="clock skew in seconds")
    check.add_argument(
        "--publisher-key",
        action="append",
        default=[],
        type=_publisher_key,
        help="trusted publisher public key (base64url or hex); needed for signed documents. "
        "Write it as --publisher-key=KEY: a base64url key may begin with '-'",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry of ``gongzhi pass``; ``argv`` starts at the verb (``["verify", TOKEN, ...]``)."""
    parser = _build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        now = None if args.now is None else _parse_now(args.now)
        if args.gate_area is not None:
            _gate_digits(args.gate_area)
        keyset = _read_keyset(args.keys, args.publisher_key)
        revocations = (
            None if args.revocations is None else _read_revocations(args.revocations, args.publisher_key)
        )
    except (OSError, ValueError) as exc:  # DocumentError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = verify(args.token, keyset, revocations, now, gate_area=args.gate_area, skew_s=args.skew)
    print(result.reason.value)
    payload = result.payload
    if payload is not None:
        if not result.authentic:
            print("(unauthenticated: the fields below are only what the token claims)")
        print(f"kid: {payload.kid}")
        print(f"serial: {payload.serial}")
        print(f"rider_id: {payload.rider_id}")
        print(f"valid_from: {_iso(payload.valid_from)}")
        print(f"valid_until: {_iso(payload.valid_until)}")
        print(f"areas: {' '.join(payload.areas) if payload.areas else 'everywhere'}")
    return 0 if result.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
