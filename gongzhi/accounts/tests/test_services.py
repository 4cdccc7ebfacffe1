from datetime import timedelta

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from conftest import ANXIANGJIE, BAITALU, CITY, JIANCHENG, PASSWORD
from gongzhi.accounts.models import LoginEvent, User
from gongzhi.accounts.roles import DataScope, Role
from gongzhi.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    login_attempt,
    membership_grant,
    totp_begin,
    totp_verify,
    user_create,
)
from gongzhi.audit.models import AuditEntry


def test_user_create__stores_the_mobile_encrypted_indexed_and_masked(db):
    user = user_create(mobile="+86 138-1234-5678", name="张三", password=PASSWORD)
    assert user.mobile_masked == "138****5678"
    assert "13812345678" not in user.mobile_enc
    assert User.objects.get_by_natural_key("13812345678") == user
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("mobile", ["12345678901", "1381234567", "abc", ""])
def test_user_create__malformed_mobile__is_refused_and_writes_nothing(db, mobile):
    with pytest.raises(ValidationError) as exc:
        user_create(mobile=mobile, name="张三", password=PASSWORD)
    assert "mobile" in exc.value.message_dict
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowerandupper", "12345678"])
def test_user_create__weak_password__is_refused(db, password):
    with pytest.raises(ValidationError) as exc:
        user_create(mobile="13812345678", name="张三", password=password)
    assert "password" in exc.value.message_dict
    assert not User.objects.exists()


def test_user_create__same_mobile_twice__is_refused(db):
    user_create(mobile="13812345678", name="张三", password=PASSWORD)
    with pytest.raises(ValidationError):
        user_create(mobile="138 1234 5678", name="李四", password=PASSWORD)


def test_login__five_failures__lock_the_account_for_ten_minutes(db):
    user = user_create(mobile="13812345678", name="张三", password=PASSWORD)
    for _ in range(4):
        assert login_attempt(mobile="13812345678", password="wrong").reason == "bad_credentials"
    assert login_attempt(mobile="13812345678", password="wrong").reason == "locked"
    # Even the right password is refused while locked.
    assert login_attempt(mobile="13812345678", password=PASSWORD).reason == "locked"
    user.refresh_from_db()
    assert timedelta(minutes=9) < user.locked_until - timezone.now() <= timedelta(minutes=10)
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login_attempt(mobile="13812345678", password=PASSWORD).ok
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.LOCKED).count() == 1


def test_login__unknown_number__says_the_same_as_a_wrong_password(db):
    assert login_attempt(mobile="13800001111", password="x").reason == "bad_credentials"
    assert LoginEvent.objects.get().mobile_masked == "138****1111"


def test_login__success__resets_the_failure_count(db):
    user_create(mobile="13812345678", name="张三", password=PASSWORD)
    for _ in range(3):
        login_attempt(mobile="13812345678", password="wrong")
    assert login_attempt(mobile="13812345678", password=PASSWORD).ok
    for _ in range(4):
        login_attempt(mobile="13812345678", password="wrong")
    assert not User.objects.get().is_locked()


def test_membership__admin_roles_are_held_by_different_people(make_user, area):
    user = make_user(Role.SYSTEM_ADMIN, CITY)
    with pytest.raises(ValidationError) as exc:
        membership_grant(user=user, role=Role.AUDIT_ADMIN, area=area(CITY))
    assert exc.value.code == "membership.separation"


def test_membership__granter_outside_the_area__is_refused(make_user, area):
    town_security = make_user(Role.SECURITY_ADMIN, JIANCHENG)
    user = make_user()
    with pytest.raises(ValidationError):
        membership_grant(
            user=user, role=Role.COMMUNITY_WORKER, area=area("510185002001"), granted_by=town_security
        )
    membership_grant(user=user, role=Role.COMMUNITY_WORKER, area=area(ANXIANGJIE), granted_by=town_security)


def test_scope__several_roles__union_and_a_narrow_one_never_shrinks_a_broad_one(make_user, area):
    user = make_user(Role.TOWN_STAFF, JIANCHENG)
    membership_grant(
        user=user, role=Role.COMMUNITY_WORKER, area=area("510185002001"), data_scope=DataScope.OWN_AREA
    )
    scope = user.access.scope("people.view")
    assert scope.covers_area(ANXIANGJIE)
    assert scope.covers_area(BAITALU)
    assert scope.covers_area("510185002001")
    assert not scope.covers_area("510185002002")


def test_scope__listed_areas(make_user, area):
    user = make_user(Role.CITY_STAFF, CITY, data_scope=DataScope.AREAS, scope_areas=[area(BAITALU)])
    scope = user.access.scope("people.view")
    assert scope.covers_area(BAITALU) and not scope.covers_area(ANXIANGJIE)


def test_scope__resident__holds_no_registry_permission(resident_a):
    assert resident_a.access.scope("people.view").empty


def test_totp__a_code_is_accepted_once(worker_of_community_a):
    secret = totp_begin(user=worker_of_community_a)
    code = pyotp.TOTP(secret).now()
    assert totp_verify(user=worker_of_community_a, code=code)
    assert not totp_verify(user=worker_of_community_a, code=code)  # replay refused
    assert not totp_verify(user=worker_of_community_a, code="000000x")
    worker_of_community_a.refresh_from_db()
    assert worker_of_community_a.totp_confirmed_at is not None


def test_api_token__works_until_revoked(resident_a):
    token, raw = api_token_create(user=resident_a, name="脚本")
    assert raw.startswith("gz_") and token.token_hash != raw
    assert api_token_authenticate(raw) == resident_a
    api_token_revoke(token=token, revoked_by=resident_a)
    assert api_token_authenticate(raw) is None


def test_api_token__brings_the_memberships_in_force_and_not_an_ended_one(make_user, area):
    user = make_user(Role.RESIDENT, ANXIANGJIE)
    membership_grant(user=user, role=Role.COMMUNITY_WORKER, area=area(BAITALU))
    user.memberships.filter(role=Role.COMMUNITY_WORKER).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    _, raw = api_token_create(user=user, name="脚本")
    authenticated = api_token_authenticate(raw)
    assert [(m.role, m.area.code) for m in authenticated.access.memberships] == [(Role.RESIDENT, ANXIANGJIE)]
    assert not authenticated.access.can("tickets.dispatch", BAITALU)
    assert [m.role for m in User.objects.get(pk=user.pk).access.memberships] == [Role.RESIDENT]


def test_api_token__a_user_without_memberships__is_authenticated_and_may_do_nothing(make_user):
    _, raw = api_token_create(user=make_user(None), name="脚本")
    authenticated = api_token_authenticate(raw)
    assert authenticated is not None and authenticated.access.memberships == []


def test_api_token__listed_areas_come_with_the_membership(make_user, area):
    user = make_user(Role.CITY_STAFF, CITY, data_scope=DataScope.AREAS, scope_areas=[area(BAITALU)])
    _, raw = api_token_create(user=user, name="脚本")
    scope = api_token_authenticate(raw).access.scope("people.view")
    assert scope.covers_area(BAITALU) and not scope.covers_area(ANXIANGJIE)


def test_api_token__expired__is_refused(resident_a):
    token, raw = api_token_create(user=resident_a, name="脚本", days=1)
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert api_token_authenticate(raw) is None


@pytest.mark.parametrize("days", [0, 366, -1])
def test_api_token__lifetime_out_of_range__is_refused(resident_a, days):
    with pytest.raises(ValidationError):
        api_token_create(user=resident_a, name="x", days=days)


@override_settings(
    GONGZHI_SECURITY={
        "LOCKOUT_FAILURES": 5,
        "LOCKOUT_MINUTES": 10,
        "IDLE_TIMEOUT_MINUTES": 30,
        "REQUIRE_TOTP_FOR_STAFF": True,
        "PASSWORD_MAX_AGE_DAYS": 0,
    }
)
def test_staff_page__without_second_factor__redirects_to_totp(signed_in, worker_of_community_a, resident_a):
    response = signed_in(worker_of_community_a).get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/totp/")
    # A resident is not staff: no second factor asked.
    assert signed_in(resident_a).get("/").status_code == 200
