"""The demo resident 黄丽 has disputes and complaints in several states; the mediator is rewarded."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.mediation import demo_steps
from gongzhi.mediation.models import Complaint, Dispute
from gongzhi.mediation.selectors import merchant_civility_record
from gongzhi.tickets.models import Ticket

from .conftest import points_of

pytestmark = pytest.mark.django_db


def test_demo__disputes_and_complaints_in_several_states_and_a_second_run_adds_nothing(
    make_user, merchant, reward_rule
):
    users = {
        demo_steps.RESIDENT: make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽", mobile=demo_steps.RESIDENT),
        demo_steps.MEDIATOR: make_user(Role.ORG_MEMBER, JIANCHENG, name="陈伟", mobile=demo_steps.MEDIATOR),
        demo_steps.WORKER: make_user(
            Role.COMMUNITY_WORKER, ANXIANGJIE, name="张敏", mobile=demo_steps.WORKER
        ),
    }
    ctx = SimpleNamespace(users=users, counts={}, rng=random.Random(1))
    demo_steps.seed(ctx)
    states = set(Ticket.objects.filter(kind="dispute").values_list("state", flat=True))
    assert {"submitted", "dispatched", "in_progress", "closed"} <= states
    assert sorted(Dispute.objects.exclude(outcome="").values_list("outcome", "referral")) == [
        ("agreement", ""),
        ("failed", "legal_desk"),
    ]
    assert points_of(users[demo_steps.MEDIATOR]) == 50
    assert Complaint.objects.count() == 3
    assert merchant_civility_record(merchant=merchant).counted == 1
    count = Ticket.objects.count()
    demo_steps.seed(ctx)
    assert Ticket.objects.count() == count
