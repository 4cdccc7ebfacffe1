from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [path("", views.organisation_list_view, name="list")]
