"""Ticket pages for every role: my requests (residents), offers and jobs (providers), the list,
overdue, escalated, follow-ups, figures and routing rules (office), and one detail page whose
action forms follow what the viewer may do now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted
from gongzhi.directory.models import Organisation
from gongzhi.directory.selectors import organisation_list

from . import forms, selectors, services
from .display import steps_of, suggestion_rows
from .models import Action, RoutingRule, Ticket
from .policies import PartyRef, registry


def _page(request, qs, per_page: int = 30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@login_required
def ticket_list_view(request):
    request.user.access.require("tickets.view")
    filters = forms.TicketFilterForm(request.GET or None)
    args = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.ticket_list(
        viewer=request.user,
        kind=args.get("kind", ""),
        state=args.get("state", ""),
        q=args.get("q", ""),
        area_code=request.GET.get("area", "")[:15],
        overdue=request.GET.get("overdue") == "1",
        escalated=request.GET.get("escalated") == "1",
    )
    return render(
        request,
        "tickets/list.html",
        {"page": _page(request, qs), "filters": filters, "heading": _("Tickets")},
    )


@login_required
def ticket_overdue_view(request):
    request.user.access.require("tickets.view")
    qs = selectors.ticket_list(viewer=request.user, overdue=True).order_by("deadline", "id")
    return render(
        request,
        "tickets/list.html",
        {"page": _page(request, qs), "heading": _("Overdue"), "overdue_page": True},
    )


@login_required
def ticket_escalated_view(request):
    """The supervisor's workbench: what was escalated to a level the viewer supervises."""
    if not (request.user.access.has("tickets.supervise") or request.user.access.has("tickets.view")):
        raise PermissionDenied
    if request.user.access.has("tickets.supervise"):
        qs = selectors.ticket_escalated(viewer=request.user)
    else:
        qs = selectors.ticket_list(viewer=request.user, escalated=True)
    return render(
        request,
        "tickets/list.html",
        {"page": _page(request, qs), "heading": _("Escalated (督办)"), "escalated_page": True},
    )


@login_required
def ticket_mine_view(request):
    qs = selectors.ticket_list_submitted(
        viewer=request.user, kind=request.GET.get("kind", "")[:30], state=request.GET.get("state", "")[:12]
    )
    return render(request, "tickets/mine.html", {"page": _page(request, qs, 20)})


@login_required
def ticket_offers_view(request):
    request.user.access.require("tickets.handle")
    return render(
        request,
        "tickets/offers.html",
        {"page": _page(request, selectors.ticket_list_offered(viewer=request.user), 20)},
    )


@login_required
def ticket_jobs_view(request):
    request.user.access.require("tickets.handle")
    state = request.GET.get("state", "open")
    qs = selectors.ticket_list_assigned(viewer=request.user, state=state if state in ("open", "done") else "")
    return render(request, "tickets/jobs.html", {"page": _page(request, qs, 20), "state": state})


def _dispatch_form(request, ticket, data=None):
    suggestions = ticket.policy.suggest(ticket, limit=8)
    orgs = selectors.dispatchable_organisations(viewer=request.user, ticket=ticket)
    return forms.DispatchForm(
        data, suggestions=suggestions, organisations=orgs, prefix="dispatch"
    ), suggestions


def _detail_context(request, ticket, **overrides):
    policy = ticket.policy
    allowed = services.allowed_actions(ticket, request.user) - policy.actions_on_own_page
    context = {
        "ticket": ticket,
        "kind_page": policy.page_url(ticket),
        "timeline": selectors.ticket_timeline(ticket=ticket, viewer=request.user),
        "photos": list(ticket.attachments.all()),
        "offers": selectors.ticket_offers(ticket=ticket)
        if request.user.access.can("tickets.view", ticket.area_id) or "dispatch" in allowed
        else [],
        "allowed": allowed,
        "is_submitter": ticket.submitter_id == request.user.pk,
        "steps": steps_of(ticket),
        "can_internal": bool(services.hats(ticket, request.user) - {"submitter"}),
    }
    if {Action.DISPATCH, Action.REASSIGN} & allowed:
        context["dispatch_form"], suggestions = _dispatch_form(request, ticket)
        context["suggestions"] = suggestion_rows(suggestions)
    defaults = {
        "resolve_form": forms.ResolveForm(prefix="resolve"),
        "rate_form": forms.RateForm(prefix="rate"),
        "comment_form": forms.CommentForm(prefix="comment"),
        "note_form": forms.NoteForm(prefix="note"),
        "extension_form": forms.ExtensionForm(prefix="extension"),
        "extension_answer_form": forms.ExtensionAnswerForm(prefix="answer"),
    }
    context.update(defaults)
    context.update(overrides)
    return context


@login_required
def ticket_detail_view(request, ticket_id: int):
    ticket = selectors.ticket_get(viewer=request.user, pk=ticket_id)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


def _parties_from(form) -> list[PartyRef]:
    parties = []
    for key in form.cleaned_data.get("parties") or []:
        kind, _sep, pk = key.partition(":")
        if kind in ("org", "user") and pk.isdigit():
            parties.append(PartyRef(kind, int(pk)))
    org = form.cleaned_data.get("organisation")
    if org is not None:
        parties.append(PartyRef("org", org.pk, org.name))
    return parties


SUCCESS = {
    Action.DISPATCH: _("Dispatched: the providers have been told."),
    Action.REASSIGN: _("Reassigned."),
    Action.ACCEPT: _("Accepted: the order is yours."),
    Action.DECLINE: _("Declined."),
    Action.RETURN: _("Handed back to the queue."),
    Action.START: _("Work started."),
    Action.RESOLVE: _("Marked done: the resident is asked to confirm."),
    Action.RATE: _("Thank you for rating."),
    Action.CLOSE: _("Closed."),
    Action.REOPEN: _("Reopened: the community will look at it again."),
    Action.CANCEL: _("Cancelled."),
    Action.ESCALATE: _("Escalated."),
    Action.REQUEST_EXTENSION: _("More time asked."),
    Action.GRANT_EXTENSION: _("Answered."),
    Action.COMMENT: _("Note added."),
}


@login_required
@require_POST
def ticket_act_view(request, ticket_id: int, action: str):
    """Every action form posts here; a refused action re-renders the page with the reason (400)."""
    ticket = selectors.ticket_get(viewer=request.user, pk=ticket_id)
    if action not in Action.values:
        raise Http404
    actor, ip, post = request.user, client_ip(request), request.POST
    form, form_name = None, ""
    try:
        if action in (Action.DISPATCH, Action.REASSIGN):
            form, _s = _dispatch_form(request, ticket, post)
            form_name = "dispatch_form"
            if form.is_valid():
                fn = services.ticket_dispatch if action == Action.DISPATCH else services.ticket_reassign
                fn(
                    ticket=ticket,
                    parties=_parties_from(form),
                    actor=actor,
                    note=form.cleaned_data["note"],
                    ip=ip,
                )
        elif action == Action.RESOLVE:
            form, form_name = forms.ResolveForm(post, request.FILES, prefix="resolve"), "resolve_form"
            if form.is_valid():
                services.ticket_resolve(
                    ticket=ticket,
                    actor=actor,
                    note=form.cleaned_data["note"],
                    photos=form.cleaned_data["photos"],
                    ip=ip,
                )
        elif action == Action.RATE:
            form, form_name = forms.RateForm(post, prefix="rate"), "rate_form"
            if form.is_valid():
                services.ticket_rate(
                    ticket=ticket,
                    actor=actor,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    ip=ip,
                )
        elif action == Action.COMMENT:
            form, form_name = forms.CommentForm(post, request.FILES, prefix="comment"), "comment_form"
            if form.is_valid():
                services.ticket_comment(
                    ticket=ticket,
                    actor=actor,
                    note=form.cleaned_data["note"],
                    internal=form.cleaned_data["internal"],
                    ip=ip,
                )
                if form.cleaned_data["photos"]:
                    services.ticket_attach(
                        ticket=ticket, actor=actor, photos=form.cleaned_data["photos"], ip=ip
                    )
        elif action == Action.REQUEST_EXTENSION:
            form, form_name = forms.ExtensionForm(post, prefix="extension"), "extension_form"
            if form.is_valid():
                services.ticket_request_extension(
                    ticket=ticket,
                    actor=actor,
                    until=form.cleaned_data["until"],
                    note=form.cleaned_data["note"],
                    ip=ip,
                )
        elif action in (Action.GRANT_EXTENSION, Action.DENY_EXTENSION):
            form, form_name = forms.ExtensionAnswerForm(post, prefix="answer"), "extension_answer_form"
            if form.is_valid():
                services.ticket_answer_extension(
                    ticket=ticket,
                    actor=actor,
                    grant=form.cleaned_data["grant"],
                    note=form.cleaned_data["note"],
                    ip=ip,
                )
        else:
            form, form_name = forms.NoteForm(post, prefix="note"), "note_form"
            if form.is_valid():
                simple = {
                    Action.ACCEPT: lambda: services.ticket_accept(ticket=ticket, actor=actor, ip=ip),
                    Action.DECLINE: lambda: services.ticket_decline(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.RETURN: lambda: services.ticket_return(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.START: lambda: services.ticket_start(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.CLOSE: lambda: services.ticket_close(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.REOPEN: lambda: services.ticket_reopen(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.CANCEL: lambda: services.ticket_cancel(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                    Action.ESCALATE: lambda: services.ticket_escalate(
                        ticket=ticket, actor=actor, note=form.cleaned_data["note"], ip=ip
                    ),
                }.get(action)
                if simple is None:
                    raise Http404
                simple()
    except ValidationError as exc:
        add_service_errors(form, exc)
    if form is not None and not form.errors:
        messages.success(request, SUCCESS.get(action, _("Done.")))
        if (
            action in (Action.DECLINE, Action.RETURN)
            and not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists()
        ):
            return redirect("tickets:offers" if action == Action.DECLINE else "tickets:jobs")
        return redirect("tickets:detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket, **{form_name: form, "failed_action": action})
    return render(request, "tickets/detail.html", context, status=400)


@login_required
def attachment_view(request, attachment_id: int):
    """A photo, streamed only to those who may see its ticket (never a public media URL)."""
    attachment = selectors.attachment_get(viewer=request.user, pk=attachment_id)
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def follow_up_list_view(request):
    request.user.access.require("tickets.follow_up")
    page = _page(
        request, selectors.follow_up_list(viewer=request.user, pending=request.GET.get("done") != "1")
    )
    return render(
        request,
        "tickets/follow_ups.html",
        {"page": page, "form": forms.FollowUpForm(), "show_done": request.GET.get("done") == "1"},
    )


@login_required
@require_POST
def follow_up_record_view(request, follow_up_id: int):
    follow_up = selectors.follow_up_get(viewer=request.user, pk=follow_up_id)
    form = forms.FollowUpForm(request.POST)
    if submitted(
        request,
        form,
        lambda d: services.follow_up_record(
            follow_up=follow_up, actor=request.user, ip=client_ip(request), **d
        ),
    ):
        messages.success(request, _("Follow-up call recorded."))
        return redirect("tickets:follow_ups")
    page = _page(request, selectors.follow_up_list(viewer=request.user))
    return render(
        request,
        "tickets/follow_ups.html",
        {"page": page, "form": forms.FollowUpForm(), "failed": follow_up.pk, "failed_form": form},
        status=400,
    )


@login_required
def figures_view(request):
    request.user.access.require("tickets.view")
    from datetime import timedelta

    from django.utils import timezone

    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 1 <= int(days) <= 366 else 30
    total, areas = selectors.ticket_figures(
        viewer=request.user,
        since=timezone.now() - timedelta(days=days),
        kind=request.GET.get("kind", "")[:30],
    )
    return render(request, "tickets/figures.html", {"total": total, "areas": areas, "days": days})


def _routing_form(request, data=None):
    areas = areas_for_permission(viewer=request.user, permission="tickets.routing")
    categories = sorted(
        {(c.code, f"{p.label} · {c.label}") for p in registry.values() for c in p.categories},
        key=lambda x: x[1],
    )
    orgs = (
        organisation_list(viewer=request.user).filter(is_active=True)
        if request.user.access.has("orgs.view")
        else Organisation.objects.none()
    )
    return forms.RoutingRuleForm(data, areas=areas, organisations=orgs, categories=categories)


@login_required
def routing_rule_list_view(request):
    request.user.access.require("tickets.routing")
    form = _routing_form(request, request.POST or None)
    if submitted(
        request,
        form,
        lambda d: services.routing_rule_create(
            kind=d["kind"],
            category=d["category"],
            area=d["area"],
            strategy=d["strategy"],
            party_org=d["party_org"],
            actor=request.user,
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("Rule saved: new tickets that match are dispatched automatically."))
        return redirect("tickets:routing")
    rules = selectors.routing_rule_list(viewer=request.user)
    return render(
        request,
        "tickets/routing.html",
        {"rules": rules, "form": form, "Strategy": RoutingRule.Strategy},
        status=form_status(form),
    )


@login_required
@require_POST
def routing_rule_toggle_view(request, rule_id: int):
    rule = selectors.routing_rule_get(viewer=request.user, pk=rule_id)
    try:
        services.routing_rule_set_active(
            rule=rule, active=not rule.is_active, actor=request.user, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tickets:routing")
