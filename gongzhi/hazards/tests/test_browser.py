"""A hazard in a real browser: a resident reports it from a phone with her position and a photo,
the community worker assesses it and names the property company, the company's repairman accepts
and reports the rectification with a photo, and the worker re-inspects on the spot with a photo:
it closes and the resident sees it rectified."""

from __future__ import annotations

import pytest
from PIL import Image

from conftest import ANXIANGJIE, PASSWORD
from gongzhi.accounts.roles import Role
from gongzhi.hazards.models import Reinspection
from gongzhi.sentinel.tests.conftest import INSIDE
from gongzhi.tickets.models import State, Ticket
from tests.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_reports__worker_assesses__owner_rectifies__worker_reinspects_and_it_closes(
    live_server, page, make_user, area, tmp_path
):
    from gongzhi.directory.models import Organisation, OrgKind

    owner = Organisation.objects.create(
        name="安象街物业服务有限公司", kind=OrgKind.PROPERTY, area=area(ANXIANGJIE)
    )
    make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile="13700000201")
    make_user(Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile="13700000202")
    make_user(Role.ORG_MEMBER, ANXIANGJIE, name="周建华", mobile="13700000203", organisation=owner)
    snap = tmp_path / "hazard.jpg"
    Image.new("RGB", (40, 30), (200, 60, 30)).save(snap)

    # 1. The resident reports from her phone: the position is taken at once, a photo, a few words.
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": INSIDE[0], "longitude": INSIDE[1]})
    sign_in(page, live_server, "13700000201", PASSWORD)
    page.goto(f"{live_server.url}/hazards/")
    page.wait_for_function("document.getElementById('id_lat').value !== ''")
    page.check("input[name=category][value=fire]")
    page.fill("#id_text", "楼道里堆满纸箱，堵住了安全出口")
    page.set_input_files("#id_photos", str(snap))
    page.click("#hazard-form button[type=submit]")
    page.wait_for_url("**/hazards/*/")
    assert "已提交" in page.inner_text("#state")
    ticket = Ticket.objects.get(kind="hazard")
    assert abs(ticket.lat - INSIDE[0]) < 1e-5

    # 2. The community worker assesses it on the workbench and names the property company.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000202", PASSWORD)
    page.goto(f"{live_server.url}/hazards/list/")
    page.click(f"tr[data-ticket='{ticket.pk}'] a")
    page.select_option("#assess select[name=risk_level]", "larger")
    page.select_option("#assess select[name=owner]", str(owner.pk))
    page.click("#assess button[type=submit]")
    page.wait_for_url(f"**/hazards/{ticket.pk}/")
    assert "安象街物业服务有限公司" in page.inner_text("#owner") and "较大" in page.inner_text("#risk")

    # 3. The repairman accepts and reports the rectification with a photo.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000203", PASSWORD)
    page.goto(f"{live_server.url}/tickets/offers/")
    page.locator(f"[data-ticket='{ticket.pk}'] button.primary").click()
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    page.fill("#id_resolve-note", "纸箱已清走，张贴禁止堆放提示")
    page.set_input_files("#id_resolve-photos", str(snap))
    page.click("#resolve button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "已办结" in page.inner_text("#state")

    # 4. The worker re-inspects: without a photo it is refused, with one it closes.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000202", PASSWORD)
    page.goto(f"{live_server.url}/hazards/{ticket.pk}/")
    page.check("#reinspect input[name=passed][value='1']")
    page.fill("#reinspect textarea[name=note]", "现场查看，通道畅通")
    page.click("#reinspect button[type=submit]")
    assert "复查现场照片" in page.inner_text("#reinspect")
    assert not Reinspection.objects.exists()
    page.check("#reinspect input[name=passed][value='1']")
    page.set_input_files("#reinspect input[name=photos]", str(snap))
    page.click("#reinspect button[type=submit]")
    page.wait_for_url(f"**/hazards/{ticket.pk}/")
    assert "已关闭" in page.inner_text("#state")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED

    # 5. The resident sees it rectified, with the re-inspection.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000201", PASSWORD)
    page.goto(f"{live_server.url}/hazards/mine/")
    page.click(f"a[href='/hazards/{ticket.pk}/']")
    assert "已关闭" in page.inner_text("#state") and "通道畅通" in page.inner_text("#inspections")
