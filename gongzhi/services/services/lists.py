"""Keeping the three lists: each entry checked the same way whether typed in a form, posted to the
API or read from a row of an Excel file (``clean_*`` return the checked fields or raise)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import idcode_error
from gongzhi.core.vault import protect
from gongzhi.directory.models import Organisation
from gongzhi.lib import idcodes
from gongzhi.lib.geo import validate_lat_lng
from gongzhi.people.models import Person, Tag

from ..categories import BY_CODE
from ..models import (
    DISPATCHABLE,
    Need,
    NeedSource,
    NeedStatus,
    Resource,
    ResourceKind,
    ServiceOffering,
    Subject,
    Urgency,
)

CONTACT_CONTEXT = "resource.contact_phone"


class Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, code: str) -> None:
        if self:
            raise ValidationError(
                {f: [ValidationError(m, code=code) for m in msgs] for f, msgs in self.items()}
            )


def _text(errors: Errors, field: str, value, *, required: bool, max_length: int, message: str = "") -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        errors.add(field, message or _("This field is required."))
    elif len(value) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _category(errors: Errors, value: str, field: str = "category") -> str:
    if value not in BY_CODE:
        errors.add(field, _("Unknown category “%(code)s”.") % {"code": str(value)[:40]})
    return value


def _area(errors: Errors, area: Area | None, actor, *, levels, field: str = "area") -> Area | None:
    if area is None:
        errors.add(field, _("Unknown area."))
        return None
    if levels and area.level not in levels:
        errors.add(
            field,
            _("Choose an area of one of these levels: %(levels)s.")
            % {"levels": "、".join(str(Level(lv).label) for lv in levels)},
        )
    elif actor is not None and not actor.access.can("services.manage", area.code):
        errors.add(field, _("%(area)s is outside the areas whose lists you keep.") % {"area": area.name})
    return area


def _positive(errors: Errors, field: str, value, *, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number."))
        return 0
    if not 1 <= number <= maximum:
        errors.add(field, _("Enter a number from 1 to %(max)d.") % {"max": maximum})
    return number


def _choice(errors: Errors, field: str, value, choices) -> object:
    if value not in choices.values:
        errors.add(field, _("Choose one of the listed values."))
    return value


# --- needs ------------------------------------------------------------------------------------


def clean_need(
    *,
    actor,
    title: str,
    category: str,
    area: Area | None,
    subject: str = Subject.PERSON,
    person: Person | None = None,
    group_tag: str = "",
    beneficiaries=1,
    urgency=Urgency.NORMAL,
    source: str = NeedSource.VISIT,
    status: str = NeedStatus.OPEN,
    frequency: str = "",
    description: str = "",
) -> dict:
    errors = Errors()
    fields = {
        "title": _text(
            errors, "title", title, required=True, max_length=120, message=_("Say what is needed.")
        ),
        "category": _category(errors, category),
        "area": _area(errors, area, actor, levels=(Level.VILLAGE, Level.GRID, Level.TOWN)),
        "subject": _choice(errors, "subject", subject, Subject),
        "beneficiaries": _positive(errors, "beneficiaries", beneficiaries, maximum=100_000),
        "urgency": _choice(errors, "urgency", int(urgency) if str(urgency).isdigit() else urgency, Urgency),
        "source": _choice(errors, "source", source, NeedSource),
        "status": _choice(errors, "status", status, NeedStatus),
        "frequency": _text(errors, "frequency", frequency, required=False, max_length=40),
        "description": _text(errors, "description", description, required=False, max_length=2000),
        "person": None,
        "group_tag": "",
    }
    if subject == Subject.PERSON:
        if person is None:
            errors.add("person", _("Name the person who needs it."))
        elif area is not None and not person.area_id.startswith(area.prefix):
            errors.add("person", _("This person is not registered in %(area)s.") % {"area": area.name})
        fields["person"] = person
    elif subject == Subject.GROUP:
        if group_tag not in Tag.values:
            errors.add("group_tag", _("Choose the group that needs it."))
        fields["group_tag"] = group_tag
    errors.raise_if_any("need.invalid")
    return fields


@transaction.atomic
def need_create(*, actor, ip: str | None = None, **values) -> Need:
    fields = clean_need(actor=actor, **values)
    need = Need.objects.create(created_by=actor, **fields)
    audit_record(
        actor=actor,
        action="need.create",
        obj=need,
        ip=ip,
        changes={"category": need.category, "subject": need.subject, "urgency": need.urgency},
    )
    from .push import need_match_existing

    need_match_existing(need=need)
    return need


NEED_EDITABLE = (
    "title",
    "category",
    "subject",
    "person",
    "group_tag",
    "beneficiaries",
    "urgency",
    "source",
    "status",
    "frequency",
    "description",
)


@transaction.atomic
def need_update(*, need: Need, actor, ip: str | None = None, **changes) -> Need:
    current = {f: getattr(need, f) for f in NEED_EDITABLE}
    current.update({k: v for k, v in changes.items() if k in NEED_EDITABLE})
    fields = clean_need(actor=actor, area=need.area, **current)
    fields.pop("area")
    changed = {k: v for k, v in fields.items() if getattr(need, k) != v}
    for k, v in changed.items():
        setattr(need, k, v)
    need.updated_at = timezone.now()
    need.save()
    audit_record(
        actor=actor,
        action="need.update",
        obj=need,
        ip=ip,
        changes={k: (v.pk if hasattr(v, "pk") else v) for k, v in changed.items() if k != "person"},
    )
    return need


# --- resources --------------------------------------------------------------------------------


def clean_resource(
    *,
    actor,
    name: str,
    kind: str,
    area: Area | None,
    organisation: Organisation | None = None,
    user: User | None = None,
    categories=(),
    skills=(),
    capacity=3,
    availability: str = "",
    is_available: bool = True,
    lat=None,
    lng=None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str | None = None,
    note: str = "",
    is_active: bool = True,
) -> dict:
    errors = Errors()
    categories = sorted(set(categories or []))
    for code in categories:
        _category(errors, code, "categories")
    skills = sorted({s.strip()[:30] for s in skills or [] if s and s.strip()})
    fields = {
        "name": _text(errors, "name", name, required=True, max_length=120, message=_("Enter a name.")),
        "kind": _choice(errors, "kind", kind, ResourceKind),
        "area": _area(errors, area, actor, levels=()),
        "categories": categories,
        "skills": skills[:20],
        "capacity": _positive(errors, "capacity", capacity, maximum=10_000),
        "availability": _text(errors, "availability", availability, required=False, max_length=100),
        "is_available": bool(is_available),
        "address": _text(errors, "address", address, required=False, max_length=200),
        "contact_name": _text(errors, "contact_name", contact_name, required=False, max_length=50),
        "note": _text(errors, "note", note, required=False, max_length=300),
        "is_active": bool(is_active),
        "organisation": organisation,
        "user": user,
        "lat": None,
        "lng": None,
    }
    if organisation is not None and user is not None:
        errors.add("user", _("Link an organisation or a volunteer, not both."))
    if kind == ResourceKind.VOLUNTEER and user is None:
        errors.add("user", _("A volunteer needs an account (their mobile number)."))
    if kind in (ResourceKind.ORGANISATION, ResourceKind.MERCHANT) and organisation is None:
        errors.add("organisation", _("Choose the organisation from the directory."))
    if kind in DISPATCHABLE and not categories:
        errors.add("categories", _("List at least one category it can serve."))
    if lat not in (None, "") or lng not in (None, ""):
        try:
            fields["lat"], fields["lng"] = validate_lat_lng(lat, lng)
        except ValueError:
            errors.add("lat", _("The coordinates are not a valid position."))
    if contact_phone:
        try:
            number = idcodes.normalize_mobile(contact_phone)
            p = protect(number, context=CONTACT_CONTEXT, mask=idcodes.mask_mobile)
            fields["contact_phone_enc"], fields["contact_phone_masked"] = p.enc, p.masked
        except idcodes.IdCodeError as exc:
            errors.add("contact_phone", idcode_error(exc).messages[0])
    elif contact_phone == "":
        fields["contact_phone_enc"] = fields["contact_phone_masked"] = ""
    errors.raise_if_any("resource.invalid")
    return fields


@transaction.atomic
def resource_create(*, actor, ip: str | None = None, **values) -> Resource:
    fields = clean_resource(actor=actor, **values)
    resource = Resource.objects.create(created_by=actor, **fields)
    audit_record(
        actor=actor,
        action="resource.create",
        obj=resource,
        ip=ip,
        changes={
            "kind": resource.kind,
            "categories": ",".join(resource.categories),
            "capacity": resource.capacity,
        },
    )
    return resource


RESOURCE_EDITABLE = (
    "name",
    "kind",
    "organisation",
    "user",
    "categories",
    "skills",
    "capacity",
    "availability",
    "is_available",
    "lat",
    "lng",
    "address",
    "contact_name",
    "note",
    "is_active",
)


@transaction.atomic
def resource_update(*, resource: Resource, actor, ip: str | None = None, **changes) -> Resource:
    current = {f: getattr(resource, f) for f in RESOURCE_EDITABLE}
    current.update({k: v for k, v in changes.items() if k in (*RESOURCE_EDITABLE, "contact_phone")})
    fields = clean_resource(actor=actor, area=resource.area, **current)
    fields.pop("area")
    changed = [k for k, v in fields.items() if getattr(resource, k) != v]
    for k in changed:
        setattr(resource, k, fields[k])
    resource.updated_at = timezone.now()
    resource.save()
    audit_record(
        actor=actor,
        action="resource.update",
        obj=resource,
        ip=ip,
        changes={"fields": ",".join(sorted(changed))},
    )
    return resource


# --- service offerings ----------------------------------------------------------------------


def clean_offering(
    *,
    actor,
    title: str,
    category: str,
    provider: Resource | None,
    area: Area | None,
    capacity=5,
    is_free: bool = True,
    price: str = "",
    schedule: str = "",
    description: str = "",
    is_active: bool = True,
) -> dict:
    errors = Errors()
    fields = {
        "title": _text(errors, "title", title, required=True, max_length=120, message=_("Name the service.")),
        "category": _category(errors, category),
        "area": _area(errors, area, actor, levels=()),
        "capacity": _positive(errors, "capacity", capacity, maximum=10_000),
        "is_free": bool(is_free),
        "price": _text(errors, "price", price, required=False, max_length=40),
        "schedule": _text(errors, "schedule", schedule, required=False, max_length=100),
        "description": _text(errors, "description", description, required=False, max_length=2000),
        "is_active": bool(is_active),
        "provider": provider,
    }
    if provider is None:
        errors.add("provider", _("Choose the provider from the resource list."))
    elif not provider.is_dispatchable:
        errors.add(
            "provider",
            _("A venue or a fund cannot take orders; choose an organisation, volunteer or merchant."),
        )
    elif area is not None and not area.code.startswith(provider.area.prefix):
        errors.add("area", _("The provider does not serve %(area)s.") % {"area": area.name})
    if not fields["is_free"] and not fields["price"]:
        errors.add("price", _("Give the price of a paid service."))
    errors.raise_if_any("offering.invalid")
    return fields


@transaction.atomic
def offering_create(*, actor, ip: str | None = None, push: bool = True, **values) -> ServiceOffering:
    fields = clean_offering(actor=actor, **values)
    offering = ServiceOffering.objects.create(created_by=actor, **fields)
    audit_record(
        actor=actor,
        action="offering.create",
        obj=offering,
        ip=ip,
        changes={"category": offering.category, "provider": offering.provider_id},
    )
    if push and offering.is_active:
        from .push import push_offering

        push_offering(offering=offering, actor=actor)
    return offering


OFFERING_EDITABLE = (
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


@transaction.atomic
def offering_update(*, offering: ServiceOffering, actor, ip: str | None = None, **changes) -> ServiceOffering:
    was_active = offering.is_active
    current = {f: getattr(offering, f) for f in OFFERING_EDITABLE}
    current.update({k: v for k, v in changes.items() if k in OFFERING_EDITABLE})
    fields = clean_offering(actor=actor, area=offering.area, **current)
    fields.pop("area")
    changed = [k for k, v in fields.items() if getattr(offering, k) != v]
    for k in changed:
        setattr(offering, k, fields[k])
    offering.updated_at = timezone.now()
    offering.save()
    audit_record(
        actor=actor,
        action="offering.update",
        obj=offering,
        ip=ip,
        changes={"fields": ",".join(sorted(changed))},
    )
    if offering.is_active and (not was_active or "category" in changed):
        from .push import push_offering

        push_offering(offering=offering, actor=actor)
    return offering
