from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.points.models import ExpiryNotice, Transfer, TransferKind
from gongzhi.points.services import expiry, redemption

from .conftest import balance_of, codes, ledger_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiry_on(settings):
    settings.GONGZHI_POINTS = {"EXPIRY_ENABLED": True, "EXPIRY_AGE_MONTHS": 24, "EXPIRY_NOTICE_DAYS": 30}


def _age(transfer_id, days):
    Transfer.objects.filter(pk=transfer_id).update(created_at=timezone.now() - timedelta(days=days))


def test_expiry__is_off_by_default(city_staff):
    with pytest.raises(ValidationError) as exc:
        expiry.expiry_run(year=2020, actor=city_staff)
    assert codes(exc.value) == {"points.expiry_off"}


def test_expiry__takes_only_unspent_old_points_oldest_first(expiry_on, resident_a, give, merchant, operator):
    old = give(resident_a, 100).transfer_id
    _age(old, 365 * 3)
    give(resident_a, 50)
    code = redemption.pay_code_issue(user=resident_a).code
    redemption.pay_code_collect(merchant=merchant, code=code, amount=30, operator=operator)
    year = timezone.localdate().year
    assert expiry.expiry_amounts(year) == {redemption.ledger.account_for_user(resident_a).pk: 70}
    run = expiry.expiry_run(year=year, today=date(year, 12, 31))
    assert (run.accounts, run.points) == (1, 70)
    assert balance_of(resident_a) == 50
    again = expiry.expiry_run(year=year, today=date(year, 12, 31))
    assert again.points == 0 and Transfer.objects.filter(kind=TransferKind.EXPIRY).count() == 1
    ledger_ok()


def test_expiry__before_year_end__is_refused(expiry_on):
    with pytest.raises(ValidationError) as exc:
        expiry.expiry_run(year=2030, today=date(2030, 12, 30))
    assert codes(exc.value) == {"points.expiry_early"}


def test_expiry_notice__tells_each_holder_once_a_year(expiry_on, resident_a, give):
    _age(give(resident_a, 80).transfer_id, 365 * 3)
    year = timezone.localdate().year
    assert expiry.expiry_notify(year=year) == 1
    expiry.expiry_notify(year=year)
    assert list(ExpiryNotice.objects.values_list("points", flat=True)) == [80]
    account = redemption.ledger.account_for_user(resident_a)
    forecast = expiry.expiry_forecast(account, today=date(year, 12, 15))
    assert forecast.points == 80 and forecast.on == date(year, 12, 31)
    assert expiry.expiry_forecast(account, today=date(year, 6, 1)) is None


def test_expiry__can_be_reversed_as_a_correction(expiry_on, resident_a, give, city_staff):
    from gongzhi.points.services.ledger import transfer_reverse

    _age(give(resident_a, 10).transfer_id, 365 * 3)
    year = timezone.localdate().year
    expiry.expiry_run(year=year, today=date(year, 12, 31))
    transfer_reverse(
        transfer=Transfer.objects.get(kind=TransferKind.EXPIRY), actor=city_staff, reason="未提前通知"
    )
    assert balance_of(resident_a) == 10
    ledger_ok()
