"""Reference data in the admin (system administrator): the platform list. The rest of the rider
pass is run from its own pages, where every change is scoped and audited."""

from django.contrib import admin

from .models import Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "active", "order")
    list_editable = ("active", "order")
    search_fields = ("name", "code")
