from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("mine/", views.ticket_mine_view, name="mine"),
    path("offers/", views.ticket_offers_view, name="offers"),
    path("jobs/", views.ticket_jobs_view, name="jobs"),
    path("overdue/", views.ticket_overdue_view, name="overdue"),
    path("escalated/", views.ticket_escalated_view, name="escalated"),
    path("figures/", views.figures_view, name="figures"),
    path("follow-ups/", views.follow_up_list_view, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_record_view, name="follow_up_record"),
    path("routing/", views.routing_rule_list_view, name="routing"),
    path("routing/<int:rule_id>/toggle/", views.routing_rule_toggle_view, name="routing_toggle"),
    path("photos/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("<int:ticket_id>/", views.ticket_detail_view, name="detail"),
    path("<int:ticket_id>/<slug:action>/", views.ticket_act_view, name="act"),
]
