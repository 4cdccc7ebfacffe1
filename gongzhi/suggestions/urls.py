from django.urls import path

from . import views

app_name = "suggestions"
urlpatterns = [
    path("", views.submit_view, name="submit"),
    path("mine/", views.mine_view, name="mine"),
    path("adopted/", views.adopted_view, name="adopted"),
    path("list/", views.list_view, name="list"),
    path("figures/", views.figures_view, name="figures"),
    path("<int:ticket_id>/", views.detail_view, name="detail"),
    path("<int:ticket_id>/review/", views.review_view, name="review"),
    path("<int:ticket_id>/decide/", views.decide_view, name="decide"),
]
