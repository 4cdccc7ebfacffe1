"""The ticket engine's periodic work, as a Django task (run by `gongzhi worker` or inline)."""

from __future__ import annotations

from django_tasks import task

from .services import tickets_tick


@task()
def tick(batch: int = 500) -> dict[str, int]:
    """Expire offers, remind before deadlines, escalate overdue tickets, auto-close resolved ones."""
    return tickets_tick(batch=batch)
