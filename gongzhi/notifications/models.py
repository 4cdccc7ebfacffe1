"""The notification centre: one row per message to one user, read in the app and sent out through
the configured channels (console by default; SMS and WeChat template messages when set up)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        """A user's own messages, never anyone else's (there is no area scope for a mailbox)."""
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=viewer.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)  # e.g. "ticket.offered", "need.matched"
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("message"), max_length=500, blank=True, default="")
    url = models.CharField(_("link"), max_length=200, blank=True, default="")
    source_type = models.CharField(max_length=60, blank=True, default="")
    source_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread badge and the list: both walk one user's newest messages.
            models.Index(fields=["user", "read_at", "created_at"], name="notif_user_unread"),
            models.Index(fields=["user", "created_at"], name="notif_user_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ChannelAddress(models.Model):
    """Where a user is reached on a channel that the account itself does not know (a WeChat openid)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="channel_addresses")
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("channel address")
        verbose_name_plural = _("channel addresses")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channel_address_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"


class Delivery(models.Model):
    """One attempt to send a notification through one outward channel, for the operator's record."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
