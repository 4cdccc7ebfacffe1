"""Pages of disputes and consumer complaints: the resident's forms and list (phone), the queue
and the case page of the office and the task force (workbench), and the figures.

The life-cycle actions every kind shares (close, reopen, escalate, notes) stay on the ticket
engine's page, linked from each case page; the actions only these kinds have live here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.tickets.models import State
from gongzhi.tickets.selectors import ticket_timeline
from gongzhi.tickets.services import allowed_actions, hats, ticket_accept

from . import selectors, services
from .forms import (
    AssignForm,
    ComplaintForm,
    ConcludeForm,
    DisputeForm,
    FiguresForm,
    RevealForm,
    SessionForm,
)
from .models import PartyRole
from .policy import COMPLAINT, DISPUTE

# --- the resident's side ------------------------------------------------------------------------


@login_required
def dispute_new_view(request):
    request.user.access.require("tickets.submit")
    areas, home = selectors.home_areas(viewer=request.user)
    on_behalf = request.user.access.has("tickets.dispatch")
    form = DisputeForm(request.POST or None, areas=areas, initial={"area": home}, on_behalf=on_behalf)

    def submit(d):
        parties = [services.PartyInput(d["other_name"], d["other_mobile"], PartyRole.RESPONDENT)]
        # The applicant is the resident (their account's name), or whom the office registers it for.
        applicant = (d.get("applicant_name") or "").strip() or request.user.name
        parties.insert(0, services.PartyInput(applicant, d["my_mobile"], PartyRole.APPLICANT))
        try:
            return services.dispute_submit(
                submitter=request.user,
                area=d["area"],
                category=d["category"],
                text=d["text"],
                parties=parties,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _party_errors_to_fields(
                exc,
                {
                    "parties.0.name": "applicant_name",
                    "parties.0.mobile": "my_mobile",
                    "parties.1.name": "other_name",
                    "parties.1.mobile": "other_mobile",
                },
            )
            raise

    done = submitted(request, form, submit)
    if done:
        ticket = done.result
        messages.success(
            request,
            _("Your dispute %(number)s has been received; the community will arrange mediation.")
            % {"number": ticket.number},
        )
        return redirect("mediation:dispute", ticket_id=ticket.pk)
    return render(request, "mediation/dispute_new.html", {"form": form}, status=form_status(form))


def _party_errors_to_fields(exc: ValidationError, mapping: dict[str, str]) -> None:
    """Put the service's per-party errors beside the form fields that carried them."""
    if not hasattr(exc, "error_dict"):
        return
    for source, target in mapping.items():
        if source in exc.error_dict:
            exc.error_dict.setdefault(target, []).extend(exc.error_dict.pop(source))
    if "parties" in exc.error_dict:
        exc.error_dict.setdefault("other_name", []).extend(exc.error_dict.pop("parties"))


@login_required
def complaint_new_view(request):
    request.user.access.require("tickets.submit")
    areas, home = selectors.home_areas(viewer=request.user)
    merchants = list(services.complaint_merchants(near_area_code=home or ""))
    form = ComplaintForm(request.POST or None, areas=areas, merchants=merchants, initial={"area": home})
    done = submitted(
        request,
        form,
        lambda d: services.complaint_submit(
            submitter=request.user,
            area=d["area"],
            category=d["category"],
            merchant_id=d["merchant"] or None,
            amount=d["amount"],
            ask=d["ask"],
            text=d["text"],
            purchased_on=d["purchased_on"],
            ip=client_ip(request),
        ),
    )
    if done:
        ticket = done.result
        messages.success(
            request, _("Your complaint %(number)s has been received.") % {"number": ticket.number}
        )
        return redirect("mediation:complaint", ticket_id=ticket.pk)
    return render(request, "mediation/complaint_new.html", {"form": form}, status=form_status(form))


@login_required
def mine_view(request):
    page = Paginator(selectors.my_cases(viewer=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "mediation/mine.html", {"page": page})


# --- the office's and the task force's side ---------------------------------------------------


def _list(request, kind: str, template: str):
    if not (request.user.access.has("tickets.view") or request.user.access.has("tickets.handle")):
        raise PermissionDenied
    state = (request.GET.get("state") or "open")[:12]
    merchant = request.GET.get("merchant", "")
    qs = selectors.case_list(
        viewer=request.user,
        kind=kind,
        state="" if state == "all" else state,
        q=(request.GET.get("q") or "")[:50],
        merchant_id=int(merchant) if merchant.isdigit() else None,
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {"page": page, "state": state, "states": State.choices, "q": request.GET.get("q", "")},
    )


@login_required
def case_list_view(request, kind: str):
    return _list(request, kind, f"mediation/{kind}s.html")


def _case_context(request, ticket, **forms):
    allowed = allowed_actions(ticket, request.user)
    context = {
        "ticket": ticket,
        "allowed": allowed,
        "staff": selectors.is_staff_on(ticket, request.user),
        "is_submitter": ticket.submitter_id == request.user.pk,
        "timeline": ticket_timeline(ticket=ticket, viewer=request.user),
    }
    if {"dispatch", "reassign"} & allowed:
        context["assign_form"] = forms.pop("assign_form", None) or AssignForm(
            organisations=services.assignable_organisations(ticket)
        )
    context.update(forms)
    return context


def _may_conclude(request, ticket, case, allowed) -> bool:
    if ticket.state in (State.ACCEPTED, State.IN_PROGRESS):
        return "resolve" in allowed
    return services.outcome_missing(ticket, case) and "assignee" in hats(ticket, request.user)


def _dispute_page(request, ticket, status=200, **forms):
    view = selectors.dispute_detail(viewer=request.user, ticket=ticket)
    context = _case_context(request, ticket, **forms)
    context.update(
        {
            "view": view,
            "dispute": view.dispute,
            "can_reveal": request.user.access.can("mediation.reveal", ticket.area_id)
            or "resolve" in context["allowed"]
            or "start" in context["allowed"],
            "reveal_form": RevealForm(),
        }
    )
    working = ticket.state in (State.ACCEPTED, State.IN_PROGRESS)
    if working and context["staff"]:
        context.setdefault("session_form", SessionForm(initial={"held_on": timezone.localdate()}))
    if _may_conclude(request, ticket, view.dispute, context["allowed"]):
        context.setdefault("conclude_form", ConcludeForm(kind=DISPUTE))
    return render(request, "mediation/dispute.html", context, status=status)


def _complaint_page(request, ticket, status=200, **forms):
    context = _case_context(request, ticket, **forms)
    context["complaint"] = selectors.complaint_detail(ticket=ticket)
    if _may_conclude(request, ticket, context["complaint"], context["allowed"]):
        context.setdefault("conclude_form", ConcludeForm(kind=COMPLAINT))
    return render(request, "mediation/complaint.html", context, status=status)


PAGES = {DISPUTE: (_dispute_page, "mediation:dispute"), COMPLAINT: (_complaint_page, "mediation:complaint")}


@login_required
def case_detail_view(request, kind: str, ticket_id: int):
    page, _url = PAGES[kind]
    return page(request, selectors.case_get(viewer=request.user, pk=ticket_id, kind=kind))


def _act(request, ticket_id: int, kind: str, form_name: str, form, call, success: str):
    """Run one action of a case page; a refusal re-renders the page with the reason (400)."""
    ticket = selectors.case_get(viewer=request.user, pk=ticket_id, kind=kind)
    page, url_name = PAGES[kind]
    form = form(ticket)
    if submitted(request, form, lambda d: call(ticket, d)):
        messages.success(request, success)
        return redirect(url_name, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return page(request, ticket, status=400, **{form_name: form})


@login_required
@require_POST
def case_assign_view(request, kind: str, ticket_id: int):
    return _act(
        request,
        ticket_id,
        kind,
        "assign_form",
        lambda t: AssignForm(request.POST, organisations=services.assignable_organisations(t)),
        lambda t, d: services.case_assign(
            ticket=t,
            organisation=d["organisation"],
            actor=request.user,
            note=d["note"],
            ip=client_ip(request),
        ),
        _("Sent: they have been told."),
    )


@login_required
@require_POST
def case_accept_view(request, kind: str, ticket_id: int):
    ticket = selectors.case_get(viewer=request.user, pk=ticket_id, kind=kind)
    try:
        ticket_accept(ticket=ticket, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Accepted: the case is yours."))
    return redirect(PAGES[kind][1], ticket_id=ticket.pk)


@login_required
@require_POST
def session_view(request, ticket_id: int):
    return _act(
        request,
        ticket_id,
        DISPUTE,
        "session_form",
        lambda t: SessionForm(request.POST),
        lambda t, d: services.session_record(ticket=t, actor=request.user, ip=client_ip(request), **d),
        _("Session recorded."),
    )


CONCLUDE = {
    DISPUTE: (services.dispute_conclude, gettext_lazy("Outcome recorded: the resident is asked to confirm.")),
    COMPLAINT: (
        services.complaint_conclude,
        gettext_lazy("Outcome recorded: the consumer is asked to confirm."),
    ),
}


@login_required
@require_POST
def case_conclude_view(request, kind: str, ticket_id: int):
    conclude, success = CONCLUDE[kind]
    return _act(
        request,
        ticket_id,
        kind,
        "conclude_form",
        lambda t: ConcludeForm(request.POST, kind=kind),
        lambda t, d: conclude(ticket=t, actor=request.user, ip=client_ip(request), **d),
        success,
    )


@login_required
@require_POST
def party_reveal_view(request, ticket_id: int, party_id: int):
    """htmx fragment: the full name or phone of a party, after an audited reveal."""
    party = selectors.party_get(viewer=request.user, ticket_pk=ticket_id, party_pk=party_id)
    form = RevealForm(request.POST)
    value = submitted(
        request,
        form,
        lambda d: services.party_reveal(
            party=party, field=d["field"], viewer=request.user, reason=d["reason"], ip=client_ip(request)
        ),
    ).result
    return render(
        request,
        "mediation/_revealed.html",
        {"form": form, "value": value, "party": party, "ticket_id": ticket_id},
        status=200 if value is not None else 400,
    )


@login_required
def figures_view(request):
    request.user.access.require("tickets.view")
    form = FiguresForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    by, complaints_by = data.get("by") or "area", data.get("complaints_by") or "merchant"
    disputes_total, disputes = selectors.dispute_figures(viewer=request.user, by=by)
    complaints_total, complaints = selectors.complaint_figures(viewer=request.user, by=complaints_by)
    return render(
        request,
        "mediation/figures.html",
        {
            "form": form,
            "disputes_total": disputes_total,
            "disputes": disputes,
            "complaints_total": complaints_total,
            "complaints": complaints,
            "complaints_by": complaints_by,
        },
    )
