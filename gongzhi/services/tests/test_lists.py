"""Keeping the three lists: entries are checked, scoped to the keeper's areas and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import ANXIANGJIE, BAITALU
from gongzhi.audit.models import AuditEntry
from gongzhi.services.models import Need, Resource, ServiceOffering
from gongzhi.services.selectors import need_list, offering_list, resource_list
from gongzhi.services.services import (
    need_create,
    need_update,
    offering_create,
    offering_update,
    resource_create,
)


def test_need__of_a_person_in_the_community__is_listed_for_its_worker_only(
    area, make_person, worker_of_community_a, worker_of_community_b
):
    person = make_person(ANXIANGJIE, name="刘大爷", tags=["elderly_alone"])
    need = need_create(
        actor=worker_of_community_a,
        title="每周上门探访",
        category="elderly_care",
        area=area(ANXIANGJIE),
        person=person,
        frequency="每周一次",
    )
    assert list(need_list(viewer=worker_of_community_a)) == [need]
    assert list(need_list(viewer=worker_of_community_b)) == []
    assert AuditEntry.objects.filter(action="need.create", object_id=str(need.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "time_travel"}, "category"),
        ({"title": ""}, "title"),
        ({"subject": "person", "person": None}, "person"),
        ({"subject": "group", "group_tag": "aliens"}, "group_tag"),
        ({"beneficiaries": 0}, "beneficiaries"),
    ],
)
def test_need__bad_input__is_refused_beside_the_field_and_writes_nothing(
    area, worker_of_community_a, fields, field
):
    args = {
        "title": "探访",
        "category": "elderly_care",
        "area": area(ANXIANGJIE),
        "subject": "group",
        "group_tag": "elderly_alone",
    }
    args.update(fields)
    with pytest.raises(ValidationError) as exc:
        need_create(actor=worker_of_community_a, **args)
    assert field in exc.value.message_dict
    assert not Need.objects.exists()


def test_need__in_another_community__is_refused(area, worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        need_create(
            actor=worker_of_community_a,
            title="探访",
            category="elderly_care",
            area=area(BAITALU),
            subject="group",
            group_tag="elderly",
        )
    assert "area" in exc.value.message_dict


def test_need__status_can_be_updated(area, worker_of_community_a):
    need = need_create(
        actor=worker_of_community_a,
        title="托管",
        category="child_care",
        area=area(ANXIANGJIE),
        subject="group",
        group_tag="left_behind_child",
    )
    need_update(need=need, actor=worker_of_community_a, status="met")
    assert Need.objects.get().status == "met"


def test_resource__a_volunteer_needs_an_account_and_a_category(area, worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        resource_create(actor=worker_of_community_a, name="张阿姨", kind="volunteer", area=area(ANXIANGJIE))
    assert {"user", "categories"} <= set(exc.value.message_dict)
    assert not Resource.objects.exists()


def test_resource__contact_phone_is_stored_encrypted_and_shown_masked(
    area, worker_of_community_a, volunteer_a
):
    resource = resource_create(
        actor=worker_of_community_a,
        name="张阿姨",
        kind="volunteer",
        user=volunteer_a,
        area=area(ANXIANGJIE),
        categories=["elderly_care"],
        contact_phone="13912345678",
    )
    assert resource.contact_phone_masked == "139****5678" and "13912345678" not in resource.contact_phone_enc
    assert "13912345678" not in str(
        AuditEntry.objects.filter(action="resource.create").values_list("changes", flat=True)[0]
    )
    assert list(resource_list(viewer=worker_of_community_a)) == [resource]


def test_resource__bad_phone__is_refused(area, worker_of_community_a, volunteer_a):
    with pytest.raises(ValidationError) as exc:
        resource_create(
            actor=worker_of_community_a,
            name="张阿姨",
            kind="volunteer",
            user=volunteer_a,
            area=area(ANXIANGJIE),
            categories=["elderly_care"],
            contact_phone="12345",
        )
    assert "contact_phone" in exc.value.message_dict


def test_offering__needs_a_provider_that_serves_its_area(area, worker_of_community_b, provider):
    with pytest.raises(ValidationError) as exc:
        offering_create(
            actor=None, title="探访", category="elderly_care", provider=provider, area=area("510185002001")
        )
    assert "area" in exc.value.message_dict
    assert not ServiceOffering.objects.exists()


def test_offering__a_paid_service_needs_a_price(area, provider):
    with pytest.raises(ValidationError) as exc:
        offering_create(
            actor=None, title="助餐", category="meal", provider=provider, area=area(ANXIANGJIE), is_free=False
        )
    assert "price" in exc.value.message_dict


def test_offering__a_venue_cannot_take_orders(area, worker_of_community_a):
    venue = resource_create(actor=worker_of_community_a, name="活动室", kind="venue", area=area(ANXIANGJIE))
    with pytest.raises(ValidationError) as exc:
        offering_create(
            actor=worker_of_community_a,
            title="借用活动室",
            category="elderly_care",
            provider=venue,
            area=area(ANXIANGJIE),
        )
    assert "provider" in exc.value.message_dict


def test_offering__unlisting_hides_it_from_the_catalogue(area, offering, resident_a):
    from gongzhi.services.selectors import catalogue

    assert list(catalogue(viewer=resident_a, area=area(ANXIANGJIE))) == [offering]
    offering_update(offering=offering, actor=None, is_active=False)
    assert list(catalogue(viewer=resident_a, area=area(ANXIANGJIE))) == []


def test_offering_list__a_street_offering_is_seen_by_the_street_not_by_a_community_worker_as_theirs(
    offering, town_staff_a, worker_of_community_a
):
    assert list(offering_list(viewer=town_staff_a)) == [offering]
    assert list(offering_list(viewer=worker_of_community_a)) == []
