"""Hazard pages: report on a phone and follow my reports; the office's list, the hazard page with
assessment and re-inspection, and figures on the workbench. The owner accepts and reports the
rectification on the ticket's own page (the engine's "mark done")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.tickets import selectors as tickets_selectors
from gongzhi.tickets.display import steps_of
from gongzhi.tickets.models import QUEUE_STATES, State
from gongzhi.tickets.policies import get_policy
from gongzhi.tickets.selectors import ticket_timeline
from gongzhi.tickets.services import allowed_actions

from . import selectors, services
from .forms import AssessForm, FiguresForm, FilterForm, ReinspectForm, ReportForm
from .policy import KIND


@login_required
def report_view(request):
    request.user.access.require("hazards.report")
    areas = tickets_selectors.reporting_areas(viewer=request.user)
    staff = request.user.access.has("hazards.inspect")
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        categories=get_policy(KIND).categories,
        areas=areas,
        staff=staff,
        initial={"area": tickets_selectors.home_community(viewer=request.user) or areas.first()},
    )
    done = submitted(
        request,
        form,
        lambda d: services.hazard_report(
            reporter=request.user,
            category=d["category"],
            # the community the phone stands in, if the reporter may report there
            area=tickets_selectors.placed_community(
                viewer=request.user, chosen=d["area"], lat=d["lat"], lng=d["lng"]
            ),
            text=d["text"],
            lat=d["lat"],
            lng=d["lng"],
            address=d["address"],
            photos=d["photos"],
            source=d.get("source") or "",
            risk_level=d["risk_level"],
            ip=client_ip(request),
        ),
    )
    if done:
        ticket = done.result
        messages.success(
            request, _("Thank you: hazard %(number)s has been reported.") % {"number": ticket.number}
        )
        return redirect("hazards:detail", ticket_id=ticket.pk)
    return render(request, "hazards/report.html", {"form": form}, status=form_status(form))


@login_required
def mine_view(request):
    page = Paginator(selectors.my_hazards(viewer=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "hazards/mine.html", {"page": page})


@login_required
def list_view(request):
    request.user.access.require("tickets.view")
    filters = FilterForm(request.GET or {"state": "open"})
    args = filters.cleaned_data if filters.is_valid() else {"state": "open"}
    qs = selectors.hazard_list(
        viewer=request.user,
        state=args.get("state") or "",
        risk_level=args.get("risk_level") or "",
        overdue=bool(args.get("overdue")),
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "hazards/list.html", {"page": page, "filters": filters})


def _detail_context(request, ticket, **overrides):
    user = request.user
    allowed = allowed_actions(ticket, user)
    can_assess = (
        ticket.state in QUEUE_STATES
        and "dispatch" in allowed
        and user.access.can("hazards.inspect", ticket.area_id)
    )
    can_reinspect = (
        ticket.state == State.RESOLVED
        and {"close", "reopen"} <= allowed
        and user.access.can("hazards.inspect", ticket.area_id)
    )
    hazard = selectors.hazard_of(ticket)
    context = {
        "ticket": ticket,
        "hazard": hazard,
        "timeline": ticket_timeline(ticket=ticket, viewer=user),
        "photos": list(ticket.attachments.all()),
        "inspections": selectors.inspections_of(ticket),
        "steps": steps_of(ticket),
        "engine_actions": sorted(allowed - {"comment"}),
        "can_assess": can_assess,
        "can_reinspect": can_reinspect,
    }
    if can_assess:
        context["assess_form"] = AssessForm(
            owners=services.owner_choices(viewer=user, ticket=ticket),
            initial={
                "risk_level": hazard.risk_level if hazard else "general",
                "owner": hazard.owner_id if hazard else None,
            },
        )
    if can_reinspect:
        context["reinspect_form"] = ReinspectForm()
    context.update(overrides)
    return context


@login_required
def detail_view(request, ticket_id: int):
    ticket = selectors.hazard_get(viewer=request.user, pk=ticket_id)
    return render(request, "hazards/detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def assess_view(request, ticket_id: int):
    ticket = selectors.hazard_get(viewer=request.user, pk=ticket_id)
    form = AssessForm(request.POST, owners=services.owner_choices(viewer=request.user, ticket=ticket))
    if submitted(
        request,
        form,
        lambda d: services.hazard_assess(
            ticket=ticket,
            actor=request.user,
            risk_level=d["risk_level"],
            owner=d["owner"],
            note=d["note"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("Assessed: the owner has been asked to put it right."))
        return redirect("hazards:detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket)
    context["assess_form"] = form
    return render(request, "hazards/detail.html", context, status=400)


@login_required
@require_POST
def reinspect_view(request, ticket_id: int):
    ticket = selectors.hazard_get(viewer=request.user, pk=ticket_id)
    form = ReinspectForm(request.POST, request.FILES)
    done = submitted(
        request,
        form,
        lambda d: services.hazard_reinspect(
            ticket=ticket,
            actor=request.user,
            passed=d["passed"],
            note=d["note"],
            photos=d["photos"],
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(
            request,
            _("Re-inspection passed: the hazard is closed.")
            if done.result.passed
            else _("Re-inspection failed: the hazard is back with its owner."),
        )
        return redirect("hazards:detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket)
    context["reinspect_form"] = form
    context["can_reinspect"] = True
    return render(request, "hazards/detail.html", context, status=400)


@login_required
def figures_view(request):
    request.user.access.require("tickets.view")
    form = FiguresForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "risk_level"
    rows = selectors.hazard_figures(viewer=request.user, by=by)
    return render(request, "hazards/figures.html", {"form": form, "by": by, "rows": rows})
