"""Residents ordering at the same time, each order audited on submission and on its automatic
dispatch: none fails (PostgreSQL; on SQLite writers queue on the file and cannot interleave)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.services.services import order_place
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import State, Ticket


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_with_automatic_dispatch__all_succeed(
    area, make_user, worker_of_community_a, provider
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises all writers, so concurrent transactions cannot interleave; run with DATABASE_URL=postgres://..."
        )
    tickets.routing_rule_create(
        kind="service_order", category="", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    residents = [make_user(Role.RESIDENT, ANXIANGJIE, name=f"居民{i}") for i in range(6)]
    home = area(ANXIANGJIE)
    errors: list[str] = []

    def order(user):
        try:
            for _ in range(5):
                order_place(resident=user, area=home, category="elderly_care", title="探访")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever broke
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(u,)) for u in residents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Ticket.objects.count() == 30
    assert (
        Ticket.objects.filter(state=State.DISPATCHED).count()
        + Ticket.objects.filter(state=State.SUBMITTED).count()
        == 30
    )
