from django.urls import path

from . import views

app_name = "sentinel"
urlpatterns = [
    path("", views.report_view, name="report"),
    path("nearby/", views.nearby_view, name="nearby"),
    path("mine/", views.mine_view, name="mine"),
    path("leads/<int:ticket_id>/merge/", views.merge_view, name="merge"),
    path("categories/", views.category_list_view, name="categories"),
    path("categories/new/", views.category_edit_view, name="category_create"),
    path("categories/<int:category_id>/", views.category_edit_view, name="category_edit"),
    path("figures/", views.figures_view, name="figures"),
    path("open311-clients/", views.client_list_view, name="clients"),
    path("open311-clients/<int:client_id>/revoke/", views.client_revoke_view, name="client_revoke"),
]
