"""The three lists in Excel: exports are masked; an import is checked row by row and all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import ANXIANGJIE, BAITALU
from gongzhi.services import spreadsheets
from gongzhi.services.models import Need, Resource, ServiceOffering
from gongzhi.services.selectors import need_list
from gongzhi.services.services import list_import, need_create


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("list.xlsx", out.getvalue())


def test_export__masks_the_persons_id_number(area, make_person, worker_of_community_a):
    person = make_person(ANXIANGJIE, name="刘大爷")
    need_create(
        actor=worker_of_community_a,
        title='=HYPERLINK("http://x")',
        category="elderly_care",
        area=area(ANXIANGJIE),
        person=person,
    )
    content, count = spreadsheets.workbook("needs", need_list(viewer=worker_of_community_a, status=""))
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert count == 1 and rows[0][0] in ("需求", "Need")
    assert person.id_number_masked in rows[1] and "*" in person.id_number_masked
    assert rows[1][0].startswith("'=")  # a formula in a cell stays text


def test_import__needs_in_chinese_headers__are_all_added(area, make_person, worker_of_community_a):
    from gongzhi.core.vault import reveal

    person = make_person(ANXIANGJIE, name="刘大爷")
    from gongzhi.people.models import ID_CONTEXT

    id_number = reveal(person.id_number_enc, context=ID_CONTEXT)
    upload = _xlsx(
        [
            ["需求", "类别", "区划代码", "服务对象", "身份证号", "群体", "人数", "紧急程度", "频次"],
            ["每周探访", "养老助老与探访", ANXIANGJIE, "个人", id_number, "", 1, "高", "每周一次"],
            ["骑手驿站", "rider_service", ANXIANGJIE, "群体", "", "新就业形态劳动者", 30, "普通", ""],
        ]
    )
    assert list_import(list_name="needs", upload=upload, actor=worker_of_community_a) == 2
    assert set(Need.objects.values_list("title", "urgency")) == {("每周探访", 3), ("骑手驿站", 2)}


def test_import__one_bad_row__writes_nothing_and_every_problem_is_reported_by_row(
    area, worker_of_community_a
):
    upload = _xlsx(
        [
            ["Need", "Category", "Area code", "Who needs it", "Group"],
            ["托管", "child_care", ANXIANGJIE, "group", "left_behind_child"],
            ["", "flying", ANXIANGJIE, "group", "left_behind_child"],
            ["调解", "mediation", BAITALU, "group", "elderly"],
        ]
    )
    with pytest.raises(ValidationError) as exc:
        list_import(list_name="needs", upload=upload, actor=worker_of_community_a)
    messages = exc.value.messages
    assert any("3" in m and ("Category" in m or "类别" in m) for m in messages)
    assert any("3" in m and ("Need" in m or "需求" in m) for m in messages)
    assert any("4" in m for m in messages)
    assert not any(m.startswith(("Row 2", "第 2 行", "第2行")) for m in messages)
    assert not Need.objects.exists()


def test_import__a_file_that_is_not_excel__is_refused(worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        list_import(
            list_name="needs",
            upload=SimpleUploadedFile("list.xlsx", b"name,category\n"),
            actor=worker_of_community_a,
        )
    assert exc.value.code == "import.not_xlsx"


def test_import__missing_required_columns__are_named(worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        list_import(list_name="needs", upload=_xlsx([["Need"], ["x"]]), actor=worker_of_community_a)
    assert exc.value.code == "import.columns"


def test_resources_and_offerings__round_trip_through_excel(area, worker_of_community_a, volunteer_a):
    upload = _xlsx(
        [
            [
                "Name",
                "Kind",
                "Volunteer's mobile",
                "Categories",
                "Service area code",
                "Orders at once",
                "Contact phone",
            ],
            ["志愿者甲", "volunteer", "", "elderly_care", ANXIANGJIE, 2, "13912345678"],
        ]
    )
    with pytest.raises(ValidationError):  # a volunteer without an account
        list_import(list_name="resources", upload=upload, actor=worker_of_community_a)
    from gongzhi.accounts.models import MOBILE_CONTEXT
    from gongzhi.core.vault import reveal

    mobile = reveal(volunteer_a.mobile_enc, context=MOBILE_CONTEXT)
    upload = _xlsx(
        [
            [
                "Name",
                "Kind",
                "Volunteer's mobile",
                "Categories",
                "Service area code",
                "Orders at once",
                "Contact phone",
            ],
            ["志愿者甲", "volunteer", mobile, "elderly_care、companion", ANXIANGJIE, 2, "13912345678"],
        ]
    )
    assert list_import(list_name="resources", upload=upload, actor=worker_of_community_a) == 1
    resource = Resource.objects.get()
    assert resource.user == volunteer_a and resource.categories == ["companion", "elderly_care"]
    offers = _xlsx(
        [
            ["服务项目", "类别", "服务方编号", "服务区域代码", "是否免费", "价格"],
            ["陪诊", "companion", resource.pk, ANXIANGJIE, "否", "30元/次"],
        ]
    )
    assert list_import(list_name="offerings", upload=offers, actor=worker_of_community_a) == 1
    assert ServiceOffering.objects.get().price == "30元/次"
