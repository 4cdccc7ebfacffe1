"""The organiser scans the volunteer's personal code: same window, one check-in, one check-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.volunteering import services
from gongzhi.volunteering.models import SignUp

pytestmark = pytest.mark.django_db


def _code(exc) -> str:
    """The stable code of a refusal, whether it names a field or not."""
    error = exc.value
    return error.error_dict["code"][0].code if hasattr(error, "error_dict") else error.code


def test_code__checks_in_then_out__and_a_third_scan_is_refused(activity, volunteer, organiser):
    services.signup_create(activity=activity, user=volunteer.user)
    code = services.volunteer_code(volunteer)
    signup = services.check_in_or_out_by_code(
        activity=activity, code=code, actor=organiser, now=activity.starts_at
    )
    assert signup.checked_in_at == activity.starts_at and signup.checked_out_at is None
    signup = services.check_in_or_out_by_code(
        activity=activity, code=code, actor=organiser, now=activity.starts_at + timedelta(minutes=90)
    )
    assert signup.hours.to_eng_string() == "1.5"
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out_by_code(activity=activity, code=code, actor=organiser, now=activity.ends_at)
    assert exc.value.code == "checkin.done"


def test_code__outside_the_window__is_refused_and_writes_nothing(activity, volunteer, organiser):
    services.signup_create(activity=activity, user=volunteer.user)
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out_by_code(
            activity=activity,
            code=services.volunteer_code(volunteer),
            actor=organiser,
            now=activity.starts_at - timedelta(hours=2),
        )
    assert exc.value.code == "checkin.window"
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_code__expired_or_forged__is_refused(activity, volunteer, organiser, settings):
    services.signup_create(activity=activity, user=volunteer.user)
    code = services.volunteer_code(volunteer)
    with pytest.raises(ValidationError) as forged:
        services.check_in_or_out_by_code(
            activity=activity, code=code[:-3] + "abc", actor=organiser, now=activity.starts_at
        )
    assert _code(forged) == "checkin.bad_token"
    settings.VOLUNTEERING_VOLUNTEER_CODE_MAX_AGE_SECONDS = -1
    with pytest.raises(ValidationError) as expired:
        services.check_in_or_out_by_code(
            activity=activity, code=code, actor=organiser, now=activity.starts_at
        )
    assert _code(expired) == "checkin.expired"
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_code__of_a_volunteer_not_signed_up__is_refused(activity, volunteer, organiser):
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out_by_code(
            activity=activity,
            code=services.volunteer_code(volunteer),
            actor=organiser,
            now=activity.starts_at,
        )
    assert exc.value.code == "checkin.no_signup"


def test_code__scanned_by_a_worker_of_another_community__is_refused(
    activity, volunteer, worker_of_community_b
):
    services.signup_create(activity=activity, user=volunteer.user)
    with pytest.raises(ValidationError) as exc:
        services.check_in_or_out_by_code(
            activity=activity,
            code=services.volunteer_code(volunteer),
            actor=worker_of_community_b,
            now=activity.starts_at,
        )
    assert exc.value.code == "volunteering.forbidden"


def test_my_page__shows_my_code_as_a_qr(signed_in, volunteer):
    response = signed_in(volunteer.user).get(reverse("volunteering:me"))
    assert response.status_code == 200
    assert 'id="my-code"' in response.content.decode() and "<svg" in response.content.decode()


def test_organiser_page__scans_a_code_then_shows_an_error_for_garbage(
    signed_in, organiser, volunteer, make_activity
):
    activity = make_activity(starts_in=timedelta(minutes=-10))
    services.signup_create(activity=activity, user=volunteer.user)
    client = signed_in(organiser)
    url = reverse("volunteering:scan_code", args=[activity.pk])
    ok = client.post(url, {"code": services.volunteer_code(volunteer)})
    assert ok.status_code == 302
    assert SignUp.objects.get(activity=activity).checked_in_at is not None
    bad = client.post(url, {"code": "GZV:nonsense"})
    assert bad.status_code == 400
    assert bad.context["code_form"].errors["code"]


def test_api__my_code_then_the_organiser_scans_it(signed_in, organiser, volunteer, make_activity):
    activity = make_activity(starts_in=timedelta(minutes=-10))
    services.signup_create(activity=activity, user=volunteer.user)
    code = signed_in(volunteer.user).get("/api/v1/volunteering/me/code").json()["code"]
    response = signed_in(organiser).post(
        f"/api/v1/volunteering/manage/activities/{activity.pk}/scan",
        {"code": code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["checked_in_at"] is not None
