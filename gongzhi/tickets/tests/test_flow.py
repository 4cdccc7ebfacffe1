"""The life of a ticket through the engine's services: every step a user would notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.audit.models import AuditEntry
from gongzhi.notifications.models import Notification
from gongzhi.tickets import services
from gongzhi.tickets.models import Action, FollowUp, State, Ticket, TicketEvent, TicketOffer, Visibility
from gongzhi.tickets.policies import PartyRef


def test_the_whole_loop__submit_dispatch_accept_start_resolve_rate(
    submit, resident_a, worker_of_community_a, org_a, member_of
):
    member = member_of(org_a)
    ticket = submit()
    assert ticket.state == State.SUBMITTED and ticket.deadline > timezone.now()

    services.ticket_dispatch(ticket=ticket, parties=[org_a], actor=worker_of_community_a, note="请尽快")
    assert ticket.state == State.DISPATCHED
    assert Notification.objects.filter(user=member, kind="ticket.offered").exists()

    services.ticket_accept(ticket=ticket, actor=member)
    assert ticket.state == State.ACCEPTED and ticket.assignee_org == org_a and ticket.accepted_by == member
    assert Notification.objects.filter(user=resident_a, kind="ticket.accepted").exists()

    services.ticket_start(ticket=ticket, actor=member)
    services.ticket_resolve(ticket=ticket, actor=member, note="已上门探访，老人身体良好")
    assert ticket.state == State.RESOLVED
    assert Notification.objects.filter(user=resident_a, kind="ticket.resolved").exists()

    services.ticket_rate(ticket=ticket, actor=resident_a, rating=5, comment="很好")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.rating == 5 and ticket.closed_at
    actions = list(ticket.events.exclude(action="comment").values_list("action", flat=True))
    assert actions == ["submit", "dispatch", "accept", "start", "resolve", "rate"]
    assert AuditEntry.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk)).count() >= 6


def test_rating__without_a_points_handler__still_closes_and_logs_a_warning(
    submit, resident_a, worker_of_community_a, volunteer_a, caplog, monkeypatch
):
    from gongzhi.core import rewards

    monkeypatch.setattr(rewards, "_handler", None)  # as on an installation without the points app
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    with caplog.at_level("WARNING", logger="gongzhi.tickets"):
        services.ticket_rate(ticket=ticket, actor=resident_a, rating=4)
    assert ticket.state == State.CLOSED
    assert "no points handler" in caplog.text


def test_rating__4_or_5__pays_the_handler_through_the_reward_hook(
    submit, resident_a, worker_of_community_a, volunteer_a, monkeypatch
):
    from gongzhi.core import rewards

    paid = []

    def handler(request):
        paid.append(request)
        return rewards.RewardResult(paid=True, points=10)

    monkeypatch.setattr(rewards, "_handler", handler)
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_rate(ticket=ticket, actor=resident_a, rating=5)
    assert [(r.rule, r.beneficiary_user_id, r.source_id) for r in paid] == [
        ("service_order.well_rated", volunteer_a.pk, str(ticket.pk))
    ]
    assert ticket.events.filter(note__contains="10").exists()


def test_rating__1_or_2__opens_a_follow_up_call_and_pays_nothing(
    submit, resident_a, worker_of_community_a, volunteer_a, monkeypatch
):
    from gongzhi.core import rewards

    monkeypatch.setattr(rewards, "_handler", lambda request: pytest.fail("a low rating must not pay"))
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_rate(ticket=ticket, actor=resident_a, rating=2, comment="来晚了")
    follow_up = FollowUp.objects.get(ticket=ticket)
    assert follow_up.reason == FollowUp.Reason.LOW_RATING and follow_up.area_id == ticket.area_id
    assert Notification.objects.filter(user=worker_of_community_a, kind="ticket.follow_up").exists()


@pytest.mark.parametrize("rating", [0, 6, -1, "五", None])
def test_rating__outside_1_to_5__is_refused_and_nothing_changes(
    submit, resident_a, worker_of_community_a, volunteer_a, rating
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    events = ticket.events.count()
    with pytest.raises(ValidationError) as exc:
        services.ticket_rate(ticket=ticket, actor=resident_a, rating=rating)
    assert exc.value.error_dict["rating"][0].code == "ticket.rating_range"
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and ticket.rating is None and ticket.events.count() == events


def test_offer__to_several_parties__the_first_to_accept_wins_and_the_others_are_withdrawn(
    submit, worker_of_community_a, volunteer_a, org_a, member_of
):
    member = member_of(org_a)
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[org_a, volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    assert ticket.assignee_user == volunteer_a
    statuses = dict(ticket.offers.values_list("party_user_id", "status"))
    assert (
        statuses[volunteer_a.pk] == TicketOffer.Status.ACCEPTED
        and statuses[None] == TicketOffer.Status.WITHDRAWN
    )
    ticket.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.ticket_accept(ticket=ticket, actor=member)
    assert exc.value.code == "ticket.invalid_transition"
    assert "已接单" in exc.value.messages[0]


def test_accept__by_a_provider_it_was_not_offered_to__is_refused_and_nothing_changes(
    submit, worker_of_community_a, volunteer_a, org_a, member_of
):
    outsider = member_of(org_a)
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    with pytest.raises(ValidationError) as exc:
        services.ticket_accept(ticket=ticket, actor=outsider)
    assert exc.value.code == "ticket.not_offered"
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED and ticket.assignee_org is None and ticket.assignee_user is None


def test_accept__after_the_offer_expired__is_refused(submit, worker_of_community_a, volunteer_a):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    TicketOffer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as exc:
        services.ticket_accept(ticket=ticket, actor=volunteer_a)
    assert exc.value.code == "ticket.offer_expired"


def test_decline__by_the_last_party__returns_the_order_to_the_queue_and_tells_the_community(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_decline(ticket=ticket, actor=volunteer_a, note="这周不在")
    ticket.refresh_from_db()
    assert ticket.state == State.RETURNED
    assert Notification.objects.filter(user=worker_of_community_a, kind="ticket.returned").exists()
    assert not Ticket.objects.visible_to(volunteer_a).filter(pk=ticket.pk).exists()


def test_decline__while_another_party_may_still_answer__keeps_it_dispatched(
    submit, worker_of_community_a, volunteer_a, org_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a, org_a], actor=worker_of_community_a)
    services.ticket_decline(ticket=ticket, actor=volunteer_a)
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED


def test_submitter__sees_public_events_only(submit, resident_a, worker_of_community_a, volunteer_a):
    from gongzhi.tickets.selectors import ticket_timeline

    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_comment(
        ticket=ticket, actor=worker_of_community_a, note="内部：该户需注意安全", internal=True
    )
    services.ticket_comment(ticket=ticket, actor=worker_of_community_a, note="已安排志愿者")
    notes = [e.note for e in ticket_timeline(ticket=ticket, viewer=resident_a)]
    assert "已安排志愿者" in notes and "内部：该户需注意安全" not in notes
    assert "内部：该户需注意安全" in [
        e.note for e in ticket_timeline(ticket=ticket, viewer=worker_of_community_a)
    ]


def test_resolve__without_the_note_or_photos_the_kind_requires__is_refused(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit("test_hazard", "building", submitter=volunteer_a, title="楼道裂缝")
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    with pytest.raises(ValidationError) as exc:
        services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="")
    assert set(exc.value.message_dict) == {"note", "photos"}
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED


def test_reopen__by_an_unsatisfied_resident__goes_back_to_the_queue_with_a_fresh_deadline(
    submit, resident_a, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_reopen(ticket=ticket, actor=resident_a, note="其实没有来")
    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED and ticket.reopen_count == 1 and ticket.assignee_user is None
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    assert ticket.state == State.DISPATCHED


def test_extension__asked_before_the_deadline_and_granted__moves_the_deadline(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    until = ticket.deadline + timedelta(days=2)
    services.ticket_request_extension(ticket=ticket, actor=volunteer_a, until=until, note="需要配件")
    services.ticket_answer_extension(ticket=ticket, actor=worker_of_community_a, grant=True)
    ticket.refresh_from_db()
    assert ticket.deadline == until and ticket.extension_requested_until is None


def test_extension__asked_after_the_deadline__is_refused(submit, worker_of_community_a, volunteer_a):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    Ticket.objects.filter(pk=ticket.pk).update(deadline=timezone.now() - timedelta(hours=1))
    ticket.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.ticket_request_extension(
            ticket=ticket, actor=volunteer_a, until=timezone.now() + timedelta(days=1), note="晚了"
        )
    assert exc.value.code == "ticket.extension_too_late"


def test_events__are_immutable(submit):
    event = submit().events.get()
    event.note = "改写"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_dispatch__by_a_resident__is_refused_with_who_may(submit, resident_a, volunteer_a):
    ticket = submit()
    with pytest.raises(ValidationError) as exc:
        services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=resident_a)
    assert exc.value.code == "ticket.not_allowed"
    assert not TicketOffer.objects.exists()


def test_dispatch__to_someone_who_cannot_take_orders__is_refused(submit, worker_of_community_a, resident_a):
    ticket = submit()
    with pytest.raises(ValidationError) as exc:
        services.ticket_dispatch(
            ticket=ticket, parties=[PartyRef("user", resident_a.pk)], actor=worker_of_community_a
        )
    assert "parties" in exc.value.message_dict
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and not TicketEvent.objects.filter(action=Action.DISPATCH).exists()


def test_public_and_internal_visibility__is_recorded_on_each_event(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_decline(ticket=ticket, actor=volunteer_a)
    visibility = dict(ticket.events.values_list("action", "visibility"))
    assert visibility["dispatch"] == Visibility.PUBLIC and visibility["decline"] == Visibility.INTERNAL


def test_dispatch__notifies_the_organisations_members_in_force_only(
    submit, worker_of_community_a, org_a, member_of
):
    member, former, inactive = (member_of(org_a, name=n) for n in ("成员", "离任成员", "停用成员"))
    former.memberships.update(valid_until=timezone.now() - timedelta(days=1))
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[org_a], actor=worker_of_community_a)
    told = set(Notification.objects.filter(kind="ticket.offered").values_list("user_id", flat=True))
    assert told == {member.pk}


def test_dispatch__to_an_inactive_organisation__is_refused(submit, worker_of_community_a, org_a):
    org_a.is_active = False
    org_a.save(update_fields=["is_active"])
    ticket = submit()
    with pytest.raises(ValidationError) as exc:
        services.ticket_dispatch(ticket=ticket, parties=[org_a], actor=worker_of_community_a)
    assert [e.code for e in exc.value.error_dict["parties"]] == ["ticket.party_unknown"]
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED
