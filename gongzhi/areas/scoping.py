"""Area scoping, written once: what a viewer may see is a filter on an area-code column.

``Scope`` is the union of a user's memberships for one permission (computed by
``gongzhi.accounts.access.Access``). ``ScopedQuerySet.visible_to(viewer)`` turns it into a filter;
every selector starts from it, and single objects come through ``get_visible_or_404`` so that
"not yours" and "does not exist" look the same (Zulip's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.http import Http404

from .models import subtree_q


@dataclass(frozen=True)
class Scope:
    """Where a permission applies: the union of the memberships that grant it."""

    everything: bool = False
    subtrees: frozenset[str] = field(default_factory=frozenset)  # area prefixes, descendants included
    exact: frozenset[str] = field(default_factory=frozenset)  # area codes, that node only
    own_records: bool = False

    @property
    def empty(self) -> bool:
        return not (self.everything or self.subtrees or self.exact or self.own_records)

    def covers_area(self, code: str | None) -> bool:
        if self.everything:
            return True
        if not code:
            return False
        return code in self.exact or any(code.startswith(p) for p in self.subtrees)

    def q(self, area_field: str, owner_field: str | None, user) -> Q:
        """A filter for rows whose ``area_field`` (a code column) lies in this scope."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for prefix in sorted(_collapse(self.subtrees)):
            q |= subtree_q(area_field, prefix)
        if self.exact:
            q |= Q(**{f"{area_field}__in": sorted(self.exact)})
        if self.own_records and owner_field and user is not None and user.pk:
            q |= Q(**{owner_field: user.pk})
        return q


def _collapse(prefixes: frozenset[str]) -> set[str]:
    """Drop prefixes already covered by a shorter one, so the SQL has no redundant ranges."""
    kept: set[str] = set()
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.add(p)
    return kept


class ScopedQuerySet(models.QuerySet):
    """Base for every model that belongs to an area. Subclasses name their fields and permission."""

    area_field = "area_id"  # column holding the area code
    owner_field: str | None = None  # column of the user a row belongs to, for "own records" scopes
    view_permission: str = ""

    def visible_to(self, viewer, permission: str | None = None):
        permission = permission or self.view_permission
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return self.none()
        scope = viewer.access.scope(permission)
        if scope.empty:
            return self.none()
        return self.filter(scope.q(self.area_field, self.owner_field, viewer))


def get_visible_or_404(queryset: ScopedQuerySet, viewer, permission: str | None = None, **lookup):
    """One object the viewer may see, or 404 whether it is missing or merely not theirs."""
    try:
        return queryset.visible_to(viewer, permission).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
