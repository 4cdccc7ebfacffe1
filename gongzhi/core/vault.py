"""Django's door to ``gongzhi.lib.vault``: one key ring from settings, and the protect/reveal pair.

A protected value is stored three ways (ARCHITECTURE decision 5): encrypted (AES-GCM, or SM4 when
the cipher setting asks for national algorithms), as a keyed hash for exact-match look-ups (blind
index) and pre-masked for display, so list pages and exports never decrypt anything. Only an
audited reveal action calls ``reveal``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from gongzhi.lib.vault import KeyRing


@cache
def keyring() -> KeyRing:
    config = dict(settings.VAULT_KEYS)
    if settings.VAULT_CIPHER:  # the cipher is a setting (等保/GB/T 39786: SM4 where required)
        config["cipher"] = settings.VAULT_CIPHER
    return KeyRing.from_config(config)


@dataclass(frozen=True)
class Protected:
    enc: str
    index: str
    masked: str


def protect(value: str, *, context: str, mask: Callable[[str], str]) -> Protected:
    ring = keyring()
    return Protected(
        enc=ring.encrypt(value, context=context),
        index=ring.blind_index(value, context=context),
        masked=mask(value),
    )


def blind_index(value: str, *, context: str) -> str:
    return keyring().blind_index(value, context=context)


def reveal(token: str, *, context: str) -> str:
    """Decrypt a stored value. Callers are audited reveal actions, never list pages."""
    return keyring().decrypt(token, context=context)
