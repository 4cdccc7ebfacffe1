from django.urls import path

app_name = "volunteering"
urlpatterns: list = []
