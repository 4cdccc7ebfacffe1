"""The volunteering app's periodic work, as a Django task (run by `gongzhi worker` or inline)."""

from __future__ import annotations

from django_tasks import task

from .services import activity_reminders_send


@task()
def remind(batch: int = 500) -> int:
    """Remind confirmed volunteers before their activities start; each sign-up once."""
    return activity_reminders_send(batch=batch)
