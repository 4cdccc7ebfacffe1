"""Through a real browser: the rider's phone shows the pass, the guard opens its link and sees
green; after revocation, red; and the pass page still shows the pass when the network drops."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from gongzhi.passes import services
from tests.browser import browser, page, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mobile(user) -> str:
    from .conftest import _mobile_of

    return _mobile_of(user)


def test_rider_shows_the_pass__guard_sees_green__then_red_after_revocation(
    live_server,
    browser,  # noqa: F811 - the fixture imported above
    rider,
    gate_a,
    guard_a,
    worker_of_community_a,
):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    rider_page = phone.new_page()
    sign_in(rider_page, live_server, _mobile(rider.user), PASSWORD)
    rider_page.goto(f"{live_server.url}/passes/my/")
    assert rider_page.locator(".pass-qr svg").is_visible()
    link = rider_page.locator(".pass-qr a").get_attribute("href")
    assert "/p/" in link

    guard_phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    guard_page = guard_phone.new_page()
    sign_in(guard_page, live_server, _mobile(guard_a), PASSWORD)
    guard_page.goto(link)
    assert guard_page.locator(".pass-result.pass-ok").is_visible()
    assert guard_page.locator(".pass-photo").evaluate("img => img.naturalWidth") > 0
    assert "北门" in guard_page.inner_text(".pass-result")

    services.pass_revoke(rider=rider, reason="misconduct", note="测试吊销", actor=worker_of_community_a)
    guard_page.reload()
    assert guard_page.locator(".pass-result.pass-bad").is_visible()
    assert guard_page.locator("[data-reason=revoked]").count() == 1
    phone.close()
    guard_phone.close()


def test_the_pass_page__still_shows_the_pass_when_the_network_drops(live_server, browser, rider):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    sign_in(phone, live_server, _mobile(rider.user), PASSWORD)
    phone.goto(f"{live_server.url}/passes/my/")
    phone.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now under the worker's control: this load is cached
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.wait_for_timeout(500)
    link = phone.locator(".pass-qr a").get_attribute("href")
    context.set_offline(True)
    phone.reload()
    assert phone.locator(".pass-qr svg").is_visible()
    assert phone.locator(".pass-qr a").get_attribute("href") == link
    phone.wait_for_selector(".pass-offline:not([hidden])")
    context.close()
    assert services.pass_current(rider=rider).token in link
