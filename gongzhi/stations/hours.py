"""Between the hours tables and the pure opening-hours model (``gongzhi.lib.opening_hours``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gongzhi.lib import opening_hours as oh

from .conf import setting


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def station_tz() -> ZoneInfo:
    return ZoneInfo(str(setting("TIME_ZONE")))


def local_now(now: datetime | None = None) -> datetime:
    """``now`` (default: the present) as naive wall-clock time where the stations are."""
    moment = now or timezone.now()
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(station_tz()).replace(tzinfo=None)


def local_today(now: datetime | None = None) -> date:
    return local_now(now).date()


def exception_window(now: datetime | None = None) -> tuple[date, date]:
    """The dates whose exceptions can matter for "open now" and "opens next" from today."""
    today = local_today(now)
    return today - timedelta(days=1), today + timedelta(days=oh.LOOKAHEAD_DAYS + 1)


def schedule_for(station) -> oh.Schedule:
    """The station's schedule from its (prefetched) ``hours`` and ``hours_exceptions``."""
    weekly: dict[int, list[oh.Interval]] = defaultdict(list)
    for row in station.hours.all():
        weekly[row.weekday].append(oh.Interval(row.opens, row.closes))
    exceptions: dict[date, list[oh.Interval]] = defaultdict(list)
    for row in station.hours_exceptions.all():
        exceptions.setdefault(row.date, [])
        if row.opens is not None:
            exceptions[row.date].append(oh.Interval(row.opens, row.closes))
    return oh.Schedule(
        weekly={d: tuple(sorted(v)) for d, v in weekly.items()},
        exceptions={d: tuple(sorted(v)) for d, v in exceptions.items()},
    )


def open_status(station, now: datetime | None = None) -> oh.OpenStatus:
    return oh.status_at(schedule_for(station), local_now(now))


def weekly_text(station) -> list[tuple[str, str]]:
    """(weekday name, "09:00-12:00, 14:00-18:00" or "closed") for the seven days."""
    schedule = schedule_for(station)
    names = weekday_names()
    return [
        (names[d], oh.format_intervals(schedule.weekly.get(d, ())) or pgettext("opening hours", "closed"))
        for d in range(7)
    ]


HOURS_MESSAGES = {
    "hours.format": gettext_lazy(
        "Write times as 09:00-18:00, several separated by commas, or “closed” or “24h”: %(text)s"
    ),
    "hours.time": gettext_lazy("“%(text)s” is not a time of day (00:00 to 24:00)."),
    "hours.empty": gettext_lazy("“%(text)s” opens and closes at the same minute; write 24h for a full day."),
    "hours.overlap": gettext_lazy("%(first)s and %(second)s overlap."),
    "hours.weekday": gettext_lazy("The weekday must be 0 (Monday) to 6 (Sunday)."),
}


def hours_error_message(exc: oh.HoursError) -> str:
    template = HOURS_MESSAGES.get(exc.code)
    if template is None:
        return str(exc)
    return str(template) % {k: str(v) for k, v in exc.params.items()}
