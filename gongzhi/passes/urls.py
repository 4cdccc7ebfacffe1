from django.urls import path

from . import views

app_name = "passes"
urlpatterns = [
    # What the QR code carries: any phone camera opens it. <path:> so that garbage with slashes
    # still reaches the check and gets a clear red page rather than a bare 404.
    path("p/<str:token>/photo.jpg", views.check_photo_view, name="check_photo"),
    path("p/<path:token>", views.check_view, name="check"),
    path("passes/my/", views.my_pass_view, name="mine"),
    path("passes/my/card/", views.my_pass_card_view, name="card"),
    path("passes/my/register/", views.register_view, name="register"),
    path("passes/my/insurance/", views.my_insurance_view, name="my_insurance"),
    path("passes/sw.js", views.service_worker_view, name="service_worker"),
    path("passes/gate/", views.gate_view, name="gate"),
    path("passes/riders/", views.rider_list_view, name="riders"),
    path("passes/riders/<int:rider_id>/", views.rider_detail_view, name="rider"),
    path("passes/riders/<int:rider_id>/photo.jpg", views.rider_photo_view, name="rider_photo"),
    path("passes/riders/<int:rider_id>/status/", views.rider_status_view, name="rider_status"),
    path("passes/riders/<int:rider_id>/revoke/", views.rider_revoke_view, name="rider_revoke"),
    path("passes/riders/<int:rider_id>/insurance/", views.rider_insurance_view, name="rider_insurance"),
    path("passes/riders/<int:rider_id>/documents/", views.rider_document_view, name="rider_document"),
    path("passes/documents/<int:document_id>/", views.document_view, name="document"),
    path("passes/communities/", views.community_list_view, name="communities"),
    path("passes/communities/<str:area_code>/", views.community_edit_view, name="community"),
    path("passes/gates/<int:gate_id>/", views.gate_edit_view, name="gate_edit"),
    path("passes/scans/", views.event_list_view, name="events"),
    path("passes/figures/", views.figures_view, name="figures"),
    path("passes/keys/", views.keys_view, name="keys"),
    path("passes/keys/rotate/", views.key_rotate_view, name="key_rotate"),
    path("passes/keys/<str:kid>/revoke/", views.key_revoke_view, name="key_revoke"),
]
