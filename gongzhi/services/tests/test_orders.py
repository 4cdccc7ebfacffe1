"""Placing orders: from the service list or described in a few taps; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import ANXIANGJIE, BAITALU
from gongzhi.services.services import offering_create, order_place
from gongzhi.tickets.models import Ticket


def test_order_from_the_service_list__takes_its_category_and_remembers_the_offering(
    area, resident_a, offering
):
    ticket = order_place(
        resident=resident_a, area=area(ANXIANGJIE), offering=offering, preferred_time="周二上午"
    )
    assert (
        ticket.kind == "service_order"
        and ticket.category == "elderly_care"
        and ticket.title == offering.title
    )
    assert ticket.extra == {
        "offering_id": offering.pk,
        "preferred_time": "周二上午",
        "people": 1,
        "contact": "call",
    }


def test_order__of_a_service_not_offered_in_the_community__is_refused(area, resident_a, provider, make_user):
    from gongzhi.services.services import resource_create

    shop = resource_create(
        actor=None,
        name="白塔路理发店",
        kind="organisation",
        organisation=provider.organisation,
        area=area(BAITALU),
        categories=["haircut"],
    )
    elsewhere = offering_create(
        actor=None, title="理发", category="haircut", provider=shop, area=area(BAITALU)
    )
    with pytest.raises(ValidationError) as exc:
        order_place(resident=resident_a, area=area(ANXIANGJIE), offering=elsewhere)
    assert exc.value.error_dict["offering"][0].code == "order.offering"
    assert not Ticket.objects.exists()


def test_order__described_without_a_category__is_refused(area, resident_a):
    with pytest.raises(ValidationError) as exc:
        order_place(resident=resident_a, area=area(ANXIANGJIE), title="帮帮我")
    assert "category" in exc.value.message_dict


def test_order__urgent_is_high_priority(area, resident_a):
    ticket = order_place(
        resident=resident_a, area=area(ANXIANGJIE), category="emergency_help", title="老人摔倒了", urgent=True
    )
    assert ticket.priority == 4 and (ticket.deadline - ticket.created_at).total_seconds() == 2 * 3600
