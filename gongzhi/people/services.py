"""Every write to the person registry, and the one audited way to see a full ID or phone number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import idcode_error
from gongzhi.core.vault import blind_index, protect, reveal
from gongzhi.lib import idcodes

from .models import (
    CHILD_AGE,
    GUARDIAN_MOBILE_CONTEXT,
    ID_CONTEXT,
    MOBILE_CONTEXT,
    GuardianConsent,
    Person,
    PersonTag,
    Tag,
)


@dataclass(frozen=True)
class ConsentInput:
    guardian_name: str
    relationship: str
    guardian_mobile: str
    purpose: str
    method: str


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _check_area(area: Area, actor) -> None:
    if area.level not in (Level.VILLAGE, Level.GRID):
        raise ValidationError(
            {"area": [_("Register a person in a village/community or a grid.")]}, code="person.area_level"
        )
    if actor is not None and not actor.access.can("people.manage", area.code):
        raise ValidationError(
            {"area": [_("You may only register people in your own area.")]}, code="person.area_forbidden"
        )


def _check_tags(tags: list[str]) -> list[str]:
    unknown = [t for t in tags if t not in Tag.values]
    if unknown:
        raise ValidationError({"tags": [_("Unknown tag.")]}, code="person.tag")
    return sorted(set(tags))


def _validate_consent(consent: ConsentInput) -> str:
    errors: dict[str, list[str]] = {}
    if not consent.guardian_name.strip():
        errors["guardian_name"] = [_("Enter the guardian's name.")]
    if consent.relationship not in GuardianConsent.Relationship.values:
        errors["relationship"] = [_("Choose the guardian's relationship to the child.")]
    if not consent.purpose.strip():
        errors["purpose"] = [_("State what the child's record will be used for.")]
    if not consent.method.strip():
        errors["method"] = [_("Say how the guardian gave consent (signed form, recorded call, ...).")]
    try:
        mobile = idcodes.normalize_mobile(consent.guardian_mobile)
    except idcodes.IdCodeError as exc:
        errors["guardian_mobile"] = [idcode_error(exc)]
        mobile = ""
    if errors:
        raise ValidationError(errors, code="consent.invalid")
    return mobile


@transaction.atomic
def person_create(
    *,
    name: str,
    area: Area,
    id_number: str = "",
    mobile: str = "",
    address: str = "",
    tags: list[str] | None = None,
    lat: float | None = None,
    lng: float | None = None,
    consent: ConsentInput | None = None,
    created_by=None,
    ip: str | None = None,
) -> Person:
    """Register a person. A child under 14 needs a guardian's consent recorded in the same act."""
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [pgettext("person", "Enter a name.")]
    birth = sex = None
    id_p = mobile_p = None
    if id_number:
        try:
            card = idcodes.parse_id_card(id_number)
            birth, sex = card.birth_date, card.sex
            id_p = protect(card.number, context=ID_CONTEXT, mask=idcodes.mask_id_card)
            if Person.objects.filter(id_number_index=id_p.index).exists():
                errors["id_number"] = [_("A person with this ID number is already registered.")]
        except idcodes.IdCodeError as exc:
            errors["id_number"] = [idcode_error(exc)]
    if mobile:
        try:
            number = idcodes.normalize_mobile(mobile)
            mobile_p = protect(number, context=MOBILE_CONTEXT, mask=idcodes.mask_mobile)
        except idcodes.IdCodeError as exc:
            errors["mobile"] = [idcode_error(exc)]
    try:
        _check_area(area, created_by)
        tags = _check_tags(tags or [])
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    is_child = birth is not None and _age_on(birth, timezone.localdate()) < CHILD_AGE
    if is_child and consent is None:
        errors.setdefault("consent", []).append(
            _("A child under %(age)d is registered only with a guardian's recorded consent.")
            % {"age": CHILD_AGE}
        )
    guardian_mobile = ""
    if is_child and consent is not None:
        try:
            guardian_mobile = _validate_consent(consent)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors, code="person.invalid")

    person = Person(
        name=name,
        area=area,
        address=address.strip()[:200],
        birth_date=birth,
        sex=sex or "",
        lat=lat,
        lng=lng,
        created_by=created_by,
    )
    if id_p:
        person.id_number_enc, person.id_number_index, person.id_number_masked = (
            id_p.enc,
            id_p.index,
            id_p.masked,
        )
    if mobile_p:
        person.mobile_enc, person.mobile_index, person.mobile_masked = (
            mobile_p.enc,
            mobile_p.index,
            mobile_p.masked,
        )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent registration of the same ID number won the race
        raise ValidationError(
            {"id_number": [_("A person with this ID number is already registered.")]}
        ) from None
    PersonTag.objects.bulk_create([PersonTag(person=person, tag=t) for t in tags])
    if is_child and consent is not None:
        _consent_save(
            person=person, consent=consent, guardian_mobile=guardian_mobile, recorded_by=created_by, ip=ip
        )
    audit_record(
        actor=created_by,
        action="person.create",
        obj=person,
        ip=ip,
        changes={
            "name": idcodes.mask_name(name),
            "id_number_masked": person.id_number_masked,
            "mobile_masked": person.mobile_masked,
            "tags": ",".join(tags),
        },
    )
    return person


def _consent_save(
    *, person: Person, consent: ConsentInput, guardian_mobile: str, recorded_by, ip
) -> GuardianConsent:
    p = protect(guardian_mobile, context=GUARDIAN_MOBILE_CONTEXT, mask=idcodes.mask_mobile)
    record = GuardianConsent.objects.create(
        person=person,
        guardian_name=consent.guardian_name.strip(),
        relationship=consent.relationship,
        guardian_mobile_enc=p.enc,
        guardian_mobile_masked=p.masked,
        purpose=consent.purpose.strip(),
        method=consent.method.strip(),
        recorded_by=recorded_by,
    )
    audit_record(
        actor=recorded_by,
        action="consent.record",
        obj=person,
        ip=ip,
        changes={"guardian": idcodes.mask_name(record.guardian_name), "purpose": record.purpose},
    )
    return record


@transaction.atomic
def consent_record(
    *, person: Person, consent: ConsentInput, recorded_by, ip: str | None = None
) -> GuardianConsent:
    if recorded_by is not None and not recorded_by.access.can("people.manage", person.area_id):
        raise PermissionDenied
    return _consent_save(
        person=person,
        consent=consent,
        guardian_mobile=_validate_consent(consent),
        recorded_by=recorded_by,
        ip=ip,
    )


@transaction.atomic
def consent_withdraw(*, consent: GuardianConsent, withdrawn_by, ip: str | None = None) -> None:
    if withdrawn_by is not None and not withdrawn_by.access.can("people.manage", consent.person.area_id):
        raise PermissionDenied
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(actor=withdrawn_by, action="consent.withdraw", obj=consent.person, ip=ip)


def has_active_consent(person: Person) -> bool:
    return person.consents.filter(withdrawn_at__isnull=True).exists()


@transaction.atomic
def person_update(
    *,
    person: Person,
    updated_by,
    ip: str | None = None,
    name: str | None = None,
    address: str | None = None,
    mobile: str | None = None,
    tags: list[str] | None = None,
) -> Person:
    if updated_by is not None and not updated_by.access.can("people.manage", person.area_id):
        raise PermissionDenied
    changes: dict[str, object] = {}
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": [pgettext("person", "Enter a name.")]})
        person.name = name.strip()
        changes["name"] = idcodes.mask_name(person.name)
    if address is not None:
        person.address = address.strip()[:200]
        changes["address"] = "changed"
    if mobile is not None:
        if mobile:
            try:
                number = idcodes.normalize_mobile(mobile)
            except idcodes.IdCodeError as exc:
                raise idcode_error(exc, "mobile") from None
            p = protect(number, context=MOBILE_CONTEXT, mask=idcodes.mask_mobile)
            person.mobile_enc, person.mobile_index, person.mobile_masked = p.enc, p.index, p.masked
        else:
            person.mobile_enc = person.mobile_index = person.mobile_masked = ""
        changes["mobile_masked"] = person.mobile_masked
    person.save()
    if tags is not None:
        tags = _check_tags(tags)
        person.tags.exclude(tag__in=tags).delete()
        have = set(person.tags.values_list("tag", flat=True))
        PersonTag.objects.bulk_create([PersonTag(person=person, tag=t) for t in tags if t not in have])
        changes["tags"] = ",".join(tags)
    audit_record(actor=updated_by, action="person.update", obj=person, ip=ip, changes=changes)
    return person


REVEALABLE = {"id_number": ("id_number_enc", ID_CONTEXT), "mobile": ("mobile_enc", MOBILE_CONTEXT)}


def person_reveal(*, person: Person, field: str, viewer, reason: str, ip: str | None = None) -> str:
    """The full value of a protected field, for a viewer allowed to see it, with an audit entry.

    The caller must already hold ``person`` through a scoped selector; this re-checks the
    permission in the person's area and requires a stated reason, which the audit log keeps.
    """
    if field not in REVEALABLE:
        raise ValidationError({"field": [_("This field cannot be revealed.")]}, code="person.reveal_field")
    if not viewer.access.can("people.reveal", person.area_id):
        # Recorded in its own transaction: a refused look is a security event worth keeping.
        audit_record(
            actor=viewer, action="person.reveal", obj=person, ip=ip, success=False, changes={"field": field}
        )
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError(
            {"reason": [_("State why you need the full number.")]}, code="person.reveal_reason"
        )
    column, context = REVEALABLE[field]
    token = getattr(person, column)
    if not token:
        raise ValidationError(
            {"field": [_("Nothing is recorded in this field.")]}, code="person.reveal_empty"
        )
    audit_record(
        actor=viewer,
        action="person.reveal",
        obj=person,
        ip=ip,
        changes={"field": field, "reason": reason[:200]},
    )
    return reveal(token, context=context)


def person_find_by_id_number(id_number: str) -> Person | None:
    """Exact match through the blind index (callers scope the result)."""
    try:
        number = idcodes.parse_id_card(id_number).number
    except idcodes.IdCodeError:
        return None
    return Person.objects.filter(id_number_index=blind_index(number, context=ID_CONTEXT)).first()


@dataclass(frozen=True)
class PersonRow:
    name: str
    area_code: str
    id_number: str = ""
    mobile: str = ""
    address: str = ""
    tags: tuple[str, ...] = ()
    consent: ConsentInput | None = None


@transaction.atomic
def person_bulk_import(*, rows: list[PersonRow], actor=None, batch_size: int = 2000, progress=None) -> int:
    """Register many people at once (imports, the demo city): every row is checked, all or nothing.

    Same rules as ``person_create`` — valid ID and mobile, a known village/community, consent for
    children — but written with bulk inserts and one audit entry for the batch.
    """
    today = timezone.localdate()
    areas = set(Area.objects.filter(level__in=(Level.VILLAGE, Level.GRID)).values_list("code", flat=True))
    errors: list[str] = []
    people: list[Person] = []
    extras: list[tuple[tuple[str, ...], ConsentInput | None, str]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        try:
            if not row.name.strip():
                raise ValidationError(_("the name is empty"))
            if row.area_code not in areas:
                raise ValidationError(_("unknown village/community code"))
            if actor is not None and not actor.access.can("people.manage", row.area_code):
                raise ValidationError(_("the area is outside your scope"))
            person = Person(
                name=row.name.strip(), area_id=row.area_code, address=row.address[:200], created_by=actor
            )
            if row.id_number:
                card = idcodes.parse_id_card(row.id_number, today=today)
                p = protect(card.number, context=ID_CONTEXT, mask=idcodes.mask_id_card)
                if p.index in seen:
                    raise ValidationError(_("the ID number appears twice"))
                seen.add(p.index)
                person.id_number_enc, person.id_number_index, person.id_number_masked = (
                    p.enc,
                    p.index,
                    p.masked,
                )
                person.birth_date, person.sex = card.birth_date, card.sex
            if row.mobile:
                p = protect(
                    idcodes.normalize_mobile(row.mobile), context=MOBILE_CONTEXT, mask=idcodes.mask_mobile
                )
                person.mobile_enc, person.mobile_index, person.mobile_masked = p.enc, p.index, p.masked
            _check_tags(list(row.tags))
            guardian_mobile = ""
            if person.birth_date and _age_on(person.birth_date, today) < CHILD_AGE:
                if row.consent is None:
                    raise ValidationError(_("a child under 14 needs a guardian's consent"))
                guardian_mobile = _validate_consent(row.consent)
        except idcodes.IdCodeError as exc:
            errors.append(_("Row %(row)d: %(msg)s") % {"row": n, "msg": idcode_error(exc).messages[0]})
            continue
        except ValidationError as exc:
            errors.append(_("Row %(row)d: %(msg)s") % {"row": n, "msg": "; ".join(exc.messages)})
            continue
        people.append(person)
        extras.append((tuple(sorted(set(row.tags))), row.consent, guardian_mobile))
        if progress:
            progress(1)
    if errors:
        raise ValidationError(errors[:200], code="person.import_rows")
    if seen and Person.objects.filter(id_number_index__in=list(seen)).exists():
        raise ValidationError(_("Some ID numbers are already registered."), code="person.import_duplicate")
    for start in range(0, len(people), batch_size):
        chunk = people[start : start + batch_size]
        Person.objects.bulk_create(chunk, batch_size=batch_size)
    if not all(p.pk for p in people):  # backends without RETURNING: read the ids back in order
        ids = list(Person.objects.order_by("-id").values_list("id", flat=True)[: len(people)])[::-1]
        for p, pk in zip(people, ids, strict=True):
            p.pk = p.id = pk
    tags, consents = [], []
    for person, (tag_list, consent, guardian_mobile) in zip(people, extras, strict=True):
        tags.extend(PersonTag(person_id=person.pk, tag=t) for t in tag_list)
        if consent is not None and guardian_mobile:
            gp = protect(guardian_mobile, context=GUARDIAN_MOBILE_CONTEXT, mask=idcodes.mask_mobile)
            consents.append(
                GuardianConsent(
                    person_id=person.pk,
                    guardian_name=consent.guardian_name.strip(),
                    relationship=consent.relationship,
                    guardian_mobile_enc=gp.enc,
                    guardian_mobile_masked=gp.masked,
                    purpose=consent.purpose.strip(),
                    method=consent.method.strip(),
                    recorded_by=actor,
                )
            )
    PersonTag.objects.bulk_create(tags, batch_size=batch_size)
    GuardianConsent.objects.bulk_create(consents, batch_size=batch_size)
    audit_record(
        actor=actor,
        action="person.bulk_import",
        object_type="people.person",
        changes={"rows": len(people), "children_with_consent": len(consents)},
    )
    return len(people)
