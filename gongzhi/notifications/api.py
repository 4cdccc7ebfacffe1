"""The notification centre over JSON: my messages, the unread count, marking read."""

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.schemas import Page

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationFilter(Schema):
    unread: bool = False


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(Page)
def notification_list(request, filters: Query[NotificationFilter]):
    return selectors.notification_list(viewer=request.auth, unread_only=filters.unread)


@router.get("/unread-count", response=UnreadOut, summary="How many of my notifications are unread")
def notification_unread_count(request):
    return {"unread": selectors.notification_unread_count(viewer=request.auth)}


@router.post("/{notification_id}/read", response=MarkedOut, summary="Mark one notification read")
def notification_read(request, notification_id: int):
    selectors.notification_get(viewer=request.auth, pk=notification_id)
    return {"marked": services.notification_mark_read(viewer=request.auth, notification_id=notification_id)}


@router.post("/read-all", response=MarkedOut, summary="Mark all my notifications read")
def notification_read_all(request):
    return {"marked": services.notification_mark_read(viewer=request.auth)}
