"""Ranked suggestions for the dispatch queue: category fit, distance, load and rating, and why."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.services.dispatch import suggest_providers
from gongzhi.services.services import order_place
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import State


def test_suggestions__rank_the_nearby_provider_first_and_show_each_term_of_the_cost(
    area, resident_a, provider, far_provider
):
    far_provider.categories = ["elderly_care"]
    far_provider.save()
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    first, second = suggest_providers(ticket)
    assert first.party.label == provider.name and first.eligible
    assert set(first.components) == {"distance", "load", "rating"}
    assert first.facts["distance_km"] < 1 < second.facts["distance_km"]
    assert first.cost == pytest.approx(sum(first.components.values()), abs=0.2) and first.cost < second.cost
    assert any("公里" in r for r in first.reasons)


def test_suggestions__leave_out_providers_that_do_not_serve_the_category(
    area, resident_a, provider, far_provider
):
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="housework", title="大扫除")
    assert [s.party.label for s in suggest_providers(ticket)] == [far_provider.name]


def test_suggestions__a_full_provider_is_shown_but_cannot_be_chosen(
    area, resident_a, worker_of_community_a, provider, member_of, org_a
):
    member = member_of(org_a)
    for _ in range(2):  # capacity 2
        t = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
        tickets.ticket_dispatch(ticket=t, parties=[org_a], actor=worker_of_community_a)
        tickets.ticket_accept(ticket=t, actor=member)
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="再探访")
    suggestion = next(s for s in suggest_providers(ticket) if s.party.id == org_a.pk)
    assert not suggestion.eligible and suggestion.facts["load"] == 2
    assert suggestion.components["load"] == 1000  # two orders in hand, 500 m each


def test_suggestions__a_well_rated_provider_outranks_a_badly_rated_one(
    area, resident_a, worker_of_community_a, provider, far_provider, member_of, org_a, org_b
):
    far_provider.categories = ["elderly_care"]
    far_provider.save()
    for _ in range(4):
        t = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
        tickets.ticket_dispatch(ticket=t, parties=[org_a], actor=worker_of_community_a)
        tickets.ticket_accept(ticket=t, actor=member_of(org_a, name=f"甲{t.pk}"))
        tickets.ticket_resolve(ticket=t, actor=t.accepted_by, note="完成")
        tickets.ticket_rate(ticket=t, actor=resident_a, rating=1)
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    ranked = suggest_providers(ticket)
    rated = next(s for s in ranked if s.party.id == org_a.pk)
    assert rated.facts["ratings"] == 4 and rated.facts["stars"] < 3
    assert rated.components["rating"] > next(s for s in ranked if s.party.id == org_b.pk).components["rating"]


def test_rating_totals__follow_ratings_and_reopening_and_can_be_rebuilt(
    area, resident_a, worker_of_community_a, volunteer_a
):
    from gongzhi.tickets.models import PartyStats

    t = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    tickets.ticket_dispatch(ticket=t, parties=[volunteer_a], actor=worker_of_community_a)
    tickets.ticket_accept(ticket=t, actor=volunteer_a)
    tickets.ticket_resolve(ticket=t, actor=volunteer_a, note="完成")
    tickets.ticket_rate(ticket=t, actor=resident_a, rating=3)
    assert PartyStats.objects.get(party_user=volunteer_a).mean == 3
    tickets.ticket_reopen(ticket=t, actor=resident_a, note="又坏了")
    assert PartyStats.objects.get(party_user=volunteer_a).rating_count == 0
    assert tickets.party_stats_rebuild() == 0


def test_an_order_from_the_service_list__ranks_its_provider_first(area, resident_a, offering, far_provider):
    far_provider.categories = ["elderly_care"]
    far_provider.save()
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), offering=offering)
    top = suggest_providers(ticket)[0]
    assert top.party.id == offering.provider.organisation_id and top.facts["chosen"]


def test_a_best_match_rule__dispatches_new_orders_automatically(
    area, resident_a, worker_of_community_a, provider
):
    tickets.routing_rule_create(
        kind="service_order", category="elderly_care", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert ticket.state == State.DISPATCHED
    offer = ticket.offers.get()
    assert offer.party_org_id == provider.organisation_id and offer.reasons["components"]
    assert ticket.events.filter(action="dispatch", actor__isnull=True).exists()


def test_a_named_party_rule__overrides_the_ranking(
    area, resident_a, worker_of_community_a, provider, far_provider, org_b
):
    tickets.routing_rule_create(
        kind="service_order",
        category="",
        area=area(ANXIANGJIE),
        actor=worker_of_community_a,
        strategy="party",
        party_org=org_b,
    )
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert ticket.offers.get().party_org == org_b


def test_without_an_eligible_provider__a_rule_leaves_the_order_in_the_queue(
    area, resident_a, worker_of_community_a
):
    tickets.routing_rule_create(
        kind="service_order", category="", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="legal", title="法律咨询")
    assert ticket.state == State.SUBMITTED


def test_a_rule_that_cannot_be_applied__leaves_the_order_in_the_queue(
    area, resident_a, worker_of_community_a, org_b
):
    tickets.routing_rule_create(
        kind="service_order",
        category="",
        area=area(ANXIANGJIE),
        actor=worker_of_community_a,
        strategy="party",
        party_org=org_b,
    )
    org_b.is_active = False
    org_b.save()
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert ticket.pk and ticket.state == State.SUBMITTED


def test_the_most_specific_rule_applies__the_nearest_area_then_a_named_category(
    area, resident_a, org_a, org_b
):
    def party_rule(area_code, category, org):
        return tickets.routing_rule_create(
            kind="service_order",
            category=category,
            area=area(area_code),
            actor=None,
            strategy="party",
            party_org=org,
        )

    party_rule(JIANCHENG, "elderly_care", org_b)  # the town's, for this very category
    party_rule(ANXIANGJIE, "", org_a)  # the community's, for any category: nearer, so it wins
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert ticket.offers.get().party_org == org_a
    named = party_rule(ANXIANGJIE, "elderly_care", org_b)  # same area, named category: wins
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert tickets.rule_for(ticket) == named and ticket.offers.get().party_org == org_b


def test_a_switched_off_rule__stops_dispatching_at_once(area, resident_a, worker_of_community_a, provider):
    rule = tickets.routing_rule_create(
        kind="service_order", category="", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    tickets.routing_rule_set_active(rule=rule, active=False, actor=worker_of_community_a)
    ticket = order_place(resident=resident_a, area=area(ANXIANGJIE), category="elderly_care", title="探访")
    assert ticket.state == State.SUBMITTED and tickets.rule_for(ticket) is None
