import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from conftest import ANXIANGJIE, BAITALU, CITY
from gongzhi.accounts.roles import Role
from gongzhi.points.models import Nomination, PayCode, ShopOrder, Transfer, TransferKind
from gongzhi.points.services import honour, redemption, shop

from .conftest import balance_of, ledger_ok
from .test_services_honour import STORY, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(resident_a, give):
    give(resident_a, 100)
    return resident_a


# --- residents ----------------------------------------------------------------------------------


def test_my_points__shows_balance_and_history(signed_in, funded):
    body = signed_in(funded).get(reverse("points:me")).content.decode()
    assert 'data-balance="100"' in body and "+100" in body


def test_pay_code_page__shows_a_qr_and_18_digits_that_a_till_accepts(signed_in, funded, merchant, operator):
    body = signed_in(funded).get(reverse("points:paycode")).content.decode()
    assert "<svg" in body
    digits = re.search(r"data-digits>([\d ]+)<", body).group(1).replace(" ", "")
    assert len(digits) == 18
    redemption.pay_code_collect(merchant=merchant, code=digits, amount=10, operator=operator)
    state = signed_in(funded).get(reverse("points:paycode_state", args=[digits])).json()
    assert state["state"] == "used" and state["receipt_url"].startswith("/points/receipts/")


def test_pay_code_refresh__voids_the_code_on_screen(client, signed_in, funded):
    c = signed_in(funded)
    first = c.post(reverse("points:paycode_new")).json()["code"]
    second = c.post(reverse("points:paycode_new")).json()["code"]
    assert first != second
    assert c.get(reverse("points:paycode_state", args=[first])).json()["state"] == "expired"


def test_pay_by_merchant_code__bad_amount_is_shown_beside_the_field(signed_in, funded, merchant):
    url = reverse("points:pay", args=[redemption.merchant_code_token(merchant)])
    c = signed_in(funded)
    page = c.get(url)
    key = re.search(r'name="key" value="([0-9a-f]+)"', page.content.decode()).group(1)
    bad = c.post(url, {"amount": "2.5", "key": key})
    assert bad.status_code == 400 and "2.5" in bad.content.decode() and balance_of(funded) == 100
    too_much = c.post(url, {"amount": "500", "key": key})
    assert too_much.status_code == 400 and balance_of(funded) == 100
    ok = c.post(url, {"amount": "30", "key": key})
    again = c.post(url, {"amount": "30", "key": key})  # a double tap
    assert ok.status_code == 302 and again["Location"] == ok["Location"]
    assert balance_of(funded) == 70
    receipt = c.get(ok["Location"]).content.decode()
    assert "30" in receipt and merchant.organisation.name in receipt


def test_pay_page__with_a_forged_merchant_code__says_so(signed_in, funded):
    response = signed_in(funded).get(reverse("points:pay", args=["forged:code"]))
    assert response.status_code == 404


def test_receipt__is_hidden_from_people_who_were_not_party_to_it(
    signed_in, funded, merchant, operator, make_user
):
    code = redemption.pay_code_issue(user=funded).code
    t = redemption.pay_code_collect(merchant=merchant, code=code, amount=5, operator=operator)
    url = reverse("points:receipt", args=[t.pk])
    assert signed_in(operator).get(url).status_code == 200
    assert signed_in(funded).get(url).status_code == 200
    assert signed_in(make_user(Role.RESIDENT, ANXIANGJIE)).get(url).status_code == 404


def test_shop__order_then_cancel_from_my_orders(signed_in, funded, worker_of_community_a, area):
    item = shop.shop_item_create(
        area=area(ANXIANGJIE), name="食用油", price=40, stock=3, actor=worker_of_community_a
    )
    c = signed_in(funded)
    assert "食用油" in c.get(reverse("points:shop")).content.decode()
    page = c.get(reverse("points:shop_order", args=[item.pk])).content.decode()
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    assert (
        c.post(reverse("points:shop_order", args=[item.pk]), {"quantity": "2", "key": key}).status_code == 302
    )
    assert balance_of(funded) == 20
    order = ShopOrder.objects.get()
    c.post(reverse("points:my_order_cancel", args=[order.pk]), {"reason": "买错了"})
    assert balance_of(funded) == 100
    ledger_ok()


def test_earn_page__lists_the_rules_in_force_where_i_live(signed_in, resident_a, make_rule):
    make_rule("hazard.verified", 20, daily_cap=60)
    body = signed_in(resident_a).get(reverse("points:earn")).content.decode()
    assert "hazard.verified" in body and "60" in body


def test_ranking_opt_in__from_my_points(signed_in, funded):
    signed_in(funded).post(reverse("points:ranking_choose"), {"show": "on", "name": "热心黄"})
    assert funded.points_accounts.get().ranking_name == "热心黄"


# --- the honour roll ----------------------------------------------------------------------------


def test_nominate__with_a_photo__then_published_for_everyone_without_sign_in(
    client, signed_in, resident_a, worker_of_community_a
):
    c = signed_in(resident_a)
    form = c.get(reverse("points:nominate")).content.decode()
    area = re.search(r'<option value="(\d{12})"', form).group(1)
    response = c.post(
        reverse("points:nominate"),
        {
            "nominee_kind": "person",
            "nominee_name": "黄丽",
            "display_name": "黄女士",
            "consent": "本人当面同意",
            "title": "十年守护独居老人",
            "story": STORY,
            "area": area,
            "photo": photo_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = Nomination.objects.get()
    honour.nomination_review(nomination=nomination, publish=True, note="", actor=worker_of_community_a)
    client.logout()
    page = client.get(reverse("points:honour")).content.decode()
    assert "黄女士" in page and "黄丽" not in page
    photo = client.get(reverse("points:honour_photo", args=[nomination.pk]))
    with Image.open(io.BytesIO(b"".join(photo.streaming_content))) as img:
        assert not img.getexif()


def test_nominate__a_file_that_is_not_an_image__is_refused_beside_the_photo_field(signed_in, resident_a):
    c = signed_in(resident_a)
    area = re.search(r'<option value="(\d{12})"', c.get(reverse("points:nominate")).content.decode()).group(1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = c.post(
        reverse("points:nominate"),
        {
            "nominee_kind": "person",
            "nominee_name": "黄丽",
            "display_name": "黄女士",
            "consent": "本人同意",
            "title": "好人好事",
            "story": STORY,
            "area": area,
            "photo": SimpleUploadedFile("a.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
        },
    )
    assert response.status_code == 400 and not Nomination.objects.exists()


def test_unpublished_nominations__are_not_public(client, resident_a, area):
    n = honour.nomination_submit(
        nominee_kind="person",
        nominee_name="保密人",
        display_name="保密人",
        consent="同意",
        title="待审核",
        story=STORY,
        area=area(ANXIANGJIE),
        nominated_by=resident_a,
    )
    assert client.get(reverse("points:honour_story", args=[n.pk])).status_code == 404
    assert "待审核" not in client.get(reverse("points:honour")).content.decode()


# --- the merchant's till ------------------------------------------------------------------------


def test_till__takes_points_with_a_pay_code_and_shows_the_receipt(signed_in, funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    c = signed_in(operator)
    assert c.get(reverse("points:terminal")).status_code == 302
    response = c.post(reverse("points:terminal_merchant", args=[merchant.pk]), {"amount": "25", "code": code})
    assert response.status_code == 302
    assert "25" in c.get(response["Location"]).content.decode()
    assert balance_of(funded) == 75


def test_till__an_expired_code_is_refused_with_the_reason_and_nothing_moves(
    signed_in, funded, merchant, operator
):
    pc = redemption.pay_code_issue(user=funded)
    PayCode.objects.filter(pk=pc.pk).update(expires_at=timezone.now() - timedelta(seconds=5))
    response = signed_in(operator).post(
        reverse("points:terminal_merchant", args=[merchant.pk]), {"amount": "25", "code": pc.code}
    )
    assert response.status_code == 400
    assert "过期" in response.content.decode() or "expired" in response.content.decode()
    assert balance_of(funded) == 100 and not Transfer.objects.filter(kind=TransferKind.PAYMENT).exists()


def test_till__is_closed_to_someone_else(signed_in, merchant, resident_a):
    assert (
        signed_in(resident_a).get(reverse("points:terminal_merchant", args=[merchant.pk])).status_code == 404
    )


def test_till__refund_and_statement_in_excel(signed_in, funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    t = redemption.pay_code_collect(merchant=merchant, code=code, amount=40, operator=operator)
    c = signed_in(operator)
    assert (
        c.post(
            reverse("points:terminal_refund", args=[merchant.pk, t.pk]), {"reason": "顾客退货"}
        ).status_code
        == 302
    )
    assert balance_of(funded) == 100
    period = timezone.localdate().strftime("%Y-%m")
    assert (
        c.get(reverse("points:terminal_statement", args=[merchant.pk]), {"period": period}).status_code == 200
    )
    xlsx = c.get(reverse("points:statement_xlsx", args=[merchant.pk]), {"period": period})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert t.number in values and -40 in values and "居**" in values  # the resident is masked


def test_till__merchant_code_page_carries_a_scannable_link(signed_in, merchant, operator):
    body = signed_in(operator).get(reverse("points:terminal_code", args=[merchant.pk])).content.decode()
    assert "<svg" in body


# --- staff --------------------------------------------------------------------------------------


def test_ledger__shows_only_the_staff_members_area(
    signed_in, funded, make_user, worker_of_community_a, worker_of_community_b
):
    elsewhere = make_user(Role.RESIDENT, BAITALU, name="白塔居民")
    from gongzhi.points.services.earning import points_award

    points_award(
        rule_code="test.grant",
        beneficiary=elsewhere,
        source_type="t",
        source_id="b",
        area_code=BAITALU,
        quantity=5,
    )
    mine = signed_in(worker_of_community_a).get(reverse("points:ledger")).content.decode()
    assert funded.name in mine and "白塔居民" not in mine


def test_rule_form__bad_input_is_shown_beside_the_fields(signed_in, city_staff, budget):
    response = signed_in(city_staff).post(
        reverse("points:rule_create"),
        {
            "code": "Bad Code",
            "name": "",
            "area": CITY,
            "points": "-1",
            "unit": "event",
            "budget": budget.pk,
            "active": "on",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('class="err"') >= 3


def test_manual_award__by_mobile_number(signed_in, worker_of_community_a, make_user, make_rule):
    rule = make_rule("mediation.agreement", 30)
    person = make_user(Role.RESIDENT, ANXIANGJIE, mobile="13912345678")
    c = signed_in(worker_of_community_a)
    page = c.get(reverse("points:award_create")).content.decode()
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    data = {"mobile": "13912345678", "rule": rule.pk, "quantity": "1", "note": "调解漏水纠纷", "key": key}
    assert c.post(reverse("points:award_create"), data).status_code == 302
    assert c.post(reverse("points:award_create"), data).status_code == 302
    assert balance_of(person) == 30


def test_reverse__from_the_transfer_page(signed_in, funded, city_staff):
    t = Transfer.objects.get(kind=TransferKind.AWARD)
    response = signed_in(city_staff).post(reverse("points:transfer", args=[t.pk]), {"reason": "重复发放"})
    assert response.status_code == 302 and balance_of(funded) == 0
    ledger_ok()


def test_enrol_and_settle_a_merchant(signed_in, town_staff_a, merchant_org, funded, operator):
    c = signed_in(town_staff_a)
    assert c.post(reverse("points:merchants"), {"organisation": merchant_org.pk}).status_code == 302
    merchant = merchant_org.points_merchant
    code = redemption.pay_code_issue(user=funded).code
    t = redemption.pay_code_collect(merchant=merchant, code=code, amount=60, operator=operator)
    Transfer.objects.filter(pk=t.pk).update(created_at=timezone.now() - timedelta(days=40))
    period = timezone.localtime(timezone.now() - timedelta(days=40)).strftime("%Y-%m")
    page = c.get(reverse("points:merchant", args=[merchant.pk]), {"period": period}).content.decode()
    assert "60" in page
    c.post(reverse("points:merchant_settle", args=[merchant.pk]), {"period": period})
    assert merchant.settlements.get().points == 60
    ledger_ok()


def test_ledger_export__is_an_excel_file_with_masked_names(signed_in, funded, town_staff_a):
    response = signed_in(town_staff_a).get(reverse("points:ledger_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "居**" in values and funded.name not in values


def test_budget_page__shows_the_shards(signed_in, city_staff, budget):
    body = signed_in(city_staff).get(reverse("points:budget_edit", args=[budget.pk])).content.decode()
    assert body.count("25000") >= 4


def test_expiry_page__says_expiry_is_off(signed_in, city_staff):
    assert "GONGZHI_POINTS_EXPIRY" in signed_in(city_staff).get(reverse("points:expiry")).content.decode()


def test_shop_manage__hand_over(signed_in, worker_of_community_a, funded, area):
    item = shop.shop_item_create(
        area=area(ANXIANGJIE), name="米", price=10, stock=5, actor=worker_of_community_a
    )
    order = shop.shop_order_place(item=item, buyer=funded, quantity=1, key="k-views-01")
    c = signed_in(worker_of_community_a)
    assert "米" in c.get(reverse("points:shop_manage")).content.decode()
    c.post(reverse("points:shop_hand_over", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == "handed_over"


def test_manual_award__to_a_collective_then_a_member_pays_from_it(
    signed_in, worker_of_community_a, make_user, make_rule, merchant, area
):
    from gongzhi.directory.models import Organisation, OrgKind

    team = Organisation.objects.create(name="安象街调解队", kind=OrgKind.TEAM, area=area(ANXIANGJIE))
    member = make_user(Role.ORG_MEMBER, ANXIANGJIE, organisation=team)
    rule = make_rule("mediation.agreement", 50)
    staff = signed_in(worker_of_community_a)
    key = re.search(
        r'name="key" value="([0-9a-f]+)"', staff.get(reverse("points:award_create")).content.decode()
    ).group(1)
    both = staff.post(
        reverse("points:award_create"),
        {
            "mobile": "13900000000",
            "organisation": team.pk,
            "rule": rule.pk,
            "quantity": "1",
            "note": "x",
            "key": key,
        },
    )
    assert both.status_code == 400
    ok = staff.post(
        reverse("points:award_create"),
        {"organisation": team.pk, "rule": rule.pk, "quantity": "1", "note": "集体调解", "key": key},
    )
    assert ok.status_code == 302
    c = signed_in(member)
    assert "安象街调解队" in c.get(reverse("points:me")).content.decode()
    url = reverse("points:pay", args=[redemption.merchant_code_token(merchant)])
    key = re.search(r'name="key" value="([0-9a-f]+)"', c.get(url).content.decode()).group(1)
    assert c.post(url, {"amount": "20", "payer": str(team.pk), "key": key}).status_code == 302
    assert team.points_accounts.get(kind="organisation").balance == 30
