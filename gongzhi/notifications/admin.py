from django.contrib import admin

from .models import ChannelAddress, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "user", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("user",)


@admin.register(ChannelAddress)
class ChannelAddressAdmin(admin.ModelAdmin):
    list_display = ("user", "channel", "created_at")
    raw_id_fields = ("user",)
