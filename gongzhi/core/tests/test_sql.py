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


def _fields(obj) -> dict:
    """An instance's field values and cached related objects, as a reader or save() sees them."""
    return {
        "values": {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields},
        "related": dict(obj._state.fields_cache),
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


def test_built__is_the_instance_the_model_itself_builds(resident_a, area):
    from django.utils import timezone

    from gongzhi.audit.models import AuditEntry
    from gongzhi.points.models import Transfer

    now = timezone.now()
    rows = [
        (Transfer, dict(kind="award", debit_id=1, credit_id=2, amount=5, idempotency_key="k", body_hash="h",
                        source_type="tests.deed", source_id="1", reverses=None, area_id=ANXIANGJIE,
                        counter_area_id=JIANCHENG, memo="", created_by=resident_a, created_at=now)),
        (AuditEntry, dict(chain=3, seq=8, at=now, actor=None, actor_label="system", action="tests.built",
                          object_type="tests.deed", object_id="1", changes={"points": 5}, prev_hash="0" * 64)),
        (Organisation, dict(name="甲", kind=OrgKind.SOCIAL_ORG, area=area(JIANCHENG), created_at=now)),
    ]  # fmt: skip
    for model, values in rows:
        fast, slow = sql.built(model, **values), model(**values)
        assert type(fast) is model
        assert _fields(fast) == _fields(slow), model
    organisation = sql.built(Organisation, name="乙", kind=OrgKind.SOCIAL_ORG, area=area(JIANCHENG))
    organisation.save()  # a built instance saves like any other
    assert Organisation.objects.get(pk=organisation.pk).area_id == JIANCHENG


def test_built__hands_what_it_does_not_know_to_the_model(resident_a):
    from gongzhi.points.models import Transfer

    with pytest.raises(TypeError):  # as Model.__init__ refuses an unknown keyword
        sql.built(Transfer, no_such_field=1)
    with pytest.raises(ValueError):  # as the descriptor refuses an object of the wrong model
        sql.built(Transfer, created_by=_org())
