"""Residents register to take part in an activity within its places, and are reminded before it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Participation

pytestmark = pytest.mark.django_db


def test_resident__takes_part_from_the_activity_page_and_sees_the_places_taken(
    signed_in, resident_a, make_activity
):
    activity = make_activity(participant_capacity=20)
    client = signed_in(resident_a)
    assert activity.title in client.get(reverse("volunteering:board")).content.decode()
    response = client.post(reverse("volunteering:participate", args=[activity.pk]))
    assert response.status_code == 302
    page = client.get(reverse("volunteering:activity", args=[activity.pk])).content.decode()
    assert Participation.objects.filter(activity=activity, user=resident_a).exists()
    assert "1" in page.split('id="participants">')[1][:40]
    client.post(reverse("volunteering:participate", args=[activity.pk]), {"cancel": "1"})
    assert not Participation.objects.filter(cancelled_at__isnull=True).exists()


def test_participation__beyond_the_places__is_refused_and_writes_nothing(make_activity, make_user):
    activity = make_activity(participant_capacity=1)
    first, second = (make_user(Role.RESIDENT, ANXIANGJIE, name=n) for n in ("甲", "乙"))
    services.participation_join(activity=activity, user=first)
    with pytest.raises(ValidationError) as exc:
        services.participation_join(activity=activity, user=second)
    assert exc.value.code == "participation.full"
    with pytest.raises(ValidationError) as again:
        services.participation_join(activity=activity, user=first)
    assert again.value.code == "participation.duplicate"
    assert Participation.objects.count() == 1


def test_participation__walk_in_activity_or_after_the_start__is_refused(make_activity, resident_a):
    with pytest.raises(ValidationError) as walk_in:
        services.participation_join(activity=make_activity(), user=resident_a)
    assert walk_in.value.code == "participation.walk_in"
    started = make_activity(starts_in=timedelta(minutes=-5), participant_capacity=10)
    with pytest.raises(ValidationError) as closed:
        services.participation_join(activity=started, user=resident_a)
    assert closed.value.code == "participation.closed"
    assert not Participation.objects.exists()


def test_participants__are_reminded_once_like_volunteers(make_activity, resident_a, volunteer):
    activity = make_activity(starts_in=timedelta(hours=5), participant_capacity=10)
    services.participation_join(activity=activity, user=resident_a)
    services.signup_create(activity=activity, user=volunteer.user)
    assert services.activity_reminders_send() == 2
    assert services.activity_reminders_send() == 0
    assert set(Notification.objects.values_list("user_id", flat=True)) == {resident_a.pk, volunteer.user_id}


def test_api__take_part_then_a_second_time_is_a_problem(signed_in, resident_a, make_activity):
    activity = make_activity(participant_capacity=5)
    client = signed_in(resident_a)
    url = f"/api/v1/volunteering/activities/{activity.pk}/participations"
    assert client.post(url).status_code == 201
    again = client.post(url)
    assert again.status_code in (400, 409, 422)
    assert again["Content-Type"].startswith("application/problem+json")
    assert client.post(url + "/cancel").json()["cancelled_at"] is not None


def test_organiser__the_person_times_form_starts_from_the_residents_registered(
    signed_in, organiser, make_activity, make_user
):
    activity = make_activity(participant_capacity=20)
    for name in ("甲", "乙", "丙"):
        services.participation_join(activity=activity, user=make_user(Role.RESIDENT, ANXIANGJIE, name=name))
    page = (
        signed_in(organiser).get(reverse("volunteering:manage_detail", args=[activity.pk])).content.decode()
    )
    assert 'name="served" value="3"' in page
