"""In real browsers: a resident shows a pay code, the merchant's till takes it, both see the
receipt, and the balance drops once even when the till sends the same code again."""

import io

import pytest
import zxingcpp
from PIL import Image

from conftest import PASSWORD
from tests.browser import sign_in

from .conftest import balance_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pay_code_at_the_till__both_see_the_receipt_and_the_balance_drops_once(
    live_server,
    browser,
    resident_a,
    give,
    merchant,
    operator,
):
    give(resident_a, 100)
    resident = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    till = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    for pg in (resident, till):
        pg.set_default_timeout(15000)
    try:
        sign_in(resident, live_server, _mobile(resident_a), PASSWORD)
        resident.goto(f"{live_server.url}/points/pay-code/")
        assert resident.locator("#paycode svg").count() == 1
        code = resident.inner_text("[data-digits]").replace(" ", "")
        assert len(code) == 18
        # What a scanner reads off the screen is exactly the digits printed under the QR.
        shot = Image.open(io.BytesIO(resident.locator("#paycode .qr").screenshot()))
        assert [r.text for r in zxingcpp.read_barcodes(shot, formats=zxingcpp.BarcodeFormat.QRCode)] == [code]

        sign_in(till, live_server, _mobile(operator), PASSWORD)
        till.goto(f"{live_server.url}/points/terminal/")
        till.fill("input[name=amount]", "30")
        till.fill("input[name=code]", code)
        till.click("form button[type=submit].primary")
        till.wait_for_url("**/points/receipts/*/")
        till_receipt = till.inner_text("[data-receipt]")
        assert "30" in till_receipt

        # The resident's page notices the code was used and opens the same receipt by itself.
        resident.wait_for_url("**/points/receipts/*/", timeout=20000)
        assert resident.url == till.url
        assert "30" in resident.inner_text("[data-receipt]")

        # The till sends the same code again (a double scan): the same receipt, no second debit.
        till.goto(f"{live_server.url}/points/terminal/")
        till.fill("input[name=amount]", "30")
        till.fill("input[name=code]", code)
        till.click("form button[type=submit].primary")
        till.wait_for_url("**/points/receipts/*/")
        assert till.url == resident.url

        resident.goto(f"{live_server.url}/points/")
        assert resident.get_attribute("[data-balance]", "data-balance") == "70"
        assert balance_of(resident_a) == 70
    finally:
        resident.context.close()
        till.context.close()


def _mobile(user) -> str:
    from gongzhi.accounts.models import MOBILE_CONTEXT
    from gongzhi.core.vault import reveal

    return reveal(user.mobile_enc, context=MOBILE_CONTEXT)
