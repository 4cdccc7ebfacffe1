"""Mediation fixtures: a task force (攻坚队) with a mediator, a consumer-rights alliance with its
member, a caring merchant in the points scheme, the reward rule, and helpers that bring cases."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, CITY, JIANCHENG
from gongzhi.accounts.roles import Role


@pytest.fixture
def task_force(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(
        name="简城街道大群团攻坚队", kind=OrgKind.TEAM, area=area(JIANCHENG), categories=["mediation"]
    )


@pytest.fixture
def mediator(make_user, task_force):
    return make_user(Role.ORG_MEMBER, JIANCHENG, name="陈调解", organisation=task_force)


@pytest.fixture
def alliance(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(name="简城街道消费维权联盟", kind=OrgKind.TEAM, area=area(JIANCHENG))


@pytest.fixture
def alliance_member(make_user, alliance):
    return make_user(Role.ORG_MEMBER, JIANCHENG, name="维权员", organisation=alliance)


@pytest.fixture
def merchant(area, worker_of_community_a):
    from gongzhi.directory.models import Organisation, OrgKind
    from gongzhi.points.services.redemption import merchant_enrol

    org = Organisation.objects.create(name="刘记超市", kind=OrgKind.MERCHANT, area=area(ANXIANGJIE))
    return merchant_enrol(organisation=org, actor=worker_of_community_a)


@pytest.fixture
def reward_rule(city_staff, area):
    from gongzhi.points.services.earning import RuleInput, budget_create, rule_create

    budget = budget_create(
        name="调解积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=2
    )
    return rule_create(
        data=RuleInput(code="mediation.agreement", name="调解达成协议", points=50, budget=budget),
        area=area(CITY),
        actor=city_staff,
    )


@pytest.fixture
def bring_dispute(area, resident_a):
    from gongzhi.mediation.services import PartyInput, dispute_submit

    def bring(*, by=None, category="neighbour", text="楼上漏水到我家厨房，协商无果", parties=None):
        return dispute_submit(
            submitter=by or resident_a,
            area=area(ANXIANGJIE),
            category=category,
            text=text,
            parties=parties
            if parties is not None
            else [
                PartyInput("黄丽", "13800001111", "applicant"),
                PartyInput("王建国", "13900002222", "respondent"),
            ],
        )

    return bring


@pytest.fixture
def dispute_in_hand(bring_dispute, worker_of_community_a, task_force, mediator):
    """A dispute sent to the task force and accepted by its mediator."""
    from gongzhi.mediation.services import case_assign
    from gongzhi.tickets.services import ticket_accept

    def make(**kwargs):
        ticket = bring_dispute(**kwargs)
        case_assign(ticket=ticket, organisation=task_force, actor=worker_of_community_a)
        ticket_accept(ticket=ticket, actor=mediator)
        return ticket

    return make


@pytest.fixture
def bring_complaint(area, resident_a, merchant):
    from gongzhi.mediation.services import complaint_submit

    def bring(*, by=None, amount="128.50", ask="refund", category="goods", merchant_id=None):
        return complaint_submit(
            submitter=by or resident_a,
            area=area(ANXIANGJIE),
            category=category,
            merchant_id=merchant_id or merchant.pk,
            amount=amount,
            ask=ask,
            text="买到过期牛奶，要求退款",
        )

    return bring


def points_of(user) -> int:
    from gongzhi.points.models import Account

    account = Account.objects.filter(user=user).first()
    return account.balance if account else 0


def codes(exc) -> set[str]:
    return (
        {e.code for errs in exc.error_dict.values() for e in errs}
        if hasattr(exc, "error_dict")
        else {exc.code}
    )
