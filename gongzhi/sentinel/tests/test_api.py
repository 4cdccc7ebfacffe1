"""The sentinel API of our own apps: categories, "is this the same?", reporting with photos, my
leads, duplicates and merging for the dispatcher, figures; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from conftest import ANXIANGJIE
from gongzhi.accounts.services import api_token_create
from gongzhi.sentinel.models import Lead
from gongzhi.tickets.models import State, Ticket

from .conftest import FAR, INSIDE, NEAR, OUTSIDE, photo

pytestmark = pytest.mark.django_db
API = "/api/v1/sentinel"


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def report_data(category, at=INSIDE, **extra):
    data = {
        "category": category.code,
        "area_code": ANXIANGJIE,
        "lat": at[0],
        "lng": at[1],
        "text": "灯箱上贴满小广告",
    }
    data.update(extra)
    return data


def test_categories__list_the_responsible_unit_and_deadline(rider, category, unit):
    rows = api(rider).get(f"{API}/categories").json()
    assert rows == [
        {
            "code": "illegal_ads",
            "name": "违规小广告",
            "unit": unit.name,
            "deadline_hours": 48,
            "reward_units": 1,
            "duplicate_radius_m": 150,
            "duplicate_window_hours": 72,
        }
    ]


def test_report__with_photos_creates_a_lead_the_rider_then_follows(rider, category):
    client = api(rider)
    response = client.post(f"{API}/reports", {**report_data(category), "photos": [photo(), photo("b.jpg")]})
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get(pk=data["id"])
    assert (data["kind"], data["category"], ticket.attachments.count()) == ("sentinel", "illegal_ads", 2)
    assert Lead.objects.get(ticket=ticket).geohash
    mine = client.get(f"{API}/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == ticket.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"lat": OUTSIDE[0], "lng": OUTSIDE[1], "area_code": ANXIANGJIE}, "location"),
        ({"text": ""}, "text"),
        ({"area_code": "610302001001"}, "area_code"),
    ],
    ids=["unknown-category", "outside-the-community", "no-text", "another-county"],
)
def test_report__bad_input__is_a_clear_error_and_writes_nothing(rider, category, change, field):
    response = api(rider).post(f"{API}/reports", {**report_data(category), **change, "photos": [photo()]})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["title"] and field in body["errors"], body
    assert not Ticket.objects.exists() and not Lead.objects.exists()


def test_report__a_file_that_is_not_a_photo__is_refused(rider, category):
    fake = SimpleUploadedFile("leak.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api(rider).post(f"{API}/reports", {**report_data(category), "photos": [fake]})
    assert response.status_code == 422 and "leak.jpg" in response.json()["errors"]["photos"][0]["message"]
    assert not Ticket.objects.exists()


def test_report__a_resident_without_the_sentinel_role__is_refused(resident_a, category):
    response = api(resident_a).post(f"{API}/reports", {**report_data(category), "photos": [photo()]})
    assert response.status_code == 403 and not Ticket.objects.exists()


def test_nearby__finds_an_open_lead_near_but_not_far(rider, rider2, report, category):
    first = report()
    near = (
        api(rider2).get(f"{API}/nearby", {"category": category.code, "lat": NEAR[0], "lng": NEAR[1]}).json()
    )
    assert [r["id"] for r in near] == [first.pk] and 40 < near[0]["distance_m"] < 70
    far = api(rider2).get(f"{API}/nearby", {"category": category.code, "lat": FAR[0], "lng": FAR[1]}).json()
    assert far == []


def test_duplicates_and_merge__the_dispatcher_merges_a_later_lead_into_the_first(
    worker_of_community_a, rider2, report
):
    first = report()
    second = report(reporter=rider2, at=NEAR)
    client = api(worker_of_community_a)
    assert [r["id"] for r in client.get(f"{API}/leads/{second.pk}/duplicates").json()] == [first.pk]
    response = client.post(
        f"{API}/leads/{second.pk}/merge", {"into_id": first.pk}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["id"] == first.pk
    assert Lead.objects.get(ticket=second).merged_into_id == first.pk
    assert Ticket.objects.get(pk=second.pk).state == State.CANCELLED
    again = client.post(
        f"{API}/leads/{second.pk}/merge", {"into_id": first.pk}, content_type="application/json"
    )
    assert again.status_code == 422 and again.json()["errors"]["into"]


def test_merge__a_lead_into_itself_or_by_a_rider__is_refused(worker_of_community_a, rider, report):
    lead = report()
    with translation.override("zh-hans"):
        own = api(worker_of_community_a).post(
            f"{API}/leads/{lead.pk}/merge", {"into_id": lead.pk}, content_type="application/json"
        )
    assert own.status_code == 422 and own.json()["errors"]["into"][0]["message"] == "线索不能合并到自身。"
    by_rider = api(rider).post(
        f"{API}/leads/{lead.pk}/merge", {"into_id": lead.pk}, content_type="application/json"
    )
    assert by_rider.status_code in (403, 404)
    assert Lead.objects.get(pk=lead.pk).merged_into_id is None


def test_another_communitys_worker__sees_no_duplicates_of_ours(worker_of_community_b, report):
    assert api(worker_of_community_b).get(f"{API}/leads/{report().pk}/duplicates").status_code == 404


def test_figures__by_category_in_my_scope(worker_of_community_a, worker_of_community_b, report, category):
    report()
    rows = api(worker_of_community_a).get(f"{API}/figures", {"by": "category"}).json()
    assert rows == [{"key": "违规小广告", "reported": 1, "resolved": 0, "in_time": 0, "in_time_share": None}]
    assert api(worker_of_community_b).get(f"{API}/figures").json() == []
    assert api(worker_of_community_a).get(f"{API}/figures", {"by": "weather"}).status_code == 422
