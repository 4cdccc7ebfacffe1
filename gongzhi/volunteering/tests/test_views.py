"""The pages: the volunteer's scan page, the organiser's approvals, the public verification."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ANXIANGJIE
from gongzhi.lib import idcodes
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, Certificate, SignUp

pytestmark = pytest.mark.django_db

ID_NUMBER = idcodes.make_id_card("510185", date(1979, 9, 9), 77)


def test_board__lists_open_activities_to_a_volunteer(signed_in, volunteer, activity):
    response = signed_in(volunteer.user).get(reverse("volunteering:board"))
    assert response.status_code == 200
    assert activity.title in response.content.decode()


def test_scan__checks_in_then_out(signed_in, volunteer, make_activity):
    activity = make_activity(starts_in=timedelta(minutes=-10), length=timedelta(hours=1))
    services.signup_create(activity=activity, user=volunteer.user)
    client = signed_in(volunteer.user)
    url = reverse("volunteering:scan", args=[services.checkin_token(activity)])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302, response.context["form"].errors
    assert SignUp.objects.get(activity=activity).checked_in_at is not None
    client.post(url)
    assert SignUp.objects.get(activity=activity).checked_out_at is not None


def test_scan__too_far__shows_the_distance_and_writes_nothing(signed_in, volunteer, make_activity):
    activity = make_activity(starts_in=timedelta(minutes=-10), distance=100)
    services.signup_create(activity=activity, user=volunteer.user)
    url = reverse("volunteering:scan", args=[services.checkin_token(activity)])
    response = signed_in(volunteer.user).post(url, {"lat": "30.45", "lng": "104.55"})
    assert response.status_code == 400
    assert "100" in response.context["form"].non_field_errors()[0]  # the allowed radius is stated
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_scan__forged_token__is_refused(signed_in, volunteer):
    response = signed_in(volunteer.user).get(reverse("volunteering:scan", args=["1:forged:token"]))
    assert response.status_code == 400


def test_publish__invalid_times__errors_beside_the_field_and_nothing_saved(signed_in, organiser):
    now = timezone.localtime().replace(second=0, microsecond=0)
    response = signed_in(organiser).post(
        reverse("volunteering:manage_create"),
        {
            "title": "反诈宣传",
            "category": "anti_fraud",
            "area": ANXIANGJIE,
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "volunteer_capacity": 3,
            "participant_capacity": 0,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"]
    assert not Activity.objects.exists()


def test_manage_detail__shows_the_check_in_qr(signed_in, organiser, activity):
    response = signed_in(organiser).get(reverse("volunteering:manage_detail", args=[activity.pk]))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_manage_detail__of_another_community__is_not_found(signed_in, worker_of_community_b, activity):
    response = signed_in(worker_of_community_b).get(reverse("volunteering:manage_detail", args=[activity.pk]))
    assert response.status_code == 404


def _attended(activity, volunteer):
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    return services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)


def test_approve__hours_too_long__error_beside_the_field(
    signed_in, organiser, activity, volunteer, hour_rule
):
    signup = _attended(activity, volunteer)
    response = signed_in(organiser).post(reverse("volunteering:approve", args=[signup.pk]), {"hours": "9"})
    assert response.status_code == 400
    assert response.context["approve_form"].errors["hours"]
    signup.refresh_from_db()
    assert signup.approved_at is None


def test_certificate__issued_as_a_pdf_and_verified_publicly(
    client, signed_in, organiser, activity, volunteer, hour_rule
):
    signup = _attended(activity, volunteer)
    services.attendance_approve(signup=signup, actor=organiser)
    response = signed_in(organiser).post(
        reverse("volunteering:certificate_issue", args=[volunteer.pk]),
        {"organisation": "安象街社区", "responsible": "张敏", "handler": "李晓燕", "contact": "028-27000000"},
    )
    cert = Certificate.objects.get()
    assert response.status_code == 302
    pdf = signed_in(volunteer.user).get(reverse("volunteering:certificate_pdf", args=[cert.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    client.logout()
    ok = client.get(reverse("volunteering:verify"), {"number": cert.number})
    assert ok.status_code == 200 and volunteer.number in ok.content.decode()
    bad = client.get(reverse("volunteering:verify"), {"number": cert.number[:-1] + "0"})
    assert bad.status_code == 400 and volunteer.number not in bad.content.decode()


def test_api__check_in_with_a_window_error_answers_problem_json(signed_in, volunteer, make_activity):
    activity = make_activity(starts_in=timedelta(hours=5))
    services.signup_create(activity=activity, user=volunteer.user)
    response = signed_in(volunteer.user).post(
        "/api/v1/volunteering/checkin",
        {"token": services.checkin_token(activity)},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_api__verify_rejects_an_altered_number(client):
    response = client.get("/api/v1/volunteering/certificates/verify", {"number": "ZY2026000001-0000000000"})
    assert response.status_code in (400, 422)


def test_register_volunteer__by_mobile__gives_a_number_and_the_volunteer_role(
    signed_in, organiser, make_user
):
    from conftest import next_mobile
    from gongzhi.volunteering.models import Volunteer

    mobile = next_mobile()
    user = make_user(None, mobile=mobile, name="李春梅")
    response = signed_in(organiser).post(
        reverse("volunteering:volunteer_register"),
        {
            "mobile": mobile,
            "area": ANXIANGJIE,
            "id_number": ID_NUMBER,
            "skills": "心理疏导",
            "availability": "周末",
            "pair_capacity": 2,
        },
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=user)
    assert volunteer.number.startswith("JY")
    assert volunteer.id_number_masked == idcodes.mask_id_card(ID_NUMBER)
    assert user.memberships.filter(role="volunteer").exists()


def test_register_volunteer__unknown_mobile__error_beside_the_field(signed_in, organiser):
    from gongzhi.volunteering.models import Volunteer

    response = signed_in(organiser).post(
        reverse("volunteering:volunteer_register"),
        {"mobile": "13912345678", "area": ANXIANGJIE, "pair_capacity": 2},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["mobile"]
    assert not Volunteer.objects.exists()
