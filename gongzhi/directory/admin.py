from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "uscc", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "uscc")
    raw_id_fields = ("area", "parent")
    exclude = ("contact_phone_enc",)
    readonly_fields = ("contact_phone_masked",)
