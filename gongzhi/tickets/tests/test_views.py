"""Ticket pages: each role sees its own list, actions post back with errors beside the field."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.tickets import services
from gongzhi.tickets.models import FollowUp, RoutingRule, State, Ticket


def _png(name="work.png"):
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 120, 0)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_my_requests__lists_the_residents_own_tickets_only(signed_in, submit, resident_a, make_user):
    from gongzhi.accounts.roles import Role

    neighbour = make_user(Role.RESIDENT, name="邻居")
    submit(title="我的探访请求")
    submit(title="邻居的请求", submitter=neighbour)
    body = signed_in(resident_a).get("/tickets/mine/").content.decode()
    assert "我的探访请求" in body and "邻居的请求" not in body


def test_offers_page__accept_takes_the_order(signed_in, submit, worker_of_community_a, volunteer_a):
    ticket = submit(title="陪同就医")
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    client = signed_in(volunteer_a)
    assert "陪同就医" in client.get("/tickets/offers/").content.decode()
    response = client.post(f"/tickets/{ticket.pk}/accept/", {})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED and "陪同就医" in client.get("/tickets/jobs/").content.decode()


def test_detail__resolve_with_a_photo_then_the_resident_rates(
    signed_in, submit, resident_a, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    response = signed_in(volunteer_a).post(
        f"/tickets/{ticket.pk}/resolve/", {"resolve-note": "已完成", "resolve-photos": [_png()]}
    )
    assert response.status_code == 302
    photo = ticket.attachments.get()
    assert photo.stage == "resolution"
    client = signed_in(resident_a)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Confirm and rate" in page or "确认并评价" in page
    assert client.get(f"/tickets/photos/{photo.pk}/").status_code == 200
    assert (
        client.post(f"/tickets/{ticket.pk}/rate/", {"rate-rating": "4", "rate-comment": "不错"}).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.rating == 4


def test_detail__a_bad_rating__is_shown_beside_the_field_with_status_400(
    signed_in, submit, resident_a, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    response = signed_in(resident_a).post(f"/tickets/{ticket.pk}/rate/", {"rate-rating": "9"})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert Ticket.objects.get().state == State.RESOLVED


def test_detail__a_non_image_upload__is_refused_beside_the_photos_field(
    signed_in, submit, worker_of_community_a, volunteer_a
):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    fake = SimpleUploadedFile("work.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = signed_in(volunteer_a).post(
        f"/tickets/{ticket.pk}/resolve/", {"resolve-note": "完成", "resolve-photos": [fake]}
    )
    assert response.status_code == 400 and "work.jpg" in response.content.decode()
    assert Ticket.objects.get().state == State.ACCEPTED and not ticket.attachments.exists()


def test_detail__transition_from_the_wrong_state__re_renders_with_the_reason(signed_in, submit, resident_a):
    ticket = submit()
    response = signed_in(resident_a).post(f"/tickets/{ticket.pk}/reopen/", {"note-note": "不满意"})
    assert response.status_code == 400
    assert Ticket.objects.get().state == State.SUBMITTED


def test_detail__dispatch_from_the_suggestions(signed_in, submit, worker_of_community_a, org_a):
    from gongzhi.services.models import Resource

    Resource.objects.create(
        name=org_a.name,
        kind="organisation",
        organisation=org_a,
        area=org_a.area,
        categories=["elderly_care"],
        capacity=3,
    )
    ticket = submit()
    client = signed_in(worker_of_community_a)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'value="org:{org_a.pk}"' in page
    assert (
        client.post(f"/tickets/{ticket.pk}/dispatch/", {"dispatch-parties": [f"org:{org_a.pk}"]}).status_code
        == 302
    )
    assert Ticket.objects.get().state == State.DISPATCHED


def test_detail__dispatch_with_nobody_chosen__says_so(signed_in, submit, worker_of_community_a):
    ticket = submit()
    response = signed_in(worker_of_community_a).post(
        f"/tickets/{ticket.pk}/dispatch/", {"dispatch-note": "x"}
    )
    assert response.status_code == 400 and 'class="form-errors"' in response.content.decode()


def test_another_communitys_ticket__is_not_found_on_every_page(signed_in, submit, worker_of_community_b):
    ticket = submit(title="保密的请求")
    client = signed_in(worker_of_community_b)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/comment/", {"comment-note": "x"}).status_code == 404
    for url in (
        "/tickets/",
        "/tickets/overdue/",
        "/tickets/escalated/",
        "/tickets/figures/",
        "/services/queue/",
    ):
        assert "保密的请求" not in client.get(url).content.decode()


def test_escalated_page__shows_the_town_what_was_escalated_to_it(
    signed_in, submit, worker_of_community_a, volunteer_a, town_staff_a
):
    ticket = submit(title="超期未办的请求")
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_escalate(ticket=ticket, actor=worker_of_community_a, note="上报街道")
    page = signed_in(town_staff_a).get("/tickets/escalated/").content.decode()
    assert "超期未办的请求" in page


def test_follow_up_page__records_the_call(signed_in, submit, resident_a, worker_of_community_a, volunteer_a):
    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[volunteer_a], actor=worker_of_community_a)
    services.ticket_accept(ticket=ticket, actor=volunteer_a)
    services.ticket_resolve(ticket=ticket, actor=volunteer_a, note="完成")
    services.ticket_rate(ticket=ticket, actor=resident_a, rating=1, comment="没人来")
    follow_up = FollowUp.objects.get()
    client = signed_in(worker_of_community_a)
    assert "没人来" in client.get("/tickets/follow-ups/").content.decode()
    bad = client.post(f"/tickets/follow-ups/{follow_up.pk}/", {"outcome": "unsatisfied"})
    assert bad.status_code == 400
    good = client.post(f"/tickets/follow-ups/{follow_up.pk}/", {"outcome": "satisfied", "note": "已重新上门"})
    assert good.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.outcome == "satisfied"


def test_routing_page__saves_a_rule_and_refuses_a_duplicate(signed_in, worker_of_community_a):
    from conftest import ANXIANGJIE

    client = signed_in(worker_of_community_a)
    data = {"kind": "service_order", "category": "repair", "area": ANXIANGJIE, "strategy": "best_match"}
    assert client.post("/tickets/routing/", data).status_code == 302
    assert client.post("/tickets/routing/", data).status_code == 400
    assert RoutingRule.objects.count() == 1


def test_figures_page__shows_the_three_rates(signed_in, submit, town_staff_a):
    submit()
    page = signed_in(town_staff_a).get("/tickets/figures/").content.decode()
    assert 'id="figures"' in page and "安象街社区" in page
