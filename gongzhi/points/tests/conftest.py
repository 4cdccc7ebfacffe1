"""Points fixtures: a budget, rules, a merchant with its operator, and a way to give people points."""

from __future__ import annotations

import itertools

import pytest

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role

_sources = itertools.count(1)


@pytest.fixture
def budget(city_staff, area):
    from gongzhi.points.services.earning import budget_create

    return budget_create(
        name="简阳市积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=4
    )


@pytest.fixture
def make_rule(city_staff, area, budget):
    from gongzhi.points.services.earning import RuleInput, rule_create

    def make(
        code="hazard.verified",
        points=10,
        *,
        daily_cap=None,
        monthly_cap=None,
        area_code=CITY,
        rule_budget=None,
        unit="event",
    ):
        return rule_create(
            data=RuleInput(
                code=code,
                name=code,
                points=points,
                budget=rule_budget or budget,
                daily_cap=daily_cap,
                monthly_cap=monthly_cap,
                unit=unit,
            ),
            area=area(area_code),
            actor=city_staff,
        )

    return make


@pytest.fixture
def give(make_rule):
    """give(user, points): award ``points`` to a user under an uncapped rule (new source each time)."""
    from gongzhi.points.services.earning import points_award

    rules = {}

    def award(user, points, area_code=ANXIANGJIE):
        if "grant" not in rules:
            rules["grant"] = make_rule("test.grant", 1)
        outcome = points_award(
            rule_code="test.grant",
            beneficiary=user,
            source_type="tests.grant",
            source_id=str(next(_sources)),
            area_code=area_code,
            quantity=points,
        )
        assert outcome.points == points, outcome
        return outcome

    return award


@pytest.fixture
def merchant_org(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(name="刘记超市", kind=OrgKind.MERCHANT, area=area(ANXIANGJIE))


@pytest.fixture
def operator(make_user, merchant_org):
    return make_user(Role.MERCHANT, ANXIANGJIE, name="刘芳", organisation=merchant_org)


@pytest.fixture
def merchant(merchant_org, worker_of_community_a):
    from gongzhi.points.services.redemption import merchant_enrol

    return merchant_enrol(organisation=merchant_org, actor=worker_of_community_a)


def balance_of(user) -> int:
    from gongzhi.points.models import Account

    account = Account.objects.filter(user=user, kind="person").first()
    return account.balance if account else 0


def ledger_ok() -> None:
    from gongzhi.points.services.ledger import ledger_verify

    report = ledger_verify()
    assert report.ok, [str(p) for p in report.problems]
    assert report.total == 0


def codes(error) -> set[str]:
    """Every code a ValidationError carries, whether beside a field or not."""
    from gongzhi.core.errors import messages_of

    return {m["code"] for messages in messages_of(error).values() for m in messages}
