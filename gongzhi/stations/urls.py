from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.station_list_view, name="list"),
    path("new/", views.station_create_view, name="create"),
    path("merge/", views.station_merge_view, name="merge"),
    path("functions/", views.function_list_view, name="functions"),
    path("functions/<int:function_id>/", views.function_edit_view, name="function_edit"),
    path("find/", views.finder_view, name="find"),
    path("find/<int:station_id>/", views.finder_detail_view, name="public_detail"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("grids/", views.grid_list_view, name="grids"),
    path("grids/<int:grid_id>/delete/", views.grid_delete_view, name="grid_delete"),
    path("plans/", views.plan_list_view, name="plans"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
    path("plans/<int:run_id>/", views.plan_detail_view, name="plan_detail"),
    path("plans/<int:run_id>/progress/", views.plan_progress_view, name="plan_progress"),
    path("plans/<int:run_id>/plan.xlsx", views.plan_export_view, name="plan_export"),
    path("<int:station_id>/", views.station_detail_view, name="detail"),
    path("<int:station_id>/edit/", views.station_edit_view, name="edit"),
    path("<int:station_id>/hours/", views.station_hours_view, name="hours"),
    path("<int:station_id>/hours/remove/", views.hours_exception_remove_view, name="hours_exception_remove"),
    path("<int:station_id>/photos/", views.photo_add_view, name="photo_add"),
    path("<int:station_id>/photos/<int:photo_id>/remove/", views.photo_remove_view, name="photo_remove"),
    path("<int:station_id>/close/", views.station_close_view, name="close"),
    path("<int:station_id>/reopen/", views.station_reopen_view, name="reopen"),
]
