from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.report_view, name="report"),
    path("mine/", views.mine_view, name="mine"),
    path("list/", views.list_view, name="list"),
    path("figures/", views.figures_view, name="figures"),
    path("<int:ticket_id>/", views.detail_view, name="detail"),
    path("<int:ticket_id>/assess/", views.assess_view, name="assess"),
    path("<int:ticket_id>/reinspect/", views.reinspect_view, name="reinspect"),
]
