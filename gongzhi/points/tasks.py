"""Background work of the points app (Django's Tasks API; tests run tasks inline)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .models import PayCode
from .services import expiry


@task()
def points_expiry_notify(year: int) -> int:
    """Record the notices of points expiring at the end of ``year`` (enqueue in December)."""
    return expiry.expiry_notify(year=year)


@task()
def points_expiry_run(year: int) -> dict:
    """Expire the year's old points (enqueue on 31 December)."""
    run = expiry.expiry_run(year=year)
    return {"year": run.year, "accounts": run.accounts, "points": run.points}


@task()
def points_pay_codes_purge() -> int:
    """Forget pay codes that lapsed unused more than a day ago (used ones stay with their receipt)."""
    deleted, _ = PayCode.objects.filter(
        used_at__isnull=True, expires_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return deleted
