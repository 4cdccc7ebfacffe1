"""The ticket API: problem+json for every refusal, role-shaped lists, the loop end to end."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conftest import ANXIANGJIE
from gongzhi.accounts.services import api_token_create
from gongzhi.tickets import services
from gongzhi.tickets.models import State, Ticket

JSON = "application/json"


@pytest.fixture
def api(client):
    def as_user(user, lang="zh-hans"):
        _, raw = api_token_create(user=user, name="test")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)
        return client

    return as_user


def _order(**extra):
    return {
        "kind": "service_order",
        "category": "elderly_care",
        "area_code": ANXIANGJIE,
        "title": "每周上门探访",
        **extra,
    }


def test_api__the_loop__submit_dispatch_accept_resolve_rate(
    api, resident_a, worker_of_community_a, volunteer_a
):
    body = api(resident_a).post("/api/v1/tickets", _order(), content_type=JSON).json()
    ticket_id = body["id"]
    assert body["state"] == "submitted" and body["timeline"][0]["action"] == "submit"
    assert "cancel" in body["allowed_actions"]

    r = api(worker_of_community_a).post(
        f"/api/v1/tickets/{ticket_id}/dispatch",
        {"parties": [{"type": "user", "id": volunteer_a.pk}]},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["state"] == "dispatched"

    offers = api(volunteer_a).get("/api/v1/tickets/offers").json()
    assert [t["id"] for t in offers["items"]] == [ticket_id]
    assert api(volunteer_a).post(f"/api/v1/tickets/{ticket_id}/accept").json()["state"] == "accepted"
    jobs = api(volunteer_a).get("/api/v1/tickets/jobs?state=open").json()
    assert [t["id"] for t in jobs["items"]] == [ticket_id]
    assert (
        api(volunteer_a)
        .post(f"/api/v1/tickets/{ticket_id}/resolve", {"note": "已探访"}, content_type=JSON)
        .json()["state"]
        == "resolved"
    )

    rated = (
        api(resident_a)
        .post(f"/api/v1/tickets/{ticket_id}/rate", {"rating": 5, "comment": "谢谢"}, content_type=JSON)
        .json()
    )
    assert rated["state"] == "closed" and rated["rating"] == 5
    mine = api(resident_a).get("/api/v1/tickets/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["assignee"] == volunteer_a.name


def test_api__rating_outside_1_to_5__is_422_problem_json_and_changes_nothing(
    api, submit, resident_a, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    r = api(resident_a).post(f"/api/v1/tickets/{ticket.pk}/rate", {"rating": 7}, content_type=JSON)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"]["rating"][0]["code"] == "ticket.rating_range"
    assert Ticket.objects.get().state == State.RESOLVED


def test_api__transition_from_the_wrong_state__is_422_naming_the_state(api, submit, resident_a):
    ticket = submit()
    r = api(resident_a).post(f"/api/v1/tickets/{ticket.pk}/rate", {"rating": 5}, content_type=JSON)
    assert r.status_code == 422 and r.json()["code"] == "ticket.invalid_transition"
    assert "已提交" in r.json()["title"]


def test_api__in_english_when_asked(api, submit, resident_a):
    ticket = submit()
    r = api(resident_a, lang="en").post(f"/api/v1/tickets/{ticket.pk}/rate", {"rating": 5}, content_type=JSON)
    assert "Submitted" in r.json()["title"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        (_order(category="teleportation"), "category", "ticket.unknown_category"),
        (_order(location={"lat": 34.36, "lng": 107.13}), "location", "ticket.location_outside"),
        (_order(area_code="999999999999"), "area_code", "area.unknown"),
        (_order(extra={"people": 99}), "extra.people", "ticket.extra"),
        (_order(title=""), "title", "string_too_short"),
    ],
)
def test_api__bad_submission__is_422_with_the_field_and_writes_nothing(api, resident_a, payload, field, code):
    r = api(resident_a).post("/api/v1/tickets", payload, content_type=JSON)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][field][0]["code"] == code
    assert not Ticket.objects.exists()


def test_api__accepting_an_order_not_offered__looks_like_it_does_not_exist(
    api, submit, worker_of_community_a, volunteer_a, make_user
):
    from gongzhi.accounts.roles import Role

    other = make_user(Role.VOLUNTEER, ANXIANGJIE, name="另一位志愿者")
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    r = api(other).post(f"/api/v1/tickets/{ticket.pk}/accept")
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"
    assert Ticket.objects.get().state == State.DISPATCHED


def test_api__another_communitys_ticket__is_404_for_its_worker(api, submit, worker_of_community_b):
    ticket = submit()
    assert api(worker_of_community_b).get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert api(worker_of_community_b).get("/api/v1/tickets").json()["count"] == 0
    assert api(worker_of_community_b).get(f"/api/v1/tickets?area_code={ANXIANGJIE}").json()["count"] == 0


def test_api__submitter_reads_public_events_only(api, submit, resident_a, worker_of_community_a):
    ticket = submit()
    services.ticket_comment(ticket=ticket, actor=worker_of_community_a, note="内部备注", internal=True)
    notes = [e["note"] for e in api(resident_a).get(f"/api/v1/tickets/{ticket.pk}").json()["timeline"]]
    assert "内部备注" not in notes


def test_api__photo_upload__accepts_images_and_refuses_anything_else(api, submit, resident_a):
    ticket = submit()
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "PNG")
    out.seek(0)
    out.name = "leak.png"
    r = api(resident_a).post(f"/api/v1/tickets/{ticket.pk}/attachments", {"photos": [out]})
    assert r.status_code == 201 and r.json()[0]["content_type"] == "image/png"
    photo = api(resident_a).get(r.json()[0]["url"])
    assert photo.status_code in (200, 302)

    bad = io.BytesIO(b"MZ\x90\x00 an executable")
    bad.name = "photo.jpg"
    r = api(resident_a).post(f"/api/v1/tickets/{ticket.pk}/attachments", {"photos": [bad]})
    assert r.status_code == 422 and r.json()["errors"]["photos"][0]["code"] == "attachment.not_image"
    assert ticket.attachments.count() == 1


def test_api__kinds__lists_categories_with_their_limit_classes(api, resident_a):
    kinds = {k["code"]: k for k in api(resident_a).get("/api/v1/tickets/kinds").json()}
    categories = {c["code"]: c["limit"] for c in kinds["service_order"]["categories"]}
    assert categories["emergency_help"] == "emergency" and categories["repair"] == "utilities"


def test_api__figures__count_response_resolution_and_satisfaction(
    api, submit, resident_a, worker_of_community_a, volunteer_a, town_staff_a
):
    for rating in (5, 2):
        t = submit()
        services.ticket_dispatch(ticket=t, parties=[volunteer_a], actor=worker_of_community_a)
        services.ticket_accept(ticket=t, actor=volunteer_a)
        services.ticket_resolve(ticket=t, actor=volunteer_a, note="完成")
        services.ticket_rate(ticket=t, actor=resident_a, rating=rating)
    submit()  # received, not yet answered
    body = api(town_staff_a).get("/api/v1/tickets/figures").json()
    total = body["total"]
    assert (total["received"], total["responded"], total["resolved"]) == (3, 2, 2)
    assert total["response_rate"] == 66.7 and total["satisfaction_rate"] == 50.0
    assert [a["code"] for a in body["areas"]] == [ANXIANGJIE]
    assert api(town_staff_a).get("/api/v1/tickets/figures").json()["areas"][0]["name"] == "安象街社区"
