"""Before an activity starts its confirmed volunteers are reminded through notifications, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.notifications.models import Notification
from gongzhi.volunteering import services

pytestmark = pytest.mark.django_db


def test_reminders__reach_confirmed_volunteers_of_soon_activities_once(make_activity, make_volunteer):
    soon = make_activity(starts_in=timedelta(hours=3), capacity=1)
    later = make_activity(starts_in=timedelta(days=3), title="下周健康讲座")
    first, waiting = make_volunteer(name="甲"), make_volunteer(name="乙")
    services.signup_create(activity=soon, user=first.user)
    services.signup_create(activity=soon, user=waiting.user)  # on the waiting list
    services.signup_create(activity=later, user=first.user)
    assert services.activity_reminders_send() == 1
    sent = Notification.objects.get()
    assert sent.user == first.user and soon.title in sent.title
    assert services.activity_reminders_send() == 0  # a second run sends nothing again
    assert Notification.objects.count() == 1


def test_reminders__later_activity__is_reminded_when_its_time_comes(make_activity, volunteer):
    later = make_activity(starts_in=timedelta(days=3))
    services.signup_create(activity=later, user=volunteer.user)
    assert services.activity_reminders_send() == 0
    assert services.activity_reminders_send(now=timezone.now() + timedelta(days=2, hours=1)) == 1


def test_reminders__command_runs_them(make_activity, volunteer, capsys):
    services.signup_create(activity=make_activity(starts_in=timedelta(hours=2)), user=volunteer.user)
    call_command("volunteering_remind")
    assert "reminded: 1" in capsys.readouterr().out
    assert Notification.objects.filter(user=volunteer.user, kind="volunteering.reminder").count() == 1
