"""The honour roll "好样的！你": public pages (no sign-in), nominating, reviewing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted

from .. import selectors
from ..forms import NominationForm, ReviewForm, WithdrawForm
from ..models import NominationStatus, NomineeKind
from ..services import honour

PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def honour_view(request):
    """Public: published stories, newest first, and the opt-in ranking of an area."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in NomineeKind.values else ""
    area_code = (request.GET.get("area") or "")[:15]
    page = Paginator(selectors.honour_roll(kind=kind), 12).get_page(request.GET.get("page"))
    areas = selectors.ranking_areas()
    if not area_code and areas:
        area_code = areas[0].code
    return render(
        request,
        "points/honour.html",
        {
            "page": page,
            "kind": kind,
            "counts": selectors.honour_counts(),
            "ranking": selectors.ranking(area_code=area_code) if area_code else [],
            "ranking_areas": areas,
            "ranking_area": area_code,
        },
    )


def honour_story_view(request, nomination_id: int):
    nomination = selectors.honour_get(pk=nomination_id)
    return render(
        request,
        "points/honour_story.html",
        {"n": nomination},
    )


def _photo_response(nomination):
    if not nomination.photo:
        raise Http404
    extension = nomination.photo.name.rsplit(".", 1)[-1].lower()
    try:
        handle = nomination.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=PHOTO_TYPES.get(extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def honour_photo_view(request, nomination_id: int):
    response = _photo_response(selectors.honour_get(pk=nomination_id))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def nomination_photo_view(request, nomination_id: int):
    response = _photo_response(selectors.nomination_get(viewer=request.user, pk=nomination_id))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def nominate_view(request):
    if not request.user.access.has("points.nominate"):
        raise PermissionDenied
    areas = selectors.nomination_areas(viewer=request.user)
    form = NominationForm(
        request.POST or None,
        request.FILES or None,
        areas=areas,
        initial={"nominee_kind": "person", "area": areas.first()},
    )
    if submitted(
        request,
        form,
        lambda d: honour.nomination_submit(
            nominee_kind=d["nominee_kind"],
            nominee_name=d["nominee_name"],
            display_name=d["display_name"],
            consent=d["consent"],
            title=d["title"],
            story=d["story"],
            area=d["area"],
            photo=d.get("photo"),
            nominated_by=request.user,
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("Thank you: your nomination will be reviewed by the community."))
        return redirect("points:my_nominations")
    return render(request, "points/nominate.html", {"form": form}, status=form_status(form))


@login_required
def my_nominations_view(request):
    return render(
        request,
        "points/my_nominations.html",
        {"nominations": selectors.my_nominations(viewer=request.user)[:50]},
    )


@login_required
def nomination_list_view(request):
    if not request.user.access.has("points.review_nominations"):
        raise PermissionDenied
    status = request.GET.get("status", NominationStatus.SUBMITTED)
    status = status if status in NominationStatus.values or status == "" else NominationStatus.SUBMITTED
    page = Paginator(selectors.nomination_list(viewer=request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/nominations.html",
        {"page": page, "status": status, "statuses": NominationStatus.choices},
    )


@login_required
def nomination_view(request, nomination_id: int):
    nomination = selectors.nomination_get(viewer=request.user, pk=nomination_id)
    form = ReviewForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda d: honour.nomination_review(
            nomination=nomination,
            publish=d["decision"] == "publish",
            note=d["note"],
            actor=request.user,
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The nomination has been reviewed."))
        return redirect("points:nominations")
    return render(
        request,
        "points/nomination.html",
        {"n": nomination, "form": form, "withdraw_form": WithdrawForm()},
        status=form_status(form),
    )


@login_required
@require_POST
def nomination_withdraw_view(request, nomination_id: int):
    nomination = selectors.my_nominations(viewer=request.user).filter(pk=nomination_id).first()
    own = nomination is not None
    if not own:
        nomination = selectors.nomination_get(viewer=request.user, pk=nomination_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for taking it down."))
        return redirect(
            "points:my_nominations" if own else "points:nomination",
            **({} if own else {"nomination_id": nomination.pk}),
        )
    try:
        honour.nomination_withdraw(
            nomination=nomination,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The nomination has been taken down."))
    if own:
        return redirect("points:my_nominations")
    return redirect("points:nomination", nomination_id=nomination.pk)
