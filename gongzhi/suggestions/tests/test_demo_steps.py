"""The demo shows suggestions adopted, not adopted, under review and waiting."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.sentinel.tests.conftest import points_of
from gongzhi.suggestions import demo_steps
from gongzhi.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_demo__suggestions_in_every_step_and_a_second_run_adds_nothing(make_user, reward_rule):
    users = {
        demo_steps.RESIDENT: make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile=demo_steps.RESIDENT),
        demo_steps.RIDER: make_user(Role.RIDER, ANXIANGJIE, name="王强", mobile=demo_steps.RIDER),
        demo_steps.WORKER: make_user(
            Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile=demo_steps.WORKER
        ),
    }
    ctx = SimpleNamespace(users=users, counts={}, rng=random.Random(1))
    demo_steps.seed(ctx)
    outcomes = sorted(Suggestion.objects.values_list("outcome", flat=True))
    assert (
        outcomes.count("adopted") == 1
        and outcomes.count("not_adopted") == 1
        and outcomes.count("pending") == 3
    )
    assert points_of(users[demo_steps.RESIDENT]) == 20
    demo_steps.seed(ctx)
    assert Suggestion.objects.count() == 5
