"""Settings of the volunteering app, each with its default."""

from django.conf import settings


def check_in_margin_minutes() -> int:
    """How early before the start and how late after the end a volunteer may check in or out."""
    return int(getattr(settings, "VOLUNTEERING_CHECK_IN_MARGIN_MINUTES", 30))


def qr_max_age_seconds() -> int:
    """How long an activity's check-in QR stays valid; the organiser's page renews it."""
    return int(getattr(settings, "VOLUNTEERING_QR_MAX_AGE_SECONDS", 300))


def volunteer_code_max_age_seconds() -> int:
    """How long the personal code on a volunteer's phone stays valid; the page renews it."""
    return int(getattr(settings, "VOLUNTEERING_VOLUNTEER_CODE_MAX_AGE_SECONDS", 120))


def reminder_hours_before() -> int:
    """How long before an activity starts its signed-up volunteers are reminded."""
    return int(getattr(settings, "VOLUNTEERING_REMINDER_HOURS_BEFORE", 24))


def visit_photo_max_bytes() -> int:
    return int(getattr(settings, "VOLUNTEERING_VISIT_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


VISIT_PHOTO_MAX_SIDE = 1600
VISIT_PHOTOS_AT_MOST = 4
