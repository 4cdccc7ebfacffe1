"""Every write of the suggestions app: submitting, taking one up for review (受理) and answering
it. The ticket engine moves the case: review is "dispatch to myself, accept, start"; the answer
is "mark done" with the public reason, then closing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.tickets.models import QUEUE_STATES, State, Ticket
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.services import (
    allowed_actions,
    ticket_accept,
    ticket_close,
    ticket_dispatch,
    ticket_resolve,
    ticket_start,
    ticket_submit,
)

from .models import REASON_MAX, TEXT_MAX, Outcome, Suggestion
from .policy import KIND


@transaction.atomic
def suggestion_submit(*, author, topic: str, area, text: str, photos=(), ip: str | None = None) -> Ticket:
    """A resident makes a suggestion: a topic, a text, optionally photos. Nothing is written
    unless everything is right."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {"text": [ValidationError(_("Write your suggestion."), code="suggestion.text")]}
        )
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {
                "text": [
                    ValidationError(
                        _("Keep it under %(n)d characters.") % {"n": TEXT_MAX}, code="suggestion.text_length"
                    )
                ]
            }
        )
    ticket = ticket_submit(
        kind=KIND,
        category=topic,
        area=area,
        title=text[:60],
        description=text if len(text) > 60 else "",
        submitter=author,
        photos=photos,
        ip=ip,
    )
    Suggestion.objects.create(ticket=ticket, created_at=ticket.created_at)
    return ticket


def _require_reviewer(ticket: Ticket, actor) -> None:
    if actor is None or not actor.access.can("suggestions.review", ticket.area_id):
        raise ValidationError(
            _("Only the community's staff may review and answer suggestions."), code="suggestion.forbidden"
        )


def _take_up(ticket: Ticket, actor, ip) -> None:
    """Bring the ticket to "in progress" with the actor as its reviewer, from wherever it waits."""
    if ticket.state in QUEUE_STATES:
        ticket_dispatch(ticket=ticket, parties=[PartyRef("user", actor.pk, actor.name)], actor=actor, ip=ip)
    if ticket.state == State.DISPATCHED and "accept" in allowed_actions(ticket, actor):
        ticket_accept(ticket=ticket, actor=actor, ip=ip)
    if ticket.state == State.ACCEPTED:
        ticket_start(ticket=ticket, actor=actor, note=_("Your suggestion is being reviewed."), ip=ip)


@transaction.atomic
def suggestion_review(*, ticket: Ticket, actor, ip: str | None = None) -> Ticket:
    """Take a waiting suggestion up for review (受理): the resident sees it is being looked at."""
    _require_reviewer(ticket, actor)
    if ticket.state not in QUEUE_STATES:
        raise ValidationError(
            _("This suggestion is already being reviewed or answered."), code="suggestion.review_state"
        )
    _take_up(ticket, actor, ip)
    audit_record(actor=actor, action="suggestion.review", obj=ticket, ip=ip, changes={})
    return ticket


@transaction.atomic
def suggestion_decide(
    *, ticket: Ticket, actor, adopted: bool, reason: str, ip: str | None = None
) -> Suggestion:
    """Answer a suggestion: adopted or not, with a reason the resident and (if adopted) the public
    list show. It closes; an adopted one earns its author points once."""
    _require_reviewer(ticket, actor)
    suggestion = Suggestion.objects.select_for_update().get(ticket=ticket)
    ticket.refresh_from_db()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(
                        _("Give the reason; the resident will read it."), code="suggestion.reason_required"
                    )
                ]
            }
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(
                        _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX},
                        code="suggestion.reason_length",
                    )
                ]
            }
        )
    if ticket.state in (State.RESOLVED, State.CLOSED, State.CANCELLED):
        raise ValidationError(_("This suggestion has been answered already."), code="suggestion.answered")
    _take_up(ticket, actor, ip)
    if "resolve" not in allowed_actions(ticket, actor):
        raise ValidationError(
            _("%(who)s is reviewing this suggestion; they answer it.") % {"who": ticket.assignee_label},
            code="suggestion.other_reviewer",
        )
    outcome = Outcome.ADOPTED if adopted else Outcome.NOT_ADOPTED
    suggestion.outcome, suggestion.public_reason = outcome, reason
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.decided_round = ticket.reopen_count
    suggestion.save(update_fields=["outcome", "public_reason", "decided_by", "decided_at", "decided_round"])
    label = _("Adopted") if adopted else _("Not adopted")
    ticket_resolve(ticket=ticket, actor=actor, note=f"{label}: {reason}", ip=ip)
    closer = actor if "close" in allowed_actions(ticket, actor) else None
    ticket_close(ticket=ticket, actor=closer, note=str(label), ip=ip)
    audit_record(actor=actor, action="suggestion.decide", obj=ticket, ip=ip, changes={"outcome": outcome})
    return suggestion
