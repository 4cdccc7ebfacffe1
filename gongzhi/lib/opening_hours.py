"""Opening hours: a weekly pattern plus dated exceptions, and "is it open now?".

The model, kept small enough for a community worker to type into a form:

* A day holds zero or more intervals ``opens-closes`` in local wall-clock time.
  ``closes <= opens`` means the interval runs past midnight into the next day (``18:00-02:00``);
  ``closes == opens`` means a full 24 hours (``00:00-24:00`` is written that way too).
* The weekly pattern gives the intervals of each weekday (0 = Monday … 6 = Sunday).
* An exception gives the intervals of one date and replaces that date's weekly intervals
  (an empty list: closed all day). An interval belongs to the day it *starts*, so an exception
  replaces only the openings that start on its date; the small hours of a night that began the
  evening before still follow the day before. "Closed on 1 January" therefore does not cut short
  a New Year's Eve opening of ``20:00-02:00``, which is what staff who write it mean.

Times are naive local times; :func:`status_at` converts an aware moment into the schedule's time
zone first (Asia/Shanghai for Gongzhi, which has had no daylight saving since 1991).

Pure Python; no Django import. Bad input raises :class:`HoursError` with a stable ``code`` and
``params`` so the caller can translate the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

__all__ = [
    "ERROR_MESSAGES",
    "HoursError",
    "Interval",
    "OpenStatus",
    "Schedule",
    "format_intervals",
    "parse_intervals",
    "status_at",
]

DAY_MINUTES: Final = 24 * 60
# How far ahead "when does it next open" looks: long closures (a renovation) are written as one
# exception per day, and a month covers any the registry has seen.
LOOKAHEAD_DAYS: Final = 31

ERROR_MESSAGES: Final[dict[str, str]] = {
    "hours.format": "write times as HH:MM-HH:MM, several separated by commas, or 'closed' / '24h': {text!r}",
    "hours.time": "{text!r} is not a time of day (00:00 to 24:00)",
    "hours.empty": "{text!r} opens and closes at the same minute; write 24h for a full day",
    "hours.overlap": "{first} and {second} overlap",
    "hours.weekday": "weekday {weekday!r} must be 0 (Monday) to 6 (Sunday)",
}


class HoursError(ValueError):
    """Opening hours that cannot be read. ``code`` is a key of :data:`ERROR_MESSAGES`."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in ERROR_MESSAGES:  # a programming error, not bad input
            raise KeyError(f"unknown opening-hours error code: {code!r}")
        self.code = code
        self.params = params
        super().__init__(ERROR_MESSAGES[code].format(**params))


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """One opening, ``opens`` to ``closes`` local time; see the module docstring for midnight."""

    opens: time
    closes: time

    @property
    def start_minute(self) -> int:
        return self.opens.hour * 60 + self.opens.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the start day's midnight; above 1440 when it runs into the next day."""
        end = self.closes.hour * 60 + self.closes.minute
        return end if end > self.start_minute else end + DAY_MINUTES

    @property
    def overnight(self) -> bool:
        return self.end_minute > DAY_MINUTES

    def __str__(self) -> str:
        if self.end_minute - self.start_minute == DAY_MINUTES and self.start_minute == 0:
            return "00:00-24:00"
        closes = "24:00" if self.end_minute == DAY_MINUTES else f"{self.closes:%H:%M}"
        return f"{self.opens:%H:%M}-{closes}"


_TIME = re.compile(r"^(\d{1,2})[:：.](\d{2})$")
_SEPARATORS = re.compile(r"[,，;；、\s]+")
_DASHES = re.compile(r"\s*[-－–—~～至到]\s*")
_CLOSED_WORDS = frozenset({"closed", "off", "休息", "闭馆", "关闭", "不开放", "-", "—"})
_ALLDAY_WORDS = frozenset({"24h", "24小时", "全天", "24/7", "00:00-24:00"})


def _parse_time(text: str, *, allow_24: bool) -> time:
    m = _TIME.match(text.strip())
    if not m:
        raise HoursError("hours.time", text=text)
    hour, minute = int(m.group(1)), int(m.group(2))
    if allow_24 and hour == 24 and minute == 0:
        return time(0, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise HoursError("hours.time", text=text)
    return time(hour, minute)


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """Read one day's intervals: ``"09:00-12:00, 14:00-18:00"``, ``"18:00-02:00"``, ``"24h"``,
    or ``""`` / ``"closed"`` / ``"休息"`` for closed. Full-width punctuation is accepted.

    Returns the intervals sorted by opening time; raises :class:`HoursError` on anything else,
    including two intervals that overlap.
    """
    raw = (text or "").strip()
    if raw.lower() in _CLOSED_WORDS or raw == "":
        return ()
    if raw.lower().replace(" ", "") in _ALLDAY_WORDS:
        return (Interval(time(0, 0), time(0, 0)),)
    out: list[Interval] = []
    for part in _SEPARATORS.split(_DASHES.sub("-", raw)):
        if not part:
            continue
        pieces = part.split("-")
        if len(pieces) != 2:
            raise HoursError("hours.format", text=part)
        opens = _parse_time(pieces[0], allow_24=False)
        closes = _parse_time(pieces[1], allow_24=True)
        if opens == closes and not (pieces[1].strip().startswith("24") and opens == time(0, 0)):
            raise HoursError("hours.empty", text=part)
        out.append(Interval(opens, closes))
    return normalise(out)


def normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort one day's intervals and refuse overlaps (touching ends are fine: 09-12, 12-18)."""
    items = sorted(intervals)
    for a, b in zip(items, items[1:], strict=False):
        if b.start_minute < a.end_minute:
            raise HoursError("hours.overlap", first=str(a), second=str(b))
    # An overnight tail may run into the next day's first opening: that day may be another
    # weekday or an exception, so it is not an error here; status_at joins such spans.
    return tuple(items)


def format_intervals(intervals: Iterable[Interval]) -> str:
    """The inverse of :func:`parse_intervals` (``""`` for closed)."""
    items = list(intervals)
    if len(items) == 1 and items[0].start_minute == 0 and items[0].end_minute == DAY_MINUTES:
        return "24h"
    return ", ".join(str(i) for i in items)


@dataclass(frozen=True)
class Schedule:
    """A weekly pattern and its dated exceptions."""

    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)
    exceptions: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for weekday in self.weekly:
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
                raise HoursError("hours.weekday", weekday=weekday)

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The intervals that start on ``day``: its exception if it has one, else its weekday's."""
        if day in self.exceptions:
            return tuple(self.exceptions[day])
        return tuple(self.weekly.get(day.weekday(), ()))

    def spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """Naive local (start, end) of every opening that starts on ``day``."""
        midnight = datetime.combine(day, time(0, 0))  # noqa: DTZ001 - naive local by contract
        return [
            (midnight + timedelta(minutes=i.start_minute), midnight + timedelta(minutes=i.end_minute))
            for i in self.intervals_on(day)
        ]

    @property
    def is_empty(self) -> bool:
        return not any(self.weekly.values()) and not any(self.exceptions.values())


@dataclass(frozen=True)
class OpenStatus:
    """Whether a schedule is open at a moment, and when that changes (naive local times).

    ``until`` is when the current opening ends (``None`` when closed, or open for the whole
    look-ahead); ``next_open`` is when it next opens (``None`` when open, or nothing within
    :data:`LOOKAHEAD_DAYS`).
    """

    is_open: bool
    until: datetime | None = None
    next_open: datetime | None = None


def _span_containing(schedule: Schedule, at: datetime) -> tuple[datetime, datetime] | None:
    for day in (at.date() - timedelta(days=1), at.date()):
        for start, end in schedule.spans(day):
            if start <= at < end:
                return start, end
    return None


def status_at(schedule: Schedule, moment: datetime, tz: tzinfo | None = None) -> OpenStatus:
    """Is ``schedule`` open at ``moment``? An aware moment is first converted to ``tz``
    (required then); a naive one is taken as local time already.

    Back-to-back openings (``18:00-24:00`` then ``00:00-02:00``; a 24-hour weekly pattern) are
    joined, so ``until`` is when the doors actually close.
    """
    if moment.tzinfo is not None:
        if tz is None:
            raise ValueError("an aware moment needs the schedule's time zone (tz)")
        moment = moment.astimezone(tz).replace(tzinfo=None)
    span = _span_containing(schedule, moment)
    horizon = moment + timedelta(days=LOOKAHEAD_DAYS)
    if span is not None:
        end = span[1]
        while end < horizon:
            follow = _span_containing(schedule, end)
            if follow is None or follow[1] <= end:
                return OpenStatus(True, until=end)
            end = follow[1]
        return OpenStatus(True, until=None)
    day = moment.date()
    while datetime.combine(day, time(0, 0)) <= horizon:  # noqa: DTZ001 - naive local by contract
        for start, _end in schedule.spans(day):
            if start > moment:
                return OpenStatus(False, next_open=start)
        day += timedelta(days=1)
    return OpenStatus(False)
