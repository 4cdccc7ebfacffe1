"""Reads of accounts data, scoped to the viewer."""

from __future__ import annotations

from django.db.models import Q

from gongzhi.areas.scoping import ScopedQuerySet

from .models import ApiToken, LoginEvent, User


class LoginEventQuerySet(ScopedQuerySet):
    area_field = "area_code"
    owner_field = "user_id"
    view_permission = "loginlog.view"


def api_token_list(*, viewer):
    """Only one's own tokens, whatever one's roles: a token is personal, not area data."""
    return ApiToken.objects.filter(user_id=viewer.pk).order_by("-created_at")


def login_event_list(*, viewer):
    return LoginEventQuerySet(model=LoginEvent).visible_to(viewer).select_related("user").order_by("-at")


def user_list(*, viewer, q: str = ""):
    """Accounts holding a role inside the viewer's user-management scope."""
    scope = viewer.access.scope("users.view")
    if scope.empty:
        return User.objects.none()
    # Accounts that hold no role yet belong to no area: every account manager sees them, to grant one.
    in_scope = scope.q("memberships__area_id", None, viewer) | Q(memberships__isnull=True)
    qs = User.objects.filter(in_scope).distinct().prefetch_related("memberships__area")
    if q:
        qs = qs.filter(name__startswith=q.strip()[:50])
    return qs.order_by("id")
