"""Reminding the volunteers of an activity before it starts, once each."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.notifications.services import notify

from .. import conf
from ..models import Participation, SignUp, SignUpStatus

REMINDER_KIND = "volunteering.reminder"


@transaction.atomic
def activity_reminders_send(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind every confirmed volunteer and every registered participant whose activity starts
    within the reminder window; returns how many were reminded. ``reminded_at`` makes it once: a
    rerun, or a second worker (the rows are locked, and skipped when another run holds them),
    finds nothing left to send."""
    now = now or timezone.now()
    until = now + timedelta(hours=conf.reminder_hours_before())
    due = list(
        SignUp.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=SignUpStatus.CONFIRMED,
            reminded_at__isnull=True,
            activity__starts_at__gt=now,
            activity__starts_at__lte=until,
            volunteer__user__isnull=False,
        )
        .select_related("activity", "activity__area", "volunteer__user")
        .order_by("activity__starts_at", "pk")[:batch]
    )
    for signup in due:
        _remind(signup.activity, signup.volunteer.user, source=signup, volunteer=True)
    SignUp.objects.filter(pk__in=[s.pk for s in due]).update(reminded_at=now)
    guests = list(
        Participation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            cancelled_at__isnull=True,
            reminded_at__isnull=True,
            activity__starts_at__gt=now,
            activity__starts_at__lte=until,
        )
        .select_related("activity", "activity__area", "user")
        .order_by("activity__starts_at", "pk")[:batch]
    )
    for participation in guests:
        _remind(participation.activity, participation.user, source=participation, volunteer=False)
    Participation.objects.filter(pk__in=[p.pk for p in guests]).update(reminded_at=now)
    return len(due) + len(guests)


def _remind(activity, user, *, source, volunteer: bool) -> None:
    place = activity.place or activity.area.name
    notify(
        users=[user],
        kind=REMINDER_KIND,
        title=_("Reminder: %(title)s starts at %(time)s")
        % {"title": activity.title, "time": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M")},
        body=(
            _("Place: %(place)s. Scan the code at the place to check in.")
            if volunteer
            else _("Place: %(place)s. You registered to take part; cancel on the page if you cannot come.")
        )
        % {"place": place},
        url=reverse("volunteering:activity", args=[activity.pk]),
        source=source,
    )
