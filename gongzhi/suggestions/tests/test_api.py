"""Suggestions over JSON: submit, answer, figures and the public list."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE
from gongzhi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    from gongzhi.accounts.services import api_token_create

    def as_user(user):
        _token, raw = api_token_create(user=user, name="test")
        return lambda method, path, **kw: getattr(client, method)(
            f"/api/v1/suggestions{path}",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
            **kw,
        )

    return as_user


def test_submit_and_answer__through_the_api(api, client, resident_a, worker_of_community_a, reward_rule):
    from gongzhi.sentinel.tests.conftest import points_of

    created = api(resident_a)(
        "post", "", data={"topic": "culture", "area_code": ANXIANGJIE, "text": "周末在广场放露天电影"}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["ticket"]["id"]
    assert created.json()["outcome"] == "pending"
    worker = api(worker_of_community_a)
    refused = worker(
        "post", f"/{pk}/decide", data={"adopted": False, "reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["code"] == "suggestion.reason_required"
    answered = worker(
        "post",
        f"/{pk}/decide",
        data={"adopted": True, "reason": "每月第一个周六放映"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["outcome"] == "adopted"
    assert answered.json()["public_reason"] == "每月第一个周六放映"
    assert points_of(resident_a) == 20
    public = client.get("/api/v1/suggestions/adopted").json()["items"]
    assert [(s["id"], s["reason"]) for s in public] == [(pk, "每月第一个周六放映")]
    figures = worker("get", "/figures?by=topic").json()
    assert [(r["key"], r["received"], r["adopted"]) for r in figures] == [("文体活动", 1, 1)]


def test_submit__too_long_or_for_another_community__is_refused_and_writes_nothing(api, resident_a):
    from conftest import BAITALU

    too_long = api(resident_a)(
        "post", "", data={"topic": "other", "area_code": ANXIANGJIE, "text": "长" * 1001}
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "request.invalid"
    elsewhere = api(resident_a)("post", "", data={"topic": "other", "area_code": BAITALU, "text": "建议"})
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "ticket.submit_forbidden"
    assert not Ticket.objects.exists()
