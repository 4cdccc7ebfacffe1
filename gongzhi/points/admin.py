"""Read-only admin views of the points app, for the system administrator.

Every write goes through the services (audited, checked, in the ledger's own transactions),
so the admin may look but never add, change or delete: a transfer is immutable by design.
"""

from django.contrib import admin

from .models import Account, Award, Budget, EarningRule, Merchant, Nomination, ShopItem, ShopOrder, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "name", "area", "balance", "floor")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "kind",
        "debit",
        "credit",
        "amount",
        "rule_code",
        "source_type",
        "source_id",
    )
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "source_id")
    date_hierarchy = "created_at"


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ("name", "area", "ceiling", "shard_count", "active", "valid_from", "valid_until")


@admin.register(EarningRule)
class EarningRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "area", "points", "daily_cap", "monthly_cap", "budget", "active")
    list_filter = ("active",)


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "rule_code",
        "source_type",
        "source_id",
        "requested",
        "paid",
        "status",
    )
    list_filter = ("status",)


@admin.register(Merchant)
class MerchantAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "area", "status", "joined_at")
    list_filter = ("status",)


@admin.register(ShopItem)
class ShopItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "area", "price", "stock", "active")


@admin.register(ShopOrder)
class ShopOrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "item", "quantity", "points", "status", "created_at")
    list_filter = ("status",)


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("title", "nominee_kind", "display_name", "area", "status", "created_at")
    list_filter = ("status", "nominee_kind")
