from django.contrib import admin

from .models import Lead, Open311Client, SentinelCategory


@admin.register(SentinelCategory)
class SentinelCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "deadline_hours", "reward_units", "is_active"]

    def has_add_permission(self, request):  # writes go through the services (audited)
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["ticket", "category", "geohash", "created_at", "merged_into"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "key_prefix", "is_active", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
