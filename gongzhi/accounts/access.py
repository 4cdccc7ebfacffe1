"""The permission resolver: ``Access(user)`` loads a user's active memberships once and answers
"may this user do P?" and "where may this user do P?" (a ``Scope``, turned into a filter by
``gongzhi.areas.scoping.ScopedQuerySet.visible_to``)."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.utils import timezone

from gongzhi.areas.models import Area, prefix_of
from gongzhi.areas.scoping import Scope
from gongzhi.core import sql
from gongzhi.directory.models import Organisation

from .roles import STAFF_ROLES, DataScope, roles_with


@cache
def _memberships_sql() -> tuple[str, tuple[sql.Columns, sql.Columns, sql.Columns]]:
    from .models import Membership

    m, a, o, c = Membership, Area, Organisation, sql.column
    parts = (sql.Columns(m), sql.Columns(a), sql.Columns(o))
    statement = (
        f"SELECT {', '.join(p.sql for p in parts)} FROM {sql.table(m)}"  # noqa: S608 (identifiers from model metadata)
        f" JOIN {sql.table(a)} ON {c(a, 'code')} = {c(m, 'area')}"
        f" LEFT JOIN {sql.table(o)} ON {c(o, 'id')} = {c(m, 'organisation')}"
        f" WHERE {c(m, 'user')} = %s AND ({c(m, 'valid_until')} IS NULL OR {c(m, 'valid_until')} > %s)"
        f" ORDER BY {c(m, 'id')}"
    )
    return statement, parts


def active_memberships(user) -> list:
    """The user's memberships in force, each with its area and organisation (one statement).

    Every authenticated request asks for these, so the statement is written once (see
    ``gongzhi.core.sql``); the listed areas of an ``AREAS`` data scope are fetched only for the
    memberships that have one.
    """
    statement, (m, a, o) = _memberships_sql()
    out = []
    for row in sql.fetch(statement, [user.pk, timezone.now()]):
        membership = m.instance(row)
        sql.set_related(membership, "area", a.instance(row, m.width))
        sql.set_related(membership, "organisation", o.instance(row, m.width + a.width))
        out.append(membership)
    listed = [x for x in out if x.data_scope == DataScope.AREAS]
    if listed:
        prefetch_related_objects(listed, "scope_areas")
    return out


class Access:
    def __init__(self, user) -> None:
        self.user = user
        self._memberships: list | None = None

    @property
    def memberships(self) -> list:
        if self._memberships is None:
            if not getattr(self.user, "is_authenticated", False) or not self.user.is_active:
                self._memberships = []
            else:
                self._memberships = active_memberships(self.user)
        return self._memberships

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_staff_role(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def has(self, permission: str) -> bool:
        return bool(self.roles & roles_with(permission))

    def scope(self, permission: str) -> Scope:
        holders = roles_with(permission)
        everything = False
        subtrees: set[str] = set()
        exact: set[str] = set()
        own = False
        for m in self.memberships:
            if m.role not in holders:
                continue
            if m.data_scope == DataScope.ALL:
                everything = True
            elif m.data_scope == DataScope.OWN_AREA_AND_BELOW:
                subtrees.add(prefix_of(m.area_id, m.area.level))
            elif m.data_scope == DataScope.OWN_AREA:
                exact.add(m.area_id)
            elif m.data_scope == DataScope.AREAS:
                subtrees.update(prefix_of(a.code, a.level) for a in m.scope_areas.all())
            elif m.data_scope == DataScope.OWN_RECORDS:
                own = True
        return Scope(everything, frozenset(subtrees), frozenset(exact), own)

    def require(self, *permissions: str) -> None:
        """Refuse (PermissionDenied, a 403 page or problem) unless the user holds one of them."""
        if not any(self.has(p) for p in permissions):
            raise PermissionDenied

    def can(self, permission: str, area_code: str | None = None) -> bool:
        """May the user do ``permission`` — anywhere, or in the given area?"""
        if area_code is None:
            return self.has(permission)
        return self.scope(permission).covers_area(area_code)

    def home_area(self):
        """The narrowest-level area among the memberships, for defaults on forms."""
        areas = [m.area for m in self.memberships]
        return max(areas, key=lambda a: len(a.prefix), default=None)

    def organisations(self) -> list:
        return [m.organisation for m in self.memberships if m.organisation_id]
