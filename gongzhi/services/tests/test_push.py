"""Push on demand (按需推送): a new offering reaches the people whose standing need it meets."""

from __future__ import annotations

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.notifications.models import Notification
from gongzhi.services.models import NeedMatch
from gongzhi.services.services import need_create, offering_create, offering_update, push_on_demand


def _resident_with_person(make_user, make_person, area_code, tags=(), name="居民"):
    person = make_person(area_code, name=name, tags=tags)
    user = make_user(Role.RESIDENT, area_code, name=name)
    user.person = person
    user.save(update_fields=["person"])
    return user, person


def test_a_new_offering__notifies_the_person_with_that_need_once(area, make_user, make_person, provider):
    user, person = _resident_with_person(make_user, make_person, ANXIANGJIE, name="黄阿姨")
    need_create(actor=None, title="每周探访", category="elderly_care", area=area(ANXIANGJIE), person=person)
    offering = offering_create(
        actor=None, title="上门探访", category="elderly_care", provider=provider, area=area(JIANCHENG)
    )
    note = Notification.objects.get(user=user)
    assert note.kind == "need.matched" and "上门探访" in note.title and f"offering={offering.pk}" in note.url
    offering_update(offering=offering, actor=None, title="上门探访（周二）")
    assert Notification.objects.filter(user=user).count() == 1
    assert NeedMatch.objects.get().notified == 1


def test_a_group_need__reaches_everyone_of_the_group_in_its_area_and_no_one_else(
    area, make_user, make_person, provider
):
    _rider, _p = _resident_with_person(
        make_user, make_person, ANXIANGJIE, tags=["new_employment"], name="骑手甲"
    )
    _rider_b, _p = _resident_with_person(
        make_user, make_person, BAITALU, tags=["new_employment"], name="骑手乙"
    )
    _elsewhere, _p = _resident_with_person(
        make_user, make_person, "510185002001", tags=["new_employment"], name="骑手丙"
    )
    _other, _p = _resident_with_person(make_user, make_person, ANXIANGJIE, name="非骑手")
    need_create(
        actor=None,
        title="骑手驿站",
        category="rider_service",
        area=area(JIANCHENG),
        subject="group",
        group_tag="new_employment",
        beneficiaries=300,
    )
    provider.categories = ["rider_service"]
    provider.save()
    offering_create(
        actor=None, title="暖心驿站", category="rider_service", provider=provider, area=area(JIANCHENG)
    )
    assert set(Notification.objects.values_list("user__name", flat=True)) == {"骑手甲", "骑手乙"}


def test_an_offering_of_another_category__notifies_no_one(area, make_user, make_person, provider):
    _user, person = _resident_with_person(make_user, make_person, ANXIANGJIE)
    need_create(actor=None, title="水管检修", category="repair", area=area(ANXIANGJIE), person=person)
    offering_create(
        actor=None, title="上门探访", category="elderly_care", provider=provider, area=area(JIANCHENG)
    )
    assert not Notification.objects.exists()


def test_a_new_need__hears_of_the_offerings_already_listed(area, make_user, make_person, offering):
    user, person = _resident_with_person(make_user, make_person, ANXIANGJIE)
    need_create(actor=None, title="探访", category="elderly_care", area=area(ANXIANGJIE), person=person)
    assert Notification.objects.get(user=user).kind == "need.matched"


def test_push_on_demand__is_callable_for_other_sources_such_as_activities(
    area, make_user, make_person, provider
):
    user, person = _resident_with_person(make_user, make_person, ANXIANGJIE)
    need_create(actor=None, title="想学手机", category="elderly_care", area=area(ANXIANGJIE), person=person)
    notified = push_on_demand(
        category="elderly_care",
        area_code=ANXIANGJIE,
        title="智能手机课堂",
        url="/activities/1/",
        source=person,
    )
    assert notified == 1 and Notification.objects.get(user=user).url == "/activities/1/"
