"""Sentinel pages: the rider's report form (phone), "is this the same?" while writing, my leads;
merging for the dispatcher; categories and figures for staff (workbench)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Level
from gongzhi.areas.scoping import get_visible_or_404
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted
from gongzhi.tickets import selectors as tickets_selectors
from gongzhi.tickets.selectors import ticket_get

from . import selectors, services
from .forms import CategoryForm, FiguresForm, MergeForm, ReportForm
from .models import SentinelCategory


def report_view(request):
    request.user.access.require("sentinel.report")
    areas = tickets_selectors.reporting_areas(viewer=request.user)
    home = tickets_selectors.home_community(viewer=request.user)
    categories = list(selectors.category_list())
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        categories=categories,
        areas=areas,
        initial={"area": home.pk if home else None},
    )

    def report(d):
        area = tickets_selectors.placed_community(
            viewer=request.user, chosen=d["area"], lat=d["lat"], lng=d["lng"]
        )
        return services.lead_report(
            reporter=request.user,
            category=d["category"],
            area=area,
            lat=d["lat"],
            lng=d["lng"],
            text=d["text"],
            photos=d["photos"],
            address=d["address"],
            ip=client_ip(request),
        )

    done = submitted(request, form, report)
    if done:
        ticket = done.result
        messages.success(
            request, _("Thank you: your lead %(number)s has been sent.") % {"number": ticket.number}
        )
        return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(
        request,
        "sentinel/report.html",
        {"form": form, "categories": categories},
        status=form_status(form),
    )


def nearby_view(request):
    """htmx fragment: open leads of the chosen category near the position being reported."""
    request.user.access.require("sentinel.report")
    category = SentinelCategory.objects.filter(code=request.GET.get("category", ""), is_active=True).first()
    found = []
    try:
        lat, lng = float(request.GET.get("lat", "")), float(request.GET.get("lng", ""))
    except ValueError:
        category = None
    if category is not None:
        try:
            found = selectors.nearby_open_leads(category=category, lat=lat, lng=lng)[:5]
        except ValueError:
            found = []
    return render(request, "sentinel/_nearby.html", {"found": found, "category": category})


def mine_view(request):
    request.user.access.require("sentinel.report")
    return render(request, "sentinel/mine.html", {"tickets": selectors.my_leads(viewer=request.user)[:100]})


def merge_view(request, ticket_id: int):
    """The dispatcher sees the lead's likely duplicates and merges it into one of them."""
    ticket = ticket_get(viewer=request.user, pk=ticket_id)
    lead = selectors.lead_of(ticket)
    if lead is None or not request.user.access.can("tickets.dispatch", ticket.area_id):
        raise PermissionDenied
    form = MergeForm(request.POST or None)

    def merge(d):
        try:
            into = ticket_get(viewer=request.user, pk=d["into"])
        except Exception:
            raise ValidationError({"into": [_("No lead with this number that you may see.")]}) from None
        services.lead_merge(duplicate=ticket, into=into, actor=request.user, ip=client_ip(request))
        return into

    done = submitted(request, form, merge)
    if done:
        into = done.result
        messages.success(
            request, _("Merged: the reporter will see the outcome of %(n)s.") % {"n": into.number}
        )
        return redirect("tickets:detail", ticket_id=into.pk)
    found = [
        n
        for n in selectors.nearby_open_leads(
            category=lead.category, lat=lead.lat, lng=lead.lng, exclude=lead.pk
        )
        if n.lead.created_at <= lead.created_at
    ]
    return render(
        request,
        "sentinel/merge.html",
        {"form": form, "ticket": ticket, "lead": lead, "found": found},
        status=form_status(form),
    )


def category_list_view(request):
    request.user.access.require("sentinel.manage")
    return render(
        request, "sentinel/categories.html", {"categories": selectors.category_list(active_only=False)}
    )


def category_edit_view(request, category_id: int | None = None):
    request.user.access.require("sentinel.manage")
    category = get_object_or_404(SentinelCategory, pk=category_id) if category_id else None
    initial = {}
    if category is not None:
        initial = {f: getattr(category, f) for f in CategoryForm.base_fields}
    form = CategoryForm(request.POST or None, initial=initial)
    if category is not None:
        form.fields["code"].disabled = True

    def save(d):
        data = services.CategoryInput(**d)
        if category is None:
            services.category_create(data=data, actor=request.user, ip=client_ip(request))
        else:
            services.category_update(category=category, data=data, actor=request.user, ip=client_ip(request))

    if submitted(request, form, save):
        messages.success(request, _("Category saved."))
        return redirect("sentinel:categories")
    return render(
        request,
        "sentinel/category_form.html",
        {"form": form, "category": category},
        status=form_status(form),
    )


def figures_view(request):
    request.user.access.require("tickets.view")
    form = FiguresForm(request.GET or None)
    by = form.cleaned_data.get("by") if form.is_valid() else ""
    by = by or "category"
    return render(
        request,
        "sentinel/figures.html",
        {"form": form, "by": by, "rows": selectors.lead_figures(viewer=request.user, by=by)},
    )


def client_list_view(request):
    """Open311 clients: issue a key (shown once), revoke one."""
    request.user.access.require("sentinel.manage")
    from gongzhi.accounts.models import User
    from gongzhi.areas.selectors import areas_for_permission

    from .forms import ClientForm
    from .models import Open311Client

    areas = areas_for_permission(
        viewer=request.user, permission="sentinel.manage", levels=(Level.COUNTY, Level.TOWN, Level.CITY)
    )
    form = ClientForm(request.POST or None, areas=areas)
    issued = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            account = User.objects.get_by_natural_key(d["account_mobile"].strip())
        except User.DoesNotExist:
            account = None
        try:
            _client, issued = services.client_issue(
                name=d["name"],
                contact=d["contact"],
                account=account,
                area=d["area"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "account" in exc.error_dict:
                form.add_error("account_mobile", exc.error_dict.pop("account")[0].messages[0])
            if getattr(exc, "error_dict", None):
                add_service_errors(form, exc)
        else:
            form = ClientForm(areas=areas)
    clients = (
        Open311Client.objects.visible_to(request.user)
        .select_related("account", "area")
        .order_by("-created_at")
    )
    return render(
        request,
        "sentinel/clients.html",
        {"form": form, "clients": clients, "issued": issued},
        status=form_status(form),
    )


@require_POST
def client_revoke_view(request, client_id: int):
    request.user.access.require("sentinel.manage")
    from .models import Open311Client

    client = get_visible_or_404(Open311Client.objects.all(), request.user, pk=client_id)
    services.client_revoke(client=client, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Key revoked: the client can no longer post."))
    return redirect("sentinel:clients")
