"""Disputes and complaints as the people involved see them: bring, assign, mediate, conclude,
close, reopen; bad input refused with a clear message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.audit.models import AuditEntry
from gongzhi.mediation import services
from gongzhi.mediation.models import Complaint, Dispute, DisputeParty, MediationSession
from gongzhi.mediation.services import PartyInput
from gongzhi.tickets.models import State, Ticket
from gongzhi.tickets.services import ticket_close, ticket_rate, ticket_reopen, ticket_resolve

from .conftest import codes, points_of

pytestmark = pytest.mark.django_db


def _mediate(ticket, mediator, *, outcome="agreement", **kwargs):
    services.session_record(
        ticket=ticket,
        actor=mediator,
        held_on=timezone.localdate(),
        mediators="陈调解、李律师",
        result="agreement" if outcome == "agreement" else "no_agreement",
        notes="双方同意由楼上业主维修防水层",
    )
    return services.dispute_conclude(
        ticket=ticket,
        actor=mediator,
        outcome=outcome,
        agreement=kwargs.pop(
            "agreement", "楼上业主一周内修复防水并赔偿500元" if outcome == "agreement" else ""
        ),
        summary=kwargs.pop("summary", ""),
        **kwargs,
    )


# --- disputes: the flow -----------------------------------------------------------------------


def test_dispute_submit__keeps_parties_encrypted_and_masked(bring_dispute):
    ticket = bring_dispute()
    assert ticket.kind == "dispute" and ticket.state == State.SUBMITTED and ticket.category == "neighbour"
    parties = list(DisputeParty.objects.filter(dispute=ticket.pk))
    assert [p.name_masked for p in parties] == ["黄*", "王**"]
    assert [p.mobile_masked for p in parties] == ["138****1111", "139****2222"]
    for p in parties:  # nothing in clear in the stored row
        assert "王建国" not in p.name_enc and "13900002222" not in p.mobile_enc
    assert AuditEntry.objects.filter(action="mediation.dispute_submit", object_id=str(ticket.pk)).exists()


def test_dispute__assigned_to_task_force__mediated__agreement_resolves_it(
    dispute_in_hand, mediator, task_force
):
    ticket = dispute_in_hand()
    assert ticket.assignee_org == task_force and ticket.state == State.ACCEPTED
    dispute = _mediate(ticket, mediator)
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert dispute.outcome == "agreement" and dispute.outcome_round == 0
    assert MediationSession.objects.filter(dispute=dispute).count() == 1
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions[:3] == ["submit", "dispatch", "accept"] and "start" in actions and actions[-1] == "resolve"


def test_dispute_failed__referred_to_the_legal_desk(dispute_in_hand, mediator):
    ticket = dispute_in_hand(category="labour", text="拖欠三个月工资")
    dispute = _mediate(ticket, mediator, outcome="failed", referral="legal_desk")
    assert dispute.referral == "legal_desk" and dispute.outcome == "failed"
    ticket.refresh_from_db()
    with translation.override("zh-hans"):
        assert "法治护航专席" in ticket.resolution_note


def test_agreement__pays_the_mediator_once_however_often_closed_and_reopened(
    dispute_in_hand, mediator, resident_a, worker_of_community_a, task_force, reward_rule
):
    from gongzhi.mediation.services import case_assign
    from gongzhi.tickets.services import ticket_accept

    ticket = dispute_in_hand()
    _mediate(ticket, mediator)
    ticket_rate(ticket=ticket, actor=resident_a, rating=5)
    assert points_of(mediator) == 50
    ticket_reopen(ticket=ticket, actor=resident_a, note="对方没有按协议维修")
    case_assign(ticket=ticket, organisation=task_force, actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=mediator)
    _mediate(ticket, mediator)
    ticket_close(ticket=ticket, actor=worker_of_community_a, note="回访确认已修复")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert points_of(mediator) == 50  # the rule and the dispute pay once
    paid = [e.data for e in ticket.events.filter(data__reward_rule="mediation.agreement")]
    assert [d["paid"] for d in paid] == [True, False]


def test_failed_mediation__pays_nothing(dispute_in_hand, mediator, resident_a, reward_rule):
    ticket = dispute_in_hand()
    _mediate(ticket, mediator, outcome="failed", referral="court")
    ticket_rate(ticket=ticket, actor=resident_a, rating=4)
    assert points_of(mediator) == 0


def test_closing_a_dispute_without_an_outcome__is_refused_and_changes_nothing(
    dispute_in_hand, mediator, worker_of_community_a
):
    ticket = dispute_in_hand()
    ticket_resolve(ticket=ticket, actor=mediator, note="已处理")  # the engine's page, no outcome
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        ticket_close(ticket=ticket, actor=worker_of_community_a, note="结案")
    assert codes(exc.value) == {"mediation.outcome_required"}
    assert "调解结果" in " ".join(exc.value.messages)
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_a_reopened_dispute__needs_a_new_outcome_before_it_closes_again(
    dispute_in_hand, mediator, resident_a, worker_of_community_a, task_force
):
    from gongzhi.mediation.services import case_assign
    from gongzhi.tickets.services import ticket_accept

    ticket = dispute_in_hand()
    _mediate(ticket, mediator)
    ticket_rate(ticket=ticket, actor=resident_a, rating=5)
    ticket_reopen(ticket=ticket, actor=resident_a, note="又漏水了")
    case_assign(ticket=ticket, organisation=task_force, actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=mediator)
    ticket_resolve(ticket=ticket, actor=mediator, note="已处理")
    with pytest.raises(ValidationError) as exc:
        ticket_close(ticket=ticket, actor=worker_of_community_a, note="结案")
    assert codes(exc.value) == {"mediation.outcome_required"}


# --- disputes: bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "parties, field",
    [
        pytest.param([], "parties", id="no-party"),
        pytest.param([PartyInput("", "", "respondent")], "parties.0.name", id="nameless"),
        pytest.param([PartyInput("王建国", "12345", "respondent")], "parties.0.mobile", id="bad-mobile"),
        pytest.param([PartyInput("王建国", "", "judge")], "parties.0.role", id="bad-role"),
    ],
)
def test_dispute_submit__bad_parties__refused_and_nothing_written(bring_dispute, parties, field):
    with pytest.raises(ValidationError) as exc:
        bring_dispute(parties=parties)
    assert field in exc.value.error_dict
    assert not Ticket.objects.exists() and not Dispute.objects.exists() and not DisputeParty.objects.exists()


def test_dispute_submit__unknown_type_and_no_text__both_reported(bring_dispute):
    with pytest.raises(ValidationError) as exc:
        bring_dispute(category="duel", text="")
    assert {"category", "text"} <= set(exc.value.error_dict)
    assert not Ticket.objects.exists()


def test_session_dated_in_the_future__refused_and_nothing_written(dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.session_record(
            ticket=ticket,
            actor=mediator,
            held_on=timezone.localdate() + timedelta(days=1),
            mediators="陈调解",
            result="progress",
        )
    assert codes(exc.value) == {"mediation.session_future"}
    assert "将来" in exc.value.message_dict["held_on"][0]
    assert not MediationSession.objects.exists()
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED  # not even started


def test_session_without_mediators_or_result__refused(dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    with pytest.raises(ValidationError) as exc:
        services.session_record(
            ticket=ticket, actor=mediator, held_on=timezone.localdate(), mediators=" ", result="won"
        )
    assert {"mediators", "result"} == set(exc.value.error_dict)


def test_session_before_the_case_is_accepted__refused(bring_dispute, worker_of_community_a):
    ticket = bring_dispute()
    with pytest.raises(ValidationError) as exc:
        services.session_record(
            ticket=ticket,
            actor=worker_of_community_a,
            held_on=timezone.localdate(),
            mediators="张敏",
            result="progress",
        )
    assert codes(exc.value) == {"mediation.not_in_hand"}


def test_session_by_someone_not_on_the_case__forbidden(dispute_in_hand, worker_of_community_b):
    ticket = dispute_in_hand()
    with pytest.raises(PermissionDenied):
        services.session_record(
            ticket=ticket,
            actor=worker_of_community_b,
            held_on=timezone.localdate(),
            mediators="外人",
            result="progress",
        )


@pytest.mark.parametrize(
    "kwargs, code",
    [
        pytest.param({"outcome": ""}, "mediation.outcome", id="no-outcome"),
        pytest.param({"outcome": "agreement", "agreement": ""}, "mediation.agreement", id="no-terms"),
        pytest.param({"outcome": "failed", "referral": "police"}, "mediation.referral", id="bad-referral"),
        pytest.param(
            {"outcome": "agreement", "agreement": "赔偿500元", "referral": "court"},
            "mediation.referral_settled",
            id="settled-and-referred",
        ),
    ],
)
def test_dispute_conclude__bad_outcome__refused_and_case_stays_in_hand(
    dispute_in_hand, mediator, kwargs, code
):
    ticket = dispute_in_hand()
    services.session_record(
        ticket=ticket, actor=mediator, held_on=timezone.localdate(), mediators="陈调解", result="progress"
    )
    with pytest.raises(ValidationError) as exc:
        services.dispute_conclude(ticket=ticket, actor=mediator, summary="", **kwargs)
    assert code in codes(exc.value)
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert Dispute.objects.get(ticket=ticket).outcome == ""


def test_dispute_conclude__needs_a_session_first(dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    with pytest.raises(ValidationError) as exc:
        services.dispute_conclude(ticket=ticket, actor=mediator, outcome="failed", summary="")
    assert codes(exc.value) == {"mediation.no_session"}


def test_assign__only_to_a_task_force_serving_the_community(bring_dispute, worker_of_community_a, area):
    from gongzhi.directory.models import Organisation, OrgKind

    ticket = bring_dispute()
    elsewhere = Organisation.objects.create(name="射洪坝攻坚队", kind=OrgKind.TEAM, area=area("510185002000"))
    shop = Organisation.objects.create(name="某商店", kind=OrgKind.MERCHANT, area=area("510185001001"))
    for org in (elsewhere, shop, None):
        with pytest.raises(ValidationError) as exc:
            services.case_assign(ticket=ticket, organisation=org, actor=worker_of_community_a)
        assert codes(exc.value) == {"mediation.organisation"}
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED


# --- disputes: parties are personal data ------------------------------------------------------


def test_party_reveal__by_the_office__shows_the_full_value_and_is_audited(
    bring_dispute, worker_of_community_a
):
    ticket = bring_dispute()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    value = services.party_reveal(
        party=party, field="mobile", viewer=worker_of_community_a, reason="电话约调解"
    )
    assert value == "13900002222"
    assert (
        services.party_reveal(party=party, field="name", viewer=worker_of_community_a, reason="核对")
        == "王建国"
    )
    entries = AuditEntry.objects.filter(action="mediation.party_reveal", success=True)
    assert [e.changes["field"] for e in entries.order_by("seq")] == ["mobile", "name"]
    assert all("13900002222" not in str(e.changes) for e in entries)


def test_party_reveal__by_the_mediator_of_the_case__allowed(dispute_in_hand, mediator):
    ticket = dispute_in_hand()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    assert services.party_reveal(party=party, field="name", viewer=mediator, reason="通知到场") == "王建国"


def test_party_reveal__by_the_submitter__refused_and_the_attempt_audited(bring_dispute, resident_a):
    ticket = bring_dispute()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    with pytest.raises(PermissionDenied):
        services.party_reveal(party=party, field="mobile", viewer=resident_a, reason="想知道")
    assert AuditEntry.objects.filter(action="mediation.party_reveal", success=False).count() == 1


def test_party_reveal__without_a_reason__refused_and_not_logged_as_a_look(
    bring_dispute, worker_of_community_a
):
    ticket = bring_dispute()
    party = DisputeParty.objects.get(dispute=ticket.pk, role="respondent")
    with pytest.raises(ValidationError):
        services.party_reveal(party=party, field="mobile", viewer=worker_of_community_a, reason=" ")
    assert not AuditEntry.objects.filter(action="mediation.party_reveal").exists()


# --- consumer complaints ----------------------------------------------------------------------


def test_complaint__taken_up__upheld__counts_against_the_merchant(
    bring_complaint, worker_of_community_a, alliance, alliance_member, resident_a, merchant
):
    from gongzhi.mediation.selectors import merchant_civility_record
    from gongzhi.tickets.services import ticket_accept

    ticket = bring_complaint()
    complaint = Complaint.objects.get(ticket=ticket)
    assert str(complaint.amount) == "128.50" and complaint.ask == "refund" and complaint.merchant == merchant
    assert merchant_civility_record(merchant=merchant).received == 1
    assert merchant_civility_record(merchant=merchant).counted == 0
    services.case_assign(ticket=ticket, organisation=alliance, actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=alliance_member)
    services.complaint_conclude(
        ticket=ticket, actor=alliance_member, outcome="upheld", summary="商家已全额退款并道歉"
    )
    ticket_rate(ticket=ticket, actor=resident_a, rating=5)
    record = merchant_civility_record(merchant=merchant)
    assert (record.received, record.counted, record.open) == (1, 1, 0)


def test_complaint_not_upheld__does_not_count_against_the_merchant(
    bring_complaint, worker_of_community_a, alliance, alliance_member, merchant
):
    from gongzhi.mediation.selectors import merchant_civility_record
    from gongzhi.tickets.services import ticket_accept

    ticket = bring_complaint()
    services.case_assign(ticket=ticket, organisation=alliance, actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=alliance_member)
    services.complaint_conclude(
        ticket=ticket,
        actor=alliance_member,
        outcome="not_upheld",
        summary="商品在保质期内",
        referral="legal_desk",
    )
    record = merchant_civility_record(merchant=merchant)
    assert (record.received, record.counted, record.not_upheld, record.referred) == (1, 0, 1, 1)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        pytest.param({"amount": "-5"}, "amount", id="negative-amount"),
        pytest.param({"amount": "abc"}, "amount", id="amount-not-a-number"),
        pytest.param({"amount": "1.234"}, "amount", id="amount-below-a-fen"),
        pytest.param({"amount": "NaN"}, "amount", id="amount-nan"),
        pytest.param({"merchant_id": 999999}, "merchant", id="unknown-merchant"),
        pytest.param({"ask": "revenge"}, "ask", id="unknown-ask"),
        pytest.param({"category": "weather"}, "category", id="unknown-category"),
    ],
)
def test_complaint_submit__bad_input__refused_and_nothing_written(bring_complaint, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        bring_complaint(**kwargs)
    assert field in exc.value.error_dict
    assert not Ticket.objects.exists() and not Complaint.objects.exists()


def test_complaint_submit__negative_amount_message_is_clear(bring_complaint):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        bring_complaint(amount="-5")
    assert exc.value.message_dict["amount"] == ["金额不能为负数。"]


def test_complaint_about_a_suspended_merchant__refused(bring_complaint, merchant, worker_of_community_a):
    from gongzhi.points.services.redemption import merchant_set_status

    merchant_set_status(merchant=merchant, status="suspended", note="整改", actor=worker_of_community_a)
    with pytest.raises(ValidationError) as exc:
        bring_complaint()
    assert "merchant" in exc.value.error_dict


def test_closing_a_complaint_without_an_outcome__refused(
    bring_complaint, worker_of_community_a, alliance, alliance_member
):
    from gongzhi.tickets.services import ticket_accept

    ticket = bring_complaint()
    services.case_assign(ticket=ticket, organisation=alliance, actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=alliance_member)
    ticket_resolve(ticket=ticket, actor=alliance_member, note="已处理")
    with pytest.raises(ValidationError):
        ticket_close(ticket=ticket, actor=worker_of_community_a, note="结案")
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_a_merchant_removed_from_the_directory__leaves_its_complaints_on_record(bring_complaint, merchant):
    ticket = bring_complaint()
    merchant.organisation.delete()
    complaint = Complaint.objects.get(ticket=ticket)
    assert complaint.merchant is None and complaint.merchant_name == "刘记超市"


def test_marked_done_without_an_outcome__the_mediator_records_it_afterwards_and_it_closes(
    dispute_in_hand, mediator, worker_of_community_a, resident_a, reward_rule
):
    ticket = dispute_in_hand()
    services.session_record(
        ticket=ticket, actor=mediator, held_on=timezone.localdate(), mediators="陈调解", result="agreement"
    )
    ticket_resolve(ticket=ticket, actor=mediator, note="已处理")  # the ticket page, no outcome
    services.dispute_conclude(
        ticket=ticket, actor=mediator, outcome="agreement", agreement="赔偿500元", summary=""
    )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    ticket_rate(ticket=ticket, actor=resident_a, rating=5)
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED and points_of(mediator) == 50
    with pytest.raises(ValidationError):  # and only once: the outcome of this round is recorded
        services.dispute_conclude(ticket=ticket, actor=mediator, outcome="failed", summary="")
