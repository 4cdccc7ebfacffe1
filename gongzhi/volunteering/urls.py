from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.activity_board_view, name="board"),
    path("me/", views.me_view, name="me"),
    path("me/code/", views.my_code_view, name="my_code"),
    path("register/", views.self_register_view, name="register"),
    path("activities/<int:activity_id>/", views.activity_public_view, name="activity"),
    path("activities/<int:activity_id>/signup/", views.signup_view, name="signup"),
    path("activities/<int:activity_id>/cancel/", views.cancel_view, name="cancel"),
    path("activities/<int:activity_id>/participate/", views.participate_view, name="participate"),
    path("scan/<str:token>/", views.scan_view, name="scan"),
    path("certificates/<int:certificate_id>.pdf", views.certificate_pdf_view, name="certificate_pdf"),
    path("verify/", views.verify_view, name="verify"),
    path("manage/", views.manage_list_view, name="manage"),
    path("manage/new/", views.manage_create_view, name="manage_create"),
    path("manage/<int:activity_id>/", views.manage_detail_view, name="manage_detail"),
    path("manage/<int:activity_id>/qr/", views.manage_qr_view, name="manage_qr"),
    path("manage/<int:activity_id>/served/", views.served_view, name="served"),
    path("manage/<int:activity_id>/scan-code/", views.scan_code_view, name="scan_code"),
    path("manage/signups/<int:signup_id>/approve/", views.approve_view, name="approve"),
    path("volunteers/", views.volunteer_list_view, name="volunteers"),
    path("volunteers/new/", views.volunteer_register_view, name="volunteer_register"),
    path("volunteers/<int:volunteer_id>/", views.volunteer_detail_view, name="volunteer"),
    path(
        "volunteers/<int:volunteer_id>/certificate/", views.certificate_issue_view, name="certificate_issue"
    ),
    path("pairings/", views.pairing_list_view, name="pairings"),
    path("pairings/suggest/", views.suggest_view, name="suggest"),
    path("pairings/pair/", views.pair_view, name="pair"),
    path("pairings/<int:pairing_id>/visits/", views.visit_view, name="visit"),
    path("pairings/coverage/", views.coverage_view, name="coverage"),
    path("pairings/photos/<int:photo_id>/", views.visit_photo_view, name="visit_photo"),
    path("figures/", views.figures_view, name="figures"),
]
