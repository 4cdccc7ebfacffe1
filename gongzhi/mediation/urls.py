from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("", views.dispute_new_view, name="dispute_new"),
    path("complaint/", views.complaint_new_view, name="complaint_new"),
    path("mine/", views.mine_view, name="mine"),
    path("figures/", views.figures_view, name="figures"),
    path("disputes/", views.dispute_list_view, name="disputes"),
    path("disputes/<int:ticket_id>/", views.dispute_detail_view, name="dispute"),
    path("disputes/<int:ticket_id>/assign/", views.dispute_assign_view, name="dispute_assign"),
    path("disputes/<int:ticket_id>/accept/", views.dispute_accept_view, name="dispute_accept"),
    path("disputes/<int:ticket_id>/sessions/", views.session_view, name="session"),
    path("disputes/<int:ticket_id>/conclude/", views.dispute_conclude_view, name="dispute_conclude"),
    path(
        "disputes/<int:ticket_id>/parties/<int:party_id>/reveal/",
        views.party_reveal_view,
        name="party_reveal",
    ),
    path("complaints/", views.complaint_list_view, name="complaints"),
    path("complaints/<int:ticket_id>/", views.complaint_detail_view, name="complaint"),
    path("complaints/<int:ticket_id>/assign/", views.complaint_assign_view, name="complaint_assign"),
    path("complaints/<int:ticket_id>/accept/", views.complaint_accept_view, name="complaint_accept"),
    path("complaints/<int:ticket_id>/conclude/", views.complaint_conclude_view, name="complaint_conclude"),
]
