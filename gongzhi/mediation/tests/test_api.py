"""The JSON faces of disputes and complaints: submit, list, read, act, figures, the civility record."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import ANXIANGJIE
from gongzhi.accounts.services import api_token_create
from gongzhi.mediation.models import Complaint, DisputeParty, MediationSession
from gongzhi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def as_user(user, lang="zh-hans"):
        _, raw = api_token_create(user=user, name="test")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)
        return client

    return as_user


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_dispute_api__resident_submits__sees_it_masked(api, resident_a):
    response = _post(
        api(resident_a),
        "/api/v1/mediation/disputes",
        {
            "area_code": ANXIANGJIE,
            "category": "family",
            "text": "赡养老人费用分摊有分歧",
            "parties": [{"name": "李大哥", "mobile": "13812345678", "role": "respondent"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "dispute" and body["state"] == "submitted"
    assert body["parties"] == [
        {"id": body["parties"][0]["id"], "role": "respondent", "name": "李**", "mobile": "138****5678"}
    ]
    assert "13812345678" not in response.content.decode() and "李大哥" not in response.content.decode()
    mine = api(resident_a).get("/api/v1/mediation/mine").json()
    assert [i["id"] for i in mine["items"]] == [body["id"]]


def test_dispute_api__bad_party_mobile__422_problem_and_nothing_written(api, resident_a):
    response = _post(
        api(resident_a),
        "/api/v1/mediation/disputes",
        {
            "area_code": ANXIANGJIE,
            "category": "neighbour",
            "text": "噪音扰民",
            "parties": [{"name": "王某", "mobile": "12345"}],
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "parties.0.mobile" in response.json()["errors"]
    assert not Ticket.objects.exists() and not DisputeParty.objects.exists()


def test_dispute_api__the_whole_mediation(
    api, bring_dispute, worker_of_community_a, task_force, mediator, resident_a, reward_rule
):
    ticket = bring_dispute()
    assigned = _post(
        api(worker_of_community_a),
        f"/api/v1/mediation/disputes/{ticket.pk}/assign",
        {"organisation_id": task_force.pk},
    )
    assert assigned.status_code == 200 and assigned.json()["state"] == "dispatched"
    client = api(mediator)
    assert _post(client, f"/api/v1/mediation/disputes/{ticket.pk}/accept", {}).json()["state"] == "accepted"
    future = _post(
        client,
        f"/api/v1/mediation/disputes/{ticket.pk}/sessions",
        {
            "held_on": str(timezone.localdate().replace(year=timezone.localdate().year + 1)),
            "mediators": "陈调解",
            "result": "progress",
        },
    )
    assert future.status_code == 422 and future.json()["code"] == "mediation.session_future"
    assert not MediationSession.objects.exists()
    session = _post(
        client,
        f"/api/v1/mediation/disputes/{ticket.pk}/sessions",
        {
            "held_on": str(timezone.localdate()),
            "mediators": "陈调解",
            "result": "agreement",
            "notes": "内部记录",
        },
    )
    assert session.status_code == 201 and session.json()["sessions"][0]["notes"] == "内部记录"
    done = _post(
        client,
        f"/api/v1/mediation/disputes/{ticket.pk}/conclude",
        {"outcome": "agreement", "agreement": "楼上修复防水"},
    )
    assert (
        done.status_code == 200
        and done.json()["state"] == "resolved"
        and done.json()["outcome"] == "agreement"
    )
    # The resident reads the sessions, never the mediators' notes, and closes by rating.
    seen = api(resident_a).get(f"/api/v1/mediation/disputes/{ticket.pk}").json()
    assert seen["sessions"][0]["notes"] is None and "rate" in seen["allowed_actions"]
    rated = _post(api(resident_a), f"/api/v1/tickets/{ticket.pk}/rate", {"rating": 5})
    assert rated.status_code == 200


def test_dispute_api__reveal_audited(api, bring_dispute, worker_of_community_a, resident_a):
    ticket = bring_dispute()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    path = f"/api/v1/mediation/disputes/{ticket.pk}/parties/{party.pk}/reveal"
    ok = _post(api(worker_of_community_a), path, {"field": "mobile", "reason": "约调解时间"})
    assert ok.json()["value"] == "13900002222"
    refused = _post(api(resident_a), path, {"field": "mobile", "reason": "好奇"})
    assert refused.status_code == 403


def test_dispute_api__another_communitys_dispute__404(api, bring_dispute, worker_of_community_b):
    ticket = bring_dispute()
    client = api(worker_of_community_b)
    assert client.get(f"/api/v1/mediation/disputes/{ticket.pk}").status_code == 404
    assert client.get("/api/v1/mediation/disputes").json()["count"] == 0


def test_complaint_api__unknown_merchant_and_negative_amount__422_and_nothing_written(
    api, resident_a, merchant
):
    response = _post(
        api(resident_a),
        "/api/v1/mediation/complaints",
        {
            "area_code": ANXIANGJIE,
            "category": "price",
            "merchant_id": 999999,
            "amount": -3,
            "ask": "refund",
            "text": "价签与结账不符",
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["merchant"][0]["code"] == "mediation.merchant_unknown"
    assert errors["amount"][0]["message"] == "金额不能为负数。"
    assert not Ticket.objects.exists() and not Complaint.objects.exists()


def test_complaint_api__flow_and_merchant_record(
    api, resident_a, merchant, worker_of_community_a, alliance, alliance_member
):
    created = _post(
        api(resident_a),
        "/api/v1/mediation/complaints",
        {
            "area_code": ANXIANGJIE,
            "category": "price",
            "merchant_id": merchant.pk,
            "amount": "58.00",
            "ask": "refund",
            "text": "价签与结账不符",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["merchant"] == "刘记超市" and created.json()["amount"] == "58.00"
    _post(
        api(worker_of_community_a),
        f"/api/v1/mediation/complaints/{pk}/assign",
        {"organisation_id": alliance.pk},
    )
    client = api(alliance_member)
    _post(client, f"/api/v1/mediation/complaints/{pk}/accept", {})
    done = _post(
        client, f"/api/v1/mediation/complaints/{pk}/conclude", {"outcome": "partly", "summary": "退差价"}
    )
    assert done.json()["outcome"] == "partly"
    record = api(worker_of_community_a).get(f"/api/v1/mediation/merchants/{merchant.pk}/record").json()
    assert (record["received"], record["counted"], record["open"]) == (1, 1, 0)
    figures = api(worker_of_community_a).get("/api/v1/mediation/complaints/figures").json()
    assert figures["rows"][0]["key"] == "刘记超市" and figures["rows"][0]["partly"] == 1


def test_dispute_figures_api__agreement_rate(
    api, dispute_in_hand, mediator, worker_of_community_a, worker_of_community_b
):
    from gongzhi.mediation import services

    for outcome in ("agreement", "agreement", "failed"):
        ticket = dispute_in_hand()
        services.session_record(
            ticket=ticket, actor=mediator, held_on=timezone.localdate(), mediators="陈调解", result="progress"
        )
        services.dispute_conclude(
            ticket=ticket,
            actor=mediator,
            outcome=outcome,
            agreement="协议" if outcome == "agreement" else "",
            summary="",
        )
    dispute_in_hand()  # still being mediated
    total = api(worker_of_community_a).get("/api/v1/mediation/disputes/figures").json()["total"]
    assert (total["received"], total["concluded"], total["agreement"], total["failed"]) == (4, 3, 2, 1)
    assert total["agreement_rate"] == 66.7
    other = api(worker_of_community_b).get("/api/v1/mediation/disputes/figures").json()["total"]
    assert other["received"] == 0 and other["agreement_rate"] is None
