import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from gongzhi.cli import translate_argv
from gongzhi.points.models import Account

pytestmark = pytest.mark.django_db


def test_points_verify__maps_onto_the_command():
    assert translate_argv(["gongzhi", "points", "verify"]) == ["gongzhi", "points_verify"]


def test_points_verify__passes_on_a_clean_ledger(resident_a, give, capsys):
    give(resident_a, 30)
    call_command("points_verify")
    assert "points ledger balanced" in capsys.readouterr().out


def test_points_verify__names_the_first_account_whose_balance_was_tampered_with(resident_a, give, capsys):
    give(resident_a, 30)
    account = Account.objects.get(user=resident_a)
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + 5)
    with pytest.raises(CommandError) as exc:
        call_command("points_verify")
    assert exc.value.returncode == 1
    assert f"#{account.pk:08d}" in str(exc.value) and "stored balance 35, transfers add up to 30" in str(
        exc.value
    )


def test_points_verify__fails_when_the_sum_is_not_zero(resident_a, give):
    give(resident_a, 30)
    shard = Account.objects.filter(kind="issuance", balance__lt=0).first()
    Account.objects.filter(pk=shard.pk).update(balance=F("balance") + 30)
    with pytest.raises(CommandError) as exc:
        call_command("points_verify")
    assert f"#{shard.pk:08d}" in str(exc.value)


def test_points_expire__refuses_while_expiry_is_off():
    with pytest.raises(CommandError) as exc:
        call_command("points_expire", "--year", "2020")
    assert "GONGZHI_POINTS_EXPIRY" in str(exc.value)
