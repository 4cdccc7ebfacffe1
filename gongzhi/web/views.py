"""Home pages per role, the layout switch and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.accounts.roles import Role
from gongzhi.core.nav import entries_for, layout_for

from .roles import ROLE_INTRO


@login_required
def home_view(request):
    access = request.user.access
    roles = [r for r in Role if r.value in access.roles]
    layout = layout_for(request.user, request.session.get("gz_layout"))
    sections = [
        {
            "role": r,
            "intro": ROLE_INTRO[r],
            "areas": sorted({m.area.name for m in access.memberships if m.role == r}),
        }
        for r in roles
    ]
    cards = entries_for(request.user, layout)
    return render(request, "web/home.html", {"sections": sections, "cards": cards})


@require_POST
def layout_view(request):
    layout = request.POST.get("layout")
    if layout in ("phone", "workbench"):
        request.session["gz_layout"] = layout
    target = request.POST.get("next") or "/"
    return redirect(
        target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"
    )


def healthz_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
