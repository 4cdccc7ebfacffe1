from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_view, name="totp"),
    path("password/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_view, name="profile"),
    path("logins/", views.login_history_view, name="logins"),
    path("users/", admin_views.user_list_view, name="users"),
    path("users/new/", admin_views.user_create_view, name="user_create"),
    path("users/<int:user_id>/", admin_views.user_detail_view, name="user_detail"),
    path("users/<int:user_id>/roles/", admin_views.membership_grant_view, name="membership_grant"),
    path(
        "users/<int:user_id>/roles/<int:membership_id>/revoke/",
        admin_views.membership_revoke_view,
        name="membership_revoke",
    ),
    path("users/<int:user_id>/unlock/", admin_views.user_unlock_view, name="user_unlock"),
    path("tokens/", views.token_create_view, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
