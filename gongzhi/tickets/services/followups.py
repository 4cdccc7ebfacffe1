"""Follow-up calls (回访): recording what the resident said, and reopening when still unsatisfied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error

from ..models import Action, FollowUp, State, TicketEvent, Visibility
from .flow import ticket_reopen


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, actor, outcome: str, note: str = "", reopen: bool = False, ip: str | None = None
) -> FollowUp:
    if not actor.access.can("tickets.follow_up", follow_up.area_id):
        raise PermissionDenied
    if follow_up.done_at:
        raise ValidationError(_("This follow-up call has already been recorded."), code="follow_up.done")
    if outcome not in FollowUp.Outcome.values:
        raise field_error("outcome", _("Choose how the call went."), "follow_up.outcome")
    note = (note or "").strip()
    if outcome == FollowUp.Outcome.UNSATISFIED and not note:
        raise field_error("note", _("Write down what the resident is unhappy about."), "follow_up.note")
    if reopen and outcome != FollowUp.Outcome.UNSATISFIED:
        raise field_error(
            "reopen", _("Reopen only when the resident is still unsatisfied."), "follow_up.reopen"
        )
    now = timezone.now()
    follow_up.outcome, follow_up.note, follow_up.done_at, follow_up.done_by = outcome, note[:2000], now, actor
    follow_up.save(update_fields=["outcome", "note", "done_at", "done_by"])
    ticket = follow_up.ticket
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        actor_label=actor.name,
        action=Action.COMMENT,
        from_state=ticket.state,
        to_state=ticket.state,
        visibility=Visibility.INTERNAL,
        note=_("Follow-up call: %(outcome)s. %(note)s")
        % {"outcome": FollowUp.Outcome(outcome).label, "note": note},
        data={"follow_up": follow_up.pk, "outcome": outcome},
    )
    audit_record(
        actor=actor,
        action="follow_up.record",
        obj=follow_up,
        ip=ip,
        changes={"ticket": ticket.pk, "outcome": outcome},
    )
    if reopen and ticket.state in (State.RESOLVED, State.CLOSED):
        ticket_reopen(ticket=ticket, actor=actor, note=note, ip=ip)
    return follow_up
