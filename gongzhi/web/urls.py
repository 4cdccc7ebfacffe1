from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("layout/", views.layout_view, name="layout"),
    path("healthz", views.healthz_view, name="healthz"),
]
