"""The rider pass over JSON: the public check, a guard's scan, the rider's own pass, the registry."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.services import api_token_create
from gongzhi.passes import services
from gongzhi.passes.models import AccessEvent

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    _, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_check__is_public_and_says_ok_with_the_masked_rider(client, rider):
    record = services.pass_current(rider=rider)
    data = client.get("/api/v1/passes/check", {"token": f"https://gz.example.cn/p/{record.token}"}).json()
    assert data["ok"] is True and data["reason"] == "ok"
    assert data["rider"]["name"] == "王*" and data["serial"] == str(record.serial)
    assert data["rider"]["photo_url"].endswith(f"/p/{record.token}/photo.jpg")
    assert data["rider"]["platform"] == rider.platform.name
    assert not AccessEvent.objects.exists()


def test_check__tells_the_guard_in_chinese_that_the_pass_is_valid(client, rider):
    """The banner says 有效 ("valid"), not 有效期 ("validity period") as a clashing catalogue once did."""
    record = services.pass_current(rider=rider)
    data = client.get("/api/v1/passes/check", {"token": record.token}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (data["title"], data["message"]) == ("有效", "暖新码有效：请放行。")
    data = client.get("/api/v1/passes/check", {"token": record.token}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["title"] == "Valid"


def test_check__reads_the_pass_in_one_query(client, rider, django_assert_num_queries):
    """The busiest route of the system: one indexed read per anonymous check, nothing else."""
    record = services.pass_current(rider=rider)
    with django_assert_num_queries(1):
        assert client.get("/api/v1/passes/check", {"token": record.token}).json()["ok"] is True


def test_check__garbage_is_an_answer_not_an_error(client):
    data = client.get("/api/v1/passes/check", {"token": "%%%"}).json()
    assert data == {
        **data,
        "ok": False,
        "reason": "malformed",
        "rider": None,
        "serial": None,
    }
    assert client.get("/api/v1/passes/check").status_code == 422  # no token at all


def test_scan__records_the_event_at_the_guards_gate(client, rider, gate_a, guard_a):
    record = services.pass_current(rider=rider)
    response = client.post(
        "/api/v1/passes/scans",
        {"token": record.token, "gate_id": gate_a.pk},
        content_type="application/json",
        **_bearer(guard_a),
    )
    assert response.status_code == 201 and response.json()["ok"] is True
    assert AccessEvent.objects.get().guard == guard_a


def test_scan__at_a_gate_not_ones_own__is_refused_with_problem_json(client, rider, gate_b, guard_a):
    response = client.post(
        "/api/v1/passes/scans",
        {"token": "x", "gate_id": gate_b.pk},
        content_type="application/json",
        **_bearer(guard_a),
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "passes.not_your_gate"
    assert not AccessEvent.objects.exists()


def test_scan__by_a_rider__is_forbidden(client, rider, gate_a):
    response = client.post(
        "/api/v1/passes/scans",
        {"token": "x", "gate_id": gate_a.pk},
        content_type="application/json",
        **_bearer(rider.user),
    )
    assert response.status_code == 403


def test_me_pass__gives_the_rider_a_token_that_checks(client, rider):
    data = client.get("/api/v1/passes/me/pass", **_bearer(rider.user)).json()
    assert client.get("/api/v1/passes/check", {"token": data["url"]}).json()["ok"] is True


def test_riders__scoped_and_masked(client, make_rider, worker_of_community_b, friendly):
    make_rider(ANXIANGJIE, name="甲骑手")
    make_rider(BAITALU, name="乙骑手")
    items = client.get("/api/v1/passes/riders", **_bearer(worker_of_community_b)).json()["items"]
    assert [(r["name"], r["area_code"]) for r in items] == [("乙**", BAITALU)]
    assert "****" in items[0]["mobile"]


def test_rider_revoke__over_the_api_bumps_the_revocation_sequence(client, rider, worker_of_community_a):
    record = services.pass_current(rider=rider)
    before = client.get("/api/v1/passes/revocations")["X-Gz-Sequence"]
    response = client.post(
        f"/api/v1/passes/riders/{rider.pk}/revoke",
        {"reason": "lost_phone"},
        content_type="application/json",
        **_bearer(worker_of_community_a),
    )
    assert response.status_code == 200
    assert response.json()["serials"] == [str(record.serial)]
    assert response.json()["revocation_sequence"] > int(before)
    assert client.get("/api/v1/passes/check", {"token": record.token}).json()["reason"] == "revoked"


def test_rider_revoke__an_unknown_reason_is_a_422(client, rider, worker_of_community_a):
    response = client.post(
        f"/api/v1/passes/riders/{rider.pk}/revoke",
        {"reason": "because"},
        content_type="application/json",
        **_bearer(worker_of_community_a),
    )
    assert response.status_code == 422 and "reason" in response.json()["errors"]


def test_figures__for_city_staff(client, rider, gate_a, city_staff):
    from gongzhi.passes.checking import pass_check

    pass_check(text=services.pass_current(rider=rider).token, gate=gate_a)
    data = client.get("/api/v1/passes/figures", **_bearer(city_staff)).json()
    assert data["scans"] == 1 and data["riders_served"] == 1 and data["minutes_saved"] == 5
    assert data["per_gate_day"][0]["gate"] == "北门"
    bad = client.get(
        "/api/v1/passes/figures", {"start": "2026-02-01", "end": "2026-01-01"}, **_bearer(city_staff)
    )
    assert bad.status_code == 422


def test_scans__a_guard_sees_own_community_only(client, rider, gate_a, gate_b):
    from gongzhi.passes.checking import pass_check

    token = services.pass_current(rider=rider).token
    pass_check(text=token, gate=gate_a)
    pass_check(text=token, gate=gate_b)
    items = client.get("/api/v1/passes/scans", **_bearer(gate_b.guard)).json()["items"]
    assert [i["gate"] for i in items] == ["南门"]
