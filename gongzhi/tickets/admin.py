from django.contrib import admin

from .models import RoutingRule, Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the engine's services, which keep the timeline."""

    list_display = ("id", "kind", "category", "title", "area", "state", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("title",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "category", "area", "strategy", "is_active")
    raw_id_fields = ("area", "party_org", "party_user", "created_by")
