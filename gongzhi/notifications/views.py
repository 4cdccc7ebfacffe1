"""The notification centre page: my messages, newest first; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def notification_list_view(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(viewer=request.user, unread_only=unread_only), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.notification_unread_count(viewer=request.user),
        },
    )


@login_required
@require_POST
def notification_open_view(request, notification_id: int):
    notification = selectors.notification_get(viewer=request.user, pk=notification_id)
    services.notification_mark_read(viewer=request.user, notification_id=notification.pk)
    target = notification.url or "notifications:list"
    if notification.url and not url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        target = "notifications:list"
    return redirect(target)


@login_required
@require_POST
def notification_read_all_view(request):
    services.notification_mark_read(viewer=request.user)
    return redirect("notifications:list")
