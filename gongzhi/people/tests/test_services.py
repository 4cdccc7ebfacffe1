from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.audit.models import AuditEntry
from gongzhi.lib import idcodes
from gongzhi.people.models import Person
from gongzhi.people.selectors import person_list
from gongzhi.people.services import ConsentInput, person_create, person_reveal

CONSENT = ConsentInput(
    guardian_name="王芳",
    relationship="parent",
    guardian_mobile="13912345678",
    purpose="留守儿童结对关爱",
    method="书面同意书",
)


def test_create__derives_birth_date_and_sex_and_masks_numbers(area, worker_of_community_a):
    number = idcodes.make_id_card("510185", date(1948, 6, 1), 13)
    person = person_create(
        name="刘大爷",
        area=area(ANXIANGJIE),
        id_number=number,
        mobile="13812345678",
        tags=["elderly_alone"],
        created_by=worker_of_community_a,
    )
    assert person.birth_date == date(1948, 6, 1) and person.sex == "M"
    assert person.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert person.mobile_masked == "138****1234"[:3] + "****" + "5678"
    assert number not in person.id_number_enc
    entry = AuditEntry.objects.get(action="person.create")
    assert number not in str(entry.changes) and "刘大爷" not in str(entry.changes)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("id_number", {"id_number": "510185194806010130"}),  # wrong check digit
        ("id_number", {"id_number": "51018519480231013X"}),  # 31 February
        ("mobile", {"mobile": "1381234"}),
        ("name", {"name": ""}),
    ],
)
def test_create__bad_input__is_refused_beside_the_field_and_writes_nothing(
    area, worker_of_community_a, field, kwargs
):
    args = {"name": "刘大爷", "area": area(ANXIANGJIE), "created_by": worker_of_community_a, **kwargs}
    with pytest.raises(ValidationError) as exc:
        person_create(**args)
    assert field in exc.value.message_dict
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="person.create").exists()


def test_create__a_child_without_guardian_consent__is_refused(area, worker_of_community_a):
    number = idcodes.make_id_card("510185", date.today().replace(year=date.today().year - 8), 21)
    with pytest.raises(ValidationError) as exc:
        person_create(name="小明", area=area(ANXIANGJIE), id_number=number, created_by=worker_of_community_a)
    assert "consent" in exc.value.message_dict
    child = person_create(
        name="小明",
        area=area(ANXIANGJIE),
        id_number=number,
        consent=CONSENT,
        created_by=worker_of_community_a,
    )
    assert child.is_child and child.consents.get().guardian_mobile_masked == "139****5678"


def test_create__outside_my_community__is_refused(area, worker_of_community_b):
    with pytest.raises(ValidationError) as exc:
        person_create(name="张三", area=area(ANXIANGJIE), created_by=worker_of_community_b)
    assert "area" in exc.value.message_dict


def test_create__in_a_street_rather_than_a_community__is_refused(area, town_staff_a):
    with pytest.raises(ValidationError):
        person_create(name="张三", area=area(JIANCHENG), created_by=town_staff_a)


def test_create__same_id_number_twice__is_refused(make_person, area):
    p = make_person(ANXIANGJIE)
    from gongzhi.core.vault import reveal
    from gongzhi.people.models import ID_CONTEXT

    with pytest.raises(ValidationError) as exc:
        person_create(
            name="重复", area=area(ANXIANGJIE), id_number=reveal(p.id_number_enc, context=ID_CONTEXT)
        )
    assert "id_number" in exc.value.message_dict


def test_reveal__gives_the_full_number_and_records_who_and_why(make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, mobile="13800138000")
    value = person_reveal(person=person, field="mobile", viewer=worker_of_community_a, reason="上门走访联系")
    assert value == "13800138000"
    entry = AuditEntry.objects.filter(action="person.reveal").latest("id")
    assert entry.actor == worker_of_community_a and entry.changes["reason"] == "上门走访联系"
    assert "13800138000" not in str(entry.changes)


def test_reveal__by_a_worker_of_another_community__is_refused_and_logged(make_person, worker_of_community_b):
    person = make_person(ANXIANGJIE, mobile="13800138000")
    with pytest.raises(PermissionDenied):
        person_reveal(person=person, field="mobile", viewer=worker_of_community_b, reason="好奇")
    assert AuditEntry.objects.filter(
        action="person.reveal", success=False, actor=worker_of_community_b
    ).exists()


def test_reveal__without_a_reason__is_refused(make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, mobile="13800138000")
    with pytest.raises(ValidationError):
        person_reveal(person=person, field="mobile", viewer=worker_of_community_a, reason=" ")


def test_list__finds_a_person_by_full_id_number_through_the_blind_index(make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, name="赵六")
    make_person(ANXIANGJIE, name="钱七")
    from gongzhi.core.vault import reveal
    from gongzhi.people.models import ID_CONTEXT

    number = reveal(person.id_number_enc, context=ID_CONTEXT)
    assert list(person_list(viewer=worker_of_community_a, q=number)) == [person]
    assert list(person_list(viewer=worker_of_community_a, q="钱")) != [person]


def test_list__a_community_worker_sees_only_their_community(
    make_person, worker_of_community_a, worker_of_community_b, town_staff_a
):
    a = make_person(ANXIANGJIE, name="甲")
    b = make_person(BAITALU, name="乙")
    assert list(person_list(viewer=worker_of_community_a)) == [a]
    assert list(person_list(viewer=worker_of_community_b)) == [b]
    assert set(person_list(viewer=town_staff_a)) == {a, b}
