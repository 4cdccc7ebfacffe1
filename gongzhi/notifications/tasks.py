"""Sending notifications out through the configured channels, after the writing transaction."""

from __future__ import annotations

import logging

from django_tasks import task

from .channels import active_channels
from .models import Delivery, Notification

logger = logging.getLogger("gongzhi.notifications")


@task()
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Hand each notification to every channel; one failing channel never stops the others."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    channels = active_channels()
    if not channels:
        return counts
    deliveries = []
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        for channel in channels:
            try:
                outcome = channel.send(notification)
                status, detail = outcome.status, outcome.detail
            except Exception as exc:  # noqa: BLE001 - a gateway error is recorded, not raised
                logger.warning(
                    "channel %s failed for notification %s: %s", channel.name, notification.pk, exc
                )
                status, detail = Delivery.Status.FAILED, str(exc)[:200]
            counts[status] += 1
            deliveries.append(
                Delivery(notification=notification, channel=channel.name, status=status, detail=detail)
            )
    Delivery.objects.bulk_create(deliveries)
    return counts
