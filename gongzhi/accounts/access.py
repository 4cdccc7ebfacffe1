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
def membership_parts() -> tuple[sql.Columns, sql.Columns, sql.Columns]:
    """The columns of a membership, its area and its organisation, in the order they are read."""
    from .models import Membership

    return sql.Columns(Membership), sql.Columns(Area), sql.Columns(Organisation)


def membership_in_force() -> str:
    """SQL: the membership row is in force (``MembershipQuerySet.active``); one parameter, now."""
    from .models import Membership

    valid_until = sql.column(Membership, "valid_until")
    return f"({valid_until} IS NULL OR {valid_until} > %s)"


def membership_joins(user_id: str) -> str:
    """``LEFT JOIN`` the memberships in force of the user whose id is the SQL ``user_id``, with
    their areas and organisations; takes one parameter, the time now. The one place that says
    "a user's memberships" in SQL, for the statements that read them with something else."""
    from .models import Membership

    m, a, o, c = Membership, Area, Organisation, sql.column
    return (
        f" LEFT JOIN {sql.table(m)} ON {c(m, 'user')} = {user_id} AND {membership_in_force()}"
        f" LEFT JOIN {sql.table(a)} ON {c(a, 'code')} = {c(m, 'area')}"
        f" LEFT JOIN {sql.table(o)} ON {c(o, 'id')} = {c(m, 'organisation')}"
    )


def memberships_from(rows, start: int = 0) -> list:
    """The memberships in rows selected with ``membership_parts()`` from ``start`` (none where
    the LEFT JOIN found none), each with its area and organisation; the listed areas of an
    ``AREAS`` data scope are fetched for the memberships that have one."""
    m, a, o = membership_parts()
    out = []
    for row in rows:
        membership = m.instance(row, start)
        if membership is None:
            continue
        sql.set_related(membership, "area", a.instance(row, start + m.width))
        sql.set_related(membership, "organisation", o.instance(row, start + m.width + a.width))
        out.append(membership)
    listed = [x for x in out if x.data_scope == DataScope.AREAS]
    if listed:
        prefetch_related_objects(listed, "scope_areas")
    return out


@cache
def _memberships_sql() -> str:
    from .models import User

    return (
        f"SELECT {', '.join(p.sql for p in membership_parts())} FROM {sql.table(User)}"  # noqa: S608 (identifiers from model metadata)
        f"{membership_joins(sql.column(User, 'id'))}"
        f" WHERE {sql.column(User, 'id')} = %s ORDER BY {sql.column(membership_parts()[0].model, 'id')}"
    )


def active_memberships(user) -> list:
    """The user's memberships in force, each with its area and organisation (one statement).

    Every authenticated request asks for these, so the statement is written once (see
    ``gongzhi.core.sql``); an API request reads them with its token (``api_token_authenticate``).
    """
    return memberships_from(sql.fetch(_memberships_sql(), [sql.moment(timezone.now()), user.pk]))


class Access:
    def __init__(self, user) -> None:
        self.user = user
        self._memberships: list | None = None

    @classmethod
    def attach(cls, user, memberships: list) -> Access:
        """Give ``user`` its resolver with the memberships in force the caller has just read
        (``user.access`` then asks the database no more)."""
        access = cls(user)
        access._memberships = memberships
        user._access = access
        return access

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
