"""The periodic tick: offers expire back to the queue, reminders before deadlines, escalation of
overdue tickets (community → town → city) onto the supervisor's workbench, auto-closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import CITY, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.notifications.models import Notification
from gongzhi.tickets import services
from gongzhi.tickets.models import EscalationLevel, FollowUp, State, Ticket, TicketOffer
from gongzhi.tickets.selectors import ticket_escalated


def _later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def test_unanswered_offer__expires_and_the_order_returns_to_the_queue(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    counts = services.tickets_tick(now=_later(hours=5))
    ticket.refresh_from_db()
    assert counts["offers_expired"] == 1 and ticket.state == State.RETURNED
    assert TicketOffer.objects.get().status == TicketOffer.Status.EXPIRED
    assert Notification.objects.filter(user=worker_of_community_a, kind="ticket.returned").exists()


def test_reminder__is_sent_once_when_a_fifth_of_the_time_is_left(submit, worker_of_community_a, volunteer_a):
    ticket = submit()  # 7 days: reminded within the last 33.6 hours
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    assert services.tickets_tick(now=_later(days=4))["reminded"] == 0
    assert services.tickets_tick(now=_later(days=6))["reminded"] == 1
    assert services.tickets_tick(now=_later(days=6, hours=1))["reminded"] == 0
    assert Notification.objects.filter(user=volunteer_a, kind="ticket.reminder").count() == 1


def test_overdue__escalates_to_the_town_then_the_city_and_shows_on_their_workbenches(
    submit, worker_of_community_a, volunteer_a, make_user
):
    town = make_user(Role.TOWN_STAFF, JIANCHENG, name="街道督办")
    city = make_user(Role.CITY_STAFF, CITY, name="市级督办")
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)

    services.tickets_tick(now=_later(days=7, hours=1))
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.TOWN and ticket.state == State.ACCEPTED
    assert list(ticket_escalated(viewer=town)) == [ticket]
    assert Notification.objects.filter(user=town, kind="ticket.escalated").exists()
    assert "supervisor" in services.hats(ticket, town) and "supervisor" not in services.hats(ticket, city)

    services.tickets_tick(now=_later(days=9))  # not yet half the allowed time past the deadline
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.TOWN

    services.tickets_tick(now=_later(days=11))
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.CITY
    assert Notification.objects.filter(user=city, kind="ticket.escalated").exists()
    assert "supervisor" in services.hats(ticket, city) and "supervisor" not in services.hats(ticket, town)


def test_supervisor__may_reassign_an_escalated_ticket_but_not_an_ordinary_one(
    submit, worker_of_community_a, volunteer_a, org_a, town_staff_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    assert "reassign" not in services.allowed_actions(ticket, town_staff_a)
    services.tickets_tick(now=_later(days=8))
    ticket.refresh_from_db()
    services.ticket_reassign(ticket=ticket, parties=[org_a], actor=town_staff_a, note="督办改派")
    assert ticket.state == State.DISPATCHED


def test_resolved_but_unconfirmed_for_7_days__closes_automatically(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    assert services.tickets_tick(now=_later(days=6))["auto_closed"] == 0
    assert services.tickets_tick(now=_later(days=7, hours=1))["auto_closed"] == 1
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.rating is None


def test_kind_with_routine_follow_up__gets_a_call_the_day_after_closing(
    submit, worker_of_community_a, volunteer_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_submit import jpeg_with_gps

    ticket = submit("test_hazard", "building", submitter=volunteer_a, title="楼道裂缝")
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(
        ticket=ticket, actor=volunteer_a, note="已加固", photos=[SimpleUploadedFile("a.jpg", jpeg_with_gps())]
    )
    services.ticket_close(ticket=ticket, actor=volunteer_a)
    follow_up = FollowUp.objects.get(ticket=ticket)
    assert follow_up.reason == FollowUp.Reason.ROUTINE
    assert timedelta(hours=23) < follow_up.due_at - timezone.now() <= timedelta(days=1)


def test_follow_up__unsatisfied_resident__reopens_the_ticket(
    submit, resident_a, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_rate(ticket=ticket, actor=resident_a, rating=1, comment="没解决")
    follow_up = FollowUp.objects.get()
    services.follow_up_record(
        follow_up=follow_up, actor=worker_of_community_a, outcome="unsatisfied", note="水管仍漏", reopen=True
    )
    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED and follow_up.done_at is not None


def test_tickets_tick_command__runs_the_task_and_prints_what_it_did(
    submit, worker_of_community_a, volunteer_a, capsys
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    TicketOffer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("tickets_tick")
    assert "offers_expired: 1" in capsys.readouterr().out
    assert Ticket.objects.get().state == State.RETURNED


@pytest.mark.django_db
def test_tickets_tick_command__can_enqueue_for_a_worker(capsys):
    call_command("tickets_tick", "--enqueue")
    assert "queued task" in capsys.readouterr().out
