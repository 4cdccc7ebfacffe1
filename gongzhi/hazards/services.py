"""Every write of the hazards app: reporting, assessing (risk level, owner, deadline) and
re-inspecting. The ticket engine moves the case; nothing here re-implements a step of its life.

The owner's rectification report is the engine's "mark done" (a note and a photo, see the
policy); a passed re-inspection closes the ticket, a failed one reopens it and offers it to the
same owner again with a fresh deadline for its risk level.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.tickets.models import QUEUE_STATES, State, Ticket, TicketEvent, Visibility, party_org_ids
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.selectors import dispatchable_organisations
from gongzhi.tickets.services import (
    allowed_actions,
    ticket_attach,
    ticket_close,
    ticket_dispatch,
    ticket_reopen,
    ticket_submit,
)

from . import conf
from .models import PRIORITY_OF_RISK, Hazard, Reinspection, RiskLevel, Source
from .policy import KIND


def default_source(user) -> str:
    """Who found it, from the reporter's roles: staff report as grid workers, riders as sentinels."""
    access = user.access
    if access.has_role("community_worker", "town_staff", "city_staff"):
        return Source.GRID_WORKER
    if access.has_role("rider"):
        return Source.SENTINEL
    return Source.RESIDENT


@transaction.atomic
def hazard_report(
    *,
    reporter,
    category: str,
    area,
    text: str,
    lat=None,
    lng=None,
    address: str = "",
    photos=(),
    source: str = "",
    risk_level: str = "",
    ip: str | None = None,
) -> Ticket:
    """Someone reports a hazard: what, where (a position inside the area, or an address), photos.

    Every field is checked first (the engine opens and re-encodes photos, checks the position),
    and nothing is written unless all are right.
    """
    errors: dict[str, list] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [ValidationError(_("Say in a few words what the danger is."), code="hazard.text")]
    elif len(text) > conf.TEXT_MAX:
        errors["text"] = [
            ValidationError(
                _("Keep it under %(n)d characters.") % {"n": conf.TEXT_MAX}, code="hazard.text_length"
            )
        ]
    address = (address or "").strip()
    if lat in (None, "") and lng in (None, "") and not address:
        errors["location"] = [
            ValidationError(_("Share your position, or type where it is."), code="hazard.location_required")
        ]
    if len(address) > 200:
        errors["address"] = [
            ValidationError(_("Keep the place under 200 characters."), code="hazard.address")
        ]
    source = source or default_source(reporter)
    if source not in Source.values:
        errors["source"] = [ValidationError(_("Say who found it."), code="hazard.source")]
    risk_level = risk_level or RiskLevel.GENERAL
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [ValidationError(_("Choose a listed risk level."), code="hazard.risk_level")]
    if errors:  # before the engine stores any photo
        raise ValidationError(errors)
    ticket = ticket_submit(
        kind=KIND,
        category=category,
        area=area,
        title=text[:60],
        description=text if len(text) > 60 else "",
        submitter=reporter,
        lat=lat,
        lng=lng,
        address=address[:200],
        priority=PRIORITY_OF_RISK.get(risk_level, 2),
        photos=photos,
        ip=ip,
    )
    Hazard.objects.create(ticket=ticket, source=source, risk_level=risk_level, created_at=ticket.created_at)
    return ticket


def owner_choices(*, viewer, ticket: Ticket):
    """Organisations that may be named to rectify a hazard: those a dispatcher may name."""
    return dispatchable_organisations(viewer=viewer, ticket=ticket)


@transaction.atomic
def hazard_assess(
    *, ticket: Ticket, actor, risk_level: str, owner, note: str = "", ip: str | None = None
) -> Hazard:
    """The community (the dispatcher) sets the risk level and names the rectification owner; the
    deadline follows the risk level, and the hazard is offered to the owner (派单)."""
    hazard = Hazard.objects.select_for_update().get(ticket=ticket)
    if ticket.state not in QUEUE_STATES:
        raise ValidationError(
            _("Only a hazard waiting in the queue can be assessed and assigned."), code="hazard.assess_state"
        )
    if not actor.access.can("hazards.inspect", ticket.area_id) or "dispatch" not in allowed_actions(
        ticket, actor
    ):
        raise ValidationError(
            _("Only the community's staff may assess this hazard."), code="hazard.assess_forbidden"
        )
    errors: dict[str, list] = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [ValidationError(_("Choose a listed risk level."), code="hazard.risk_level")]
    if isinstance(owner, int):  # an id from the API
        owner = owner_choices(viewer=actor, ticket=ticket).filter(pk=owner).first()
    if owner is None or not owner_choices(viewer=actor, ticket=ticket).filter(pk=owner.pk).exists():
        errors["owner"] = [
            ValidationError(_("Choose the unit responsible for putting it right."), code="hazard.owner")
        ]
    if len((note or "").strip()) > 2000:
        errors["note"] = [ValidationError(_("Keep the note under 2,000 characters."), code="hazard.note")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    deadline = now + conf.deadline(risk_level)
    # The engine has no "re-grade" step: the risk level is the priority, and the deadline counts
    # from the assessment (see the policy). Both are recorded on the public timeline below.
    Ticket.objects.filter(pk=ticket.pk).update(
        priority=PRIORITY_OF_RISK[risk_level], deadline=deadline, reminded_at=None, updated_at=now
    )
    ticket.priority, ticket.deadline = PRIORITY_OF_RISK[risk_level], deadline
    hazard.risk_level, hazard.owner, hazard.assessed_by, hazard.assessed_at = risk_level, owner, actor, now
    hazard.save(update_fields=["risk_level", "owner", "assessed_by", "assessed_at"])
    text = _("Risk level: %(level)s. To be put right by %(owner)s before %(deadline)s.") % {
        "level": RiskLevel(risk_level).label,
        "owner": owner.name,
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
    }
    note = (note or "").strip()
    ticket_dispatch(
        ticket=ticket,
        parties=[PartyRef("org", owner.pk, owner.name)],
        actor=actor,
        note=f"{text} {note}".strip(),
        ip=ip,
    )
    audit_record(
        actor=actor,
        action="hazard.assess",
        obj=ticket,
        ip=ip,
        changes={"risk_level": risk_level, "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    return hazard


def _is_owner(ticket: Ticket, actor) -> bool:
    if actor.pk in (ticket.assignee_user_id, ticket.accepted_by_id):
        return True
    return bool(ticket.assignee_org_id and ticket.assignee_org_id in party_org_ids(actor))


@transaction.atomic
def hazard_reinspect(
    *, ticket: Ticket, actor, passed: bool, note: str = "", photos=(), ip: str | None = None
) -> Reinspection:
    """Re-inspect a rectified hazard on the spot, with at least one photo. Passed: it closes and
    whoever found it is rewarded. Failed: back to the same owner with a fresh deadline."""
    hazard = Hazard.objects.select_for_update(of=("self",)).select_related("owner").get(ticket=ticket)
    ticket.refresh_from_db()
    if ticket.state != State.RESOLVED:
        raise ValidationError(
            _("Only a hazard reported as rectified can be re-inspected."), code="hazard.reinspect_state"
        )
    allowed = allowed_actions(ticket, actor)
    if not actor.access.can("hazards.inspect", ticket.area_id) or not {"close", "reopen"} <= allowed:
        raise ValidationError(
            _("Only the community's staff (or the supervising level) may re-inspect this hazard."),
            code="hazard.reinspect_forbidden",
        )
    if _is_owner(ticket, actor):
        raise ValidationError(
            _("The rectification owner cannot re-inspect their own work; someone else must."),
            code="hazard.reinspect_owner",
        )
    errors: dict[str, list] = {}
    note = (note or "").strip()
    if not passed and not note:
        errors["note"] = [
            ValidationError(_("Say what is still wrong, so the owner can put it right."), code="hazard.note")
        ]
    elif len(note) > 2000:
        errors["note"] = [ValidationError(_("Keep the note under 2,000 characters."), code="hazard.note")]
    if not [p for p in photos or [] if p]:
        errors["photos"] = [
            ValidationError(_("Add a photo taken at the re-inspection."), code="hazard.reinspection_photo")
        ]
    if errors:
        raise ValidationError(errors)
    owner = hazard.owner or ticket.assignee_org  # read before reopening clears the assignee
    attachments = ticket_attach(ticket=ticket, actor=actor, photos=photos, ip=ip)
    inspection = Reinspection.objects.create(
        hazard=hazard, inspector=actor, inspector_label=actor.name[:80], passed=passed, note=note
    )
    inspection.photos.set(attachments)
    audit_record(
        actor=actor,
        action="hazard.reinspect",
        obj=ticket,
        ip=ip,
        changes={"passed": passed, "photos": len(attachments)},
    )
    if passed:
        ticket_close(
            ticket=ticket,
            actor=actor,
            note=_("Re-inspection passed: the hazard is rectified. %(note)s") % {"note": note},
            ip=ip,
        )
        return inspection
    ticket_reopen(
        ticket=ticket,
        actor=actor,
        note=_("Re-inspection failed: %(note)s") % {"note": note},
        ip=ip,
    )
    if owner is not None and owner.is_active:
        ticket.refresh_from_db()
        # An inspector who is not the community's dispatcher (e.g. town staff re-inspecting what
        # they found themselves) sends it back through the system, as the engine allows.
        ticket_dispatch(
            ticket=ticket,
            parties=[PartyRef("org", owner.pk, owner.name)],
            actor=actor if "dispatch" in allowed_actions(ticket, actor) else None,
            note=_("Back to rectification: %(note)s") % {"note": note},
            ip=ip,
        )
    else:
        TicketEvent.objects.create(
            ticket=ticket,
            actor_label="system",
            action="comment",
            from_state=ticket.state,
            to_state=ticket.state,
            visibility=Visibility.INTERNAL,
            note=_("No owner to send it back to: assess it again."),
        )
    return inspection
