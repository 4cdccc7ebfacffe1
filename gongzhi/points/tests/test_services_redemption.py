from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import ANXIANGJIE, QINGJIANGLU
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import points as lib
from gongzhi.points.models import Account, MerchantStatus, PayCode, Settlement, Transfer, TransferKind
from gongzhi.points.services import redemption
from gongzhi.points.services.ledger import transfer_reverse

from .conftest import balance_of, codes, ledger_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(resident_a, give):
    give(resident_a, 100)
    return resident_a


def _collect(merchant, code, amount, operator):
    return redemption.pay_code_collect(merchant=merchant, code=code, amount=amount, operator=operator)


def _refused(fn, *args):
    before = (
        Transfer.objects.count(),
        list(Account.objects.order_by("id").values_list("balance", flat=True)),
    )
    with pytest.raises(ValidationError) as exc:
        fn(*args)
    after = (Transfer.objects.count(), list(Account.objects.order_by("id").values_list("balance", flat=True)))
    assert before == after, "a refused request changed the ledger"
    return codes(exc.value)


def test_pay_code__pays_the_merchant_once_however_often_it_is_retried(funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    receipts = {_collect(merchant, code, 30, operator).pk for _ in range(10)}
    assert len(receipts) == 1
    assert balance_of(funded) == 70
    assert redemption.merchant_account(merchant).balance == 30
    state = redemption.pay_code_state(user=funded, code=code)
    assert state.state == "used" and state.transfer_id in receipts
    ledger_ok()


def test_pay_code__used_for_another_amount__is_refused(funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    _collect(merchant, code, 30, operator)
    assert _refused(_collect, merchant, code, 31, operator) == {"points.paycode_used"}


def test_pay_code__expired__is_refused(funded, merchant, operator):
    pc = redemption.pay_code_issue(user=funded)
    PayCode.objects.filter(pk=pc.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _refused(_collect, merchant, pc.code, 10, operator) == {"points.paycode_expired"}


def test_pay_code__a_new_code_voids_the_previous_one(funded, merchant, operator):
    old = redemption.pay_code_issue(user=funded).code
    redemption.pay_code_issue(user=funded)
    assert _refused(_collect, merchant, old, 10, operator) == {"points.paycode_expired"}


def test_pay_code__mistyped_or_invented__is_refused_before_any_lookup(funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    typo = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert _refused(_collect, merchant, typo, 10, operator) == {"points.paycode_invalid"}
    assert _refused(_collect, merchant, "123", 10, operator) == {"points.paycode_invalid"}
    genuine_but_never_issued = lib.make_pay_code(redemption._pay_code_secret(), "0000000001")
    assert _refused(_collect, merchant, genuine_but_never_issued, 10, operator) == {"points.paycode_invalid"}


def test_pay_code__more_than_the_balance__is_refused(funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    assert _refused(_collect, merchant, code, 101, operator) == {"points.insufficient"}
    assert _collect(merchant, code, 100, operator).amount == 100  # the code is still good


@pytest.mark.parametrize("amount", [-5, 0, 2.5, "1.5", "ten"])
def test_pay_code__negative_or_fractional_amounts__are_refused(funded, merchant, operator, amount):
    code = redemption.pay_code_issue(user=funded).code
    assert _refused(_collect, merchant, code, amount, operator) <= {
        "points.amount_not_positive",
        "points.amount_fractional",
        "points.amount_invalid",
    }


def test_pay_code__at_a_suspended_merchant__is_refused(funded, merchant, operator, worker_of_community_a):
    redemption.merchant_set_status(
        merchant=merchant, status=MerchantStatus.SUSPENDED, actor=worker_of_community_a, note="投诉核实中"
    )
    code = redemption.pay_code_issue(user=funded).code
    assert _refused(_collect, merchant, code, 10, operator) == {"points.merchant_outside_scheme"}


def test_pay_code__at_a_merchant_of_another_scheme__is_refused(funded, make_user, area):
    from gongzhi.accounts.roles import Role

    baoji = Organisation.objects.create(name="清姜路便利店", kind=OrgKind.MERCHANT, area=area(QINGJIANGLU))
    worker = make_user(Role.COMMUNITY_WORKER, QINGJIANGLU)
    shop = redemption.merchant_enrol(organisation=baoji, actor=worker)
    their_operator = make_user(Role.MERCHANT, QINGJIANGLU, organisation=baoji)
    code = redemption.pay_code_issue(user=funded).code
    assert _refused(_collect, shop, code, 10, their_operator) == {"points.merchant_outside_scheme"}


def test_pay_code__only_the_merchants_operators_may_collect(funded, merchant, make_user):
    stranger = make_user("merchant", ANXIANGJIE)
    code = redemption.pay_code_issue(user=funded).code
    with pytest.raises(PermissionDenied):
        _collect(merchant, code, 10, stranger)


def test_pay_code__an_operator_cannot_take_their_own_points(give, merchant, operator):
    give(operator, 50)
    code = redemption.pay_code_issue(user=operator).code
    assert _refused(_collect, merchant, code, 10, operator) == {"points.self_payment"}


def test_enrol__only_caring_merchants_join_the_scheme(worker_of_community_a, area):
    club = Organisation.objects.create(name="舞蹈队", kind=OrgKind.TEAM, area=area(ANXIANGJIE))
    with pytest.raises(ValidationError) as exc:
        redemption.merchant_enrol(organisation=club, actor=worker_of_community_a)
    assert codes(exc.value) == {"points.not_a_merchant"}


def test_merchant_code__pays_once_per_request_key(funded, merchant):
    token = redemption.merchant_code_token(merchant)
    shop = redemption.merchant_from_token(token)
    receipts = {
        redemption.merchant_pay(payer=funded, merchant=shop, amount=12, key="k-0000001").pk for _ in range(10)
    }
    assert len(receipts) == 1 and balance_of(funded) == 88
    with pytest.raises(ValidationError) as exc:
        redemption.merchant_pay(payer=funded, merchant=shop, amount=13, key="k-0000001")
    assert codes(exc.value) == {"points.idempotency_conflict"}
    assert balance_of(funded) == 88


def test_merchant_code__a_replaced_code_no_longer_works(merchant, operator):
    token = redemption.merchant_code_token(merchant)
    redemption.merchant_code_reissue(merchant=merchant, actor=operator)
    with pytest.raises(ValidationError) as exc:
        redemption.merchant_from_token(token)
    assert codes(exc.value) == {"points.merchant_code_replaced"}
    with pytest.raises(ValidationError):
        redemption.merchant_from_token(token + "x")


def test_refund__returns_the_points_once_and_only_within_the_window(funded, merchant, operator):
    code = redemption.pay_code_issue(user=funded).code
    payment = _collect(merchant, code, 40, operator)
    refund = redemption.payment_refund(transfer=payment, operator=operator, reason="收错金额")
    assert refund.kind == TransferKind.REVERSAL and balance_of(funded) == 100
    with pytest.raises(ValidationError) as exc:
        redemption.payment_refund(transfer=payment, operator=operator, reason="again")
    assert codes(exc.value) == {"points.already_reversed"}
    ledger_ok()


def test_settlement__moves_a_closed_months_net_takings_to_redemption_once(
    funded, merchant, operator, town_staff_a
):
    code = redemption.pay_code_issue(user=funded).code
    payment = _collect(merchant, code, 40, operator)
    # Back-dated for the test only: the model refuses edits, a queryset update bypasses it.
    Transfer.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(days=40))
    period = timezone.localtime(timezone.now() - timedelta(days=40)).strftime("%Y-%m")
    statement = redemption.merchant_statement(merchant=merchant, period=period)
    assert statement.received == 40 and statement.net == 40
    settlement = redemption.settlement_create(merchant=merchant, period=period, actor=town_staff_a)
    assert settlement.points == 40 and redemption.merchant_account(merchant).balance == 0
    with pytest.raises(ValidationError) as exc:
        redemption.settlement_create(merchant=merchant, period=period, actor=town_staff_a)
    assert codes(exc.value) == {"points.already_settled"}
    assert Settlement.objects.count() == 1
    ledger_ok()


def test_settlement__of_the_running_month__is_refused(merchant, town_staff_a):
    with pytest.raises(ValidationError) as exc:
        redemption.settlement_create(
            merchant=merchant, period=timezone.localdate().strftime("%Y-%m"), actor=town_staff_a
        )
    assert codes(exc.value) == {"points.period_open"}


def test_reverse__an_award_already_spent__is_refused_with_the_reason(funded, merchant, operator, city_staff):
    award = Transfer.objects.get(kind=TransferKind.AWARD)
    _collect(merchant, redemption.pay_code_issue(user=funded).code, 60, operator)
    with pytest.raises(ValidationError) as exc:
        transfer_reverse(transfer=award, actor=city_staff, reason="误发")
    assert codes(exc.value) == {"points.insufficient"}
    ledger_ok()


def test_collective__awarded_as_a_whole_and_spent_by_a_member_only(
    make_user, make_rule, worker_of_community_a, merchant, area
):
    from gongzhi.points.services.earning import award_manual

    team = Organisation.objects.create(name="安象街巾帼志愿队", kind=OrgKind.TEAM, area=area(ANXIANGJIE))
    member = make_user("org_member", ANXIANGJIE, organisation=team)
    outsider = make_user("resident", ANXIANGJIE)
    rule = make_rule("mediation.agreement", 80)
    outcome = award_manual(
        rule=rule,
        organisation=team,
        quantity=1,
        note="集体调解成功",
        key="team-award-01",
        actor=worker_of_community_a,
    )
    assert outcome.points == 80
    receipt = redemption.merchant_pay(
        payer=member, merchant=merchant, amount=30, key="team-pay-0001", organisation=team
    )
    assert receipt.debit.organisation_id == team.pk
    assert [a.balance for a in redemption.organisation_accounts_of(member)] == [50]
    with pytest.raises(ValidationError) as exc:
        redemption.merchant_pay(
            payer=outsider, merchant=merchant, amount=10, key="team-pay-0002", organisation=team
        )
    assert codes(exc.value) == {"points.not_a_member"}
    ledger_ok()
