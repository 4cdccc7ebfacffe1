import io

from openpyxl import load_workbook

from conftest import ANXIANGJIE, BAITALU
from gongzhi.audit.models import AuditEntry
from gongzhi.people.models import Person


def test_list__shows_my_community_masked(signed_in, make_person, worker_of_community_a):
    make_person(ANXIANGJIE, name="王奶奶", mobile="13800138000")
    make_person(BAITALU, name="隔壁人")
    page = signed_in(worker_of_community_a).get("/people/").content.decode()
    assert "王奶奶" in page and "138****8000" in page
    assert "13800138000" not in page and "隔壁人" not in page


def test_detail__of_another_community__is_404(signed_in, make_person, worker_of_community_b):
    person = make_person(ANXIANGJIE)
    assert signed_in(worker_of_community_b).get(f"/people/{person.pk}/").status_code == 404


def test_reveal__shows_the_number_once_and_records_it(signed_in, make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, mobile="13800138000")
    client = signed_in(worker_of_community_a)
    response = client.post(
        f"/people/{person.pk}/reveal/", {"field": "mobile", "reason": "电话回访"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "13800138000" in response.content.decode()
    assert AuditEntry.objects.filter(action="person.reveal", actor=worker_of_community_a).exists()
    refused = client.post(f"/people/{person.pk}/reveal/", {"field": "mobile", "reason": ""})
    assert refused.status_code == 400 and "13800138000" not in refused.content.decode()


def test_create_form__bad_id_number__is_shown_beside_the_field(signed_in, worker_of_community_a):
    response = signed_in(worker_of_community_a).post(
        "/people/new/", {"name": "张三", "area": ANXIANGJIE, "id_number": "510185194806010130"}
    )
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    assert not Person.objects.exists()


def test_create_form__registers_and_shows_the_person(signed_in, worker_of_community_a):
    response = signed_in(worker_of_community_a).post(
        "/people/new/",
        {"name": "李四", "area": ANXIANGJIE, "mobile": "13800138000", "tags": ["elderly_alone"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "李四" in response.content.decode() and "138****8000" in response.content.decode()


def test_export__is_masked_scoped_and_audited(signed_in, make_person, town_staff_a, make_user):
    make_person(ANXIANGJIE, name="甲", mobile="13800138000")
    make_person("510185002001", name="外街道")
    response = signed_in(town_staff_a).get("/people/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["甲"]
    assert rows[1][6] == "138****8000" and "*" in rows[1][5]
    assert AuditEntry.objects.filter(action="person.export").exists()


def test_export__not_for_community_workers(signed_in, worker_of_community_a):
    assert signed_in(worker_of_community_a).get("/people/export.xlsx").status_code == 403


def test_edit__changes_the_record_and_keeps_the_id_number(signed_in, make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, name="旧名")
    masked = person.id_number_masked
    client = signed_in(worker_of_community_a)
    response = client.post(
        f"/people/{person.pk}/edit/",
        {"name": "新名", "mobile": "13800138001", "address": "1栋", "tags": ["veteran"]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.mobile_masked, person.id_number_masked, person.tag_list) == (
        "新名",
        "138****8001",
        masked,
        ["veteran"],
    )


def test_edit__bad_mobile__is_refused_beside_the_field(signed_in, make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, name="旧名")
    response = signed_in(worker_of_community_a).post(
        f"/people/{person.pk}/edit/", {"name": "新名", "mobile": "999"}
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.name == "旧名"


def test_consent__recorded_then_withdrawn(signed_in, make_person, worker_of_community_a):
    from datetime import date

    from gongzhi.people.services import ConsentInput

    consent = ConsentInput("王芳", "parent", "13912345678", "关爱", "书面")
    child = make_person(ANXIANGJIE, name="小红", birth=date(date.today().year - 9, 1, 1), consent=consent)
    client = signed_in(worker_of_community_a)
    client.post(
        f"/people/{child.pk}/consents/new/",
        {
            "guardian_name": "王强",
            "relationship": "grandparent",
            "guardian_mobile": "13912345679",
            "purpose": "结对帮扶",
            "method": "电话录音",
        },
    )
    assert child.consents.count() == 2
    first = child.consents.order_by("id").first()
    client.post(f"/people/{child.pk}/consents/{first.pk}/withdraw/")
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "139****5679" in page
