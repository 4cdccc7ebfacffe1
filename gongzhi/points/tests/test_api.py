import io

import pytest
from openpyxl import load_workbook

from conftest import ANXIANGJIE, BAITALU, CITY
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import api_token_create
from gongzhi.points.models import Transfer
from gongzhi.points.services import honour, redemption

from .conftest import balance_of, ledger_ok
from .test_services_honour import STORY, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def as_user(user):
        _token, raw = api_token_create(user=user, name="test")

        def call(method, path, data=None, **headers):
            kwargs = {
                "HTTP_AUTHORIZATION": f"Bearer {raw}",
                **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
            }
            if method == "get":
                return client.get(f"/api/v1/points{path}", data or {}, **kwargs)
            return getattr(client, method)(
                f"/api/v1/points{path}", data or {}, content_type="application/json", **kwargs
            )

        return call

    return as_user


@pytest.fixture
def funded(resident_a, give):
    give(resident_a, 100)
    return resident_a


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    found = {body.get("code")} | {e["code"] for errs in body.get("errors", {}).values() for e in errs}
    assert code in found, body
    return body


def test_me__balance_and_history(api, funded):
    call = api(funded)
    assert call("get", "/me").json()["balance"] == 100
    history = call("get", "/me/history").json()
    assert history["count"] == 1 and history["items"][0]["points"] == 100


def test_collect__the_same_pay_code_retried_10_times_pays_once(api, funded, merchant, operator):
    code = api(funded)("post", "/me/pay-code").json()["code"]
    till = api(operator)
    receipts = {
        till("post", f"/terminal/{merchant.pk}/collect", {"code": code, "amount": 30}).json()["id"]
        for _ in range(10)
    }
    assert len(receipts) == 1 and balance_of(funded) == 70
    state = api(funded)("get", f"/me/pay-code/{code}").json()
    assert state["state"] == "used" and state["receipt"] in receipts


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (-5, "points.amount_not_positive"),
        (0, "points.amount_not_positive"),
        (2.5, "points.amount_fractional"),
        ("1.5", "points.amount_fractional"),
    ],
)
def test_collect__negative_or_fractional_points__are_refused_and_nothing_is_written(
    api, funded, merchant, operator, amount, code
):
    pay_code = redemption.pay_code_issue(user=funded).code
    _problem(
        api(operator)("post", f"/terminal/{merchant.pk}/collect", {"code": pay_code, "amount": amount}),
        422,
        code,
    )
    assert Transfer.objects.count() == 1 and balance_of(funded) == 100


def test_collect__more_than_the_balance__is_refused(api, funded, merchant, operator):
    pay_code = redemption.pay_code_issue(user=funded).code
    body = _problem(
        api(operator)("post", f"/terminal/{merchant.pk}/collect", {"code": pay_code, "amount": 101}),
        422,
        "points.insufficient",
    )
    assert "100" in body["title"]


def test_collect__a_reused_pay_code__is_refused(api, funded, merchant, operator):
    pay_code = redemption.pay_code_issue(user=funded).code
    till = api(operator)
    till("post", f"/terminal/{merchant.pk}/collect", {"code": pay_code, "amount": 10})
    _problem(
        till("post", f"/terminal/{merchant.pk}/collect", {"code": pay_code, "amount": 11}),
        422,
        "points.paycode_used",
    )


def test_collect__at_someone_elses_till__is_not_found(api, funded, merchant, make_user):
    stranger = make_user(Role.MERCHANT, ANXIANGJIE)
    pay_code = redemption.pay_code_issue(user=funded).code
    _problem(
        api(stranger)("post", f"/terminal/{merchant.pk}/collect", {"code": pay_code, "amount": 10}),
        404,
        "not_found",
    )


def test_pay_merchant__idempotency_key_reused_with_another_body__is_refused(api, funded, merchant):
    call = api(funded)
    token = redemption.merchant_code_token(merchant)
    first = call(
        "post", "/pay", {"merchant_code": token, "amount": 20}, **{"Idempotency-Key": "client-key-0001"}
    )
    again = call(
        "post", "/pay", {"merchant_code": token, "amount": 20}, **{"Idempotency-Key": "client-key-0001"}
    )
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    _problem(
        call(
            "post", "/pay", {"merchant_code": token, "amount": 25}, **{"Idempotency-Key": "client-key-0001"}
        ),
        422,
        "points.idempotency_conflict",
    )
    assert balance_of(funded) == 80


def test_pay_merchant__without_a_key__is_refused(api, funded, merchant):
    token = redemption.merchant_code_token(merchant)
    _problem(api(funded)("post", "/pay", {"merchant_code": token, "amount": 20}), 422, "points.no_key")


def test_pay_merchant__a_suspended_merchant_is_outside_the_scheme(
    api, funded, merchant, worker_of_community_a
):
    redemption.merchant_set_status(
        merchant=merchant, status="suspended", actor=worker_of_community_a, note="停业整顿"
    )
    token = redemption.merchant_code_token(merchant)
    _problem(
        api(funded)("post", "/pay", {"merchant_code": token, "amount": 20, "idempotency_key": "k-000000001"}),
        422,
        "points.merchant_outside_scheme",
    )


def test_award__by_staff_with_an_idempotency_key(api, worker_of_community_a, make_user, make_rule):
    rule = make_rule("mediation.agreement", 30)
    make_user(Role.RESIDENT, ANXIANGJIE, mobile="13911112222")
    call = api(worker_of_community_a)
    body = {
        "rule_id": rule.pk,
        "mobile": "13911112222",
        "note": "调解成功",
        "idempotency_key": "award-key-01",
    }
    first = call("post", "/awards", body).json()
    second = call("post", "/awards", body).json()
    assert first["paid_now"] and first["points"] == 30
    assert (
        not second["paid_now"] and second["reason"] == "duplicate" and second["transfer"] == first["transfer"]
    )


def test_ledger__is_scoped_to_the_callers_area(api, funded, make_user, give, worker_of_community_b):
    give(make_user(Role.RESIDENT, BAITALU, name="白塔居民"), 7, area_code=BAITALU)
    names = {a["name"] for a in api(worker_of_community_b)("get", "/accounts").json()["items"]}
    assert "白塔居民" in names and funded.name not in names
    transfers = api(worker_of_community_b)("get", "/transfers").json()["items"]
    assert {t["amount"] for t in transfers} == {7}


def test_transfers_export__excel_for_senior_staff_only(api, funded, town_staff_a, worker_of_community_a):
    assert api(worker_of_community_a)("get", "/transfers/export").status_code == 403
    response = api(town_staff_a)("get", "/transfers/export")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.max_row >= 5


def test_reverse__posts_a_compensating_transfer(api, funded, city_staff):
    award = Transfer.objects.get()
    response = api(city_staff)("post", f"/transfers/{award.pk}/reverse", {"reason": "误发"})
    assert response.status_code == 201 and response.json()["reverses"] == award.pk
    assert balance_of(funded) == 0
    _problem(
        api(city_staff)("post", f"/transfers/{award.pk}/reverse", {"reason": "误发"}),
        422,
        "points.already_reversed",
    )
    ledger_ok()


def test_budgets_and_rules__created_over_the_api(api, city_staff):
    call = api(city_staff)
    budget = call(
        "post", "/budgets", {"name": "2026年度", "area_code": CITY, "ceiling": 1000, "shards": 4}
    ).json()
    assert budget["remaining"] == 1000 and budget["shards"] == 4
    rule = call(
        "post",
        "/rules",
        {
            "code": "suggestion.adopted",
            "name": "建议被采纳",
            "area_code": CITY,
            "points": 20,
            "budget_id": budget["id"],
            "daily_cap": 40,
        },
    )
    assert rule.status_code == 201, rule.content
    _problem(
        call("post", "/budgets", {"name": "x", "area_code": CITY, "ceiling": 10.5}),
        422,
        "points.invalid_number",
    )
    lowered = call("patch", f"/budgets/{budget['id']}", {"ceiling": 500})
    assert lowered.json()["remaining"] == 500


def test_shop__order_over_the_api_pays_once(api, funded, worker_of_community_a):
    item = api(worker_of_community_a)(
        "post", "/shop/items", {"area_code": ANXIANGJIE, "name": "毛巾", "price": 15, "stock": 4}
    ).json()
    call = api(funded)
    for _ in range(3):
        order = call(
            "post",
            "/shop/orders",
            {"item_id": item["id"], "quantity": 2},
            **{"Idempotency-Key": "order-0000001"},
        )
        assert order.status_code == 201
    assert balance_of(funded) == 70
    assert [o["status"] for o in call("get", "/shop/orders/mine").json()] == ["placed"]


def test_honour__is_public_and_shows_only_the_agreed_name(client, resident_a, worker_of_community_a, area):
    n = honour.nomination_submit(
        nominee_kind="person",
        nominee_name="黄丽",
        display_name="黄女士",
        consent="本人同意",
        title="守护独居老人",
        story=STORY,
        area=area(ANXIANGJIE),
        nominated_by=resident_a,
        photo=photo_upload(),
    )
    honour.nomination_review(nomination=n, publish=True, note="", actor=worker_of_community_a)
    body = client.get("/api/v1/points/honour").json()
    assert body["items"][0]["name"] == "黄女士" and "黄丽" not in str(body)
    assert body["items"][0]["photo_url"]


def test_nominations__submitted_with_a_photo_over_multipart(client, resident_a):
    _token, raw = api_token_create(user=resident_a, name="t")
    response = client.post(
        "/api/v1/points/nominations",
        {
            "nominee_kind": "collective",
            "nominee_name": "蜀阳社区老党员工作室",
            "display_name": "蜀阳社区老党员工作室",
            "consent": "工作室负责人同意",
            "title": "老党员志愿服务600余次",
            "story": STORY,
            "area_code": ANXIANGJIE,
            "photo": photo_upload(),
        },
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["has_photo"]


def test_awards_list__shows_capped_and_refused_decisions_in_my_area(
    api, resident_a, make_rule, worker_of_community_a
):
    from gongzhi.points.services.earning import points_award

    make_rule("volunteer.hour", 10, daily_cap=15)
    for n in range(2):
        points_award(
            rule_code="volunteer.hour",
            beneficiary=resident_a,
            source_type="t",
            source_id=str(n),
            area_code=ANXIANGJIE,
        )
    items = api(worker_of_community_a)("get", "/awards").json()["items"]
    assert sorted((a["paid"], a["status"]) for a in items) == [(5, "capped"), (10, "paid")]
    assert api(resident_a)("get", "/awards").status_code == 403
