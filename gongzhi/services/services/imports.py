"""Importing a list from Excel: every row checked with the same rules as the forms; one bad row
and nothing is written, and the error report names each bad row and field."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from gongzhi.accounts.models import MOBILE_CONTEXT, User
from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core.vault import blind_index
from gongzhi.directory.models import Organisation
from gongzhi.lib import idcodes
from gongzhi.people.services import person_find_by_id_number

from .. import spreadsheets as sheets
from ..models import Need, Resource, ServiceOffering, Subject
from .lists import clean_need, clean_offering, clean_resource


def _rows(upload, list_name: str) -> tuple[dict[str, int], list[tuple[int, list]]]:
    size = getattr(upload, "size", 0) or 0
    if size > sheets.MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": sheets.MAX_BYTES // 1048576},
            code="import.too_large",
        )
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationError(_("This is not an Excel workbook (.xlsx)."), code="import.not_xlsx") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows, []) or [])
    columns = sheets.header_map(list_name, header)
    _model, spec, _title = sheets.LISTS[list_name]
    missing = [str(c.label) for c in spec if c.required and c.key not in columns]
    if missing:
        raise ValidationError(
            _("Missing columns: %(cols)s") % {"cols": "、".join(missing)}, code="import.columns"
        )
    body = []
    for n, row in enumerate(rows, start=2):
        values = list(row or [])
        if not any(v not in (None, "") for v in values):
            continue
        body.append((n, values))
        if len(body) > sheets.MAX_ROWS:
            raise ValidationError(
                _("At most %(n)d rows per file.") % {"n": sheets.MAX_ROWS}, code="import.too_many"
            )
    wb.close()
    if not body:
        raise ValidationError(_("The sheet has no rows below its header."), code="import.empty")
    return columns, body


def _cell(columns: dict[str, int], values: list, key: str):
    i = columns.get(key)
    if i is None or i >= len(values) or values[i] is None:
        return ""
    value = values[i]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _area(code: str, cache: dict) -> Area | None:
    if code not in cache:
        cache[code] = Area.objects.filter(code=code).first()
    return cache[code]


def _row_error(n: int, exc: ValidationError, labels: dict[str, str]) -> list[str]:
    out = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            label = labels.get(field, field)
            out.extend(
                _("Row %(row)d, %(field)s: %(msg)s") % {"row": n, "field": label, "msg": m} for m in errors
            )
    else:
        out.extend(_("Row %(row)d: %(msg)s") % {"row": n, "msg": m} for m in exc.messages)
    return out


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _parse_need(c, v, actor, cache) -> dict:
    category = sheets.category_code(_cell(c, v, "category")) or ""
    subject = sheets.choice("subject", _cell(c, v, "subject")) or Subject.PERSON
    group = sheets.choice("group", _cell(c, v, "group")) or ""
    urgency = sheets.choice("urgency", _cell(c, v, "urgency")) or 2
    source = sheets.choice("source", _cell(c, v, "source")) or "visit"
    status = sheets.choice("status", _cell(c, v, "status")) or "open"
    person = None
    id_number = _cell(c, v, "id_number")
    if subject == Subject.PERSON:
        person = person_find_by_id_number(id_number) if id_number else None
        if person is None:
            raise _bad("id_number", _("No registered person has this ID number."))
        if actor is not None and not actor.access.can("people.view", person.area_id):
            raise _bad("id_number", _("No registered person has this ID number."))
    return clean_need(
        actor=actor,
        title=_cell(c, v, "title"),
        category=category,
        area=_area(_cell(c, v, "area_code"), cache),
        subject=subject,
        person=person,
        group_tag=group,
        beneficiaries=_cell(c, v, "beneficiaries") or 1,
        urgency=urgency,
        source=source,
        status=status,
        frequency=_cell(c, v, "frequency"),
        description=_cell(c, v, "description"),
    )


def _parse_resource(c, v, actor, cache) -> dict:
    kind = sheets.choice("kind", _cell(c, v, "kind")) or ""
    categories = sheets.category_codes(_cell(c, v, "categories"))
    try:
        available = sheets.yes_no(_cell(c, v, "is_available"))
    except ValueError as exc:
        raise _bad(
            "is_available", _("“%(value)s” is not one of the listed values.") % {"value": str(exc)[:30]}
        ) from None
    organisation = user = None
    uscc, mobile = _cell(c, v, "uscc"), _cell(c, v, "mobile")
    if uscc:
        organisation = Organisation.objects.filter(uscc=uscc.upper(), is_active=True).first()
        if organisation is None:
            raise _bad("uscc", _("No organisation in the directory has this code."))
    if mobile:
        try:
            number = idcodes.normalize_mobile(mobile)
        except idcodes.IdCodeError:
            raise _bad("mobile", _("Enter a mainland China mobile number.")) from None
        user = User.objects.filter(
            mobile_index=blind_index(number, context=MOBILE_CONTEXT), is_active=True
        ).first()
        if user is None:
            raise _bad("mobile", _("No account has this mobile number."))
    skills = [s for s in _cell(c, v, "skills").replace(",", "、").split("、") if s.strip()]
    return clean_resource(
        actor=actor,
        name=_cell(c, v, "name"),
        kind=kind,
        area=_area(_cell(c, v, "area_code"), cache),
        organisation=organisation,
        user=user,
        categories=categories,
        skills=skills,
        capacity=_cell(c, v, "capacity") or 3,
        availability=_cell(c, v, "availability"),
        is_available=True if available is None else available,
        lat=_cell(c, v, "lat") or None,
        lng=_cell(c, v, "lng") or None,
        address=_cell(c, v, "address"),
        contact_name=_cell(c, v, "contact_name"),
        contact_phone=_cell(c, v, "contact_phone") or None,
    )


def _parse_offering(c, v, actor, cache) -> dict:
    category = sheets.category_code(_cell(c, v, "category")) or ""
    try:
        free = sheets.yes_no(_cell(c, v, "is_free"))
        active = sheets.yes_no(_cell(c, v, "is_active"))
    except ValueError as exc:
        raise _bad(
            "is_free", _("“%(value)s” is not one of the listed values.") % {"value": str(exc)[:30]}
        ) from None
    provider_id = _cell(c, v, "provider_id")
    provider = None
    if provider_id.isdigit():
        provider = (
            Resource.objects.visible_to(actor).filter(pk=int(provider_id)).select_related("area").first()
            if actor
            else (Resource.objects.filter(pk=int(provider_id)).select_related("area").first())
        )
    return clean_offering(
        actor=actor,
        title=_cell(c, v, "title"),
        category=category,
        provider=provider,
        area=_area(_cell(c, v, "area_code"), cache),
        capacity=_cell(c, v, "capacity") or 5,
        is_free=True if free is None else free,
        price=_cell(c, v, "price"),
        schedule=_cell(c, v, "schedule"),
        description=_cell(c, v, "description"),
        is_active=True if active is None else active,
    )


PARSERS = {
    "needs": (_parse_need, Need),
    "resources": (_parse_resource, Resource),
    "offerings": (_parse_offering, ServiceOffering),
}


@transaction.atomic
def list_import(*, list_name: str, upload, actor, ip: str | None = None) -> int:
    """Add the rows of an Excel file to a list; returns how many. All rows or none."""
    parse, model = PARSERS[list_name]
    columns, body = _rows(upload, list_name)
    _m, spec, _t = sheets.LISTS[list_name]
    labels = {c.key: str(c.label) for c in spec}
    labels.update(
        {
            "area": labels.get("area_code", "area"),
            "group_tag": labels.get("group", "group"),
            "person": labels.get("id_number", "person"),
            "organisation": labels.get("uscc", "organisation"),
            "user": labels.get("mobile", "user"),
            "provider": labels.get("provider_id", "provider"),
            "__all__": "",
        }
    )
    cache: dict = {}
    cleaned, errors = [], []
    for n, values in body:
        try:
            cleaned.append(parse(columns, values, actor, cache))
        except ValidationError as exc:
            errors.extend(_row_error(n, exc, labels))
    if errors:
        raise ValidationError(errors[:300], code="import.rows")
    objects = model.objects.bulk_create([model(created_by=actor, **fields) for fields in cleaned])
    audit_record(
        actor=actor,
        action=f"{list_name}.import",
        object_type=model._meta.label_lower,
        changes={"rows": len(objects)},
    )
    if list_name == "offerings":
        from .push import push_offering

        for offering in ServiceOffering.objects.filter(
            pk__in=[o.pk for o in objects if o.pk], is_active=True
        ):
            push_offering(offering=offering, actor=actor)
    return len(objects)
