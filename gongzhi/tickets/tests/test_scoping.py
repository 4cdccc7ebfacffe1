"""Architecture decision 1 for tickets and the three lists: a community worker of 白塔路社区 walks
every page and API route, with the ids of 安象街社区's tickets, needs, resources, offerings,
follow-ups and rules in every path, and sees none of them."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE
from tests.test_scoping import _fill, _patterns

SECRET = "机密诉求"


@pytest.fixture
def community_a_objects(area, submit, make_person, resident_a, worker_of_community_a, volunteer_a):
    from gongzhi.services.services import need_create, offering_create, resource_create
    from gongzhi.tickets import services

    person = make_person(ANXIANGJIE, name="张三")
    need = need_create(
        actor=worker_of_community_a,
        title=f"{SECRET}需求",
        category="elderly_care",
        area=area(ANXIANGJIE),
        person=person,
    )
    resource = resource_create(
        actor=worker_of_community_a,
        name=f"{SECRET}资源",
        kind="volunteer",
        user=volunteer_a,
        area=area(ANXIANGJIE),
        categories=["elderly_care"],
    )
    offering = offering_create(
        actor=worker_of_community_a,
        title=f"{SECRET}服务",
        category="elderly_care",
        provider=resource,
        area=area(ANXIANGJIE),
    )
    ticket = submit(title=f"{SECRET}工单")
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_rate(ticket=ticket, actor=resident_a, rating=1, comment=f"{SECRET}差评")
    rule = services.routing_rule_create(
        kind="service_order", category="repair", area=area(ANXIANGJIE), actor=worker_of_community_a
    )
    follow_up = ticket.follow_ups.get()
    return [need.pk, resource.pk, offering.pk, ticket.pk, rule.pk, follow_up.pk]


def test_every_route__shows_nothing_of_another_communitys_tickets_and_lists(
    client, worker_of_community_b, community_a_objects
):
    from gongzhi.accounts.services import api_token_create

    _, raw = api_token_create(user=worker_of_community_b, name="walk")
    client.force_login(worker_of_community_b, backend="gongzhi.accounts.backends.MobilePasswordBackend")
    paths = set()
    for pattern in _patterns():
        if not any(pattern.startswith(p) for p in ("tickets/", "services/", "notifications/", "api/v1/")):
            continue
        if "<" in pattern:
            paths.update(_fill(pattern, pk) for pk in community_a_objects)
        else:
            paths.add("/" + pattern.replace("^", "").replace("$", ""))
    paths.update(f"/api/v1/{p}/{pk}" for p in ("tickets", "tickets/follow-ups") for pk in community_a_objects)
    visited = 0
    for path in sorted(paths):
        for query in (
            "",
            "?q=机",
            f"?area={ANXIANGJIE}",
            f"?area_code={ANXIANGJIE}",
            "?status=",
            "?state=closed",
        ):
            response = client.get(
                path + query, HTTP_AUTHORIZATION=f"Bearer {raw}" if path.startswith("/api/") else ""
            )
            visited += 1
            body = response.content.decode(errors="replace")
            assert SECRET not in body, f"{path}{query} shows {SECRET}"
    assert visited > 100


def test_another_communitys_worker__cannot_act_on_its_tickets(
    client, worker_of_community_b, submit, volunteer_a
):
    ticket = submit(title=f"{SECRET}工单")
    client.force_login(worker_of_community_b, backend="gongzhi.accounts.backends.MobilePasswordBackend")
    for action in ("dispatch", "cancel", "escalate", "comment"):
        assert (
            client.post(
                f"/tickets/{ticket.pk}/{action}/", {"note-note": "x", "comment-note": "x"}
            ).status_code
            == 404
        )
    from gongzhi.tickets.models import State, Ticket

    assert Ticket.objects.get().state == State.SUBMITTED
