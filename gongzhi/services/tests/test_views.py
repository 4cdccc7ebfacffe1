"""Service pages: the resident's catalogue and order form, the worker's queue and three lists."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.services.models import Need, ServiceOffering
from gongzhi.tickets.models import State, Ticket


def test_catalogue__shows_the_services_of_the_residents_community(signed_in, resident_a, offering):
    page = signed_in(resident_a).get("/services/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert offering.title in page and f"?offering={offering.pk}" in page
    assert "点单" in page and "兑换" not in page  # not the points shop's word for "Order"


def test_order_page__orders_a_listed_service_and_shows_the_ticket(signed_in, resident_a, offering):
    client = signed_in(resident_a)
    assert offering.title in client.get(f"/services/order/?offering={offering.pk}").content.decode()
    response = client.post(
        "/services/order/",
        {"area": ANXIANGJIE, "offering": offering.pk, "people": 1, "preferred_time": "周二"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.extra["offering_id"] == offering.pk


def test_order_page__a_described_need_without_a_category__is_refused_beside_the_field(signed_in, resident_a):
    response = signed_in(resident_a).post(
        "/services/order/", {"area": ANXIANGJIE, "title": "帮帮忙", "people": 1}
    )
    assert response.status_code == 400 and "has-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_order_page__a_position_outside_the_community__is_refused(signed_in, resident_a):
    response = signed_in(resident_a).post(
        "/services/order/",
        {
            "area": ANXIANGJIE,
            "category": "repair",
            "title": "修水管",
            "people": 1,
            "lat": "34.36",
            "lng": "107.13",
        },
    )
    assert response.status_code == 400 and "安象街社区" in response.content.decode()
    assert not Ticket.objects.exists()


def test_order_page__a_photo_that_is_not_an_image__is_refused(signed_in, resident_a):
    fake = SimpleUploadedFile("leak.jpg", b"not really a jpeg", content_type="image/jpeg")
    response = signed_in(resident_a).post(
        "/services/order/",
        {"area": ANXIANGJIE, "category": "repair", "title": "修水管", "people": 1, "photos": [fake]},
    )
    assert response.status_code == 400 and "leak.jpg" in response.content.decode()
    assert not Ticket.objects.exists()


def test_queue__one_click_dispatch_to_a_suggestion(signed_in, submit, worker_of_community_a, provider):
    ticket = submit(title="每周探访")
    client = signed_in(worker_of_community_a)
    page = client.get("/services/queue/").content.decode()
    assert "每周探访" in page and provider.name in page
    response = client.post(
        f"/services/queue/{ticket.pk}/dispatch/", {"party": f"org:{provider.organisation_id}"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED and ticket.offers.get().reasons["components"]


def test_queue__dispatching_an_order_already_dispatched__says_so(
    signed_in, submit, worker_of_community_a, provider
):
    from gongzhi.tickets import services

    ticket = submit()
    services.ticket_dispatch(ticket=ticket, parties=[provider.organisation], actor=worker_of_community_a)
    response = signed_in(worker_of_community_a).post(
        f"/services/queue/{ticket.pk}/dispatch/", {"party": f"org:{provider.organisation_id}"}
    )
    assert response.status_code == 400 and "已派单" in response.content.decode()


def test_needs_page__adds_a_group_need_and_refuses_another_communitys(signed_in, worker_of_community_a):
    client = signed_in(worker_of_community_a)
    data = {
        "title": "留守儿童托管",
        "category": "child_care",
        "area": ANXIANGJIE,
        "subject": "group",
        "group_tag": "left_behind_child",
        "beneficiaries": 10,
        "urgency": 3,
        "source": "visit",
        "status": "open",
    }
    assert client.post("/services/needs/new/", data).status_code == 302
    assert "留守儿童托管" in client.get("/services/needs/").content.decode()
    data["area"] = "510185001002"
    assert client.post("/services/needs/new/", data).status_code == 400
    assert Need.objects.count() == 1


def test_offering_page__lists_a_service_from_the_resource_list(signed_in, make_user, provider):
    from gongzhi.accounts.roles import Role

    social_worker = make_user(Role.SOCIAL_WORKER, JIANCHENG, name="社工")
    client = signed_in(social_worker)
    data = {
        "title": "健康讲座",
        "category": "health",
        "provider": provider.pk,
        "area": JIANCHENG,
        "capacity": 5,
        "is_free": "on",
        "is_active": "on",
    }
    response = client.post("/services/offerings/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceOffering.objects.get().title == "健康讲座"


def test_export_and_import__through_the_pages(signed_in, worker_of_community_a):
    client = signed_in(worker_of_community_a)
    wb = Workbook()
    ws = wb.active
    ws.append(["需求", "类别", "区划代码", "服务对象", "群体", "涉及人数"])
    ws.append(["反诈宣传", "反诈宣传", ANXIANGJIE, "群体", "老年人", 40])
    ws.append(["乱填一行", "不存在的类别", ANXIANGJIE, "群体", "老年人", 0])
    out = io.BytesIO()
    wb.save(out)
    bad = client.post("/services/needs/import/", {"file": SimpleUploadedFile("needs.xlsx", out.getvalue())})
    assert bad.status_code == 400 and "第 3 行" in bad.content.decode() and not Need.objects.exists()
    ws.delete_rows(3)
    out = io.BytesIO()
    wb.save(out)
    assert (
        client.post(
            "/services/needs/import/", {"file": SimpleUploadedFile("needs.xlsx", out.getvalue())}
        ).status_code
        == 302
    )
    export = client.get("/services/needs/export.xlsx?status=")
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[1][0] == "反诈宣传"


def test_lists__are_not_shown_to_residents(signed_in, resident_a):
    client = signed_in(resident_a)
    for url in (
        "/services/needs/",
        "/services/resources/",
        "/services/offerings/",
        "/services/queue/",
        "/services/needs/export.xlsx",
    ):
        assert client.get(url).status_code == 403


def _badge(html: str, label: str) -> str | None:
    """The number drawn beside a menu item, or None."""
    import re

    found = re.search(rf"{label}<span class=\"nav-badge\"[^>]*>(\d+)</span>", html)
    return found.group(1) if found else None


def test_menu__counts_orders_waiting_for_dispatch_and_offers_waiting_for_an_answer(
    signed_in, submit, worker_of_community_a, provider, member_of, org_a
):
    submit(title="每周探访")
    ticket = submit(title="陪同就医")
    worker = signed_in(worker_of_community_a)
    assert _badge(worker.get("/services/queue/").content.decode(), "派单") == "2"
    worker.post(f"/services/queue/{ticket.pk}/dispatch/", {"party": f"org:{org_a.pk}"})
    assert _badge(worker.get("/services/queue/").content.decode(), "派单") == "1"
    member = signed_in(member_of(org_a))
    assert _badge(member.get("/tickets/offers/").content.decode(), "待接单") == "1"
