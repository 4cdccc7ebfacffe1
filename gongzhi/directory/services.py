"""Writes to the organisation directory."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import idcode_error
from gongzhi.lib import idcodes

from .models import Organisation, OrgKind


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    area,
    created_by=None,
    uscc: str = "",
    parent: Organisation | None = None,
    categories: list[str] | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    short_name: str = "",
    party_form: str = "",
    ip: str | None = None,
) -> Organisation:
    if created_by is not None and not created_by.access.can("orgs.manage", area.code):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [_("Enter a name.")]
    if kind not in OrgKind.values:
        errors["kind"] = [_("Choose a kind of organisation.")]
    if uscc:
        try:
            uscc = idcodes.parse_uscc(uscc).code
        except idcodes.IdCodeError as exc:
            errors["uscc"] = [idcode_error(exc)]
    if errors:
        raise ValidationError(errors)
    org = Organisation.objects.create(
        name=name.strip(),
        kind=kind,
        area=area,
        uscc=uscc,
        parent=parent,
        categories=sorted(set(categories or [])),
        address=address,
        lat=lat,
        lng=lng,
        short_name=short_name,
        party_form=party_form,
    )
    audit_record(
        actor=created_by,
        action="organisation.create",
        obj=org,
        ip=ip,
        changes={"name": org.name, "kind": kind},
    )
    return org
