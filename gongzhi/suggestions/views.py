"""Suggestion pages: make one on a phone and read the answer; the office's list, the suggestion's
page with review and answer, and figures on the workbench; the public list of adopted ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Area
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.tickets.display import steps_of
from gongzhi.tickets.models import OPEN_STATES, QUEUE_STATES
from gongzhi.tickets.policies import get_policy
from gongzhi.tickets.selectors import ticket_timeline

from . import selectors, services
from .forms import DecideForm, FiguresForm, FilterForm, SubmitForm
from .policy import KIND


@login_required
def submit_view(request):
    request.user.access.require("suggestions.submit")
    homes = selectors.home_areas(viewer=request.user)
    areas = Area.objects.filter(code__in=[a.code for a in homes]).order_by("code")
    form = SubmitForm(
        request.POST or None,
        request.FILES or None,
        topics=get_policy(KIND).categories,
        areas=areas,
        initial={"area": homes[0] if homes else None},
    )
    done = submitted(
        request,
        form,
        lambda d: services.suggestion_submit(
            author=request.user,
            topic=d["topic"],
            area=d["area"],
            text=d["text"],
            photos=d["photos"],
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(request, _("Thank you: the community will answer your suggestion."))
        return redirect("suggestions:detail", ticket_id=done.result.pk)
    return render(request, "suggestions/submit.html", {"form": form}, status=form_status(form))


@login_required
def mine_view(request):
    page = Paginator(selectors.my_suggestions(viewer=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "suggestions/mine.html", {"page": page})


def adopted_view(request):
    """Public: adopted suggestions with the community's reason (no author names)."""
    area_code = (request.GET.get("area") or "")[:15]
    page = Paginator(selectors.adopted_public(area_code=area_code), 20).get_page(request.GET.get("page"))
    return render(request, "suggestions/adopted.html", {"page": page})


@login_required
def list_view(request):
    request.user.access.require("tickets.view")
    filters = FilterForm(request.GET or {"show": "open"})
    show = (filters.cleaned_data.get("show") if filters.is_valid() else "") or "open"
    page = Paginator(selectors.suggestion_list(viewer=request.user, show=show), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "suggestions/list.html", {"page": page, "filters": filters})


def _detail_context(request, ticket, **overrides):
    user = request.user
    reviewer = user.access.can("suggestions.review", ticket.area_id)
    context = {
        "ticket": ticket,
        "suggestion": selectors.suggestion_of(ticket),
        "timeline": ticket_timeline(ticket=ticket, viewer=user),
        "photos": list(ticket.attachments.all()),
        "steps": steps_of(ticket),
        "can_review": reviewer and ticket.state in QUEUE_STATES,
        "can_decide": reviewer and ticket.state in OPEN_STATES,
        "decide_form": DecideForm(),
    }
    context.update(overrides)
    return context


@login_required
def detail_view(request, ticket_id: int):
    ticket = selectors.suggestion_get(viewer=request.user, pk=ticket_id)
    return render(request, "suggestions/detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def review_view(request, ticket_id: int):
    ticket = selectors.suggestion_get(viewer=request.user, pk=ticket_id)
    try:
        services.suggestion_review(ticket=ticket, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Taken up for review: the resident can see it."))
    return redirect("suggestions:detail", ticket_id=ticket.pk)


@login_required
@require_POST
def decide_view(request, ticket_id: int):
    ticket = selectors.suggestion_get(viewer=request.user, pk=ticket_id)
    form = DecideForm(request.POST)
    if submitted(
        request,
        form,
        lambda d: services.suggestion_decide(
            ticket=ticket, actor=request.user, adopted=d["adopted"], reason=d["reason"], ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Answered: the resident has been told."))
        return redirect("suggestions:detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return render(
        request, "suggestions/detail.html", _detail_context(request, ticket, decide_form=form), status=400
    )


@login_required
def figures_view(request):
    request.user.access.require("tickets.view")
    form = FiguresForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "topic"
    rows = selectors.suggestion_figures(viewer=request.user, by=by)
    return render(request, "suggestions/figures.html", {"form": form, "by": by, "rows": rows})
