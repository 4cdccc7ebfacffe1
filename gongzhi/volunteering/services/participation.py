"""Residents registering to take part in an activity, within its places for participants."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record

from ..models import Activity, Participation


@transaction.atomic
def participation_join(
    *, activity: Activity, user, now: datetime | None = None, ip: str | None = None
) -> Participation:
    """Take a participant's place; an activity with no places for participants takes walk-ins."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = now or timezone.now()
    if now >= activity.starts_at:
        raise ValidationError(_("Registration closes when the activity starts."), code="participation.closed")
    if activity.participant_capacity == 0:
        raise ValidationError(
            _("This activity takes no registration: just come along."), code="participation.walk_in"
        )
    live = activity.participations.filter(cancelled_at__isnull=True)
    if live.filter(user=user).exists():
        raise ValidationError(_("You have already registered to take part."), code="participation.duplicate")
    if live.count() >= activity.participant_capacity:
        raise ValidationError(
            _("All %(n)d places for participants are taken.") % {"n": activity.participant_capacity},
            code="participation.full",
        )
    participation = Participation.objects.create(activity=activity, user=user)
    audit_record(
        actor=user,
        action="volunteering.participation.join",
        obj=participation,
        area_code=activity.area_id,
        ip=ip,
    )
    return participation


@transaction.atomic
def participation_cancel(*, activity: Activity, user, ip: str | None = None) -> Participation:
    participation = (
        Participation.objects.select_for_update()
        .filter(activity=activity, user=user, cancelled_at__isnull=True)
        .first()
    )
    if participation is None:
        raise ValidationError(_("You have not registered to take part."), code="participation.missing")
    participation.cancelled_at = timezone.now()
    participation.save(update_fields=["cancelled_at"])
    audit_record(
        actor=user,
        action="volunteering.participation.cancel",
        obj=participation,
        area_code=activity.area_id,
        ip=ip,
    )
    return participation
