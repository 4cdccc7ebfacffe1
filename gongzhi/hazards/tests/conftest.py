"""Hazard fixtures: a property company that rectifies, its member, a reporter, the points rule."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role
from gongzhi.sentinel.tests.conftest import INSIDE, photo


@pytest.fixture
def owner(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(
        name="安象街物业服务有限公司", kind=OrgKind.PROPERTY, area=area(ANXIANGJIE)
    )


@pytest.fixture
def owner_member(make_user, owner):
    return make_user(Role.ORG_MEMBER, ANXIANGJIE, name="物业维修员", organisation=owner)


@pytest.fixture
def reward_rule(city_staff, area):
    from gongzhi.points.services.earning import RuleInput, budget_create, rule_create

    budget = budget_create(
        name="隐患积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=2
    )
    return rule_create(
        data=RuleInput(code="hazard.verified", name="隐患上报属实", points=30, budget=budget),
        area=area(CITY),
        actor=city_staff,
    )


@pytest.fixture
def report(area, resident_a):
    from gongzhi.hazards.services import hazard_report

    def make(
        *, reporter=None, at=INSIDE, text="楼道里停满电动车在充电，堵住了安全出口", photos=None, **kwargs
    ):
        return hazard_report(
            reporter=reporter or resident_a,
            category=kwargs.pop("category", "fire"),
            area=area(ANXIANGJIE),
            lat=at[0] if at else None,
            lng=at[1] if at else None,
            text=text,
            photos=[photo("hazard.jpg")] if photos is None else photos,
            **kwargs,
        )

    return make


@pytest.fixture
def rectified(report, worker_of_community_a, owner, owner_member):
    """A hazard assessed (larger risk), accepted by the owner and reported as rectified."""
    from gongzhi.hazards.services import hazard_assess
    from gongzhi.tickets.services import ticket_accept, ticket_resolve

    def make(ticket=None):
        ticket = ticket or report()
        hazard_assess(ticket=ticket, actor=worker_of_community_a, risk_level="larger", owner=owner)
        ticket_accept(ticket=ticket, actor=owner_member)
        ticket_resolve(
            ticket=ticket, actor=owner_member, note="已清理楼道，设置集中充电点", photos=[photo("after.jpg")]
        )
        ticket.refresh_from_db()
        return ticket

    return make
