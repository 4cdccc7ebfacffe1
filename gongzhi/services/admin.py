from django.contrib import admin

from .models import Need, Resource, ServiceOffering


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "area", "subject", "urgency", "status")
    list_filter = ("category", "status", "urgency")
    search_fields = ("title",)
    raw_id_fields = ("area", "person", "created_by")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "capacity", "is_available", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("area", "organisation", "user", "created_by")
    exclude = ("contact_phone_enc",)
    readonly_fields = ("contact_phone_masked",)


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "provider", "area", "is_free", "is_active")
    list_filter = ("category", "is_active", "is_free")
    search_fields = ("title",)
    raw_id_fields = ("area", "provider", "created_by")
