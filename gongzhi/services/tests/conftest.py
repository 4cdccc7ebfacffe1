"""Fixtures of the service tests: providers in the resource list, offerings, needs."""

from __future__ import annotations

import pytest

from conftest import BAITALU, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.tickets.tests.conftest import chinese, member_of, org_a, org_b, submit, volunteer_a  # noqa: F401 - shared fixtures


@pytest.fixture
def provider(area, org_a):  # noqa: F811 - the shared fixture
    """阳光社会工作服务中心, serving 简城街道 with elderly care."""
    from gongzhi.services.services import resource_create

    return resource_create(
        actor=None,
        name=org_a.name,
        kind="organisation",
        organisation=org_a,
        area=area(JIANCHENG),
        categories=["elderly_care", "companion"],
        capacity=2,
        lat=30.4239,
        lng=104.5548,
    )


@pytest.fixture
def far_provider(area, org_b):  # noqa: F811 - the shared fixture
    """暖心志愿者协会: the same street, further away, housework only."""
    from gongzhi.services.services import resource_create

    return resource_create(
        actor=None,
        name=org_b.name,
        kind="organisation",
        organisation=org_b,
        area=area(JIANCHENG),
        categories=["housework"],
        capacity=5,
        lat=30.39,
        lng=104.50,
    )


@pytest.fixture
def offering(area, provider):
    from gongzhi.services.services import offering_create

    return offering_create(
        actor=None,
        title="独居老人上门探访",
        category="elderly_care",
        provider=provider,
        area=area(JIANCHENG),
        schedule="每周二",
    )


@pytest.fixture
def worker_b_community(make_user):
    return make_user(Role.COMMUNITY_WORKER, BAITALU, name="白塔路社工")
