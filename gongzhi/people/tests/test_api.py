from datetime import date

import pytest

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.services import api_token_create
from gongzhi.lib import idcodes
from gongzhi.people.models import Person


@pytest.fixture
def api(client):
    def as_user(user, lang="zh-hans"):
        _, raw = api_token_create(user=user, name="test")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)
        return client

    return as_user


def test_people_api__lists_my_community_masked_and_paginated(api, make_person, worker_of_community_a):
    for i in range(3):
        make_person(ANXIANGJIE, name=f"居民{i}", mobile=f"1380013800{i}")
    make_person(BAITALU, name="别人")
    body = api(worker_of_community_a).get("/api/v1/people?page_size=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    item = body["items"][0]
    assert item["mobile"].startswith("138****") and "*" in item["id_number"]
    assert all(i["area_code"] == ANXIANGJIE for i in body["items"])


def test_people_api__another_communitys_person__is_not_found(api, make_person, worker_of_community_b):
    person = make_person(ANXIANGJIE)
    response = api(worker_of_community_b).get(f"/api/v1/people/{person.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_people_api__without_credentials__is_401_problem_json(client, db):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_people_api__bad_id_number__is_422_in_chinese_and_writes_nothing(api, worker_of_community_a):
    response = api(worker_of_community_a).post(
        "/api/v1/people",
        {"name": "张三", "area_code": ANXIANGJIE, "id_number": "510185194806010130"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["errors"]["id_number"][0]["code"] == "id_card.checksum"
    assert "校验" in body["errors"]["id_number"][0]["message"]
    assert not Person.objects.exists()


def test_people_api__bad_input__in_english_when_asked(api, worker_of_community_a):
    response = api(worker_of_community_a, lang="en").post(
        "/api/v1/people",
        {"name": "张三", "area_code": ANXIANGJIE, "mobile": "123"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "mainland China mobile" in response.json()["errors"]["mobile"][0]["message"]


def test_people_api__schema_errors__are_problem_json(api, worker_of_community_a):
    response = api(worker_of_community_a).post(
        "/api/v1/people", {"area_code": 5}, content_type="application/json"
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"][0]["code"] == "missing"


def test_people_api__unknown_area__is_refused(api, worker_of_community_a):
    response = api(worker_of_community_a).post(
        "/api/v1/people", {"name": "张三", "area_code": "510185001999"}, content_type="application/json"
    )
    assert response.status_code == 422 and "area_code" in response.json()["errors"]


def test_people_api__creates_and_reveals_with_audit(api, worker_of_community_a):
    number = idcodes.make_id_card("510185", date(1960, 1, 2), 7)
    c = api(worker_of_community_a)
    created = c.post(
        "/api/v1/people",
        {"name": "李四", "area_code": ANXIANGJIE, "id_number": number},
        content_type="application/json",
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    assert created.json()["id_number"] != number
    revealed = c.post(
        f"/api/v1/people/{pid}/reveal",
        {"field": "id_number", "reason": "核对身份"},
        content_type="application/json",
    )
    assert revealed.status_code == 200 and revealed.json()["value"] == number


def test_me__lists_my_roles(api, worker_of_community_a):
    body = api(worker_of_community_a).get("/api/v1/me").json()
    assert body["roles"] == ["community_worker"]
    assert body["memberships"][0]["area_code"] == ANXIANGJIE


def test_openapi_docs__are_served(api, resident_a):
    assert api(resident_a).get("/api/v1/openapi.json").status_code == 200
