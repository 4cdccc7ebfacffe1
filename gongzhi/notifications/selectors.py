"""Reads of the notification centre: always the viewer's own mailbox."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from .models import Notification


def notification_list(*, viewer, unread_only: bool = False):
    qs = Notification.objects.visible_to(viewer)
    if unread_only:
        qs = qs.unread()
    return qs.order_by("-created_at", "-id")


def notification_unread(*, viewer):
    """The viewer's unread messages (what the menu's bell counts)."""
    return Notification.objects.visible_to(viewer).unread()


def notification_unread_count(*, viewer) -> int:
    return notification_unread(viewer=viewer).count()


def notification_get(*, viewer, pk: int) -> Notification:
    return get_object_or_404(Notification.objects.visible_to(viewer), pk=pk)
