"""Every illegal transition of the one state machine is refused with the current state named, and
changes nothing (parametrized over the transition table itself, so a new row is tested too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.tickets import services
from gongzhi.tickets.models import TRANSITIONS, Action, State, Ticket, TicketEvent
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.services import core


def _calls(volunteer):
    later = timezone.now() + timedelta(days=30)
    party = [PartyRef("user", volunteer.pk)]
    return {
        Action.DISPATCH: lambda t, u: services.ticket_dispatch(ticket=t, parties=party, actor=u),
        Action.ACCEPT: lambda t, u: services.ticket_accept(ticket=t, actor=u),
        Action.DECLINE: lambda t, u: services.ticket_decline(ticket=t, actor=u),
        Action.EXPIRE_OFFER: lambda t, u: core.check(t, Action.EXPIRE_OFFER, None),
        Action.RETURN: lambda t, u: services.ticket_return(ticket=t, actor=u, note="退回"),
        Action.REASSIGN: lambda t, u: services.ticket_reassign(ticket=t, parties=party, actor=u, note="改派"),
        Action.START: lambda t, u: services.ticket_start(ticket=t, actor=u),
        Action.RESOLVE: lambda t, u: services.ticket_resolve(ticket=t, actor=u, note="完成"),
        Action.RATE: lambda t, u: services.ticket_rate(ticket=t, actor=u, rating=5),
        Action.CLOSE: lambda t, u: services.ticket_close(ticket=t, actor=u, note="关闭"),
        Action.REOPEN: lambda t, u: services.ticket_reopen(ticket=t, actor=u, note="重开"),
        Action.CANCEL: lambda t, u: services.ticket_cancel(ticket=t, actor=u, note="取消"),
        Action.ESCALATE: lambda t, u: services.ticket_escalate(ticket=t, actor=u),
        Action.REMIND: lambda t, u: core.check(t, Action.REMIND, None),
        Action.REQUEST_EXTENSION: lambda t, u: services.ticket_request_extension(
            ticket=t, actor=u, until=later, note="延期"
        ),
        Action.GRANT_EXTENSION: lambda t, u: services.ticket_answer_extension(ticket=t, actor=u, grant=True),
        Action.DENY_EXTENSION: lambda t, u: services.ticket_answer_extension(
            ticket=t, actor=u, grant=False, note="不行"
        ),
        Action.COMMENT: lambda t, u: services.ticket_comment(ticket=t, actor=u, note="备注"),
    }


ILLEGAL = [
    (action, state) for action, t in TRANSITIONS.items() for state in State.values if state not in t.sources
]


def test_every_action_in_the_table__has_a_service_that_applies_it(volunteer_a):
    assert set(_calls(volunteer_a)) == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_illegal_transition__is_refused_naming_the_current_state_and_writes_nothing(
    submit, worker_of_community_a, volunteer_a, action, state
):
    ticket = submit()
    Ticket.objects.filter(pk=ticket.pk).update(state=state)
    ticket.refresh_from_db()
    events = TicketEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _calls(volunteer_a)[action](ticket, worker_of_community_a)
    assert exc.value.code == "ticket.invalid_transition"
    assert str(State(state).label) in exc.value.messages[0]
    ticket.refresh_from_db()
    assert ticket.state == state and TicketEvent.objects.count() == events


def test_a_move_from_a_state_another_process_just_left__is_refused_with_the_state_it_lost_to(
    submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_cancel(ticket=ticket, actor=worker_of_community_a, note="重复提交")
    with pytest.raises(ValidationError) as exc:
        services.ticket_dispatch(ticket=stale, parties=[volunteer_a], actor=worker_of_community_a)
    assert exc.value.code == "ticket.invalid_transition"
    assert str(State.CANCELLED.label) in exc.value.messages[0]
    assert Ticket.objects.get(pk=ticket.pk).state == State.CANCELLED
