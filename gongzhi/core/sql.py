"""Statements written once from the models' metadata, for the few hottest paths.

The ORM builds and compiles every statement anew, which on a busy path costs more than the
database's own work; and each statement is a round trip. A hot path that must send several
writes at once (one PostgreSQL statement of data-modifying ``WITH`` parts, see
``gongzhi.points.services.fast_award``) builds them here from the models' own metadata — table
and column names, and each field's conversion of its value for the database — so a renamed
column or a changed field type cannot drift from what the ORM writes.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], name: str, alias: str | None = None) -> str:
    """``"table"."column"`` of a field (``alias`` instead of the table name when joined twice)."""
    return f"{quote(alias) if alias else table(model)}.{quote(model._meta.get_field(name).column)}"


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def insert_values(obj: Model) -> tuple[str, list]:
    """``INSERT INTO table (columns) VALUES (...)`` for an unsaved instance, with its parameters,
    to be sent as part of a larger statement. Every concrete field is written as ``Model.save``
    would write it (defaults already set on the instance, each value converted by its field);
    the primary key only when it is set."""
    fields = [f for f in obj._meta.concrete_fields if not (f.primary_key and obj.pk is None)]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {table(type(obj))} ({columns}) VALUES ({placeholders(len(fields))})", params  # noqa: S608 (identifiers from model metadata)


def insert_row(obj: Model) -> tuple[str, list]:
    """PostgreSQL: ``INSERT`` of an instance whose primary key is already drawn, the whole row as
    one JSON parameter that the server reads with its own record input (``jsonb_populate_record``).

    A statement that writes several rows this way stays short, with a parameter per row: psycopg
    caches its conversion and the server keeps it prepared (a statement of over 50 parameters or
    4 KB of text is converted afresh on every execution). The values are the instance's own
    (defaults set when it was built); fields whose database form differs from their JSON form are
    refused when the model is first used here. Times keep their microseconds (an audit entry's
    hash covers them).
    """
    assert obj.pk is not None, "draw the primary key first (nextval)"
    name, columns = _row_columns(type(obj))
    row = {column: getattr(obj, attname) for column, attname in columns}
    statement = f"INSERT INTO {name} SELECT * FROM jsonb_populate_record(NULL::{name}, %s::jsonb)"  # noqa: S608 (identifiers from model metadata)
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
