"""In a real browser: a resident asks for mediation on a phone; the task force's mediator takes
the dispute, records a session and the agreement; the resident sees the outcome."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import ANXIANGJIE, JIANCHENG, PASSWORD
from gongzhi.accounts.roles import Role
from gongzhi.mediation.models import Dispute, DisputeParty
from gongzhi.tickets.models import State, Ticket
from tests.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_asks_for_mediation__mediator_records_a_session_and_the_agreement(
    live_server, page, make_user, area
):
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.mediation.services import case_assign

    task_force = Organisation.objects.create(
        name="简城街道大群团攻坚队", kind=OrgKind.TEAM, area=area(JIANCHENG)
    )
    make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile="13700000201")
    worker = make_user(Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile="13700000202")
    make_user(Role.ORG_MEMBER, JIANCHENG, name="陈伟", mobile="13700000203", organisation=task_force)

    # 1. The resident asks for mediation on a phone: a type, a few words, the other party.
    sign_in(page, live_server, "13700000201", PASSWORD)
    page.goto(f"{live_server.url}/mediation/")
    page.check("input[name=category][value=neighbour]")
    page.fill("#id_text", "楼上卫生间漏水到我家厨房")
    page.fill("#id_other_name", "王建国")
    page.fill("#id_other_mobile", "13981230003")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_url("**/mediation/disputes/*/")
    assert "已提交" in page.inner_text("#state")
    parties = page.inner_text("#parties")
    assert "王**" in parties and "王建国" not in parties and "13981230003" not in parties
    ticket = Ticket.objects.get(kind="dispute")
    assert DisputeParty.objects.filter(dispute=ticket.pk).count() == 2

    # 2. The community sends it to the task force (its own page is covered elsewhere).
    case_assign(ticket=ticket, organisation=task_force, actor=worker)

    # 3. The mediator accepts, records a session, then the agreement.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000203", PASSWORD)
    page.goto(f"{live_server.url}/mediation/disputes/{ticket.pk}/")
    page.click("#accept button[type=submit]")
    page.wait_for_url(f"**/mediation/disputes/{ticket.pk}/")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_mediators", "陈伟、社区律师李明")
    page.select_option("#id_result", "agreement")
    page.fill("#id_notes", "双方到场，同意维修并赔偿")
    page.click("#session-form button[type=submit]")
    page.wait_for_url(f"**/mediation/disputes/{ticket.pk}/")
    assert "陈伟、社区律师李明" in page.inner_text("#sessions")
    page.select_option("#conclude-form select[name=outcome]", "agreement")
    page.fill("#conclude-form textarea[name=agreement]", "王建国一周内修复防水并赔偿800元")
    page.click("#conclude-form button[type=submit]")
    page.wait_for_url(f"**/mediation/disputes/{ticket.pk}/")
    assert "调解成功" in page.inner_text("#outcome-label")
    assert "已办结" in page.inner_text("#state")
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and Dispute.objects.get(ticket=ticket).outcome == "agreement"

    # 4. The resident sees the outcome and is asked to confirm.
    page.context.clear_cookies()
    sign_in(page, live_server, "13700000201", PASSWORD)
    page.goto(f"{live_server.url}/mediation/mine/")
    assert "请确认并评价" in page.inner_text("main")
    page.goto(f"{live_server.url}/mediation/disputes/{ticket.pk}/")
    assert "王建国一周内修复防水并赔偿800元" in page.inner_text("#outcome")
    assert "双方到场" not in page.inner_text("main")  # the mediators' notes are theirs
