"""The periodic tick: expire unanswered offers, remind before deadlines, escalate overdue tickets
(督办: community → town → city) and close resolved tickets nobody confirmed.

Each ticket is handled in its own transaction, so one bad row never stops the run, and each step
takes at most ``batch`` rows per run: a cron every few minutes catches up with any backlog.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import conf
from ..models import OPEN_STATES, Action, EscalationLevel, State, Ticket, TicketOffer, Visibility
from ..policies import registry
from . import core
from .flow import _return_to_queue, ticket_close, ticket_escalate

logger = logging.getLogger("gongzhi.tickets")


def expire_offers(now: datetime, batch: int = 500) -> int:
    ticket_ids = list(
        TicketOffer.objects.open()
        .filter(expires_at__lte=now)
        .values_list("ticket_id", flat=True)
        .distinct()[:batch]
    )
    done = 0
    for ticket_id in ticket_ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if ticket is None:
                continue
            expired = list(ticket.offers.open().filter(expires_at__lte=now))
            if ticket.state != State.DISPATCHED:
                ticket.offers.open().update(status=TicketOffer.Status.WITHDRAWN, answered_at=now)
                continue
            TicketOffer.objects.filter(pk__in=[o.pk for o in expired]).update(
                status=TicketOffer.Status.EXPIRED, answered_at=now
            )
            core.apply(
                ticket,
                Action.EXPIRE_OFFER,
                None,
                visibility=Visibility.INTERNAL,
                note=_("No answer in time from: %(parties)s")
                % {"parties": "、".join(o.party_label for o in expired)},
            )
            if not ticket.offers.open().exists():
                _return_to_queue(ticket, _("Nobody accepted in time."))
            done += 1
    return done


def remind(now: datetime, batch: int = 500) -> int:
    fraction = conf.remind_fraction()
    longest = max((conf.limit(n) for n in conf.limit_names()), default=timedelta(days=15))
    candidates = (
        Ticket.objects.filter(
            state__in=OPEN_STATES,
            reminded_at__isnull=True,
            deadline__gt=now,
            deadline__lte=now + max(longest * fraction, timedelta(hours=1)),
        )
        .select_related("assignee_user", "submitter")
        .order_by("deadline")[:batch]
    )
    done = 0
    for ticket in candidates:
        allowed = ticket.deadline - ticket.created_at
        if ticket.deadline - now > max(allowed * fraction, timedelta(hours=1)):
            continue
        with transaction.atomic():
            left = ticket.deadline - now
            hours = max(1, round(left.total_seconds() / 3600))
            try:
                core.apply(
                    ticket,
                    Action.REMIND,
                    None,
                    visibility=Visibility.INTERNAL,
                    updates={"reminded_at": now},
                    note=_("Due within %(hours)d hour(s).") % {"hours": hours},
                )
            except Exception:  # the state moved meanwhile: nothing to remind
                logger.info("reminder for ticket %s skipped", ticket.pk)
                continue
            who = core.assignee_users(ticket) or core.dispatchers_of(ticket)
            core.tell(
                who,
                ticket,
                "ticket.reminder",
                _("Due within %(hours)d hour(s): %(title)s") % {"hours": hours, "title": ticket.title},
            )
            done += 1
    return done


def escalate_overdue(now: datetime, batch: int = 500) -> int:
    """Overdue → the town supervises; still open after another half of the allowed time → the city."""
    candidates = Ticket.objects.filter(
        state__in=OPEN_STATES, deadline__lt=now, escalation_level__lt=EscalationLevel.CITY
    ).order_by("deadline")[:batch]
    done = 0
    for ticket in candidates:
        if ticket.escalation_level == EscalationLevel.TOWN:
            grace = max((ticket.deadline - ticket.created_at) / 2, timedelta(hours=1))
            if ticket.deadline + grace > now:
                continue
        try:
            ticket_escalate(ticket=ticket, actor=None)
            done += 1
        except Exception:
            logger.exception("escalating ticket %s failed", ticket.pk)
    return done


def auto_close(now: datetime, batch: int = 500) -> int:
    done = 0
    for code, policy in registry.items():
        if not policy.auto_close_days:
            continue
        stale = Ticket.objects.filter(
            kind=code, state=State.RESOLVED, resolved_at__lt=now - timedelta(days=policy.auto_close_days)
        ).order_by("resolved_at")[:batch]
        for ticket in stale:
            try:
                ticket_close(
                    ticket=ticket,
                    actor=None,
                    note=_("Closed automatically: not confirmed within %(days)d days.")
                    % {"days": policy.auto_close_days},
                )
                done += 1
            except Exception:
                logger.exception("closing ticket %s failed", ticket.pk)
    return done


def tickets_tick(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "offers_expired": expire_offers(now, batch),
        "reminded": remind(now, batch),
        "escalated": escalate_overdue(now, batch),
        "auto_closed": auto_close(now, batch),
    }
