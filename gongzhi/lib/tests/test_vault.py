"""Tests for gongzhi.lib.vault: field encryption, rotation and blind indexes."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.lib.vault import (
    BLIND_INDEX_LENGTH,
    KeyRing,
    VaultError,
    generate_key,
    generate_keyring_config,
)

CONTEXT = "person.id_number"
ID_NUMBER = "510185199001011239"
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def raw_key(byte: int) -> bytes:
    return bytes([byte]) * 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def make_ring(*, cipher: str = "AES-256-GCM", current: str = "k2", **kwargs) -> KeyRing:
    return KeyRing(
        keys={"k1": raw_key(1), "k2": raw_key(2)},
        current=current,
        index_key=raw_key(9),
        cipher=cipher,
        **kwargs,
    )


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return make_ring()


def vault_code(func, *args, **kwargs) -> str:
    with pytest.raises(VaultError) as info:
        func(*args, **kwargs)
    return info.value.code


# -- encryption -------------------------------------------------------------------------------


@pytest.mark.parametrize("cipher", ["AES-256-GCM", "SM4-GCM"])
def test_encrypt__round_trips(cipher):
    ring = make_ring(cipher=cipher)
    for value in (ID_NUMBER, "", "张三 13812341234", "x" * 1000):
        assert ring.decrypt(ring.encrypt(value, context=CONTEXT), context=CONTEXT) == value


@settings(max_examples=50)
@given(st.text())
def test_encrypt__round_trips_any_text(value):
    ring = make_ring()
    assert ring.decrypt(ring.encrypt(value, context=CONTEXT), context=CONTEXT) == value


def test_encrypt__token_has_documented_header_and_no_plaintext(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    version, cipher_id, key_id, body = token.split(".")
    assert (version, cipher_id, key_id) == ("v1", "A", "k2")
    # nonce 12 + ciphertext 18 + tag 16 = 46 bytes -> 62 base64url characters, unpadded
    assert len(body) == 62 and "=" not in body
    assert ID_NUMBER not in token


def test_sm4_token__names_the_sm4_cipher():
    assert make_ring(cipher="SM4-GCM").encrypt(ID_NUMBER, context=CONTEXT).startswith("v1.S.k2.")


def test_encrypt__same_plaintext_gives_different_tokens(ring):
    tokens = {ring.encrypt(ID_NUMBER, context=CONTEXT) for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize("cipher", ["AES-256-GCM", "SM4-GCM"])
def test_decrypt__refuses_a_token_with_any_character_changed(cipher):
    ring = make_ring(cipher=cipher)
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    for pos, char in enumerate(token):
        replacement = "B" if char == "A" else "A"
        with pytest.raises(VaultError):
            ring.decrypt(token[:pos] + replacement + token[pos + 1 :], context=CONTEXT)


def test_decrypt__refuses_any_bit_flipped_in_the_body(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    header, body = token.rsplit(".", 1)
    raw = base64.urlsafe_b64decode(body + "==")
    for i in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[i // 8] ^= 1 << (i % 8)
        tampered = f"{header}.{base64.urlsafe_b64encode(bytes(flipped)).rstrip(b'=').decode()}"
        assert vault_code(ring.decrypt, tampered, context=CONTEXT) == "vault.invalid"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "plain text",
        "v1.A.k2",
        "v1.A.k2.",
        "v1.A.k2.AAAA",
        "v1.A.k2.AAA=",
        "v1.A.k2.AA AA",
        "v1.A.k2.x.y",
        None,
    ],
)
def test_decrypt__refuses_values_that_are_not_tokens(ring, token):
    assert vault_code(ring.decrypt, token, context=CONTEXT) in {"vault.malformed", "vault.unsupported"}


def test_decrypt__refuses_truncated_or_extended_tokens(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    for tampered in (token[:-1], token[:-4], token + "A", token + "AAAA"):
        with pytest.raises(VaultError):
            ring.decrypt(tampered, context=CONTEXT)


def test_decrypt__refuses_the_wrong_context(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    assert vault_code(ring.decrypt, token, context="person.mobile") == "vault.invalid"


def test_decrypt__refuses_a_swapped_header(ring):
    # Pasting the body under another key id (or cipher) fails: the header is associated data.
    body = ring.encrypt(ID_NUMBER, context=CONTEXT).split(".")[3]
    assert vault_code(ring.decrypt, f"v1.A.k1.{body}", context=CONTEXT) == "vault.invalid"
    assert vault_code(ring.decrypt, f"v1.S.k2.{body}", context=CONTEXT) == "vault.invalid"


def test_decrypt__refuses_unknown_key_ids_version_and_cipher(ring):
    body = ring.encrypt(ID_NUMBER, context=CONTEXT).split(".")[3]
    assert vault_code(ring.decrypt, f"v1.A.k3.{body}", context=CONTEXT) == "vault.unknown_key"
    assert vault_code(ring.decrypt, f"v2.A.k2.{body}", context=CONTEXT) == "vault.unsupported"
    assert vault_code(ring.decrypt, f"v1.Z.k2.{body}", context=CONTEXT) == "vault.unsupported"


def test_decrypt__refuses_a_token_from_another_ring():
    other = KeyRing(keys={"k2": raw_key(7)}, current="k2", index_key=raw_key(9))
    token = other.encrypt(ID_NUMBER, context=CONTEXT)
    assert vault_code(make_ring().decrypt, token, context=CONTEXT) == "vault.invalid"


@pytest.mark.parametrize("context", ["", "person id", "x" * 101, "a\x00b", "身份证", None])
def test_encrypt__refuses_an_invalid_context(ring, context):
    assert vault_code(ring.encrypt, ID_NUMBER, context=context) == "vault.context"


def test_encrypt__refuses_non_text(ring):
    with pytest.raises(TypeError):
        ring.encrypt(b"bytes", context=CONTEXT)
    assert vault_code(ring.encrypt, "\ud800", context=CONTEXT) == "vault.plaintext"


def test_error_messages__never_contain_the_token_or_plaintext(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(VaultError) as info:
        ring.decrypt(token, context="other.field")
    assert token not in str(info.value) and ID_NUMBER not in str(info.value)


# -- rotation ---------------------------------------------------------------------------------


def test_rotation__old_tokens_decrypt_need_rotation_and_rotate_to_the_current_key():
    old_ring = make_ring(current="k1")
    old_token = old_ring.encrypt(ID_NUMBER, context=CONTEXT)
    ring = make_ring(current="k2")

    assert ring.decrypt(old_token, context=CONTEXT) == ID_NUMBER
    assert ring.needs_rotation(old_token)

    new_token = ring.rotate(old_token, context=CONTEXT)
    assert new_token.startswith("v1.A.k2.")
    assert not ring.needs_rotation(new_token)
    assert ring.decrypt(new_token, context=CONTEXT) == ID_NUMBER


def test_rotate__leaves_a_current_token_unchanged(ring):
    token = ring.encrypt(ID_NUMBER, context=CONTEXT)
    assert not ring.needs_rotation(token)
    assert ring.rotate(token, context=CONTEXT) == token


def test_rotate__refuses_an_old_token_with_the_wrong_context():
    old_token = make_ring(current="k1").encrypt(ID_NUMBER, context=CONTEXT)
    assert vault_code(make_ring().rotate, old_token, context="person.mobile") == "vault.invalid"


def test_rotation__switching_cipher_keeps_old_tokens_readable_and_flags_them():
    aes_token = make_ring().encrypt(ID_NUMBER, context=CONTEXT)
    sm4_ring = make_ring(cipher="SM4-GCM")
    assert sm4_ring.decrypt(aes_token, context=CONTEXT) == ID_NUMBER
    assert sm4_ring.needs_rotation(aes_token)
    assert sm4_ring.rotate(aes_token, context=CONTEXT).startswith("v1.S.k2.")
    # and back again: an AES ring still reads SM4 tokens
    sm4_token = sm4_ring.encrypt(ID_NUMBER, context=CONTEXT)
    assert make_ring().decrypt(sm4_token, context=CONTEXT) == ID_NUMBER


def test_needs_rotation__refuses_tokens_the_ring_cannot_read(ring):
    assert vault_code(ring.needs_rotation, "v1.A.k9.AAAA") == "vault.unknown_key"


# -- blind index ------------------------------------------------------------------------------


def test_blind_index__is_deterministic_hex_of_documented_length(ring):
    index = ring.blind_index(ID_NUMBER, context=CONTEXT)
    assert index == ring.blind_index(ID_NUMBER, context=CONTEXT)
    assert len(index) == BLIND_INDEX_LENGTH == 32
    assert int(index, 16) >= 0


def test_blind_index__normalises_case_width_and_whitespace(ring):
    expected = ring.blind_index("11010519491231002X", context=CONTEXT)
    assert ring.blind_index(" 11010519491231002x ", context=CONTEXT) == expected
    assert ring.blind_index("１１０１０５１９４９１２３１００２Ｘ", context=CONTEXT) == expected


def test_blind_index__differs_by_value_context_and_index_key(ring):
    index = ring.blind_index(ID_NUMBER, context=CONTEXT)
    assert ring.blind_index("510185199001011220", context=CONTEXT) != index
    assert ring.blind_index(ID_NUMBER, context="person.mobile") != index
    other_index_key = KeyRing(keys={"k2": raw_key(2)}, current="k2", index_key=raw_key(8))
    assert other_index_key.blind_index(ID_NUMBER, context=CONTEXT) != index


def test_blind_index__is_stable_across_data_key_rotation(ring):
    rotated = KeyRing(keys={"k3": raw_key(3)}, current="k3", index_key=raw_key(9))
    assert rotated.blind_index(ID_NUMBER, context=CONTEXT) == ring.blind_index(ID_NUMBER, context=CONTEXT)


def test_blind_index__uses_hmac_sm3_with_sm4_unless_pinned(ring):
    sm4 = make_ring(cipher="SM4-GCM")
    assert sm4.index_hash == "HMAC-SM3"
    assert sm4.blind_index(ID_NUMBER, context=CONTEXT) != ring.blind_index(ID_NUMBER, context=CONTEXT)
    pinned = make_ring(cipher="SM4-GCM", index_hash="HMAC-SHA256")
    assert pinned.blind_index(ID_NUMBER, context=CONTEXT) == ring.blind_index(ID_NUMBER, context=CONTEXT)


def test_blind_index__matches_the_documented_construction(ring):
    import hashlib
    import hmac

    message = b"gongzhi-blind-index/v1\x00" + CONTEXT.encode() + b"\x00" + ID_NUMBER.encode()
    expected = hmac.new(raw_key(9), message, hashlib.sha256).hexdigest()[:32]
    assert ring.blind_index(ID_NUMBER, context=CONTEXT) == expected


# -- SM4 primitive ----------------------------------------------------------------------------


def test_sm4_gcm__matches_the_rfc_8998_test_vector():
    # RFC 8998 appendix A.1: proves the installed SM4-GCM is the standard construction.
    encryptor = Cipher(
        algorithms.SM4(bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")),
        modes.GCM(bytes.fromhex("00001234567800000000ABCD")),
    ).encryptor()
    encryptor.authenticate_additional_data(bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plaintext = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("cipher", ["AES-256-GCM", "SM4-GCM"])
def test_generate_keyring_config__makes_a_working_json_config(cipher):
    config = json.loads(json.dumps(generate_keyring_config(cipher=cipher, key_id="dev1")))
    assert config["current"] == "dev1" and config["cipher"] == cipher
    ring = KeyRing.from_config(config)
    assert ring.decrypt(ring.encrypt(ID_NUMBER, context=CONTEXT), context=CONTEXT) == ID_NUMBER


def test_generate_keyring_config__gives_fresh_keys_and_a_dated_key_id():
    first, second = generate_keyring_config(), generate_keyring_config()
    assert first["keys"] != second["keys"] and first["index_key"] != second["index_key"]
    assert first["current"].startswith("k") and len(first["current"]) == 9


def test_from_config__accepts_url_safe_and_unpadded_base64():
    key = raw_key(0xFB)
    config = {
        "current": "a",
        "keys": {"a": base64.urlsafe_b64encode(key).decode().rstrip("=")},
        "index_key": generate_key(),
    }
    assert KeyRing.from_config(config).key_ids == frozenset({"a"})


def good_config() -> dict:
    return {
        "cipher": "AES-256-GCM",
        "current": "k1",
        "keys": {"k1": b64(raw_key(1))},
        "index_key": b64(raw_key(9)),
    }


@pytest.mark.parametrize(
    "change",
    [
        {"cipher": "AES-128-CBC"},
        {"index_hash": "MD5"},
        {"current": "k2"},
        {"current": None},
        {"keys": {}},
        {"keys": {"k1": b64(raw_key(1)[:16])}},  # 16 bytes, not 32
        {"keys": {"k1": "not base64!"}},
        {"keys": {"k 1": b64(raw_key(1))}, "current": "k 1"},  # key id with a space
        {"keys": {"k1": b64(raw_key(1)), "k2": b64(raw_key(1))}},  # the same key twice
        {"index_key": b64(raw_key(1))},  # index key equal to a data key
        {"index_key": None},
        {"curent": "k1"},  # unknown field: a typo must not pass silently
    ],
)
def test_from_config__refuses_invalid_configuration(change):
    config = good_config() | change
    assert vault_code(KeyRing.from_config, config) == "vault.config"


def test_key_ring__repr_shows_no_key_material():
    config = good_config()
    text = repr(KeyRing.from_config(config))
    assert "k1" in text
    assert config["keys"]["k1"] not in text and config["index_key"] not in text
