"""The demo shows hazards in every step, and a second run adds nothing."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role
from gongzhi.hazards import demo_steps
from gongzhi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo__hazards_in_every_step_and_a_second_run_adds_nothing(make_user, reward_rule):
    users = {
        demo_steps.RESIDENT: make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile=demo_steps.RESIDENT),
        demo_steps.RIDER: make_user(Role.RIDER, ANXIANGJIE, name="王强", mobile=demo_steps.RIDER),
        demo_steps.WORKER: make_user(
            Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile=demo_steps.WORKER
        ),
        "13800000009": make_user(Role.CITY_STAFF, CITY, name="孙海", mobile="13800000009"),
    }
    ctx = SimpleNamespace(users=users, counts={}, rng=random.Random(1))
    demo_steps.seed(ctx)
    hazards = Ticket.objects.filter(kind="hazard")
    assert {"submitted", "dispatched", "resolved", "closed"} <= set(hazards.values_list("state", flat=True))
    assert any(t.is_overdue() for t in hazards)
    count = Ticket.objects.count()
    demo_steps.seed(ctx)
    assert Ticket.objects.count() == count
