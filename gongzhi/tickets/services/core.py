"""The engine's one way to move a ticket: check the transition table, check who is acting, move
the state with a conditional UPDATE, write the immutable event and the audit entry."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.access import membership_in_force
from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import Role, roles_with
from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH, Level
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.directory.models import Organisation
from gongzhi.notifications.services import notify

from ..models import (
    TRANSITIONS,
    Action,
    EscalationLevel,
    Party,
    State,
    Ticket,
    TicketEvent,
    TicketOffer,
    Visibility,
    party_org_ids,
)
from ..permissions import PROVIDER_ROLES

ESCALATION_AREA_LEVEL = {EscalationLevel.TOWN: Level.TOWN, EscalationLevel.CITY: Level.COUNTY}


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def invalid_transition(state: str, action: str) -> ValidationError:
    return ValidationError(
        _("This ticket is “%(state)s”; it cannot be “%(action)s” now.")
        % {"state": state_label(state), "action": Action(action).label},
        code="ticket.invalid_transition",
        params={"state": state, "action": action},
    )


def supervising_area_code(ticket: Ticket, level: int | None = None) -> str:
    """The code of the area that supervises the ticket at an escalation level (community → town → city)."""
    level = ticket.escalation_level if level is None else level
    if not level:
        return ticket.area_id
    prefix = PREFIX_LENGTH[ESCALATION_AREA_LEVEL[EscalationLevel(level)]]
    return ticket.area_id[:prefix].ljust(CODE_LENGTH, "0")


def _supervises(actor, ticket: Ticket) -> bool:
    """The level the ticket is escalated to is the actor's own: town staff of its town while it is
    at the town level; city staff (or anyone above) once it reaches the city. A city official
    reads a town-level case but leaves it to the town, as the ladder intends."""
    code = supervising_area_code(ticket)
    if not actor.access.can("tickets.supervise", code):
        return False
    holders = roles_with("tickets.supervise")
    for m in actor.access.memberships:
        if m.role not in holders:
            continue
        prefix = m.area.prefix
        if ticket.escalation_level == EscalationLevel.TOWN and prefix == code[: PREFIX_LENGTH[Level.TOWN]]:
            return True
        if ticket.escalation_level >= EscalationLevel.CITY and code.startswith(prefix):
            return True
    return False


def hats(ticket: Ticket, actor) -> set[str]:
    """The parties an actor is on this ticket (see ``Party``)."""
    if actor is None:
        return {Party.SYSTEM}
    found: set[str] = set()
    access = actor.access
    if ticket.submitter_id == actor.pk:
        found.add(Party.SUBMITTER)
    if access.can("tickets.dispatch", ticket.area_id):
        found.add(Party.DISPATCHER)
    if ticket.escalation_level and _supervises(actor, ticket):
        found.add(Party.SUPERVISOR)
    orgs = party_org_ids(actor)
    if ticket.assignee_user_id == actor.pk or (ticket.assignee_org_id and ticket.assignee_org_id in orgs):
        found.add(Party.ASSIGNEE)
    if (
        ticket.state == State.DISPATCHED
        and TicketOffer.objects.open().for_party(actor).filter(ticket_id=ticket.pk).exists()
    ):
        found.add(Party.OFFEREE)
    return found


def allowed_actions(ticket: Ticket, actor) -> set[str]:
    """Actions the actor may take on the ticket now (for showing the right buttons)."""
    worn = hats(ticket, actor)
    return {a for a, t in TRANSITIONS.items() if ticket.state in t.sources and t.by & worn}


def check(ticket: Ticket, action: str, actor) -> set[str]:
    """Refuse an illegal move (wrong state first, then wrong party); returns the actor's hats."""
    transition = TRANSITIONS[action]
    if ticket.state not in transition.sources:
        raise invalid_transition(ticket.state, action)
    worn = hats(ticket, actor)
    if not transition.by & worn:
        if action in (Action.ACCEPT, Action.DECLINE):
            raise ValidationError(
                _("This order has not been offered to you or your organisation."), code="ticket.not_offered"
            )
        raise ValidationError(
            _("Only %(parties)s may do this (“%(action)s”).")
            % {
                "parties": " / ".join(str(Party(p).label) for p in sorted(transition.by)),
                "action": Action(action).label,
            },
            code="ticket.not_allowed",
        )
    return worn


def apply(
    ticket: Ticket,
    action: str,
    actor,
    *,
    note: str = "",
    visibility: str = Visibility.PUBLIC,
    updates: dict | None = None,
    data: dict | None = None,
    ip: str | None = None,
    checked: bool = False,
    audit: bool = True,
) -> TicketEvent:
    """Take ``action``: state (conditional on the state read), fields, event, audit entry.

    The UPDATE is conditional on the state this process read, so of two concurrent moves from
    the same state exactly one succeeds; the other is told the state it lost to.
    """
    if not checked:
        check(ticket, action, actor)
    transition = TRANSITIONS[action]
    now = timezone.now()
    fields = {"updated_at": now, **(updates or {})}
    if transition.target:
        fields["state"] = transition.target
    old = ticket.state
    computed = [k for k, v in fields.items() if hasattr(v, "resolve_expression")]  # e.g. a counter + 1
    if computed:
        changed = Ticket.objects.filter(pk=ticket.pk, state=old).update(**fields)
    else:  # the common move: a statement written once per set of fields (gongzhi.core.sql)
        changed = sql.update(Ticket, ticket.pk, fields, where={"state": old})
    if not changed:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("state", flat=True).first() or old
        raise invalid_transition(current, action)
    for name, value in fields.items():
        if name not in computed:
            setattr(ticket, name, value)
    if computed:
        ticket.refresh_from_db(fields=computed)
    event = TicketEvent(
        ticket=ticket,
        at=now,
        actor=actor,
        actor_label=str(actor.name) if actor is not None else "system",
        action=action,
        from_state=old,
        to_state=ticket.state,
        note=note,
        visibility=visibility,
        data=data or {},
    )
    sql.insert(event)  # every transition writes one: a statement written once (gongzhi.core.sql)
    if not audit:  # the caller's own entry records this move (see ``ticket_submit``)
        return event
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else "system",
        action=f"ticket.{action}",
        obj=ticket,
        ip=ip,
        changes={
            "kind": ticket.kind,
            "from": old,
            "to": ticket.state,
            **{k: v for k, v in (data or {}).items() if not isinstance(v, (dict, list))},
        },
    )
    return event


def increment(field: str):
    return F(field) + 1


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def dispatchers_of(ticket: Ticket):
    """Community workers of the ticket's community (the people who dispatch it)."""
    return [
        m.user
        for m in Membership.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, area_id=ticket.area_id, user__is_active=True)
        .select_related("user")
    ]


def supervisors_of(ticket: Ticket, level: int):
    area_code = supervising_area_code(ticket, level)
    role = Role.TOWN_STAFF if level == EscalationLevel.TOWN else Role.CITY_STAFF
    return [
        m.user
        for m in Membership.objects.active()
        .filter(role=role, area_id=area_code, user__is_active=True)
        .select_related("user")
    ]


def party_users(*, org_id: int | None = None, user=None):
    """The people who answer for a party: the person, or the organisation's provider members."""
    if user is not None:
        return [user]
    return organisation_and_providers(org_id)[1]


@cache
def _organisation_sql() -> tuple[str, tuple[sql.Columns, sql.Columns]]:
    o, m, u, c = Organisation, Membership, User, sql.column
    parts = (sql.Columns(o), sql.Columns(u))
    statement = (
        f"SELECT {', '.join(p.sql for p in parts)} FROM {sql.table(o)}"  # noqa: S608 (identifiers from model metadata)
        f" LEFT JOIN {sql.table(m)} ON {c(m, 'organisation')} = {c(o, 'id')}"
        f" AND {c(m, 'role')} IN ({sql.placeholders(len(PROVIDER_ROLES))})"
        f" AND {membership_in_force()}"
        f" LEFT JOIN {sql.table(u)} ON {c(u, 'id')} = {c(m, 'user')} AND {c(u, 'is_active')} = %s"
        f" WHERE {c(o, 'id')} = %s ORDER BY {c(m, 'id')}"
    )
    return statement, parts


def organisation_and_providers(org_id: int | None) -> tuple[Organisation | None, list[User]]:
    """An organisation (active or not; None if unknown) and its active provider members' accounts.

    One statement: dispatching an order checks the organisation and notifies its people, and a
    rule dispatches on every order.
    """
    statement, (o, u) = _organisation_sql()
    params = [*sorted(str(r) for r in PROVIDER_ROLES), sql.moment(timezone.now()), True, org_id]
    rows = sql.fetch(statement, params)
    if not rows:
        return None, []
    users = [user for row in rows if (user := u.instance(row, o.width)) is not None]
    return o.instance(rows[0]), users


def assignee_users(ticket: Ticket):
    if ticket.assignee_user_id:
        return [ticket.assignee_user]
    if ticket.assignee_org_id:
        return party_users(org_id=ticket.assignee_org_id)
    return []


def tell(users, ticket: Ticket, kind: str, title: str, body: str = "") -> None:
    notify(
        users=users, kind=kind, title=title, body=body or ticket.title, url=ticket_url(ticket), source=ticket
    )
