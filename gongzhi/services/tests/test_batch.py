"""Dispatch all waiting orders at once: the optimal plan beats the greedy baseline, with a proof."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.audit.models import AuditEntry
from gongzhi.services.batch import plan
from gongzhi.services.services import order_place, orders_dispatch_all, resource_create
from gongzhi.tickets.models import State, Ticket

P = (30.4240, 104.5550)


@pytest.fixture
def two_orders_two_providers(area, resident_a, org_a, org_b):
    """P serves both categories but has one free place; Q serves elderly care only, a little further.

    Greedy takes the cheapest pair first — the visit to P — and the repair then finds nobody;
    the optimum sends the visit to Q and the repair to P, placing both."""
    resource_create(
        actor=None,
        name="P",
        kind="organisation",
        organisation=org_a,
        area=area(JIANCHENG),
        categories=["elderly_care", "repair"],
        capacity=1,
        lat=P[0],
        lng=P[1],
    )
    resource_create(
        actor=None,
        name="Q",
        kind="organisation",
        organisation=org_b,
        area=area(ANXIANGJIE),
        categories=["elderly_care"],
        capacity=1,
        lat=P[0] + 0.004,
        lng=P[1],
    )
    visit = order_place(
        resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访", lat=P[0], lng=P[1]
    )
    repair = order_place(
        resident=resident_a,
        area=area(ANXIANGJIE),
        category="repair",
        title="修水管",
        lat=P[0] + 0.002,
        lng=P[1],
    )
    return visit, repair


def test_plan__places_more_orders_than_greedy_and_proves_it(
    two_orders_two_providers, worker_of_community_a, org_a, org_b
):
    visit, repair = two_orders_two_providers
    result = plan(worker_of_community_a)
    assert (result.optimal_assigned, result.greedy_assigned) == (2, 1)
    assert result.proven_optimal and result.gap is not None and abs(result.gap) < 1
    by_ticket = {p.ticket.pk: p for p in result.pairs}
    assert (
        by_ticket[visit.pk].provider.party.id == org_b.pk
        and by_ticket[repair.pk].provider.party.id == org_a.pk
    )
    assert by_ticket[visit.pk].greedy.party.id == org_a.pk and by_ticket[repair.pk].greedy is None


def test_dispatch_all__offers_every_order_as_planned_and_records_it(
    two_orders_two_providers, worker_of_community_a, org_a, org_b
):
    visit, repair = two_orders_two_providers
    done, skipped, _plan = orders_dispatch_all(viewer=worker_of_community_a)
    assert (done, skipped) == (2, 0)
    assert Ticket.objects.get(pk=visit.pk).offers.get().party_org == org_b
    assert Ticket.objects.get(pk=repair.pk).offers.get().party_org == org_a
    assert set(Ticket.objects.values_list("state", flat=True)) == {State.DISPATCHED}
    assert AuditEntry.objects.filter(action="orders.dispatch_all").get().changes["proven_optimal"] is True


def test_dispatch_all__is_for_dispatchers_only(two_orders_two_providers, town_staff_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        orders_dispatch_all(viewer=town_staff_a)
    assert set(Ticket.objects.values_list("state", flat=True)) == {State.SUBMITTED}


def test_plan_page__shows_both_totals_and_dispatches_on_one_click(
    signed_in, two_orders_two_providers, worker_of_community_a
):
    client = signed_in(worker_of_community_a)
    page = client.get("/services/queue/plan/").content.decode()
    assert "proven optimal" in page or "已证明最优" in page
    assert client.post("/services/queue/dispatch-all/").status_code == 302
    assert set(Ticket.objects.values_list("state", flat=True)) == {State.DISPATCHED}


def test_plan_api__reports_greedy_and_optimal(client, two_orders_two_providers, worker_of_community_a):
    from gongzhi.accounts.services import api_token_create

    _, raw = api_token_create(user=worker_of_community_a, name="t")
    body = client.get("/api/v1/services/queue/plan", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["optimal_assigned"] == 2 and body["greedy_assigned"] == 1 and body["proven_optimal"]
    dispatched = client.post("/api/v1/services/queue/dispatch-all", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert dispatched["dispatched"] == 2
