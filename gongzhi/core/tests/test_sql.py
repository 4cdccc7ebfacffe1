"""Statements written once from _meta: rows read back and rows written as the ORM would."""

from __future__ import annotations

import pytest

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.areas.models import Area
from gongzhi.core import sql
from gongzhi.directory.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db


def _org(**fields) -> Organisation:
    fields.setdefault("name", "阳光社会工作服务中心")
    return Organisation(kind=OrgKind.SOCIAL_ORG, area_id=JIANCHENG, **fields)


def test_insert__sets_the_key_and_stores_what_save_would(area):
    org = _org(categories=["elderly_care"], lat=30.4)
    sql.insert(org)
    assert org.pk and not org._state.adding
    stored = Organisation.objects.get(pk=org.pk)
    assert stored.categories == ["elderly_care"] and stored.lat == 30.4 and stored.is_active
    assert stored.created_at is not None  # auto_now_add ran, as in save()


def test_insert__several_rows_in_one_statement_get_their_own_keys(area):
    first, second = _org(name="甲"), _org(name="乙")
    sql.insert(first, second)
    assert dict(Organisation.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "name")) == {
        first.pk: "甲",
        second.pk: "乙",
    }


def test_insert__refuses_a_row_already_saved(area):
    org = _org()
    org.save()
    with pytest.raises(ValueError):
        sql.insert(org)


def test_update__changes_the_row_only_while_the_condition_holds(area):
    org = _org()
    sql.insert(org)
    assert (
        sql.update(
            Organisation, org.pk, {"name": "新名", "area": area(ANXIANGJIE)}, where={"is_active": True}
        )
        == 1
    )
    assert sql.update(Organisation, org.pk, {"name": "再改"}, where={"is_active": False}) == 0
    stored = Organisation.objects.get(pk=org.pk)
    assert stored.name == "新名" and stored.area_id == ANXIANGJIE


def test_columns__read_values_and_instances_as_the_orm_does_and_none_for_an_unmatched_join(area):
    org = _org(categories=["meal"])
    sql.insert(org)
    o, a = sql.Columns(Organisation, ["id", "name", "categories", "is_active"]), sql.Columns(Area)
    statement = (
        f"SELECT {o.sql}, {a.sql} FROM {sql.table(Organisation)}"  # noqa: S608 (identifiers from model metadata)
        f" LEFT JOIN {sql.table(Area)} ON {sql.column(Area, 'code')} = %s"
        f" WHERE {sql.column(Organisation, 'id')} = %s"
    )
    (row,) = sql.fetch(statement, ["000000000000", org.pk])
    assert o.values(row)[1:] == ["阳光社会工作服务中心", ["meal"], True]
    instance = o.instance(row)
    assert instance.pk == org.pk and instance.categories == ["meal"]
    assert instance.get_deferred_fields() >= {"short_name", "area_id"}  # loaded on access
    assert a.instance(row, o.width) is None
