"""Through a real browser: the rider's phone shows the pass, the guard opens its link and sees
green; after revocation, red; and the pass page still shows the pass when the network drops.

Playwright's sync API runs in a thread of its own here: the session-wide ``browser`` fixture of
tests/browser.py may already hold the test thread (one sync Playwright per thread), and the
database steps stay in the test thread between browser steps.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from conftest import PASSWORD
from gongzhi.passes import services
from tests.browser import CHROMIUM, FLAGS, chromium_or_skip, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextmanager
def browser_thread():
    """run(fn, *args) calls fn(browser, *args) in the browser's own thread."""
    chromium_or_skip()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")

    def start():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        return playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

    playwright, browser = executor.submit(start).result()
    try:
        yield lambda fn, *args: executor.submit(fn, browser, *args).result(timeout=120)
    finally:
        executor.submit(lambda: (browser.close(), playwright.stop())).result(timeout=60)
        executor.shutdown()


def _mobile(user) -> str:
    from .conftest import _mobile_of

    return _mobile_of(user)


def _phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_rider_shows_the_pass__guard_sees_green__then_red_after_revocation(
    live_server, rider, gate_a, guard_a, worker_of_community_a
):
    rider_mobile, guard_mobile = _mobile(rider.user), _mobile(guard_a)
    state = {}

    def rider_shows_the_pass(browser):
        context, page = _phone(browser)
        sign_in(page, live_server, rider_mobile, PASSWORD)
        page.goto(f"{live_server.url}/passes/my/")
        assert page.locator(".pass-qr svg").is_visible()
        link = page.locator(".pass-qr a").get_attribute("href")
        context.close()
        return link

    def guard_opens(browser, link):
        context, page = _phone(browser)
        state["guard"] = (context, page)
        sign_in(page, live_server, guard_mobile, PASSWORD)
        page.goto(link)
        assert page.locator(".pass-result.pass-ok").is_visible()
        assert page.locator(".pass-photo").evaluate("img => img.naturalWidth") > 0
        return page.inner_text(".pass-result")

    def guard_reloads(browser):
        context, page = state["guard"]
        page.reload()
        red = page.locator(".pass-result.pass-bad").is_visible()
        reason = page.locator(".pass-result").get_attribute("data-reason")
        context.close()
        return red, reason

    with browser_thread() as run:
        link = run(rider_shows_the_pass)
        assert "/p/" in link
        assert "北门" in run(guard_opens, link)
        services.pass_revoke(rider=rider, reason="misconduct", note="测试吊销", actor=worker_of_community_a)
        assert run(guard_reloads) == (True, "revoked")


def test_the_pass_page__still_shows_the_pass_when_the_network_drops(live_server, rider):
    mobile = _mobile(rider.user)

    def offline(browser):
        context, page = _phone(browser)
        sign_in(page, live_server, mobile, PASSWORD)
        page.goto(f"{live_server.url}/passes/my/")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now under the worker's control: this load is cached
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(500)
        online_link = page.locator(".pass-qr a").get_attribute("href")
        context.set_offline(True)
        page.reload()
        shown = page.locator(".pass-qr svg").is_visible()
        offline_link = page.locator(".pass-qr a").get_attribute("href")
        page.wait_for_selector(".pass-offline:not([hidden])")
        context.close()
        return online_link, offline_link, shown

    with browser_thread() as run:
        online_link, offline_link, shown = run(offline)
    assert shown and offline_link == online_link
    assert services.pass_current(rider=rider).token in offline_link
