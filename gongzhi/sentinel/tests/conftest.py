"""Sentinel fixtures: categories with their units, a rider, the unit's member, a points rule."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role

# 安象街社区's centre is 30.42393, 104.55484; 宝鸡 is about 600 km away.
INSIDE = (30.4245, 104.5551)
NEAR = (30.4250, 104.5551)  # ~55 m north of INSIDE
FAR = (30.4275, 104.5551)  # ~330 m north of INSIDE
OUTSIDE = (34.36, 107.13)


def photo(name="lead.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def unit(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(name="简阳市综合行政执法局", kind=OrgKind.DEPARTMENT, area=area(CITY))


@pytest.fixture
def category(unit):
    from gongzhi.sentinel.models import SentinelCategory

    return SentinelCategory.objects.create(
        code="illegal_ads", name="违规小广告", unit=unit, deadline_hours=48
    )


@pytest.fixture
def rider(make_user):
    return make_user(Role.RIDER, ANXIANGJIE, name="王强")


@pytest.fixture
def rider2(make_user):
    return make_user(Role.RIDER, ANXIANGJIE, name="李骑手")


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.ORG_MEMBER, CITY, name="执法队员", organisation=unit)


@pytest.fixture
def reward_rule(city_staff, area):
    from gongzhi.points.services.earning import RuleInput, budget_create, rule_create

    budget = budget_create(
        name="哨兵积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=2
    )
    return rule_create(
        data=RuleInput(code="sentinel.resolved", name="城市哨兵线索办结", points=20, budget=budget),
        area=area(CITY),
        actor=city_staff,
    )


@pytest.fixture
def report(area, rider, category):
    from gongzhi.sentinel.services import lead_report

    def make(*, reporter=None, at=INSIDE, cat=None, text="电线杆上贴满了办证小广告", photos=None):
        return lead_report(
            reporter=reporter or rider,
            category=(cat or category).code,
            area=area(ANXIANGJIE),
            lat=at[0],
            lng=at[1],
            text=text,
            photos=[photo()] if photos is None else photos,
        )

    return make


def points_of(user) -> int:
    from gongzhi.points.models import Account

    account = Account.objects.filter(user=user).first()
    return account.balance if account else 0
