"""三员分立 in the back office: who may create accounts, grant roles, unlock and read logs."""

from datetime import timedelta

from django.utils import timezone

from conftest import ANXIANGJIE, CITY, PASSWORD
from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role


def test_system_admin__creates_an_account_but_cannot_grant_roles(signed_in, system_admin):
    client = signed_in(system_admin)
    response = client.post(
        "/accounts/users/new/", {"name": "新同事", "mobile": "13912340000", "password": PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(name="新同事")
    assert "新同事" in client.get("/accounts/users/").content.decode()
    area = "510185001001"
    refused = client.post(f"/accounts/users/{user.pk}/roles/", {"role": Role.COMMUNITY_WORKER, "area": area})
    assert refused.status_code == 403
    assert not user.memberships.exists()


def test_system_admin__bad_mobile__is_shown_beside_the_field(signed_in, system_admin):
    response = signed_in(system_admin).post(
        "/accounts/users/new/", {"name": "新同事", "mobile": "12345", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "11" in response.content.decode()
    assert not User.objects.filter(name="新同事").exists()


def test_security_admin__grants_and_withdraws_a_role(signed_in, security_admin, make_user):
    user = make_user(name="待授权")
    client = signed_in(security_admin)
    response = client.post(
        f"/accounts/users/{user.pk}/roles/", {"role": Role.COMMUNITY_WORKER, "area": ANXIANGJIE}
    )
    assert response.status_code == 302
    membership = user.memberships.get()
    assert membership.role == Role.COMMUNITY_WORKER and membership.area_id == ANXIANGJIE
    client.post(f"/accounts/users/{user.pk}/roles/{membership.pk}/revoke/")
    assert not user.memberships.exists()


def test_security_admin__cannot_make_the_system_admin_an_auditor(signed_in, security_admin, system_admin):
    response = signed_in(security_admin).post(
        f"/accounts/users/{system_admin.pk}/roles/", {"role": Role.AUDIT_ADMIN, "area": CITY}
    )
    assert response.status_code == 400
    assert not system_admin.memberships.filter(role=Role.AUDIT_ADMIN).exists()


def test_security_admin__unlocks_a_locked_account(signed_in, security_admin, resident_a):
    User.objects.filter(pk=resident_a.pk).update(locked_until=timezone.now() + timedelta(minutes=9))
    signed_in(security_admin).post(f"/accounts/users/{resident_a.pk}/unlock/")
    resident_a.refresh_from_db()
    assert not resident_a.is_locked()


def test_audit_admin__reads_the_audit_log_but_not_the_accounts(signed_in, audit_admin, make_person):
    make_person(ANXIANGJIE, name="审计对象")
    client = signed_in(audit_admin)
    assert client.get("/accounts/users/").status_code == 403
    page = client.get("/audit/").content.decode()
    assert "person.create" in page
    assert client.get("/accounts/logins/").status_code == 200


def test_community_worker__sees_neither_audit_log_nor_accounts(signed_in, worker_of_community_a):
    client = signed_in(worker_of_community_a)
    assert client.get("/audit/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403
