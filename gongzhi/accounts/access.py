"""The permission resolver: ``Access(user)`` loads a user's active memberships once and answers
"may this user do P?" and "where may this user do P?" (a ``Scope``, turned into a filter by
``gongzhi.areas.scoping.ScopedQuerySet.visible_to``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.areas.models import prefix_of
from gongzhi.areas.scoping import Scope

from .roles import STAFF_ROLES, DataScope, roles_with


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
                self._memberships = list(
                    self.user.memberships.active()
                    .select_related("area", "organisation")
                    .prefetch_related("scope_areas")
                )
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
