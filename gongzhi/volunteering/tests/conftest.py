"""Volunteering fixtures: an organiser, a registered volunteer, an activity, and the hour rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role

PLACE = (30.3960, 104.5500)  # 安象街 community square


@pytest.fixture
def hour_rule(city_staff, area):
    """The points rule that pays volunteer hours: 10 points an hour."""
    from gongzhi.points.services.earning import RuleInput, budget_create, rule_create

    budget = budget_create(
        name="志愿积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=2
    )
    return rule_create(
        data=RuleInput(code="volunteer.hour", name="志愿服务时长", points=10, budget=budget, unit="hour"),
        area=area(CITY),
        actor=city_staff,
    )


@pytest.fixture
def organiser(worker_of_community_a):
    return worker_of_community_a


@pytest.fixture
def make_volunteer(make_user, area):
    from gongzhi.volunteering.services import volunteer_register

    def make(name="曾建国", area_code=ANXIANGJIE, **kwargs):
        user = make_user(Role.VOLUNTEER, area_code, name=name)
        return volunteer_register(user=user, area=area(area_code), **kwargs)

    return make


@pytest.fixture
def volunteer(make_volunteer):
    return make_volunteer()


@pytest.fixture
def make_activity(organiser, area):
    from gongzhi.volunteering.services import ActivityInput, activity_create

    def make(*, starts_in=timedelta(hours=1), length=timedelta(hours=2), capacity=2, distance=None, **kwargs):
        start = timezone.now() + starts_in
        data = ActivityInput(
            title=kwargs.pop("title", "公益理发进社区"),
            category=kwargs.pop("category", "haircut"),
            starts_at=start,
            ends_at=start + length,
            volunteer_capacity=capacity,
            place="安象街社区广场",
            lat=PLACE[0],
            lng=PLACE[1],
            check_distance_m=distance,
            **kwargs,
        )
        return activity_create(data=data, area=area(ANXIANGJIE), actor=organiser)

    return make


@pytest.fixture
def activity(make_activity):
    return make_activity()
