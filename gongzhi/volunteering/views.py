"""Volunteering pages: the volunteer's phone, the organiser's and worker's workbench, public checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Level
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors
from gongzhi.people.models import Person

from . import conf, pdf, selectors, services
from .forms import (
    ActivityForm,
    ApproveForm,
    CertificateForm,
    CheckinForm,
    PairForm,
    ServedForm,
    SuggestForm,
    VerifyForm,
    VisitForm,
    VolunteerForm,
)
from .models import PairType, Team, Volunteer


def _require(request, permission: str) -> None:
    if not request.user.access.has(permission):
        raise PermissionDenied


def _qr_svg(text: str) -> str:
    import segno

    svg = str(segno.make(text, error="m").svg_inline(scale=5, border=2, dark="#1f2933", omitsize=True))
    return svg.replace("<svg ", '<svg role="img" ', 1)


# ---------------------------------------------------------------- the volunteer (phone)


@login_required
def activity_board_view(request):
    _require(request, "volunteering.join")
    mine = {s.activity_id: s for s in selectors.my_signups(user=request.user)}
    page = Paginator(selectors.open_activities(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/board.html",
        {"page": page, "mine": mine, "volunteer": selectors.volunteer_of(request.user)},
    )


@login_required
def activity_public_view(request, activity_id: int):
    _require(request, "volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    return render(
        request,
        "volunteering/activity.html",
        {"activity": activity, "signup": selectors.my_signup_for(user=request.user, activity=activity)},
    )


@login_required
@require_POST
def signup_view(request, activity_id: int):
    _require(request, "volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    try:
        signup = services.signup_create(activity=activity, user=request.user, ip=client_ip(request))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        if signup.status == "waiting":
            messages.info(request, _("The activity is full: you are on the waiting list."))
        else:
            messages.success(request, _("You have signed up."))
    return redirect("volunteering:activity", activity.pk)


@login_required
@require_POST
def cancel_view(request, activity_id: int):
    _require(request, "volunteering.join")
    activity = selectors.activity_public_get(activity_id)
    signup = selectors.my_signup_for(user=request.user, activity=activity)
    if signup is None:
        raise Http404
    try:
        services.signup_cancel(signup=signup, user=request.user, ip=client_ip(request))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteering:activity", activity.pk)


@login_required
def scan_view(request, token: str):
    """Where the activity's QR leads: the signed-in volunteer checks in, or out, here."""
    _require(request, "volunteering.join")
    form = CheckinForm(request.POST if request.method == "POST" else None)
    status = 200
    try:
        activity = services.activity_from_token(token)
    except ValidationError as exc:
        return render(request, "volunteering/scan.html", {"error": exc.messages[0]}, status=400)
    signup = selectors.my_signup_for(user=request.user, activity=activity)
    if request.method == "POST":
        if form.is_valid():
            try:
                signup = services.check_in_or_out(
                    activity=activity,
                    user=request.user,
                    lat=form.cleaned_data["lat"],
                    lng=form.cleaned_data["lng"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if signup.checked_out_at:
                    messages.success(
                        request,
                        _("Checked out: %(hours)s hours recorded for approval.") % {"hours": signup.hours},
                    )
                else:
                    messages.success(request, _("Checked in. Scan again when you leave."))
                return redirect("volunteering:me")
        status = 400
    return render(
        request,
        "volunteering/scan.html",
        {"activity": activity, "signup": signup, "form": form, "token": token},
        status=status,
    )


@login_required
def me_view(request):
    _require(request, "volunteering.join")
    volunteer = selectors.volunteer_of(request.user)
    return render(
        request,
        "volunteering/me.html",
        {
            "volunteer": volunteer,
            "summary": selectors.hours_summary(volunteer) if volunteer else None,
            "signups": selectors.my_signups(user=request.user)[:50],
            "certificates": selectors.my_certificates(user=request.user),
            "pairings": selectors.my_pairings(user=request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def certificate_pdf_view(request, certificate_id: int):
    cert = selectors.certificate_get(viewer=request.user, pk=certificate_id)
    verify_url = request.build_absolute_uri(reverse("volunteering:verify")) + f"?number={cert.number}"
    response = HttpResponse(pdf.certificate_pdf(cert, verify_url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


def verify_view(request):
    """Public: anyone holding a certificate number (or its QR) checks it here."""
    form = VerifyForm(request.GET or None)
    cert = None
    status = 200
    if request.GET and form.is_valid():
        try:
            cert = services.certificate_verify(form.cleaned_data["number"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
    elif request.GET:
        status = 400
    return render(request, "volunteering/verify.html", {"form": form, "cert": cert}, status=status)


# ---------------------------------------------------------------- organisers (workbench)


@login_required
def manage_list_view(request):
    _require(request, "volunteering.manage")
    page = Paginator(selectors.activity_list(viewer=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/manage_list.html", {"page": page})


@login_required
def manage_create_view(request):
    _require(request, "volunteering.manage")
    areas = areas_for_permission(viewer=request.user, permission="volunteering.manage")
    teams = Team.objects.visible_to(request.user, "volunteering.manage").order_by("name")
    form = ActivityForm(request.POST or None, areas=areas, teams=teams)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            data = services.ActivityInput(
                title=d["title"],
                category=d["category"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                volunteer_capacity=d["volunteer_capacity"],
                participant_capacity=d["participant_capacity"] or 0,
                place=d["place"],
                team=d["team"],
                lat=d["lat"],
                lng=d["lng"],
                check_distance_m=d["check_distance_m"],
                description=d["description"],
            )
            try:
                activity = services.activity_create(
                    data=data, area=d["area"], actor=request.user, ip=client_ip(request)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Activity published."))
                return redirect("volunteering:manage_detail", activity.pk)
        return render(request, "volunteering/manage_form.html", {"form": form}, status=400)
    return render(request, "volunteering/manage_form.html", {"form": form})


def _qr_context(request, activity) -> dict:
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[services.checkin_token(activity)]))
    return {
        "activity": activity,
        "qr_svg": _qr_svg(url),
        "qr_url": url,
        "qr_minutes": conf.qr_max_age_seconds() // 60,
    }


@login_required
def manage_detail_view(
    request, activity_id: int, approve_form=None, failed_signup=None, served_form=None, status=200
):
    _require(request, "volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    context = _qr_context(request, activity)
    context.update(
        signups=selectors.activity_signups(activity),
        approve_form=approve_form or ApproveForm(),
        failed_signup=failed_signup,
        served_form=served_form or ServedForm(initial={"served": activity.served}),
    )
    return render(request, "volunteering/manage_detail.html", context, status=status)


@login_required
def manage_qr_view(request, activity_id: int):
    """The QR fragment, renewed by the organiser's page before the token expires."""
    _require(request, "volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    return render(request, "volunteering/_qr.html", _qr_context(request, activity))


@login_required
@require_POST
def approve_view(request, signup_id: int):
    _require(request, "volunteering.manage")
    signup = selectors.signup_get(viewer=request.user, pk=signup_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            signup = services.attendance_approve(
                signup=signup, actor=request.user, hours=form.cleaned_data["hours"], ip=client_ip(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s: %(hours)s hours approved, %(points)d points awarded.")
                % {"name": signup.volunteer.name, "hours": signup.hours, "points": signup.points},
            )
            return redirect("volunteering:manage_detail", signup.activity_id)
    return manage_detail_view(
        request, signup.activity_id, approve_form=form, failed_signup=signup.pk, status=400
    )


@login_required
@require_POST
def served_view(request, activity_id: int):
    _require(request, "volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    form = ServedForm(request.POST)
    if form.is_valid():
        try:
            services.activity_record_served(
                activity=activity,
                served=form.cleaned_data["served"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Person-times served recorded."))
            return redirect("volunteering:manage_detail", activity.pk)
    return manage_detail_view(request, activity.pk, served_form=form, status=400)


@login_required
def volunteer_list_view(request):
    _require(request, "volunteering.manage")
    qs = selectors.volunteer_list(viewer=request.user, q=request.GET.get("q", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/volunteers.html", {"page": page})


@login_required
def volunteer_register_view(request):
    from gongzhi.accounts.models import User

    _require(request, "volunteering.manage")
    areas = areas_for_permission(viewer=request.user, permission="volunteering.manage")
    teams = Team.objects.visible_to(request.user, "volunteering.manage").order_by("name")
    form = VolunteerForm(request.POST or None, areas=areas, teams=teams)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                user = User.objects.get_by_natural_key(d["mobile"].strip())
            except (User.DoesNotExist, ValidationError):
                form.add_error(
                    "mobile", _("No user account has this mobile number: the person signs up first.")
                )
            else:
                try:
                    volunteer = services.volunteer_register(
                        user=user,
                        area=d["area"],
                        team=d["team"],
                        skills=d["skills"],
                        availability=d["availability"],
                        pair_capacity=d["pair_capacity"],
                        grant_role=True,
                        actor=request.user,
                        ip=client_ip(request),
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request, _("Registered as volunteer %(number)s.") % {"number": volunteer.number}
                    )
                    return redirect("volunteering:volunteers")
        return render(request, "volunteering/volunteer_form.html", {"form": form}, status=400)
    return render(request, "volunteering/volunteer_form.html", {"form": form})


@login_required
def certificate_issue_view(request, volunteer_id: int):
    _require(request, "volunteering.manage")
    volunteer = selectors.volunteer_get(viewer=request.user, pk=volunteer_id)
    form = CertificateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                cert = services.certificate_issue(
                    volunteer=volunteer, actor=request.user, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Certificate %(number)s issued.") % {"number": cert.number})
                return redirect("volunteering:certificate_pdf", cert.pk)
        return render(
            request,
            "volunteering/certificate_form.html",
            {"form": form, "volunteer": volunteer, "summary": selectors.hours_summary(volunteer)},
            status=400,
        )
    return render(
        request,
        "volunteering/certificate_form.html",
        {"form": form, "volunteer": volunteer, "summary": selectors.hours_summary(volunteer)},
    )


# ---------------------------------------------------------------- pairings (workbench)


@login_required
def pairing_list_view(request):
    _require(request, "volunteering.pair")
    today = timezone.localdate()
    pairings = list(selectors.pairing_list(viewer=request.user))
    rows = [(p, selectors.is_overdue(p, today)) for p in pairings]
    if request.GET.get("overdue"):
        rows = [r for r in rows if r[1]]
    return render(
        request,
        "volunteering/pairings.html",
        {"rows": rows, "overdue_only": bool(request.GET.get("overdue"))},
    )


@login_required
def suggest_view(request):
    _require(request, "volunteering.pair")
    areas = areas_for_permission(
        viewer=request.user, permission="volunteering.pair", levels=(Level.TOWN, Level.VILLAGE)
    )
    form = SuggestForm(request.GET or None, areas=areas)
    result = None
    if request.GET and form.is_valid():
        result = selectors.pairing_suggestions(
            viewer=request.user,
            pair_type=form.cleaned_data["pair_type"],
            area_code=form.cleaned_data["area"].code,
        )
    return render(
        request,
        "volunteering/suggest.html",
        {
            "form": form,
            "result": result,
            "pair_type": form.cleaned_data.get("pair_type") if form.is_bound and form.is_valid() else None,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


@login_required
@require_POST
def pair_view(request):
    _require(request, "volunteering.pair")
    form = PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a suggested pair."))
        return redirect("volunteering:suggest")
    d = form.cleaned_data
    pair_type = PairType.objects.filter(pk=d["pair_type"]).first()
    volunteer = Volunteer.objects.filter(pk=d["volunteer"]).first()
    person = Person.objects.visible_to(request.user, "volunteering.pair").filter(pk=d["person"]).first()
    if pair_type is None or volunteer is None or person is None:
        raise Http404
    try:
        services.pairing_create(
            pair_type=pair_type, volunteer=volunteer, person=person, actor=request.user, ip=client_ip(request)
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("%(volunteer)s now cares for %(person)s.")
            % {"volunteer": volunteer.name, "person": person.name},
        )
    return redirect(request.POST.get("next") or reverse("volunteering:pairings"))


@login_required
def visit_view(request, pairing_id: int):
    pairing = selectors.pairing_get(viewer=request.user, pk=pairing_id)
    form = VisitForm(request.POST or None, initial={"day": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.visit_record(
                    pairing=pairing, actor=request.user, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("volunteering:visit", pairing.pk)
        status = 400
    return render(
        request,
        "volunteering/visit.html",
        {"pairing": pairing, "form": form, "visits": pairing.visits.all()[:50]},
        status=status,
    )


@login_required
def coverage_view(request):
    _require(request, "volunteering.pair")
    level = "town" if request.GET.get("level") == "town" else "village"
    return render(
        request,
        "volunteering/coverage.html",
        {"rows": selectors.coverage(viewer=request.user, level=level), "level": level},
    )
