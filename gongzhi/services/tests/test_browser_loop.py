"""The whole loop in a real browser: a resident orders on a phone, the community worker
dispatches from the queue, the provider accepts and finishes with a photo, the resident rates."""

from __future__ import annotations

import pytest
from PIL import Image

from conftest import ANXIANGJIE, JIANCHENG, PASSWORD
from gongzhi.accounts.roles import Role
from gongzhi.tickets.models import State, Ticket
from tests.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_orders__worker_dispatches__provider_accepts_and_finishes__resident_rates(
    live_server, page, make_user, area, tmp_path
):
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.services.services import offering_create, resource_create

    org = Organisation.objects.create(
        name="阳光社会工作服务中心", kind=OrgKind.SOCIAL_ORG, area=area(JIANCHENG)
    )
    make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile="13700000101")
    make_user(Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile="13700000102")
    make_user(Role.ORG_MEMBER, JIANCHENG, name="陈伟", mobile="13700000103", organisation=org)
    provider = resource_create(
        actor=None,
        name=org.name,
        kind="organisation",
        organisation=org,
        area=area(JIANCHENG),
        categories=["elderly_care"],
        capacity=3,
    )
    offering = offering_create(
        actor=None, title="独居老人上门探访", category="elderly_care", provider=provider, area=area(JIANCHENG)
    )

    # 1. The resident orders from the service list on a phone.
    sign_in(page, live_server, "13700000101", PASSWORD)
    page.goto(f"{live_server.url}/services/")
    page.click(f"[data-offering='{offering.pk}'] a.button")
    page.fill("input[name=preferred_time]", "周二上午")
    page.click("#order-form button[type=submit]")
    page.wait_for_url("**/tickets/*/")
    assert "已提交" in page.inner_text("#state")
    ticket = Ticket.objects.get()

    # 2. The community worker dispatches it with one click from the queue.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000102", PASSWORD)
    page.goto(f"{live_server.url}/services/queue/")
    row = page.locator(f"tr[data-ticket='{ticket.pk}']")
    assert "阳光社会工作服务中心" in row.inner_text()
    row.locator("button.primary").first.click()
    page.wait_for_url("**/services/queue/")
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED

    # 3. The provider accepts, and marks it done with a note and a photo.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000103", PASSWORD)
    page.goto(f"{live_server.url}/tickets/offers/")
    page.locator(f"[data-ticket='{ticket.pk}'] button.primary").click()
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "已接单" in page.inner_text("#state")
    photo = tmp_path / "visit.png"
    Image.new("RGB", (40, 30), (30, 140, 60)).save(photo)
    page.fill("#id_resolve-note", "已上门探访，老人血压正常")
    page.set_input_files("#id_resolve-photos", str(photo))
    page.click("#resolve button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "已办结" in page.inner_text("#state")

    # 4. The resident confirms and rates five stars.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000101", PASSWORD)
    page.goto(f"{live_server.url}/tickets/mine/")
    assert "请确认并评价" in page.inner_text("main")
    page.click(f"a[href='/tickets/{ticket.pk}/']")
    assert page.locator(".photos img").count() == 1
    page.check("#rate input[value='5']")
    page.fill("#id_rate-comment", "社工很耐心")
    page.click("#rate button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "5 / 5" in page.inner_text("#rating") and "已关闭" in page.inner_text("#state")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.rating == 5
    # Internal notes (e.g. the reward paid to the provider) are not steps of the loop.
    assert [e for e in ticket.events.exclude(action="comment").values_list("action", flat=True)] == [
        "submit",
        "dispatch",
        "accept",
        "resolve",
        "rate",
    ]
