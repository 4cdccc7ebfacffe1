"""What one service order costs the database: pinned, so the write path does not grow back.

An order placed through the API with a rule that dispatches it at once used to cost 40
statements, 14 of them savepoints of nested service transactions, and two audit entries
(bench/README.md, "Tickets"). It now runs in one transaction with one savepoint (around the
automatic dispatch, which may fail without losing the order) and one audit entry; the token
brings the memberships, and the organisation offered the order comes with its people.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import ANXIANGJIE
from gongzhi.accounts.services import api_token_create
from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_verify
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import State, Ticket

# The statements of one dispatched order (token with user and memberships, area, ticket, event,
# rule, providers, their load, organisation with its people, offer, state, event, audit head,
# entry and head update — one statement on PostgreSQL); in a test the outer transaction is the
# test's, so the order's own transaction shows as one more savepoint.
MAX_STATEMENTS = 17 if connection.vendor == "postgresql" else 18
MAX_SAVEPOINT_STATEMENTS = 4  # the order's savepoint and the automatic dispatch's, each opened and released


def _savepoints(queries) -> int:
    return sum(q["sql"].split(None, 1)[0].upper() in ("SAVEPOINT", "RELEASE") for q in queries)


@pytest.fixture
def ordering(client, area, resident_a, worker_of_community_a, provider):
    tickets.routing_rule_create(
        kind="service_order", category="", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    _, raw = api_token_create(user=resident_a, name="test")

    def place(title: str):
        return client.post(
            "/api/v1/services/orders",
            {"area_code": ANXIANGJIE, "category": "elderly_care", "title": title},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    place("热身")  # the first order of a test database creates the audit chain's head
    return place


def test_an_automatically_dispatched_order__stays_within_its_statement_budget(ordering, provider):
    with CaptureQueriesContext(connection) as ctx:
        response = ordering("上门探访")
    assert response.status_code == 201
    assert response.json()["state"] == State.DISPATCHED
    assert response.json()["offered_to"] == [provider.organisation.name]
    queries = ctx.captured_queries
    assert len(queries) <= MAX_STATEMENTS, "\n".join(q["sql"][:120] for q in queries)
    assert _savepoints(queries) <= MAX_SAVEPOINT_STATEMENTS, "\n".join(q["sql"][:120] for q in queries)


def test_an_automatically_dispatched_order__is_one_audit_entry_and_two_timeline_events(ordering, provider):
    response = ordering("上门探访")
    ticket = Ticket.objects.get(pk=response.json()["id"])
    entries = AuditEntry.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk))
    assert [e.action for e in entries] == ["ticket.submit"]
    assert entries[0].changes["dispatched_to"] == provider.organisation.name
    assert [e.action for e in ticket.events.order_by("at", "pk")] == ["submit", "dispatch"]
    assert list(audit_verify()) == []


def test_an_order_offered_to_an_organisation_with_people__notifies_them_without_a_savepoint_of_its_own(
    ordering, provider, make_user
):
    from gongzhi.accounts.roles import Role
    from gongzhi.notifications.models import Notification

    member = make_user(Role.ORG_MEMBER, provider.organisation.area_id, organisation=provider.organisation)
    with CaptureQueriesContext(connection) as ctx:
        response = ordering("上门探访")
    assert response.status_code == 201
    assert Notification.objects.filter(user=member, kind="ticket.offered").count() == 1
    queries = ctx.captured_queries
    assert len(queries) <= MAX_STATEMENTS + 1, "\n".join(
        q["sql"][:120] for q in queries
    )  # + the notification
    assert _savepoints(queries) <= MAX_SAVEPOINT_STATEMENTS, "\n".join(q["sql"][:120] for q in queries)
