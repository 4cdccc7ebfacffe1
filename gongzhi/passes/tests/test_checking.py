"""The online check: QR round trip through a real decoder, tampering, expiry and clock skew,
revocation, rotation, the place, garbage, and what a guard's scan records."""

from __future__ import annotations

import base64
import io
import logging
from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from conftest import BAITALU
from gongzhi.lib import passes as lib
from gongzhi.passes import keyring, services
from gongzhi.passes.checking import pass_check
from gongzhi.passes.models import AccessEvent, RiderFriendlyCommunity

pytestmark = pytest.mark.django_db
Reason = lib.Reason
SKEW = timedelta(seconds=300)


def _bytes(token: str) -> bytearray:
    return bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_qr_png__decoded_by_zxing__opens_a_green_check_page(client, rider):
    record = services.pass_current(rider=rider)
    url = lib.pass_url("http://testserver", record.token)
    png = lib.qr_png(url)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [d.text for d in decoded] == [url]
    response = client.get(decoded[0].text.removeprefix("http://testserver"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-reason="ok"' in body and "pass-ok" in body
    assert "王*" in body and "王强" not in body  # the name is masked
    assert f"/p/{record.token}/photo.jpg" in body


def test_qr_on_the_riders_page__decoded_by_zxing__is_the_pass(signed_in, rider):
    """The SVG the rider's phone shows carries the same URL (rendered to pixels and decoded)."""
    import re

    page = signed_in(rider.user).get("/passes/my/").content.decode()
    record = services.pass_current(rider=rider)
    url = lib.pass_url("http://testserver/", record.token)
    assert url in page
    # Rasterise segno's path data (one module per unit) and decode it.
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    path = re.search(r' d="([^"]+)"', svg).group(1)
    size = int(re.search(r'viewBox="0 0 (\d+)', svg).group(1)) // 6
    image = Image.new("L", (size * 8, size * 8), 255)
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        elif op == "h":
            for i in range(int(round(a))):
                image.paste(
                    0, (int((x + i) * 8), int((y - 0.5) * 8), int((x + i + 1) * 8), int((y + 0.5) * 8))
                )
            x += a
    decoded = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [d.text for d in decoded] == [url]


def test_every_changed_byte__is_refused_red(rider, gate_a):
    token = services.pass_current(rider=rider).token
    raw = _bytes(token)
    reasons = set()
    for i in range(len(raw)):
        forged = bytearray(raw)
        forged[i] ^= 0x01
        outcome = pass_check(text=_token(forged))
        assert not outcome.ok, f"byte {i} changed and still accepted"
        assert outcome.record is None  # nothing of the rider is shown for a forgery
        reasons.add(outcome.reason)
    assert reasons <= {Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY, Reason.UNSUPPORTED_VERSION, Reason.MALFORMED}
    assert Reason.BAD_SIGNATURE in reasons


def test_a_pass_resigned_with_another_key__is_forged(rider):
    record = services.pass_current(rider=rider)
    payload = lib.verify(record.token, lib.KeySet()).payload
    thief = lib.PassSigner.generate()
    forged = thief.issue(
        serial=payload.serial,
        rider_id=payload.rider_id,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until + 86400 * 365,
        areas=payload.areas,
    )
    assert pass_check(text=forged).reason == Reason.UNKNOWN_KEY


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "garbage",
        "/p/",
        "%00%ff",
        "p/" + "A" * 3000,
        "🙂🙂",
        "../../etc/passwd",
        "AAAA" * 40,
        "http://evil/p/abc?x=1",
    ],
)
def test_garbage__is_a_clear_red_page_never_a_crash(client, text, caplog):
    with caplog.at_level(logging.WARNING, logger="gongzhi.passes.check"):
        response = client.get("/p/" + text if text else "/p/-")
    assert response.status_code == 200
    body = response.content.decode()
    assert "pass-bad" in body and "pass-ok" not in body
    assert any("rider pass refused" in r.getMessage() for r in caplog.records)


def test_expiry__honours_a_few_minutes_of_clock_skew_and_no_more(rider):
    record = services.pass_current(rider=rider)
    until = record.valid_until
    assert pass_check(text=record.token, now=until - timedelta(seconds=1)).ok
    assert pass_check(
        text=record.token, now=until + SKEW - timedelta(seconds=1)
    ).ok  # a gate clock 5 min slow
    assert pass_check(text=record.token, now=until + SKEW).reason == Reason.EXPIRED
    # A screenshot replayed the next day fails.
    assert pass_check(text=record.token, now=until + timedelta(days=1)).reason == Reason.EXPIRED


def test_not_yet_valid__a_phone_clock_minutes_ahead_is_tolerated(rider):
    record = services.pass_current(rider=rider)
    start = record.valid_from
    assert pass_check(text=record.token, now=start - timedelta(minutes=4)).ok
    assert pass_check(text=record.token, now=start - timedelta(minutes=6)).reason == Reason.NOT_YET_VALID


def test_revocation__takes_effect_online_at_once(rider, worker_of_community_a, gate_a):
    record = services.pass_current(rider=rider)
    assert pass_check(text=record.token, gate=gate_a).ok
    services.pass_revoke(rider=rider, reason="misconduct", note="与保安冲突", actor=worker_of_community_a)
    outcome = pass_check(text=record.token, gate=gate_a)
    assert outcome.reason == Reason.REVOKED
    assert (
        outcome.event.ok is False and outcome.event.reason == "revoked" and outcome.event.rider_id == rider.pk
    )


def test_rotation__keeps_unexpired_passes_valid_and_signs_new_ones_with_the_new_key(rider, security_admin):
    old = services.pass_current(rider=rider)
    new_key = keyring.signing_key_rotate(actor=security_admin)
    assert pass_check(text=old.token).ok
    renewed = services.pass_current(rider=rider, now=old.valid_until - timedelta(hours=1))
    assert renewed.signing_key == new_key and renewed.signing_key != old.signing_key
    assert pass_check(text=renewed.token, now=old.valid_until - timedelta(hours=1)).ok
    keyset = keyring.keyset_current()
    assert {k.kid for k in keyset} == {old.signing_key.kid, new_key.kid}


def test_key_revocation__refuses_its_passes_and_the_next_pass_uses_a_fresh_key(rider, security_admin):
    record = services.pass_current(rider=rider)
    keyring.signing_key_revoke(key=record.signing_key, reason="服务器疑似泄露", actor=security_admin)
    assert pass_check(text=record.token).reason == Reason.KEY_REVOKED
    fresh = services.pass_current(rider=rider)
    assert fresh.signing_key.kid != record.signing_key.kid
    assert pass_check(text=fresh.token).ok


def test_a_gate_in_a_community_not_honouring_the_pass__says_not_honoured_here(rider, gate_b):
    record = services.pass_current(rider=rider)
    outcome = pass_check(text=record.token, gate=gate_b)
    assert outcome.reason == Reason.NOT_HONOURED_HERE
    assert AccessEvent.objects.get(pk=outcome.event.pk).area_id == BAITALU


def test_a_community_that_stops_honouring__refuses_at_once_online(rider, gate_a, worker_of_community_a, area):
    record = services.pass_current(rider=rider)
    services.community_save(area=area(gate_a.area_id), actor=worker_of_community_a, honours_pass=False)
    assert pass_check(text=record.token, gate=gate_a).reason == Reason.NOT_HONOURED_HERE
    assert pass_check(text=record.token).ok  # the pass itself is fine elsewhere


def test_a_suspended_rider__is_refused_even_with_an_unrevoked_pass(rider, worker_of_community_a):
    from gongzhi.passes.models import Rider, RiderStatus

    record = services.pass_current(rider=rider)
    Rider.objects.filter(pk=rider.pk).update(status=RiderStatus.SUSPENDED)
    assert pass_check(text=record.token).reason == Reason.REVOKED


def test_guard_scan__records_an_event_for_the_guards_gate(signed_in, rider, gate_a, guard_a):
    record = services.pass_current(rider=rider)
    response = signed_in(guard_a).get(f"/p/{record.token}")
    assert "pass-ok" in response.content.decode()
    event = AccessEvent.objects.get()
    assert (event.gate, event.guard, event.rider, event.ok, event.serial) == (
        gate_a,
        guard_a,
        rider,
        True,
        record.serial,
    )


def test_an_anonymous_check__records_no_location(client, rider, gate_a):
    record = services.pass_current(rider=rider)
    client.get(f"/p/{record.token}")
    assert not AccessEvent.objects.exists()


def test_photo__is_served_only_for_a_valid_pass(client, rider, worker_of_community_a):
    record = services.pass_current(rider=rider)
    response = client.get(f"/p/{record.token}/photo.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    services.pass_revoke(rider=rider, reason="lost_phone", actor=worker_of_community_a)
    assert client.get(f"/p/{record.token}/photo.jpg").status_code == 404
    assert client.get("/p/garbage/photo.jpg").status_code == 404


def test_a_friendly_community_flag__is_required_by_the_gate_not_the_pass(rider, gate_a):
    """With no honouring community left, new passes name the county and gates refuse them."""
    RiderFriendlyCommunity.objects.update(honours_pass=False)
    record = services.pass_issue(rider=rider, now=timezone.now() + timedelta(hours=20))
    assert record.areas == ["510185"]
