"""Submitting a ticket, and attaching photos to one."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, Level
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.core.errors import field_error
from gongzhi.core.transactions import service_atomic
from gongzhi.lib.geo import validate_lat_lng

from .. import conf, images
from ..geometry import within_area
from ..models import Action, Priority, State, Ticket, TicketAttachment, TicketEvent, Visibility
from ..policies import get_policy
from .core import check, tell

logger = logging.getLogger("gongzhi.tickets")


def _merge(errors: dict[str, list], exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            errors.setdefault(field, []).extend(errs)
    else:
        errors.setdefault("__all__", []).extend(exc.error_list)


def check_location(area: Area, lat, lng) -> tuple[float | None, float | None]:
    """Both coordinates or neither; inside the area's boundary, or near its centre without one."""
    if lat in (None, "") and lng in (None, ""):
        return None, None
    if lat in (None, "") or lng in (None, ""):
        raise field_error("location", _("Give both latitude and longitude, or neither."), "ticket.location")
    try:
        lat, lng = validate_lat_lng(lat, lng)
    except ValueError:
        raise field_error(
            "location", _("The coordinates are not a valid position."), "ticket.location"
        ) from None
    radius = conf.area_radius_m(area.level)
    if not within_area(lat, lng, boundary=area.boundary, centre=(area.lat, area.lng), radius_m=radius):
        raise field_error(
            "location",
            _("This place lies outside %(area)s. Choose the community where it is.") % {"area": area.name},
            "ticket.location_outside",
        )
    return lat, lng


@service_atomic
def ticket_submit(
    *,
    kind: str,
    category: str,
    area: Area,
    title: str,
    submitter,
    description: str = "",
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    priority: int = Priority.NORMAL,
    extra: dict | None = None,
    photos=(),
    ip: str | None = None,
    auto_route: bool = True,
) -> Ticket:
    """Record a new ticket of any kind; every field is checked first and errors come together.

    Routing rules of the area may dispatch it at once (``auto_route``); the offers made are left
    on ``ticket.routed_offers`` (empty when it waits in the queue). One audit entry records both
    the submission and the automatic dispatch (the timeline keeps both events), written last so
    the audit chain head is locked only for the end of the transaction.
    """
    errors: dict[str, list] = {}
    policy = get_policy(kind)
    try:
        policy.category(category)
    except ValidationError as exc:
        _merge(errors, exc)
    if area.level not in (Level.VILLAGE, Level.GRID):
        errors.setdefault("area", []).append(
            ValidationError(_("Choose a community or village, not a larger area."), code="ticket.area_level")
        )
    elif not policy.may_submit(submitter, area):
        errors.setdefault("area", []).append(
            ValidationError(
                _("You may not submit “%(kind)s” in %(area)s.") % {"kind": policy.label, "area": area.name},
                code="ticket.submit_forbidden",
            )
        )
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(
            ValidationError(_("Say in a few words what is needed."), code="ticket.title")
        )
    elif len(title) > 120:
        errors.setdefault("title", []).append(
            ValidationError(_("Keep the title under 120 characters."), code="ticket.title")
        )
    description = (description or "").strip()
    if len(description) > 2000:
        errors.setdefault("description", []).append(
            ValidationError(_("Keep the description under 2,000 characters."), code="ticket.description")
        )
    if priority not in Priority.values:
        errors.setdefault("priority", []).append(
            ValidationError(_("Unknown priority."), code="ticket.priority")
        )
    try:
        lat, lng = check_location(area, lat, lng)
    except ValidationError as exc:
        _merge(errors, exc)
    try:
        extra = policy.clean_extra(extra)
    except ValidationError as exc:
        _merge(errors, exc)
    cleaned = []
    try:
        cleaned = images.clean_images(photos)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    ticket = Ticket(
        kind=kind,
        category=category,
        title=title,
        description=description,
        area=area,
        lat=lat,
        lng=lng,
        address=(address or "").strip()[:200],
        submitter=submitter,
        priority=priority,
        extra=extra,
        deadline=policy.deadline_for(category, priority, now),
        created_at=now,
        updated_at=now,
    )
    sql.insert(ticket)  # the hot path: a statement written once per model (gongzhi.core.sql)
    _save_images(ticket, cleaned, stage=TicketAttachment.Stage.SUBMISSION, by=submitter)
    submitted = TicketEvent(
        ticket=ticket,
        at=now,
        actor=submitter,
        actor_label=submitter.name if submitter else "system",
        action=Action.SUBMIT,
        to_state=State.SUBMITTED,
        visibility=Visibility.PUBLIC,
        data={"photos": len(cleaned)} if cleaned else {},
    )
    sql.insert(submitted)
    offers: list = []
    rule = None
    if auto_route:
        from .routing import route

        try:
            with transaction.atomic():  # a savepoint: a rule that cannot be applied never loses the ticket
                rule, offers = route(ticket=ticket, audit=False)
        except ValidationError as exc:
            logger.warning(
                "automatic dispatch of ticket %s failed, left in the queue: %s", ticket.pk, exc.messages
            )
            ticket.refresh_from_db()
            rule, offers = None, []
    changes = {"kind": kind, "category": category, "priority": priority, "photos": len(cleaned)}
    if offers:
        changes |= {"dispatched_to": ", ".join(o.party_label for o in offers), "rule": rule.pk}
    audit_record(actor=submitter, action="ticket.submit", obj=ticket, ip=ip, changes=changes)
    ticket.routed_offers = offers
    return ticket


def _save_images(ticket: Ticket, cleaned, *, stage: str, by) -> list[TicketAttachment]:
    rows = [
        TicketAttachment(
            ticket=ticket,
            stage=stage,
            file=images.store(image),
            content_type=image.content_type,
            size=len(image.content),
            width=image.width,
            height=image.height,
            uploaded_by=by,
        )
        for image in cleaned
    ]
    return TicketAttachment.objects.bulk_create(rows)


@transaction.atomic
def ticket_attach(*, ticket: Ticket, actor, photos, ip: str | None = None) -> list[TicketAttachment]:
    """Add photos: the submitter's to the request, the handler's as proof of the work."""
    worn = check(ticket, Action.COMMENT, actor)
    stage = TicketAttachment.Stage.RESOLUTION if "assignee" in worn else TicketAttachment.Stage.SUBMISSION
    if stage == TicketAttachment.Stage.SUBMISSION and "submitter" not in worn:
        stage = TicketAttachment.Stage.NOTE
    cleaned = images.clean_images(photos)
    if not cleaned:
        raise field_error("photos", _("Choose at least one photo."), "attachment.none")
    if ticket.attachments.filter(stage=stage).count() + len(cleaned) > 3 * conf.ATTACHMENTS_PER_STAGE:
        raise field_error(
            "photos", _("This ticket has as many photos as it can hold."), "attachment.too_many"
        )
    rows = _save_images(ticket, cleaned, stage=stage, by=actor)
    audit_record(
        actor=actor, action="ticket.attach", obj=ticket, ip=ip, changes={"photos": len(rows), "stage": stage}
    )
    if (
        stage == TicketAttachment.Stage.NOTE
        and ticket.submitter_id
        and actor
        and ticket.submitter_id != actor.pk
    ):
        tell([ticket.submitter], ticket, "ticket.photo", _("New photos on your request"))
    return rows
