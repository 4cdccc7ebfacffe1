"""Idle logout, the second factor for staff, and password expiry, enforced on every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from gongzhi.core.errors import client_ip

# Paths a signed-in user may reach before finishing the second factor or a forced password change.
OPEN_PREFIXES = ("/static/", "/accounts/", "/i18n/", "/api/", "/open311/", "/p/", "/healthz")
LAST_SEEN = "gz_last_seen"
OTP_OK = "gz_otp_ok"


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._enforce(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request, user):
        from .models import LoginEvent
        from .services import login_event_record, password_expired, totp_required

        policy = settings.GONGZHI_SECURITY
        now = int(time.time())
        last = request.session.get(LAST_SEEN, now)
        if now - last > policy["IDLE_TIMEOUT_MINUTES"] * 60:
            login_event_record(user=user, kind=LoginEvent.Kind.IDLE_LOGOUT, ip=client_ip(request))
            logout(request)
            if request.path.startswith("/api/"):
                return None
            return redirect(f"{reverse('accounts:login')}?idle=1&next={request.path}")
        if now - last >= 60 or LAST_SEEN not in request.session:
            request.session[LAST_SEEN] = now  # written at most once a minute: no DB write per request
        if request.path.startswith(OPEN_PREFIXES):
            return None
        if totp_required(user) and not request.session.get(OTP_OK):
            return redirect(f"{reverse('accounts:totp')}?next={request.path}")
        if password_expired(user):
            return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return None
