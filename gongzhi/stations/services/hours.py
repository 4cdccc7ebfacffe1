"""Opening hours and photos of a station."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import images
from gongzhi.lib import opening_hours as oh

from ..conf import setting
from ..hours import hours_error_message
from ..models import HoursException, Station, StationEvent, StationHours, StationPhoto
from .registry import refuse_merged


def _require_manage(actor, station: Station) -> None:
    if actor is not None and not actor.access.can("stations.manage", station.area_id):
        raise PermissionDenied
    refuse_merged(station)


def parse_weekly(texts: Mapping[int, str]) -> dict[int, tuple[oh.Interval, ...]]:
    """{weekday: "09:00-12:00, 14:00-18:00"} → intervals, or a ValidationError per weekday field
    (named ``day_0`` … ``day_6``)."""
    weekly: dict[int, tuple[oh.Interval, ...]] = {}
    errors: dict[str, list[str]] = {}
    for weekday, text in texts.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors["weekly"] = [_("The weekday must be 0 (Monday) to 6 (Sunday).")]
            continue
        try:
            weekly[weekday] = oh.parse_intervals(text or "")
        except oh.HoursError as exc:
            errors[f"day_{weekday}"] = [hours_error_message(exc)]
    if errors:
        raise invalid(errors, "station.hours")
    return weekly


def parse_day(text: str, field: str = "hours") -> tuple[oh.Interval, ...]:
    try:
        return oh.parse_intervals(text or "")
    except oh.HoursError as exc:
        raise invalid({field: [hours_error_message(exc)]}, "station.hours") from None


@transaction.atomic
def station_set_hours(
    *, station: Station, actor, weekly: Mapping[int, tuple[oh.Interval, ...]], ip: str | None = None
) -> Station:
    """Replace the weekly pattern; weekdays left out are closed."""
    _require_manage(actor, station)
    for weekday in weekly:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise invalid({"weekly": [_("The weekday must be 0 (Monday) to 6 (Sunday).")]}, "station.hours")
    try:
        rows = [
            StationHours(station=station, weekday=d, opens=i.opens, closes=i.closes)
            for d, intervals in sorted(weekly.items())
            for i in oh.normalise(intervals)
        ]
    except oh.HoursError as exc:
        raise invalid({"weekly": [hours_error_message(exc)]}, "station.hours") from None
    station.hours.all().delete()
    StationHours.objects.bulk_create(rows)
    text = {str(d): oh.format_intervals(weekly.get(d, ())) for d in range(7)}
    StationEvent.objects.create(
        station=station, kind=StationEvent.Kind.HOURS, actor=_user(actor), details=text
    )
    audit_record(actor=actor, action="station.hours", obj=station, ip=ip, changes=text)
    return station


@transaction.atomic
def hours_exception_set(
    *,
    station: Station,
    actor,
    day: date,
    intervals: tuple[oh.Interval, ...],
    note: str = "",
    ip: str | None = None,
) -> list[HoursException]:
    """Set one date's hours (no intervals: closed all day), replacing what that date had."""
    _require_manage(actor, station)
    if not isinstance(day, date):
        raise invalid({"date": [_("Enter a date.")]}, "station.hours_date")
    try:
        intervals = oh.normalise(intervals)
    except oh.HoursError as exc:
        raise invalid({"hours": [hours_error_message(exc)]}, "station.hours") from None
    note = (note or "").strip()[:100]
    station.hours_exceptions.filter(date=day).delete()
    if intervals:
        rows = [
            HoursException(station=station, date=day, opens=i.opens, closes=i.closes, note=note)
            for i in intervals
        ]
    else:
        rows = [HoursException(station=station, date=day, note=note)]
    created = HoursException.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="station.hours_exception",
        obj=station,
        ip=ip,
        changes={"date": day.isoformat(), "hours": oh.format_intervals(intervals) or "closed", "note": note},
    )
    return created


@transaction.atomic
def hours_exception_remove(*, station: Station, actor, day: date, ip: str | None = None) -> int:
    _require_manage(actor, station)
    deleted, _rows = station.hours_exceptions.filter(date=day).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="station.hours_exception_remove",
            obj=station,
            ip=ip,
            changes={"date": day.isoformat()},
        )
    return deleted


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------

# Refuse decompression bombs before Pillow allocates them: a phone photo is ~12-50 megapixels.
MAX_SOURCE_PIXELS = 80_000_000


def clean_photo(upload) -> tuple[ContentFile, int, int]:
    """A JPEG without metadata (EXIF, GPS, XMP) from an uploaded image: opened with Pillow to
    prove it is one, turned upright, shrunk to ``PHOTO_MAX_PIXELS`` and re-encoded."""
    max_bytes = int(setting("PHOTO_MAX_BYTES"))
    try:
        data = images.read_capped(upload, max_bytes)
        clean = images.clean_photo(
            data,
            max_bytes=max_bytes,
            max_side=int(setting("PHOTO_MAX_PIXELS")),
            max_pixels=MAX_SOURCE_PIXELS,
            force_jpeg=True,
        )
    except images.ImageError as exc:
        if exc.code == "image.too_large":
            raise invalid(
                {"image": [_("The photo is too large: at most %(mb)d MB.") % {"mb": max_bytes // 2**20}]},
                "station.photo_size",
            ) from None
        raise invalid(
            {"image": [_("This file is not a photo we can read: upload a JPEG, PNG or WebP image.")]},
            "station.photo_format",
        ) from None
    return ContentFile(clean.data, name=f"{uuid.uuid4().hex}.jpg"), clean.width, clean.height


@transaction.atomic
def photo_add(*, station: Station, actor, upload, caption: str = "", ip: str | None = None) -> StationPhoto:
    _require_manage(actor, station)
    if station.photos.count() >= int(setting("PHOTOS_PER_STATION")):
        raise invalid(
            {
                "image": [
                    _("A station has at most %(n)d photos; remove one first.")
                    % {"n": int(setting("PHOTOS_PER_STATION"))}
                ]
            },
            "station.photo_count",
        )
    content, _w, _h = clean_photo(upload)
    photo = StationPhoto(station=station, caption=(caption or "").strip()[:100], uploaded_by=_user(actor))
    photo.image.save(content.name, content, save=False)
    photo.save()
    audit_record(actor=actor, action="station.photo_add", obj=station, ip=ip, changes={"photo": photo.pk})
    return photo


@transaction.atomic
def photo_remove(*, photo: StationPhoto, actor, ip: str | None = None) -> None:
    station = photo.station
    _require_manage(actor, station)
    name = photo.image.name
    photo.delete()
    transaction.on_commit(lambda: photo.image.storage.delete(name))
    audit_record(actor=actor, action="station.photo_remove", obj=station, ip=ip, changes={"photo": name})
