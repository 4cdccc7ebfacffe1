"""Training taken, awards (表彰) received and evaluations, kept on the volunteer's profile."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record

from ..models import Rating, RecordKind, Volunteer, VolunteerRecord


@transaction.atomic
def volunteer_record_add(
    *,
    volunteer: Volunteer,
    kind: str,
    title: str,
    day: date,
    issuer: str,
    hours: Decimal | None = None,
    rating: str = "",
    notes: str = "",
    actor,
    ip: str | None = None,
) -> VolunteerRecord:
    """Add a record; training may state its hours, an evaluation must state its rating."""
    if not actor.access.can("volunteering.manage", volunteer.area_id):
        raise ValidationError(_("You may not do this in this area."), code="volunteering.forbidden")
    errors: dict[str, list[str]] = {}
    title, issuer, rating = (title or "").strip(), (issuer or "").strip(), (rating or "").strip()
    if kind not in RecordKind.values:
        errors["kind"] = [_("Choose training, award or evaluation.")]
    if not title:
        errors["title"] = [_("Enter a title.")]
    if not issuer:
        errors["issuer"] = [_("Name who gave it.")]
    if day is None or day > timezone.localdate():
        errors["day"] = [_("Enter a date that is not in the future.")]
    if hours is not None:
        try:
            hours = Decimal(hours).quantize(Decimal("0.1"))
        except (InvalidOperation, TypeError, ValueError):
            hours = Decimal("-1")
        if kind != RecordKind.TRAINING:
            errors["hours"] = [_("Only training records state hours.")]
        elif not Decimal("0") < hours <= Decimal("1000"):
            errors["hours"] = [_("Enter the training hours, more than 0 and at most 1000.")]
    if kind == RecordKind.EVALUATION and rating not in Rating.values:
        errors["rating"] = [_("An evaluation needs its rating.")]
    elif kind != RecordKind.EVALUATION and rating:
        errors["rating"] = [_("Only evaluations carry a rating.")]
    if errors:
        raise ValidationError(errors, code="record.invalid")
    record = VolunteerRecord.objects.create(
        volunteer=volunteer,
        kind=kind,
        title=title[:100],
        date=day,
        issuer=issuer[:100],
        hours=hours,
        rating=rating,
        notes=(notes or "").strip()[:300],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="volunteering.record.add",
        obj=record,
        area_code=volunteer.area_id,
        ip=ip,
        changes={"kind": kind, "title": record.title},
    )
    return record
