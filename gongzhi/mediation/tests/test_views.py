"""The pages: a resident's forms on the phone, the office's and the task force's case pages,
the merchant's civility record on the points page, and the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ANXIANGJIE
from gongzhi.audit.models import AuditEntry
from gongzhi.mediation.models import Complaint, Dispute, DisputeParty, MediationSession
from gongzhi.tickets.models import State, Ticket

pytestmark = pytest.mark.django_db


def test_resident_brings_a_dispute_from_the_phone_page(signed_in, resident_a, area):
    client = signed_in(resident_a)
    page = client.get("/mediation/")
    assert page.status_code == 200 and "申请调解" in page.content.decode()
    response = client.post(
        "/mediation/",
        {
            "category": "neighbour",
            "text": "楼上装修噪音持续到深夜",
            "other_name": "赵六",
            "other_mobile": "13912340000",
            "area": ANXIANGJIE,
        },
    )
    ticket = Ticket.objects.get(kind="dispute")
    assert response.status_code == 302 and response["Location"] == f"/mediation/disputes/{ticket.pk}/"
    roles = list(DisputeParty.objects.filter(dispute=ticket.pk).values_list("role", "name_masked"))
    assert roles == [("applicant", "居**"), ("respondent", "赵*")]
    detail = client.get(response["Location"]).content.decode()
    assert "赵*" in detail and "赵六" not in detail and "13912340000" not in detail


def test_dispute_form__bad_mobile_of_the_other_party__shown_beside_it_and_nothing_written(
    signed_in, resident_a
):
    response = signed_in(resident_a).post(
        "/mediation/",
        {
            "category": "family",
            "text": "家产分割",
            "other_name": "赵六",
            "other_mobile": "999",
            "area": ANXIANGJIE,
        },
    )
    assert response.status_code == 400
    assert "手机号" in response.context["form"].errors["other_mobile"][0]
    assert not Ticket.objects.exists()


def test_dispute_form__no_other_party__refused(signed_in, resident_a):
    response = signed_in(resident_a).post(
        "/mediation/", {"category": "family", "text": "家产分割", "other_name": "", "area": ANXIANGJIE}
    )
    assert response.status_code == 400 and "other_name" in response.context["form"].errors
    assert not Dispute.objects.exists()


def test_complaint_form__negative_amount_and_no_merchant__both_reported(signed_in, resident_a, merchant):
    client = signed_in(resident_a)
    assert "刘记超市" in client.get("/mediation/complaint/").content.decode()
    response = client.post(
        "/mediation/complaint/",
        {
            "merchant": "",
            "category": "price",
            "amount": "-20",
            "ask": "refund",
            "text": "多收钱",
            "area": ANXIANGJIE,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["amount"] == ["金额不能为负数。"] and "爱心商家" in errors["merchant"][0]
    assert not Complaint.objects.exists()


def test_complaint_form__submitted__appears_on_my_list(signed_in, resident_a, merchant):
    client = signed_in(resident_a)
    response = client.post(
        "/mediation/complaint/",
        {
            "merchant": str(merchant.pk),
            "category": "goods",
            "amount": "35.5",
            "ask": "replacement",
            "text": "买到的电饭煲无法加热",
            "area": ANXIANGJIE,
        },
    )
    assert response.status_code == 302
    assert "刘记超市" in client.get("/mediation/mine/").content.decode()


def test_session_form__future_date__shown_beside_the_date_and_nothing_written(
    signed_in, dispute_in_hand, mediator
):
    ticket = dispute_in_hand()
    client = signed_in(mediator)
    assert "登记调解会" in client.get(f"/mediation/disputes/{ticket.pk}/").content.decode()
    response = client.post(
        f"/mediation/disputes/{ticket.pk}/sessions/",
        {
            "held_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "mediators": "陈调解",
            "result": "progress",
        },
    )
    assert response.status_code == 400
    assert response.context["session_form"].errors["held_on"] == ["调解日期不能是将来的日期。"]
    assert not MediationSession.objects.exists()


def test_mediator_records_a_session_and_the_agreement(signed_in, dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    client = signed_in(mediator)
    client.post(
        f"/mediation/disputes/{ticket.pk}/sessions/",
        {"held_on": timezone.localdate().isoformat(), "mediators": "陈调解", "result": "agreement"},
    )
    response = client.post(
        f"/mediation/disputes/{ticket.pk}/conclude/",
        {"outcome": "agreement", "agreement": "楼上业主赔偿500元", "referral": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/mediation/disputes/{ticket.pk}/").content.decode()
    assert "调解成功（达成协议）" in page and "楼上业主赔偿500元" in page
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_conclude_form__agreement_without_terms__refused(signed_in, dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    client = signed_in(mediator)
    client.post(
        f"/mediation/disputes/{ticket.pk}/sessions/",
        {"held_on": timezone.localdate().isoformat(), "mediators": "陈调解", "result": "progress"},
    )
    response = client.post(f"/mediation/disputes/{ticket.pk}/conclude/", {"outcome": "agreement"})
    assert response.status_code == 400
    assert response.context["conclude_form"].errors["agreement"] == ["请填写双方达成的协议内容。"]
    assert Dispute.objects.get(ticket=ticket).outcome == ""


def test_worker_assigns_to_a_task_force_from_the_case_page(
    signed_in, bring_dispute, worker_of_community_a, task_force
):
    ticket = bring_dispute()
    client = signed_in(worker_of_community_a)
    assert "简城街道大群团攻坚队" in client.get(f"/mediation/disputes/{ticket.pk}/").content.decode()
    response = client.post(f"/mediation/disputes/{ticket.pk}/assign/", {"organisation": task_force.pk})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).state == State.DISPATCHED


def test_reveal_fragment__shows_the_number_once_and_audits_it(
    signed_in, bring_dispute, worker_of_community_a
):
    ticket = bring_dispute()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    response = signed_in(worker_of_community_a).post(
        f"/mediation/disputes/{ticket.pk}/parties/{party.pk}/reveal/", {"field": "mobile", "reason": "约时间"}
    )
    assert response.status_code == 200 and "13900002222" in response.content.decode()
    assert AuditEntry.objects.filter(action="mediation.party_reveal", success=True).count() == 1


def test_resident_sees_no_reveal_form_and_no_mediators_notes(
    signed_in, dispute_in_hand, mediator, resident_a
):
    from gongzhi.mediation.services import session_record

    ticket = dispute_in_hand()
    session_record(
        ticket=ticket,
        actor=mediator,
        held_on=timezone.localdate(),
        mediators="陈调解",
        result="progress",
        notes="对方情绪激动",
    )
    page = signed_in(resident_a).get(f"/mediation/disputes/{ticket.pk}/").content.decode()
    assert "陈调解" in page and "对方情绪激动" not in page and "reveal/" not in page


def test_another_community_sees_neither_the_case_nor_it_in_lists(
    signed_in, bring_dispute, worker_of_community_b
):
    ticket = bring_dispute()
    client = signed_in(worker_of_community_b)
    assert client.get(f"/mediation/disputes/{ticket.pk}/").status_code == 404
    assert ticket.title not in client.get("/mediation/disputes/?state=all").content.decode()


def test_a_complaint_id_is_not_a_dispute_page(signed_in, bring_complaint, worker_of_community_a):
    ticket = bring_complaint()
    assert signed_in(worker_of_community_a).get(f"/mediation/disputes/{ticket.pk}/").status_code == 404


def test_merchant_page__shows_the_civility_record(
    signed_in, bring_complaint, worker_of_community_a, alliance, alliance_member, merchant
):
    from gongzhi.mediation.services import case_assign, complaint_conclude
    from gongzhi.tickets.services import ticket_accept

    for outcome in ("upheld", "not_upheld"):
        ticket = bring_complaint()
        case_assign(ticket=ticket, organisation=alliance, actor=worker_of_community_a)
        ticket_accept(ticket=ticket, actor=alliance_member)
        complaint_conclude(ticket=ticket, actor=alliance_member, outcome=outcome, summary="已处理")
    bring_complaint()
    response = signed_in(worker_of_community_a).get(f"/points/merchants/{merchant.pk}/")
    facts = {f.code: f.value for f in response.context["record"]}
    assert facts == {"complaints.counted": 1, "complaints.received": 3, "complaints.open": 1}
    assert "文明诚信记录" in response.content.decode()


def test_figures_page__agreement_rate_and_complaints_by_merchant(
    signed_in, dispute_in_hand, mediator, bring_complaint, town_staff_a
):
    from gongzhi.mediation.services import dispute_conclude, session_record

    ticket = dispute_in_hand()
    session_record(
        ticket=ticket, actor=mediator, held_on=timezone.localdate(), mediators="陈", result="agreement"
    )
    dispute_conclude(ticket=ticket, actor=mediator, outcome="agreement", agreement="和解", summary="")
    bring_complaint()
    response = signed_in(town_staff_a).get("/mediation/figures/")
    page = response.content.decode()
    assert response.context["disputes_total"].agreement_rate == 100.0
    assert "100.0%" in page and "刘记超市" in page


def test_the_office_registers_a_dispute_for_a_walk_in_resident(signed_in, worker_of_community_a):
    client = signed_in(worker_of_community_a)
    assert "applicant_name" in client.get("/mediation/").context["form"].fields
    response = client.post(
        "/mediation/",
        {
            "category": "labour",
            "text": "工地拖欠农民工工资",
            "other_name": "某建筑公司",
            "applicant_name": "李大山",
            "my_mobile": "13712345678",
            "area": ANXIANGJIE,
        },
    )
    assert response.status_code == 302
    applicant = DisputeParty.objects.get(role="applicant")
    assert (applicant.name_masked, applicant.mobile_masked) == ("李**", "137****5678")


def test_a_resident_is_the_applicant_and_is_not_asked_for_one(signed_in, resident_a):
    assert "applicant_name" not in signed_in(resident_a).get("/mediation/").context["form"].fields
