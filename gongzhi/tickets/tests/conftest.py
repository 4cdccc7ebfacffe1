"""Fixtures of the ticket tests: a test kind of ticket, providers, and tickets in any state."""

from __future__ import annotations

import pydantic
import pytest
from django.utils.translation import gettext_lazy as _

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.tickets.policies import Category, KindPolicy, Resolution, register


class HazardExtra(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    people_at_risk: int = pydantic.Field(0, ge=0, le=10_000)


@register
class TestHazardPolicy(KindPolicy):
    """A kind defined only by tests: proves the engine takes a new kind as a policy."""

    code = "test_hazard"
    label = _("Safety hazard")
    categories = (
        Category("fire", _("Fire risk"), limit="emergency"),
        Category("building", _("Building safety"), limit="complex"),
    )
    extra_schema = HazardExtra
    resolution = Resolution(note=True, photos=1)
    follow_up_after_close = True
    reward_rule = "hazard.rectified"


@pytest.fixture
def org_a(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(
        name="阳光社会工作服务中心",
        kind=OrgKind.SOCIAL_ORG,
        area=area(JIANCHENG),
        categories=["elderly_care"],
    )


@pytest.fixture
def org_b(area):
    from gongzhi.directory.models import Organisation, OrgKind

    return Organisation.objects.create(name="暖心志愿者协会", kind=OrgKind.SOCIAL_ORG, area=area(JIANCHENG))


@pytest.fixture
def member_of(make_user):
    def make(org, role=Role.ORG_MEMBER, name="组织成员"):
        return make_user(role, org.area_id, name=name, organisation=org)

    return make


@pytest.fixture
def volunteer_a(make_user):
    return make_user(Role.VOLUNTEER, ANXIANGJIE, name="志愿者甲")


@pytest.fixture
def submit(area, resident_a):
    """submit(kind="service_order", category=..., submitter=..., **fields) → a submitted ticket."""
    from gongzhi.tickets.services import ticket_submit

    def make(
        kind="service_order", category="elderly_care", *, submitter=None, area_code=ANXIANGJIE, **fields
    ):
        fields.setdefault("title", "每周上门探访")
        return ticket_submit(
            kind=kind,
            category=category,
            area=area(area_code),
            submitter=submitter or resident_a,
            auto_route=False,
            **fields,
        )

    return make


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese, the product's language; a request of an earlier test in the
    same worker may have left English active on the thread."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
