"""The organisation directory page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .models import OrgKind


@login_required
def organisation_list_view(request):
    if not request.user.access.has("orgs.view"):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    qs = selectors.organisation_list(viewer=request.user, kind=kind, q=request.GET.get("q", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "directory/list.html", {"page": page, "kinds": OrgKind.choices, "kind": kind})
