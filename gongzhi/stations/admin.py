from django.contrib import admin

from .models import PlanRun, PopulationGrid, Station, StationFunction


@admin.register(StationFunction)
class StationFunctionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "is_active")
    list_editable = ("order", "is_active")


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "status", "merged_into")
    list_filter = ("status",)
    search_fields = ("name", "address")
    raw_id_fields = ("area", "merged_into", "created_by")
    filter_horizontal = ("functions",)
    readonly_fields = ("status", "merged_into", "status_changed_at")


@admin.register(PopulationGrid)
class PopulationGridAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "point_count", "total_weight", "created_at")
    raw_id_fields = ("area", "created_by")


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "area", "model", "status", "solve_status", "objective", "gap", "created_at")
    list_filter = ("model", "status")
    raw_id_fields = ("area", "created_by")
    exclude = ("inputs", "result")
