"""Two providers accept the same order at the same moment: exactly one wins (PostgreSQL).

Both threads pass every check first (a barrier holds them until both have), then race on the
state UPDATE, which is conditional on the state they read: the database lets one through and the
other finds the ticket already accepted. SQLite serialises writers on the whole file, so the race
cannot happen there; the test runs on PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.tickets import services
from gongzhi.tickets.models import State, Ticket, TicketEvent, TicketOffer
from gongzhi.tickets.services import flow


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_providers_accepting_at_the_same_moment__exactly_one_wins(
    submit, worker_of_community_a, volunteer_a, org_a, member_of, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises all writers, so two accepts cannot race; run with DATABASE_URL=postgres://..."
        )
    member = member_of(org_a)
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a, org_a], actor=worker_of_community_a)

    barrier = threading.Barrier(2, timeout=20)
    real_check = flow.check

    def check_then_wait(*args, **kwargs):
        worn = real_check(*args, **kwargs)
        barrier.wait()  # both have passed every check: now race on the UPDATE
        return worn

    monkeypatch.setattr(flow, "check", check_then_wait)
    results: dict[str, str] = {}

    def accept(user):
        try:
            mine = Ticket.objects.get(pk=ticket.pk)
            services.ticket_accept(ticket=mine, actor=user)
            results[user.name] = "won"
        except ValidationError as exc:
            results[user.name] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (volunteer_a, member)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(results.values()) == ["ticket.invalid_transition", "won"]
    ticket.refresh_from_db()
    winner = volunteer_a if results[volunteer_a.name] == "won" else member
    assert ticket.state == State.ACCEPTED and ticket.accepted_by == winner
    assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1
    assert TicketOffer.objects.filter(ticket=ticket, status=TicketOffer.Status.ACCEPTED).count() == 1
