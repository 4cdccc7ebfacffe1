"""Service pages: the resident's catalogue and order form (phone), the dispatch queue and the three
lists with Excel import and export (workbench)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import MOBILE_CONTEXT, User
from gongzhi.areas.models import Area, Level
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted
from gongzhi.core.vault import blind_index
from gongzhi.directory.selectors import organisation_list
from gongzhi.lib import idcodes
from gongzhi.people.services import person_find_by_id_number
from gongzhi.tickets.display import suggestion_rows
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.selectors import ticket_get
from gongzhi.tickets.services import ticket_dispatch

from . import selectors, services, spreadsheets
from .categories import CATEGORIES
from .forms import ImportForm, ListFilterForm, NeedForm, OfferingForm, OrderForm, ResourceForm
from .models import DISPATCHABLE, Resource, ServiceOffering

MANAGE_LEVELS = (Level.VILLAGE, Level.GRID, Level.TOWN, Level.COUNTY)


def _page(request, qs, per_page: int = 30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


# --- residents ------------------------------------------------------------------------------


@login_required
def catalogue_view(request):
    """The service list of my community, by category, and a way to describe any other need."""
    homes = selectors.home_communities(viewer=request.user)
    if not homes:
        return render(request, "services/catalogue.html", {"homes": [], "offerings": []})
    area = next((a for a in homes if a.code == request.GET.get("area")), homes[0])
    category = request.GET.get("category", "")
    category = category if category in {c.code for c in CATEGORIES} else ""
    offerings = selectors.catalogue(viewer=request.user, area=area, category=category)
    return render(
        request,
        "services/catalogue.html",
        {
            "homes": homes,
            "area": area,
            "offerings": offerings,
            "categories": CATEGORIES,
            "category": category,
        },
    )


@login_required
def order_view(request):
    """Order a listed service, or describe a need in a few taps."""
    if not request.user.access.has("tickets.submit"):
        raise PermissionDenied
    homes = selectors.home_communities(viewer=request.user)
    if not homes:
        messages.error(request, _("Your account belongs to no community yet: ask your community to add you."))
        return redirect("services:catalogue")
    areas = Area.objects.filter(code__in=[a.code for a in homes])
    offerings = ServiceOffering.objects.visible_to(request.user).filter(is_active=True)
    offering = None
    wanted = request.GET.get("offering") or request.POST.get("offering")
    if wanted and str(wanted).isdigit():
        offering = offerings.filter(pk=int(wanted)).select_related("provider", "area").first()
    initial = {"area": homes[0], "offering": offering}
    form = OrderForm(
        request.POST or None, request.FILES or None, areas=areas, offerings=offerings, initial=initial
    )

    def place(d):
        try:
            return services.order_place(
                resident=request.user,
                area=d["area"],
                offering=d["offering"],
                category=d["category"],
                title=d["title"],
                description=d["description"],
                preferred_time=d["preferred_time"],
                people=d["people"],
                address=d["address"],
                lat=d["lat"],
                lng=d["lng"],
                urgent=d["urgent"],
                photos=d["photos"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "location" in exc.error_dict:
                # A refused position is also shown beside the address the resident typed.
                location = exc.error_dict["location"][0].messages[0]
                raise ValidationError(
                    {**exc.error_dict, "address": [*exc.error_dict.get("address", []), location]}
                ) from exc
            raise

    done = submitted(request, form, place)
    if done:
        messages.success(request, _("Your order has been sent to the community."))
        return redirect("tickets:detail", ticket_id=done.result.pk)
    return render(
        request,
        "services/order.html",
        {"form": form, "offering": offering},
        status=form_status(form),
    )


# --- the dispatch queue ---------------------------------------------------------------------


def _queue_context(request):
    category = request.GET.get("category", "")
    page = _page(request, selectors.order_queue(viewer=request.user, category=category), 20)
    base = reverse("services:dispatch", args=[0])
    scope = request.user.access.scope("tickets.dispatch")
    rows = [
        (t, suggestion_rows(s), base.replace("/0/", f"/{t.pk}/") if scope.covers_area(t.area_id) else "")
        for t, s in selectors.with_suggestions(page.object_list)
    ]
    return {
        "page": page,
        "rows": rows,
        "categories": CATEGORIES,
        "category": category,
        "can_route": request.user.access.has("tickets.routing"),
        "can_dispatch": request.user.access.has("tickets.dispatch"),
        "cannot": _("cannot take it now"),
        "dispatch_label": _("Dispatch"),
    }


@login_required
def queue_view(request):
    request.user.access.require("tickets.view")
    return render(request, "services/queue.html", _queue_context(request))


@login_required
@require_POST
def dispatch_view(request, ticket_id: int):
    """One click: offer the order to the chosen suggestion, keeping why it was suggested."""
    ticket = ticket_get(viewer=request.user, pk=ticket_id)
    kind, _sep, pk = request.POST.get("party", "").partition(":")
    if kind not in ("org", "user") or not pk.isdigit():
        raise Http404
    party = PartyRef(kind, int(pk))
    suggestion = next((s for s in ticket.policy.suggest(ticket, limit=20) if s.party.key == party.key), None)
    reasons = (
        {party.key: {"components": suggestion.components, "facts": suggestion.facts}} if suggestion else {}
    )
    try:
        offers = ticket_dispatch(
            ticket=ticket, parties=[party], actor=request.user, reasons=reasons, ip=client_ip(request)
        )
    except ValidationError as exc:
        context = _queue_context(request)
        context["error"] = " ".join(exc.messages)
        context["error_ticket"] = ticket.pk
        return render(request, "services/queue.html", context, status=400)
    messages.success(
        request,
        _("“%(title)s” offered to %(party)s.") % {"title": ticket.title, "party": offers[0].party_label},
    )
    return redirect("services:queue")


@login_required
def plan_view(request):
    """Every waiting order assigned at once: the optimal plan beside the greedy one, then one click."""
    request.user.access.require("tickets.dispatch")
    from .batch import plan

    return render(request, "services/plan.html", {"plan": plan(request.user)})


@login_required
@require_POST
def dispatch_all_view(request):
    request.user.access.require("tickets.dispatch")
    try:
        done, skipped, _plan = services.orders_dispatch_all(viewer=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("services:plan")
    messages.success(
        request,
        _("%(done)d orders dispatched at once; %(skipped)d had changed meanwhile and were left alone.")
        % {"done": done, "skipped": skipped}
        if skipped
        else _("%(done)d orders dispatched at once.") % {"done": done},
    )
    return redirect("services:queue")


# --- the three lists ------------------------------------------------------------------------


LISTS = {
    "needs": {"title": _("Needs list"), "permission": "services.view"},
    "resources": {"title": _("Resource list"), "permission": "services.view"},
    "offerings": {"title": _("Service list"), "permission": "services.view"},
}


def _list_context(request, list_name: str, qs):
    filters = ListFilterForm(request.GET or None)
    return {
        "list_name": list_name,
        "page": _page(request, qs),
        "filters": filters,
        "can_manage": request.user.access.has("services.manage"),
        "tabs": [(k, v["title"]) for k, v in LISTS.items()],
    }


def _filters(request) -> dict:
    form = ListFilterForm(request.GET or None)
    return form.cleaned_data if form.is_valid() else {}


@login_required
def need_list_view(request):
    request.user.access.require("services.view")
    f = _filters(request)
    qs = selectors.need_list(
        viewer=request.user,
        q=f.get("q", ""),
        category=f.get("category", ""),
        status=request.GET.get("status", "active")[:10],
        area_code=request.GET.get("area", "")[:15],
    )
    return render(request, "services/needs.html", _list_context(request, "needs", qs))


@login_required
def resource_list_view(request):
    request.user.access.require("services.view")
    f = _filters(request)
    qs = selectors.resource_list(
        viewer=request.user,
        q=f.get("q", ""),
        category=f.get("category", ""),
        kind=request.GET.get("kind", "")[:12],
        area_code=request.GET.get("area", "")[:15],
    )
    return render(request, "services/resources.html", _list_context(request, "resources", qs))


@login_required
def offering_list_view(request):
    request.user.access.require("services.view")
    f = _filters(request)
    qs = selectors.offering_list(
        viewer=request.user,
        q=f.get("q", ""),
        category=f.get("category", ""),
        area_code=request.GET.get("area", "")[:15],
    )
    return render(request, "services/offerings.html", _list_context(request, "offerings", qs))


def _manage_areas(request, levels=MANAGE_LEVELS):
    return areas_for_permission(viewer=request.user, permission="services.manage", levels=levels)


def _person(id_number: str, viewer):
    if not id_number:
        return None
    try:
        idcodes.parse_id_card(id_number)
    except idcodes.IdCodeError:
        raise ValidationError({"id_number": [_("This is not a valid ID card number.")]}) from None
    person = person_find_by_id_number(id_number)
    if person is None or not viewer.access.can("people.view", person.area_id):
        raise ValidationError({"id_number": [_("No registered person in your area has this ID number.")]})
    return person


def _form_page(request, form, *, title: str, back: str, status: int = 200):
    return render(request, "services/form.html", {"form": form, "title": title, "back": back}, status=status)


@login_required
def need_create_view(request):
    request.user.access.require("services.manage")
    form = NeedForm(
        request.POST or None, areas=_manage_areas(request, (Level.VILLAGE, Level.GRID, Level.TOWN))
    )

    def create(d):
        person = _person(d["id_number"], request.user) if d["subject"] == "person" else None
        try:
            return services.need_create(
                actor=request.user,
                ip=client_ip(request),
                title=d["title"],
                category=d["category"],
                area=d["area"],
                subject=d["subject"],
                person=person,
                group_tag=d["group_tag"],
                beneficiaries=d["beneficiaries"],
                urgency=d["urgency"],
                source=d["source"],
                status=d["status"],
                frequency=d["frequency"],
                description=d["description"],
            )
        except ValidationError as exc:
            raise _person_errors(form, exc) from exc

    done = submitted(request, form, create)
    if done:
        messages.success(request, _("Need “%(title)s” added to the list.") % {"title": done.result.title})
        return redirect("services:needs")
    return _form_page(request, form, title=_("Add a need"), back="services:needs", status=form_status(form))


def _person_errors(form, exc: ValidationError) -> ValidationError:
    """The service's refusal, its model-side names also shown under the form field that stands for them."""
    if not hasattr(exc, "error_dict"):
        return ValidationError(exc.error_list)
    errors = dict(exc.error_dict)
    for model_field, form_field in (("person", "id_number"), ("user", "volunteer_mobile")):
        if model_field in exc.error_dict and form_field in form.fields:
            errors[form_field] = [
                *errors.get(form_field, []),
                *(e.messages[0] for e in exc.error_dict[model_field]),
            ]
    return ValidationError(errors)


@login_required
def need_edit_view(request, need_id: int):
    request.user.access.require("services.manage")
    need = selectors.need_get(viewer=request.user, pk=need_id)
    initial = {
        f: getattr(need, f)
        for f in (
            "title",
            "category",
            "subject",
            "group_tag",
            "beneficiaries",
            "urgency",
            "source",
            "status",
            "frequency",
            "description",
        )
    }
    form = NeedForm(request.POST or None, areas=None, editing=True, initial=initial)

    def update(d):
        person = need.person
        if d["subject"] == "person" and d["id_number"]:
            person = _person(d["id_number"], request.user)
        try:
            services.need_update(
                need=need,
                actor=request.user,
                ip=client_ip(request),
                person=person if d["subject"] == "person" else None,
                **{k: v for k, v in d.items() if k not in ("id_number",)},
            )
        except ValidationError as exc:
            raise _person_errors(form, exc) from exc

    if submitted(request, form, update):
        messages.success(request, _("Saved."))
        return redirect("services:needs")
    return _form_page(request, form, title=need.title, back="services:needs", status=form_status(form))


def _volunteer(mobile: str):
    if not mobile:
        return None
    try:
        number = idcodes.normalize_mobile(mobile)
    except idcodes.IdCodeError:
        raise ValidationError({"volunteer_mobile": [_("Enter a mainland China mobile number.")]}) from None
    user = User.objects.filter(
        mobile_index=blind_index(number, context=MOBILE_CONTEXT), is_active=True
    ).first()
    if user is None:
        raise ValidationError({"volunteer_mobile": [_("No account has this mobile number.")]})
    return user


def _resource_values(d: dict, user) -> dict:
    skills = [s for s in d["skills"].replace(",", "、").replace("，", "、").split("、") if s.strip()]
    values = {
        k: d[k]
        for k in (
            "name",
            "kind",
            "organisation",
            "categories",
            "capacity",
            "availability",
            "is_available",
            "address",
            "lat",
            "lng",
            "contact_name",
            "note",
            "is_active",
        )
    }
    values.update({"skills": skills, "user": user})
    if d.get("contact_phone"):
        values["contact_phone"] = d["contact_phone"]
    return values


@login_required
def resource_create_view(request):
    request.user.access.require("services.manage")
    orgs = (
        organisation_list(viewer=request.user).filter(is_active=True)
        if request.user.access.has("orgs.view")
        else None
    )
    from gongzhi.directory.models import Organisation

    form = ResourceForm(
        request.POST or None,
        areas=_manage_areas(request),
        organisations=orgs if orgs is not None else Organisation.objects.none(),
    )

    def create(d):
        user = _volunteer(d["volunteer_mobile"])
        try:
            return services.resource_create(
                actor=request.user, ip=client_ip(request), area=d["area"], **_resource_values(d, user)
            )
        except ValidationError as exc:
            raise _person_errors(form, exc) from exc

    done = submitted(request, form, create)
    if done:
        messages.success(request, _("“%(name)s” added to the resource list.") % {"name": done.result.name})
        return redirect("services:resources")
    return _form_page(
        request, form, title=_("Add a resource"), back="services:resources", status=form_status(form)
    )


@login_required
def resource_edit_view(request, resource_id: int):
    request.user.access.require("services.manage")
    resource = selectors.resource_get(viewer=request.user, pk=resource_id)
    from gongzhi.directory.models import Organisation

    orgs = (
        organisation_list(viewer=request.user).filter(is_active=True)
        if request.user.access.has("orgs.view")
        else Organisation.objects.none()
    )
    if resource.organisation_id:
        orgs = orgs | Organisation.objects.filter(pk=resource.organisation_id)
    initial = {
        f: getattr(resource, f)
        for f in (
            "name",
            "kind",
            "organisation",
            "categories",
            "capacity",
            "availability",
            "is_available",
            "address",
            "lat",
            "lng",
            "contact_name",
            "note",
            "is_active",
        )
    }
    initial["skills"] = "、".join(resource.skills)
    form = ResourceForm(request.POST or None, areas=None, organisations=orgs, editing=True, initial=initial)

    def update(d):
        user = _volunteer(d["volunteer_mobile"]) if d["volunteer_mobile"] else resource.user
        try:
            services.resource_update(
                resource=resource, actor=request.user, ip=client_ip(request), **_resource_values(d, user)
            )
        except ValidationError as exc:
            raise _person_errors(form, exc) from exc

    if submitted(request, form, update):
        messages.success(request, _("Saved."))
        return redirect("services:resources")
    return _form_page(request, form, title=resource.name, back="services:resources", status=form_status(form))


def _providers(request):
    return selectors.resource_list(viewer=request.user).filter(is_active=True, kind__in=DISPATCHABLE)


@login_required
def offering_create_view(request):
    request.user.access.require("services.manage")
    form = OfferingForm(request.POST or None, areas=_manage_areas(request), providers=_providers(request))
    done = submitted(
        request, form, lambda d: services.offering_create(actor=request.user, ip=client_ip(request), **d)
    )
    if done:
        messages.success(
            request,
            _("“%(title)s” is listed; people with a matching need have been told.")
            % {"title": done.result.title},
        )
        return redirect("services:offerings")
    return _form_page(
        request, form, title=_("Add a service"), back="services:offerings", status=form_status(form)
    )


@login_required
def offering_edit_view(request, offering_id: int):
    request.user.access.require("services.manage")
    offering = selectors.offering_get(viewer=request.user, pk=offering_id)
    if not request.user.access.can("services.manage", offering.area_id):
        raise PermissionDenied
    initial = {
        f: getattr(offering, f)
        for f in (
            "title",
            "category",
            "provider",
            "capacity",
            "is_free",
            "price",
            "schedule",
            "description",
            "is_active",
        )
    }
    providers = _providers(request) | Resource.objects.filter(pk=offering.provider_id)
    form = OfferingForm(request.POST or None, areas=None, providers=providers, editing=True, initial=initial)
    if submitted(
        request,
        form,
        lambda d: services.offering_update(offering=offering, actor=request.user, ip=client_ip(request), **d),
    ):
        messages.success(request, _("Saved."))
        return redirect("services:offerings")
    return _form_page(
        request, form, title=offering.title, back="services:offerings", status=form_status(form)
    )


EXPORTS = {
    "needs": lambda viewer: selectors.need_list(viewer=viewer, status=""),
    "resources": lambda viewer: selectors.resource_list(viewer=viewer),
    "offerings": lambda viewer: selectors.offering_list(viewer=viewer),
}


@login_required
def list_export_view(request, list_name: str):
    """The list of the viewer's areas as Excel (personal numbers masked), recorded in the audit log."""
    request.user.access.require("services.view")
    if list_name not in EXPORTS:
        raise Http404
    content, count = spreadsheets.workbook(
        list_name, EXPORTS[list_name](request.user).iterator(chunk_size=2000)
    )
    audit_record(
        actor=request.user,
        action=f"{list_name}.export",
        object_type=f"services.{list_name}",
        ip=client_ip(request),
        changes={"rows": count},
    )
    response = HttpResponse(content, content_type=spreadsheets.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{list_name}.xlsx"'
    return response


@login_required
def list_import_view(request, list_name: str):
    request.user.access.require("services.manage")
    if list_name not in EXPORTS:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            count = services.list_import(
                list_name=list_name,
                upload=form.cleaned_data["file"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors = exc.messages
            form.add_error("file", _("Nothing was imported: correct the rows below and try again."))
        else:
            messages.success(request, _("%(n)d rows imported.") % {"n": count})
            return redirect(f"services:{list_name}")
    _m, columns, title = spreadsheets.LISTS[list_name]
    return render(
        request,
        "services/import.html",
        {"form": form, "errors": errors, "list_name": list_name, "title": title, "columns": columns},
        status=form_status(form),
    )


def lists_view(request):
    return redirect("services:needs")
