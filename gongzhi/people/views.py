"""Person registry pages for community workers, social workers and staff above them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted

from . import selectors, services
from .forms import ConsentForm, PersonEditForm, PersonFilterForm, PersonForm, RevealForm


@login_required
def person_list_view(request):
    request.user.access.require("people.view")
    filters = PersonFilterForm(request.GET or None)
    q = tag = ""
    if filters.is_valid():
        q, tag = filters.cleaned_data["q"], filters.cleaned_data["tag"]
    qs = selectors.person_list(viewer=request.user, q=q, tag=tag, area_code=request.GET.get("area", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    template = "people/_rows.html" if request.headers.get("HX-Request") else "people/list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "can_manage": request.user.access.has("people.manage"),
            "can_export": request.user.access.has("people.export"),
        },
    )


@login_required
def person_detail_view(request, person_id: int):
    request.user.access.require("people.view")
    person = selectors.person_get(viewer=request.user, pk=person_id)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "reveal_form": RevealForm(),
            "can_reveal": request.user.access.can("people.reveal", person.area_id),
        },
    )


@login_required
@require_POST
def person_reveal_view(request, person_id: int):
    person = selectors.person_get(viewer=request.user, pk=person_id)
    form = RevealForm(request.POST)
    value = submitted(
        request,
        form,
        lambda d: services.person_reveal(
            person=person, field=d["field"], viewer=request.user, reason=d["reason"], ip=client_ip(request)
        ),
    ).result
    status = 200 if value is not None else 400
    field_label = dict(form.fields["field"].choices).get(form.cleaned_data.get("field", "")) if value else ""
    return render(
        request,
        "people/_revealed.html",
        {"form": form, "value": value, "person": person, "field_label": field_label},
        status=status,
    )


@login_required
def person_create_view(request):
    request.user.access.require("people.manage")
    areas = areas_for_permission(viewer=request.user, permission="people.manage")
    form = PersonForm(request.POST or None, areas=areas)

    def create(d):
        consent = None
        if form.consent_given():
            consent = services.ConsentInput(
                guardian_name=d["guardian_name"],
                relationship=d["relationship"],
                guardian_mobile=d["guardian_mobile"],
                purpose=d["purpose"],
                method=d["method"],
            )
        return services.person_create(
            name=d["name"],
            area=d["area"],
            id_number=d["id_number"],
            mobile=d["mobile"],
            address=d["address"],
            tags=d["tags"],
            consent=consent,
            created_by=request.user,
            ip=client_ip(request),
        )

    done = submitted(request, form, create)
    if done:
        person = done.result
        messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
        return redirect("people:detail", person_id=person.pk)
    return render(request, "people/form.html", {"form": form}, status=form_status(form))


@login_required
def person_export_view(request):
    """The registry of the viewer's scope as Excel, numbers masked (REQUIREMENTS-CN: exports too)."""
    request.user.access.require("people.export")
    from django.http import HttpResponse

    from gongzhi.audit.services import audit_record

    from .exports import people_workbook

    qs = selectors.person_list(
        viewer=request.user, tag=request.GET.get("tag", "")[:30], area_code=request.GET.get("area", "")[:15]
    )
    content, count = people_workbook(qs)
    audit_record(
        actor=request.user,
        action="person.export",
        object_type="people.person",
        ip=client_ip(request),
        changes={"rows": count},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="people.xlsx"'
    return response


@login_required
def person_edit_view(request, person_id: int):
    request.user.access.require("people.manage")
    person = selectors.person_get(viewer=request.user, pk=person_id)
    initial = {"name": person.name, "address": person.address, "tags": person.tag_list}
    form = PersonEditForm(request.POST or None, initial=initial)
    if submitted(
        request,
        form,
        lambda d: services.person_update(
            person=person,
            updated_by=request.user,
            ip=client_ip(request),
            name=d["name"],
            address=d["address"],
            mobile=d["mobile"] or None,
            tags=d["tags"],
        ),
    ):
        messages.success(request, _("The record has been updated."))
        return redirect("people:detail", person_id=person.pk)
    return render(request, "people/edit.html", {"form": form, "person": person}, status=form_status(form))


@login_required
def consent_create_view(request, person_id: int):
    request.user.access.require("people.manage")
    person = selectors.person_get(viewer=request.user, pk=person_id)
    form = ConsentForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda d: services.consent_record(
            person=person,
            consent=services.ConsentInput(**d),
            recorded_by=request.user,
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The guardian's consent has been recorded."))
        return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/consent_form.html",
        {"form": form, "person": person},
        status=form_status(form),
    )


@login_required
@require_POST
def consent_withdraw_view(request, person_id: int, consent_id: int):
    request.user.access.require("people.manage")
    person = selectors.person_get(viewer=request.user, pk=person_id)
    consent = person.consents.filter(pk=consent_id, withdrawn_at__isnull=True).first()
    if consent is not None:
        services.consent_withdraw(consent=consent, withdrawn_by=request.user, ip=client_ip(request))
        messages.success(request, _("The consent has been marked as withdrawn."))
    return redirect("people:detail", person_id=person.pk)
