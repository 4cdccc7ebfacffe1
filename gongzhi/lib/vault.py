"""Field encryption and blind indexes for personal data (ARCHITECTURE decision 5).

Pure Python on top of ``cryptography``; no Django. The Django layer builds one :class:`KeyRing`
from settings and uses it for encrypted model fields and their lookup columns.

Key ring configuration (JSON-friendly; keys are base64 of 32 random bytes)::

    {
        "cipher": "AES-256-GCM",          # or "SM4-GCM" (GB/T 32907-2016, national algorithm)
        "current": "k20250101",           # key id used for new encryptions
        "keys": {"k20250101": "<base64>", "k20240101": "<base64>"},
        "index_key": "<base64>",          # blind-index key, separate from every data key
        "index_hash": "HMAC-SHA256",      # optional; default follows the cipher (SM4 -> HMAC-SM3)
    }

Token format (ASCII, safe in URLs, JSON and SQL text columns; ``.`` separates four fields)::

    v1.<cipher id>.<key id>.<base64url without padding of: nonce(12) || ciphertext || tag(16)>

    cipher id: "A" = AES-256-GCM, "S" = SM4-GCM.  Example: v1.A.k20250101.bX3...

The header is in clear so that rows needing rotation can be found in SQL
(``WHERE col NOT LIKE 'v1.A.k20250101.%'``). The associated data authenticated by GCM is
``"gongzhi-vault" NUL <header> NUL <context>``, so changing any header field, or copying a
token to another column (another ``context``), fails authentication.

Keys. A configured key is 32 bytes of key material, never used directly: each cipher gets its own
working key, HKDF-SHA256 -> 32 bytes for AES-256, HKDF-SM3 -> 16 bytes for SM4, with the cipher
name in ``info``. One key material therefore never feeds two algorithms, and a deployment can
switch cipher and rotate gradually: tokens carry their cipher, so old ones still decrypt.

SM4 decision. ``cryptography`` supports SM4 in GCM mode (checked on 50.0 with its bundled
OpenSSL), and its output matches the RFC 8998 SM4-GCM test vector (see the tests), so SM4 uses the
same AEAD construction as AES: no CTR + HMAC fallback is needed. A build without SM4-GCM or SM3
(e.g. linked to an old system OpenSSL) is refused when an SM4 key ring is built, not at the
first encryption; an AES ring on such a build works but cannot read SM4 tokens.

Limits. Nonces are 96 random bits: stay well under 2**32 encryptions per key (NIST SP 800-38D),
i.e. rotate the current key at least yearly at province scale. Ciphertext length reveals
plaintext length (harmless for fixed-length IDs and phone numbers).

Blind index. ``HMAC(index_key, "gongzhi-blind-index/v1" NUL context NUL normalised value)``,
truncated to :data:`BLIND_INDEX_LENGTH` hex characters (128 bits: collisions are negligible for
exact-match lookups). It is deterministic by design, so it reveals which rows share a value, and
anyone holding the index key can test guesses (phone numbers have only ~2**33 values): guard the
index key like the data keys. It does not depend on the data keys, so data-key rotation leaves
indexes unchanged; changing the index key or ``index_hash`` means recomputing every index.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hmac as std_hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "BLIND_INDEX_LENGTH",
    "CIPHERS",
    "ERROR_MESSAGES",
    "INDEX_HASHES",
    "KEY_BYTES",
    "KeyRing",
    "VaultError",
    "generate_key",
    "generate_keyring_config",
    "sm4_gcm_available",
]

KEY_BYTES = 32
BLIND_INDEX_LENGTH = 32  # hex characters = 128 bits
FORMAT_VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16

#: Cipher setting -> cipher id written in tokens.
CIPHERS: dict[str, str] = {"AES-256-GCM": "A", "SM4-GCM": "S"}
_CIPHER_BY_ID = {cid: name for name, cid in CIPHERS.items()}
#: Blind-index hash settings; the default follows the cipher (national algorithms together).
INDEX_HASHES = ("HMAC-SHA256", "HMAC-SM3")
_DEFAULT_INDEX_HASH = {"AES-256-GCM": "HMAC-SHA256", "SM4-GCM": "HMAC-SM3"}

#: Stable error codes. Messages never include token, plaintext or key material.
ERROR_MESSAGES: dict[str, str] = {
    "vault.config": "The key ring configuration is invalid.",
    "vault.context": "The encryption context must be 1-100 characters of A-Z a-z 0-9 _ . : / -.",
    "vault.plaintext": "The value cannot be encrypted: it is not valid Unicode text.",
    "vault.malformed": "The value is not an encrypted token.",
    "vault.unsupported": "The token uses an unknown format version or cipher.",
    "vault.unknown_key": "The token was encrypted under a key that is not in the key ring.",
    "vault.invalid": "The token failed authentication: it was altered, or belongs to another field.",
}

_KEY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_CONTEXT_RE = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")
_BODY_RE = re.compile(r"[A-Za-z0-9_-]+")
_CONFIG_FIELDS = frozenset({"cipher", "current", "keys", "index_key", "index_hash"})


class VaultError(Exception):
    """Encryption, decryption or configuration failed. ``code`` is a key of :data:`ERROR_MESSAGES`.

    ``detail`` (configuration errors only) says what is wrong; it never contains key material.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        message = ERROR_MESSAGES[code]
        super().__init__(f"{message} {detail}".strip())


@dataclass(frozen=True, slots=True)
class _Header:
    version: str
    cipher: str
    key_id: str

    @property
    def text(self) -> str:
        return f"{self.version}.{CIPHERS[self.cipher]}.{self.key_id}"


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode_canonical(text: str) -> bytes:
    """Decode unpadded base64url, refusing any text that is not the canonical encoding.

    Python's decoder skips foreign characters and ignores the unused low bits of the last
    character; re-encoding and comparing makes every changed character an error.
    """
    if not _BODY_RE.fullmatch(text):
        raise VaultError("vault.malformed")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise VaultError("vault.malformed") from None
    if _b64url_encode(data) != text:
        raise VaultError("vault.malformed")
    return data


def _decode_key(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise VaultError("vault.config", f"{what} must be a base64 string.")
    try:
        # Accept standard and URL-safe alphabets, padded or not.
        text = value.strip().replace("-", "+").replace("_", "/")
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise VaultError("vault.config", f"{what} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise VaultError("vault.config", f"{what} must decode to {KEY_BYTES} bytes.")
    return raw


def _check_context(context: object) -> bytes:
    if not isinstance(context, str) or not _CONTEXT_RE.fullmatch(context):
        raise VaultError("vault.context")
    return context.encode("ascii")


def _associated_data(header: _Header, context: bytes) -> bytes:
    return b"gongzhi-vault\x00" + header.text.encode("ascii") + b"\x00" + context


def _derive(material: bytes, cipher: str) -> bytes:
    """Working key for ``cipher`` from configured key material (see module docstring)."""
    info = b"gongzhi-vault/v1/" + cipher.encode("ascii")
    if cipher == "SM4-GCM":
        return HKDF(algorithm=hashes.SM3(), length=16, salt=None, info=info).derive(material)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _seal(cipher: str, key: bytes, nonce: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Return ciphertext || tag."""
    if cipher == "AES-256-GCM":
        return AESGCM(key).encrypt(nonce, plaintext, ad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(ad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, ad: bytes) -> bytes:
    """Return the plaintext; raises ``InvalidTag`` when authentication fails."""
    if cipher == "AES-256-GCM":
        return AESGCM(key).decrypt(nonce, sealed, ad)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(ad)
    return decryptor.update(ciphertext) + decryptor.finalize()


@functools.cache
def sm4_gcm_available() -> bool:
    """True when this cryptography/OpenSSL build offers SM4-GCM and SM3 (checked once)."""
    try:
        _seal("SM4-GCM", _derive(bytes(KEY_BYTES), "SM4-GCM"), bytes(NONCE_BYTES), b"", b"")
    except UnsupportedAlgorithm:
        return False
    return True


def _normalise_for_index(value: str) -> bytes:
    # Part of the index format: changing it invalidates every stored index.
    return unicodedata.normalize("NFKC", value).strip().casefold().encode("utf-8")


class KeyRing:
    """Data keys (one current) plus a blind-index key, and the operations that use them.

    Immutable after construction and safe to share between threads. ``repr`` shows key ids
    only, never key material.
    """

    __slots__ = ("_cipher", "_current", "_index_hash", "_index_key", "_key_ids", "_working_keys")

    def __init__(
        self,
        *,
        keys: Mapping[str, bytes],
        current: str,
        index_key: bytes,
        cipher: str = "AES-256-GCM",
        index_hash: str | None = None,
    ) -> None:
        """Build a ring from raw 32-byte keys; raises ``VaultError("vault.config")`` when invalid.

        The current key must be in ``keys``; key ids are 1-32 of ``A-Z a-z 0-9 _ -``; no two
        keys, nor a data key and the index key, may be equal (a copy-paste slip in settings).
        """
        if not isinstance(cipher, str) or cipher not in CIPHERS:
            raise VaultError("vault.config", f"cipher must be one of {', '.join(CIPHERS)}.")
        index_hash = index_hash or _DEFAULT_INDEX_HASH[cipher]
        if not isinstance(index_hash, str) or index_hash not in INDEX_HASHES:
            raise VaultError("vault.config", f"index_hash must be one of {', '.join(INDEX_HASHES)}.")
        if not keys:
            raise VaultError("vault.config", "At least one data key is required.")
        for key_id, material in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
                raise VaultError("vault.config", "Key ids are 1-32 characters of A-Z a-z 0-9 _ -.")
            if not isinstance(material, bytes) or len(material) != KEY_BYTES:
                raise VaultError("vault.config", f"Key {key_id} must be {KEY_BYTES} bytes.")
        if not isinstance(current, str) or current not in keys:
            raise VaultError("vault.config", "The current key id is not among the keys.")
        if not isinstance(index_key, bytes) or len(index_key) != KEY_BYTES:
            raise VaultError("vault.config", f"The index key must be {KEY_BYTES} bytes.")
        materials = [*keys.values(), index_key]
        if len(set(materials)) != len(materials):
            raise VaultError("vault.config", "Every data key and the index key must differ.")
        sm4 = sm4_gcm_available()
        if cipher == "SM4-GCM" and not sm4:
            raise VaultError("vault.config", "This cryptography/OpenSSL build lacks SM4-GCM or SM3.")
        if index_hash == "HMAC-SM3" and not sm4:
            raise VaultError("vault.config", "This cryptography/OpenSSL build lacks SM3.")

        self._cipher = cipher
        self._current = current
        self._key_ids = frozenset(keys)
        self._index_hash = index_hash
        self._index_key = index_key
        # Working keys for every available cipher, so tokens written before a cipher switch
        # (in either direction) still decrypt and can be rotated.
        self._working_keys = {
            (key_id, name): _derive(material, name)
            for key_id, material in keys.items()
            for name in CIPHERS
            if name != "SM4-GCM" or sm4
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> KeyRing:
        """Build a ring from the JSON-friendly mapping described in the module docstring."""
        if not isinstance(config, Mapping):
            raise VaultError("vault.config", "The configuration must be a mapping.")
        unknown = set(config) - _CONFIG_FIELDS
        if unknown:
            raise VaultError("vault.config", f"Unknown fields: {', '.join(sorted(map(str, unknown)))}.")
        keys = config.get("keys")
        if not isinstance(keys, Mapping):
            raise VaultError("vault.config", "'keys' must map key ids to base64 keys.")
        return cls(
            keys={key_id: _decode_key(value, f"Key {key_id}") for key_id, value in keys.items()},
            current=config.get("current"),  # type checked in __init__
            index_key=_decode_key(config.get("index_key"), "The index key"),
            cipher=config.get("cipher", "AES-256-GCM"),
            index_hash=config.get("index_hash"),
        )

    # -- introspection -----------------------------------------------------------------------

    @property
    def cipher(self) -> str:
        return self._cipher

    @property
    def current_key_id(self) -> str:
        return self._current

    @property
    def key_ids(self) -> frozenset[str]:
        return self._key_ids

    @property
    def index_hash(self) -> str:
        return self._index_hash

    def __repr__(self) -> str:
        ids = ", ".join(sorted(self.key_ids))
        return f"<KeyRing cipher={self._cipher} current={self._current} keys=[{ids}]>"

    # -- encryption --------------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt ``plaintext`` under the current key and cipher, bound to ``context``.

        ``context`` names the place the value lives (e.g. ``"person.id_number"``); the token only
        decrypts with the same context. A fresh random nonce makes equal plaintexts encrypt to
        different tokens. Raises ``TypeError`` for a non-str plaintext.
        """
        if not isinstance(plaintext, str):
            raise TypeError("plaintext must be str")
        ad_context = _check_context(context)
        try:
            data = plaintext.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            raise VaultError("vault.plaintext") from None
        header = _Header(FORMAT_VERSION, self._cipher, self._current)
        nonce = secrets.token_bytes(NONCE_BYTES)
        key = self._working_keys[(self._current, self._cipher)]
        sealed = _seal(self._cipher, key, nonce, data, _associated_data(header, ad_context))
        return f"{header.text}.{_b64url_encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Return the plaintext of ``token``, encrypted under any key of the ring.

        Raises :class:`VaultError`: ``vault.malformed`` (not a token), ``vault.unsupported``,
        ``vault.unknown_key``, ``vault.invalid`` (altered in any way, or another ``context``).
        """
        ad_context = _check_context(context)
        header, body = self._parse(token)
        if len(body) < NONCE_BYTES + TAG_BYTES:
            raise VaultError("vault.malformed")
        key = self._working_keys[(header.key_id, header.cipher)]
        ad = _associated_data(header, ad_context)
        try:
            data = _open(header.cipher, key, body[:NONCE_BYTES], body[NONCE_BYTES:], ad)
        except InvalidTag:
            raise VaultError("vault.invalid") from None
        return data.decode("utf-8")  # authenticated, so it is the UTF-8 we wrote

    def needs_rotation(self, token: str) -> bool:
        """True when ``token`` was not written with the current version, cipher and key.

        Reads the header only (no authentication); raises :class:`VaultError` for a token this
        ring cannot decrypt at all.
        """
        header, _ = self._parse(token)
        return (header.version, header.cipher, header.key_id) != (
            FORMAT_VERSION,
            self._cipher,
            self._current,
        )

    def rotate(self, token: str, *, context: str) -> str:
        """Return ``token`` re-encrypted under the current key and cipher.

        A token that does not need rotation is returned unchanged (so a batch job can rewrite
        only the rows whose value changed); otherwise it is decrypted, which authenticates it.
        """
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def _parse(self, token: object) -> tuple[_Header, bytes]:
        if not isinstance(token, str):
            raise VaultError("vault.malformed")
        parts = token.split(".")
        if len(parts) != 4:
            raise VaultError("vault.malformed")
        version, cipher_id, key_id, body = parts
        cipher = _CIPHER_BY_ID.get(cipher_id)
        if version != FORMAT_VERSION or cipher is None:
            raise VaultError("vault.unsupported")
        if (key_id, cipher) not in self._working_keys:
            if key_id in self._key_ids:  # an SM4 token on a build without SM4
                raise VaultError("vault.unsupported")
            raise VaultError("vault.unknown_key")
        return _Header(version, cipher, key_id), _b64url_decode_canonical(body)

    # -- blind index -------------------------------------------------------------------------

    def blind_index(self, value: str, *, context: str) -> str:
        """Keyed hash of ``value`` for exact-match lookups: :data:`BLIND_INDEX_LENGTH` hex chars.

        ``value`` is normalised (NFKC, stripped, case-folded); callers should still pass the
        canonical form (``idcodes.normalize_mobile``, ``parse_id_card(...).number``). The same
        value gives different indexes under different contexts and index keys; data-key
        rotation does not change it.
        """
        if not isinstance(value, str):
            raise TypeError("value must be str")
        ad_context = _check_context(context)
        try:
            message = b"gongzhi-blind-index/v1\x00" + ad_context + b"\x00" + _normalise_for_index(value)
        except UnicodeEncodeError:
            raise VaultError("vault.plaintext") from None
        if self._index_hash == "HMAC-SM3":
            mac = crypto_hmac.HMAC(self._index_key, hashes.SM3())
            mac.update(message)
            digest = mac.finalize()
        else:
            digest = std_hmac.digest(self._index_key, message, "sha256")
        return digest.hex()[:BLIND_INDEX_LENGTH]


def generate_key() -> str:
    """A fresh random 32-byte key, base64-encoded, to add to ``keys`` when rotating."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def generate_keyring_config(*, cipher: str = "AES-256-GCM", key_id: str | None = None) -> dict[str, Any]:
    """A fresh key ring configuration with one data key and an index key (e.g. for ``var/``).

    ``key_id`` defaults to ``k`` + today's UTC date (``k20250101``), which sorts by age.
    """
    if cipher not in CIPHERS:
        raise VaultError("vault.config", f"cipher must be one of {', '.join(CIPHERS)}.")
    key_id = key_id or f"k{dt.datetime.now(tz=dt.UTC):%Y%m%d}"
    config: dict[str, Any] = {
        "cipher": cipher,
        "current": key_id,
        "keys": {key_id: generate_key()},
        "index_key": generate_key(),
    }
    KeyRing.from_config(config)  # validates key_id and cipher support before handing it out
    return config
