"""Authentication by mainland mobile number and password, through the lockout policy."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from gongzhi.core.errors import client_ip

from .models import User


class MobilePasswordBackend(BaseBackend):
    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs):
        from .services import login_attempt

        mobile = kwargs.get("mobile") or username
        if not mobile or password is None:
            return None
        ua = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
        result = login_attempt(mobile=mobile, password=password, ip=client_ip(request), user_agent=ua)
        return result.user if result.ok else None

    def get_user(self, user_id):
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
