"""Registering and verifying riders, insurance, communities and gates, issuing and revoking."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.roles import Role
from gongzhi.audit.models import AuditEntry
from gongzhi.passes import services
from gongzhi.passes.models import PassRecord, Rider, RiderStatus

from .conftest import code_of, photo_upload

pytestmark = pytest.mark.django_db


def test_rider_register__stores_the_photo_without_exif_and_awaits_verification(make_user, platform, area):
    user = make_user(Role.RIDER, ANXIANGJIE, name="王强")
    rider = services.rider_register(
        user=user,
        platform=platform,
        station=" 美团简城站 ",
        area=area(ANXIANGJIE),
        plate="川a 123 45",
        photo=photo_upload(exif_gps=True),
        actor=user,
    )
    assert rider.status == RiderStatus.PENDING
    assert rider.plate == "川A12345" and rider.station == "美团简城站"
    with rider.photo.open("rb") as fh, Image.open(io.BytesIO(fh.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no GPS, no maker
        assert max(image.size) <= 800
    assert AuditEntry.objects.filter(action="passes.rider_register", object_id=str(rider.pk)).exists()


def test_rider_register__a_file_that_is_not_an_image__is_refused_and_nothing_is_saved(
    make_user, platform, area
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_user(Role.RIDER, ANXIANGJIE)
    fake = SimpleUploadedFile("me.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.rider_register(
            user=user, platform=platform, station="站", area=area(ANXIANGJIE), photo=fake, actor=user
        )
    assert "photo" in exc.value.message_dict
    assert not Rider.objects.filter(user=user).exists()


def test_rider_register__twice__is_refused(rider, platform, area):
    with pytest.raises(ValidationError):
        services.rider_register(
            user=rider.user, platform=platform, station="站", area=area(ANXIANGJIE), actor=rider.user
        )


def test_rider_register__by_a_worker_of_another_community__is_forbidden(
    make_user, platform, area, worker_of_community_b
):
    user = make_user(Role.RIDER, ANXIANGJIE)
    with pytest.raises(PermissionDenied):
        services.rider_register(
            user=user, platform=platform, station="站", area=area(ANXIANGJIE), actor=worker_of_community_b
        )


def test_rider_transition__follows_the_table_and_refuses_a_jump(make_rider, worker_of_community_a):
    rider = make_rider(verified=False)
    with pytest.raises(ValidationError) as exc:
        services.rider_transition(
            rider=rider, to=RiderStatus.SUSPENDED, actor=worker_of_community_a, note="x y"
        )
    assert code_of(exc.value) == "passes.invalid_transition"
    with pytest.raises(ValidationError):  # a rejection needs a reason for the rider
        services.rider_transition(rider=rider, to=RiderStatus.REJECTED, actor=worker_of_community_a)
    rider = services.rider_transition(
        rider=rider, to=RiderStatus.REJECTED, actor=worker_of_community_a, note="照片不清楚"
    )
    assert rider.status == RiderStatus.REJECTED and rider.status_note == "照片不清楚"


def test_rider_transition__by_a_worker_of_another_community__is_forbidden(make_rider, worker_of_community_b):
    rider = make_rider(verified=False)
    with pytest.raises(PermissionDenied):
        services.rider_transition(rider=rider, to=RiderStatus.VERIFIED, actor=worker_of_community_b)


def test_rider_update__after_rejection__resubmits(make_rider, worker_of_community_a, platform):
    rider = make_rider(verified=False)
    services.rider_transition(
        rider=rider, to=RiderStatus.REJECTED, actor=worker_of_community_a, note="请补照片"
    )
    rider.refresh_from_db()
    rider = services.rider_update(
        rider=rider, actor=rider.user, platform=platform, station="新站", photo=photo_upload()
    )
    assert rider.status == RiderStatus.PENDING and rider.station == "新站"


def test_rider_update__by_the_rider_once_verified__is_refused(rider, platform):
    with pytest.raises(ValidationError) as exc:
        services.rider_update(rider=rider, actor=rider.user, platform=platform, station="别处")
    assert code_of(exc.value) == "passes.rider_locked"


def test_insurance_add__checks_the_period_and_refuses_a_duplicate(rider):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.insurance_add(
            rider=rider,
            insurer="人保",
            number="P1",
            starts_on=today,
            ends_on=today - timedelta(days=1),
            actor=rider.user,
        )
    assert "ends_on" in exc.value.message_dict
    services.insurance_add(
        rider=rider,
        insurer="人保",
        number="P 1",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        actor=rider.user,
    )
    with pytest.raises(ValidationError) as exc:
        services.insurance_add(
            rider=rider, insurer="人保", number="P1", starts_on=today, ends_on=today, actor=rider.user
        )
    assert "number" in exc.value.message_dict


def test_insurance_remind__marks_policies_ending_soon_once(rider):
    today = timezone.localdate()
    soon = services.insurance_add(
        rider=rider,
        insurer="人保",
        number="S1",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=10),
        actor=rider.user,
    )
    services.insurance_add(
        rider=rider,
        insurer="平安",
        number="L1",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=200),
        actor=rider.user,
    )
    assert services.insurance_remind(today=today) == 1
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    assert services.insurance_remind(today=today) == 0


def test_community_save__by_another_community__is_forbidden(worker_of_community_b, area):
    with pytest.raises(PermissionDenied):
        services.community_save(area=area(ANXIANGJIE), actor=worker_of_community_b, honours_pass=True)


def test_gate_guard_add__someone_who_is_not_a_guard_there__is_refused(
    gate_a, worker_of_community_a, make_user
):
    make_user(Role.GATE_GUARD, BAITALU, mobile="13911112222")
    with pytest.raises(ValidationError) as exc:
        services.gate_guard_add(gate=gate_a, guard_mobile="13911112222", actor=worker_of_community_a)
    assert code_of(exc.value) == "passes.not_a_guard"
    with pytest.raises(ValidationError):
        services.gate_guard_add(gate=gate_a, guard_mobile="12345", actor=worker_of_community_a)


def test_pass_current__reuses_the_live_pass_and_renews_it_when_due(rider):
    first = services.pass_current(rider=rider)
    assert services.pass_current(rider=rider).pk == first.pk
    later = first.valid_until - timedelta(hours=1)  # inside the renewal margin
    renewed = services.pass_current(rider=rider, now=later)
    assert renewed.pk != first.pk and renewed.valid_until > first.valid_until


def test_pass_current__for_an_unverified_rider__is_refused(make_rider):
    rider = make_rider(verified=False)
    with pytest.raises(ValidationError) as exc:
        services.pass_current(rider=rider)
    assert code_of(exc.value) == "passes.not_verified"
    assert not PassRecord.objects.filter(rider=rider).exists()


def test_pass_issue__names_the_honouring_communities_of_the_county(rider, worker_of_community_b, area):
    from gongzhi.passes.models import RiderFriendlyCommunity

    RiderFriendlyCommunity.objects.create(area_id=BAITALU, honours_pass=True)
    RiderFriendlyCommunity.objects.create(area_id="510185001003", honours_pass=False)
    record = services.pass_current(rider=rider)
    assert record.areas == [ANXIANGJIE, BAITALU]


def test_pass_revoke__left_the_job__revokes_and_suspends(rider, worker_of_community_a):
    record = services.pass_current(rider=rider)
    revocation = services.pass_revoke(rider=rider, reason="left_job", actor=worker_of_community_a)
    record.refresh_from_db()
    rider.refresh_from_db()
    assert record.revoked_at is not None and revocation.serials == [str(record.serial)]
    assert rider.status == RiderStatus.SUSPENDED
    with pytest.raises(ValidationError):
        services.pass_current(rider=rider)


def test_pass_revoke__lost_phone__keeps_the_rider_verified_with_a_new_pass(rider, worker_of_community_a):
    old = services.pass_current(rider=rider)
    services.pass_revoke(rider=rider, reason="lost_phone", actor=worker_of_community_a)
    rider.refresh_from_db()
    assert rider.status == RiderStatus.VERIFIED and rider.passes_reset_at is not None
    assert services.pass_current(rider=rider).serial != old.serial


def test_pass_revoke__by_another_community__is_forbidden(rider, worker_of_community_b):
    with pytest.raises(PermissionDenied):
        services.pass_revoke(rider=rider, reason="lost_phone", actor=worker_of_community_b)


def test_pass_revoke__other_without_a_note__is_refused(rider, worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        services.pass_revoke(rider=rider, reason="other", actor=worker_of_community_a)
    assert "note" in exc.value.message_dict


def test_access_events_purge__rolls_old_scans_into_daily_counts(rider, gate_a, settings):
    from gongzhi.passes.checking import pass_check
    from gongzhi.passes.models import AccessEvent, GateDay

    settings.GONGZHI_PASSES = {"ACCESS_EVENT_RETENTION_DAYS": 30}
    record = services.pass_current(rider=rider)
    old = timezone.now() - timedelta(days=40)
    event = pass_check(text=record.token, gate=gate_a).event
    AccessEvent.objects.filter(pk=event.pk).update(at=old)
    pass_check(text="garbage", gate=gate_a)  # recent: kept
    rolled, deleted = services.access_events_purge()
    assert (rolled, deleted) == (1, 1)
    day = GateDay.objects.get()
    assert (day.scans, day.admitted, day.riders) == (1, 1, 1)
    assert day.day == timezone.localtime(old).date()
    assert AccessEvent.objects.count() == 1
    assert date.today() != day.day
