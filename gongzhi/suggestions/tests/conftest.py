"""Suggestion fixtures: the points rule and a helper that submits one."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, CITY


@pytest.fixture
def reward_rule(city_staff, area):
    from gongzhi.points.services.earning import RuleInput, budget_create, rule_create

    budget = budget_create(
        name="建议积分预算", area=area(CITY), ceiling=100_000, actor=city_staff, shard_count=2
    )
    return rule_create(
        data=RuleInput(code="suggestion.adopted", name="居民建议被采纳", points=20, budget=budget),
        area=area(CITY),
        actor=city_staff,
    )


@pytest.fixture
def suggest(area, resident_a):
    from gongzhi.suggestions.services import suggestion_submit

    def make(
        *, author=None, topic="elderly_children", text="在公交站旁放几张长椅，方便老人候车休息", photos=()
    ):
        return suggestion_submit(
            author=author or resident_a, topic=topic, area=area(ANXIANGJIE), text=text, photos=photos
        )

    return make
