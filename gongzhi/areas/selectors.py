"""Reads of the area tree."""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext_lazy as _

from gongzhi.core import sql
from gongzhi.core.errors import field_error

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


def area_required(code, *, field: str = "area_code") -> Area:
    """The area a form or API caller names by its code in ``field``, or a refusal beside it.

    Areas are reference data every signed-in user may name; whether the caller may act there
    is the service's question, not this one's.
    """
    area = area_get(code=str(code or "")[:15])
    if area is None:
        raise field_error(field, _("Unknown area code."), "area.unknown")
    return area


def areas_for_permission(*, viewer, permission: str, levels=(Level.VILLAGE,)):
    """Areas of the given levels where the viewer holds ``permission`` (for form choices)."""
    scope = viewer.access.scope(permission)
    qs = Area.objects.filter(level__in=levels)
    if scope.empty:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(scope.q("code", None, None)).order_by("code")
