"""Writing notifications, and marking them read.

``notify`` is called by other apps' services inside their transaction: the rows appear exactly
when the action that caused them commits, and the outward channels are handed the work only after
that commit (a task, so a slow SMS gateway never holds a request). Marking read is not audited: it
is a mailbox flag, not a governance act; the actions that notify are audited where they happen.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gongzhi.core.transactions import service_atomic

from .channels import channel_names
from .models import Notification


@service_atomic  # inside the caller's service: no savepoint of its own (two round trips less)
def notify(
    *,
    users: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    source=None,
) -> list[Notification]:
    """One notification per distinct active user; returns the rows written."""
    seen: set[int] = set()
    rows = []
    source_type = source._meta.label_lower if source is not None else ""
    source_id = str(source.pk) if source is not None else ""
    now = timezone.now()
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                user_id=user.pk,
                kind=kind,
                title=str(title)[:120],
                body=str(body)[:500],
                url=url[:200],
                source_type=source_type,
                source_id=source_id,
                created_at=now,
            )
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    if channel_names():
        ids = [n.pk for n in rows if n.pk]
        if ids:
            from .tasks import deliver_notifications

            transaction.on_commit(lambda: deliver_notifications.enqueue(notification_ids=ids))
    return rows


@transaction.atomic
def notification_mark_read(*, viewer, notification_id: int | None = None) -> int:
    """Mark one of the viewer's notifications read, or all of them; returns how many changed."""
    qs = Notification.objects.visible_to(viewer).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
