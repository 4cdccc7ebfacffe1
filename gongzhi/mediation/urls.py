from django.urls import path

from . import views
from .policy import COMPLAINT, DISPUTE

app_name = "mediation"
urlpatterns = [
    path("", views.dispute_new_view, name="dispute_new"),
    path("complaint/", views.complaint_new_view, name="complaint_new"),
    path("mine/", views.mine_view, name="mine"),
    path("figures/", views.figures_view, name="figures"),
    path("disputes/<int:ticket_id>/sessions/", views.session_view, name="session"),
    path(
        "disputes/<int:ticket_id>/parties/<int:party_id>/reveal/",
        views.party_reveal_view,
        name="party_reveal",
    ),
]
# The case pages and actions both kinds share: /disputes/… and /complaints/….
for kind, name in ((DISPUTE, "dispute"), (COMPLAINT, "complaint")):
    urlpatterns += [
        path(f"{name}s/", views.case_list_view, {"kind": kind}, name=f"{name}s"),
        path(f"{name}s/<int:ticket_id>/", views.case_detail_view, {"kind": kind}, name=name),
        path(
            f"{name}s/<int:ticket_id>/assign/", views.case_assign_view, {"kind": kind}, name=f"{name}_assign"
        ),
        path(
            f"{name}s/<int:ticket_id>/accept/", views.case_accept_view, {"kind": kind}, name=f"{name}_accept"
        ),
        path(
            f"{name}s/<int:ticket_id>/conclude/",
            views.case_conclude_view,
            {"kind": kind},
            name=f"{name}_conclude",
        ),
    ]
