"""The demo rider 王强 has leads in several states in 安象街社区."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from conftest import ANXIANGJIE, CITY
from gongzhi.accounts.roles import Role
from gongzhi.sentinel import demo_steps
from gongzhi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo__the_rider_has_leads_in_several_states_and_a_second_run_adds_nothing(make_user):
    users = {
        demo_steps.RIDER: make_user(Role.RIDER, ANXIANGJIE, name="王强", mobile=demo_steps.RIDER),
        demo_steps.WORKER: make_user(
            Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile=demo_steps.WORKER
        ),
        demo_steps.CITY_STAFF: make_user(Role.CITY_STAFF, CITY, name="孙海", mobile=demo_steps.CITY_STAFF),
    }
    ctx = SimpleNamespace(users=users, counts={}, rng=random.Random(1))
    demo_steps.seed(ctx)
    rider = users[demo_steps.RIDER]
    states = set(Ticket.objects.filter(kind="sentinel", submitter=rider).values_list("state", flat=True))
    assert {"submitted", "dispatched", "accepted", "resolved", "closed", "cancelled"} <= states
    count = Ticket.objects.count()
    demo_steps.seed(ctx)
    assert Ticket.objects.count() == count
