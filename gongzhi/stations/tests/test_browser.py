"""Through a real phone-sized browser: a resident opens the finder, picks their community and sees
the nearest stations listed (and on the map); with the phone's location allowed, one tap does it."""

import pytest

from conftest import ANXIANGJIE, BAITALU, PASSWORD
from gongzhi.accounts.roles import Role
from tests.browser import sign_in

from .factories import make_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MOBILE = "13700005555"


@pytest.fixture
def stations(make_user):
    make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile=MOBILE)
    near = make_station(
        ANXIANGJIE, "龙颈路大群团综合服务站", (30.4248, 104.5560), fns=("工会驿站", "暖心驿站", "暖心角")
    )
    nearer = make_station(
        ANXIANGJIE, "安象街暖心角", (30.4240, 104.5549), fns=("暖心角",), hours="09:00-09:30"
    )
    far = make_station(BAITALU, "白塔路职工之家", (30.40769, 104.52204), fns=("职工之家",))
    return near, nearer, far


def test_resident__picks_her_community__and_sees_the_nearest_stations(live_server, page, stations):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, MOBILE, PASSWORD)
    page.goto(f"{live_server.url}/stations/find/")
    page.select_option("select[name=community]", ANXIANGJIE)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#results")
    names = page.locator(".st-result strong").all_inner_texts()
    assert names == ["安象街暖心角", "龙颈路大群团综合服务站"]  # nearest first; 白塔路 is beyond the walk
    first = page.locator(".st-result").first.inner_text()
    assert "暖心角" in first and ("分钟" in first or "min" in first)
    page.wait_for_selector(".st-map.leaflet-container")  # map.js drew the map from the data block
    assert errors == []
    assert page.locator(".leaflet-interactive").count() >= 3  # the two stations and "you are here"
    assert errors == []
    page.click("text=龙颈路大群团综合服务站")
    assert "工会驿站" in page.inner_text("main")


def test_resident__uses_the_phones_location(live_server, browser, stations):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": 30.4249, "longitude": 104.5561},
        permissions=["geolocation"],
    )
    phone = context.new_page()
    phone.set_default_timeout(15000)
    sign_in(phone, live_server, MOBILE, PASSWORD)
    phone.goto(f"{live_server.url}/stations/find/")
    phone.click("#locate")
    phone.wait_for_selector("#results")
    assert phone.locator(".st-result strong").first.inner_text() == "龙颈路大群团综合服务站"
    context.close()
