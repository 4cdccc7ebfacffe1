"""Hot statements as SQL written once from the models' metadata, run with new parameters each time.

On the hottest paths (every API request's token and memberships, every service order's ranking
and the rows it writes) building an ORM query costs more than running it: Django compiles the
statement afresh on each call (``as_sql``, ``build_filter``, ``setup_joins``: 0.3–0.5 ms of CPU a
statement). A statement here is composed once per process from ``_meta`` (so a renamed column
cannot silently drift, as in ``gongzhi.passes.checking``); rows read become values or model
instances through the converters the ORM applies (SQLite's text timestamps, JSON, booleans), and
values written are prepared by the fields as ``save()`` and ``update()`` prepare them. Only the
SQL is kept: every call reads the database afresh, so a revoked token or a switched-off rule
takes effect at once in every process.

Use it for a few well-named selectors and writes whose shape never changes, not as a second ORM.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from django.db import connection, router
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model, signals
from django.db.models.base import ModelState


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], name: str, alias: str | None = None) -> str:
    """``"table"."column"`` of a field (``alias`` instead of the table name when joined twice)."""
    return f"{quote(alias) if alias else table(model)}.{quote(model._meta.get_field(name).column)}"


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def moment(value):
    """A timestamp as a parameter, in the form the database stores it (SQLite: naive UTC text),
    as the ORM would pass it to a DateTimeField lookup."""
    return connection.ops.adapt_datetimefield_value(value)


class Columns:
    """Some (or all) concrete fields of a model in a SELECT list, and how to read them back.

    ``sql`` is the select list; ``values(row, start)`` converts the ``width`` values found from
    ``start`` as the ORM would; ``instance(row, start)`` builds the model instance (fields not
    selected are deferred, loaded on access), or ``None`` when the primary key is NULL (an
    unmatched LEFT JOIN).
    """

    def __init__(self, model: type[Model], names: Sequence[str] = (), *, alias: str | None = None) -> None:
        # The given order (all concrete fields when none are named), so a caller can unpack values.
        fields = [model._meta.get_field(n) for n in names] if names else list(model._meta.concrete_fields)
        self.model = model
        self.alias = alias
        self.fields = fields
        self.width = len(fields)
        # ``Model.from_db`` takes the selected fields in the model's own order (the rest deferred).
        order = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
        self._by_model_order = sorted(range(len(fields)), key=lambda i: order[fields[i].attname])
        self._attnames = [fields[i].attname for i in self._by_model_order]
        self._pk_index = next((i for i, f in enumerate(fields) if f.primary_key), None)
        self._sql: str | None = None
        self._converters: list | None = None

    @property
    def sql(self) -> str:
        if self._sql is None:
            self._sql = ", ".join(column(self.model, f.name, self.alias) for f in self.fields)
        return self._sql

    def _converters_now(self) -> list:
        """(index, column, converters) of the fields this database hands back in another form."""
        if self._converters is None:
            converters = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.alias or self.model._meta.db_table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((i, col, found))
            self._converters = converters
        return self._converters

    def values(self, row: Sequence, start: int = 0) -> list:
        out = list(row[start : start + self.width])
        for i, col, converters in self._converters_now():
            value = out[i]
            for convert in converters:
                value = convert(value, col, connection)
            out[i] = value
        return out

    def instance(self, row: Sequence, start: int = 0):
        if self._pk_index is not None and row[start + self._pk_index] is None:
            return None
        values = self.values(row, start)
        return self.model.from_db(connection.alias, self._attnames, [values[i] for i in self._by_model_order])


def row_values(row: Sequence, parts: tuple[Columns, ...]) -> list:
    """The converted values of a row selected as several models' ``Columns``, one after another."""
    out = list(row)
    for i, col, converters in _converters_of(parts):
        value = out[i]
        for convert in converters:
            value = convert(value, col, connection)
        out[i] = value
    return out


@cache
def _converters_of(parts: tuple[Columns, ...]) -> list:
    out, start = [], 0
    for part in parts:
        out += [(start + i, col, converters) for i, col, converters in part._converters_now()]
        start += part.width
    return out


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence = ()) -> int:
    """Run a statement that returns no rows (an UPDATE); returns the rows it changed."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert(*objs: Model, along: tuple[str, str, list] | None = None) -> None:
    """Save new instances of one model with a single INSERT, as ``Model.save()`` / ``bulk_create``
    would (fields' ``pre_save`` and ``get_db_prep_save``, the generated keys set on the
    instances), without compiling the statement on every call. For the hot write paths only:
    it sends no model signals (the project uses none) and calls no overridden ``save()``, so
    the model's own checks for a new row must hold already (an append-only model's "no
    update" guard does: these are new rows).

    ``along``: ``(name, statement, parameters)`` of a data-modifying statement to run with the
    insert, e.g. moving the audit chain head: on PostgreSQL a ``WITH`` part of the same statement
    (one round trip), elsewhere a statement of its own right after.
    """
    model = type(objs[0])
    fields, statement, returning = _insert_sql(model, len(objs))
    params = []
    together = along is not None and connection.vendor == "postgresql"
    if together:
        name, text, values = along
        statement = f"WITH {name} AS ({text}) {statement}"
        params += values
    for obj in objs:
        if type(obj) is not model or obj.pk is not None or not obj._state.adding:
            raise ValueError("sql.insert takes new instances of one model, without a primary key")
        obj._prepare_related_fields_for_save(operation_name="save")  # an unsaved related object fails
        params += _insert_params(fields, obj)
    with prepared_cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if along is not None and not together:
        execute(along[1], along[2])
    for obj, row in zip(objs, rows, strict=True):
        for field, value in zip(returning, row, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = connection.alias


def _insert_params(fields: list, obj: Model) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@cache
def _insert_sql(model: type[Model], count: int) -> tuple[list, str, list]:
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    returning = list(meta.db_returning_fields)
    tail, _ = connection.ops.return_insert_columns(returning)
    row = f"({placeholders(len(fields))})"
    statement = (
        f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608 (identifiers from model metadata)
        f" VALUES {', '.join([row] * count)} {tail}"
    )
    return fields, statement, returning


def update(model: type[Model], pk, values: dict, *, where: dict | None = None) -> int:
    """``UPDATE`` the row ``pk`` (and only while its ``where`` fields hold those values) with plain
    ``values`` (a related instance stands for its key), prepared as ``QuerySet.update`` would;
    returns the rows changed. The statement is written once per model and set of names."""
    where = where or {}
    statement, set_fields, where_fields = _update_sql(model, tuple(values), tuple(where))
    params = []
    for field, value in zip(set_fields, values.values(), strict=True):
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"sql.update takes plain values, not {value!r}: use QuerySet.update")
        if isinstance(value, Model):
            value = value.pk
        params.append(field.get_db_prep_save(value, connection))
    params += [f.get_db_prep_value(v, connection) for f, v in zip(where_fields, where.values(), strict=True)]
    return execute(statement, [*params, model._meta.pk.get_db_prep_value(pk, connection)])


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], where: tuple[str, ...]) -> tuple[str, list, list]:
    meta = model._meta
    set_fields = [meta.get_field(n) for n in names]
    where_fields = [meta.get_field(n) for n in where]
    conditions = [f"{quote(f.column)} = %s" for f in where_fields] + [f"{quote(meta.pk.column)} = %s"]
    statement = (
        f"UPDATE {table(model)} SET {', '.join(f'{quote(f.column)} = %s' for f in set_fields)}"  # noqa: S608 (identifiers from model metadata)
        f" WHERE {' AND '.join(conditions)}"
    )
    return statement, set_fields, where_fields


def built(model: type[Model], **values) -> Model:
    """``model(**values)`` — the same new instance — without ``Model.__init__``'s per-field work.

    For rows built on every hot call (an award builds five): values by field attname or, for a
    forward foreign key, by name with the related object (cached on the instance, as the
    descriptor does); the other fields get their defaults. Anything else — an unknown keyword,
    a related object of the wrong type or on a one-to-one field, a model with ``pre_init`` /
    ``post_init`` receivers — goes through ``model(**values)`` itself.
    """
    spec = _built_spec(model)
    if spec is None or not values.keys() <= spec.keywords:
        return model(**values)
    for name in values.keys() & spec.relations.keys():
        field = spec.relations[name]
        value = values[name]
        if value is not None and (field.one_to_one or not isinstance(value, field.remote_field.model)):
            return model(**values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    fields = obj.__dict__
    for attname, name, related, default in spec.fields:
        if attname in values:
            fields[attname] = values[attname]
        elif related is not None and name in values:
            value = values[name]
            state.fields_cache[name] = value
            if value is None:
                fields[attname] = None
                continue
            fields[attname] = getattr(value, related.target_field.attname)
            if state.db is None:  # as the descriptor does when it is given an object
                state.db = router.db_for_write(model, instance=value)
        else:
            fields[attname] = default()
    return obj


class _BuiltSpec(NamedTuple):
    fields: list  # (attname, name, forward relation or None, default getter)
    keywords: frozenset
    relations: dict


@cache
def _built_spec(model: type[Model]) -> _BuiltSpec | None:
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return None
    fields, relations = [], {}
    for f in model._meta.concrete_fields:
        related = f if f.many_to_one or f.one_to_one else None  # a forward relation
        if related is not None:
            relations[f.name] = f
        fields.append((f.attname, f.name, related, f.get_default))
    keywords = frozenset(a for a, _, _, _ in fields) | frozenset(relations)
    return _BuiltSpec(fields, keywords, relations)


def serial_sequences(*models) -> list[str]:
    """(table, key column) of each model, the parameters of ``nextval(pg_get_serial_sequence(%s, %s))``."""
    return [p for model in models for p in (model._meta.db_table, model._meta.pk.column)]


def set_related(instance: Model, field: str, value) -> None:
    """Cache a foreign key's object on ``instance``, as ``select_related`` does."""
    instance._meta.get_field(field).set_cached_value(instance, value)


def insert_row(obj: Model, *, json_sql: str = "%s", using: str = "") -> tuple[str, list]:
    """PostgreSQL: ``INSERT`` of an instance whose primary key is already drawn, the whole row as
    one JSON parameter that the server reads with its own record input (``jsonb_populate_record``).

    A statement that writes several rows this way stays short, with a parameter per row: psycopg
    caches its conversion and the server keeps it prepared (a statement of over 50 parameters or
    4 KB of text is converted afresh on every execution). The values are the instance's own
    (defaults set when it was built); fields whose database form differs from their JSON form are
    refused when the model is first used here. Times keep their microseconds (an audit entry's
    hash covers them).

    ``json_sql``: an SQL expression of the JSON text (``%s``), e.g. one that fills in values the
    statement itself finds, from the rows of ``using`` (a ``FROM`` item: no row there, no insert).
    """
    assert obj.pk is not None, "draw the primary key first (nextval)"
    name, columns = _row_columns(type(obj))
    row = {column: getattr(obj, attname) for column, attname in columns}
    source = f"{using}, " if using else ""
    statement = f"INSERT INTO {name} SELECT r.* FROM {source}jsonb_populate_record(NULL::{name}, ({json_sql})::jsonb) r"  # noqa: S608 (identifiers from model metadata)
    return statement, [json.dumps(row, default=_json_value, ensure_ascii=False)]


# Field types whose Python value is what the database stores, once in JSON (text, numbers, booleans,
# ISO dates and times, JSON itself, keys of related rows).
_PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "DateTimeField", "ForeignKey", "GenericIPAddressField", "IntegerField", "JSONField",
    "OneToOneField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
    "TextField",
}  # fmt: skip


@cache
def _row_columns(model: type[Model]) -> tuple[str, list[tuple[str, str]]]:
    fields = model._meta.concrete_fields
    odd = [f.name for f in fields if f.get_internal_type() not in _PLAIN or getattr(f, "auto_now", False)]
    if odd:
        raise TypeError(f"insert_row cannot write {model.__name__}.{', '.join(odd)} as plain JSON")
    return table(model), [(f.column, f.attname) for f in fields]


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"no JSON form for {type(value).__name__}")


@contextmanager
def prepared_cursor():
    """A cursor whose statements PostgreSQL parses and plans once per connection, then reuses.

    Django's PostgreSQL cursors bind parameters on the client: every execution sends the whole
    text and the server parses and plans it anew, which for a long ``WITH`` statement costs more
    than running it. This cursor binds on the server and has psycopg prepare each statement on
    the connection the first time (psycopg keeps the last hundred). Queries still pass through
    Django's wrapper, so they are logged and counted like any other. PostgreSQL only; elsewhere
    it is the ordinary cursor.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns preparing off for the connection, which also ignores an explicit
        # ``prepare=True``; its own cursors bind on the client and never prepare whatever this says.
        connection.connection.prepare_threshold = 5
    raw = _preparing_cursor_class()(connection.connection)
    wrapped = _LoggedAsWritten(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    try:
        yield wrapped
    finally:
        raw.close()


class _LoggedAsWritten(CursorDebugWrapper):
    """Logs a statement as written: a prepared statement's execution has no text of its own."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@cache
def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

    return PreparingCursor
