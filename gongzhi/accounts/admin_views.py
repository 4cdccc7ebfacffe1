"""Back-office pages for accounts: the system administrator creates accounts, the security
administrator grants and withdraws roles and unlocks accounts (三员分立), each within their area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Level
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.directory.models import Organisation

from . import services
from .forms import MembershipForm, UserCreateForm
from .models import Membership
from .selectors import user_list


def _membership_form(request, data=None):
    levels = [lv for lv in Level]
    areas = areas_for_permission(viewer=request.user, permission="memberships.manage", levels=levels)
    scope = request.user.access.scope("memberships.manage")
    orgs = (
        Organisation.objects.filter(scope.q("area_id", None, None))
        if not scope.everything
        else Organisation.objects.all()
    )
    return MembershipForm(data, areas=areas, organisations=orgs.order_by("kind", "name"))


@login_required
def user_list_view(request):
    if not (request.user.access.has("users.view")):
        raise PermissionDenied
    page = Paginator(user_list(viewer=request.user, q=request.GET.get("q", "")), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/users.html",
        {
            "page": page,
            "can_create": request.user.access.has("users.manage"),
            "can_grant": request.user.access.has("memberships.manage"),
            "form": UserCreateForm(),
        },
    )


@login_required
def user_create_view(request):
    request.user.access.require("users.manage")
    form = UserCreateForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: services.user_create(
            mobile=d["mobile"],
            name=d["name"],
            password=d["password"],
            created_by=request.user,
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(
            request,
            _("The account of %(name)s has been created. A security administrator grants its roles.")
            % {"name": done.result.name},
        )
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form}, status=form_status(form))


def _visible_user(request, user_id: int):
    # Accounts without any role yet are visible to whoever may manage users at all.
    from .models import User

    user = get_object_or_404(User, pk=user_id)
    scope = request.user.access.scope("users.view")
    codes = [m.area_id for m in user.memberships.all()]
    if codes and not any(scope.covers_area(c) for c in codes):
        raise PermissionDenied
    return user


@login_required
def user_detail_view(request, user_id: int):
    request.user.access.require("users.view")
    user = _visible_user(request, user_id)
    form = _membership_form(request) if request.user.access.has("memberships.manage") else None
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "can_grant": form is not None,
            "can_unlock": request.user.access.has("users.unlock"),
        },
    )


@login_required
@require_POST
def membership_grant_view(request, user_id: int):
    request.user.access.require("memberships.manage")
    user = _visible_user(request, user_id)
    form = _membership_form(request, request.POST)
    if submitted(
        request,
        form,
        lambda d: services.membership_grant(
            user=user,
            role=d["role"],
            area=d["area"],
            organisation=d["organisation"],
            data_scope=d["data_scope"] or None,
            granted_by=request.user,
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The role has been granted."))
        return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "can_grant": True,
            "can_unlock": request.user.access.has("users.unlock"),
        },
        status=400,
    )


@login_required
@require_POST
def membership_revoke_view(request, user_id: int, membership_id: int):
    request.user.access.require("memberships.manage")
    user = _visible_user(request, user_id)
    membership = get_object_or_404(Membership, pk=membership_id, user=user)
    try:
        services.membership_revoke(membership=membership, revoked_by=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role has been withdrawn."))
    return redirect("accounts:user_detail", user_id=user.pk)


@login_required
@require_POST
def user_unlock_view(request, user_id: int):
    request.user.access.require("users.unlock")
    user = _visible_user(request, user_id)
    try:
        services.user_unlock(user=user, unlocked_by=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The account has been unlocked."))
    return redirect("accounts:user_detail", user_id=user.pk)
