"""Every role signs in through a real browser and lands on its own home page."""

import pytest

from conftest import ANXIANGJIE, CITY, JIANCHENG, PASSWORD
from gongzhi.accounts.roles import Role
from gongzhi.web.roles import ROLE_INTRO
from tests.browser import sign_in

HOME_AREA = {
    Role.TOWN_STAFF: JIANCHENG,
    Role.CITY_STAFF: CITY,
    Role.SECURITY_ADMIN: CITY,
    Role.AUDIT_ADMIN: CITY,
    Role.SYSTEM_ADMIN: CITY,
    Role.SOCIAL_WORKER: JIANCHENG,
    Role.ORG_MEMBER: JIANCHENG,
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role__signs_in_and_sees_what_it_can_do(live_server, page, make_user):
    from django.utils import translation

    users = []
    for i, role in enumerate(Role):
        mobile = f"1370000{i:04d}"
        make_user(role, HOME_AREA.get(role, ANXIANGJIE), name=f"用户{i}", mobile=mobile)
        users.append((role, mobile))
    for role, mobile in users:
        page.context.clear_cookies()
        sign_in(page, live_server, mobile, PASSWORD)
        assert page.url.rstrip("/") == live_server.url, f"{role} did not land on home: {page.url}"
        with translation.override("zh-hans"):
            intro = str(ROLE_INTRO[role])
            label = str(role.label)
        assert page.locator(f"[data-role={role.value}]").count() == 1
        text = page.inner_text("main")
        assert intro in text and label in text, f"{role}: home page lacks its introduction"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password__shows_the_error_on_the_login_page(live_server, page, make_user):
    make_user(Role.RESIDENT, ANXIANGJIE, mobile="13700009999")
    sign_in(page, live_server, "13700009999", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".form-errors").is_visible()
