"""The pages: the rider's pass, registration, the guard's gate, the community's registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.roles import Role
from gongzhi.passes import services
from gongzhi.passes.models import PassRecord, Rider, RiderStatus

from .conftest import photo_upload

pytestmark = pytest.mark.django_db


def test_my_pass__shows_the_qr_with_the_renewal_times_and_no_inline_script(signed_in, rider):
    response = signed_in(rider.user).get("/passes/my/")
    body = response.content.decode()
    record = PassRecord.objects.get(rider=rider)
    assert response.status_code == 200
    assert "<svg" in body and f"/p/{record.token}" in body
    assert f'data-valid-until="{int(record.valid_until.timestamp())}"' in body
    assert "passes/pass.js" in body and "<script>" not in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_my_pass_card__is_the_fragment_the_page_renews(signed_in, rider):
    body = signed_in(rider.user).get("/passes/my/card/").content.decode()
    assert body.lstrip().startswith('<div class="pass-card"') and "<html" not in body


def test_my_pass__unverified__explains_and_issues_nothing(signed_in, make_rider):
    rider = make_rider(verified=False)
    body = signed_in(rider.user).get("/passes/my/").content.decode()
    assert "<svg" not in body and "pass-none" in body
    assert not PassRecord.objects.filter(rider=rider).exists()


def test_my_pass__without_registration__goes_to_the_form(signed_in, make_user):
    user = make_user(Role.RIDER, ANXIANGJIE)
    assert signed_in(user).get("/passes/my/")["Location"] == "/passes/my/register/"


def test_register__bad_input_shows_errors_beside_fields_and_saves_nothing(signed_in, make_user):
    user = make_user(Role.RIDER, ANXIANGJIE)
    response = signed_in(user).post(
        "/passes/my/register/", {"platform": "", "station": "", "area": ANXIANGJIE}
    )
    assert response.status_code == 400
    assert response.content.decode().count('class="err"') >= 2
    assert not Rider.objects.exists()


def test_register__a_rider_registers_with_a_photo(signed_in, make_user, platform):
    user = make_user(Role.RIDER, ANXIANGJIE)
    response = signed_in(user).post(
        "/passes/my/register/",
        {
            "platform": platform.pk,
            "station": "美团简城站",
            "plate": "简阳A·1",
            "area": ANXIANGJIE,
            "photo": photo_upload(),
        },
    )
    assert response.status_code == 302
    rider = Rider.objects.get(user=user)
    assert rider.status == RiderStatus.PENDING and rider.photo


def test_lost_phone__the_old_session_must_sign_in_again(client, rider, worker_of_community_a):
    client.force_login(rider.user, backend="gongzhi.accounts.backends.MobilePasswordBackend")
    assert client.get("/passes/my/").status_code == 200
    services.pass_revoke(
        rider=rider,
        reason="lost_phone",
        actor=worker_of_community_a,
        now=timezone.now() + timedelta(seconds=2),
    )
    response = client.get("/passes/my/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/passes/my/card/").status_code == 302  # signed out


def test_service_worker__is_served_for_the_pass_pages_scope(client):
    response = client.get("/passes/sw.js")
    assert response.status_code == 200 and response["Service-Worker-Allowed"] == "/passes/"
    assert b"caches" in response.content


def test_gate_page__the_guard_checks_a_pasted_link(signed_in, guard_a, gate_a, rider):
    record = services.pass_current(rider=rider)
    client = signed_in(guard_a)
    assert "北门" in client.get("/passes/gate/").content.decode()
    response = client.post(
        "/passes/gate/", {"token": f"  https://gz.example.cn/p/{record.token}?from=wechat "}
    )
    assert response["Location"] == f"/p/{record.token}"
    assert "pass-ok" in client.get(response["Location"]).content.decode()


def test_rider_list__a_worker_sees_own_community_only(signed_in, make_rider, worker_of_community_b, friendly):
    make_rider(ANXIANGJIE, name="甲骑手")
    make_rider(BAITALU, name="乙骑手")
    body = signed_in(worker_of_community_b).get("/passes/riders/").content.decode()
    assert "乙*" in body and "甲*" not in body


def test_rider_detail__of_another_community__is_not_found(signed_in, rider, worker_of_community_b):
    assert signed_in(worker_of_community_b).get(f"/passes/riders/{rider.pk}/").status_code == 404


def test_rider_status__verifying_through_the_page(signed_in, make_rider, worker_of_community_a):
    rider = make_rider(verified=False)
    response = signed_in(worker_of_community_a).post(f"/passes/riders/{rider.pk}/status/", {"to": "verified"})
    assert response.status_code == 302
    rider.refresh_from_db()
    assert rider.status == RiderStatus.VERIFIED


def test_rider_revoke__without_a_reason_shows_the_error_and_revokes_nothing(
    signed_in, rider, worker_of_community_a
):
    record = services.pass_current(rider=rider)
    response = signed_in(worker_of_community_a).post(
        f"/passes/riders/{rider.pk}/revoke/", {"reason": "other"}
    )
    assert response.status_code == 400 and 'class="err"' in response.content.decode()
    record.refresh_from_db()
    assert record.revoked_at is None


def test_community_page__the_worker_sets_services_and_adds_a_gate(signed_in, worker_of_community_a):
    client = signed_in(worker_of_community_a)
    response = client.post(
        f"/passes/communities/{ANXIANGJIE}/", {"save_settings": "1", "honours_pass": "on", "water": "on"}
    )
    assert response.status_code == 302
    client.post(f"/passes/communities/{ANXIANGJIE}/", {"add_gate": "1", "name": "西门"})
    body = client.get("/passes/communities/").content.decode()
    from django.utils import translation

    from gongzhi.passes.models import RiderFriendlyCommunity

    with translation.override("zh-hans"):
        water = str(RiderFriendlyCommunity._meta.get_field("water").verbose_name)
    assert "西门" in body and f'<span class="tag">{water}</span>' in body


def test_community_page__of_another_community__is_not_found(signed_in, worker_of_community_b):
    assert signed_in(worker_of_community_b).get(f"/passes/communities/{ANXIANGJIE}/").status_code == 404


def test_figures__count_scans_riders_time_saved_and_insured(signed_in, town_staff_a, rider, gate_a, settings):
    from gongzhi.passes.checking import pass_check

    settings.GONGZHI_PASSES = {"MINUTES_SAVED_PER_SCAN": 6}
    today = timezone.localdate()
    services.insurance_add(
        rider=rider,
        insurer="人保",
        number="F1",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        actor=rider.user,
    )
    token = services.pass_current(rider=rider).token
    for _ in range(3):
        pass_check(text=token, gate=gate_a)
    pass_check(text="forged", gate=gate_a)
    body = signed_in(town_staff_a).get("/passes/figures/").content.decode()
    assert 'data-figure="scans">4<' in body
    assert 'data-figure="riders_served">1<' in body
    assert 'data-figure="hours_saved">0.3 h<' in body  # 3 × 6 minutes
    assert 'data-figure="riders_insured">1<' in body


def test_figures__a_backwards_period_is_a_clear_error(signed_in, town_staff_a):
    response = signed_in(town_staff_a).get("/passes/figures/?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 400 and 'class="err"' in response.content.decode()


def test_keys_page__rotate_is_for_the_security_administrator_only(
    signed_in, security_admin, worker_of_community_a, rider
):
    services.pass_current(rider=rider)
    assert signed_in(worker_of_community_a).post("/passes/keys/rotate/").status_code == 403
    client = signed_in(security_admin)
    assert client.post("/passes/keys/rotate/").status_code == 302
    assert client.get("/passes/keys/").content.decode().count("<code>") >= 3
