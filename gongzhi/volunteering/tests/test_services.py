"""Volunteers, sign-up with a waiting list, QR check-in and out, approval paying points once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.audit.models import AuditEntry
from gongzhi.volunteering import services
from gongzhi.volunteering.models import SignUp, SignUpStatus

from .conftest import PLACE

pytestmark = pytest.mark.django_db


def _balance(user):
    from gongzhi.points.selectors import my_account

    account = my_account(viewer=user)
    return 0 if account is None else account.balance


def test_register__numbers_follow_the_year_in_sequence(make_volunteer):
    first, second = make_volunteer(name="甲"), make_volunteer(name="乙")
    year = timezone.localdate().year
    assert first.number == f"JY{year}00001"
    assert second.number == f"JY{year}00002"


def test_register__twice__is_refused(volunteer, area):
    with pytest.raises(ValidationError) as exc:
        services.volunteer_register(user=volunteer.user, area=volunteer.area)
    assert exc.value.code == "volunteer.duplicate"


def test_signup__beyond_capacity__goes_to_the_waiting_list_and_moves_up_on_cancellation(
    make_activity, make_volunteer
):
    activity = make_activity(capacity=1)
    a, b = make_volunteer(name="甲"), make_volunteer(name="乙")
    first = services.signup_create(activity=activity, user=a.user)
    second = services.signup_create(activity=activity, user=b.user)
    assert (first.status, second.status) == (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)
    promoted = services.signup_cancel(signup=first, user=a.user)
    assert promoted.pk == second.pk
    second.refresh_from_db()
    assert second.status == SignUpStatus.CONFIRMED


def test_signup__twice__is_refused_and_writes_nothing(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    with pytest.raises(ValidationError) as exc:
        services.signup_create(activity=activity, user=volunteer.user)
    assert exc.value.code == "signup.duplicate"
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_checkin__within_the_window__then_checkout_gives_hours_capped_at_the_length(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    start = activity.starts_at
    signup = services.check_in_or_out(
        activity=activity, user=volunteer.user, now=start - timedelta(minutes=20)
    )
    assert signup.checked_in_at is not None and signup.hours is None
    signup = services.check_in_or_out(
        activity=activity, user=volunteer.user, now=activity.ends_at + timedelta(minutes=25)
    )
    assert signup.hours == Decimal("2.0")  # 2 h 45 min on site, capped at the 2-hour activity


def test_checkin__outside_the_window__is_refused_and_writes_nothing(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out(
            activity=activity, user=volunteer.user, now=activity.starts_at - timedelta(hours=1)
        )
    assert exc.value.code == "checkin.window"
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_checkin__too_far_from_the_place__is_refused(make_activity, volunteer):
    activity = make_activity(distance=200)
    services.signup_create(activity=activity, user=volunteer.user)
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out(
            activity=activity, user=volunteer.user, lat=PLACE[0] + 0.01, lng=PLACE[1], now=activity.starts_at
        )
    assert exc.value.code == "checkin.too_far"
    signup = services.check_in_or_out(
        activity=activity, user=volunteer.user, lat=PLACE[0] + 0.001, lng=PLACE[1], now=activity.starts_at
    )
    assert signup.checked_in_at is not None


def test_checkin__after_checking_out__is_refused(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)
    assert exc.value.code == "checkin.done"


def test_checkin__without_a_signup__is_refused(activity, volunteer):
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    assert exc.value.code == "checkin.no_signup"


def test_qr_token__opens_its_activity__and_a_forged_one_is_refused(activity):
    token = services.checkin_token(activity)
    assert services.activity_from_token(token) == activity
    with pytest.raises(ValidationError) as exc:
        services.activity_from_token(token[:-2] + "xx")
    assert exc.value.code == "checkin.bad_token"


def test_qr_token__after_its_validity__is_refused(activity, settings):
    settings.VOLUNTEERING_QR_MAX_AGE_SECONDS = -1
    with pytest.raises(ValidationError) as exc:
        services.activity_from_token(services.checkin_token(activity))
    assert exc.value.code == "checkin.expired"


def _attended(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    return services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)


def test_approve__pays_the_hours_as_points_exactly_once(activity, volunteer, organiser, hour_rule):
    signup = _attended(activity, volunteer)
    signup = services.attendance_approve(signup=signup, actor=organiser)
    assert signup.points == 20
    assert _balance(volunteer.user) == 20
    with pytest.raises(ValidationError) as exc:
        services.attendance_approve(signup=signup, actor=organiser)
    assert exc.value.code == "attendance.approved"
    assert _balance(volunteer.user) == 20
    assert AuditEntry.objects.filter(action="volunteering.attendance.approve").count() == 1


def test_approve__hours_over_the_activity_length__are_refused_and_nothing_is_paid(
    activity, volunteer, organiser, hour_rule
):
    signup = _attended(activity, volunteer)
    with pytest.raises(ValidationError) as exc:
        services.attendance_approve(signup=signup, actor=organiser, hours=Decimal("2.5"))
    assert "hours" in exc.value.message_dict
    signup.refresh_from_db()
    assert signup.approved_at is None
    assert _balance(volunteer.user) == 0


def test_approve__by_a_worker_of_another_community__is_refused(activity, volunteer, worker_of_community_b):
    signup = _attended(activity, volunteer)
    with pytest.raises(ValidationError) as exc:
        services.attendance_approve(signup=signup, actor=worker_of_community_b)
    assert exc.value.code == "volunteering.forbidden"


def test_approve__before_checkout__is_refused(activity, volunteer, organiser):
    services.signup_create(activity=activity, user=volunteer.user)
    signup = services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    with pytest.raises(ValidationError) as exc:
        services.attendance_approve(signup=signup, actor=organiser)
    assert exc.value.code == "attendance.open"


def test_activity__ending_before_it_starts__is_refused(organiser, area):
    now = timezone.now()
    data = services.ActivityInput(
        title="健康讲座", category="health", starts_at=now, ends_at=now, volunteer_capacity=1
    )
    with pytest.raises(ValidationError) as exc:
        services.activity_create(data=data, area=area("510185001001"), actor=organiser)
    assert "ends_at" in exc.value.message_dict
