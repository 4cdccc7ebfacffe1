"""Hazards over JSON: report (multipart), assess, re-inspect (a photo is required), figures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ANXIANGJIE
from gongzhi.hazards.models import Reinspection
from gongzhi.sentinel.tests.conftest import INSIDE, OUTSIDE, photo
from gongzhi.tickets.models import State, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    from gongzhi.accounts.services import api_token_create

    def as_user(user):
        _token, raw = api_token_create(user=user, name="test")
        return lambda method, path, **kw: getattr(client, method)(
            f"/api/v1/hazards{path}", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans", **kw
        )

    return as_user


def test_report_assess_reinspect__through_the_api(
    api, resident_a, worker_of_community_a, owner, owner_member
):
    from gongzhi.tickets.services import ticket_accept, ticket_resolve

    created = api(resident_a)(
        "post",
        "",
        data={
            "category": "electric",
            "area_code": ANXIANGJIE,
            "text": "电表箱门坏了，电线裸露",
            "lat": INSIDE[0],
            "lng": INSIDE[1],
            "photos": [photo()],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["source"] == "resident" and body["ticket"]["state"] == "submitted"
    assert len(body["ticket"]["photos"]) == 1
    pk = body["ticket"]["id"]
    worker = api(worker_of_community_a)
    assessed = worker(
        "post",
        f"/{pk}/assess",
        data={"risk_level": "major", "owner_id": owner.pk},
        content_type="application/json",
    )
    assert assessed.status_code == 200 and assessed.json()["risk_level"] == "major"
    assert assessed.json()["owner"] == owner.name
    ticket = Ticket.objects.get(pk=pk)
    ticket_accept(ticket=ticket, actor=owner_member)
    ticket_resolve(ticket=ticket, actor=owner_member, note="已更换电表箱", photos=[photo()])
    refused = worker("post", f"/{pk}/reinspect", data={"passed": "true"})
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "hazard.reinspection_photo"
    assert not Reinspection.objects.exists()
    passed = worker(
        "post", f"/{pk}/reinspect", data={"passed": "true", "note": "已复查", "photos": [photo()]}
    )
    assert passed.status_code == 200 and passed.json()["ticket"]["state"] == State.CLOSED
    assert passed.json()["inspections"][0]["passed"] is True
    figures = worker("get", "/figures?by=risk_level").json()
    assert [(r["key"], r["found"], r["rectified"]) for r in figures] == [("重大", 1, 1)]
    assert [t["id"] for t in api(resident_a)("get", "/mine").json()["items"]] == [pk]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"lat": OUTSIDE[0], "lng": OUTSIDE[1]}, "ticket.location_outside"),
        (
            {"photos": [SimpleUploadedFile("a.jpg", b"text", content_type="image/jpeg")]},
            "attachment.not_image",
        ),
        ({"text": "x" * 1001}, "request.invalid"),
        ({"area_code": "999999999999"}, "area.unknown"),
    ],
    ids=["outside", "not-an-image", "too-long", "unknown-area"],
)
def test_report__bad_input__is_a_problem_document_and_writes_nothing(api, resident_a, change, code):
    data = {
        "category": "fire",
        "area_code": ANXIANGJIE,
        "text": "楼道堆放杂物",
        "lat": INSIDE[0],
        "lng": INSIDE[1],
    }
    data.update(change)
    response = api(resident_a)("post", "", data=data)
    assert response.status_code == 422 and response.json()["code"] == code
    assert not Ticket.objects.exists()


def test_a_hazard_of_another_community__is_not_found(api, report, worker_of_community_b):
    ticket = report()
    assert api(worker_of_community_b)("get", f"/{ticket.pk}").status_code == 404
    assert api(worker_of_community_b)("get", "").json()["items"] == []
