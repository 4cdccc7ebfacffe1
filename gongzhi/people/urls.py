from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("new/", views.person_create_view, name="create"),
    path("export.xlsx", views.person_export_view, name="export"),
    path("<int:person_id>/", views.person_detail_view, name="detail"),
    path("<int:person_id>/reveal/", views.person_reveal_view, name="reveal"),
    path("<int:person_id>/edit/", views.person_edit_view, name="edit"),
    path("<int:person_id>/consents/new/", views.consent_create_view, name="consent_create"),
    path(
        "<int:person_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]
