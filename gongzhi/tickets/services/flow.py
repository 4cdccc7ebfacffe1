"""The life of a ticket after submission: dispatch, accept or decline, handle, resolve, rate,
close, reopen, cancel, escalate (督办), more time, notes. Each is one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import sql
from gongzhi.core.errors import field_error
from gongzhi.core.transactions import service_atomic
from gongzhi.directory.models import Organisation

from .. import conf, images
from ..models import (
    Action,
    EscalationLevel,
    FollowUp,
    Party,
    PartyStats,
    State,
    Ticket,
    TicketAttachment,
    TicketOffer,
    Visibility,
)
from ..policies import PartyRef, get_policy
from . import core
from .core import apply, check, tell
from .submit import _save_images

MAX_PARTIES = 5


def _note(note: str, *, required: bool, field: str = "note", message: str = "") -> str:
    note = (note or "").strip()
    if required and not note:
        raise field_error(field, message or _("Add a note saying why."), "ticket.note_required")
    if len(note) > 2000:
        raise field_error(field, _("Keep the note under 2,000 characters."), "ticket.note_length")
    return note


def resolve_party(ref: PartyRef | Organisation | User) -> PartyRef:
    """A party that can be offered tickets: an active organisation, or an active provider."""
    return _resolve_party(ref)[0]


def _resolve_party(ref: PartyRef | Organisation | User) -> tuple[PartyRef, Organisation | User, list[User]]:
    """The party checked, its instance, and the people who answer for it (to be notified)."""
    if isinstance(ref, Organisation):
        ref = PartyRef("org", ref.pk, ref.name)
    elif isinstance(ref, User):
        ref = PartyRef("user", ref.pk, ref.name)
    if ref.type == "org":
        org, users = core.organisation_and_providers(ref.id)  # one statement for both
        if org is None or not org.is_active:
            raise field_error(
                "parties", _("That organisation is unknown or inactive."), "ticket.party_unknown"
            )
        return PartyRef("org", org.pk, org.name), org, users
    if ref.type == "user":
        user = User.objects.filter(pk=ref.id, is_active=True).first()
        if user is None or not user.access.has("tickets.handle"):
            raise field_error("parties", _("That person cannot accept tickets."), "ticket.party_unknown")
        return PartyRef("user", user.pk, user.name), user, core.party_users(user=user)
    raise field_error("parties", _("Unknown kind of party."), "ticket.party_unknown")


def _make_offers(
    ticket: Ticket, parties, *, actor, note: str, reasons: dict | None, now: datetime
) -> list[TicketOffer]:
    if not parties:
        raise field_error("parties", _("Choose who should take it."), "ticket.no_party")
    if len(parties) > MAX_PARTIES:
        raise field_error(
            "parties",
            _("Offer it to at most %(n)d parties at once.") % {"n": MAX_PARTIES},
            "ticket.too_many_parties",
        )
    resolved: dict[str, tuple[PartyRef, Organisation | User, list[User]]] = {}
    for p in parties:
        ref, party, users = _resolve_party(p)
        resolved.setdefault(ref.key, (ref, party, users))
    expires = get_policy(ticket.kind).offer_until(ticket, now)
    # The party instances ride along, so ``party_label`` needs no query.
    offers = [
        TicketOffer(
            ticket=ticket,
            party_org=party if r.type == "org" else None,
            party_user=party if r.type == "user" else None,
            expires_at=expires,
            offered_at=now,
            offered_by=actor,
            note=note[:300],
            reasons=(reasons or {}).get(r.key, {}),
        )
        for r, party, _users in resolved.values()
    ]
    sql.insert(*offers)  # one INSERT for all, written once per count (gongzhi.core.sql)
    for _ref, _party, users in resolved.values():
        if not users:  # an organisation without provider members yet: the queue shows the offer
            continue
        tell(
            users,
            ticket,
            "ticket.offered",
            _("New order for you: %(title)s") % {"title": ticket.title},
            _("Please accept or decline by %(time)s.")
            % {"time": timezone.localtime(expires).strftime("%m-%d %H:%M")},
        )
    return offers


def _withdraw_open_offers(ticket: Ticket, now: datetime, status: str = TicketOffer.Status.WITHDRAWN) -> int:
    return ticket.offers.open().update(status=status, answered_at=now)


@service_atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    parties,
    actor,
    note: str = "",
    reasons: dict | None = None,
    ip: str | None = None,
    audit: bool = True,
) -> list[TicketOffer]:
    """Offer a queued ticket to one or more parties (派单); the first to accept takes it.

    ``audit=False`` only for a caller that records the dispatch in its own audit entry.
    """
    check(ticket, Action.DISPATCH, actor)
    note = _note(note, required=False)
    now = timezone.now()
    offers = _make_offers(ticket, parties, actor=actor, note=note, reasons=reasons, now=now)
    apply(
        ticket,
        Action.DISPATCH,
        actor,
        note=note,
        checked=True,
        updates={"dispatched_at": now, "assignee_org": None, "assignee_user": None, "accepted_by": None},
        data={"offers": [o.party_label for o in offers], "automatic": actor is None},
        ip=ip,
        audit=audit,
    )
    return offers


@transaction.atomic
def ticket_reassign(
    *, ticket: Ticket, parties, actor, note: str, reasons: dict | None = None, ip: str | None = None
):
    """Take a ticket from whoever has it (or is offered it) and offer it to others."""
    check(ticket, Action.REASSIGN, actor)
    note = _note(note, required=True, message=_("Say why it is reassigned."))
    now = timezone.now()
    previous = core.assignee_users(ticket)
    _withdraw_open_offers(ticket, now)
    offers = _make_offers(ticket, parties, actor=actor, note=note, reasons=reasons, now=now)
    apply(
        ticket,
        Action.REASSIGN,
        actor,
        note=note,
        checked=True,
        visibility=Visibility.INTERNAL,
        updates={"dispatched_at": now, "assignee_org": None, "assignee_user": None, "accepted_by": None},
        data={"offers": [o.party_label for o in offers]},
        ip=ip,
    )
    if previous:
        tell(
            previous,
            ticket,
            "ticket.reassigned",
            _("An order was reassigned: %(title)s") % {"title": ticket.title},
            note,
        )
    return offers


def _my_open_offer(ticket: Ticket, actor) -> TicketOffer | None:
    offers = list(ticket.offers.open().for_party(actor).order_by("party_org_id", "id"))
    # A personal offer before an organisation's: the person answers for themselves first.
    offers.sort(key=lambda o: (o.party_user_id is None, o.pk))
    return offers[0] if offers else None


@transaction.atomic
def ticket_accept(*, ticket: Ticket, actor, ip: str | None = None) -> Ticket:
    """Take an offered ticket (接单). Of two parties accepting at once, exactly one wins."""
    check(ticket, Action.ACCEPT, actor)
    offer = _my_open_offer(ticket, actor)
    now = timezone.now()
    if offer is None:
        raise ValidationError(
            _("This order has not been offered to you or your organisation."), code="ticket.not_offered"
        )
    if offer.expires_at <= now:
        raise ValidationError(
            _("This offer expired at %(time)s; the order is back with the community.")
            % {"time": timezone.localtime(offer.expires_at).strftime("%m-%d %H:%M")},
            code="ticket.offer_expired",
        )
    apply(
        ticket,
        Action.ACCEPT,
        actor,
        checked=True,
        updates={
            "assignee_org_id": offer.party_org_id,
            "assignee_user_id": offer.party_user_id,
            "accepted_by": actor,
            "accepted_at": now,
        },
        data={"party": offer.party_label},
        ip=ip,
    )
    TicketOffer.objects.filter(pk=offer.pk).update(status=TicketOffer.Status.ACCEPTED, answered_at=now)
    _withdraw_open_offers(ticket, now)
    if ticket.submitter_id:
        tell(
            [ticket.submitter],
            ticket,
            "ticket.accepted",
            _("%(party)s has taken your order") % {"party": offer.party_label},
            ticket.title,
        )
    return ticket


@transaction.atomic
def ticket_decline(*, ticket: Ticket, actor, note: str = "", ip: str | None = None) -> Ticket:
    """Say no to an offer; when nobody is left to answer, the ticket returns to the queue."""
    check(ticket, Action.DECLINE, actor)
    note = _note(note, required=False)
    offer = _my_open_offer(ticket, actor)
    now = timezone.now()
    TicketOffer.objects.filter(pk=offer.pk).update(
        status=TicketOffer.Status.DECLINED, answered_at=now, note=note[:300]
    )
    apply(
        ticket,
        Action.DECLINE,
        actor,
        note=note,
        checked=True,
        visibility=Visibility.INTERNAL,
        data={"party": offer.party_label},
        ip=ip,
    )
    if not ticket.offers.open().exists():
        _return_to_queue(ticket, _("Every party it was offered to declined."))
    return ticket


def _return_to_queue(ticket: Ticket, note: str) -> None:
    apply(
        ticket,
        Action.RETURN,
        None,
        note=note,
        visibility=Visibility.INTERNAL,
        updates={"assignee_org": None, "assignee_user": None, "accepted_by": None},
    )
    tell(
        core.dispatchers_of(ticket),
        ticket,
        "ticket.returned",
        _("Back in the queue: %(title)s") % {"title": ticket.title},
        note,
    )


@transaction.atomic
def ticket_return(*, ticket: Ticket, actor, note: str, ip: str | None = None) -> Ticket:
    """Hand a ticket back to the queue (退单): the handler cannot do it, or the dispatcher recalls it."""
    check(ticket, Action.RETURN, actor)
    note = _note(note, required=True, message=_("Say why it goes back."))
    now = timezone.now()
    _withdraw_open_offers(ticket, now)
    apply(
        ticket,
        Action.RETURN,
        actor,
        note=note,
        checked=True,
        visibility=Visibility.INTERNAL,
        updates={"assignee_org": None, "assignee_user": None, "accepted_by": None},
        ip=ip,
    )
    tell(
        core.dispatchers_of(ticket),
        ticket,
        "ticket.returned",
        _("Back in the queue: %(title)s") % {"title": ticket.title},
        note,
    )
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, actor, note: str = "", ip: str | None = None) -> Ticket:
    check(ticket, Action.START, actor)
    apply(ticket, Action.START, actor, note=_note(note, required=False), checked=True, ip=ip)
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor, note: str, photos=(), ip: str | None = None) -> Ticket:
    """Mark the work done, with what the kind requires (a note, photos); the submitter is asked to rate."""
    check(ticket, Action.RESOLVE, actor)
    need = get_policy(ticket.kind).resolution
    errors: dict[str, list] = {}
    try:
        note = _note(note, required=need.note, message=_("Say what was done."))
    except ValidationError as exc:
        errors.update(exc.error_dict)
    cleaned = []
    try:
        cleaned = images.clean_images(photos)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    have = ticket.attachments.filter(stage=TicketAttachment.Stage.RESOLUTION).count()
    if not errors.get("photos") and have + len(cleaned) < need.photos:
        errors["photos"] = [
            ValidationError(
                _("Add at least %(n)d photo(s) of the work.") % {"n": need.photos},
                code="ticket.resolution_photos",
            )
        ]
    if errors:
        raise ValidationError(errors)
    _save_images(ticket, cleaned, stage=TicketAttachment.Stage.RESOLUTION, by=actor)
    apply(
        ticket,
        Action.RESOLVE,
        actor,
        note=note,
        checked=True,
        updates={"resolution_note": note, "resolved_at": timezone.now()},
        data={"photos": have + len(cleaned)},
        ip=ip,
    )
    if ticket.submitter_id:
        tell([ticket.submitter], ticket, "ticket.resolved", _("Done: please confirm and rate"), ticket.title)
    return ticket


def _count_rating(ticket: Ticket, rating: int, sign: int) -> None:
    """Keep the handler's running rating totals (see ``PartyStats``) in step with this rating."""
    if ticket.assignee_org_id:
        key = {"party_org_id": ticket.assignee_org_id}
    elif ticket.assignee_user_id:
        key = {"party_user_id": ticket.assignee_user_id}
    else:
        return
    PartyStats.objects.get_or_create(**key)
    PartyStats.objects.filter(**key).update(
        rating_count=F("rating_count") + sign, rating_sum=F("rating_sum") + sign * rating
    )


def _closed(ticket: Ticket, actor) -> None:
    policy = get_policy(ticket.kind)
    policy.on_close(ticket, actor=actor)
    if policy.follow_up_after_close:
        _follow_up(ticket, FollowUp.Reason.ROUTINE, due=timezone.now() + timedelta(days=1))


def _follow_up(ticket: Ticket, reason: str, *, due: datetime) -> FollowUp:
    follow_up = FollowUp.objects.create(ticket=ticket, area_id=ticket.area_id, reason=reason, due_at=due)
    tell(
        core.dispatchers_of(ticket),
        ticket,
        "ticket.follow_up",
        _("Follow-up call due: %(title)s") % {"title": ticket.title},
        str(FollowUp.Reason(reason).label),
    )
    return follow_up


@transaction.atomic
def ticket_rate(*, ticket: Ticket, actor, rating, comment: str = "", ip: str | None = None) -> Ticket:
    """The submitter confirms and rates 1–5 (评单); 1–2 opens a follow-up call, 4–5 may reward."""
    check(ticket, Action.RATE, actor)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise field_error("rating", _("Choose a rating from 1 to 5 stars."), "ticket.rating_range")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise field_error("comment", _("Keep the comment under 500 characters."), "ticket.comment_length")
    now = timezone.now()
    apply(
        ticket,
        Action.RATE,
        actor,
        note=comment,
        checked=True,
        updates={"rating": rating, "rating_comment": comment, "rated_at": now, "closed_at": now},
        data={"rating": rating},
        ip=ip,
    )
    _count_rating(ticket, rating, +1)
    policy = get_policy(ticket.kind)
    if rating <= 2 and policy.follow_up_low_rating:
        _follow_up(ticket, FollowUp.Reason.LOW_RATING, due=now + timedelta(days=1))
    _closed(ticket, actor)
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor, note: str = "", ip: str | None = None) -> Ticket:
    """Close a resolved ticket without a rating: after a follow-up call, or unconfirmed for too long."""
    worn = check(ticket, Action.CLOSE, actor)
    note = _note(
        note, required=Party.SUBMITTER not in worn and actor is not None, message=_("Say why it is closed.")
    )
    apply(ticket, Action.CLOSE, actor, note=note, checked=True, updates={"closed_at": timezone.now()}, ip=ip)
    _closed(ticket, actor)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor, note: str, ip: str | None = None) -> Ticket:
    """An unsatisfied resident (or the community after a follow-up call) reopens the ticket."""
    check(ticket, Action.REOPEN, actor)
    note = _note(note, required=True, message=_("Say what is still wrong."))
    now = timezone.now()
    if (
        ticket.state == State.CLOSED
        and ticket.closed_at
        and ticket.closed_at < now - timedelta(days=conf.reopen_days())
    ):
        raise ValidationError(
            _("This ticket closed more than %(days)d days ago; submit a new one instead.")
            % {"days": conf.reopen_days()},
            code="ticket.reopen_too_late",
        )
    policy = get_policy(ticket.kind)
    if ticket.rating:
        _count_rating(ticket, ticket.rating, -1)
    apply(
        ticket,
        Action.REOPEN,
        actor,
        note=note,
        checked=True,
        updates={
            "reopen_count": core.increment("reopen_count"),
            "assignee_org": None,
            "assignee_user": None,
            "accepted_by": None,
            "rating": None,
            "rating_comment": "",
            "rated_at": None,
            "closed_at": None,
            "resolved_at": None,
            "deadline": policy.deadline_for(ticket.category, ticket.priority, now),
            "reminded_at": None,
            "escalation_level": EscalationLevel.NONE,
            "extension_requested_until": None,
        },
        data={"previous_rating": ticket.rating},
        ip=ip,
    )
    tell(
        core.dispatchers_of(ticket),
        ticket,
        "ticket.reopened",
        _("Reopened: %(title)s") % {"title": ticket.title},
        note,
    )
    return ticket


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, actor, note: str = "", ip: str | None = None) -> Ticket:
    worn = check(ticket, Action.CANCEL, actor)
    note = _note(note, required=Party.SUBMITTER not in worn, message=_("Say why it is cancelled."))
    now = timezone.now()
    _withdraw_open_offers(ticket, now)
    apply(ticket, Action.CANCEL, actor, note=note, checked=True, updates={"closed_at": now}, ip=ip)
    if ticket.submitter_id and Party.SUBMITTER not in worn:
        tell([ticket.submitter], ticket, "ticket.cancelled", _("Your request was cancelled"), note)
    return ticket


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, actor, note: str = "", ip: str | None = None) -> Ticket:
    """Raise supervision one level (督办): community → town → city. The handler keeps the ticket."""
    check(ticket, Action.ESCALATE, actor)
    if ticket.escalation_level >= EscalationLevel.CITY:
        raise ValidationError(
            _("This ticket is already supervised by the city."), code="ticket.escalation_top"
        )
    level = ticket.escalation_level + 1
    note = _note(note, required=False) or _("Overdue: supervision raised to the %(level)s level.") % {
        "level": EscalationLevel(level).label
    }
    apply(
        ticket,
        Action.ESCALATE,
        actor,
        note=note,
        checked=True,
        updates={"escalation_level": level, "escalated_at": timezone.now()},
        data={"level": level},
        ip=ip,
    )
    tell(
        core.supervisors_of(ticket, level) + core.assignee_users(ticket),
        ticket,
        "ticket.escalated",
        _("Supervised (督办): %(title)s") % {"title": ticket.title},
        note,
    )
    return ticket


def _until(value, field: str = "until") -> datetime:
    if not isinstance(value, datetime):
        raise field_error(field, _("Give a date and time."), "ticket.extension_until")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def ticket_request_extension(*, ticket: Ticket, actor, until, note: str, ip: str | None = None) -> Ticket:
    """The handler asks for more time — before the deadline, never after (12345 practice)."""
    check(ticket, Action.REQUEST_EXTENSION, actor)
    until = _until(until)
    note = _note(note, required=True, message=_("Say why more time is needed."))
    now = timezone.now()
    if ticket.deadline and ticket.deadline <= now:
        raise ValidationError(
            _("The deadline has passed; more time must be asked before it."), code="ticket.extension_too_late"
        )
    if ticket.deadline and until <= ticket.deadline:
        raise field_error("until", _("Ask for a time after the current deadline."), "ticket.extension_until")
    if ticket.extension_requested_until:
        raise ValidationError(
            _("More time has already been asked; wait for the answer."), code="ticket.extension_pending"
        )
    apply(
        ticket,
        Action.REQUEST_EXTENSION,
        actor,
        note=note,
        checked=True,
        visibility=Visibility.INTERNAL,
        updates={"extension_requested_until": until},
        data={"until": until.isoformat()},
        ip=ip,
    )
    tell(
        core.dispatchers_of(ticket),
        ticket,
        "ticket.extension",
        _("More time asked: %(title)s") % {"title": ticket.title},
        note,
    )
    return ticket


@transaction.atomic
def ticket_answer_extension(
    *, ticket: Ticket, actor, grant: bool, note: str = "", until=None, ip: str | None = None
) -> Ticket:
    action = Action.GRANT_EXTENSION if grant else Action.DENY_EXTENSION
    check(ticket, action, actor)
    if not ticket.extension_requested_until:
        raise ValidationError(_("Nobody has asked for more time."), code="ticket.extension_none")
    note = _note(note, required=not grant, message=_("Say why more time is refused."))
    updates: dict = {"extension_requested_until": None}
    if grant:
        new = _until(until) if until else ticket.extension_requested_until
        if ticket.deadline and new <= ticket.deadline:
            raise field_error("until", _("Give a time after the current deadline."), "ticket.extension_until")
        updates.update({"deadline": new, "reminded_at": None})
    apply(
        ticket,
        action,
        actor,
        note=note,
        checked=True,
        updates=updates,
        data={"until": updates["deadline"].isoformat()} if grant else {},
        ip=ip,
    )
    tell(
        core.assignee_users(ticket),
        ticket,
        "ticket.extension",
        _("More time granted") if grant else _("More time refused"),
        note or ticket.title,
    )
    return ticket


@transaction.atomic
def ticket_comment(
    *, ticket: Ticket, actor, note: str, internal: bool = False, ip: str | None = None
) -> Ticket:
    """A note on the timeline; a submitter's notes are always public, staff may keep theirs internal."""
    worn = check(ticket, Action.COMMENT, actor)
    note = _note(note, required=True, message=_("Write the note."))
    staff = bool(worn & {Party.DISPATCHER, Party.SUPERVISOR, Party.ASSIGNEE})
    visibility = Visibility.INTERNAL if internal and staff else Visibility.PUBLIC
    apply(ticket, Action.COMMENT, actor, note=note, checked=True, visibility=visibility, ip=ip)
    if (
        visibility == Visibility.PUBLIC
        and ticket.submitter_id
        and (actor is None or actor.pk != ticket.submitter_id)
    ):
        tell([ticket.submitter], ticket, "ticket.note", _("A note on your request"), note[:200])
    elif Party.SUBMITTER in worn:
        tell(
            core.assignee_users(ticket) or core.dispatchers_of(ticket),
            ticket,
            "ticket.note",
            _("The resident added a note"),
            note[:200],
        )
    return ticket
