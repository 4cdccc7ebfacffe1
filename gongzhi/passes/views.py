"""Pages of the rider pass: the public check page, the rider's pass, the guard's gate, and the
community's rider registry, rider-friendly settings, gates, scans, figures and keys."""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.lib import passes as lib

from . import checking, keyring, selectors, services
from .conf import setting
from .forms import (
    CheckForm,
    CommunityForm,
    DocumentForm,
    GateForm,
    GuardForm,
    InsuranceForm,
    KeyRevokeForm,
    PeriodForm,
    RevokeForm,
    RiderFilterForm,
    RiderForm,
    RiderStatusForm,
)
from .models import Rider, RiderStatus
from .presenting import honoured_names, qr_for, reason_label

STATIC = Path(__file__).resolve().parent / "static" / "passes"
GATE_SESSION_KEY = "gz_pass_gate"
BOUND_SESSION_KEY = "gz_pass_bound"


def _base_url(request) -> str:
    return str(setting("BASE_URL")) or request.build_absolute_uri("/")


# ---------------------------------------------------------------------------------------------
# The check page: public, any phone camera opens it


def _guard_gate(request):
    """The gate a signed-in guard scans for: the one chosen on the gate page, else their first."""
    if not request.user.is_authenticated:
        return None
    gates = list(selectors.gates_of_guard(request.user))
    chosen = request.session.get(GATE_SESSION_KEY)
    for gate in gates:
        if gate.pk == chosen:
            return gate
    return gates[0] if gates else None


@never_cache
def check_view(request, token: str):
    gate = _guard_gate(request)
    outcome = checking.pass_check(
        text=token, gate=gate, guard=request.user if gate else None, ip=client_ip(request)
    )
    response = render(
        request,
        "passes/check.html",
        {
            "outcome": outcome,
            "token": token if outcome.record is not None else "",
            "honoured": honoured_names(outcome.record.areas) if outcome.record else [],
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def check_photo_view(request, token: str):
    """The rider's photo, only to someone holding a pass that is valid right now."""
    outcome = checking.pass_check(text=token)
    if not outcome.ok or not outcome.rider.photo:
        raise Http404
    photo = Rider.objects.only("photo").get(pk=outcome.rider.pk).photo
    return FileResponse(photo.open("rb"), content_type="image/jpeg")


# ---------------------------------------------------------------------------------------------
# The rider's own pages


def _rider_or_register(request):
    rider = selectors.rider_of(request.user)
    if rider is None:
        return None, redirect("passes:register")
    return rider, None


def _pass_context(request, rider):
    """The pass to show, or a reason why none can be shown."""
    if rider.status != RiderStatus.VERIFIED:
        return {"rider": rider, "record": None}
    record = services.pass_current(rider=rider)
    url = lib.pass_url(_base_url(request), record.token)
    renew_at = record.valid_until - timezone.timedelta(hours=int(setting("PASS_RENEW_HOURS")))
    return {
        "rider": rider,
        "record": record,
        "pass_url": url,
        "qr": qr_for(url),
        "valid_until_epoch": keyring.epoch(record.valid_until),
        "renew_at_epoch": keyring.epoch(renew_at),
        "honoured": honoured_names(record.areas),
    }


def _session_allowed(request, rider) -> bool:
    """After a lost-phone revocation, a browser that held a pass before it must sign in again."""
    now = int(time.time())
    bound = request.session.get(BOUND_SESSION_KEY)
    if (
        rider.passes_reset_at is not None
        and bound is not None
        and bound < keyring.epoch(rider.passes_reset_at)
    ):
        return False
    if bound is None:
        request.session[BOUND_SESSION_KEY] = now
    return True


@never_cache
@login_required
def my_pass_view(request):
    request.user.access.require("passes.own")
    rider, redirect_response = _rider_or_register(request)
    if redirect_response:
        return redirect_response
    if not _session_allowed(request, rider):
        logout(request)
        messages.error(
            request, _("Your pass was revoked because the phone was reported lost. Sign in again.")
        )
        return redirect(f"{reverse('accounts:login')}?next={reverse('passes:mine')}")
    context = _pass_context(request, rider)
    context.update(
        {
            "insurance": selectors.insurance_status(rider),
            "events": selectors.own_events(user=request.user, limit=10),
            "communities": selectors.friendly_communities(near=rider.area_id)[:20],
        }
    )
    return render(request, "passes/my_pass.html", context)


@never_cache
@login_required
def my_pass_card_view(request):
    """The pass card alone, fetched by the page's script to renew the pass before it expires."""
    request.user.access.require("passes.own")
    rider = selectors.rider_of(request.user)
    if rider is None:
        raise Http404
    if not _session_allowed(request, rider):
        logout(request)
        return HttpResponse(status=401)
    return render(request, "passes/_card.html", _pass_context(request, rider))


def service_worker_view(request):
    """The offline worker, served from /passes/ so it may control the pass page (its scope)."""
    response = HttpResponse((STATIC / "sw.js").read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/passes/"
    return response


@login_required
def register_view(request):
    request.user.access.require("passes.own")
    rider = selectors.rider_of(request.user)
    areas = selectors.rider_home_areas(request.user)
    initial = {}
    if rider is not None:
        initial = {
            "platform": rider.platform,
            "station": rider.station,
            "plate": rider.plate,
            "area": rider.area,
        }
    form = RiderForm(
        request.POST or None, request.FILES or None, areas=areas, with_area=rider is None, initial=initial
    )

    def save(d):
        if rider is None:
            services.rider_register(
                user=request.user,
                platform=d["platform"],
                station=d["station"],
                plate=d["plate"],
                area=d["area"],
                photo=d.get("photo"),
                actor=request.user,
                ip=client_ip(request),
            )
        else:
            services.rider_update(
                rider=rider,
                actor=request.user,
                platform=d["platform"],
                station=d["station"],
                plate=d["plate"],
                photo=d.get("photo"),
                ip=client_ip(request),
            )

    if submitted(request, form, save):
        messages.success(request, _("Saved. Your community will verify your registration."))
        return redirect("passes:mine")
    return render(request, "passes/register.html", {"form": form, "rider": rider}, status=form_status(form))


@login_required
def my_insurance_view(request):
    request.user.access.require("passes.own")
    rider, redirect_response = _rider_or_register(request)
    if redirect_response:
        return redirect_response
    form = InsuranceForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda d: services.insurance_add(rider=rider, actor=request.user, ip=client_ip(request), **d),
    ):
        messages.success(request, _("Your insurance policy is recorded."))
        return redirect("passes:mine")
    return render(
        request,
        "passes/insurance.html",
        {"form": form, "rider": rider, "policies": selectors.policies_of(rider)},
        status=form_status(form),
    )


# ---------------------------------------------------------------------------------------------
# The gate guard


@never_cache
@login_required
def gate_view(request):
    request.user.access.require("passes.scan")
    gates = list(selectors.gates_of_guard(request.user))
    if request.method == "POST" and "gate" in request.POST:
        chosen = request.POST.get("gate", "")
        if chosen.isdigit() and int(chosen) in {g.pk for g in gates}:
            request.session[GATE_SESSION_KEY] = int(chosen)
        return redirect("passes:gate")
    gate = _guard_gate(request)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = lib.token_from_text(form.cleaned_data["token"]) or "-"
        return redirect("passes:check", token=token)
    events = selectors.event_list(viewer=request.user, gate_id=gate.pk)[:20] if gate else []
    return render(
        request,
        "passes/gate.html",
        {"gates": gates, "gate": gate, "form": form, "events": events},
        status=form_status(form),
    )


# ---------------------------------------------------------------------------------------------
# The community: riders


@login_required
def rider_list_view(request):
    request.user.access.require("passes.riders.view")
    filters = RiderFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.rider_list(
        viewer=request.user,
        q=data.get("q", ""),
        status=data.get("status", ""),
        platform=data.get("platform", ""),
        area_code=request.GET.get("area", "")[:15],
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    template = "passes/_rider_rows.html" if request.headers.get("HX-Request") else "passes/rider_list.html"
    return render(request, template, {"page": page, "filters": filters})


def _rider_detail_context(request, rider, **forms):
    return {
        "rider": rider,
        "documents": selectors.rider_documents(viewer=request.user, rider=rider),
        "policies": selectors.policies_of(rider),
        "insurance": selectors.insurance_status(rider),
        "passes": selectors.rider_passes(viewer=request.user, rider=rider)[:10],
        "can_verify": request.user.access.can("passes.riders.verify", rider.area_id),
        "can_revoke": request.user.access.can("passes.revoke", rider.area_id),
        "status_form": forms.get("status_form") or RiderStatusForm(),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
        "insurance_form": forms.get("insurance_form") or InsuranceForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
    }


@login_required
def rider_detail_view(request, rider_id: int):
    request.user.access.require("passes.riders.view")
    rider = selectors.rider_get(viewer=request.user, pk=rider_id)
    return render(request, "passes/rider_detail.html", _rider_detail_context(request, rider))


def _rider_action(request, rider_id: int, form_class, form_key: str, call, done: str):
    rider = selectors.rider_get(viewer=request.user, pk=rider_id)
    form = form_class(request.POST, request.FILES or None)
    if submitted(request, form, lambda d: call(rider, d)):
        messages.success(request, done)
        return redirect("passes:rider", rider_id=rider.pk)
    context = _rider_detail_context(request, rider, **{form_key: form})
    return render(request, "passes/rider_detail.html", context, status=400)


@login_required
@require_POST
def rider_status_view(request, rider_id: int):
    def call(rider, d):
        services.rider_transition(
            rider=rider, to=d["to"], note=d["note"], actor=request.user, ip=client_ip(request)
        )

    return _rider_action(
        request, rider_id, RiderStatusForm, "status_form", call, _("The rider's status is changed.")
    )


@login_required
@require_POST
def rider_revoke_view(request, rider_id: int):
    def call(rider, d):
        services.pass_revoke(
            rider=rider, reason=d["reason"], note=d["note"], actor=request.user, ip=client_ip(request)
        )

    return _rider_action(
        request,
        rider_id,
        RevokeForm,
        "revoke_form",
        call,
        _("The rider's passes are revoked; gates learn it at their next sync."),
    )


@login_required
@require_POST
def rider_insurance_view(request, rider_id: int):
    def call(rider, d):
        services.insurance_add(rider=rider, actor=request.user, ip=client_ip(request), **d)

    return _rider_action(
        request, rider_id, InsuranceForm, "insurance_form", call, _("The insurance policy is recorded.")
    )


@login_required
@require_POST
def rider_document_view(request, rider_id: int):
    def call(rider, d):
        services.rider_document_add(
            rider=rider, kind=d["kind"], file=d["file"], actor=request.user, ip=client_ip(request)
        )

    return _rider_action(
        request, rider_id, DocumentForm, "document_form", call, _("The document is attached.")
    )


@login_required
def rider_photo_view(request, rider_id: int):
    request.user.access.require("passes.riders.view")
    rider = selectors.rider_get(viewer=request.user, pk=rider_id)
    if not rider.photo:
        raise Http404
    return FileResponse(rider.photo.open("rb"), content_type="image/jpeg")


@login_required
def document_view(request, document_id: int):
    request.user.access.require("passes.riders.verify")
    document = selectors.document_get(viewer=request.user, pk=document_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=Path(document.file.name).name)


# ---------------------------------------------------------------------------------------------
# The community: rider-friendly settings and gates


@login_required
def community_list_view(request):
    request.user.access.require("passes.gates.view")
    rows = selectors.community_rows(viewer=request.user)
    return render(request, "passes/community_list.html", {"rows": rows})


@login_required
def community_edit_view(request, area_code: str):
    request.user.access.require("passes.communities.manage")
    areas = selectors.communities_in_scope(viewer=request.user, permission="passes.communities.manage")
    area = areas.filter(code=area_code).first()
    if area is None:
        raise Http404
    current = selectors.community_settings(area)
    initial = (
        {
            f: getattr(current, f)
            for f in ("honours_pass", "rest_stop", "charging", "water", "toilet", "notes")
        }
        if current
        else {"honours_pass": True}
    )
    form = CommunityForm(request.POST if "save_settings" in request.POST else None, initial=initial)
    gate_form = GateForm(request.POST if "add_gate" in request.POST else None)
    if submitted(
        request,
        form,
        lambda d: services.community_save(area=area, actor=request.user, ip=client_ip(request), **d),
    ):
        messages.success(request, _("The rider-friendly settings are saved."))
        return redirect("passes:community", area_code=area.code)
    if submitted(
        request,
        gate_form,
        lambda d: services.gate_create(area=area, name=d["name"], actor=request.user, ip=client_ip(request)),
    ):
        messages.success(request, _("The gate is added."))
        return redirect("passes:community", area_code=area.code)
    return render(
        request,
        "passes/community_edit.html",
        {
            "area": area,
            "form": form,
            "gate_form": gate_form,
            "gates": selectors.gate_list(viewer=request.user, area_code=area.code),
            "guard_form": GuardForm(),
        },
        status=form_status(form, gate_form),
    )


@login_required
@require_POST
def gate_edit_view(request, gate_id: int):
    request.user.access.require("passes.communities.manage")
    gate = selectors.gate_get(viewer=request.user, pk=gate_id, permission="passes.communities.manage")
    ip = client_ip(request)
    try:
        if "add_guard" in request.POST:
            form = GuardForm(request.POST)
            if form.is_valid():
                services.gate_guard_add(
                    gate=gate, guard_mobile=form.cleaned_data["guard_mobile"], actor=request.user, ip=ip
                )
                messages.success(request, _("The guard is posted at this gate."))
            else:
                messages.error(request, _("Enter the guard's mobile number."))
        elif "remove_guard" in request.POST:
            guard_id = request.POST.get("remove_guard", "")
            if guard_id.isdigit():
                services.gate_guard_remove(gate=gate, guard_id=int(guard_id), actor=request.user, ip=ip)
                messages.success(request, _("The guard is no longer posted at this gate."))
        elif "active" in request.POST:
            services.gate_update(gate=gate, active=request.POST["active"] == "1", actor=request.user, ip=ip)
            messages.success(request, _("The gate is updated."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("passes:community", area_code=gate.area_id)


# ---------------------------------------------------------------------------------------------
# Scans, figures, keys


@login_required
def event_list_view(request):
    request.user.access.require("passes.events.view")
    ok = {"1": True, "0": False}.get(request.GET.get("ok", ""))
    qs = selectors.event_list(viewer=request.user, ok=ok, area_code=request.GET.get("area", "")[:15])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "passes/event_list.html",
        {
            "page": page,
            "retention_days": setting("ACCESS_EVENT_RETENTION_DAYS"),
            "ok": request.GET.get("ok", ""),
        },
    )


@login_required
def figures_view(request):
    request.user.access.require("passes.figures.view")
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "passes/figures.html", {"form": form}, status=400)
    start, end = form.period()
    data = selectors.figures(
        viewer=request.user, start=start, end=end, area_code=request.GET.get("area", "")[:15]
    )
    peak = max((g["scans"] for g in data.per_gate), default=0) or 1
    for g in data.per_gate:
        g["share"] = round(100 * g["scans"] / peak)
    refusals = [(reason_label(code), n) for code, n in data.refusals.items()]
    return render(request, "passes/figures.html", {"form": form, "figures": data, "refusals": refusals})


@login_required
def keys_view(request):
    request.user.access.require("passes.keys.manage")
    form = KeyRevokeForm()
    return render(
        request,
        "passes/keys.html",
        {
            "keys": keyring.all_signing_keys(),
            "publishers": keyring.publisher_public_keys(),
            "form": form,
        },
    )


@login_required
@require_POST
def key_rotate_view(request):
    request.user.access.require("passes.keys.manage")
    key = keyring.signing_key_rotate(actor=request.user, ip=client_ip(request))
    messages.success(
        request, _("New passes are now signed with key %(kid)s; live passes stay valid.") % {"kid": key.kid}
    )
    return redirect("passes:keys")


@login_required
@require_POST
def key_revoke_view(request, kid: str):
    request.user.access.require("passes.keys.manage")
    key = keyring.signing_key_get(kid)
    form = KeyRevokeForm(request.POST)
    if submitted(
        request,
        form,
        lambda d: keyring.signing_key_revoke(
            key=key, reason=d["reason"], actor=request.user, ip=client_ip(request)
        ),
    ):
        messages.success(
            request, _("Key %(kid)s is revoked: its passes are refused from now on.") % {"kid": key.kid}
        )
        return redirect("passes:keys")
    return render(
        request,
        "passes/keys.html",
        {
            "keys": keyring.all_signing_keys(),
            "publishers": keyring.publisher_public_keys(),
            "form": form,
            "failed_kid": kid,
        },
        status=400,
    )
