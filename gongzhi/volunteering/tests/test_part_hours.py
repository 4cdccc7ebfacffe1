"""Part hours earn points too: approved hours accumulate, each completed hour pays once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.volunteering import services

pytestmark = pytest.mark.django_db


def _balance(user):
    from gongzhi.points.selectors import my_account

    account = my_account(viewer=user)
    return 0 if account is None else account.balance


def _served(make_activity, volunteer, minutes):
    activity = make_activity(length=timedelta(hours=2))
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    return services.check_in_or_out(
        activity=activity, user=volunteer.user, now=activity.starts_at + timedelta(minutes=minutes)
    )


@pytest.mark.parametrize(
    ("before", "hours", "paid"),
    [("0", "0.5", 0), ("0.5", "0.5", 1), ("0.5", "1.0", 1), ("1.7", "1.4", 2), ("2", "1.9", 1)],
    ids=["half", "completes-one", "carries", "two-across", "whole-start"],
)
def test_points_quantity__pays_each_completed_hour(before, hours, paid):
    assert services.points_quantity(hours_before=Decimal(before), hours=Decimal(hours)) == paid


def test_approve__three_half_hours__pay_one_hour_once_and_carry_the_rest(
    make_activity, volunteer, organiser, hour_rule, signed_in
):
    results = []
    for _ in range(3):
        signup = _served(make_activity, volunteer, 30)
        results.append(services.attendance_approve(signup=signup, actor=organiser).points)
    assert results == [0, 10, 0]  # 10 points an hour
    assert _balance(volunteer.user) == 10
    page = signed_in(volunteer.user).get(reverse("volunteering:me")).content.decode()
    assert 'id="my-carried"' in page  # half an hour waits for the next


def test_approve__ninety_minutes_then_ninety__pays_three_hours_in_all(
    make_activity, volunteer, organiser, hour_rule
):
    first = services.attendance_approve(signup=_served(make_activity, volunteer, 90), actor=organiser)
    second = services.attendance_approve(signup=_served(make_activity, volunteer, 90), actor=organiser)
    assert (first.points, second.points) == (10, 20)
    assert _balance(volunteer.user) == 30
