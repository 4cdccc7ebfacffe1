"""Reads of the area tree."""

from __future__ import annotations

from functools import cache

from gongzhi.core import sql

from .models import Area, Level


@cache
def _area_sql() -> tuple[str, sql.Columns]:
    columns = sql.Columns(Area)
    return f"SELECT {columns.sql} FROM {sql.table(Area)} WHERE {sql.column(Area, 'code')} = %s", columns  # noqa: S608 (identifiers from model metadata)


def area_get(*, code: str) -> Area | None:
    """The area with this code, or None. Read afresh each time (names and boundaries are edited
    in the admin), as a statement written once: every submission through the API looks one up."""
    statement, columns = _area_sql()
    rows = sql.fetch(statement, [code])
    return columns.instance(rows[0]) if rows else None


def areas_for_permission(*, viewer, permission: str, levels=(Level.VILLAGE,)):
    """Areas of the given levels where the viewer holds ``permission`` (for form choices)."""
    scope = viewer.access.scope(permission)
    qs = Area.objects.filter(level__in=levels)
    if scope.empty:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(scope.q("code", None, None)).order_by("code")
