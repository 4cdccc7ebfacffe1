"""Settings of the volunteering app, each with its default."""

from django.conf import settings


def check_in_margin_minutes() -> int:
    """How early before the start and how late after the end a volunteer may check in or out."""
    return int(getattr(settings, "VOLUNTEERING_CHECK_IN_MARGIN_MINUTES", 30))


def qr_max_age_seconds() -> int:
    """How long an activity's check-in QR stays valid; the organiser's page renews it."""
    return int(getattr(settings, "VOLUNTEERING_QR_MAX_AGE_SECONDS", 300))
