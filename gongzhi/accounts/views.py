"""Log-in, second factor, password change, profile and personal API tokens."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted

from . import services
from .forms import LoginForm, PasswordChangeForm, TokenForm, TotpForm
from .middleware import LAST_SEEN, OTP_OK
from .models import LoginEvent
from .selectors import api_token_list, login_event_list

TOTP_PENDING = "gz_totp_pending_secret"


def _next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_attempt(
            mobile=form.cleaned_data["mobile"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        if result.ok:
            login(request, result.user, backend="gongzhi.accounts.backends.MobilePasswordBackend")
            request.session[LAST_SEEN] = int(time.time())
            return redirect(_next(request))
        if result.reason == "locked":
            form.add_error(
                None,
                _("Too many failed attempts: this account is locked for %(m)d minutes.")
                % {"m": settings.GONGZHI_SECURITY["LOCKOUT_MINUTES"]},
            )
        elif result.reason == "inactive":
            form.add_error(None, _("This account is disabled. Ask your administrator."))
        else:
            form.add_error(None, _("Wrong mobile number or password."))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _next(request),
            "idle": request.GET.get("idle"),
            "totp_relaxed": not settings.GONGZHI_SECURITY["REQUIRE_TOTP_FOR_STAFF"],
        },
        status=form_status(form),
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.login_event_record(user=request.user, kind=LoginEvent.Kind.LOGOUT, ip=client_ip(request))
    logout(request)
    return redirect("accounts:login")


@login_required
def totp_view(request):
    user = request.user
    enrolling = user.totp_confirmed_at is None
    form = TotpForm(request.POST or None)
    if enrolling and (TOTP_PENDING not in request.session or request.GET.get("restart")):
        request.session[TOTP_PENDING] = services.totp_begin(user=user)
        user.refresh_from_db()
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(user=user, code=form.cleaned_data["code"], ip=client_ip(request)):
            request.session[OTP_OK] = True
            request.session.pop(TOTP_PENDING, None)
            return redirect(_next(request))
        form.add_error("code", _("The code is wrong or already used. Wait for the next code and try again."))
    context = {"form": form, "enrolling": enrolling, "next": _next(request)}
    if enrolling:
        secret = request.session[TOTP_PENDING]
        uri = services.totp_uri(user=user, secret=secret)
        context.update(secret=secret, qr=segno.make(uri, error="m").svg_data_uri(scale=4))
    return render(request, "accounts/totp.html", context, status=form_status(form))


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda d: services.user_change_password(
            user=request.user,
            old_password=d["old_password"],
            new_password=d["new_password"],
            ip=client_ip(request),
        ),
    ):
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "expired": request.GET.get("expired")},
        status=form_status(form),
    )


@login_required
def profile_view(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": api_token_list(viewer=request.user)[:20],
            "token_form": TokenForm(),
            "new_token": request.session.pop("gz_new_token", None),
        },
    )


@login_required
@require_POST
def token_create_view(request):
    form = TokenForm(request.POST)
    done = submitted(
        request,
        form,
        lambda d: services.api_token_create(
            user=request.user, name=d["name"], days=d["days"], ip=client_ip(request)
        ),
    )
    if done:
        _token, raw = done.result
        request.session["gz_new_token"] = raw  # shown once on the next page, then gone
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"tokens": api_token_list(viewer=request.user)[:20], "token_form": form},
        status=400,
    )


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = get_object_or_404(api_token_list(viewer=request.user), pk=token_id)
    services.api_token_revoke(token=token, revoked_by=request.user, ip=client_ip(request))
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


@login_required
def login_history_view(request):
    if not request.user.access.has("loginlog.view"):
        raise PermissionDenied
    page = Paginator(login_event_list(viewer=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/logins.html", {"page": page})
