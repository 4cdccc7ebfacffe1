from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("", views.catalogue_view, name="catalogue"),
    path("order/", views.order_view, name="order"),
    path("queue/", views.queue_view, name="queue"),
    path("queue/<int:ticket_id>/dispatch/", views.dispatch_view, name="dispatch"),
    path("queue/plan/", views.plan_view, name="plan"),
    path("queue/dispatch-all/", views.dispatch_all_view, name="dispatch_all"),
    path("lists/", views.lists_view, name="lists"),
    path("needs/", views.need_list_view, name="needs"),
    path("needs/new/", views.need_create_view, name="need_create"),
    path("needs/<int:need_id>/", views.need_edit_view, name="need_edit"),
    path("resources/", views.resource_list_view, name="resources"),
    path("resources/new/", views.resource_create_view, name="resource_create"),
    path("resources/<int:resource_id>/", views.resource_edit_view, name="resource_edit"),
    path("offerings/", views.offering_list_view, name="offerings"),
    path("offerings/new/", views.offering_create_view, name="offering_create"),
    path("offerings/<int:offering_id>/", views.offering_edit_view, name="offering_edit"),
    path("<slug:list_name>/export.xlsx", views.list_export_view, name="export"),
    path("<slug:list_name>/import/", views.list_import_view, name="import"),
]
