from django.contrib import admin

from .models import Activity, Certificate, PairType, Team, Volunteer


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "organisation")
    search_fields = ("name",)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "area", "team")
    search_fields = ("number", "name")
    readonly_fields = ("number", "user", "person", "mobile_masked")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "area", "starts_at", "volunteer_capacity", "served")
    list_filter = ("category",)


@admin.register(PairType)
class PairTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "person_tag", "visit_every_days", "needs_consent")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "volunteer", "hours", "issued_on")
    readonly_fields = [f.name for f in Certificate._meta.fields]
