"""The services API: catalogue, ordering, the dispatch queue with suggestions, the three lists."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.services import api_token_create
from gongzhi.services.models import Need, ServiceOffering
from gongzhi.tickets.models import Ticket

JSON = "application/json"


@pytest.fixture
def api(client):
    def as_user(user, lang="zh-hans"):
        _, raw = api_token_create(user=user, name="test")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)
        return client

    return as_user


def test_catalogue_and_order__a_resident_orders_a_listed_service(api, resident_a, offering):
    items = api(resident_a).get("/api/v1/services/catalogue").json()["items"]
    assert [i["id"] for i in items] == [offering.pk] and items[0]["provider"] == offering.provider.name
    r = api(resident_a).post(
        "/api/v1/services/orders",
        {"area_code": ANXIANGJIE, "offering_id": offering.pk, "preferred_time": "周二"},
        content_type=JSON,
    )
    assert r.status_code == 201
    body = r.json()
    assert (
        body["kind"] == "service_order"
        and body["category"] == "elderly_care"
        and body["extra"]["offering_id"] == offering.pk
    )


def test_order__described_in_a_few_taps(api, resident_a):
    r = api(resident_a).post(
        "/api/v1/services/orders",
        {"area_code": ANXIANGJIE, "category": "repair", "title": "水龙头漏水"},
        content_type=JSON,
    )
    assert r.status_code == 201 and r.json()["deadline"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"area_code": ANXIANGJIE, "title": "帮忙"}, "category"),
        ({"area_code": ANXIANGJIE, "category": "nonsense", "title": "帮忙"}, "category"),
        ({"area_code": BAITALU, "category": "repair", "title": "帮忙"}, "area"),
        (
            {"area_code": ANXIANGJIE, "category": "repair", "title": "帮忙", "lat": 34.36, "lng": 107.13},
            "location",
        ),
        ({"area_code": ANXIANGJIE, "offering_id": 999999}, "offering_id"),
        ({"area_code": ANXIANGJIE, "category": "repair", "title": "帮忙", "people": 0}, "people"),
    ],
)
def test_order__bad_input__is_422_problem_json_and_writes_nothing(api, resident_a, payload, field):
    r = api(resident_a).post("/api/v1/services/orders", payload, content_type=JSON)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert field in r.json()["errors"]
    assert not Ticket.objects.exists()


def test_queue__shows_waiting_orders_with_ranked_suggestions(
    api, resident_a, worker_of_community_a, provider
):
    api(resident_a).post(
        "/api/v1/services/orders",
        {"area_code": ANXIANGJIE, "category": "elderly_care", "title": "探访"},
        content_type=JSON,
    )
    rows = api(worker_of_community_a).get("/api/v1/services/queue").json()["items"]
    assert len(rows) == 1 and rows[0]["ticket"]["title"] == "探访"
    top = rows[0]["suggestions"][0]
    assert top["party"]["label"] == provider.name and top["eligible"] and top["components"]


def test_queue__is_empty_for_another_communitys_worker(api, resident_a, worker_of_community_b, provider):
    api(resident_a).post(
        "/api/v1/services/orders",
        {"area_code": ANXIANGJIE, "category": "elderly_care", "title": "探访"},
        content_type=JSON,
    )
    assert api(worker_of_community_b).get("/api/v1/services/queue").json()["count"] == 0


def test_needs__created_listed_and_updated_through_the_api(api, worker_of_community_a, worker_of_community_b):
    r = api(worker_of_community_a).post(
        "/api/v1/services/needs",
        {
            "title": "留守儿童托管",
            "category": "child_care",
            "area_code": ANXIANGJIE,
            "subject": "group",
            "group_tag": "left_behind_child",
            "beneficiaries": 12,
        },
        content_type=JSON,
    )
    assert r.status_code == 201
    need_id = r.json()["id"]
    assert (
        api(worker_of_community_a)
        .patch(f"/api/v1/services/needs/{need_id}", {"status": "met"}, content_type=JSON)
        .json()["status"]
        == "met"
    )
    assert api(worker_of_community_b).get("/api/v1/services/needs?status=").json()["count"] == 0
    assert (
        api(worker_of_community_b)
        .patch(f"/api/v1/services/needs/{need_id}", {"status": "open"}, content_type=JSON)
        .status_code
        == 404
    )
    assert Need.objects.get().status == "met"


def test_needs__bad_category_is_422_beside_the_field(api, worker_of_community_a):
    r = api(worker_of_community_a).post(
        "/api/v1/services/needs",
        {
            "title": "x",
            "category": "warp_drive",
            "area_code": ANXIANGJIE,
            "subject": "group",
            "group_tag": "elderly",
        },
        content_type=JSON,
    )
    assert r.status_code == 422 and "category" in r.json()["errors"]


def test_offerings__listing_one_is_audited_and_unlisting_hides_it(
    api, area, worker_of_community_a, resident_a, make_user
):
    from gongzhi.accounts.roles import Role
    from gongzhi.services.services import resource_create

    volunteer = make_user(Role.VOLUNTEER, ANXIANGJIE, name="张阿姨")
    resource = resource_create(
        actor=worker_of_community_a,
        name="张阿姨",
        kind="volunteer",
        user=volunteer,
        area=area(ANXIANGJIE),
        categories=["meal"],
    )
    r = api(worker_of_community_a).post(
        "/api/v1/services/offerings",
        {"title": "送餐上门", "category": "meal", "provider_id": resource.pk, "area_code": ANXIANGJIE},
        content_type=JSON,
    )
    assert r.status_code == 201
    offering_id = r.json()["id"]
    assert (
        api(worker_of_community_a)
        .patch(f"/api/v1/services/offerings/{offering_id}", {"is_active": False}, content_type=JSON)
        .status_code
        == 200
    )
    assert api(resident_a).get("/api/v1/services/catalogue").json()["count"] == 0
    assert not ServiceOffering.objects.get().is_active


def test_lists__are_not_for_residents(api, resident_a, offering):
    assert api(resident_a).get("/api/v1/services/needs").json()["count"] == 0
    assert api(resident_a).get("/api/v1/services/resources").json()["count"] == 0
    assert (
        api(resident_a)
        .post(
            "/api/v1/services/needs",
            {
                "title": "x",
                "category": "meal",
                "area_code": ANXIANGJIE,
                "subject": "group",
                "group_tag": "elderly",
            },
            content_type=JSON,
        )
        .status_code
        == 422
    )
