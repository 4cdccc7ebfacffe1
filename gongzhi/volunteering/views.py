"""Volunteering pages: the volunteer's phone, the organiser's and worker's workbench, public checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Level
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted
from gongzhi.people.models import Person

from . import conf, pdf, selectors, services
from .forms import (
    ActivityForm,
    ApproveForm,
    BoardFilterForm,
    CertificateForm,
    CheckinForm,
    FiguresForm,
    PairForm,
    RecordForm,
    SelfRegisterForm,
    ServedForm,
    SuggestForm,
    VerifyForm,
    VisitForm,
    VolunteerCodeForm,
    VolunteerForm,
)
from .models import PairType, Team, Volunteer


def _qr_svg(text: str) -> str:
    import segno

    svg = str(segno.make(text, error="m").svg_inline(scale=5, border=2, dark="#1f2933", omitsize=True))
    return svg.replace("<svg ", '<svg role="img" ', 1)


# ---------------------------------------------------------------- the volunteer (phone)


def _board_filters(request, data) -> tuple[BoardFilterForm, dict]:
    """The board's filters; the viewer's own area decides what "my community / town" means."""
    area_code = selectors.viewer_area_code(request.user)
    form = BoardFilterForm(data)
    d = form.cleaned_data if form.is_valid() else {}
    scope = d.get("scope") or "city"  # the whole city, the viewer's community first
    return form, {
        "area_code": area_code,
        "scope": scope,
        "category": d.get("category") or "",
        "target": d.get("target") or "",
    }


@login_required
def activity_board_view(request):
    request.user.access.require("volunteering.join", "volunteering.attend")
    mine = {s.activity_id: s for s in selectors.my_signups(user=request.user)}
    form, filters = _board_filters(request, request.GET)
    page = Paginator(selectors.open_activities(**filters), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteering/board.html",
        {
            "page": page,
            "mine": mine,
            "volunteer": selectors.volunteer_of(request.user),
            "filter_form": form,
            "scope": filters["scope"],
            "query": query.urlencode(),
        },
    )


@login_required
def self_register_view(request):
    """A resident becomes a volunteer from the phone: identity, skills, availability, contact."""
    if selectors.volunteer_of(request.user) is not None:
        messages.info(request, _("You are already a registered volunteer."))
        return redirect("volunteering:me")
    areas = selectors.registration_areas(request.user)
    home = request.user.access.home_area()
    form = SelfRegisterForm(
        request.POST or None,
        areas=areas,
        initial={"name": request.user.name, "area": home.code if home is not None else None},
    )
    done = submitted(
        request,
        form,
        lambda d: services.volunteer_register(
            user=request.user,
            area=d["area"],
            name=d["name"],
            id_number=d["id_number"],
            mobile=d["mobile"],
            skills=d["skills"],
            availability=d["availability"],
            grant_role=True,
            self_service=True,
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(
            request,
            _("Welcome! Your volunteer number is %(number)s.") % {"number": done.result.number},
        )
        return redirect("volunteering:me")
    return render(request, "volunteering/register.html", {"form": form}, status=form_status(form))


def _my_code_context(request) -> dict:
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return {"code_svg": ""}
    return {
        "code_svg": _qr_svg(services.volunteer_code(volunteer)),
        "code_seconds": conf.volunteer_code_max_age_seconds(),
    }


@login_required
def my_code_view(request):
    """The volunteer's personal code, renewed by the page before it expires."""
    request.user.access.require("volunteering.join")
    return render(request, "volunteering/_my_code.html", _my_code_context(request))


@login_required
def activity_public_view(request, activity_id: int):
    request.user.access.require("volunteering.join", "volunteering.attend")
    activity = selectors.activity_public_get(activity_id)
    return render(
        request,
        "volunteering/activity.html",
        {
            "activity": activity,
            "signup": selectors.my_signup_for(user=request.user, activity=activity),
            "participation": selectors.my_participation_for(user=request.user, activity=activity),
            "participants": selectors.participants_count(activity),
            "may_join": request.user.access.has("volunteering.join"),
            "may_attend": request.user.access.has("volunteering.attend"),
        },
    )


@login_required
@require_POST
def participate_view(request, activity_id: int):
    """A resident registers to take part, or (``cancel``) withdraws."""
    request.user.access.require("volunteering.attend")
    activity = selectors.activity_public_get(activity_id)
    cancel = request.POST.get("cancel") == "1"
    try:
        if cancel:
            services.participation_cancel(activity=activity, user=request.user, ip=client_ip(request))
        else:
            services.participation_join(activity=activity, user=request.user, ip=client_ip(request))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request, _("Your registration is cancelled.") if cancel else _("You are registered to take part.")
        )
    return redirect("volunteering:activity", activity.pk)


@login_required
@require_POST
def signup_view(request, activity_id: int):
    request.user.access.require("volunteering.join")
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
    request.user.access.require("volunteering.join")
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
    request.user.access.require("volunteering.join")
    form = CheckinForm(request.POST if request.method == "POST" else None)
    try:
        activity = services.activity_from_token(token)
    except ValidationError as exc:
        return render(request, "volunteering/scan.html", {"error": exc.messages[0]}, status=400)
    signup = selectors.my_signup_for(user=request.user, activity=activity)
    done = submitted(
        request,
        form,
        lambda d: services.check_in_or_out(
            activity=activity, user=request.user, lat=d["lat"], lng=d["lng"], ip=client_ip(request)
        ),
    )
    if done:
        if done.result.checked_out_at:
            messages.success(
                request,
                _("Checked out: %(hours)s hours recorded for approval.") % {"hours": done.result.hours},
            )
        else:
            messages.success(request, _("Checked in. Scan again when you leave."))
        return redirect("volunteering:me")
    return render(
        request,
        "volunteering/scan.html",
        {"activity": activity, "signup": signup, "form": form, "token": token},
        status=form_status(form),
    )


@login_required
def me_view(request):
    request.user.access.require("volunteering.join")
    volunteer = selectors.volunteer_of(request.user)
    context = _my_code_context(request)
    context.update(
        {
            "volunteer": volunteer,
            "summary": selectors.hours_summary(volunteer) if volunteer else None,
            "carried": selectors.my_carried_hours(volunteer) if volunteer else None,
            "records": selectors.my_records(user=request.user),
            "signups": selectors.my_signups(user=request.user)[:50],
            "certificates": selectors.my_certificates(user=request.user),
            "pairings": selectors.my_pairings(user=request.user),
            "today": timezone.localdate(),
        }
    )
    return render(request, "volunteering/me.html", context)


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
    request.user.access.require("volunteering.manage")
    page = Paginator(selectors.activity_list(viewer=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/manage_list.html", {"page": page})


@login_required
def manage_create_view(request):
    request.user.access.require("volunteering.manage")
    areas = areas_for_permission(viewer=request.user, permission="volunteering.manage")
    teams = Team.objects.visible_to(request.user, "volunteering.manage").order_by("name")
    form = ActivityForm(request.POST or None, areas=areas, teams=teams)

    def create(d):
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
            target_groups=tuple(d["target_groups"]),
        )
        return services.activity_create(data=data, area=d["area"], actor=request.user, ip=client_ip(request))

    done = submitted(request, form, create)
    if done:
        messages.success(request, _("Activity published."))
        return redirect("volunteering:manage_detail", done.result.pk)
    return render(request, "volunteering/manage_form.html", {"form": form}, status=form_status(form))


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
    request,
    activity_id: int,
    approve_form=None,
    failed_signup=None,
    served_form=None,
    code_form=None,
    status=200,
):
    request.user.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    context = _qr_context(request, activity)
    context.update(
        signups=selectors.activity_signups(activity),
        participants=selectors.participants_count(activity),
        approve_form=approve_form or ApproveForm(),
        failed_signup=failed_signup,
        # Until the organiser records it, suggest the residents registered to take part.
        served_form=served_form
        or ServedForm(
            initial={
                "served": activity.served or activity.participations.filter(cancelled_at__isnull=True).count()
            }
        ),
        code_form=code_form or VolunteerCodeForm(),
    )
    return render(request, "volunteering/manage_detail.html", context, status=status)


@login_required
def manage_qr_view(request, activity_id: int):
    """The QR fragment, renewed by the organiser's page before the token expires."""
    request.user.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    return render(request, "volunteering/_qr.html", _qr_context(request, activity))


@login_required
@require_POST
def approve_view(request, signup_id: int):
    request.user.access.require("volunteering.manage")
    signup = selectors.signup_get(viewer=request.user, pk=signup_id)
    form = ApproveForm(request.POST)
    done = submitted(
        request,
        form,
        lambda d: services.attendance_approve(
            signup=signup, actor=request.user, hours=d["hours"], ip=client_ip(request)
        ),
    )
    if done:
        approved = done.result
        message = (
            _("%(name)s: %(hours)s hours approved, %(points)d points awarded.")
            if approved.points
            else _(
                "%(name)s: %(hours)s hours approved, no points this time (part hours are carried until they complete an hour)."
            )
        )
        messages.success(
            request,
            message % {"name": approved.volunteer.name, "hours": approved.hours, "points": approved.points},
        )
        return redirect("volunteering:manage_detail", approved.activity_id)
    return manage_detail_view(
        request, signup.activity_id, approve_form=form, failed_signup=signup.pk, status=form_status(form)
    )


@login_required
@require_POST
def scan_code_view(request, activity_id: int):
    """The organiser scans a volunteer's personal code: check in the first time, out the second."""
    request.user.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    form = VolunteerCodeForm(request.POST)
    done = submitted(
        request,
        form,
        lambda d: services.check_in_or_out_by_code(
            activity=activity, code=d["code"], actor=request.user, ip=client_ip(request)
        ),
    )
    if done:
        signup = done.result
        if signup.checked_out_at:
            messages.success(
                request,
                _("%(name)s checked out: %(hours)s hours recorded for approval.")
                % {"name": signup.volunteer.name, "hours": signup.hours},
            )
        else:
            messages.success(request, _("%(name)s checked in.") % {"name": signup.volunteer.name})
        return redirect("volunteering:manage_detail", activity.pk)
    return manage_detail_view(request, activity.pk, code_form=form, status=form_status(form))


@login_required
@require_POST
def served_view(request, activity_id: int):
    request.user.access.require("volunteering.manage")
    activity = selectors.activity_get(viewer=request.user, pk=activity_id)
    form = ServedForm(request.POST)
    if submitted(
        request,
        form,
        lambda d: services.activity_record_served(
            activity=activity, served=d["served"], actor=request.user, ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Person-times served recorded."))
        return redirect("volunteering:manage_detail", activity.pk)
    return manage_detail_view(request, activity.pk, served_form=form, status=form_status(form))


@login_required
def volunteer_list_view(request):
    request.user.access.require("volunteering.manage")
    qs = selectors.volunteer_list(viewer=request.user, q=request.GET.get("q", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/volunteers.html", {"page": page})


@login_required
def volunteer_register_view(request):
    from gongzhi.accounts.models import User

    request.user.access.require("volunteering.manage")
    areas = areas_for_permission(viewer=request.user, permission="volunteering.manage")
    teams = Team.objects.visible_to(request.user, "volunteering.manage").order_by("name")
    form = VolunteerForm(request.POST or None, areas=areas, teams=teams)

    def register(d):
        try:
            user = User.objects.get_by_natural_key(d["mobile"].strip())
        except (User.DoesNotExist, ValidationError):
            raise ValidationError(
                {"mobile": [_("No user account has this mobile number: the person signs up first.")]}
            ) from None
        return services.volunteer_register(
            user=user,
            area=d["area"],
            team=d["team"],
            id_number=d["id_number"],
            skills=d["skills"],
            availability=d["availability"],
            pair_capacity=d["pair_capacity"],
            grant_role=True,
            actor=request.user,
            ip=client_ip(request),
        )

    done = submitted(request, form, register)
    if done:
        messages.success(request, _("Registered as volunteer %(number)s.") % {"number": done.result.number})
        return redirect("volunteering:volunteers")
    return render(request, "volunteering/volunteer_form.html", {"form": form}, status=form_status(form))


@login_required
def volunteer_detail_view(request, volunteer_id: int):
    """A volunteer's profile on the workbench: hours, and training, awards and evaluations."""
    request.user.access.require("volunteering.manage")
    volunteer = selectors.volunteer_get(viewer=request.user, pk=volunteer_id)
    form = RecordForm(request.POST or None, initial={"day": timezone.localdate()})
    if submitted(
        request,
        form,
        lambda d: services.volunteer_record_add(
            volunteer=volunteer, actor=request.user, ip=client_ip(request), **d
        ),
    ):
        messages.success(request, _("Record added."))
        return redirect("volunteering:volunteer", volunteer.pk)
    return render(
        request,
        "volunteering/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "summary": selectors.hours_summary(volunteer),
            "records": selectors.volunteer_records(viewer=request.user, volunteer=volunteer),
            "form": form,
        },
        status=form_status(form),
    )


@login_required
def certificate_issue_view(request, volunteer_id: int):
    request.user.access.require("volunteering.manage")
    volunteer = selectors.volunteer_get(viewer=request.user, pk=volunteer_id)
    form = CertificateForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: services.certificate_issue(
            volunteer=volunteer, actor=request.user, ip=client_ip(request), **d
        ),
    )
    if done:
        messages.success(request, _("Certificate %(number)s issued.") % {"number": done.result.number})
        return redirect("volunteering:certificate_pdf", done.result.pk)
    return render(
        request,
        "volunteering/certificate_form.html",
        {"form": form, "volunteer": volunteer, "summary": selectors.hours_summary(volunteer)},
        status=form_status(form),
    )


# ---------------------------------------------------------------- pairings (workbench)


@login_required
def pairing_list_view(request):
    request.user.access.require("volunteering.pair")
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
    request.user.access.require("volunteering.pair")
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
    request.user.access.require("volunteering.pair")
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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("volunteering:pairings")
    return redirect(target)


@login_required
def visit_view(request, pairing_id: int):
    pairing = selectors.pairing_get(viewer=request.user, pk=pairing_id)
    form = VisitForm(request.POST or None, request.FILES or None, initial={"day": timezone.localdate()})
    done = submitted(
        request,
        form,
        lambda d: services.visit_record(
            pairing=pairing,
            actor=request.user,
            ip=client_ip(request),
            day=d["day"],
            kind=d["kind"],
            notes=d["notes"],
            concerns=d["concerns"],
            photos=d["photos"],
            open_ticket=d["open_ticket"],
            concern_category=d["concern_category"] or "other",
        ),
    )
    if done:
        visit = done.result
        if visit.ticket_id:
            messages.success(
                request,
                _("Visit recorded; the community received case %(number)s about the concern.")
                % {"number": visit.ticket.number},
            )
        else:
            messages.success(request, _("Visit recorded."))
        return redirect("volunteering:visit", pairing.pk)
    return render(
        request,
        "volunteering/visit.html",
        {"pairing": pairing, "form": form, "visits": selectors.pairing_visits(pairing)},
        status=form_status(form),
    )


@login_required
def visit_photo_view(request, photo_id: int):
    """A visit photo, streamed to whoever may open the pairing; never a public URL."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    photo = selectors.visit_photo_get(viewer=request.user, pk=photo_id)
    response = FileResponse(default_storage.open(photo.file, "rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def coverage_view(request):
    request.user.access.require("volunteering.pair")
    level = "town" if request.GET.get("level") == "town" else "village"
    return render(
        request,
        "volunteering/coverage.html",
        {"rows": selectors.coverage(viewer=request.user, level=level), "level": level},
    )


# ---------------------------------------------------------------- figures (town and city staff)


@login_required
def figures_view(request):
    request.user.access.require("volunteering.figures")
    form = FiguresForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    level = d.get("level") or "town"
    year = d.get("year") or timezone.localdate().year
    rows = selectors.figures(viewer=request.user, level=level, year=year)
    if request.GET.get("format") == "xlsx" and form.is_valid():
        from .exports import figures_workbook

        response = HttpResponse(
            figures_workbook(rows, level=level, year=year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="volunteer-figures-{year}-{level}.xlsx"'
        return response
    return render(
        request,
        "volunteering/figures.html",
        {
            "form": form,
            "rows": rows,
            "level": level,
            "year": year,
            "total_hours": sum((r.hours for r in rows), 0),
            "total_served": sum(r.served for r in rows),
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )
