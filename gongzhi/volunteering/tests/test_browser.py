"""In a real browser: a volunteer signs up, scans the activity's code to check in and out (the
phone shares its location), the organiser approves the hours, and the points appear once."""

from datetime import timedelta

import pytest

from conftest import PASSWORD
from tests.browser import sign_in

from .conftest import PLACE


def _mobile(user) -> str:
    from gongzhi.accounts.models import MOBILE_CONTEXT
    from gongzhi.core.vault import reveal

    return reveal(user.mobile_enc, context=MOBILE_CONTEXT)


def _balance(user) -> int:
    from gongzhi.points.models import Account

    account = Account.objects.filter(user=user, kind="person").first()
    return account.balance if account else 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_activity_flow__sign_up_check_in_out_approve__points_appear_once(
    live_server,
    browser,
    make_activity,
    volunteer,
    organiser,
    hour_rule,
):
    activity = make_activity(starts_in=timedelta(minutes=-5), length=timedelta(hours=2), distance=300)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": PLACE[0] + 0.0005, "longitude": PLACE[1]},
        permissions=["geolocation"],
    ).new_page()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    for pg in (phone, desk):
        pg.set_default_timeout(15000)
    try:
        sign_in(phone, live_server, _mobile(volunteer.user), PASSWORD)
        phone.goto(f"{live_server.url}/volunteering/")
        phone.click(f"text={activity.title}")
        phone.click("form button[type=submit].primary")
        assert phone.locator(".signup-status").count() == 1

        # The organiser shows the code; the volunteer's camera opens the link it carries.
        sign_in(desk, live_server, _mobile(organiser), PASSWORD)
        desk.goto(f"{live_server.url}/volunteering/manage/{activity.pk}/")
        assert desk.locator("#checkin-qr svg").count() == 1
        scan_url = desk.get_attribute("#checkin-link", "href")

        phone.goto(scan_url)
        phone.click("#checkin-form button[type=submit]")
        phone.wait_for_url("**/volunteering/me/")
        phone.goto(scan_url)
        phone.click("#checkin-form button[type=submit]")
        phone.wait_for_url("**/volunteering/me/")

        desk.reload()
        row = desk.locator(f"tr[data-volunteer='{volunteer.number}']")
        row.locator("input[name=hours]").fill("2")
        row.locator("button[type=submit]").click()
        desk.wait_for_load_state("domcontentloaded")
        assert desk.locator(f"tr[data-volunteer='{volunteer.number}'] button").count() == 0

        phone.goto(f"{live_server.url}/volunteering/me/")
        assert phone.inner_text("#my-hours").strip() == "2.0"
        assert phone.inner_text("#my-points").strip() == "20"
        phone.goto(f"{live_server.url}/points/")
        assert phone.get_attribute("[data-balance]", "data-balance") == "20"

        # Approving again (a replayed form) changes nothing: the points were paid once.
        from gongzhi.volunteering.models import SignUp

        signup = SignUp.objects.get(activity=activity)
        desk.goto(f"{live_server.url}/volunteering/manage/{activity.pk}/")
        response = desk.request.post(
            f"{live_server.url}/volunteering/manage/signups/{signup.pk}/approve/",
            form={"hours": "2", "csrfmiddlewaretoken": _csrf(desk)},
            headers={"Referer": desk.url},
        )
        assert response.status in (400, 403)
        assert _balance(volunteer.user) == 20
    finally:
        phone.context.close()
        desk.context.close()


def _csrf(pg) -> str:
    return next((c["value"] for c in pg.context.cookies() if c["name"] == "csrftoken"), "")
