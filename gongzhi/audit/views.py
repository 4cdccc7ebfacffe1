"""The audit log page, for audit administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import audit_entry_list


@login_required
def audit_list_view(request):
    if not request.user.access.has("audit.view"):
        raise PermissionDenied
    qs = audit_entry_list(viewer=request.user, action=request.GET.get("action", "")[:60])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
